from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoir.domain.incidents.correlation import CorrelationInput, correlate

T0 = datetime(2026, 11, 1, tzinfo=UTC)
DAY = timedelta(hours=24)


def _in(keys: list[str], hours: float = 0, incidents: tuple[int, ...] = ()) -> CorrelationInput:
    return CorrelationInput(
        tuple(("device", k) for k in keys), T0 + timedelta(hours=hours), incidents
    )


def test_alerts_sharing_keys_form_one_group() -> None:
    groups = correlate([_in(["a"]), _in(["b"]), _in(["a", "c"]), _in(["c"])], DAY)
    assert [g.alert_indexes for g in groups] == [(0, 2, 3), (1,)]
    assert all(g.keeper is None for g in groups)


def test_existing_incidents_are_kept_oldest_first_and_others_absorbed() -> None:
    groups = correlate([_in(["a"], incidents=(7,)), _in(["a"], incidents=(3, 9))], DAY)
    (group,) = groups
    assert group.keeper == 3
    assert group.absorbed == (7, 9)


def test_shared_keys_outside_the_window_do_not_link() -> None:
    groups = correlate([_in(["a"], 0), _in(["a"], 30), _in(["a"], 40)], DAY)
    assert [g.alert_indexes for g in groups] == [(0,), (1, 2)]


def test_alert_without_keys_is_alone() -> None:
    assert [g.alert_indexes for g in correlate([_in([]), _in([])], DAY)] == [(0,), (1,)]
