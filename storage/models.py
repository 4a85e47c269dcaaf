"""The tables. Every row that belongs to a municipality carries its tenant id, so that every query
can be scoped by tenant and municipality from the start (the access policy builds on this)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domain.clock import utcnow
from domain.ids import new_id


class UTCDateTime(TypeDecorator[datetime]):
    """Always stored and returned in UTC: SQLite forgets the zone, PostgreSQL keeps it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    """A Microsoft 365 tenant whose users may use the bot (from the configuration file)."""

    __tablename__ = "tenants"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Municipality(Base):
    __tablename__ = "municipalities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Kommunenummer, e.g. "3103" for Moss; a city district (bydel) has none of its own.
    number: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Team(Base):
    """An operational, leadership or network team, tied to a Teams team and channel."""

    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # operational | leadership | network
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    teams_team_id: Mapped[str | None] = mapped_column(String(200))
    channel_id: Mapped[str | None] = mapped_column(String(200))
    service_url: Mapped[str | None] = mapped_column(String(500))
    # The bot's own id in Teams ('28:…'), learnt with service_url when it was added to the team.
    bot_id: Mapped[str | None] = mapped_column(String(200))
    service_url_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Teams answered 403 to a post: the bot was removed from the team or the channel is gone.
    # Posting stops until the bot is added again.
    posting_blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The team's local adaptation from the configuration file (domain/adaptation.py): its own
    # risk checklist, partner services and tiltakskort. None: Bufdir's.
    adaptation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMunicipality(Base):
    """An operational team may serve several municipalities (e.g. an inter-municipal team)."""

    __tablename__ = "team_municipalities"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[str] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("team_id", "tenant_id", "aad_object_id", "role"),
        Index("ix_memberships_person", "tenant_id", "aad_object_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # None for a tenant-wide role: an admin manages the people of every team in the tenant.
    team_id: Mapped[str | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))  # member | coordinator | leader | network | admin
    display_name: Mapped[str | None] = mapped_column(String(200))
    # Where it came from: "config" (first admin), "command" (added in Teams), "roster" (sync).
    source: Mapped[str] = mapped_column(String(20), default="command", server_default="command")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StandInRosterMember(Base):
    """Who a Teams team really has where the Microsoft 365 Agents Playground plays Teams: its
    roster answer lists every mock user. Written by the demo data; read in local mode only."""

    __tablename__ = "stand_in_roster_members"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    teams_team_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class CaseNumberCounter(Base):
    __tablename__ = "case_number_counters"

    municipality_id: Mapped[str] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("municipality_id", "number"),
        Index("ix_cases_reporter", "reporter_tenant_id", "reporter_aad_object_id"),
        Index("ix_cases_scope", "tenant_id", "municipality_id"),
        # The half-year report counts a team's municipalities' cases by date: an index-only
        # scan on PostgreSQL (bench/report.py: 3.9 s → 1 s on a million cases).
        Index(
            "ix_cases_statistics",
            "municipality_id",
            "created_at",
            postgresql_include=["id", "assessed_at", "closed_at", "outcome", "measures"],
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    municipality_id: Mapped[str] = mapped_column(ForeignKey("municipalities.id"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"))
    number: Mapped[str] = mapped_column(String(20))
    # The report's draft id: a report sent twice (a double tap, a redelivered turn) is one case.
    draft_id: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="received")
    consent_basis: Mapped[str] = mapped_column(String(20))
    acute_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    gender: Mapped[str] = mapped_column(String(20))
    age_band: Mapped[str] = mapped_column(String(10))
    vulnerabilities: Mapped[list[str]] = mapped_column(JSON)
    violence_types: Mapped[list[str]] = mapped_column(JSON)
    perpetrator_relation: Mapped[str] = mapped_column(String(30))
    knowledge_source: Mapped[str] = mapped_column(String(20))
    reporter_service: Mapped[str] = mapped_column(String(30))
    # How the case reached the team (domain/contact.py): "teams" for a report, or the channel
    # of an enquiry a team member registered, and the day it came.
    contact_channel: Mapped[str] = mapped_column(
        String(20), default="teams", server_default="teams"
    )
    contacted_on: Mapped[date | None] = mapped_column(Date)
    reporter_tenant_id: Mapped[str] = mapped_column(String(64))
    reporter_aad_object_id: Mapped[str] = mapped_column(String(64))
    # Name, birth date, residence, the free text and the reporter's phone, encrypted (AES-GCM).
    personal: Mapped[bytes] = mapped_column(LargeBinary)
    # Erased after the retention period; the coded fields stay for statistics.
    personal_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the coordinator put the closed case in the municipality's archive: the retention
    # erases nothing before that (the duty to document outlives the bot's copy).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assignee_tenant_id: Mapped[str | None] = mapped_column(String(64))
    assignee_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The team's work on the case (domain/casework.py). `revision` counts changes: a card shows
    # the revision it was drawn from, so a repeated or stale press is recognised.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    classification: Mapped[str | None] = mapped_column(String(30))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    risk_level: Mapped[str | None] = mapped_column(String(20))
    risk_answers: Mapped[list[str] | None] = mapped_column(JSON)
    position: Mapped[str | None] = mapped_column(String(20))
    measures: Mapped[list[str] | None] = mapped_column(JSON)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(30))
    # The anonymised free text as the coordinator approved it for the channel, encrypted like
    # `personal` (an anonymiser can miss something; the channel shows it, the disk does not).
    shared_text: Mapped[bytes | None] = mapped_column(LargeBinary)
    shared_text_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CaseEvent(Base):
    """The case's chronology. What a person wrote (a note, a question to the reporter and its
    answer) is in `secret`, encrypted; `data` holds codes only."""

    __tablename__ = "case_events"
    __table_args__ = (
        # A card press delivered twice carries the same key: the second insert is refused.
        Index("uq_case_events_idempotency", "case_id", "idempotency_key", unique=True),
        # Reopened cases, for how a case stood at a period's end (the half-year report).
        Index(
            "ix_case_events_reopened",
            "at",
            "case_id",
            postgresql_where=sql_text("kind = 'reopened'"),
            sqlite_where=sql_text("kind = 'reopened'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    actor_tenant_id: Mapped[str | None] = mapped_column(String(64))
    actor_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Base):
    """Something to deliver after the transaction that caused it has committed."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "state", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    municipality_id: Mapped[str | None] = mapped_column(ForeignKey("municipalities.id"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    # pending → delivered, or failed after too many attempts (or a refusal that retrying
    # cannot change); `claimed_until` is an instance's lease while it sends.
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Ids and codes only (whom to tell, which status): never what a person wrote.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChannelPost(Base):
    """The thread a case was posted as in its team's channel: where its card is updated."""

    __tablename__ = "channel_posts"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    service_url: Mapped[str] = mapped_column(String(500))
    # The thread's conversation id ('19:…@thread.tacv2;messageid=…') and the card's activity id.
    conversation_id: Mapped[str] = mapped_column(String(400), index=True)
    activity_id: Mapped[str] = mapped_column(String(200))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseNameDigest(Base):
    """Keyed hashes (HMAC) of the words of the names in a case, so that the channel guard can
    tell that a message names someone from the team's cases without decrypting any case."""

    __tablename__ = "case_name_digests"
    __table_args__ = (Index("ix_case_name_digests_team", "team_id", "digest"),)

    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))


class Reminder(Base):
    """Something to tell someone at a time: a casework deadline, a follow-up, the half-year
    report, a gathering. `key` makes scheduling idempotent (planning twice makes one row);
    when due, the sweep puts each on the outbox once (SKIP LOCKED on PostgreSQL)."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_due", "state", "due_at"),
        Index("ix_reminders_case", "case_id", "state"),
        Index("ix_reminders_gathering", "gathering_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A person (tenant + Entra object id) or a team's channel (team_id).
    recipient_tenant_id: Mapped[str | None] = mapped_column(String(64))
    recipient_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    gathering_id: Mapped[str | None] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE")
    )
    # Ids, codes and dates only; never what a person wrote.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # pending → queued (on the outbox) → sent; or cancelled (no longer true), unreachable, failed.
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Gathering(Base):
    """A network gathering (nettverkssamling): announced in the network channel, answered by
    members, reminded, and mirrored as an Outlook event when Graph is configured."""

    __tablename__ = "gatherings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    network_team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(1000))
    agenda: Mapped[str | None] = mapped_column(String(4000))
    rvts_region: Mapped[str | None] = mapped_column(String(20))
    invited_team_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default="scheduled")  # or cancelled
    # iCalendar SEQUENCE: raised on every change, so calendars replace the old event.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    organiser_tenant_id: Mapped[str] = mapped_column(String(64))
    organiser_aad_object_id: Mapped[str] = mapped_column(String(64))
    graph_event_id: Mapped[str | None] = mapped_column(String(300))
    # The announcement card in the network channel.
    service_url: Mapped[str | None] = mapped_column(String(500))
    post_conversation_id: Mapped[str | None] = mapped_column(String(400))
    post_activity_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TeamMeeting(Base):
    """The operational (or leadership) team's recurring meeting. One a team at a time: a new
    one ends the one before (`ended_at`)."""

    __tablename__ = "team_meetings"
    __table_args__ = (Index("ix_team_meetings_team", "team_id", "ended_at"),)

    # The form's id: a form sent twice makes one meeting.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    rhythm: Mapped[str] = mapped_column(String(20))
    first_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(1000))
    created_by_tenant_id: Mapped[str] = mapped_column(String(64))
    created_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Outlook series with its Teams meeting, made through Microsoft Graph when configured.
    graph_event_id: Mapped[str | None] = mapped_column(String(500))
    join_url: Mapped[str | None] = mapped_column(String(2000))


class TeamMeetingCancellation(Base):
    """One meeting of the series that will not be held."""

    __tablename__ = "team_meeting_cancellations"

    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("team_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    by_tenant_id: Mapped[str] = mapped_column(String(64))
    by_aad_object_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GatheringResponse(Base):
    __tablename__ = "gathering_responses"

    gathering_id: Mapped[str] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answer: Mapped[str] = mapped_column(String(10))  # yes | no | maybe
    display_name: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportSubmission(Base):
    """A half-year report marked as sent to Bufdir: its numbers frozen as they were sent (for
    audit), and the period's reminders stopped."""

    __tablename__ = "report_submissions"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(6), primary_key=True)  # '2026H1'
    tenant_id: Mapped[str] = mapped_column(String(64))
    submitted_by_tenant_id: Mapped[str] = mapped_column(String(64))
    submitted_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DownloadToken(Base):
    """A signed download link for a report file: bound to one person, short-lived, used once."""

    __tablename__ = "download_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(6))
    file_format: Mapped[str] = mapped_column(String(10), default="xlsx")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccessLogEntry(Base):
    """Who read or changed what, when, from where. Append-only: no code path updates or deletes
    a row, and the database refuses it too (triggers in the migration)."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_case", "case_id", "at"),
        Index("ix_access_log_actor", "actor_tenant_id", "actor_aad_object_id", "at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_tenant_id: Mapped[str] = mapped_column(String(64))
    actor_aad_object_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    allowed: Mapped[bool] = mapped_column(Boolean)
    case_id: Mapped[str | None] = mapped_column(String(32))
    case_number: Mapped[str | None] = mapped_column(String(20))
    municipality_id: Mapped[str | None] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DialogState(Base):
    """botbuilder's conversation and user state: holds report drafts, so encrypted."""

    __tablename__ = "dialog_state"

    # sha256 of botbuilder's key: its keys hold Teams conversation ids of any length.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ConversationReferenceRow(Base):
    """Where to reach a person proactively: their personal chat with the bot. Ids only (no
    names, no text); written when they write to the bot and it changed."""

    __tablename__ = "conversation_references"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_url: Mapped[str] = mapped_column(String(500))
    channel_id: Mapped[str] = mapped_column(String(50))
    conversation_id: Mapped[str] = mapped_column(String(300))
    bot_id: Mapped[str] = mapped_column(String(200))
    # The Teams client's language ('nb-NO'), so a card sent unasked is in the person's language.
    locale: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccessReviewSend(Base):
    """A monthly access review claimed for one coordinator: the key makes two instances (or
    two runs) put each review on the outbox once (`sent_at`: when it was queued)."""

    __tablename__ = "access_review_sends"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # 'YYYY-MM', Oslo time
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessedActivity(Base):
    """Activities already taken: Teams redelivers a turn it thinks was slow."""

    __tablename__ = "processed_activities"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class DataKeyCheck(Base):
    """A known value sealed with a data key, one row per key id that has been the first key: at
    start the bot proves its keys read these before it reads or writes anything else, so a
    wrong key under a known id, or a missing key, stops it instead of losing data."""

    __tablename__ = "data_key_checks"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- experiences shared in the network, and training cases ---------------------------------------


class Experience(Base):
    """An experience shared in a network: anonymised and confirmed by its author before it was
    stored, so it is kept readable (it is what the network channel shows, and what full-text
    search reads). It keeps no link to the case it may have started from."""

    __tablename__ = "experiences"
    __table_args__ = (Index("ix_experiences_network", "network_team_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    network_team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    author_tenant_id: Mapped[str] = mapped_column(String(64))
    author_aad_object_id: Mapped[str] = mapped_column(String(64))
    situation: Mapped[str] = mapped_column(String(1000))
    done: Mapped[str] = mapped_column(String(1000))
    worked: Mapped[str] = mapped_column(String(1000), default="")
    not_worked: Mapped[str] = mapped_column(String(1000), default="")
    differently: Mapped[str] = mapped_column(String(1000), default="")
    # What full-text search reads: the texts and the tags' words (domain.experience). PostgreSQL
    # indexes it with the `norwegian` configuration; SQLite's FTS5 table `experience_search`
    # holds its Snowball stems (both made in migration 0006, outside these models).
    search_text: Mapped[str] = mapped_column(Text)
    useful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    from_case: Mapped[bool] = mapped_column(Boolean, default=False)
    # The card in the network channel.
    service_url: Mapped[str | None] = mapped_column(String(500))
    post_conversation_id: Mapped[str | None] = mapped_column(String(400))
    post_activity_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExperienceTag(Base):
    """A tag of an experience: (kind, code), e.g. ("violence", "financial")."""

    __tablename__ = "experience_tags"
    __table_args__ = (Index("ix_experience_tags_code", "kind", "code"),)

    experience_id: Mapped[str] = mapped_column(
        ForeignKey("experiences.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class ExperienceMark(Base):
    """A member found an experience useful: once per person."""

    __tablename__ = "experience_marks"

    experience_id: Mapped[str] = mapped_column(
        ForeignKey("experiences.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingCase(Base):
    """A fictional training case as it was shown (domain/training.py makes it from `seed`), and
    the team channel it was posted in. A team never gets the same case number twice."""

    __tablename__ = "training_cases"
    __table_args__ = (UniqueConstraint("team_id", "seed"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    # None while it is only shown to the person who asked for it.
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    seed: Mapped[int] = mapped_column(Integer)
    situation: Mapped[str] = mapped_column(String(40))
    violence: Mapped[str] = mapped_column(String(40))
    barrier: Mapped[str] = mapped_column(String(40))
    # The narrative as shown: the generator's, or the text service's rewording of it.
    narrative: Mapped[str] = mapped_column(Text)
    enriched: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by_tenant_id: Mapped[str] = mapped_column(String(64))
    requested_by_aad_object_id: Mapped[str] = mapped_column(String(64))
    service_url: Mapped[str | None] = mapped_column(String(500))
    post_conversation_id: Mapped[str | None] = mapped_column(String(400))
    post_activity_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Search structures only one database has, made with raw SQL in migration 0006: SQLite's FTS5
# table (and the shadow tables FTS5 makes for it) and PostgreSQL's expression index. Alembic's
# comparison (and autogenerate) leaves them alone.
NATIVE_SEARCH_OBJECTS = frozenset({"experience_search", "ix_experiences_search"})


def compared_by_alembic(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's `include_name`: False for the database-specific search structures."""
    if name is None:
        return True
    return name not in NATIVE_SEARCH_OBJECTS and not name.startswith("experience_search_")


__all__ = [
    "AccessLogEntry",
    "AccessReviewSend",
    "Base",
    "Case",
    "CaseEvent",
    "CaseNameDigest",
    "CaseNumberCounter",
    "ChannelPost",
    "ConversationReferenceRow",
    "DataKeyCheck",
    "DialogState",
    "DownloadToken",
    "Experience",
    "ExperienceMark",
    "ExperienceTag",
    "Gathering",
    "GatheringResponse",
    "Membership",
    "Municipality",
    "OutboxMessage",
    "ProcessedActivity",
    "Reminder",
    "ReportSubmission",
    "Team",
    "TeamMunicipality",
    "Tenant",
    "TrainingCase",
    "compared_by_alembic",
]
