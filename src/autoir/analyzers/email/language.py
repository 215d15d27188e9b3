"""Social-engineering language: urgency, credential requests, rewards (EN FR DE NL PT ES).

Phrases, not single words, so that an ordinary message mentioning a password or a deadline
does not trip them; text is compared case- and accent-folded. A category's weight grows with
the number of *distinct* phrases found, capped, so repetition of one phrase counts once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.report import Reason


def _phrases(text: str) -> tuple[str, ...]:
    """One regular expression per line; ``#`` lines name the language that follows."""
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


URGENCY = _phrases(
    r"""
# en
urgent(ly)?
immediate(ly)? (action|attention|verification)
act now
within (24|48|72) hours
within \d+ (hours|days)
(will be|has been|have been|was|is being) (suspended|locked|blocked|restricted|disabled)
(will be|has been|have been|was|is being) (deactivated|closed|terminated)
(account|access|mailbox|password|subscription|service) (will )?(expire[sd]?|expiring)
final (notice|warning|reminder)
last (warning|chance|reminder)
action required
unusual (activity|sign-?in|login)
suspicious (activity|sign-?in|login)
failure to (comply|verify|update|respond)
avoid (suspension|termination|deactivation|losing)
temporarily (suspended|locked|blocked|restricted)
permanently (deleted|closed|suspended)
(security|account|login|sign-?in) (alert|warning|notice)
(data|security) breach
(your|the) (package|parcel|shipment|delivery) (is|was|has been) (held|on hold|delayed|returned)
could not be delivered
# fr
dans les (24|48|72) ?h(eures)?
alerte de securite
colis (en attente|bloque|retenu)
(sera|a ete) (suspendu|bloque|desactive|ferme|supprime)e?
dernier (avis|rappel|avertissement)
action requise
activite (inhabituelle|suspecte)
immediatement
expire(ra)? bientot
# de
dringend
innerhalb von (24|48|72) stunden
(wird|wurde) (gesperrt|deaktiviert|geloscht|eingeschrankt)
letzte (mahnung|warnung|erinnerung)
ungewohnliche aktivitat
verdachtige aktivitat
sofort(ige)? (handeln|massnahme)
vorubergehend gesperrt
(wird|wurde)( \w+){0,3} (gesperrt|deaktiviert|geloscht|eingeschrankt|gekundigt)
(ist|sind) abgelaufen
handeln erforderlich
jetzt handeln
sicherheits(warnung|hinweis)
paket (konnte nicht|wartet|wurde zuruckgehalten)
# nl
binnen (24|48|72) uur
(wordt|is) (geblokkeerd|opgeschort|gedeactiveerd|verwijderd)
laatste (herinnering|waarschuwing|kans)
ongebruikelijke activiteit
verdachte activiteit
onmiddellijk
actie vereist
(is|zijn) verlopen
pakket (kon niet|wacht|ligt klaar)
# pt
urgente
imediatamente
em (24|48|72) horas
(sera|foi) (bloquead|suspens|desativad|cancelad)[oa]
ultimo aviso
atividade (incomum|suspeita)
acao necessaria
evite o bloqueio
(regularize|resolva|atualize)( \w+){0,2} agora
pendencias?( \w+){0,3} (cpf|cnh|cadastro)
irregularidade cadastral
(retid[oa]|retenid[oa]) (pela|na|por|en la) (fiscalizacao|alfandega|aduana)
(expirou|vencid[oa]|expirad[oa])
# es
inmediatamente
en (24|48|72) horas
(sera|ha sido) (bloquead|suspendid|desactivad|cancelad)[oa]
actividad (inusual|sospechosa)
accion requerida
"""
)

CREDENTIALS = _phrases(
    r"""
# en
verify your (account|identity|email|information|details|mailbox|wallet)
confirm your (account|identity|email|information|details|password|payment)
update your (account|payment|billing|banking|personal) (information|details|method)
(re-?)?enter your (password|credentials|login|pin)
login (details|credentials)
sign in to (verify|confirm|restore|unlock|continue)
(restore|unlock|reactivate|recover) your (account|access|mailbox)
validate your (account|email|mailbox)
seed phrase
recovery phrase
secret (recovery )?phrase
password (expires|expired|will expire)
keep (the )?same password
mailbox (is )?(full|quota)
# fr
(verifiez|confirmez|mettez a jour) (votre|vos) (compte|identite|informations|donnees|coordonnees)
mot de passe (expire|expirera)
identifiants de connexion
connectez-vous (pour|afin)
# de
(bestatigen|verifizieren|aktualisieren) sie (ihr|ihre)
ihr (passwort|kennwort) (lauft|ist) ab
zugangsdaten
(melden sie sich|loggen sie sich) an
# nl
(verifieer|bevestig|update) (uw|je) (account|gegevens|identiteit)
(uw|je) wachtwoord (verloopt|is verlopen)
inloggegevens
log (nu )?in om
# pt
(verifique|confirme|atualize) (sua|seus|suas|seu) (conta|dados|identidade|cadastro)
(sua|a) senha (expira|expirou)
dados de acesso
acesse sua conta
# es
(verifique|confirme|actualice) (su|sus) (cuenta|datos|identidad|informacion)
(su|la) contrasena (caduca|ha caducado|expira)
datos de acceso
inicie sesion para
"""
)

REWARDS = _phrases(
    r"""
# en
you (have|'ve) (won|been selected)
claim your (prize|reward|bonus|refund|gift)
(free|bonus) spins
gift card
lottery
jackpot
inheritance
(unclaimed|pending) (funds|payment|refund|transfer)
(tax )?refund (of|is) (available|pending)
(bitcoin|btc|usdt|crypto) (has been )?(credited|deposited|reward|airdrop)
airdrop
welcome (bonus|offer)
(gift ?card|cadeaukaart|geschenkkarte|carte cadeau|cartao presente|tarjeta regalo)
(freispiele|giros gratis|rodadas gratis|tours gratuits)
(win|gewinnen sie|ganhe|gane|gagnez) (een|a|an|einen|eine|um|uma|un|una) \w+
congratulations
cash ?back reward
# fr
vous avez gagne
(reclamez|recuperez) votre (prix|cadeau|remboursement|gain)
remboursement (disponible|en attente)
felicitations
# de
sie haben gewonnen
(gewinn|erstattung) (abholen|anfordern)
gluckwunsch
ruckerstattung
# nl
u heeft gewonnen
gefeliciteerd
terugbetaling
# pt
voce ganhou
(resgate|receba) (seu|o seu) (premio|bonus|reembolso)
parabens
credito (liberado|disponivel)
restituicao
# es
usted ha ganado
(reclame|cobre) su (premio|bono|reembolso)
felicidades
reembolso (disponible|pendiente)
"""
)

SCAMS = _phrases(
    r"""
# advance-fee and giveaway scams (en)
next of kin
(inheritance|compensation|consignment|beneficiary) (fund|payment|claim)s?
(fund|funds|money) transfer (of|worth)
(barrister|diplomat|attorney at law|bank manager) (in|of|from)
(united nations|\bun\b|world bank|imf) (compensation|payment|fund)
mutual (benefit|business)
strictly confidential
(airdrop|giveaway) (is )?(live|claim|now|ending)
claim (your )?(free )?(tokens|coins|crypto|airdrop|\$?[a-z]{2,5} tokens)
(staking|mining) (rewards?|profits?)
connect your wallet
(bitcoin|btc|usdt|eth|crypto) (payment|transfer|balance|address|withdrawal)
withdraw (your )?(funds|balance|btc|usdt|profit)
guaranteed (returns?|profits?)
(i|we) (have )?hacked (you|your)
(your|the) (device|computer|phone|account) (has been|was) (hacked|infected|compromised)
(pay|send) (me )?(in )?(bitcoin|btc)
investment opportunity
# adult and dating lures
(meet|date) (local )?(women|girls|singles|milfs)
(horny|naughty|sexy) (girls?|women|wife|housewife|singles)
hook ?up
private (photos|pictures|videos)
# fr de nl pt es
(votre|un) heritage (de|d'un)
(erbschaft|nachlass)
(erfenis|nalatenschap)
(heranca|herdeiro)
(herencia|heredero)
emprestimo (aprovado|liberado|pre-aprovado)
(prestamo|credito) (aprobado|preaprobado)
"""
)
GENERIC_GREETING = re.compile(
    r"\b(dear|hello|hi) (customer|user|client|member|account ?holder|valued customer|sir/madam|"
    r"beneficiary|winner)\b|\bcher client\b|\bchere cliente\b|\bsehr geehrter? (kunde|kundin|"
    r"nutzer)\b|\bbeste (klant|gebruiker)\b|\bprezad[oa] client[e]\b|\bcar[oa] client[e]\b|"
    r"\bestimad[oa] client[e]\b|\bquerid[oa] client[e]\b"
)


@dataclass(frozen=True, slots=True)
class PhraseCategory:
    """A category of phrases and how its findings weigh."""

    code: str
    label: str
    pattern: re.Pattern[str]
    base: float
    step: float
    cap: float


def _category(
    code: str, label: str, phrases: tuple[str, ...], base: float, step: float, cap: float
) -> PhraseCategory:
    pattern = re.compile(r"(?<![a-z])(?:" + "|".join(phrases) + r")(?![a-z])")
    return PhraseCategory(code, label, pattern, base, step, cap)


CATEGORIES = (
    _category("email.urgency_language", "urgency", URGENCY, 0.15, 0.1, 0.4),
    _category("email.credential_language", "credential requests", CREDENTIALS, 0.25, 0.1, 0.5),
    _category("email.reward_language", "reward lures", REWARDS, 0.15, 0.1, 0.35),
    _category("email.scam_language", "scam and lure", SCAMS, 0.3, 0.1, 0.5),
)
MAX_TEXT_CHARS = 50_000


def fold(text: str) -> str:
    """Case- and accent-folded text with single spaces (what the phrases are written in)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("\u2019", "'").split())


def language_findings(subject: str, body: str) -> list[Reason]:
    """One finding per category whose phrases occur in the subject or body."""
    text = fold(f"{subject}\n{body[:MAX_TEXT_CHARS]}")
    reasons = []
    for category in CATEGORIES:
        found = sorted({m.group(0) for m in category.pattern.finditer(text)})
        if found:
            weight = min(category.cap, category.base + category.step * (len(found) - 1))
            quoted = ", ".join(f"“{p}”" for p in found[:3])
            reasons.append(
                Reason(
                    category.code,
                    f"Language of {category.label}: {quoted}",
                    EvidenceVerdict.SUSPICIOUS,
                    round(weight, 3),
                )
            )
    if GENERIC_GREETING.search(text):
        reasons.append(
            Reason(
                "email.generic_greeting",
                "Impersonal greeting (“dear customer”)",
                EvidenceVerdict.SUSPICIOUS,
                0.15,
            )
        )
    return reasons
