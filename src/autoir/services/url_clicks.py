"""Click-time protection: signed links, the block decision at ``/l``, and recorded clicks.

The mail connector rewrites each link of a delivered message to :meth:`ClickTimeService.wrap_url`,
``/l?u=<url>&r=<recipient>&m=<networkMessageId>&s=<signature>``. The signature is HMAC-SHA256
(RFC 2104) over the other parameters, base64url without padding, under a random key created once
and kept in the system settings (``click_link_key``; never logged or returned). It makes ``/l``
useless as an open redirect: only links AutoIR wrapped lead anywhere. A link whose signature is
missing or wrong never redirects and records nothing; the edge shows the destination as text.

A signed click is checked against the URL block list at the time of the click (not of delivery),
recorded in telemetry as a URL click (``allowed`` or ``blockPage``; ``blockPageOverride`` when
the user clicks through, which :class:`ClickPolicy` forbids by default), and answered with a
redirect or a block page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.telemetry.clicks import UrlClick, UrlClickAction
from autoir.domain.telemetry.normalize import normalize_address, normalize_ip, normalize_url
from autoir.ports.url_blocks import UrlBlock, UrlBlockExport, UrlBlockList
from autoir.services.context import ServiceContext

LINK_KEY_SETTING = "click_link_key"
MAX_URL = 8192  # as URL clicks in telemetry
MAX_PARAM = 320
_SIGNING_DOMAIN = b"autoir-click-link-v1"
_WEB_SCHEMES = ("http://", "https://")


class ClickOutcome(StrEnum):
    """What ``/l`` does with a click."""

    ALLOWED = "allowed"
    """Redirect to the destination."""
    BLOCKED = "blockPage"
    """Show the block page."""
    OVERRIDDEN = "blockPageOverride"
    """The user clicked through the block page: redirect."""
    INVALID = "invalidSignature"
    """Not a link AutoIR signed: show the destination, never redirect."""


@dataclass(frozen=True, slots=True)
class ClickPolicy:
    """How clicks are handled (from settings, fixed at start-up)."""

    allow_override: bool = False
    """Whether the block page offers "continue anyway" (Defender's "let users click through")."""
    app_name: str = "AutoIR"
    """``appName`` of the recorded clicks."""
    path: str = "/l"
    """Where the click route is served."""


@dataclass(frozen=True, slots=True)
class ClickLink:
    """The parameters of a wrapped link as they arrived (``u``, ``r``, ``m``, ``s``)."""

    url: str
    recipient: str | None = None
    network_message_id: str | None = None
    signature: str | None = None

    def params(self) -> dict[str, str]:
        """The query (or form) parameters, absent ones left out."""
        values = {
            "u": self.url,
            "r": self.recipient,
            "m": self.network_message_id,
            "s": self.signature,
        }
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True, slots=True)
class ClickDecision:
    """The answer to one click."""

    outcome: ClickOutcome
    link: ClickLink
    block: UrlBlock | None = None
    can_override: bool = False
    """Whether the block page may offer "continue anyway"."""

    @property
    def is_redirect(self) -> bool:
        """Whether the user goes on to the destination."""
        return self.outcome in {ClickOutcome.ALLOWED, ClickOutcome.OVERRIDDEN}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _message(url: str, recipient: str | None, network_message_id: str | None) -> bytes:
    """Length-prefixed fields, so that no value can move text into its neighbour."""
    parts = [_SIGNING_DOMAIN]
    for value in (url, recipient, network_message_id):
        encoded = (value or "").encode("utf-8")
        parts.append(b"-" if value is None else b"%d:%s" % (len(encoded), encoded))
    return b"\n".join(parts)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _is_web_url(url: str) -> bool:
    """An absolute http(s) URL without whitespace or control characters (a safe Location)."""
    return (
        0 < len(url) <= MAX_URL
        and url.lower().startswith(_WEB_SCHEMES)
        and len(url) > len("https://")
        and not any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url)  # noqa: PLR2004
    )


class ClickTimeService:
    """Decides clicks on wrapped links and serves the block list to the edges.

    Args:
        ctx: Unit of work (system settings, telemetry), clock and ids.
        block_list: The URL block list (read side).
        policy: Click-through and recording options.
    """

    def __init__(
        self, ctx: ServiceContext, block_list: UrlBlockList, policy: ClickPolicy | None = None
    ) -> None:
        self._ctx = ctx
        self._blocks = block_list
        self.policy = policy or ClickPolicy()
        self._key: bytes | None = None
        self._key_lock = threading.Lock()

    # --- links ------------------------------------------------------------------------------

    def wrap_url(
        self, url: str, recipient: str | None = None, network_message_id: str | None = None
    ) -> str:
        """The signed ``/l`` link (path and query) that replaces ``url`` in a message.

        Raises:
            ValidationFailed: ``url`` is not an absolute http(s) URL, or a value is too long.
        """
        url = url.strip()
        if not _is_web_url(url):
            raise ValidationFailed([FieldError("url", "must be an absolute http(s) URL")])
        recipient, network_message_id = _clean(recipient), _clean(network_message_id)
        for name, value in (("recipient", recipient), ("networkMessageId", network_message_id)):
            if value is not None and len(value) > MAX_PARAM:
                raise ValidationFailed([FieldError(name, f"at most {MAX_PARAM} characters")])
        link = ClickLink(
            url, recipient, network_message_id, self._sign(url, recipient, network_message_id)
        )
        return f"{self.policy.path}?{urlencode(link.params())}"

    def _sign(self, url: str, recipient: str | None, network_message_id: str | None) -> str:
        digest = hmac.new(
            self._link_key(), _message(url, recipient, network_message_id), hashlib.sha256
        )
        return _b64(digest.digest())

    def is_signed(self, link: ClickLink) -> bool:
        """Whether AutoIR wrapped exactly this link (constant-time comparison)."""
        if not link.signature or not _is_web_url(link.url):
            return False
        expected = self._sign(link.url, _clean(link.recipient), _clean(link.network_message_id))
        return hmac.compare_digest(expected.encode("ascii"), link.signature.encode("utf-8"))

    def _link_key(self) -> bytes:
        with self._key_lock:
            if self._key is None:
                self._key = self._stored_key().encode("utf-8")
            return self._key

    def _stored_key(self) -> str:
        with self._ctx.read_uow() as uow:
            key = uow.system.get(LINK_KEY_SETTING)
        if key:
            return key
        try:
            with self._ctx.uow() as uow:
                key = uow.system.get(LINK_KEY_SETTING)
                if not key:
                    key = self._ctx.ids.token()
                    uow.system.put(LINK_KEY_SETTING, key)
                    uow.commit()
                return key
        except Exception:
            # Another process created the key at the same moment (the insert lost the race on
            # the settings' primary key): use the one that was stored.
            with self._ctx.read_uow() as uow:
                stored = uow.system.get(LINK_KEY_SETTING)
            if not stored:
                raise
            return stored

    # --- clicks -----------------------------------------------------------------------------

    def resolve_click(self, link: ClickLink, *, user_ip: str | None = None) -> ClickDecision:
        """Decide a click on a wrapped link; a signed click is recorded in telemetry.

        Returns:
            ``allowed`` (redirect), ``blockPage`` (a block covers the URL now), or
            ``invalidSignature`` (nothing recorded, never redirect).
        """
        if not self.is_signed(link):
            return ClickDecision(ClickOutcome.INVALID, link)
        block = self._blocks.match(link.url)
        if block is None:
            self._record(link, UrlClickAction.ALLOWED, user_ip)
            return ClickDecision(ClickOutcome.ALLOWED, link)
        self._record(link, UrlClickAction.BLOCK_PAGE, user_ip)
        return ClickDecision(
            ClickOutcome.BLOCKED, link, block, can_override=self.policy.allow_override
        )

    def override(self, link: ClickLink, *, user_ip: str | None = None) -> ClickDecision:
        """The user chose "continue anyway" on the block page.

        Returns:
            ``blockPageOverride`` (recorded; redirect) when the policy lets users click through;
            ``blockPage`` (nothing recorded) when it does not; ``allowed`` when the block was
            lifted meanwhile; ``invalidSignature`` for a link AutoIR did not sign.
        """
        if not self.is_signed(link):
            return ClickDecision(ClickOutcome.INVALID, link)
        block = self._blocks.match(link.url)
        if block is None:
            self._record(link, UrlClickAction.ALLOWED, user_ip)
            return ClickDecision(ClickOutcome.ALLOWED, link)
        if not self.policy.allow_override:
            return ClickDecision(ClickOutcome.BLOCKED, link, block)
        self._record(link, UrlClickAction.BLOCK_PAGE_OVERRIDE, user_ip)
        return ClickDecision(ClickOutcome.OVERRIDDEN, link, block, can_override=True)

    def _record(self, link: ClickLink, action: UrlClickAction, user_ip: str | None) -> None:
        recipient = _clean(link.recipient)
        click = UrlClick(
            id=self._ctx.ids.guid(),
            user=(normalize_address(recipient) or recipient.lower()) if recipient else "",
            url=normalize_url(link.url),
            clicked_at=self._ctx.clock.now(),
            action=action,
            app_name=self.policy.app_name,
            network_message_id=_clean(link.network_message_id),
            user_ip=normalize_ip(user_ip) if user_ip else None,
        )
        with self._ctx.uow() as uow:
            uow.telemetry.store_url_clicks([click])
            uow.commit()

    # --- the block list ---------------------------------------------------------------------

    def active_blocks(self) -> list[UrlBlock]:
        """Every block in force, newest first."""
        return self._blocks.active_blocks()

    def export(self) -> UrlBlockExport:
        """The active list for proxies and resolvers."""
        return self._blocks.export()
