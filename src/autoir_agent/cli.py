"""``autoir-agent``: ``enroll`` with a server, ``run`` the heartbeats, show the ``status``.

Messages go to stderr; ``enroll`` prints the new device id alone on stdout, ``status`` its
``key: value`` lines.

Exit codes: 0 done; 1 the server is unreachable (enrol, ``run --once``) or the host is not
enrolled (``status``); 2 bad input or a refused enrolment token (also a certificate that does not
verify against ``--ca-file``); 3 the server refused the device's credential (``run``).
"""

from __future__ import annotations

import argparse
import re
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from autoir_agent import PROTOCOL_VERSION, __version__
from autoir_agent.facts import enrolment_facts, machine_id
from autoir_agent.heartbeat import Heartbeats
from autoir_agent.state import (
    DEFAULT_STATE_DIR,
    AgentState,
    StateError,
    load,
    load_machine_id,
    save,
    state_path,
)
from autoir_agent.transport import (
    Client,
    InsecureServer,
    Refused,
    Rejected,
    TlsFailure,
    Unavailable,
    connect,
)

ENROLL_PATH = "/agent/v1/enroll"
OK, UNAVAILABLE, BAD_INPUT = 0, 1, 2
_DEVICE_ID = re.compile(r"[0-9a-f]{40}")


def say(message: str) -> None:
    """One line for the operator (stderr, so stdout stays free for machine-readable output)."""
    sys.stderr.write(f"autoir-agent: {message}\n")
    sys.stderr.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autoir-agent",
        description="The AutoIR endpoint agent: enrols this host and sends heartbeats.",
    )
    parser.add_argument("--version", action="version", version=f"autoir-agent {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def state_dir_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--state-dir",
            type=Path,
            default=DEFAULT_STATE_DIR,
            help=f"where the agent keeps its state (default {DEFAULT_STATE_DIR})",
        )

    enroll = commands.add_parser("enroll", help="enrol this host with an AutoIR server")
    enroll.add_argument("--server", required=True, help="the server, e.g. https://autoir:8000")
    enroll.add_argument("--token", required=True, help="a one-time enrolment token")
    enroll.add_argument(
        "--ca-file", help="PEM certificate(s) to verify the server with (default: system store)"
    )
    state_dir_option(enroll)

    run = commands.add_parser("run", help="send heartbeats until stopped")
    run.add_argument("--once", action="store_true", help="send one heartbeat and exit")
    state_dir_option(run)

    status = commands.add_parser("status", help="show the enrolment (never the credential)")
    state_dir_option(status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``autoir-agent`` and ``python -m autoir_agent``; the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "enroll":
        return enroll(args.server, args.token, args.ca_file, args.state_dir)
    if args.command == "run":
        return run(args.state_dir, once=args.once)
    return status(args.state_dir)


class _Failed(Exception):
    """An enrolment that cannot go on: what to tell the operator, and the exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def enroll(server: str, token: str, ca_file: str | None, state_dir: Path) -> int:
    """Exchange the enrolment token for a device id and credential; keep them in the state."""
    token = token.strip()
    if not token:
        say("the enrolment token is empty")
        return BAD_INPUT
    if ca_file is not None:
        ca_file = str(Path(ca_file).resolve())
    machine = machine_id() or load_machine_id(state_dir) or secrets.token_hex(16)
    try:
        client = connect(server, ca_file)
        answer = _exchange(client, token, machine)
        state = _state_from(answer, client.server, ca_file, machine)
    except InsecureServer as exc:
        say(str(exc))
        return BAD_INPUT
    except _Failed as exc:
        say(str(exc))
        return exc.exit_code
    try:
        path = save(state_dir, state)
    except OSError as exc:
        say(f"enrolled as {state.device_id}, but cannot write the state to {state_dir}: {exc}")
        return BAD_INPUT
    say(f"enrolled with {client.server} as device {state.device_id}; state in {path}")
    sys.stdout.write(f"{state.device_id}\n")
    return OK


def _exchange(client: Client, token: str, machine: str) -> dict[str, Any]:
    try:
        return client.post(ENROLL_PATH, {"token": token, **enrolment_facts(machine)})
    except Refused as exc:
        message = (
            f"the server refused the enrolment token ({exc.code}): it is unknown, expired, "
            "used up or revoked; ask for a new one"
        )
        raise _Failed(message, BAD_INPUT) from None
    except Rejected as exc:
        raise _Failed(f"the server rejected the enrolment: {exc}", BAD_INPUT) from None
    except TlsFailure as exc:
        raise _Failed(f"enrolment refused: {exc}", BAD_INPUT) from None
    except Unavailable as exc:
        raise _Failed(f"enrolment failed: {exc}", UNAVAILABLE) from None


def _state_from(
    answer: dict[str, Any], server: str, ca_file: str | None, machine: str
) -> AgentState:
    device_id, credential = answer.get("deviceId"), answer.get("credential")
    if not (isinstance(device_id, str) and _DEVICE_ID.fullmatch(device_id)):
        raise _Failed("the answer has no valid deviceId; is it an AutoIR server?", UNAVAILABLE)
    if not (isinstance(credential, str) and credential):
        raise _Failed("the answer has no credential; is it an AutoIR server?", UNAVAILABLE)
    version = answer.get("protocolVersion", PROTOCOL_VERSION)
    if version != PROTOCOL_VERSION:
        say(f"warning: the server speaks protocol version {version}, this agent {PROTOCOL_VERSION}")
    interval = answer.get("heartbeatSeconds", 60)
    return AgentState(
        server=server,
        ca_file=ca_file,
        device_id=device_id,
        credential=credential,
        machine_id=machine,
        heartbeat_seconds=interval if isinstance(interval, int) and interval > 0 else 60,
    )


def run(state_dir: Path, *, once: bool) -> int:
    """Send heartbeats (one with ``once``); the exit code of :class:`~heartbeat.Outcome`."""
    try:
        state = load(state_dir)
        client = connect(state.server, state.ca_file)
    except (StateError, InsecureServer) as exc:
        say(str(exc))
        return BAD_INPUT
    heartbeats = Heartbeats(client=client, state=state, say=say)
    if once:
        return int(heartbeats.once())

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        heartbeats.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return int(heartbeats.run())


def status(state_dir: Path) -> int:
    """Print the enrolment (server, device id, CA file, state file); 1 when not enrolled."""
    try:
        state = load(state_dir)
    except StateError as exc:
        say(str(exc))
        return UNAVAILABLE
    sys.stdout.write(
        f"server: {state.server}\n"
        f"deviceId: {state.device_id}\n"
        f"caFile: {state.ca_file or '(system store)'}\n"
        f"heartbeatSeconds: {state.heartbeat_seconds}\n"
        f"stateFile: {state_path(state_dir)}\n"
    )
    return OK
