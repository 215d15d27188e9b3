"""Process trees from process events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoir.domain.telemetry.endpoint import EndpointEvent, EndpointEventKind, ProcessDetails
from autoir.domain.telemetry.process_tree import build_process_tree

T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _event(
    event_id: str, pid: int, parent: int | None, name: str, minute: int, **more: str
) -> EndpointEvent:
    return EndpointEvent(
        id=event_id,
        device_id="d",
        time=T0 + timedelta(minutes=minute),
        kind=EndpointEventKind.PROCESS,
        action_type="ProcessCreated",
        process=ProcessDetails(file_name=name, process_id=pid, parent_process_id=parent, **more),
    )


def test_children_attach_to_the_newest_parent_that_started_before_them() -> None:
    events = [
        _event("a", 10, None, "init", 0),
        _event("b", 20, 10, "old", 1),
        _event("c", 30, 20, "child-of-old", 2),
        _event("d", 20, 10, "new", 5),  # pid 20 reused
        _event("e", 40, 20, "child-of-new", 6),
        _event("f", 50, 99, "orphan", 7),
        _event(
            "g", 60, 98, "named-orphan", 8, parent_file_name="nginx", parent_command_line="nginx -g"
        ),
        _event("h", 61, 98, "sibling", 9, parent_file_name="nginx", parent_command_line="nginx -g"),
    ]
    roots = build_process_tree(list(reversed(events)))

    def shape(node: object) -> tuple:
        return (node.file_name, tuple(shape(c) for c in node.children))  # type: ignore[attr-defined]

    assert [shape(r) for r in roots] == [
        ("init", (("old", (("child-of-old", ()),)), ("new", (("child-of-new", ()),)))),
        ("orphan", ()),
        ("nginx", (("named-orphan", ()), ("sibling", ()))),
    ]
    assert roots[2].command_line == "nginx -g"
    assert roots[2].process_id == 98
    assert roots[2].to_json()["startedDateTime"] is None


def test_a_process_is_never_its_own_parent_and_other_kinds_are_ignored() -> None:
    same = _event("x", 5, 5, "self", 0)
    other = EndpointEvent("y", "d", T0, EndpointEventKind.NETWORK, "ConnectionSuccess")
    roots = build_process_tree([same, other])
    assert [(r.file_name, r.children) for r in roots] == [("self", ())]
