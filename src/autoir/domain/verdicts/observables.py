"""Observables: the things an analyzer can be asked about."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autoir.domain.messages.message import EmailMessage


class ObservableKind(StrEnum):
    """Observable types, in the spirit of Cortex ``dataTypeList``."""

    URL = "url"
    DOMAIN = "domain"
    IP = "ip"
    EMAIL_ADDRESS = "emailAddress"
    FILE_SHA256 = "fileSha256"
    FILE = "file"
    EMAIL = "email"
    PROCESS = "process"
    USER = "user"
    DEVICE = "device"
    MAILBOX = "mailbox"


@dataclass(frozen=True, slots=True)
class Observable:
    """A value of a kind; ``value`` is normalised (lower-case addresses, hashes, hosts)."""

    kind: ObservableKind
    value: str


@dataclass(frozen=True, slots=True)
class FileSubject:
    """A file with its content, for content analyzers (YARA, macros, archives)."""

    name: str
    sha256: str
    payload: bytes
    content_type: str | None = None

    @property
    def observable(self) -> Observable:
        """The file's hash as an observable."""
        return Observable(ObservableKind.FILE_SHA256, self.sha256)


@dataclass(frozen=True, slots=True)
class EmailSubject:
    """A message with its bodies and attachment payloads, for the email analyzers."""

    message: EmailMessage

    @property
    def observable(self) -> Observable:
        """The message's network message id as an observable."""
        return Observable(ObservableKind.EMAIL, self.message.network_message_id)


Subject = Observable | FileSubject | EmailSubject
