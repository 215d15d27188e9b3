"""Telemetry that investigations query: email message events, URL clicks, endpoint events, sign-ins.

Records, validation of the inbound JSON of each kind (errors name ``value[i].field``), the
normal forms of pivot values, email-cluster keys and queries, and the process tree. Pure: imports
only the standard library and ``autoir.domain``. The JSON formats are documented in
``docs/telemetry.md``.
"""
