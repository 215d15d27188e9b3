"""Filter tree nodes and the description of filterable fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from autoir.domain.alerts.evidence import EntityKind


class CompareOp(StrEnum):
    """OData comparison operators."""

    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


class FieldType(StrEnum):
    """How a field's literals are parsed and compared."""

    STRING = "string"
    ENUM = "enum"
    DATETIME = "datetime"
    INTEGER = "integer"
    STRING_LIST = "stringList"


Scalar = str | int | datetime | None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A filterable/sortable property of a resource."""

    name: str
    kind: FieldType
    enum: type[StrEnum] | None = None
    sortable: bool = False


@dataclass(frozen=True, slots=True)
class Compare:
    """``field op value``."""

    field: str
    op: CompareOp
    value: Scalar


@dataclass(frozen=True, slots=True)
class In:
    """``field in (v1, v2, …)``."""

    field: str
    values: tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class Contains:
    """``contains(field, 'text')`` — case-insensitive substring (or list membership)."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """``evidence/any(e: e/<property> eq 'v')``: the alert names this entity (kind None: any)."""

    kind: EntityKind | None
    value: str


@dataclass(frozen=True, slots=True)
class And:
    """All items hold."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one item holds."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The item does not hold."""

    item: Node


Node = Compare | In | Contains | EntityMatch | And | Or | Not


@dataclass(frozen=True, slots=True)
class OrderBy:
    """One ``$orderby`` term."""

    field: str
    descending: bool


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A parsed list request."""

    filter: Node | None = None
    order_by: tuple[OrderBy, ...] = ()
    top: int = 50
    skip: int = 0
    count: bool = False
    # Stop counting past this many matches (the total is then a lower bound): screens show
    # "10,000+" instead of paying for an exact count of a third of a million alerts.
    count_limit: int | None = None
    # Alerts hidden by a suppression rule are left out unless asked for (``hidden=true``) or
    # the filter names ``suppressionRuleId`` (issue 7).
    include_hidden: bool = False


def mentions_field(node: Node | None, name: str) -> bool:
    """Whether a filter tests the field anywhere in its tree."""
    if node is None or isinstance(node, EntityMatch):
        return False
    if isinstance(node, (And, Or)):
        return any(mentions_field(item, name) for item in node.items)
    if isinstance(node, Not):
        return mentions_field(node.item, name)
    return node.field == name


def conjuncts(node: Node | None) -> tuple[Node, ...]:
    """The top-level AND terms of a filter (the filter itself if it is not an AND)."""
    if node is None:
        return ()
    if isinstance(node, And):
        return tuple(item for sub in node.items for item in conjuncts(sub))
    return (node,)
