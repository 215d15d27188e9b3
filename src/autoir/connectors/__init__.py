"""Connectors: adapters that implement the remediation ports against outside systems.

Each connector package (``memory``, later ``imap`` and the endpoint agent) imports only
``autoir.ports``, ``autoir.domain``, ``autoir.plugins`` and the standard library or its client
library; never ``autoir.services``, ``autoir.api``, ``autoir.ui`` or ``autoir.bootstrap``, and
never another connector (style.md §3.2).
"""
