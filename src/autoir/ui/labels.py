"""Human labels for enum values (severity, status, sources…), marked for translation.

Values are the Graph spellings (``truePositive``); labels are English msgids translated at
render time. ``N_`` only marks a string for extraction (``pybabel extract`` knows it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from autoir.domain.alerts.classification import DETERMINATIONS_BY_CLASSIFICATION
from autoir.domain.alerts.enums import AlertClassification


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


SEVERITY = {
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
    "informational": N_("Informational"),
    "unknown": N_("Unknown"),
    "unknownFutureValue": N_("Unknown"),
}
ALERT_STATUS = {
    "new": N_("New"),
    "inProgress": N_("In progress"),
    "resolved": N_("Resolved"),
    "unknown": N_("Unknown"),
    "unknownFutureValue": N_("Unknown"),
}
INCIDENT_STATUS = {
    "active": N_("Active"),
    "inProgress": N_("In progress"),
    "resolved": N_("Resolved"),
    "redirected": N_("Merged"),
    "awaitingAction": N_("Awaiting action"),
    "unknownFutureValue": N_("Unknown"),
}
CLASSIFICATION = {
    "truePositive": N_("True positive"),
    "informationalExpectedActivity": N_("Informational, expected activity"),
    "falsePositive": N_("False positive"),
    "unknown": N_("Not classified"),
    "unknownFutureValue": N_("Not classified"),
}
DETERMINATION = {
    "multiStagedAttack": N_("Multistage attack"),
    "maliciousUserActivity": N_("Malicious user activity"),
    "compromisedAccount": N_("Compromised account"),
    "malware": N_("Malware"),
    "phishing": N_("Phishing"),
    "unwantedSoftware": N_("Unwanted software"),
    "apt": N_("APT (deprecated)"),
    "securityTesting": N_("Security test"),
    "lineOfBusinessApplication": N_("Line-of-business application"),
    "confirmedActivity": N_("Confirmed activity"),
    "securityPersonnel": N_("Security personnel (deprecated)"),
    "notMalicious": N_("Not malicious"),
    "notEnoughDataToValidate": N_("Not enough data to validate"),
    "other": N_("Other"),
    "unknown": N_("Not set"),
    "unknownFutureValue": N_("Not set"),
}
SERVICE_SOURCE = {
    "microsoftDefenderForEndpoint": N_("Defender for Endpoint"),
    "microsoftDefenderForIdentity": N_("Defender for Identity"),
    "microsoftDefenderForCloudApps": N_("Defender for Cloud Apps"),
    "microsoftDefenderForOffice365": N_("Defender for Office 365"),
    "microsoft365Defender": N_("Defender XDR"),
    "azureAdIdentityProtection": N_("Entra ID Protection"),
    "microsoftAppGovernance": N_("App governance"),
    "dataLossPrevention": N_("Data loss prevention"),
    "microsoftDefenderForCloud": N_("Defender for Cloud"),
    "microsoftSentinel": N_("Sentinel"),
    "microsoftThreatIntelligence": N_("Threat intelligence"),
    "unknown": N_("Unknown"),
    "unknownFutureValue": N_("Unknown"),
}
DETECTION_SOURCE = {
    "microsoftDefenderForEndpoint": N_("EDR"),
    "antivirus": N_("Antivirus"),
    "smartScreen": N_("SmartScreen"),
    "customTi": N_("Custom threat intelligence"),
    "microsoftDefenderForOffice365": N_("Email protection"),
    "automatedInvestigation": N_("Automated investigation"),
    "microsoftThreatExperts": N_("Threat experts"),
    "customDetection": N_("Custom detection"),
    "microsoftDefenderForIdentity": N_("Identity protection"),
    "cloudAppSecurity": N_("Cloud app security"),
    "microsoft365Defender": N_("XDR correlation"),
    "azureAdIdentityProtection": N_("Entra ID Protection"),
    "manual": N_("Manual"),
    "microsoftDataLossPrevention": N_("Data loss prevention"),
    "appGovernancePolicy": N_("App governance policy"),
    "appGovernanceDetection": N_("App governance detection"),
    "microsoftDefenderForCloud": N_("Defender for Cloud"),
    "microsoftDefenderForIoT": N_("Defender for IoT"),
    "microsoftDefenderForServers": N_("Defender for Servers"),
    "microsoftDefenderForStorage": N_("Defender for Storage"),
    "microsoftDefenderForDNS": N_("Defender for DNS"),
    "microsoftDefenderForDatabases": N_("Defender for Databases"),
    "microsoftDefenderForContainers": N_("Defender for Containers"),
    "microsoftDefenderForNetwork": N_("Defender for Network"),
    "microsoftDefenderForAppService": N_("Defender for App Service"),
    "microsoftDefenderForKeyVault": N_("Defender for Key Vault"),
    "microsoftDefenderForResourceManager": N_("Defender for Resource Manager"),
    "microsoftDefenderForApiManagement": N_("Defender for API Management"),
    "microsoftSentinel": N_("Sentinel"),
    "nrtAlerts": N_("Near-real-time rule"),
    "scheduledAlerts": N_("Scheduled rule"),
    "microsoftDefenderThreatIntelligenceAnalytics": N_("Threat intelligence analytics"),
    "builtInMl": N_("Built-in machine learning"),
    "unknown": N_("Unknown"),
    "unknownFutureValue": N_("Unknown"),
}
INVESTIGATION_STATE = {
    "unknown": N_("Unknown"),
    "terminated": N_("Terminated"),
    "successfullyRemediated": N_("Remediated"),
    "benign": N_("No threats found"),
    "failed": N_("Failed"),
    "partiallyRemediated": N_("Partially remediated"),
    "running": N_("Running"),
    "pendingApproval": N_("Pending approval"),
    "pendingResource": N_("Pending resource"),
    "queued": N_("Queued"),
    "innerFailure": N_("Internal failure"),
    "preexistingAlert": N_("Skipped: similar alert investigated"),
    "unsupportedOs": N_("Unsupported operating system"),
    "unsupportedAlertType": N_("Unsupported alert type"),
    "suppressedAlert": N_("Suppressed"),
    "partiallyInvestigated": N_("Partially investigated"),
    "terminatedByUser": N_("Stopped by user"),
    "terminatedBySystem": N_("Stopped by system"),
    "unknownFutureValue": N_("Unknown"),
}
VERDICT = {
    "malicious": N_("Malicious"),
    "suspicious": N_("Suspicious"),
    "noThreatsFound": N_("No threats found"),
    "unknown": N_("Unknown"),
    "unknownFutureValue": N_("Unknown"),
}
REMEDIATION_STATUS = {
    "none": N_("None"),
    "remediated": N_("Remediated"),
    "prevented": N_("Prevented"),
    "blocked": N_("Blocked"),
    "notFound": N_("Not found"),
    "active": N_("Active"),
    "pendingApproval": N_("Pending approval"),
    "declined": N_("Declined"),
    "unremediated": N_("Not remediated"),
    "running": N_("Running"),
    "partiallyRemediated": N_("Partially remediated"),
    "unknownFutureValue": N_("Unknown"),
}
EVIDENCE_TYPE = {
    "deviceEvidence": N_("Devices"),
    "userEvidence": N_("Users"),
    "mailboxEvidence": N_("Mailboxes"),
    "analyzedMessageEvidence": N_("Email messages"),
    "mailClusterEvidence": N_("Email clusters"),
    "fileEvidence": N_("Files"),
    "processEvidence": N_("Processes"),
    "urlEvidence": N_("URLs"),
    "ipEvidence": N_("IP addresses"),
    "registryKeyEvidence": N_("Registry keys"),
    "registryValueEvidence": N_("Registry values"),
    "cloudApplicationEvidence": N_("Cloud applications"),
    "oauthApplicationEvidence": N_("OAuth applications"),
    "securityGroupEvidence": N_("Security groups"),
    "alert": N_("Alert"),
    "evidence": N_("Evidence"),
}
ENTITY_KIND = {
    "auto": N_("Any (detect from value)"),
    "email": N_("Email message"),
    "device": N_("Device"),
    "user": N_("User"),
    "mailbox": N_("Mailbox"),
    "file": N_("File hash"),
    "ip": N_("IP address"),
    "url": N_("URL"),
    "any": N_("Any entity"),
}
ROLE = {
    "Global administrator": N_("Global administrator"),
    "Security administrator": N_("Security administrator"),
    "Security operator": N_("Security operator"),
    "Global reader": N_("Global reader"),
    "Security reader": N_("Security reader"),
    "Compliance administrator": N_("Compliance administrator"),
    "Organization management": N_("Organization management"),
}

INVESTIGATION_STATUS = {
    "starting": N_("Starting"),
    "queued": N_("Queued"),
    "running": N_("Running"),
    "pendingAction": N_("Pending action"),
    "partiallyInvestigated": N_("Partially investigated"),
    "partiallyRemediated": N_("Partially remediated"),
    "remediated": N_("Remediated"),
    "noThreatsFound": N_("No threats found"),
    "failed": N_("Failed"),
    "terminatedBySystem": N_("Terminated by system"),
    "terminatedByUser": N_("Terminated by user"),
}
INVESTIGATION_TYPE = {
    "userReportedMessage": N_("User-reported message"),
    "urlClick": N_("URL click"),
    "zappedFile": N_("Zapped malware"),
    "zappedUrl": N_("Zapped phish"),
    "urlVerdictChange": N_("URL verdict change"),
    "suspiciousEmailSending": N_("Suspicious email sending"),
    "deviceThreat": N_("Device threat"),
    "userCompromised": N_("Compromised user"),
    "manual": N_("Started by an analyst"),
}
EVIDENCE_KIND = {
    "alert": N_("Alert"),
    "analyzedMessage": N_("Email message"),
    "mailCluster": N_("Email cluster"),
    "url": N_("URL"),
    "file": N_("File"),
    "process": N_("Process"),
    "device": N_("Device"),
    "user": N_("User"),
    "mailbox": N_("Mailbox"),
    "ip": N_("IP address"),
    "registryKey": N_("Registry key"),
    "registryValue": N_("Registry value"),
    "cloudApplication": N_("Cloud application"),
    "oauthApplication": N_("OAuth application"),
    "securityGroup": N_("Security group"),
    "scheduledTask": N_("Scheduled task"),
}
EVIDENCE_ORIGIN = {
    "alert": N_("Alert"),
    "expansion": N_("Expansion"),
    "analysis": N_("Analysis"),
}
LOG_KIND = {
    "step": N_("Step"),
    "analyzer": N_("Analyzer"),
    "action": N_("Action"),
    "system": N_("System"),
}
LOG_STATUS = {
    "running": N_("Running"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "skipped": N_("Skipped"),
}
TRIGGER_ROLE = {"trigger": N_("Triggering alert"), "preexisting": N_("Joined (same entities)")}
ACTION_TYPE = {
    "collectInvestigationPackage": N_("Collect investigation package"),
    "isolateDevice": N_("Isolate device"),
    "releaseFromIsolation": N_("Release from isolation"),
    "offboardMachine": N_("Offboard device"),
    "restrictCodeExecution": N_("Restrict app execution"),
    "releaseCodeExecution": N_("Remove app restriction"),
    "runAntivirusScan": N_("Run antivirus scan"),
    "stopAndQuarantineFile": N_("Stop and quarantine file"),
    "releaseFromQuarantine": N_("Restore file from quarantine"),
    "requestSample": N_("Collect file sample"),
    "liveResponseDeleteFile": N_("Delete file (live response)"),
    "liveResponseStopProcess": N_("Stop process (live response)"),
    "liveResponseRemoveScheduledTask": N_("Remove scheduled task (live response)"),
    "softDeleteEmail": N_("Soft delete email"),
    "moveBackEmail": N_("Move email back"),
    "hardDeleteEmail": N_("Hard delete email"),
    "moveToJunk": N_("Move to junk"),
    "moveToInbox": N_("Move to inbox"),
    "quarantineEmail": N_("Quarantine email"),
    "releaseEmail": N_("Release email from quarantine"),
    "quarantineAttachment": N_("Quarantine attachment"),
    "restoreAttachment": N_("Restore attachment"),
    "blockUrl": N_("Block URL"),
    "unblockUrl": N_("Unblock URL"),
    "turnOffExternalForwarding": N_("Turn off external forwarding"),
    "restoreForwarding": N_("Restore forwarding"),
    "disableUser": N_("Disable user"),
    "enableUser": N_("Enable user"),
    "resetPassword": N_("Reset password"),
    "revokeSessions": N_("Revoke sessions"),
    "confirmUserCompromised": N_("Confirm user compromised"),
    "dismissUserCompromised": N_("Dismiss user compromised"),
}
ACTION_STATUS = {
    "pending": N_("Pending approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "queued": N_("Queued"),
    "running": N_("Running"),
    "pendingResource": N_("Waiting for device"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired"),
    "undone": N_("Undone"),
}
ACTION_SOURCE = {
    "manualDeviceAction": N_("Manual device action"),
    "manualEmailAction": N_("Manual email action"),
    "automatedDeviceAction": N_("Automated device action"),
    "automatedEmailAction": N_("Automated email action"),
    "advancedHuntingAction": N_("Advanced hunting action"),
    "explorerAction": N_("Explorer action"),
    "manualLiveResponseAction": N_("Manual live response action"),
    "liveResponseActionApi": N_("Live response API action"),
}
MACHINE_ACTION_STATUS = {
    "PendingResource": N_("Waiting for device"),
    "InProgress": N_("In progress"),
    "Succeeded": N_("Succeeded"),
    "Failed": N_("Failed"),
}
ACTION_PARAMETER = {
    "isolationType": N_("Isolation type"),
    "scanType": N_("Scan type"),
    "Full": N_("Full"),
    "Selective": N_("Selective"),
    "Quick": N_("Quick"),
}
MESSAGE_OUTCOME = {
    "done": N_("Done"),
    "notFound": N_("Not found"),
    "failed": N_("Failed"),
}
DELIVERY_LOCATION = {
    "inbox": N_("Inbox"),
    "external": N_("On-premises or external"),
    "junkFolder": N_("Junk folder"),
    "quarantine": N_("Quarantine"),
    "failed": N_("Failed"),
    "dropped": N_("Dropped"),
    "deletedFolder": N_("Deleted items"),
    "forwarded": N_("Forwarded"),
    "unknown": N_("Unknown"),
}
DELIVERY_ACTION = {
    "delivered": N_("Delivered"),
    "deliveredAsSpam": N_("Delivered as spam"),
    "junked": N_("Junked"),
    "blocked": N_("Blocked"),
    "replaced": N_("Replaced"),
    "unknown": N_("Unknown"),
}
# Defender's names of the automation levels (reference §3.1), the same as AutomationLevel.label.
AUTOMATION_LEVEL = {
    "full": N_("Full - remediate threats automatically"),
    "semiAnyFolder": N_("Semi - require approval for any remediation"),
    "semiCoreFolders": N_("Semi - require approval for core folders remediation"),
    "semiNonTempFolders": N_("Semi - require approval for non-temp folders remediation"),
    "noAutomatedResponse": N_("No automated response"),
}
DECISION_MODE = {
    "automatic": N_("Automatic"),
    "approval": N_("Approval required"),
    "none": N_("No action"),
}
FOLDER_CLASS = {
    "core": N_("Core folder"),
    "temp": N_("Temporary folder"),
    "other": N_("Other folder"),
}

VOCABULARIES: dict[str, dict[str, str]] = {
    "severity": SEVERITY,
    "status": ALERT_STATUS,
    "incidentStatus": INCIDENT_STATUS,
    "classification": CLASSIFICATION,
    "determination": DETERMINATION,
    "serviceSource": SERVICE_SOURCE,
    "detectionSource": DETECTION_SOURCE,
    "investigationState": INVESTIGATION_STATE,
    "verdict": VERDICT,
    "remediationStatus": REMEDIATION_STATUS,
    "evidenceType": EVIDENCE_TYPE,
    "entityKind": ENTITY_KIND,
    "role": ROLE,
    "investigationStatus": INVESTIGATION_STATUS,
    "investigationType": INVESTIGATION_TYPE,
    "evidenceKind": EVIDENCE_KIND,
    "evidenceOrigin": EVIDENCE_ORIGIN,
    "logKind": LOG_KIND,
    "logStatus": LOG_STATUS,
    "triggerRole": TRIGGER_ROLE,
    "actionType": ACTION_TYPE,
    "actionStatus": ACTION_STATUS,
    "actionSource": ACTION_SOURCE,
    "machineActionStatus": MACHINE_ACTION_STATUS,
    "messageOutcome": MESSAGE_OUTCOME,
    "actionParameter": ACTION_PARAMETER,
    "deliveryLocation": DELIVERY_LOCATION,
    "deliveryAction": DELIVERY_ACTION,
    "automationLevel": AUTOMATION_LEVEL,
    "decisionMode": DECISION_MODE,
    "folderClass": FOLDER_CLASS,
}

# Options offered in filters and forms, in the order an analyst reads them.
SEVERITY_OPTIONS = ("high", "medium", "low", "informational")
ALERT_STATUS_OPTIONS = ("new", "inProgress", "resolved")
INCIDENT_STATUS_OPTIONS = ("active", "inProgress", "awaitingAction", "resolved")
INCIDENT_SETTABLE_STATUSES = ("active", "inProgress", "resolved")
CLASSIFICATION_OPTIONS = ("truePositive", "informationalExpectedActivity", "falsePositive")
SERVICE_SOURCE_OPTIONS = tuple(
    k for k in SERVICE_SOURCE if k not in ("unknown", "unknownFutureValue")
)
DETECTION_SOURCE_OPTIONS = tuple(
    k for k in DETECTION_SOURCE if k not in ("unknown", "unknownFutureValue")
)
INVESTIGATION_STATE_OPTIONS = tuple(k for k in INVESTIGATION_STATE if k != "unknownFutureValue")
INVESTIGATION_STATUS_OPTIONS = tuple(INVESTIGATION_STATUS)
INVESTIGATION_TYPE_OPTIONS = tuple(INVESTIGATION_TYPE)
ACTION_TYPE_OPTIONS = tuple(ACTION_TYPE)
ACTION_STATUS_OPTIONS = tuple(ACTION_STATUS)
ACTION_SOURCE_OPTIONS = tuple(ACTION_SOURCE)

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def allowed_determinations() -> dict[str, list[str]]:
    """Classification → determinations allowed with it (reference §6.2), in display order."""
    order = list(DETERMINATION)
    return {
        classification.value: sorted(
            (d.value for d in DETERMINATIONS_BY_CLASSIFICATION[classification]),
            key=order.index,
        )
        for classification in (AlertClassification(value) for value in CLASSIFICATION_OPTIONS)
    }


def labeller(gettext: Callable[[str], str]) -> Callable[[object, str], str]:
    """A ``label(value, vocabulary)`` function (a Jinja filter) translating with ``gettext``."""

    def label(value: object, vocabulary: str) -> str:
        if value is None or value == "":
            return "—"
        text = str(getattr(value, "value", value))
        msgid = VOCABULARIES.get(vocabulary, {}).get(text)
        if msgid is not None:
            return gettext(msgid)
        return _CAMEL.sub(" ", text).capitalize()

    return label
