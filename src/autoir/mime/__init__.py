"""MIME adapter: raw RFC 822 bytes (files, directories, mbox) to message records.

Public API: :func:`parse_message` (bytes → ``EmailMessage``, never raises) and
:func:`iter_message_sources` (paths → raw messages with labels). Imports the domain only.
"""

from autoir.mime.parser import parse_message
from autoir.mime.sources import MessageSource, iter_message_sources

__all__ = ["MessageSource", "iter_message_sources", "parse_message"]
