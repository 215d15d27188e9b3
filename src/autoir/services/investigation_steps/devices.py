"""Step ``expand_device``: a device alert's processes in their tree, and the file's other devices.

- **Process tree**: for each process item with a device id, the device's process events around
  the alert are rebuilt into a tree (:mod:`autoir.domain.telemetry.process_tree`); the process's
  ancestors (image names, nearest first) are recorded on it for the process analyzer, and its
  parent and children become linked process evidence.
- **Prevalence**: for each file hash (file items and process images), the devices that saw it;
  each other device becomes linked ``deviceEvidence`` and the file records how many of the
  fleet's devices saw it. A file common across the fleet (on more than ``max_devices``, or a
  fifth of a fleet of 20 or more) lists no devices: ``cmd.exe`` is not a lead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.alerts.evidence import EntityKind
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.graph_evidence import (
    device_properties,
    file_properties,
    process_properties,
)
from autoir.domain.telemetry.endpoint import EndpointEventKind
from autoir.domain.telemetry.normalize import normalize_sha256
from autoir.domain.telemetry.process_tree import ProcessNode, build_process_tree
from autoir.services.investigation_steps.contract import StepInput, StepOutput
from autoir.services.investigation_steps.findings import Findings, value_of
from autoir.services.process_analysis import judge_processes, walk

TREE_WINDOW = timedelta(minutes=30)
TREE_EVENTS = 5000
MAX_CHILDREN = 20
MAX_DEVICES = 50
COMMON_SHARE = 0.2  # a file on more than this share of the fleet lists no other devices
COMMON_FLEET_MIN = 20
SCAN_HOURS = 24.0
SCAN_EVENTS = 5000
MAX_SCAN_THREATS = 100


def _time(item: EvidenceItem, fallback: datetime) -> datetime:
    raw = item.properties.get("processCreationDateTime")
    try:
        return datetime.fromisoformat(str(raw)) if raw else fallback
    except ValueError:
        return fallback


def _matches(node: ProcessNode, item: EvidenceItem) -> bool:
    props = item.properties
    image = props.get("imageFile") or {}
    pid = props.get("processId")
    if pid is not None and node.process_id != pid:
        return False
    name = (image.get("fileName") or "").lower()
    command = str(props.get("processCommandLine") or "")
    return (bool(name) and (node.file_name or "").lower() == name) or (
        bool(command) and node.command_line == command
    )


def _process_key(device_id: str, node: ProcessNode) -> str:
    return "|".join(
        (
            device_id,
            str(node.process_id or ""),
            node.sha256 or node.file_name or "",
            node.command_line,
        )
    )


def _expand_process(
    step: StepInput, findings: Findings, item: EvidenceItem, anchor: datetime
) -> int:
    device_id = str(item.properties.get("mdeDeviceId") or "").lower()
    if not device_id:
        return 0
    at = _time(item, anchor)
    events = step.uow.telemetry.device_events(
        device_id, at - TREE_WINDOW, at + TREE_WINDOW, [EndpointEventKind.PROCESS], TREE_EVENTS
    )
    for node, parents in walk(build_process_tree(events)):
        if not _matches(node, item):
            continue
        ancestors = [p.file_name or p.command_line for p in parents]
        updated = findings.add(
            "process", value_of(item), item.name, {"ancestors": ancestors[1:], "treeFound": True}
        )
        added = 0
        if parents:
            parent = parents[0]
            grand = parents[1] if len(parents) > 1 else None
            found = findings.add(
                "process",
                _process_key(device_id, parent),
                parent.command_line or parent.file_name or "process",
                {**process_properties(device_id, parent, grand), "ancestors": ancestors[2:]},
            )
            findings.link(found.key, updated.key)
            added += 1
        for child in node.children[:MAX_CHILDREN]:
            found = findings.add(
                "process",
                _process_key(device_id, child),
                child.command_line or child.file_name or "process",
                {**process_properties(device_id, child, node), "ancestors": ancestors},
            )
            findings.link(updated.key, found.key)
            added += 1
        return added
    return 0


def _hashes(findings: Findings) -> dict[str, tuple[str, str | None]]:
    """SHA-256 → (item key, file name) of file items and process images."""
    found: dict[str, tuple[str, str | None]] = {}
    for item in findings.of_kind("file"):
        details = item.properties.get("fileDetails") or {}
        sha = normalize_sha256(str(details.get("sha256") or ""))
        if sha:
            found.setdefault(sha, (item.key, details.get("fileName")))
    for item in findings.of_kind("process"):
        image = item.properties.get("imageFile") or {}
        sha = normalize_sha256(str(image.get("sha256") or ""))
        if sha and sha not in found:
            file_item = findings.add(
                "file",
                sha,
                image.get("fileName") or sha,
                file_properties(image.get("fileName"), sha, path=image.get("filePath")),
                entity=EntityKind.SHA256,
            )
            findings.link(item.key, file_item.key)
            found[sha] = (file_item.key, image.get("fileName"))
    return found


def _scan_device(step: StepInput, findings: Findings, device: EvidenceItem, hours: float) -> int:
    """Judge the device's recent processes; the threats become linked process evidence."""
    device_id = str(device.properties.get("mdeDeviceId") or value_of(device)).lower()
    events = step.uow.telemetry.device_events(
        device_id, step.now - timedelta(hours=hours), None, [EndpointEventKind.PROCESS], SCAN_EVENTS
    )
    found = 0
    for judged in judge_processes(events, step.analyzers, step.analysis_context):
        if found >= MAX_SCAN_THREATS:
            break
        assessment = judged.assessment
        if assessment.verdict not in {EvidenceVerdict.MALICIOUS, EvidenceVerdict.SUSPICIOUS}:
            continue
        node, parents = judged.node, judged.parents
        props = {
            **process_properties(device_id, node, parents[0] if parents else None),
            "ancestors": [p.file_name or p.command_line for p in parents[1:]],
        }
        item = findings.add(
            "process",
            _process_key(device_id, node),
            node.command_line or node.file_name or "process",
            props,
            related=(device.key,),
        )
        findings.put(
            replace(
                item,
                verdict=assessment.verdict,
                confidence=assessment.confidence,
                reasons=assessment.reasons,
            )
        )
        found += 1
    return found


def expand_device(step: StepInput) -> StepOutput:
    """Process trees, file prevalence, and a process scan of devices with no process evidence.

    Params: ``max_devices`` (other devices listed per file), ``scan_hours`` (how far back a
    device without process evidence is scanned, default 24).
    """
    max_devices = int(step.step.params.get("max_devices", MAX_DEVICES))
    scan_hours = float(step.step.params.get("scan_hours", SCAN_HOURS))
    findings = Findings(step.evidence, step.step.id)
    anchor = min((a.first_activity for a in step.alerts), default=step.now)
    tree_items = sum(
        _expand_process(step, findings, item, anchor) for item in findings.of_kind("process")
    )
    if not findings.of_kind("process"):
        tree_items += sum(
            _scan_device(step, findings, device, scan_hours)
            for device in findings.of_kind("device")
        )
    known_devices = {
        str(i.properties.get("mdeDeviceId") or "").lower() for i in findings.of_kind("device")
    }
    fleet = step.uow.telemetry.device_count()
    spread = 0
    for sha, (file_key, name) in _hashes(findings).items():
        count, sightings = step.uow.telemetry.file_sightings(sha, None, None, max_devices)
        common = count > max_devices or (fleet >= COMMON_FLEET_MIN and count > fleet * COMMON_SHARE)
        findings.add(
            "file",
            sha,
            name or sha,
            {"prevalence": {"devices": count, "fleetDevices": fleet, "common": common}},
        )
        if common:
            continue  # a file on much of the fleet is not a lead to other devices
        for sighting in sightings:
            if sighting.device_id in known_devices:
                continue
            device = findings.add(
                "device",
                sighting.device_id,
                sighting.device_name or sighting.device_id,
                {
                    **device_properties(sighting.device_id, sighting.device_name),
                    "firstSeenDateTime": sighting.first_seen.isoformat(),
                },
                entity=EntityKind.DEVICE,
            )
            findings.link(file_key, device.key)
            spread += 1
    return findings.output(
        f"{tree_items} processes from the process trees; {spread} other devices saw the files"
    )
