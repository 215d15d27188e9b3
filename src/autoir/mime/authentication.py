"""SPF, DKIM, DMARC and composite-auth results from the headers the receiving server added.

Only the top-most header of each kind is trusted, with the headers below it that name the same
authentication server (its ``authserv-id``), since some servers write one header per method:
other lower ones may have been written by the sender. ``Authentication-Results`` (RFC 8601)
comes first, then ``ARC-Authentication-Results`` (RFC 8617, a trusted forwarder's view), then
``Received-SPF`` (RFC 7208 §9.1) for SPF.
The parse is a tolerant scan for ``method=result`` rather than a full RFC 8601 grammar, because
real headers (Microsoft's among them) do not follow it.
"""

from __future__ import annotations

import re

from autoir.domain.messages.enums import AuthResult
from autoir.domain.messages.message import SenderAuthentication
from autoir.mime.charsets import recover_text
from autoir.mime.headers import header_values

_RESULT = re.compile(r"(?<![\w.-])(spf|dkim|dmarc|compauth)\s*=\s*([a-z]+)", re.IGNORECASE)
_RECEIVED_SPF = re.compile(r"^\s*([a-z]+)", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")
_SYNONYMS = {
    "hardfail": AuthResult.FAIL,
    "policy": AuthResult.FAIL,
    "bestguess": AuthResult.BESTGUESSPASS,
    "error": AuthResult.TEMPERROR,
}


def parse_authentication(headers: list[tuple[str, str]]) -> SenderAuthentication:
    """The sender-authentication results the top-most trusted headers state."""
    results: dict[str, AuthResult] = {}
    for name in ("Authentication-Results", "ARC-Authentication-Results"):
        values = header_values(headers, name)
        if not values:
            continue
        server = _authserv_id(values[0])
        for value in values:
            if _authserv_id(value) != server:
                continue
            for method, result in _scan(value).items():
                results.setdefault(method, result)
    if "spf" not in results:
        values = header_values(headers, "Received-SPF")
        if values:
            match = _RECEIVED_SPF.match(recover_text(values[0]))
            spf = _result(match.group(1)) if match else None
            if spf is not None:
                results["spf"] = spf
    return SenderAuthentication(
        spf=results.get("spf"),
        dkim=results.get("dkim"),
        dmarc=results.get("dmarc"),
        compauth=results.get("compauth"),
    )


def _authserv_id(value: str) -> str:
    """The server that wrote the header; empty when it does not say (Microsoft's form)."""
    head, sep, _ = recover_text(value).partition(";")
    head = head.strip().lower()
    if not sep or "=" in head:
        return ""
    return head.split()[0] if head else ""


def _scan(value: str) -> dict[str, AuthResult]:
    text = _COMMENT.sub(" ", recover_text(value))
    found: dict[str, AuthResult] = {}
    for match in _RESULT.finditer(text):
        method = match.group(1).lower()
        result = _result(match.group(2))
        if result is None:
            continue
        # Several DKIM signatures: one that passes is enough (RFC 6376 §6.1).
        if method == "dkim" and found.get("dkim") is AuthResult.PASS:
            continue
        found[method] = result
    return found


def _result(word: str) -> AuthResult | None:
    word = word.lower()
    try:
        return AuthResult(word)
    except ValueError:
        return _SYNONYMS.get(word)
