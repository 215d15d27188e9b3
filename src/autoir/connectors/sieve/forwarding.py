"""Turn off and restore users' external mail forwarding over ManageSieve; read out-of-office.

:class:`ManageSieveForwarding` does the forwarding half of the
:class:`~autoir.ports.remediation.EmailSystem` port (``turn_off_external_forwarding``,
``restore_forwarding``) against any RFC 5804 server; it was built and tested on Dovecot
Pigeonhole. It logs in as each mailbox through the administrator's Dovecot **master user**
(``alice@example.org*autoir-admin`` with the master password, ``auth_master_user_separator``),
or with per-mailbox passwords, over plain TCP, STARTTLS or implicit TLS.

Turning forwarding off reads **every** script of the mailbox (the active one runs; an inactive
one could be re-activated by the user, or pulled in by ``include``), removes only the redirects
to addresses outside the organisation's domains (:mod:`autoir.connectors.sieve.rules`), asks
the server to CHECKSCRIPT each rewritten script, and PUTs it back under the same name: the
active script stays active, nothing else is renamed or activated. ``ForwardingChange.previous``
holds the original text of each script that changed (only those: undo must not overwrite a
script it never touched), byte for byte; undo PUTs those texts back.

**Idempotency** is kept in a small JSON state file given at construction (it survives restarts
of AutoIR and of the mail server; the server's own state cannot tell "already done by this
action" from "never had forwarding"). Per action id it records the change, first as
``pending`` — written *before* any script is uploaded, with the originals — then ``done``:

* a repeated action id that is ``done`` returns the recorded change and touches nothing;
* one left ``pending`` (a crash between uploads) is finished from the recorded originals, so
  undo still gets the scripts as they were before the first attempt;
* a restore is recorded by its own action id once every script is back.

The file is rewritten atomically and guarded by an ``fcntl`` lock, so worker processes on one
host can share it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from autoir.connectors.sieve.managesieve import ManageSieveSession
from autoir.connectors.sieve.rules import (
    OutOfOffice,
    SieveSyntaxError,
    external_redirects,
    included_scripts,
    out_of_office,
    without_external_redirects,
)
from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import ForwardingChange, MailboxRules

_STATE_VERSION = 1
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class MasterUser:
    """Dovecot master user: ``<mailbox><separator><name>`` with ``password`` opens any mailbox."""

    name: str
    password: str
    separator: str = "*"

    def login(self, mailbox: str) -> tuple[str, str]:
        """The login and password for ``mailbox``."""
        return f"{mailbox}{self.separator}{self.name}", self.password


Credentials = MasterUser | Mapping[str, str]
"""A master user, or each mailbox's own password by address."""


class ManageSieveForwarding:
    """External forwarding and out-of-office of mailboxes on a ManageSieve server."""

    def __init__(
        self,
        host: str,
        port: int = 4190,
        *,
        credentials: Credentials,
        state_path: Path,
        starttls: bool = False,
        tls: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._credentials = credentials
        self._state_path = Path(state_path)
        self._starttls = starttls
        self._tls = tls
        self._context = ssl_context
        self._timeout = timeout
        self._lock = threading.Lock()

    # --- the port --------------------------------------------------------------------------

    def turn_off_external_forwarding(
        self, action_id: str, mailbox: str, internal_domains: Sequence[str]
    ) -> ForwardingChange:
        """Remove redirects outside ``internal_domains`` from every script of ``mailbox``."""
        with self._state() as state:
            record = state["turnedOff"].get(action_id)
            if record is not None and record["status"] == "done":
                return ForwardingChange.from_json(record["change"])
            with self._session(mailbox) as session:
                if record is not None:
                    originals = dict(ForwardingChange.from_json(record["change"]).previous)
                else:
                    listing = session.listscripts()
                    originals = {name: session.getscript(name) for name in listing.names}
                removed: list[str] = []
                rewritten: dict[str, str] = {}
                previous: dict[str, str] = {}
                for name, text in originals.items():
                    try:
                        rewrite = without_external_redirects(text, internal_domains)
                    except SieveSyntaxError as error:
                        raise ConnectorRejected(
                            f"{mailbox}: Sieve script {name!r} could not be read, so forwarding "
                            f"was left as it is ({error})"
                        ) from error
                    if rewrite.changed:
                        rewritten[name] = rewrite.script
                        previous[name] = text
                        removed.extend(rewrite.removed)
                for name, text in rewritten.items():
                    verdict = session.checkscript(text)
                    if verdict is not None and verdict.status != "OK":
                        raise ConnectorRejected(
                            f"{mailbox}: the server would reject Sieve script {name!r} without "
                            f"its external redirects ({verdict.message.strip()}); left as it is"
                        )
                change = ForwardingChange(mailbox, tuple(dict.fromkeys(removed)), previous)
                state["turnedOff"][action_id] = {"status": "pending", "change": change.to_json()}
                self._save(state)
                for name, text in rewritten.items():
                    session.putscript(name, text)
            state["turnedOff"][action_id] = {"status": "done", "change": change.to_json()}
            self._save(state)
            return change

    def restore_forwarding(self, action_id: str, change: ForwardingChange) -> None:
        """Put back, under the same names, the scripts ``change`` rewrote."""
        with self._state() as state:
            if action_id in state["restored"]:
                return
            if change.previous:
                with self._session(change.mailbox) as session:
                    for name, text in change.previous.items():
                        session.putscript(name, text)
            state["restored"].append(action_id)
            self._save(state)

    # --- enrichment ------------------------------------------------------------------------

    def out_of_office(self, mailbox: str) -> OutOfOffice:
        """The mailbox's automatic reply.

        Active when the active script (or a script it includes) has an enabled ``vacation``;
        a vacation only in an inactive script or under a disabled rule is reported with
        ``active`` False; no vacation at all is ``OutOfOffice(active=False)``.
        """
        with self._session(mailbox) as session:
            listing = session.listscripts()
            texts = {name: session.getscript(name) for name in listing.names}
        return _reply(texts, self._running(texts, listing.active))

    def mailbox_rules(self, mailbox: str, internal_domains: Sequence[str]) -> MailboxRules:
        """:class:`~autoir.ports.remediation.MailboxInspector`: forwarding and reply at once."""
        with self._session(mailbox) as session:
            listing = session.listscripts()
            texts = {name: session.getscript(name) for name in listing.names}
        running = self._running(texts, listing.active)
        forwarding: list[str] = []
        for name in running:
            forwarding += (
                _readable(lambda t: external_redirects(t, internal_domains), texts[name]) or []
            )
        reply = _reply(texts, running)
        return MailboxRules(mailbox.lower(), tuple(dict.fromkeys(forwarding)), reply)

    def external_forwarding(self, mailbox: str, internal_domains: Sequence[str]) -> list[str]:
        """The external addresses the mailbox's running scripts redirect mail to."""
        with self._session(mailbox) as session:
            listing = session.listscripts()
            texts = {name: session.getscript(name) for name in listing.names}
        found: list[str] = []
        for name in self._running(texts, listing.active):
            found += _readable(lambda t: external_redirects(t, internal_domains), texts[name]) or []
        return list(dict.fromkeys(found))

    # --- plumbing --------------------------------------------------------------------------

    @staticmethod
    def _running(texts: Mapping[str, str], active: str | None) -> list[str]:
        """The active script and the personal scripts it includes, transitively."""
        running: list[str] = []
        pending = [active] if active in texts else []
        while pending:
            name = pending.pop()
            if name is None or name in running or name not in texts:
                continue
            running.append(name)
            pending += _readable(included_scripts, texts[name]) or []
        return running

    @contextlib.contextmanager
    def _session(self, mailbox: str) -> Iterator[ManageSieveSession]:
        if isinstance(self._credentials, MasterUser):
            login, password = self._credentials.login(mailbox)
        elif mailbox in self._credentials:
            login, password = mailbox, self._credentials[mailbox]
        else:
            raise ConnectorRejected(f"No ManageSieve credentials for {mailbox}.")
        session = ManageSieveSession(
            self._host,
            self._port,
            timeout=self._timeout,
            tls=self._tls,
            starttls=self._starttls,
            ssl_context=self._context,
        )
        with session:
            session.open(login, password)
            yield session

    @contextlib.contextmanager
    def _state(self) -> Iterator[dict[str, Any]]:
        self._state_path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self._state_path.with_name(self._state_path.name + ".lock")
        with self._lock, lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self._load()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self._state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        return {
            "version": _STATE_VERSION,
            "turnedOff": dict(data.get("turnedOff") or {}),
            "restored": list(data.get("restored") or []),
        }

    def _save(self, state: Mapping[str, Any]) -> None:
        temporary = self._state_path.with_name(self._state_path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._state_path)


def _reply(texts: Mapping[str, str], running: Sequence[str]) -> OutOfOffice:
    """The automatic reply the running scripts send, else the first one found (inactive)."""
    found: OutOfOffice | None = None
    for name, text in texts.items():
        reply = _readable(out_of_office, text)
        if reply is None:
            continue
        if name in running and reply.active:
            return reply
        found = found or OutOfOffice(active=False, subject=reply.subject, days=reply.days)
    return found or OutOfOffice(active=False)


def _readable(read: Callable[[str], _T], text: str) -> _T | None:
    """``read(text)``, or None for a script that cannot be parsed (enrichment is best effort)."""
    try:
        return read(text)
    except SieveSyntaxError:
        return None
