"""The heartbeat loop: one at start, then every ``heartbeatSeconds`` the server asks for.

While the server is unreachable the loop retries with back-off (2 s, doubling, at most the
interval). A refused credential (HTTP 401 ``invalidCredential``) ends the loop: the device was
offboarded or enrolled again elsewhere, and retrying would not help.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autoir_agent.facts import heartbeat_facts
from autoir_agent.state import AgentState
from autoir_agent.transport import Client, Refused, Rejected, Unavailable

HEARTBEAT_PATH = "/agent/v1/heartbeat"
FIRST_BACKOFF = 2.0
MAX_INTERVAL = 24 * 3600


class Outcome(enum.IntEnum):
    """How the loop ended; the value is the command's exit code."""

    STOPPED = 0
    UNAVAILABLE = 1
    REFUSED = 3


@dataclass(slots=True)
class Heartbeats:
    """Sends the heartbeats of one enrolled device."""

    client: Client
    state: AgentState
    say: Callable[[str], None]
    facts: Callable[[str], dict[str, Any]] = heartbeat_facts
    stop: threading.Event = field(default_factory=threading.Event)

    def beat(self, current: int) -> int:
        """Send one heartbeat; the interval the server asked for (else ``current``)."""
        answer = self.client.post(
            HEARTBEAT_PATH, self.facts(self.state.device_id), credential=self.state.credential
        )
        return _interval(answer.get("heartbeatSeconds"), current)

    def once(self) -> Outcome:
        """``run --once``: one heartbeat, its outcome."""
        try:
            interval = self.beat(self.state.heartbeat_seconds)
        except Refused as exc:
            self.say(_refused_message(exc))
            return Outcome.REFUSED
        except (Unavailable, Rejected) as exc:
            self.say(f"heartbeat failed: {exc}")
            return Outcome.UNAVAILABLE
        self.say(f"heartbeat sent to {self.state.server} (next in {interval} s)")
        return Outcome.STOPPED

    def run(self) -> Outcome:
        """Beat until :attr:`stop` is set (exit 0) or the credential is refused (exit 3)."""
        interval = self.state.heartbeat_seconds
        backoff = FIRST_BACKOFF
        failing = False
        self.say(f"sending heartbeats to {self.state.server} as device {self.state.device_id}")
        while not self.stop.is_set():
            try:
                interval = self.beat(interval)
            except Refused as exc:
                self.say(_refused_message(exc))
                return Outcome.REFUSED
            except (Unavailable, Rejected) as exc:
                wait = min(backoff, float(interval))
                self.say(f"heartbeat failed: {exc}; retrying in {wait:g} s")
                backoff = min(backoff * 2, float(interval))
                failing = True
                self.stop.wait(wait)
                continue
            if failing:
                self.say(f"{self.state.server} is reachable again")
                failing = False
            backoff = FIRST_BACKOFF
            self.stop.wait(interval)
        self.say("stopped")
        return Outcome.STOPPED


def _interval(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_INTERVAL:
        return value
    return default


def _refused_message(exc: Refused) -> str:
    return (
        f"the server refused this device's credential ({exc.code}): the device was offboarded "
        "or enrolled again; stopping. Enrol it again with `autoir-agent enroll`."
    )
