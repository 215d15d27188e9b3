"""MIME adapter: raw RFC 822 bytes (files, directories, mbox) to message records."""
