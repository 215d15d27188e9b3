"""The one settings object.

Environment variables ``AUTOIR_*`` (nested keys with ``__``); CLI flags override them. Read once
in ``bootstrap`` and passed down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSettings(BaseModel):
    """SMTP submission of notifications (``AUTOIR_SMTP__*``); no host = the in-memory outbox."""

    host: str | None = Field(default=None, description="Submission server (AUTOIR_SMTP__HOST).")
    port: int | None = Field(
        default=None, ge=1, le=65535, description="Default 587 (starttls), 465 (tls), 25 (none)."
    )
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls (required when set), tls (implicit), none (loopback relay only).",
    )
    username: str | None = Field(default=None, description="AUTH user; unset = no AUTH.")
    password: SecretStr | None = Field(default=None, description="AUTH password (never logged).")
    sender: str | None = Field(
        default=None, description="From address, required with a host (security@example.com)."
    )
    ca_file: Path | None = Field(
        default=None, description="PEM CA certificates to trust instead of the system store."
    )
    timeout_seconds: float = Field(default=30.0, gt=0)
    helo_name: str = Field(default="localhost", description="The EHLO name AutoIR announces.")


class MailSettings(BaseModel):
    """The organisation's mail server (``AUTOIR_MAIL__*``); no ``imap_host`` = the stand-in.

    With a host, remediation acts on real mailboxes over IMAP (forwarding over ManageSieve) and
    the worker reads the mailboxes for telemetry, detections and user reports.
    """

    imap_host: str | None = Field(default=None, description="IMAP server (AUTOIR_MAIL__IMAP_HOST).")
    imap_port: int | None = Field(
        default=None, ge=1, le=65535, description="Default 993 (tls), 143 (starttls, plain)."
    )
    imap_security: Literal["tls", "starttls", "plain"] = Field(
        default="tls", description="tls (implicit), starttls (required), plain (loopback only)."
    )
    master_user: str | None = Field(
        default=None, description="Admin (Dovecot master) user: mailboxes open as box*master."
    )
    master_password: SecretStr | None = Field(default=None, description="Never logged.")
    master_separator: str = Field(default="*", min_length=1, max_length=1)
    passwords_file: Path | None = Field(
        default=None,
        description="JSON object address → password for mailboxes without master access.",
    )
    mailboxes: list[str] = Field(
        default_factory=list, description="Mailboxes to read (JSON list of addresses)."
    )
    mailboxes_file: Path | None = Field(
        default=None, description="A file with one mailbox address per line (added to the list)."
    )
    doveadm_url: str | None = Field(
        default=None,
        description="Dovecot's doveadm HTTP API (http://host:8080): read every mailbox it lists.",
    )
    doveadm_api_key: SecretStr | None = Field(default=None, description="doveadm_api_key.")
    doveadm_user_mask: str = Field(default="*", description="Which users to read (doveadm mask).")
    store_mailbox: str = Field(
        default="autoir-store",
        description="Admin-only mailbox for quarantined and sealed copies; never read as mail.",
    )
    trash_folder: str = "Trash"
    junk_folder: str = "Junk"
    archive_folder: str = "Archive"
    ca_file: Path | None = Field(
        default=None, description="PEM CA certificates to trust instead of the system store."
    )
    pool_size: int = Field(default=4, ge=1, le=64, description="IMAP connections for actions.")
    scan_concurrency: int = Field(
        default=2, ge=1, le=64, description="Mailboxes read in parallel by a scan."
    )
    poll_seconds: float = Field(
        default=60.0, gt=0, description="Seconds between scans of every mailbox."
    )
    report_mailbox: str | None = Field(
        default=None, description="Where users send phish reports (watched with IMAP IDLE)."
    )
    report_folder: str | None = Field(
        default=None, description="A folder users file suspicious mail into, in any mailbox."
    )
    detect: bool = Field(
        default=True, description="Analyse new mail and raise alerts on malicious copies."
    )
    sieve_host: str | None = Field(
        default=None, description="ManageSieve server; default: the IMAP host."
    )
    sieve_port: int = Field(default=4190, ge=1, le=65535)
    sieve_security: Literal["starttls", "tls", "plain"] = "starttls"
    retention_days: int = Field(
        default=30, ge=1, description="Days sealed copies of hard-deleted mail are kept."
    )
    timeout_seconds: float = Field(default=30.0, gt=0)

    def effective_imap_port(self) -> int:
        """The configured port, or the usual one for the security mode."""
        if self.imap_port is not None:
            return self.imap_port
        return 993 if self.imap_security == "tls" else 143


class Settings(BaseSettings):
    """AutoIR settings."""

    model_config = SettingsConfigDict(
        env_prefix="AUTOIR_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("autoir-data"), description="Where the embedded database and files live."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite in data_dir."
    )
    host: str = Field(
        default="127.0.0.1", description="Listen address. Loopback unless configured."
    )
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(
        default=None,
        description="The URL analysts open AutoIR at, for links in mail; default http://host:port.",
    )
    tenant_id: str | None = Field(
        default=None, description="Tenant GUID; generated once and kept in the database when unset."
    )
    correlation_window_hours: float = Field(default=24.0, gt=0)
    dedup_window_hours: float = Field(default=24.0, gt=0)
    max_batch: int = Field(default=5000, ge=1, le=50_000)
    max_incident_alerts: int = Field(
        default=1000, ge=2, description="Correlation limit per incident."
    )
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    session_hours: float = Field(default=12.0, gt=0)
    cookie_secure: bool = Field(
        default=False, description="Set the Secure flag on cookies (behind HTTPS)."
    )
    log_level: str = "info"
    organisation_domains: frozenset[str] = Field(
        default=frozenset(),
        description="The organisation's mail domains (AUTOIR_ORGANISATION_DOMAINS, JSON list).",
    )
    protected_domains: frozenset[str] = Field(
        default=frozenset(),
        description="Other domains whose look-alikes are phishing (partners, brands).",
    )
    yara_rule_dirs: tuple[Path, ...] = Field(
        default=(), description="Extra YARA rule folders for the attachment and file analyzers."
    )
    datasets: Path | None = Field(
        default=None,
        description="Labelled datasets for `autoir analyze evaluate` (AUTOIR_DATASETS).",
    )
    analyzer_settings: dict[str, dict[str, object]] = Field(
        default_factory=dict,
        description="Per-analyzer settings by plugin id, validated against each manifest.",
    )
    telemetry_retention_days: int = Field(
        default=30, ge=1, description="Days of telemetry kept (messages, clicks, events)."
    )
    task_broker: str | None = Field(
        default=None,
        description="Task queue: empty = SQLite file in data_dir; redis://host:port/db = Redis.",
    )
    worker_threads: int = Field(
        default=2, ge=0, le=64, description="Investigation worker threads inside `autoir serve`."
    )
    sweep_seconds: float = Field(
        default=5.0, gt=0, description="How often workers triage new alerts and resume work."
    )
    investigation_lease_seconds: float = Field(
        default=30.0,
        ge=1,
        description=(
            "How long a worker's claim on an investigation lasts unless renewed (renewed while "
            "a step runs); a dead worker's run resumes on another worker after this."
        ),
    )
    playbook_dirs: list[Path] = Field(
        default_factory=list, description="Extra directories of playbook YAML files."
    )
    housekeeping_minutes: float = Field(
        default=60.0,
        gt=0,
        description="How often workers purge telemetry older than the retention (minutes).",
    )
    four_eyes: bool = Field(
        default=False,
        description=(
            "Four-eyes rule: manual actions wait for approval, and whoever requested one cannot "
            "approve it (AUTOIR_FOUR_EYES)."
        ),
    )
    click_allow_override: bool = Field(
        default=False,
        description="Let users click through the block page of a blocked URL (recorded).",
    )
    action_max_attempts: int = Field(
        default=5, ge=1, le=50, description="Tries of an action on transient connector errors."
    )
    plugins: list[str] = Field(
        default_factory=list,
        description=(
            "Extra plugins as module:attribute references (AUTOIR_PLUGINS, JSON list), loaded "
            "after the built-ins; installed packages can use the autoir.plugins entry point."
        ),
    )

    agent_heartbeat_seconds: int = Field(
        default=60,
        ge=10,
        le=3600,
        description=(
            "How often endpoint agents send a heartbeat (seconds); a device is inactive after "
            "three missed heartbeats."
        ),
    )
    tls_cert_file: Path | None = Field(
        default=None,
        description="PEM certificate (chain) `autoir serve` listens with; needs tls_key_file.",
    )
    tls_key_file: Path | None = Field(
        default=None,
        description="PEM private key of tls_cert_file (AUTOIR_TLS_KEY_FILE; never logged).",
    )

    smtp: SmtpSettings = Field(
        default_factory=SmtpSettings, description="Notification mail (AUTOIR_SMTP__HOST, …)."
    )

    mail: MailSettings = Field(
        default_factory=MailSettings, description="Mail server (AUTOIR_MAIL__IMAP_HOST, …)."
    )

    def effective_public_url(self) -> str:
        """``public_url``, or the address AutoIR listens on."""
        scheme = "https" if self.tls_cert_file and self.tls_key_file else "http"
        return (self.public_url or f"{scheme}://{self.host}:{self.port}").rstrip("/")

    def effective_database_url(self) -> str:
        """The configured URL, or SQLite at ``data_dir/autoir.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'autoir.db').resolve()}"
