"""IMAP connector: the organisation's own mail server (Dovecot, Cyrus, any IMAP4rev1).

It is the :class:`~autoir.ports.remediation.EmailSystem` for self-hosted mail, and with
:class:`ImapMailboxScanner` the :class:`~autoir.ports.mailboxes.MailboxSource` (incremental,
read-only scans of real mailboxes for telemetry, with cursors in the state dir, and IDLE).

Role: remediation in real mailboxes — soft/hard delete, junk/inbox moves and their undo,
quarantine and release, attachment quarantine and restore — over IMAP with administrator access
(a master user, ``alice@x*admin`` on Dovecot, or per-mailbox credentials), TLS or STARTTLS, a
small connection pool. Forwarding (ManageSieve) is delegated to an object given at construction
(``autoir.connectors.sieve``); without one those two calls are refused.

Imports allowed: ``autoir.ports``, ``autoir.domain``, ``autoir.mime`` (the network message id is
derived from a message's raw bytes) and the standard library (``imaplib``, ``email``,
``sqlite3``); never another connector, the services or the edges.

Decisions (see :mod:`autoir.connectors.imap.email_system` for the details):

* Folders: AutoIR's ``Inbox`` is ``INBOX``; ``Deleted Items`` is the trash folder (``Trash``),
  ``Junk`` and ``Archive`` are themselves (all configurable); other folders keep their path with
  ``/`` as the separator.
* The admin-only store is one mailbox (``store_mailbox``, ``autoir-store`` by default) that no
  user can open: its folders ``Quarantine`` (quarantined copies), ``Sealed`` (the sealed copies
  hard deletion keeps, with their expiry) and ``Originals`` (messages whose attachments were
  quarantined, with their expiry). Each stored copy is the original bytes after a block of
  ``X-AutoIR-*`` header lines saying where it came from; taking them off gives the bytes back.
* Idempotency: a SQLite journal in the state dir given at construction records each action's
  per-message outcomes as they complete, and the folder a copy was in before it is moved; a
  repeated action id returns what was recorded, a resumed one (a crash, a restarted server)
  goes on from the first copy without an outcome. It survives a process restart.
"""

from autoir.connectors.imap.email_system import ForwardingDelegate, ImapEmailSystem, ImapSettings
from autoir.connectors.imap.scanner import ImapMailboxScanner

__all__ = ["ForwardingDelegate", "ImapEmailSystem", "ImapMailboxScanner", "ImapSettings"]
