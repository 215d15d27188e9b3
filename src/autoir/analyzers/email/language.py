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
within (the next )?(24|48|72) hours
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
innerhalb (von|der nachsten) (24|48|72) stunden
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
password (expires|expired|will expire|is expiring|has expired)
keep (using )?(your )?(current|same) password
mailbox (is )?(almost |nearly )?full
reached (the|its|your) (storage|quota|mailbox) limit
(document|file|folder)s? (has|have) been shared with you
shared (a |the )?(new )?(document|file|folder)s? with you
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
withdrawal (error|failed|is pending|request|fee)
(your )?(balance|funds) (will be|has been|is being) (cleared|zeroed|frozen|lost)
(block|deactivate|delete) (inactive|dormant) accounts
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

ADVANCE_FEE = _phrases(
    r"""
# Advance-fee ("419") fraud: a stranger, a large sum, a request to reply privately.
# en
business (proposal|proposition|deal)
(donate|donation of|bequeath|will) (the sum|this (fund|money)|my (fund|wealth|money))
the (total )?sum of (us ?)?(\$|usd|eur|gbp|euro|dollars)? ?[\d,.]+ ?(million|m)?
(my|our) late (husband|wife|father|mother|client|uncle)
(diagnosed with|suffering from|battling) (cancer|a terminal|terminal)
(compensation|indemnity|indemnification|palliative) (fund|payment|program|scheme|commission)
(atm|visa|master) ?card (payment|delivery|worth|loaded)
(western union|moneygram|ria money)
get back to me
(reply|respond|contact me) (to me )?(urgently|immediately|asap|for more (details|information))
(your|my) private (email|e-mail)
(full names?|your names?),? (address|country|phone|telephone|age|occupation)
(dormant|abandoned|unclaimed) (account|fund|deposit|consignment)
(delicate|confidential|lucrative) (offer|proposal|transaction|business)
(seek|solicit|request) your (cooperation|assistance|partnership|consent)
# pt
proposta de negocios?
(doar|doacao|doacoes) (para|de|a) (voce|caridade)
(meu|minha) (falecido|falecida) (marido|esposa|pai)
(estou com|sofro de|diagnosticad[oa] com) (cancer|uma doenca terminal)
(busca|buscar|solicito|peco) (sua|a sua) (cooperacao|ajuda|assistencia|parceria)
(a|uma) (quantia|soma) de (us)?\$? ?[\d.,]+
(fundo|heranca|deposito) (vencedor|abandonado|nao reclamado)
responda-me
(oferta|proposta|transacao) (delicada|confidencial|lucrativa)
transferencia (bancaria|internacional) (de|do|para)
# es
propuesta de negocios?
(mi|nuestro) (difunto|difunta) (esposo|esposa|padre)
(la|una) suma de (us)?\$? ?[\d.,]+
(solicito|busco) su (cooperacion|ayuda|colaboracion)
# fr
proposition (d'affaires|commerciale)
(mon|ma) (defunt|defunte|feu) (mari|epoux|epouse|pere)
la somme de (us)?\$? ?[\d.,]+
(solliciter|demander) votre (cooperation|aide|collaboration)
# de
geschaftsvorschlag
(mein|meine) (verstorbener?|spater) (ehemann|ehefrau|vater)
(die|eine|der) summe von (us)?\$? ?[\d.,]+
(bitte|ich bitte um) ihre (mitarbeit|zusammenarbeit|hilfe) bei
# nl
zakelijk voorstel
(mijn) (overleden|wijlen) (echtgenoot|man|vrouw|vader)
(het|een) bedrag van (us)?\$? ?[\d.,]+ miljoen
# it
proposta d'affari
(mio|mia) (defunto|defunta|compianto) (marito|moglie|padre)
la somma di (us)?\$? ?[\d.,]+
"""
)

ROMANCE = _phrases(
    r"""
# Romance, dating and adult-contact lures.
# en
(i am|i'm|im) (a )?(single|lonely|unmarried|divorced|widowed) (woman|girl|lady|female|mother)
(i am|i'm|im) (a )?(single|lonely|unmarried|widowed)( \w+){1,3} (woman|girl|lady|female)
(i am|i'm|im) (a )?\d\d ?(yo|y\.o\.|years? old)
(\d\d|twenty|thirty) ?(yo|years? old) (beautiful|lonely|single|sexy|hot)
looking for (a )?(serious relationship|(real|good|kind|honest|nice|cool) (man|men|male|guy|partner))
(waiting|looking) for (a )?(cool|real|nice|good)? ?(man|male|guy) from
(want|wish|like) to (talk|chat|meet) (with )?(you|u)
(see|view) my (private )?(photos|pictures|pics|profile)
(meet|date|chat with) (hot|lonely|sexy|horny|single|local) (women|girls|ladies|singles|milfs)
(you must be|only for|must be over) 18
(explicit|adult) (content|images|pictures|videos|photos)
# nl
(ik ben|mijn naam is \w+,? ik ben) \d\d jaar
(spannende|geheime|discrete) (afspraak|date|ontmoeting)
(een )?(leuke|lieve|stoere) (man|jongen|vent)
mijn profiel (bekijken|te bekijken|bekijk)
18 jaar of ouder
expliciete (beelden|inhoud|foto's)
(eenzame|single|geile|sexy) (vrouwen|dames|meiden|meisjes)
# de
ich bin \d\d( jahre| jahre alt)
(einsame|heisse|sexy|reife|geile) (frauen|damen|girls|madchen|hausfrauen)
mein profil (ansehen|anschauen)
(diskretes?|heisses?) (treffen|date|abenteuer)
18 jahre oder alter
# pt
(sou|eu sou) uma? (mulher|garota|moca|senhora) (solteira|sozinha|viuva)
tenho \d\d anos
(mulheres|garotas) (solteiras|sozinhas|gostosas)
(ver|veja) (minhas|as minhas) fotos
# es
(soy|yo soy) una (mujer|chica|senora) (soltera|sola|viuda)
tengo \d\d anos
(mujeres|chicas) (solteras|calientes)
# fr
je suis une (femme|fille) (seule|celibataire)
j'ai \d\d ans
(femmes|filles) (seules|celibataires|chaudes)
# it
sono una (donna|ragazza) (sola|single)
ho \d\d anni
(donne|ragazze) (sole|single|calde)
"""
)

FAKE_INVOICE = _phrases(
    r"""
# Fake invoices, renewals and charges that push the reader to call or click to cancel.
# en
(subscription|membership|plan|license|licence|protection) (has been|was) (successfully )?renewed
(subscription|membership|plan|license|licence|renewal) (has been|was) (charged|billed)
auto(matically|matic)?[- ]?renew(ed|al)
(a )?(charge|payment) of (\$|usd|eur|€|£) ?\d
(charged|debited|deducted|billed) (to|from|on) your (account|card|bank)
if (you )?(did not|didn't) (authori[sz]e|make|recogni[sz]e|place) (this|the|these)
if (you )?(do not|don't) recogni[sz]e (this|the|these) (charge|payment|purchase)
if this (charge|payment|transaction|purchase|order) was (not|unexpected|unauthori[sz]ed)
(call|contact) our (billing|support|helpdesk|refund) (team|department|line) (at|on)
(billing|support|refund|help) (line|desk|number|department)
# pt
(sua )?fatura (\w+ )?(acaba de chegar|chegou|esta disponivel|em anexo)
(debito|pagamento) (automatico|agendado|aprovado)
(multa|debito|pendencia|divida) (de transito|em aberto|no valor)
(total a pagar|valor a pagar|valor da multa)
(boleto|segunda via) (em anexo|disponivel|vencid[oa])
# es
(su )?factura (esta disponible|adjunta|pendiente)
(cargo|cobro) de (\$|usd|eur)? ?\d
(si no|si usted no) (reconoce|autorizo|realizo) (este|esta)
# fr
(votre )?facture (est disponible|ci-jointe|impayee)
(prelevement|paiement) (automatique|de|refuse)
si vous n'etes pas a l'origine de (cet|cette)
# de
(ihre )?rechnung (ist verfugbar|im anhang|ist fallig|offen)
(abbuchung|lastschrift|zahlung) (von|uber|in hohe von) \d
(verlangerung|abonnement) (wurde|ist) (verlangert|abgelaufen|abgebucht)
falls sie (diese|den) (kauf|zahlung|bestellung) nicht
# nl
(uw )?factuur (staat klaar|is beschikbaar|in de bijlage|openstaand)
(afschrijving|incasso|betaling) van (eur|€)? ?\d
(abonnement|verlenging) (is|werd) (verlengd|verlopen|afgeschreven)
# it
(la tua |la sua )?fattura (e disponibile|in allegato|scaduta)
(addebito|pagamento) (automatico|di)
"""
)

SCAREWARE = _phrases(
    r"""
# Fake security warnings (scareware) that sell "protection" or a fix.
# en
(device|computer|pc|phone|mac|system) (is|was|has been|may be) (infected|compromised|hacked)
(\d+ )?(virus(es)?|threats?|malware|trojans?) (detected|found)
(antivirus|protection|security) (has )?(expired|is expiring|will expire|subscription expired)
(renew|activate|reactivate) (your )?(antivirus|protection|security|license|licence)
(security|virus) scan (results|found|detected)
# de
(gerat|computer|pc|handy|system) ist (mit \w+ ){0,3}(infiziert|gefahrdet|kompromittiert)
(virenschutz|antivirus|schutz) (ist |wird )?(abgelaufen|lauft ab|deaktiviert)
(viren|bedrohungen) (gefunden|erkannt)
# nl
(uw|je) (apparaat|computer|pc|telefoon) is (geinfecteerd|besmet|in gevaar)
(virusbescherming|antivirus|beveiliging) is verlopen
# fr
(votre )?(appareil|ordinateur|pc|telephone) est (infecte|compromis|en danger)
(antivirus|protection) (a )?expire
# pt
(seu )?(dispositivo|computador|pc|celular) (esta|foi) (infectado|comprometido|em risco)
(antivirus|protecao) (expirou|expirad[oa])
# es
(su )?(dispositivo|ordenador|computadora|equipo) (esta|ha sido) (infectado|comprometido|en riesgo)
(antivirus|proteccion) (ha )?(caducado|expirado)
# it
(il tuo )?(dispositivo|computer|pc|telefono) (e|e stato) (infetto|compromesso|a rischio)
"""
)

PRIZE_DRAW = _phrases(
    r"""
# Prize draws, surveys with a reward, free gifts for "selected" recipients, casino bonuses.
# en
(you|your (email|e-mail)( address)?) (have|has|'ve) been (selected|chosen|picked)
(take|complete|answer|fill (in|out)) (our|this|a) (short |quick |brief )?(survey|questionnaire)
answer (a few|\d|three|some) (short |quick |simple )?questions
(your )?(reward|prize|gift|bonus) (is waiting|awaits|is ready)
(claim|collect|redeem|unlock) (your|the) (reward|prize|gift|bonus|voucher|kit)
(free|bonus) spins?
(\d+ ?% |deposit )(welcome )?bonus
(winner|prize) (announcement|notification|confirmation)
(exclusive|limited[- ]time) (reward|offer|opportunity) for (you|loyal)
(only|just) pay (the )?shipping
# de
(sie wurden|du wurdest) (\w+ ){0,2}(ausgewahlt|ausgelost)
(wurde|ist) (ihre|deine) e-mail-adresse (\w+ ){0,2}(ausgewahlt|ausgelost)
(kurze|kurzen|schnelle|kleine) umfrage
(beantworten sie|beantworte) (ein paar|\d|drei|einige) (kurze )?fragen
(ihre|deine|exklusive) (belohnung|pramie|geschenk)e? (wartet|warten|ist bereit)
(belohnung|pramie|gewinn|geschenk) (abholen|sichern)
(gewinnspiel|verlosung|endauslosung|gewinnchance)
(wir gratulieren|herzlichen gluckwunsch)
(gutschein|geschenkkarte) (im wert von|uber|von) \d
(kostenlose|gratis) (proben|probe|geschenk|test)
(versandgebuhren|versandkosten) (anfallen|tragen|zahlen)
# nl
(u bent|je bent|jij bent) (\w+ ){0,2}(geselecteerd|gekozen|uitgekozen)
(korte|snelle) (enquete|vragenlijst)
(beantwoord|beantwoorden) (een paar|\d|drie) (korte )?vragen
(uw|je|jouw) (beloning|prijs|cadeau) (wacht|staat klaar)
(win|winnen) (vandaag )?(nog )?(een|de) \w+
(cadeaukaart|cadeaubon|waardebon) (van|t\.w\.v\.|ter waarde van) (€|eur)? ?\d
# fr
(vous avez ete|tu as ete) (selectionne|choisi)e?
(court|rapide|petit) (sondage|questionnaire)
(repondez|repondre) a (quelques|\d|trois) questions
(votre )?(recompense|cadeau|prix) (vous attend|est pret)
(gratuit|offert)e?s? ?!
(carte cadeau|bon d'achat) (de|d'une valeur de) \d
# pt
(voce foi|seu e-mail foi) (selecionad|escolhid|sortead)[oa]
(pesquisa|questionario) (rapid[oa]|curt[oa])
(responda|responder) (a )?(algumas|\d|tres) (perguntas|questoes)
(sua )?(recompensa|premio|brinde) (esta esperando|te espera|aguarda)
(resgate|resgatar) (seus|os seus|os|seu) (pontos|premios?|brindes?)
(pontos|milhas) (expiram|vao expirar|irao expirar)
# es
(usted ha sido|has sido) (seleccionad|elegid)[oa]
(encuesta) (rapida|corta|breve)
(responda|responde) (a )?(unas|algunas|\d|tres) preguntas
(su|tu) (recompensa|premio|regalo) (le espera|te espera|esta esperando)
# it
(sei stato|e stato) (selezionat|scelt)[oa]
(breve|rapido|piccolo) (sondaggio|questionario)
(il tuo|il suo) (premio|regalo) (ti aspetta|la aspetta)
"""
)

INVESTMENT = _phrases(
    r"""
# Get-rich and investment lures (crypto trading, "secret" trading robots, guaranteed returns).
# en
(earn|make|making) (up to )?\$?[\d,.]+k? (a |per |each )(day|week|month)
\d figures? income
passive (income|revenue|earnings)
financial freedom
(trading|investment) (platform|robot|bot|opportunity|program)
(returns?|profits?|gains?) of (up to )?\d+ ?%
(get|become|getting) rich
(crypto|bitcoin|btc|forex) (trading|investment|investing|profits?)
# de
(passives? einkommen|finanzielle freiheit)
reich (werden|zu werden|geworden)
(verdienen sie|verdiene) (bis zu )?\d
(finanztrick|geheimtipp|handelsplattform)
(rendite|gewinne?) von (bis zu )?\d+ ?%
# nl
passief inkomen
financiele vrijheid
rijk (worden|te worden)
# fr
revenus? passifs?
(liberte financiere)
devenir riche
(rendement|gains?) de (jusqu'a )?\d+ ?%
# pt
renda (extra|passiva)
liberdade financeira
(ficar|ficou) rico
oportunidades? de lucro
(rendimento|lucro)s? de (ate )?\d+ ?%
# es
ingresos pasivos
libertad financiera
hacerse rico
(rentabilidad|ganancias?) de (hasta )?\d+ ?%
# it
reddito passivo
liberta finanziaria
diventare ricco
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
    _category("email.advance_fee_language", "advance-fee fraud", ADVANCE_FEE, 0.2, 0.15, 0.55),
    _category("email.romance_language", "romance and dating lures", ROMANCE, 0.2, 0.15, 0.5),
    _category(
        "email.fake_invoice_language", "fake invoices and charges", FAKE_INVOICE, 0.15, 0.1, 0.45
    ),
    _category("email.scareware_language", "fake security warnings", SCAREWARE, 0.25, 0.1, 0.5),
    _category("email.prize_draw_language", "prize draws and giveaways", PRIZE_DRAW, 0.2, 0.1, 0.45),
    _category(
        "email.investment_language", "get-rich and investment lures", INVESTMENT, 0.2, 0.1, 0.45
    ),
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
