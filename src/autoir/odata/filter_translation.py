"""Translate an odata-query AST into the domain filter tree, checking fields and literals."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException, ParsingException, TokenizingException
from odata_query.grammar import ODataLexer, ODataParser

from autoir.domain.alerts.enums import parse_enum
from autoir.domain.errors import QueryInvalid
from autoir.domain.queries.fields import EVIDENCE_PATHS
from autoir.domain.queries.filters import (
    And,
    Compare,
    CompareOp,
    Contains,
    EntityMatch,
    FieldSpec,
    FieldType,
    In,
    Node,
    Not,
    Or,
    Scalar,
)
from autoir.domain.timestamps import parse_timestamp

MAX_FILTER_LENGTH = 8000
_OPS: dict[type[Any], CompareOp] = {
    ast.Eq: CompareOp.EQ,
    ast.NotEq: CompareOp.NE,
    ast.Gt: CompareOp.GT,
    ast.GtE: CompareOp.GE,
    ast.Lt: CompareOp.LT,
    ast.LtE: CompareOp.LE,
}
_FLIPPED = {
    CompareOp.GT: CompareOp.LT,
    CompareOp.GE: CompareOp.LE,
    CompareOp.LT: CompareOp.GT,
    CompareOp.LE: CompareOp.GE,
    CompareOp.EQ: CompareOp.EQ,
    CompareOp.NE: CompareOp.NE,
}


def _fail(message: str) -> QueryInvalid:
    return QueryInvalid("$filter", message)


_LITERALS = frozenset(
    {"STRING", "INTEGER", "DECIMAL", "BOOLEAN", "NULL", "GUID", "DATETIME", "DATE", "DURATION"}
)


_ONE_ITEM = 4  # IN ( literal )
_ONE_ITEM_SHAPES = [["IN", "(", literal, ")"] for literal in sorted(_LITERALS)]


def _one_item_lists(tokens: Iterator[Any]) -> Iterator[Any]:
    """``x in ('a')`` as ``x in ('a',)``: odata-query reads ``('a')`` as a parenthesised value.

    OData 4.01 allows a one-item list after ``in``; the library's grammar only accepts lists with
    a comma, so a comma token is put before the closing parenthesis.
    """
    window: list[Any] = []
    for token in tokens:
        window.append(token)
        if [t.type for t in window[-_ONE_ITEM:]] in _ONE_ITEM_SHAPES:
            comma = copy.copy(token)
            comma.type = comma.value = ","
            window.insert(len(window) - 1, comma)
        while len(window) > _ONE_ITEM:
            yield window.pop(0)
    yield from window


def parse_filter_ast(text: str) -> Any:  # noqa: ANN401 - the library's AST is untyped
    """Parse ``$filter`` text with odata-query; syntax errors become :class:`QueryInvalid`."""
    if len(text) > MAX_FILTER_LENGTH:
        raise _fail(f"is longer than {MAX_FILTER_LENGTH} characters")
    try:
        return ODataParser().parse(_one_item_lists(ODataLexer().tokenize(text)))
    except (TokenizingException, ParsingException) as exc:
        raise _fail(_syntax_message(exc)) from None
    except ODataException as exc:
        raise _fail(f"syntax error: {exc}") from None
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise _fail(f"cannot parse: {exc}") from None


class FilterTranslator:
    """Checks an AST against a resource's fields and builds domain nodes."""

    def __init__(self, fields: dict[str, FieldSpec], *, entity_filters: bool) -> None:
        self._fields = fields
        self._entity_filters = entity_filters

    def translate(self, node: Any) -> Node:  # noqa: ANN401, PLR0911
        """Domain node for an AST node."""
        if isinstance(node, ast.BoolOp):
            left, right = self.translate(node.left), self.translate(node.right)
            if isinstance(node.op, ast.And):
                return And((left, right))
            return Or((left, right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Not(self.translate(node.operand))
        if isinstance(node, ast.Compare):
            if isinstance(node.comparator, ast.In):
                return self._in(node)
            return self._compare(node)
        if isinstance(node, ast.CollectionLambda):
            return self._lambda(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _fail(
            f"unsupported expression {_describe(node)}; use comparisons (eq ne gt ge lt le), "
            "in, and/or/not, contains() and evidence/any()"
        )

    def _field(self, node: Any) -> FieldSpec:  # noqa: ANN401
        if not isinstance(node, ast.Identifier):
            raise _fail(f"expected a property name, found {_describe(node)}")
        spec = self._fields.get(node.name)
        if spec is None:
            raise _fail(f"unknown property '{node.name}'; filterable: {', '.join(self._fields)}")
        return spec

    def _compare(self, node: Any) -> Node:  # noqa: ANN401
        op = _OPS.get(type(node.comparator))
        if op is None:
            raise _fail(f"unsupported operator {_describe(node.comparator)}")
        left, right = node.left, node.right
        if not isinstance(left, ast.Identifier) and isinstance(right, ast.Identifier):
            left, right, op = right, left, _FLIPPED[op]
        spec = self._field(left)
        if spec.kind is FieldType.STRING_LIST:
            raise _fail(f"'{spec.name}' is a list; use {spec.name}/any(t: t eq 'value')")
        return Compare(spec.name, op, self._literal(spec, right))

    def _in(self, node: Any) -> Node:  # noqa: ANN401
        spec = self._field(node.left)
        if not isinstance(node.right, ast.List):
            raise _fail(f"'in' needs a parenthesised list after '{spec.name}'")
        return In(spec.name, tuple(self._literal(spec, item) for item in node.right.val))

    def _literal(self, spec: FieldSpec, node: Any) -> Scalar:  # noqa: ANN401, PLR0911
        if isinstance(node, ast.Null):
            return None
        if spec.kind is FieldType.ENUM:
            if not isinstance(node, ast.String):
                raise _fail(f"'{spec.name}' takes a quoted value")
            assert spec.enum is not None
            member = parse_enum(spec.enum, node.val)
            if member is None:
                raise _fail(
                    f"unknown value '{node.val}' for '{spec.name}'; expected one of "
                    + ", ".join(m.value for m in spec.enum)
                )
            return member.value
        if spec.kind is FieldType.DATETIME:
            if isinstance(node, ast.DateTime | ast.String):
                parsed = parse_timestamp(node.val)
                if parsed is not None:
                    return parsed
            if isinstance(node, ast.Date):
                day = date.fromisoformat(node.val)
                return datetime(day.year, day.month, day.day, tzinfo=UTC)
            raise _fail(f"'{spec.name}' takes an ISO 8601 date-time such as 2024-01-31T00:00:00Z")
        if spec.kind is FieldType.INTEGER:
            if isinstance(node, ast.Integer):
                return int(node.val)
            if isinstance(node, ast.String) and node.val.isdigit():
                return int(node.val)
            raise _fail(f"'{spec.name}' takes a number")
        if isinstance(node, ast.String):
            return str(node.val)
        raise _fail(f"'{spec.name}' takes a quoted string")

    def _lambda(self, node: Any) -> Node:  # noqa: ANN401
        owner = node.owner
        if not isinstance(owner, ast.Identifier):
            raise _fail("any()/all() must be applied to a property")
        if not isinstance(node.operator, ast.Any):
            raise _fail("only any() is supported")
        if owner.name == "evidence" and self._entity_filters:
            return self._evidence_any(node.lambda_)
        spec = self._fields.get(owner.name)
        if spec is None or spec.kind is not FieldType.STRING_LIST:
            raise _fail(f"any() is supported on evidence and list properties, not '{owner.name}'")
        expression = node.lambda_.expression
        if not (
            isinstance(expression, ast.Compare)
            and isinstance(expression.comparator, ast.Eq)
            and isinstance(expression.right, ast.String)
        ):
            raise _fail(
                f"{owner.name}/any() takes one comparison: {owner.name}/any(t: t eq 'value')"
            )
        return Contains(spec.name, expression.right.val)

    def _evidence_any(self, lambda_: Any) -> Node:  # noqa: ANN401
        variable = lambda_.identifier.name
        expression = lambda_.expression
        if isinstance(expression, ast.BoolOp) and isinstance(expression.op, ast.Or):
            return Or(
                (
                    self._evidence_any(ast.Lambda(lambda_.identifier, expression.left)),
                    self._evidence_any(ast.Lambda(lambda_.identifier, expression.right)),
                )
            )
        if not (isinstance(expression, ast.Compare) and isinstance(expression.comparator, ast.Eq)):
            raise _fail(
                "evidence/any() takes an equality such as "
                "evidence/any(e: e/mdeDeviceId eq '…'), optionally or-ed"
            )
        path = _path(expression.left, variable)
        if path is None or path not in EVIDENCE_PATHS:
            raise _fail(
                f"unsupported evidence property '{path}'; supported: {', '.join(EVIDENCE_PATHS)}"
            )
        if not isinstance(expression.right, ast.String) or not expression.right.val.strip():
            raise _fail(f"evidence property '{path}' takes a non-empty quoted value")
        return EntityMatch(EVIDENCE_PATHS[path], expression.right.val.strip().lower())

    def _call(self, node: Any) -> Node:  # noqa: ANN401
        name = node.func.name.lower() if isinstance(node.func, ast.Identifier) else ""
        if name != "contains" or len(node.args) != 2:  # noqa: PLR2004
            raise _fail(f"unsupported function '{name}'; supported: contains(property, 'text')")
        spec = self._field(node.args[0])
        if spec.kind not in (FieldType.STRING, FieldType.STRING_LIST) or not isinstance(
            node.args[1], ast.String
        ):
            raise _fail("contains() takes a text property and a quoted string")
        return Contains(spec.name, node.args[1].val)


def _syntax_message(exc: TokenizingException | ParsingException) -> str:
    token = exc.token
    if token is None:
        return "syntax error: the expression ends early (a value or a parenthesis is missing)"
    value = str(token.value).strip()
    where = f"syntax error near character {token.index + 1}"
    if not value:  # operators carry their spaces; a bare space means an operator lacks an operand
        return f"{where}: an operator is incomplete or misplaced"
    return f"{where}: unexpected {value!r}"


def _path(node: Any, variable: str) -> str | None:  # noqa: ANN401
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.owner
    if not (isinstance(node, ast.Identifier) and node.name == variable) or not parts:
        return None
    return "/".join(reversed(parts))


def _describe(node: Any) -> str:  # noqa: ANN401
    return type(node).__name__
