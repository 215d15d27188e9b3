"""Sieve connector: users' forwarding and out-of-office rules over ManageSieve (RFC 5804).

``rules`` edits Sieve scripts (remove external redirects, read ``vacation``) without I/O;
``forwarding`` talks ManageSieve to the mail server (Dovecot Pigeonhole) as the administrator.
Imports only ``autoir.ports``, ``autoir.domain``, the standard library and sievelib.
"""
