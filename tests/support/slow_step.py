"""A playbook step plugin for the worker-kill tests: it says that it runs, then takes its time.

Loaded into real ``autoir worker`` processes with ``AUTOIR_PLUGINS='["tests.support.slow_step:PLUGIN"]'``
(and the repository root on ``PYTHONPATH``); playbooks name it ``function: step.test_slow``.

Parameters (the playbook step's ``params``):
    signal: a file to which each attempt appends ``<pid> <investigation id>`` before it waits, so a
        test knows which worker process is inside the step.
    release: a file; when given, the step waits until it exists (polling every 50 ms), at most
        ``max_seconds`` (then it fails, which the test notices).
    seconds: without ``release``, how long the step sleeps (default 0.3).

It returns one expansion evidence item, so a test can see that re-running it stores it once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from autoir.domain.investigations.evidence import EvidenceItem, EvidenceOrigin
from autoir.plugins.manifest import Manifest, PluginKind, StepPlugin
from autoir.services.investigation_steps.contract import StepInput, StepOutput

STEP_ID = "step.test_slow"
EVIDENCE_KEY = "ip:198.51.100.77"


def slow_step(step_input: StepInput) -> StepOutput:
    """Signal, wait (for the release file or a fixed time), return one evidence item."""
    params = step_input.step.params
    signal = Path(str(params["signal"]))
    with signal.open("a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {step_input.investigation.id}\n")
        handle.flush()
        os.fsync(handle.fileno())
    release = params.get("release")
    if release:
        deadline = time.monotonic() + float(params.get("max_seconds", 20))
        while not Path(str(release)).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{release} did not appear within the step's bound")
            time.sleep(0.05)
    else:
        time.sleep(float(params.get("seconds", 0.3)))
    item = EvidenceItem(
        kind="ip",
        key=EVIDENCE_KEY,
        name="198.51.100.77",
        properties={"ipAddress": "198.51.100.77"},
        origin=EvidenceOrigin.EXPANSION,
        step_id=step_input.step.id,
    )
    return StepOutput(evidence=[item], summary=f"slow step done in process {os.getpid()}")


PLUGIN = StepPlugin(
    manifest=Manifest(
        id=STEP_ID,
        name="Slow test step",
        version="1.0",
        kind=PluginKind.STEP,
        description="Signals that it runs, then waits: lets tests kill a worker mid-step.",
    ),
    function=slow_step,
)
