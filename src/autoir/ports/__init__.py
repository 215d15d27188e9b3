"""Ports: the ``typing.Protocol`` interfaces services need. Imports only ``autoir.domain``."""
