"""Builders for Graph ``alertEvidence`` objects (device, file, process, user, network, cloud)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from autoir.demo.primitives import iso, stable_guid
from autoir.demo.records import TelemetryLog

if TYPE_CHECKING:
    from random import Random

    from autoir.demo.content import CloudApp
    from autoir.demo.directory import DemoDevice, DemoUser, Directory
    from autoir.demo.primitives import FileSpec

Evidence = dict[str, object]

_OS_BUILDS = {
    ("Windows11", "23H2"): 22631,
    ("Windows11", "24H2"): 26100,
    ("Windows10", "22H2"): 19045,
    ("WindowsServer2022", "21H2"): 20348,
    ("WindowsServer2019", "1809"): 17763,
}


def base(
    kind: str,
    at: datetime,
    *,
    verdict: str = "suspicious",
    remediation: str = "none",
    roles: Sequence[str] = (),
    detailed: Sequence[str] = (),
) -> Evidence:
    """The properties every evidence type has."""
    return {
        "@odata.type": f"#microsoft.graph.security.{kind}",
        "createdDateTime": iso(at),
        "verdict": verdict,
        "remediationStatus": remediation,
        "remediationStatusDetails": None,
        "roles": list(roles),
        "detailedRoles": list(detailed),
        "tags": [],
    }


def file_details(spec: FileSpec) -> dict[str, object]:
    """The ``fileDetails`` complex type."""
    return {
        "fileName": spec.name,
        "filePath": spec.folder or None,
        "fileSize": spec.size,
        "sha1": spec.sha1,
        "sha256": spec.sha256,
        "md5": spec.md5,
        "filePublisher": spec.publisher,
        "signer": spec.signer,
        "issuer": spec.issuer,
    }


@dataclass(frozen=True, slots=True)
class Step:
    """One process in a chain: its image and command line."""

    image: FileSpec
    command_line: str


@dataclass(slots=True)
class EvidenceKit:
    """Evidence builders bound to the tenant directory, the clock and the random source.

    ``log`` collects the telemetry the builders' stories leave (mail, clicks, sign-ins).
    """

    rng: Random
    directory: Directory
    now: datetime
    log: TelemetryLog = field(default_factory=TelemetryLog)

    def account(self, user: DemoUser) -> dict[str, object]:
        """The ``userAccount`` complex type of a directory user."""
        return {
            "accountName": self.directory.account_name(user),
            "domainName": self.directory.netbios,
            "userPrincipalName": user.upn,
            "userSid": user.user_sid,
            "azureAdUserId": user.azure_ad_user_id,
            "displayName": user.display_name,
        }

    @staticmethod
    def local_account(name: str, domain: str, sid: str | None = None) -> dict[str, object]:
        """A local or service account (``root``, ``SYSTEM``) without a directory identity."""
        return {
            "accountName": name,
            "domainName": domain,
            "userPrincipalName": None,
            "userSid": sid,
            "azureAdUserId": None,
            "displayName": name,
        }

    def first_seen(self, device: DemoDevice) -> datetime:
        """When the device was onboarded: a stable function of its id."""
        days = 45 + int(device.device_id[:6], 16) % 700
        return self.now - timedelta(days=days, seconds=int(device.device_id[6:12], 16) % 86_400)

    def device(
        self,
        device: DemoDevice,
        at: datetime,
        *,
        risk: str = "medium",
        verdict: str = "suspicious",
        roles: Sequence[str] = ("compromised",),
        detailed: Sequence[str] = ("PrimaryDevice",),
        remediation: str = "none",
    ) -> Evidence:
        """``deviceEvidence`` for a Defender for Endpoint device."""
        evidence = base(
            "deviceEvidence",
            at,
            verdict=verdict,
            remediation=remediation,
            roles=roles,
            detailed=detailed,
        )
        owner = self.directory.user(device.owner_upn) if device.owner_upn else None
        if device.os_platform == "Linux":
            rbac, logged_on = (
                "Servers - Linux",
                [{"accountName": "root", "domainName": device.host_name}],
            )
        elif owner is None:
            rbac = "Servers - Windows"
            logged_on = [{"accountName": "svc_backup", "domainName": self.directory.netbios}]
        else:
            rbac = f"Workstations - {owner.department}"
            logged_on = [
                {
                    "accountName": self.directory.account_name(owner),
                    "domainName": self.directory.netbios,
                }
            ]
        evidence |= {
            "mdeDeviceId": device.device_id,
            "azureAdDeviceId": str(uuid.UUID(device.device_id[4:36]))
            if device.is_windows
            else None,
            "deviceDnsName": device.dns_name,
            "hostName": device.host_name,
            "osPlatform": device.os_platform,
            "osBuild": _OS_BUILDS.get((device.os_platform, device.os_version)),
            "version": device.os_version,
            "healthStatus": "active",
            "riskScore": risk,
            "onboardingStatus": "onboarded",
            "defenderAvStatus": "updated",
            "rbacGroupName": rbac,
            "rbacGroupId": 100 + sum(map(ord, rbac)) % 50,
            "ipInterfaces": list(device.ip_addresses),
            "loggedOnUsers": logged_on,
            "lastIpAddress": device.ip_addresses[0],
            "dnsDomain": device.dns_name.split(".", 1)[1],
            "ntDomain": self.directory.netbios if device.is_windows else None,
            "firstSeenDateTime": iso(self.first_seen(device)),
        }
        return evidence

    def file(
        self,
        spec: FileSpec,
        at: datetime,
        *,
        device: DemoDevice | None = None,
        status: str = "detected",
        verdict: str = "malicious",
        remediation: str = "none",
        roles: Sequence[str] = (),
    ) -> Evidence:
        """``fileEvidence``; on a device when ``device`` is given, else (mail) detached."""
        evidence = base("fileEvidence", at, verdict=verdict, remediation=remediation, roles=roles)
        evidence |= {
            "fileDetails": file_details(spec),
            "detectionStatus": status,
            "mdeDeviceId": device.device_id if device else None,
        }
        return evidence

    def processes(
        self,
        device: DemoDevice,
        account: dict[str, object],
        at: datetime,
        steps: Sequence[Step],
        *,
        start: datetime,
        status: str = "detected",
        remediation: str = "none",
    ) -> list[Evidence]:
        """A chain of ``processEvidence`` where each step is the parent of the next.

        The first step starts at ``start`` (its own parent much earlier); the last step is the
        detected process, earlier ones are context. Process ids chain through
        ``parentProcessId`` so that a user interface can draw the tree.
        """
        rng = self.rng
        parent_pid = rng.randint(600, 9_000) // 4 * 4
        parent_created = start - timedelta(hours=rng.uniform(0.2, 30))
        parent_image: FileSpec | None = None
        created = start
        out: list[Evidence] = []
        for index, step in enumerate(steps):
            last = index == len(steps) - 1
            pid = rng.randint(1_000, 30_000) // 4 * 4
            evidence = base(
                "processEvidence",
                at,
                verdict="malicious" if last else "suspicious",
                remediation=remediation if last else "none",
                roles=("suspicious",) if last else ("contextual",),
            )
            evidence |= {
                "processId": pid,
                "parentProcessId": parent_pid,
                "processCommandLine": step.command_line,
                "processCreationDateTime": iso(created),
                "parentProcessCreationDateTime": iso(parent_created),
                "imageFile": file_details(step.image),
                "parentProcessImageFile": file_details(parent_image) if parent_image else None,
                "userAccount": account,
                "detectionStatus": status if last else None,
                "mdeDeviceId": device.device_id,
            }
            out.append(evidence)
            parent_pid, parent_created, parent_image = pid, created, step.image
            created += timedelta(seconds=rng.uniform(0.2, 20))
        return out

    def user(
        self,
        user: DemoUser,
        at: datetime,
        *,
        roles: Sequence[str] = ("compromised",),
        verdict: str = "suspicious",
    ) -> Evidence:
        """``userEvidence`` for a directory user."""
        evidence = base("userEvidence", at, verdict=verdict, roles=roles)
        evidence["userAccount"] = self.account(user)
        return evidence

    def mailbox(self, user: DemoUser, at: datetime, *, roles: Sequence[str] = ()) -> Evidence:
        """``mailboxEvidence`` for a user's mailbox."""
        evidence = base("mailboxEvidence", at, verdict="unknown", roles=roles)
        evidence |= {
            "displayName": user.display_name,
            "primaryAddress": user.upn,
            "upn": user.upn,
            "userAccount": self.account(user),
        }
        return evidence

    @staticmethod
    def url(
        url: str, at: datetime, *, verdict: str = "malicious", roles: Sequence[str] = ()
    ) -> Evidence:
        """``urlEvidence``."""
        evidence = base("urlEvidence", at, verdict=verdict, roles=roles)
        evidence["url"] = url
        return evidence

    @staticmethod
    def ip(
        address: str,
        at: datetime,
        country: str | None,
        *,
        verdict: str = "suspicious",
        roles: Sequence[str] = ("attacker",),
    ) -> Evidence:
        """``ipEvidence``."""
        evidence = base("ipEvidence", at, verdict=verdict, roles=roles)
        evidence |= {"ipAddress": address, "countryLetterCode": country}
        return evidence

    @staticmethod
    def registry(
        device: DemoDevice, at: datetime, key: str, name: str, value: str
    ) -> list[Evidence]:
        """A ``registryKeyEvidence`` and the ``registryValueEvidence`` written under it."""
        hive = "HKEY_CURRENT_USER" if key.startswith("Software\\") else "HKEY_LOCAL_MACHINE"
        key_evidence = base("registryKeyEvidence", at, roles=("edited",))
        key_evidence |= {"registryKey": key, "registryHive": hive, "mdeDeviceId": device.device_id}
        value_evidence = base("registryValueEvidence", at, roles=("created",))
        value_evidence |= {
            "registryKey": key,
            "registryHive": hive,
            "registryValueName": name,
            "registryValue": value,
            "registryValueType": "String",
            "mdeDeviceId": device.device_id,
        }
        return [key_evidence, value_evidence]

    @staticmethod
    def cloud_app(app: CloudApp, at: datetime, *, roles: Sequence[str] = ()) -> Evidence:
        """``cloudApplicationEvidence``."""
        evidence = base("cloudApplicationEvidence", at, verdict="unknown", roles=roles)
        evidence |= {
            "appId": app.app_id,
            "displayName": app.display_name,
            "instanceId": app.instance_id,
            "instanceName": app.instance_name or app.display_name,
            "saasAppId": app.app_id,
        }
        return evidence

    @staticmethod
    def oauth_app(
        name: str, publisher: str, app_id: str, at: datetime, *, verdict: str = "suspicious"
    ) -> Evidence:
        """``oauthApplicationEvidence``; the service principal id follows from ``app_id``."""
        evidence = base("oauthApplicationEvidence", at, verdict=verdict, roles=("suspicious",))
        evidence |= {
            "appId": app_id,
            "displayName": name,
            "objectId": stable_guid(f"service-principal/{app_id}"),
            "publisher": publisher,
        }
        return evidence
