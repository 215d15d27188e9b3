"""Dovecot connector: what only Dovecot's admin API knows (which users exist).

Role: the :class:`~autoir.ports.mailboxes.MailboxDirectory` over the doveadm HTTP API
(``doveadm user '*'``), so that "read every mailbox" needs no list kept by hand. IMAP itself
cannot list a server's users.

Imports allowed: ``autoir.ports``, ``autoir.domain`` and the standard library.
"""

from autoir.connectors.dovecot.doveadm import DoveadmDirectory

__all__ = ["DoveadmDirectory"]
