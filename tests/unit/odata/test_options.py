from __future__ import annotations

from datetime import UTC, datetime

import pytest

from autoir.domain.alerts.evidence import EntityKind
from autoir.domain.errors import QueryInvalid
from autoir.domain.queries.fields import ALERT_FIELDS
from autoir.domain.queries.filters import (
    And,
    Compare,
    CompareOp,
    Contains,
    EntityMatch,
    In,
    Not,
    Or,
)
from autoir.odata import parse_list_query


def _parse(filter_text: str | None = None, **options: str) -> object:
    return parse_list_query(
        ALERT_FIELDS,
        filter_text=filter_text,
        orderby=options.get("orderby"),
        top=options.get("top"),
        skip=options.get("skip"),
        count=options.get("count"),
        max_top=1000,
        entity_filters=True,
    )


def test_filter_translates_to_the_domain_tree() -> None:
    query = _parse(
        "severity eq 'High' and (status in ('new','INPROGRESS') or not (createdDateTime lt 2026-01-02T03:04:05Z))"
    )
    assert query.filter == And(
        (
            Compare("severity", CompareOp.EQ, "high"),
            Or(
                (
                    In("status", ("new", "inProgress")),
                    Not(
                        Compare(
                            "createdDateTime",
                            CompareOp.LT,
                            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                        )
                    ),
                )
            ),
        )
    )


def test_evidence_any_becomes_entity_matches() -> None:
    query = _parse("evidence/any(e: e/fileDetails/sha256 eq 'AB' or e/deviceDnsName eq 'Host')")
    assert query.filter == Or(
        (EntityMatch(EntityKind.SHA256, "ab"), EntityMatch(EntityKind.DEVICE, "host"))
    )


def test_tags_any_and_contains() -> None:
    assert _parse("tags/any(t: t eq 'vip')").filter == Contains("tags", "vip")
    assert _parse("contains(title, 'Power')").filter == Contains("title", "Power")


def test_literal_on_the_left_is_flipped() -> None:
    assert _parse("2026-01-01T00:00:00Z lt createdDateTime").filter == Compare(
        "createdDateTime", CompareOp.GT, datetime(2026, 1, 1, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("severity eq", "syntax error near character"),
        ("severity eq 'extreme'", "unknown value 'extreme'"),
        ("colour eq 'red'", "unknown property 'colour'"),
        ("createdDateTime gt 'yesterday'", "ISO 8601"),
        ("evidence/any(e: e/shoeSize eq '9')", "unsupported evidence property"),
        ("evidence/all(e: e/url eq 'x')", "only any()"),
        ("startswith(title, 'x')", "unsupported function"),
        ("severity add 1", "unsupported expression"),
    ],
)
def test_bad_filters_name_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(QueryInvalid, match=r"\$filter") as caught:
        _parse(text)
    assert fragment in str(caught.value)


def test_paging_options_are_checked() -> None:
    query = _parse(orderby="severity desc, createdDateTime", top="10", skip="20", count="true")
    assert (query.top, query.skip, query.count) == (10, 20, True)
    assert [(o.field, o.descending) for o in query.order_by] == [
        ("severity", True),
        ("createdDateTime", False),
    ]
    for option, value in (
        ("top", "0"),
        ("top", "1001"),
        ("top", "ten"),
        ("skip", "-1"),
        ("count", "yes"),
        ("orderby", "evidence desc"),
        ("orderby", "severity sideways"),
    ):
        with pytest.raises(QueryInvalid):
            _parse(**{option: value})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status in ('new')", In("status", ("new",))),
        (
            "status in ('new') and severity in ('high')",
            And((In("status", ("new",)), In("severity", ("high",)))),
        ),
        (
            "title eq 'in (x)' and status in ('resolved')",
            And((Compare("title", CompareOp.EQ, "in (x)"), In("status", ("resolved",)))),
        ),
    ],
)
def test_a_one_item_list_after_in_is_a_list(text: str, expected: object) -> None:
    assert _parse(text).filter == expected


def test_a_parenthesised_value_elsewhere_is_still_one() -> None:
    assert _parse("(severity eq 'high')").filter == Compare("severity", CompareOp.EQ, "high")
