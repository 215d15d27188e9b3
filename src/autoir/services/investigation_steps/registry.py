"""The step functions playbooks can name."""

from __future__ import annotations

from autoir.services.investigation_steps.alert_evidence import collect_alert_evidence
from autoir.services.investigation_steps.analysis import analyze_evidence
from autoir.services.investigation_steps.clicks import url_clicks
from autoir.services.investigation_steps.clusters import email_clusters
from autoir.services.investigation_steps.contract import StepFunction
from autoir.services.investigation_steps.devices import expand_device
from autoir.services.investigation_steps.messages import locate_messages
from autoir.services.investigation_steps.subject import collect_subject
from autoir.services.investigation_steps.users import expand_user

STEP_FUNCTIONS: dict[str, StepFunction] = {
    "collect_alert_evidence": collect_alert_evidence,
    "collect_subject": collect_subject,
    "locate_messages": locate_messages,
    "analyze_evidence": analyze_evidence,
    "email_clusters": email_clusters,
    "url_clicks": url_clicks,
    "expand_device": expand_device,
    "expand_user": expand_user,
}
