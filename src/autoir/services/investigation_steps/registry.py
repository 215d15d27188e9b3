"""The step functions playbooks can name."""

from __future__ import annotations

from autoir.services.investigation_steps.alert_evidence import collect_alert_evidence
from autoir.services.investigation_steps.analysis import analyze_evidence
from autoir.services.investigation_steps.contract import StepFunction
from autoir.services.investigation_steps.subject import collect_subject

STEP_FUNCTIONS: dict[str, StepFunction] = {
    "collect_alert_evidence": collect_alert_evidence,
    "analyze_evidence": analyze_evidence,
    "collect_subject": collect_subject,
}
