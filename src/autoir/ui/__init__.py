"""Web UI edge: server-rendered pages (Jinja2 + htmx), English and French.

An edge like ``autoir.api``: it may import ``autoir.bootstrap``, ``autoir.services``,
``autoir.domain``, ``autoir.odata`` and ``autoir.ports``; never ``autoir.api`` (a sibling edge)
nor ``autoir.storage`` (it goes through services). Routes parse the form, check the session,
CSRF token and permission (``ui.auth``), call services and render templates.
"""
