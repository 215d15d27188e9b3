"""IdentityProvider contract: every supported operation, idempotency, refusals, retries."""

from __future__ import annotations

from dataclasses import replace

import pytest

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.remediation import IdentityOperation
from tests.contract.conftest import IdentityHarness, UserState

Op = IdentityOperation
UPN = "alice@contoso.com"
OTHER = "bob@contoso.com"


@pytest.fixture
def directory(identity: IdentityHarness) -> IdentityHarness:
    """Two enabled users with open sessions."""
    identity.add_user(UPN, sessions=3)
    identity.add_user(OTHER, sessions=2)
    return identity


def supported(harness: IdentityHarness, *operations: Op) -> bool:
    """Whether the directory offers every operation; if not, check it refuses each it lacks.

    A directory without an operation must say so (``supports``) and refuse it without
    changing anything: that is its whole contract for that operation.
    """
    missing = [op for op in operations if not harness.provider.supports(op)]
    before = harness.state(UPN)
    for number, operation in enumerate(missing):
        with pytest.raises(ConnectorRejected):
            harness.provider.apply(f"unsupported-{number}", operation, UPN)
    assert harness.state(UPN) == before
    return not missing


def expected_after(before: UserState, operation: Op) -> UserState:
    changes = {
        Op.DISABLE: replace(before, enabled=False),
        Op.ENABLE: replace(before, enabled=True),
        Op.RESET_PASSWORD: replace(before, password_version=before.password_version + 1),
        Op.REVOKE_SESSIONS: replace(before, sessions=0),
        Op.CONFIRM_COMPROMISED: replace(before, compromised=True),
        Op.DISMISS_COMPROMISED: replace(before, compromised=False),
    }
    return changes[operation]


@pytest.mark.parametrize("operation", list(Op))
def test_apply_changes_only_what_the_operation_means(
    directory: IdentityHarness, operation: Op
) -> None:
    if not supported(directory, operation):
        return
    before, other = directory.state(UPN), directory.state(OTHER)

    details = directory.provider.apply("act-1", operation, UPN)

    assert all(isinstance(key, str) for key in details)
    assert directory.state(UPN) == expected_after(before, operation)
    assert directory.state(OTHER) == other


def test_disable_then_enable_round_trip(directory: IdentityHarness) -> None:
    if not supported(directory, Op.DISABLE, Op.ENABLE):
        return
    before = directory.state(UPN)

    directory.provider.apply("act-1", Op.DISABLE, UPN)
    assert not directory.state(UPN).enabled
    directory.provider.apply("act-2", Op.ENABLE, UPN)

    assert directory.state(UPN) == before


def test_confirm_then_dismiss_compromised_round_trip(directory: IdentityHarness) -> None:
    if not supported(directory, Op.CONFIRM_COMPROMISED, Op.DISMISS_COMPROMISED):
        return

    directory.provider.apply("act-1", Op.CONFIRM_COMPROMISED, UPN)
    assert directory.state(UPN).compromised
    directory.provider.apply("act-2", Op.DISMISS_COMPROMISED, UPN)

    assert not directory.state(UPN).compromised


def test_apply_repeated_action_id_returns_first_details_without_acting_again(
    directory: IdentityHarness,
) -> None:
    if not supported(directory, Op.DISABLE, Op.ENABLE):
        return
    first = directory.provider.apply("act-1", Op.DISABLE, UPN)
    directory.provider.apply("act-2", Op.ENABLE, UPN)

    again = directory.provider.apply("act-1", Op.DISABLE, UPN)

    assert dict(again) == dict(first)
    assert directory.state(UPN).enabled


def test_reset_password_repeated_action_id_resets_once(directory: IdentityHarness) -> None:
    if not supported(directory, Op.RESET_PASSWORD):
        return
    version = directory.state(UPN).password_version

    directory.provider.apply("act-1", Op.RESET_PASSWORD, UPN)
    directory.provider.apply("act-1", Op.RESET_PASSWORD, UPN)

    assert directory.state(UPN).password_version == version + 1


def test_apply_to_unknown_user_is_rejected(directory: IdentityHarness) -> None:
    if not supported(directory, Op.DISABLE):
        return

    with pytest.raises(ConnectorRejected):
        directory.provider.apply("act-1", Op.DISABLE, "nobody@contoso.com")


def test_apply_of_unsupported_operation_is_rejected(directory: IdentityHarness) -> None:
    unsupported = [op for op in Op if not directory.provider.supports(op)]
    before = directory.state(UPN)

    for number, operation in enumerate(unsupported):
        with pytest.raises(ConnectorRejected):
            directory.provider.apply(f"act-{number}", operation, UPN)

    assert directory.state(UPN) == before


def test_apply_with_injected_transient_failure_raises_unavailable_and_changes_nothing(
    directory: IdentityHarness,
) -> None:
    if not supported(directory, Op.DISABLE):
        return
    directory.fail_next(1)

    with pytest.raises(ConnectorUnavailable):
        directory.provider.apply("act-1", Op.DISABLE, UPN)

    assert directory.state(UPN).enabled
    directory.provider.apply("act-1", Op.DISABLE, UPN)
    assert not directory.state(UPN).enabled


def test_apply_with_injected_permanent_failure_raises_rejected(directory: IdentityHarness) -> None:
    if not supported(directory, Op.DISABLE):
        return
    directory.fail_next(1, transient=False)

    with pytest.raises(ConnectorRejected):
        directory.provider.apply("act-1", Op.DISABLE, UPN)

    assert directory.state(UPN).enabled
