"""A throw-away Dovecot (IMAP + ManageSieve) for tests that need a real mail server.

``dovecot_server`` (a pytest fixture, one server per xdist worker) writes a config under a temp
dir and starts ``dovecot -c …`` on free loopback high ports; ``doveadm -c … stop`` ends it.
Tests that use it carry the ``dovecot`` marker; without Dovecot installed they skip (locally) or
fail (CI, see :func:`tests.support.services.missing_service`). Call :meth:`DovecotServer.reset`
at the start of a test that needs empty mailboxes (the ``dovecot`` fixture does).

The world it serves:

* users in a passwd-file with PLAIN passwords (``add_user``; added on the fly, Dovecot re-reads
  the file), Maildir storage, ``/`` as the hierarchy separator;
* a **master user** (``master_user``/``master_password``): logging in as ``alice@x*autoir-admin``
  with the master password opens Alice's mailbox (``auth_master_user_separator = *``), as an
  administrator's connector does;
* special-use folders in every mailbox: ``INBOX``, ``Junk`` (\\Junk), ``Trash`` (\\Trash),
  ``Archive`` (\\Archive), ``Sent``, ``Drafts``; AutoIR's "Deleted Items" is ``Trash``;
* every address exists for the master (static userdb, ``allow_all_users``): a mailbox is made
  on first login. An address has its own password only once ``add_user`` gave it one, and only
  such addresses are listed by the doveadm HTTP API (``doveadm_url``, ``doveadm_api_key``);
* an admin-only store account ``store_mailbox`` (``autoir-store``): it has no password, so only
  the master user can open it. The IMAP connector keeps quarantined
  copies, sealed copies of hard-deleted mail and the originals of attachment-quarantined mail
  there (folders ``Quarantine``, ``Sealed``, ``Originals``), out of every user's reach;
* ManageSieve (Pigeonhole) on ``sieve_port`` (scripts under ``~/sieve``);
* delivery two ways: :meth:`DovecotServer.deliver` APPENDs the exact bytes to a folder as the
  master (the copy in the store is byte for byte the one given), :meth:`DovecotServer.deliver_lmtp`
  hands them to Dovecot's LMTP server on ``lmtp_port`` as an MTA does, and Dovecot adds its own
  ``Return-Path`` and ``Received`` headers as in production (``Delivered-To`` too when the
  transaction has one recipient; Sieve does not run at delivery);
* TLS with a self-signed certificate made at start (``ca_file`` is the certificate, the CA to
  trust; it names ``localhost`` and 127.0.0.1): implicit TLS on ``imaps_port``, optional
  STARTTLS on ``imap_port`` (plaintext logins stay allowed for the tests without TLS).
  ManageSieve offers STARTTLS only on a server started with ``running_dovecot(sieve_starttls=
  True)``: the session's server has none, the server without TLS that a client asked for
  STARTTLS must refuse (managesieve-login ignores Dovecot's per-address ``local`` settings, so
  one server cannot be both).
"""

from __future__ import annotations

import imaplib
import os
import re
import secrets
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autoir.connectors.imap import ImapSettings
from tests.support.certificates import write_self_signed
from tests.support.services import missing_service

MASTER_USER = "autoir-admin"

STORE_MAILBOX = "autoir-store"
SPECIAL_FOLDERS = {"Junk": "\\Junk", "Trash": "\\Trash", "Archive": "\\Archive"}
PLAIN_FOLDERS = ("Sent", "Drafts")
_START_TIMEOUT = 10.0

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = autoir-test-{tag}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap sieve lmtp
listen = {host}
hostname = autoir-test.localdomain
postmaster_address = postmaster@autoir-test.localdomain
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_master_user_separator = *
# No failed-login penalty for tests' deliberate failures (it would slow every later login).
login_trusted_networks = 127.0.0.0/8
mail_location = maildir:~/Maildir
first_valid_uid = 1
default_internal_user = {internal_user}
default_login_user = {login_user}
shutdown_clients = yes
mail_max_userip_connections = 200
protocol sieve {{
  ssl = {sieve_ssl}
}}

passdb {{
  driver = passwd-file
  master = yes
  args = scheme=PLAIN username_format=%u {root}/masters
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
# The users add_user made, listable (doveadm user '*'); every other address falls to static.
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
  default_fields = uid={uid} gid={gid} home={root}/mail/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u allow_all_users=yes
}}

namespace inbox {{
  inbox = yes
  separator = /
{folders}
}}

service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps_port}
    ssl = yes
  }}
}}
doveadm_api_key = {doveadm_api_key}
service doveadm {{
  inet_listener http {{
    address = {host}
    port = {doveadm_port}
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = {host}
    port = {lmtp_port}
  }}
}}
service managesieve-login {{
  inet_listener sieve {{
    address = {host}
    port = {sieve_port}
  }}
}}
plugin {{
  sieve = file:~/sieve;active=~/.dovecot.sieve
}}
"""


def _self_signed_certificate(cert_path: Path, key_path: Path) -> None:
    """A throw-away EC certificate for ``localhost`` and 127.0.0.1 (its own CA)."""
    write_self_signed(cert_path, key_path, days=7)


def _folder_block(name: str, special_use: str | None) -> str:
    lines = [f"  mailbox {name} {{", "    auto = subscribe"]
    if special_use:
        lines.append(f"    special_use = {special_use}")
    lines.append("  }")
    return "\n".join(lines)


def _mail_owner() -> tuple[str, str]:
    """The account the mail processes run as: nobody under root, else the current user."""
    if os.geteuid() == 0:
        return "nobody", "nogroup"
    import grp
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?:"(?P<sep>[^"]*)"|NIL) (?P<name>.+)$')


def _list_name(line: bytes) -> str:
    match = _LIST_LINE.match(line)
    assert match is not None, line
    name = match.group("name").decode()
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name


@dataclass
class DovecotServer:
    """A running Dovecot and how to reach it as its administrator."""

    root: Path
    host: str
    imap_port: int
    sieve_port: int
    imaps_port: int = 0
    """Implicit TLS (the certificate is :attr:`ca_file`)."""
    lmtp_port: int = 0
    """LMTP (:meth:`deliver_lmtp`)."""
    doveadm_port: int = 0
    """The doveadm HTTP API (:attr:`doveadm_url`, key :attr:`doveadm_api_key`)."""
    doveadm_api_key: str = field(default_factory=lambda: secrets.token_hex(12))
    sieve_starttls: bool = False
    """Whether ManageSieve offers STARTTLS (see the module docstring)."""
    master_user: str = MASTER_USER
    master_password: str = field(default_factory=lambda: secrets.token_hex(12))
    store_mailbox: str = STORE_MAILBOX
    users: dict[str, str] = field(default_factory=dict)
    """Mailbox address → its own (PLAIN) password."""
    mailboxes: set[str] = field(default_factory=set)
    """Every mailbox opened through this object (what :meth:`reset` empties)."""

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def doveadm_url(self) -> str:
        """Where the doveadm HTTP API listens (``doveadm user '*'`` lists the added users)."""
        return f"http://{self.host}:{self.doveadm_port}"

    @property
    def ca_file(self) -> Path:
        """The server's self-signed certificate: the CA a client trusts to verify it."""
        return self.root / "tls" / "cert.pem"

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate (and verifies its name)."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def imap_settings(self, **overrides: Any) -> ImapSettings:
        """The IMAP connector's settings for this server as its administrator (plain IMAP)."""
        values: dict[str, Any] = {
            "host": self.host,
            "port": self.imap_port,
            "security": "plain",
            "master_user": self.master_user,
            "master_password": self.master_password,
            "store_mailbox": self.store_mailbox,
            "timeout": 10.0,
        }
        return ImapSettings(**(values | overrides))

    # --- lifecycle -------------------------------------------------------------------------

    def write_config(self) -> None:
        for sub in ("run", "state", "mail", "tls"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if not self.ca_file.exists():
            _self_signed_certificate(self.ca_file, self.root / "tls" / "key.pem")
        folders = [_folder_block(name, use) for name, use in SPECIAL_FOLDERS.items()]
        folders += [_folder_block(name, None) for name in PLAIN_FOLDERS]
        user, group = _mail_owner()
        if os.geteuid() == 0:  # the mail processes run as nobody: let them reach their homes
            shutil.chown(self.root / "mail", user, group)
            self.root.chmod(0o755)
        internal, login = ("dovecot", "dovenull") if os.geteuid() == 0 else (user, user)
        self.config.write_text(
            _CONFIG.format(
                root=self.root,
                tag=self.imap_port,
                host=self.host,
                imap_port=self.imap_port,
                sieve_port=self.sieve_port,
                imaps_port=self.imaps_port,
                lmtp_port=self.lmtp_port,
                doveadm_port=self.doveadm_port,
                doveadm_api_key=self.doveadm_api_key,
                cert=self.ca_file,
                key=self.root / "tls" / "key.pem",
                sieve_ssl="yes" if self.sieve_starttls else "no",
                uid=user,
                gid=group,
                internal_user=internal,
                login_user=login,
                folders="\n".join(folders),
            )
        )
        (self.root / "masters").write_text(
            f"{self.master_user}:{{PLAIN}}{self.master_password}::::::\n"
        )
        self._write_users()

    def _write_users(self) -> None:
        lines = [f"{user}:{{PLAIN}}{password}::::::\n" for user, password in self.users.items()]
        path = self.root / "users"
        temporary = path.with_suffix(".tmp")
        temporary.write_text("".join(lines))
        temporary.replace(path)

    def start(self) -> None:
        """Start Dovecot and wait until IMAP(S), ManageSieve and LMTP accept connections."""
        # Not capture_output: the daemon inherits the pipes, and run() would wait for their EOF.
        with (self.root / "start.log").open("ab") as out:
            subprocess.run(["dovecot", "-c", str(self.config)], check=True, stdout=out, stderr=out)
        deadline = time.monotonic() + _START_TIMEOUT
        for port in (self.imap_port, self.sieve_port, self.imaps_port, self.lmtp_port):
            while port:
                try:
                    socket.create_connection((self.host, port), timeout=0.5).close()
                    break
                except OSError as error:
                    if time.monotonic() > deadline:
                        message = f"Dovecot did not listen on {port}: {self.log()}"
                        raise RuntimeError(message) from error
                    time.sleep(0.02)

    def stop(self) -> None:
        """Stop Dovecot and wait until its master process is gone."""
        pid_file = self.root / "run" / "master.pid"
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        subprocess.run(
            ["doveadm", "-c", str(self.config), "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if pid is None:
            return
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    # --- users -----------------------------------------------------------------------------

    def add_user(self, address: str, password: str | None = None) -> str:
        """Give ``address`` its own password (new or changed); returns it.

        Dovecot checks the passwd-file for changes at most once a second, so a change waits
        that long before returning. The master user needs no entry: any address opens.
        """
        if address not in self.users or (password is not None and password != self.users[address]):
            self.users[address] = password or secrets.token_hex(8)
            self._write_users()
            time.sleep(1.1)
        self.mailboxes.add(address)
        return self.users[address]

    def master_login(self, mailbox: str) -> tuple[str, str]:
        """The login and password that open ``mailbox`` as the master user."""
        return f"{mailbox}*{self.master_user}", self.master_password

    @contextmanager
    def imap(self, mailbox: str) -> Iterator[imaplib.IMAP4]:
        """An IMAP session on ``mailbox`` as the master user."""
        self.mailboxes.add(mailbox)
        connection = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
        try:
            connection.login(*self.master_login(mailbox))
            yield connection
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                connection.logout()

    # --- seeding and inspection ------------------------------------------------------------

    def deliver(self, mailbox: str, folder: str, raw: bytes) -> None:
        """APPEND ``raw`` to ``folder`` (created when missing) of ``mailbox`` as the master."""
        with self.imap(mailbox) as imap:
            if folder.upper() != "INBOX":
                imap.create(_quote(folder))  # NO when it exists: fine
            typ, data = imap.append(_quote(folder), "", None, raw)
            assert typ == "OK", data

    def deliver_lmtp(
        self, recipients: list[str], raw: bytes, sender: str = "mailer@fabrikam.example"
    ) -> None:
        """Deliver ``raw`` to every recipient's INBOX over LMTP, as the MTA in front does.

        Dovecot stores it with its own trace headers on top (``Return-Path``, ``Received``, and
        ``Delivered-To`` when there is one recipient), so the stored copy differs from ``raw``
        (and, delivered one recipient at a time, from the other recipients' copies): read the
        stored bytes back (:meth:`messages`) for anything derived from them.
        """
        self.mailboxes.update(recipients)
        with smtplib.LMTP(self.host, self.lmtp_port, timeout=30) as lmtp:
            refused = lmtp.sendmail(sender, recipients, raw)
            assert not refused, refused
            # LMTP answers DATA once per recipient; smtplib reads only the first answer.
            for recipient in recipients[1:]:
                code, answer = lmtp.getreply()
                assert code == 250, (recipient, code, answer)  # SMTP "OK"

    def folders(self, mailbox: str) -> list[str]:
        with self.imap(mailbox) as imap:
            typ, data = imap.list()
            assert typ == "OK", data
            return [_list_name(line) for line in data if isinstance(line, bytes)]

    def messages(self, mailbox: str, folder: str) -> list[bytes]:
        """The raw bytes of every message in ``folder``, in UID order."""
        with self.imap(mailbox) as imap:
            return _fetch_all(imap, folder)

    def find(self, mailbox: str, match: Callable[[bytes], bool]) -> list[tuple[str, bytes]]:
        """(folder, raw) of every message of ``mailbox`` whose bytes satisfy ``match``."""
        found: list[tuple[str, bytes]] = []
        with self.imap(mailbox) as imap:
            typ, data = imap.list()
            assert typ == "OK", data
            for line in data:
                if isinstance(line, bytes):
                    folder = _list_name(line)
                    found += [(folder, raw) for raw in _fetch_all(imap, folder) if match(raw)]
        return found

    def folder_of(self, mailbox: str, message_id: str) -> str | None:
        """The folder holding the message with this Message-ID header (first found), or None."""
        wanted = message_id.strip().strip("<>")
        found = self.find(mailbox, lambda raw: _message_id(raw) == wanted)
        return found[0][0] if found else None

    def reset(self) -> None:
        """Empty every mailbox that has a home and delete their custom folders."""
        homes = {home.name for home in (self.root / "mail").iterdir() if home.is_dir()}
        for mailbox in sorted(self.mailboxes | homes | {self.store_mailbox}):
            with self.imap(mailbox) as imap:
                typ, data = imap.list()
                assert typ == "OK", data
                for line in data:
                    if not isinstance(line, bytes):
                        continue
                    folder = _list_name(line)
                    if folder == "INBOX" or folder in SPECIAL_FOLDERS or folder in PLAIN_FOLDERS:
                        typ, data = imap.select(_quote(folder))
                        if typ == "OK" and data[0] not in (None, b"0"):
                            imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                            imap.expunge()
                        imap.close()
                    else:
                        imap.delete(_quote(folder))


class FaultProxy:
    """A TCP forwarder in front of a port, for real network faults between a client and Dovecot.

    :meth:`fail_next` cuts every open connection and closes the next ``n`` new ones right after
    accepting them (the server restarting, a network blip: transient). With ``transient=False``
    the next ``n`` connections reach ``wrong_port`` instead (ManageSieve, a server that does not
    speak IMAP: a misconfiguration, permanent).
    """

    def __init__(self, host: str, port: int, wrong_port: int) -> None:
        self.host = host
        self._target = port
        self._wrong = wrong_port
        self._listener = socket.create_server((host, 0))
        self.port = int(self._listener.getsockname()[1])
        self._plan: list[str] = []
        self._cut: tuple[bytes, float] | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        with self._lock:
            self._plan += ["drop" if transient else "wrong"] * n
            live, self._open = set(self._open), set()
        for sock in live:
            _shut(sock)

    def cut_after(self, command: bytes, delay: float = 0.3) -> None:
        """Cut the connection that next sends ``command``, once the server had time to run it.

        The client never reads the answer: the change happened on the server, the caller saw a
        network failure (the case a resumed action must recognise).
        """
        with self._lock:
            self._cut = (command, delay)

    def close(self) -> None:
        self._closed = True
        _shut(self._listener)
        self.fail_next(0)

    def _cut_now(self, chunk: bytes) -> float | None:
        with self._lock:
            if self._cut is not None and self._cut[0] in chunk:
                delay = self._cut[1]
                self._cut = None
                return delay
        return None

    def _serve(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                step = self._plan.pop(0) if self._plan else "pass"
            if step == "drop":
                _shut(client)
                continue
            try:
                upstream = socket.create_connection(
                    (self.host, self._wrong if step == "wrong" else self._target), timeout=5
                )
            except OSError:
                _shut(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open |= {client, upstream}
            threading.Thread(target=_pump, args=(client, upstream, self), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client, None), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket, proxy: FaultProxy | None) -> None:
    try:
        while chunk := source.recv(65536):
            if proxy is not None and (delay := proxy._cut_now(chunk)) is not None:
                # Stop relaying answers first, then let the server run the command.
                with suppress(OSError):
                    source.shutdown(socket.SHUT_WR)
                sink.sendall(chunk)
                time.sleep(delay)
                break
            sink.sendall(chunk)
    except OSError:
        pass
    _shut(source)
    _shut(sink)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()


def _fetch_all(imap: imaplib.IMAP4, folder: str) -> list[bytes]:
    typ, _ = imap.select(_quote(folder), readonly=True)
    if typ != "OK":
        return []
    typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
    imap.close()
    if typ != "OK":
        return []
    return [part[1] for part in data if isinstance(part, tuple)]


def _message_id(raw: bytes) -> str:
    match = re.search(rb"^Message-ID:\s*<?([^>\r\n]+)>?", raw, re.IGNORECASE | re.MULTILINE)
    return match.group(1).decode(errors="replace").strip() if match else ""


def dovecot_installed() -> bool:
    return shutil.which("dovecot") is not None and shutil.which("doveadm") is not None


@contextmanager
def running_dovecot(
    host: str = "127.0.0.1", *, sieve_starttls: bool = False
) -> Iterator[DovecotServer]:
    """Start a fresh Dovecot under a new temp dir; stopped and removed on exit.

    The dir is made by :func:`tempfile.mkdtemp`, not pytest's ``tmp_path`` (whose parents are
    private to the test user, out of reach of Dovecot's unprivileged mail processes).
    """
    root = Path(tempfile.mkdtemp(prefix="autoir-dovecot-"))
    server = DovecotServer(
        root=root,
        host=host,
        imap_port=_free_port(host),
        sieve_port=_free_port(host),
        imaps_port=_free_port(host),
        lmtp_port=_free_port(host),
        doveadm_port=_free_port(host),
        sieve_starttls=sieve_starttls,
    )
    try:
        server.write_config()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    """One Dovecot per test session (per xdist worker)."""
    if not dovecot_installed():
        missing_service("Dovecot is not installed (apt-get install dovecot-imapd ...)")
    with running_dovecot() as server:
        yield server


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> DovecotServer:
    """The session's Dovecot with every mailbox emptied."""
    dovecot_server.reset()
    return dovecot_server
