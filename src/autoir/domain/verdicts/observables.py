"""Observables: the things an analyzer can be asked about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autoir.domain.messages.message import EmailMessage
    from autoir.domain.telemetry.signins import SignIn


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


@dataclass(frozen=True, slots=True)
class ProcessSubject:
    """A process as an endpoint saw it: its image, command line, parent, account.

    ``ancestors`` are the image file names above the parent, nearest first (from the process
    tree when telemetry has it), for chains like ``winword.exe → cmd.exe → powershell.exe``.
    """

    image: str
    command_line: str
    parent_image: str | None = None
    parent_command_line: str | None = None
    account: str | None = None
    sha256: str | None = None
    folder: str | None = None
    ancestors: tuple[str, ...] = ()

    @property
    def observable(self) -> Observable:
        """The command line (or image) as an observable."""
        return Observable(ObservableKind.PROCESS, self.command_line or self.image)


@dataclass(frozen=True, slots=True)
class UserActivitySubject:
    """A user with their recent sign-ins (newest first) and what a mail connector knows.

    ``external_forwarding`` lists external addresses the user's mailbox forwards to; None when no
    connector can tell (the check is then skipped, not passed).
    """

    user: str
    sign_ins: tuple[SignIn, ...]
    window_start: datetime
    window_end: datetime
    external_forwarding: tuple[str, ...] | None = None

    @property
    def observable(self) -> Observable:
        """The user principal name as an observable."""
        return Observable(ObservableKind.USER, self.user)


Subject = Observable | FileSubject | EmailSubject | ProcessSubject | UserActivitySubject
