"""Configuration from the environment (and a .env file), with the Bot Framework's own names."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from domain.calendar import ReportingDeadlines
from storage.casework_reminders import ReminderPolicy
from storage.crypto import DataKey, DataKeyError, new_key_spec, parse_keys

MAX_BODY_BYTES = 256 * 1024
# Where a MultiTenant bot's tokens come from: the Bot Framework's own tenant.
MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"
# The Agents SDK's own names for the same settings (its samples' .env), also read.
_SDK = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
log = logging.getLogger(__name__)


class MissingDataKey(DataKeyError):
    """Production needs its data key from the environment, never a file next to the code; in
    local mode no key is made for a database that already holds data sealed with another."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    port: int = Field(3978, alias="PORT")
    database_url: str = Field("sqlite:///tryggest.db", alias="DATABASE_URL")
    app_id: str = Field(
        "", validation_alias=AliasChoices("MicrosoftAppId", _SDK + "CLIENTID", "app_id")
    )
    app_password: str = Field(
        "",
        validation_alias=AliasChoices(
            "MicrosoftAppPassword", _SDK + "CLIENTSECRET", "app_password"
        ),
    )
    app_type: str = Field("MultiTenant", alias="MicrosoftAppType")
    app_tenant_id: str = Field(
        "",
        validation_alias=AliasChoices("MicrosoftAppTenantId", _SDK + "TENANTID", "app_tenant_id"),
    )
    # 'k2:BASE64,k1:BASE64': the first encrypts, all decrypt (key rotation).
    data_keys: str = Field("", alias="TRYGGEST_DATA_KEYS")
    # Answer every activity in this locale (the Agents Playground always says en-US).
    force_locale: str = Field("", alias="TRYGGEST_FORCE_LOCALE")
    # Local mode only: a key made on first start and kept beside the data: the SQLite file, or
    # for PostgreSQL the data directory (TRYGGEST_DATA_DIR, default ~/.local/share/tryggest).
    key_file: str = Field("tryggest-data.key", alias="TRYGGEST_KEY_FILE")
    data_dir: str = Field("", alias="TRYGGEST_DATA_DIR")
    # The host name Teams reaches the bot on (tryggest.kommune.no); for the Teams app package.
    public_domain: str = Field("", alias="TRYGGEST_PUBLIC_DOMAIN")
    # Half-year statistics: counts below this are shown as "<3" (and what would reveal them as x).
    stats_threshold: int = Field(3, ge=1, le=20, alias="TRYGGEST_STATS_THRESHOLD")
    # The configuration file: tenants, first admins, the organisation (`tryggest org apply`).
    config_file: str = Field("tryggest.toml", alias="TRYGGEST_CONFIG")
    # --- retention (access control) ---
    # A closed case's personal data is erased this many months after it was closed.
    retention_months: int = Field(24, ge=1, alias="TRYGGEST_RETENTION_MONTHS")
    # --- end retention ---
    # How often the outbox is swept for retries (it is also woken after every turn).
    outbox_interval_seconds: float = Field(5.0, gt=0, alias="TRYGGEST_OUTBOX_INTERVAL")
    # How long one request to Teams may take before it counts as no answer (and is tried again).
    teams_timeout_seconds: float = Field(30.0, gt=0, le=300, alias="TRYGGEST_TEAMS_TIMEOUT_SECONDS")
    # Minutes a personal view (the personal details, a timeline, a free-text preview) stays
    # readable in someone's chat before it is replaced by a card without the details.
    personal_view_minutes: float = Field(
        10.0, gt=0, le=24 * 60, alias="TRYGGEST_PERSONAL_VIEW_MINUTES"
    )
    # Requests per send when Teams answers "not now" (the first included), within seconds of
    # each other; after them the outbox tries again on its own, longer schedule.
    teams_attempts: int = Field(5, ge=1, le=10, alias="TRYGGEST_TEAMS_ATTEMPTS")
    # How long a message Teams will not take now is tried again before the coordinators are
    # told it could not be delivered (scheduler/outbox.py).
    delivery_deadline_hours: float = Field(
        24.0, gt=0, le=24 * 14, alias="TRYGGEST_DELIVERY_DEADLINE_HOURS"
    )
    # Off: this process delivers nothing by itself (the tests deliver when they choose to, and
    # an operator may run delivery in one process of several). Off never loses anything: the
    # outbox keeps it until a process with delivery on takes it.
    outbox_delivery: bool = Field(True, alias="TRYGGEST_OUTBOX_DELIVERY")
    # --- reminders (the scheduler) ---
    # Off: this process plans and sends no reminders and no monthly access reviews (tests run
    # them with their own clock; with several instances all may have it on: each reminder and
    # each review is claimed by one).
    scheduler: bool = Field(True, alias="TRYGGEST_SCHEDULER")
    # How many instances run side by side (on PostgreSQL): each takes its share of Teams'
    # per-tenant send rate, and a conversation's turns wait for each other across them.
    instances: int = Field(1, ge=1, le=64, alias="TRYGGEST_INSTANCES")
    reminder_sweep_seconds: float = Field(30.0, gt=0, alias="TRYGGEST_REMINDER_SWEEP_SECONDS")
    # A report not assessed within this many working days reminds the coordinators; after as
    # many again, the leadership team.
    assessment_working_days: int = Field(3, ge=1, le=30, alias="TRYGGEST_ASSESSMENT_WORKING_DAYS")
    # Bufdir's deadlines for the half-year report (month-day after the period) and the days
    # before them the coordinators are reminded (0: on the day).
    report_deadlines: str = Field("H1=08-15,H2=02-15", alias="TRYGGEST_REPORT_DEADLINES")
    report_reminder_days: str = Field("30,14,3,0", alias="TRYGGEST_REPORT_REMINDER_DAYS")
    # --- end reminders ---
    # --- Microsoft Graph (gatherings) ---
    # With all four set, a network gathering also becomes an Outlook event with a Teams meeting
    # in the organiser mailbox's calendar (an app registration with the application permission
    # Calendars.ReadWrite, best limited to that mailbox by an application access policy).
    # None set: Graph is off and gatherings go out as calendar files only.
    graph_tenant_id: str = Field("", alias="TRYGGEST_GRAPH_TENANT_ID")
    graph_client_id: str = Field("", alias="TRYGGEST_GRAPH_CLIENT_ID")
    graph_client_secret: str = Field("", alias="TRYGGEST_GRAPH_CLIENT_SECRET")
    graph_organiser_upn: str = Field("", alias="TRYGGEST_GRAPH_ORGANISER_UPN")
    # Overrides for tests and national clouds; empty means Microsoft's public cloud.
    graph_base_url: str = Field("", alias="TRYGGEST_GRAPH_BASE_URL")
    graph_authority: str = Field("", alias="TRYGGEST_GRAPH_AUTHORITY")
    # --- end Microsoft Graph ---
    # --- training cases: an optional text service (off by default) ---
    # With TRYGGEST_TRAINING_TEXT=true and a URL, a chat-completions endpoint (Azure OpenAI's
    # deployment URL with api-version, or a compatible one) rewords the built-in generator's
    # fictional training cases. It is sent the fictional case only, never case data.
    training_text: bool = Field(False, alias="TRYGGEST_TRAINING_TEXT")
    training_text_url: str = Field("", alias="TRYGGEST_TRAINING_TEXT_URL")
    training_text_key: str = Field("", alias="TRYGGEST_TRAINING_TEXT_KEY")
    # --- end training cases ---

    def reminder_policy(self) -> ReminderPolicy:
        return ReminderPolicy(
            assessment_working_days=self.assessment_working_days,
            deadlines=ReportingDeadlines.parse(self.report_deadlines, self.report_reminder_days),
        )

    @property
    def local_mode(self) -> bool:
        """No app id: nothing is authenticated, so the bot listens on this machine only."""
        return not self.app_id

    @property
    def host(self) -> str:
        return "127.0.0.1" if self.local_mode else "0.0.0.0"

    def load_data_keys(self, may_create: bool = True) -> list[DataKey]:
        """The keys from TRYGGEST_DATA_KEYS; in local mode without it, from the key file, made
        there on first start when `may_create` (the caller knows the database holds no data
        sealed with another key). Raises DataKeyError with a one-line reason."""
        if self.data_keys:
            return parse_keys(self.data_keys)
        if not self.local_mode:
            raise MissingDataKey(
                "TRYGGEST_DATA_KEYS must be set when MicrosoftAppId is set "
                "(make one with `tryggest new-data-key`)."
            )
        path = self.local_key_file()
        if path is None:
            path = self.key_file_path()
            if not may_create:
                raise MissingDataKey(
                    f"Local mode: the database already holds encrypted data, and there is no "
                    f"key file at {path}. A new key could not read that data, so none is made: "
                    "put back the key file it was written with, or give its key as "
                    "TRYGGEST_DATA_KEYS."
                )
            self._make_key_file(path)
        elif path != self.key_file_path():
            log.warning(
                "Using the data key in %s; move it to %s.", path.resolve(), self.key_file_path()
            )
        return parse_keys(path.read_text().strip(), source=f"The key file {path}")

    def local_key_file(self) -> Path | None:
        """Local mode's key file if there is one: where it belongs, else where an earlier
        version made it (the working directory)."""
        path = self.key_file_path()
        if path.exists():
            return path
        # Made by an earlier version in the working directory: still the key of its data.
        legacy = Path(self.key_file)
        return legacy if legacy.exists() else None

    def _make_key_file(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process made it just now
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key_spec() + "\n")
        log.warning(
            "Local mode: generated a data encryption key in %s. Without it the "
            "database's personal data cannot be read: keep it with backups of the "
            "database, separately.",
            path.resolve(),
        )

    def key_file_path(self) -> Path:
        """Local mode's key file, beside the data: beside the SQLite database file, or in the
        data directory for any other database (one place, whichever directory the bot is
        started from). An absolute TRYGGEST_KEY_FILE is taken as it is."""
        configured = Path(self.key_file).expanduser()
        if configured.is_absolute():
            return configured
        directory = _sqlite_directory(self.database_url)
        if directory is None:
            directory = self.data_directory()
        return directory / configured

    def data_directory(self) -> Path:
        """Where local mode keeps what is not in the database (the key file for PostgreSQL)."""
        if self.data_dir:
            return Path(self.data_dir).expanduser().resolve()
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "tryggest"

    def agent_auth_configuration(self) -> AgentAuthConfiguration | None:
        """The Bot Framework's settings as the Agents SDK's connection; None in local mode.

        MultiTenant (the default) takes its tokens from the Bot Framework's own tenant, as it
        always has; SingleTenant from MicrosoftAppTenantId's; UserAssignedMSI from the managed
        identity MicrosoftAppId names, without a password."""
        if self.local_mode:
            return None
        app_type = self.app_type.strip().lower()
        if app_type == "userassignedmsi":
            auth_type = AuthTypes.user_managed_identity
        else:
            auth_type = AuthTypes.client_secret
        if app_type == "multitenant" or not self.app_tenant_id:
            tenant = MULTI_TENANT_AUTHORITY_TENANT
        else:
            tenant = self.app_tenant_id
        return AgentAuthConfiguration(
            auth_type=auth_type,
            client_id=self.app_id,
            tenant_id=tenant,
            client_secret=self.app_password or None,
            # Only the Bot Framework's and the bot's own tenant's tokens are taken.
            validate_issuer=True,
        )


def _sqlite_directory(database_url: str) -> Path | None:
    """The directory of a SQLite database file; None for any other database."""
    try:
        url = make_url(database_url)
    except Exception:
        return None
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):  # a URI filename: file:path?mode=…
        database = database[5:].split("?", 1)[0]
    return Path(database).expanduser().parent
