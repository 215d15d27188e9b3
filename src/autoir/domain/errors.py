"""The AutoIR error hierarchy.

Every error the product raises on purpose derives from :class:`AutoirError`; edges map the
classes to transport codes in one table (``api/errors.py``) and never inspect messages::

    AutoirError
    ├── ValidationFailed        bad input; carries one FieldError per offending field
    ├── QueryInvalid            bad $filter / $orderby / $top / $skip
    ├── NotFound                an id that does not exist
    ├── Conflict                a state change that the current state forbids
    ├── AuthenticationRequired  no or bad credentials
    ├── PermissionDenied        authenticated, but the role lacks the permission
    ├── DatabaseNotReady        the database needs `autoir db upgrade`
    └── ConnectorError          a connector (mail system, endpoint fleet, …) could not act
        ├── ConnectorUnavailable    transient: retry later (network, server restart, busy)
        └── ConnectorRejected       permanent: the connector refused (bad target, unsupported)
"""

from __future__ import annotations

from dataclasses import dataclass


class AutoirError(Exception):
    """Root of every error AutoIR raises deliberately."""

    code = "internalError"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: ``target`` is a JSON path such as ``value[3].severity``."""

    target: str
    message: str


class ValidationFailed(AutoirError):
    """Input is invalid; nothing was written."""

    code = "validationError"

    def __init__(self, errors: list[FieldError], message: str = "The request is invalid.") -> None:
        super().__init__(message)
        self.errors = errors


class QueryInvalid(AutoirError):
    """A query option ($filter, $orderby, $top, $skip) cannot be understood."""

    code = "badRequest"

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


class NotFound(AutoirError):
    """The named resource does not exist."""

    code = "notFound"

    def __init__(self, resource: str, identifier: str) -> None:
        super().__init__(f"{resource} '{identifier}' was not found.")
        self.resource = resource
        self.identifier = identifier


class Conflict(AutoirError):
    """The change is not allowed in the resource's current state."""

    code = "conflict"


class AuthenticationRequired(AutoirError):
    """No valid credentials were presented."""

    code = "unauthenticated"


class PermissionDenied(AutoirError):
    """The caller is authenticated but lacks the permission."""

    code = "forbidden"


class DatabaseNotReady(AutoirError):
    """The configured database is not migrated to this version of AutoIR."""

    code = "databaseNotReady"


class ConnectorError(AutoirError):
    """A connector could not carry out a request; adapters translate their errors into these."""

    code = "connectorError"


class ConnectorUnavailable(ConnectorError):
    """Transient failure (unreachable, restarting, throttled): the request may be retried."""

    code = "connectorUnavailable"


class ConnectorRejected(ConnectorError):
    """Permanent failure: the connector refused the request; retrying will not help."""

    code = "connectorRejected"
