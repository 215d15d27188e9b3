"""``autoir actions``: list, approve and reject as a named user; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

from autoir.bootstrap import build
from autoir.domain.access.permissions import BUILTIN_ROLES, Principal
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.services.action_center import ActionCenterService, ActionCenterSettings
from autoir.settings import Settings
from tests.cli.test_cli import autoir


def _pending_isolations(data_dir: Path, count: int) -> list[str]:
    container = build(Settings(data_dir=data_dir))
    try:
        careful = ActionCenterService(
            container.ctx, ActionCenterSettings(four_eyes=True), on_approved=lambda _ids: None
        )
        requester = Principal(
            "ana", "Ana", "Security operator", BUILTIN_ROLES["Security operator"][1]
        )
        return [
            careful.request(
                requester,
                {"actionType": "isolateDevice", "target": {"kind": "device", "deviceId": f"d{i}"}},
            ).id
            for i in range(count)
        ]
    finally:
        container.close()


def _status(data_dir: Path, action_id: str) -> ActionStatus:
    container = build(Settings(data_dir=data_dir))
    try:
        return container.automation.remediation.center.get(action_id).status
    finally:
        container.close()


def test_actions_are_listed_approved_and_rejected_as_a_named_user(tmp_path: Path) -> None:
    first, second = _pending_isolations(tmp_path, 2)
    created = autoir(
        tmp_path,
        "user",
        "create",
        "--username",
        "bob@fabrikam.example",
        "--role",
        "Security operator",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    listed = autoir(tmp_path, "actions", "list", "--tab", "pending")
    assert listed.returncode == 0, listed.stderr
    assert first in listed.stdout
    assert second in listed.stdout

    approved = autoir(tmp_path, "actions", "approve", first, "--as", "bob@fabrikam.example")
    assert approved.returncode == 0, approved.stderr
    assert _status(tmp_path, first) is ActionStatus.APPROVED
    rejected = autoir(
        tmp_path, "actions", "reject", second, "--as", "bob@fabrikam.example", "--comment", "no"
    )
    assert rejected.returncode == 0, rejected.stderr
    assert _status(tmp_path, second) is ActionStatus.REJECTED

    again = autoir(tmp_path, "actions", "approve", first, "--as", "bob@fabrikam.example")
    assert again.returncode == 2
    assert "not pending" in again.stderr
    nobody = autoir(tmp_path, "actions", "approve", first, "--as", "nobody")
    assert nobody.returncode == 2
    assert "No active user" in nobody.stderr
    bad = autoir(tmp_path, "actions", "list", "--tab", "later")
    assert bad.returncode == 2
