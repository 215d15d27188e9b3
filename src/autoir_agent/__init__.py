"""The AutoIR endpoint agent: enrols a Linux host with an AutoIR server and sends heartbeats.

Standard library only, so it runs on a host with nothing but Python 3.11+. It speaks the
protocol in ``docs/agent-protocol.md`` (version 1) and never imports ``autoir`` (an
import-linter contract checks that).
"""

__version__ = "1.0.0"
PROTOCOL_VERSION = 1
