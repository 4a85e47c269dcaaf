"""Configuration from the environment (and a .env file), with the Bot Framework's own names."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from domain.calendar import ReportingDeadlines
from storage.casework_reminders import ReminderPolicy
from storage.crypto import DataKey, new_key_spec, parse_keys

MAX_BODY_BYTES = 256 * 1024
log = logging.getLogger(__name__)


class MissingDataKey(Exception):
    """Production needs its data key from the environment, never a file next to the code."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    port: int = Field(3978, alias="PORT")
    database_url: str = Field("sqlite:///tryggest.db", alias="DATABASE_URL")
    app_id: str = Field("", alias="MicrosoftAppId")
    app_password: str = Field("", alias="MicrosoftAppPassword")
    app_type: str = Field("MultiTenant", alias="MicrosoftAppType")
    app_tenant_id: str = Field("", alias="MicrosoftAppTenantId")
    # 'k2:BASE64,k1:BASE64': the first encrypts, all decrypt (key rotation).
    data_keys: str = Field("", alias="TRYGGEST_DATA_KEYS")
    # Answer every activity in this locale (the Agents Playground always says en-US).
    force_locale: str = Field("", alias="TRYGGEST_FORCE_LOCALE")
    # Local mode only: a key made on first start and kept beside the SQLite file.
    key_file: str = Field("tryggest-data.key", alias="TRYGGEST_KEY_FILE")
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

    def load_data_keys(self) -> list[DataKey]:
        if self.data_keys:
            return parse_keys(self.data_keys)
        if not self.local_mode:
            raise MissingDataKey(
                "TRYGGEST_DATA_KEYS must be set when MicrosoftAppId is set "
                "(make one with `tryggest new-data-key`)."
            )
        path = self.key_file_path()
        legacy = Path(self.key_file)
        if not path.exists() and legacy.exists():
            # Made by an earlier version in the working directory: still the key of the data.
            log.warning("Using the data key in %s; move it to %s.", legacy.resolve(), path)
            path = legacy
        if not path.exists():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it just now
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(new_key_spec() + "\n")
                log.warning(
                    "Local mode: generated a data encryption key in %s. Without it the "
                    "database's personal data cannot be read: keep it with backups of the "
                    "database, separately.",
                    path.resolve(),
                )
        return parse_keys(path.read_text().strip())

    def key_file_path(self) -> Path:
        """Local mode's key file: beside the SQLite database file (else in the working
        directory). An absolute TRYGGEST_KEY_FILE is taken as it is."""
        configured = Path(self.key_file).expanduser()
        if configured.is_absolute():
            return configured
        return _sqlite_directory(self.database_url) / configured

    def bot_framework_config(self) -> BotFrameworkConfig:
        return BotFrameworkConfig(
            APP_ID=self.app_id,
            APP_PASSWORD=self.app_password,
            APP_TYPE=self.app_type,
            APP_TENANTID=self.app_tenant_id,
        )


def _sqlite_directory(database_url: str) -> Path:
    """The directory of a SQLite database file; the working directory for anything else."""
    try:
        url = make_url(database_url)
    except Exception:
        return Path()
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return Path()
    if database.startswith("file:"):  # a URI filename: file:path?mode=…
        database = database[5:].split("?", 1)[0]
    return Path(database).expanduser().parent


class BotFrameworkConfig:
    """The attribute names botbuilder's ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, **values: str) -> None:
        for name, value in values.items():
            setattr(self, name, value)
