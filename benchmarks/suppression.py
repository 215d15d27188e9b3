"""Suppression rules at ingest: time added per alert with 10,000 rules (issue 7: ≤ 0.2 ms).

Prints JSON. ``evaluate_us_per_alert``: the in-memory part — facts read from the evidence and
the index's candidates evaluated — over ``--alerts`` parsed alerts against the rule index.
``ingest_*_per_s``: ``AlertIngestService.ingest`` in 1,000-alert batches on SQLite without
rules and with ``--rules`` rules (the version check, the evaluation, counters and hidden
alerts included); ``added_ms_per_alert`` is the difference per alert.

    .venv-test/bin/python benchmarks/suppression.py --rules 10000 --alerts 20000
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autoir.bootstrap import build
from autoir.domain.alerts.draft import parse_alert
from autoir.domain.suppression.matching import RuleIndex
from autoir.domain.suppression.rule import StoredRule
from autoir.domain.suppression.rule_json import parse_rule
from autoir.services.alert_suppression import subject_of
from autoir.settings import Settings

ODATA = "#microsoft.graph.security."
MDE = "microsoftDefenderForEndpoint"
DETECTORS = 2000


def _alert(rng: random.Random, n: int) -> dict[str, Any]:
    device = f"{rng.randrange(5000):040x}"
    return {
        "providerAlertId": f"bench-{n}",
        "serviceSource": MDE,
        "detectionSource": "antivirus",
        "detectorId": f"det-{rng.randrange(DETECTORS)}",
        "title": "Suspicious process",
        "severity": "medium",
        "evidence": [
            {"@odata.type": ODATA + "deviceEvidence", "mdeDeviceId": device, "roles": []},
            {
                "@odata.type": ODATA + "processEvidence",
                "roles": ["suspicious"],
                "imageFile": {
                    "fileName": f"tool{rng.randrange(500)}.exe",
                    "sha256": f"{rng.getrandbits(256):064x}",
                },
                "processCommandLine": f"tool.exe --job {rng.randrange(10**6)}",
                "parentProcessImageFile": {
                    "fileName": rng.choice(["explorer.exe", "services.exe", "cmd.exe"])
                },
                "mdeDeviceId": device,
            },
            {
                "@odata.type": ODATA + "fileEvidence",
                "roles": ["contextual"],
                "fileDetails": {
                    "fileName": f"f{rng.randrange(1000)}.dll",
                    "sha256": f"{rng.randrange(20000):064x}",
                },
            },
            {
                "@odata.type": ODATA + "ipEvidence",
                "ipAddress": f"203.0.{rng.randrange(256)}.{rng.randrange(256)}",
            },
        ],
    }


def _cond(
    kind: str, prop: str, value: Any, op: str = "equals", role: str = "any"
) -> dict[str, Any]:
    return {"evidenceType": kind, "role": role, "property": prop, "operator": op, "value": value}


def _rules(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """A mix: a quarter this-type (half with an IOC), the rest any-type on hashes, IPs, names."""
    out = []
    for n in range(count):
        body: dict[str, Any] = {
            "name": f"rule {n}",
            "serviceSources": [MDE],
            "scope": {"kind": "organization"},
            "action": rng.choice(["hide", "resolve"]),
            "alertScope": {"kind": "anyAlertType"},
        }
        kind = n % 8
        if kind < 2:
            body["alertScope"] = {
                "kind": "thisAlertType",
                "detectorId": f"det-{rng.randrange(DETECTORS * 5)}",
            }
            body["conditions"] = (
                None
                if kind == 0
                else {"op": "and", "items": [_cond("process", "parentFileName", "services.exe")]}
            )
        elif kind < 5:
            body["conditions"] = {
                "op": "and",
                "items": [_cond("file", "sha256", f"{rng.randrange(2_000_000):064x}")],
            }
        elif kind == 5:
            body["conditions"] = {
                "op": "or",
                "items": [
                    _cond(
                        "ip",
                        "ipAddress",
                        [f"198.51.{rng.randrange(256)}.{i}" for i in range(5)],
                        "in",
                    )
                ],
            }
        elif kind == 6:
            body["conditions"] = {
                "op": "and",
                "items": [
                    _cond(
                        "process", "fileName", f"tool{rng.randrange(5000)}.exe", role="triggering"
                    ),
                    {
                        "op": "or",
                        "items": [
                            _cond("process", "commandLine", "*--quiet*", "wildcard"),
                            _cond("process", "parentFileName", "cmd.exe"),
                        ],
                    },
                ],
            }
        else:
            body["conditions"] = {
                "op": "and",
                "items": [
                    _cond("process", "parentFileName", rng.choice(["winword.exe", "excel.exe"])),
                    _cond("process", "commandLine", f"*{rng.randrange(10**6)}*", "wildcard"),
                ],
            }
        out.append(body)
    return out


def _ingest_rate(
    data_dir: Path, payloads: list[dict[str, Any]], rules: list[dict[str, Any]]
) -> tuple[float, int]:
    container = build(Settings(data_dir=data_dir, worker_threads=0, sweep_seconds=3600))
    try:
        now = datetime.now(UTC)
        with container.ctx.uow() as uow:
            for n, body in enumerate(rules):
                rule = parse_rule(body)
                uow.suppression.add(
                    StoredRule(f"{n:012d}", rule, "bench", now, "bench", now, 0, None)
                )
            uow.commit()
        container.ingest.ingest(payloads[:1000])  # warm-up (and the index's first build)
        start = time.perf_counter()
        for at in range(1000, len(payloads), 1000):
            container.ingest.ingest(payloads[at : at + 1000])
        elapsed = time.perf_counter() - start
        suppressed = sum(r.match_count for r in container.suppression.list_rules())
        return (len(payloads) - 1000) / elapsed, suppressed
    finally:
        container.close()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    rule_bodies = _rules(rng, args.rules)
    payloads = [_alert(rng, n) for n in range(args.alerts)]
    now = datetime.now(UTC)
    build_start = time.perf_counter()
    index = RuleIndex.build(((f"{n:012d}", parse_rule(b)) for n, b in enumerate(rule_bodies)), now)
    build_s = time.perf_counter() - build_start
    drafts = [parse_alert(p, "value", now, []) for p in payloads]
    checked = [d for d in drafts if d is not None]
    start = time.perf_counter()
    matched = candidates = 0
    for draft in checked:
        subject = subject_of(draft)
        candidates += len(index.candidates(subject))
        if index.first_match(subject) is not None:
            matched += 1
    evaluate_s = time.perf_counter() - start
    base_runs: list[float] = []
    rule_runs: list[float] = []
    suppressed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):  # alternated: the machine's load hits both alike
            base_runs.append(_ingest_rate(Path(tmp) / f"none{run}", payloads, [])[0])
            rate, suppressed = _ingest_rate(Path(tmp) / f"rules{run}", payloads, rule_bodies)
            rule_runs.append(rate)
    base_rate, rules_rate = max(base_runs), max(rule_runs)
    print(
        json.dumps(
            {
                "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
                "rules": args.rules,
                "alerts": len(checked),
                "index_build_s": round(build_s, 3),
                "evaluate_us_per_alert": round(evaluate_s / len(checked) * 1e6, 1),
                "candidates_per_alert": round(candidates / len(checked), 2),
                "matched_share": round(matched / len(checked), 4),
                "ingest_without_rules_per_s": round(base_rate),
                "ingest_with_rules_per_s": round(rules_rate),
                "ingest_runs_per_s": {
                    "without": [round(r) for r in base_runs],
                    "with": [round(r) for r in rule_runs],
                },
                "added_ms_per_alert": round((1 / rules_rate - 1 / base_rate) * 1000, 4),
                "suppressed_at_ingest": suppressed,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
