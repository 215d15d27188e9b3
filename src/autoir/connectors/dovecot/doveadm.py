"""``DoveadmDirectory``: the mailboxes a Dovecot server has, from its doveadm HTTP API.

One request, ``POST /doveadm/v1`` with ``[["user", {"userMask": "*"}, "tag"]]`` and the API key
(``doveadm_api_key``) in ``Authorization: X-Dovecot-API <base64>``; the answer is
``[["doveadmResponse", {"userList": [...]}, "tag"]]`` or ``[["error", {...}, "tag"]]``. Users
are listed from every userdb that can be iterated (passwd-file, SQL, LDAP; not ``static``).
The standard library's HTTP client is enough for one JSON request.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable

_TAG = "autoir-users"
MAX_RESPONSE = 64 * 1024 * 1024


class DoveadmDirectory:
    """:class:`~autoir.ports.mailboxes.MailboxDirectory` over ``doveadm user``."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        user_mask: str = "*",
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ConnectorRejected(f"the doveadm URL {url!r} is not an http(s) URL")
        self._url = url.rstrip("/") + ("" if parts.path.endswith("/doveadm/v1") else "/doveadm/v1")
        self._key = base64.b64encode(api_key.encode()).decode()
        self._mask = user_mask
        self._context = ssl_context
        self._timeout = timeout

    def mailboxes(self) -> list[str]:
        """Every user the server's userdbs list, lower-case, in its order."""
        body = json.dumps([["user", {"userMask": self._mask}, _TAG]]).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self._url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"X-Dovecot-API {self._key}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - the scheme is checked in __init__
                request, timeout=self._timeout, context=self._context
            ) as response:
                raw = response.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as error:
            if error.code in {401, 403}:
                raise ConnectorRejected(
                    f"doveadm at {self._url} refused the API key (HTTP {error.code})"
                ) from error
            raise ConnectorUnavailable(f"doveadm at {self._url}: HTTP {error.code}") from error
        except TimeoutError as error:
            # Dovecot 2.3 logs a wrong API key and never answers: say so.
            raise ConnectorUnavailable(
                f"doveadm at {self._url} gave no answer within {self._timeout:g} s "
                "(Dovecot does not answer a wrong API key: check doveadm_api_key)"
            ) from error
        except (urllib.error.URLError, OSError) as error:
            if isinstance(getattr(error, "reason", None), TimeoutError):
                raise ConnectorUnavailable(
                    f"doveadm at {self._url} gave no answer within {self._timeout:g} s "
                    "(Dovecot does not answer a wrong API key: check doveadm_api_key)"
                ) from error
            raise ConnectorUnavailable(f"doveadm at {self._url} is unreachable: {error}") from error
        if len(raw) > MAX_RESPONSE:
            raise ConnectorRejected(f"doveadm at {self._url} answered more than 64 MiB")
        return _users(raw, self._url)


def _users(raw: bytes, url: str) -> list[str]:
    try:
        answer = json.loads(raw)
        kind, payload, _tag = answer[0]
    except (ValueError, TypeError, IndexError, KeyError) as error:
        raise ConnectorRejected(f"doveadm at {url} gave an unreadable answer") from error
    if kind == "error":
        raise ConnectorRejected(f"doveadm at {url} could not list users: {payload}")
    users = payload.get("userList") if isinstance(payload, dict) else None
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise ConnectorRejected(f"doveadm at {url} answered without a user list")
    return list(dict.fromkeys(u.strip().lower() for u in users if u.strip()))
