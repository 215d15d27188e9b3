"""Web UI edge: server-rendered pages (Jinja2 + htmx), English and French."""
