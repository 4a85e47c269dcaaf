"""Retention: a closed case loses its personal data TRYGGEST_RETENTION_MONTHS after closing and
keeps its coded fields; an anonymous consultation never held identifiers (SQLite and
PostgreSQL, with a fake clock)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from domain.access import Person
from domain.case import case_from_draft
from domain.report import ReportDraft
from storage.cases import CaseRepository, personal_context
from storage.crypto import FieldCipher, parse_keys
from storage.gate import AccessGate
from storage.models import Case, CaseEvent
from storage.retention import DailyRetention, Retention, months_before
from tests.conftest import DATA_KEY, add_municipality
from tests.storage.case_support import report as send_report
from tests.support import REPORTER_AAD, TENANT
from tools.cli import main

CLOSED = datetime(2024, 3, 15, 9, 30, tzinfo=UTC)
ERASE_FROM = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)  # 24 months after closing


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(parse_keys(DATA_KEY))


@pytest.fixture
def retention(sessions: Any, cipher: FieldCipher) -> Retention:
    return Retention(sessions, cipher, months=24, batch_size=2)


async def new_cases(sessions: Any, cipher: FieldCipher, count: int) -> list[str]:
    gate = AccessGate(sessions)
    repository = CaseRepository(sessions, cipher, gate)
    moss, _ = await add_municipality(sessions, "Moss")
    return [
        (
            await send_report(repository, gate, moss, f"draft-{n}", now=CLOSED - timedelta(days=30))
        ).id
        for n in range(count)
    ]


async def close(sessions: Any, case_id: str, at: datetime = CLOSED, archived: bool = True) -> None:
    """Close the case, and (unless `archived` is False) put it in the municipality's archive
    the same day, as the coordinator would."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(status="closed", closed_at=at, archived_at=at if archived else None)
        )


async def case_and_events(sessions: Any, case_id: str) -> tuple[Case, list[CaseEvent]]:
    async with sessions() as session:
        case = await session.get(Case, case_id)
        events = (
            await session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id))
        ).scalars()
        assert case is not None
        return case, list(events)


async def test_a_case_closed_longer_ago_than_the_period_loses_its_personal_data(
    sessions, cipher, retention
):
    [case_id] = await new_cases(sessions, cipher, 1)
    await close(sessions, case_id)
    now = ERASE_FROM + timedelta(seconds=1)

    assert await retention.erase_expired(now=now) == 1

    case, events = await case_and_events(sessions, case_id)
    assert case.personal_erased_at == now
    assert cipher.decrypt(case.personal, personal_context(case_id)) == {}
    # The coded fields are what the statistics count: they stay.
    assert (case.consent_basis, case.gender, case.age_band) == ("consent", "female", "80+")
    assert case.violence_types == ["physical", "financial"]
    assert case.vulnerabilities == ["dementia", "old_age"]
    erased = [e for e in events if e.kind == "personal_data_erased"]
    assert len(erased) == 1
    assert erased[0].at == now
    assert erased[0].data["retention_months"] == 24


async def test_a_case_inside_the_period_keeps_its_personal_data(sessions, cipher, retention):
    [case_id] = await new_cases(sessions, cipher, 1)
    await close(sessions, case_id)

    assert await retention.erase_expired(now=ERASE_FROM - timedelta(seconds=1)) == 0

    case, events = await case_and_events(sessions, case_id)
    assert case.personal_erased_at is None
    assert cipher.decrypt(case.personal, personal_context(case_id))["name"] == "Kari Nordmann"
    assert [e.kind for e in events] == ["reported"]


async def test_a_closed_case_not_yet_in_the_archive_keeps_its_personal_data(
    sessions, cipher, retention
):
    [waiting, archived] = await new_cases(sessions, cipher, 2)
    await close(sessions, waiting, archived=False)
    await close(sessions, archived)

    assert await retention.erase_expired(now=ERASE_FROM + timedelta(days=3650)) == 1

    case, _ = await case_and_events(sessions, waiting)
    assert case.personal_erased_at is None
    assert cipher.decrypt(case.personal, personal_context(waiting))["name"] == "Kari Nordmann"


async def test_an_open_case_is_never_erased_however_old(sessions, cipher, retention):
    [_still_open, reopened] = await new_cases(sessions, cipher, 2)
    # Reopened: closed once, then back to work with the old closing time left behind.
    async with sessions() as session, session.begin():
        await session.execute(
            update(Case).where(Case.id == reopened).values(status="in_progress", closed_at=CLOSED)
        )

    assert await retention.erase_expired(now=ERASE_FROM + timedelta(days=3650)) == 0


async def test_erasing_twice_erases_once(sessions, cipher, retention):
    case_ids = await new_cases(sessions, cipher, 5)
    for case_id in case_ids:
        await close(sessions, case_id)
    later = ERASE_FROM + timedelta(days=1)

    first, second = await asyncio.gather(
        retention.erase_expired(now=later), retention.erase_expired(now=later)
    )
    third = await retention.erase_expired(now=later + timedelta(days=1))

    assert first + second == 5
    assert third == 0
    for case_id in case_ids:
        case, events = await case_and_events(sessions, case_id)
        assert case.personal_erased_at == later
        assert [e.kind for e in events].count("personal_data_erased") == 1


async def test_the_period_is_configurable(sessions, cipher):
    [case_id] = await new_cases(sessions, cipher, 1)
    await close(sessions, case_id)
    six_months = Retention(sessions, cipher, months=6)

    assert await six_months.erase_expired(now=datetime(2024, 9, 15, 9, 29, tzinfo=UTC)) == 0
    assert await six_months.erase_expired(now=datetime(2024, 9, 15, 9, 31, tzinfo=UTC)) == 1


def test_months_are_calendar_months():
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 2, 28, tzinfo=UTC), 26) == datetime(
        2023, 12, 28, tzinfo=UTC
    )


def test_a_retention_period_under_a_month_is_refused(cipher):
    with pytest.raises(ValueError):
        Retention(None, cipher, months=0)  # type: ignore[arg-type]


async def test_the_housekeeping_loop_runs_retention_once_a_day(sessions, cipher, retention):
    [case_id] = await new_cases(sessions, cipher, 1)
    daily = DailyRetention(retention)

    assert await daily.run_if_due(now=ERASE_FROM) == 0
    await close(sessions, case_id, at=CLOSED - timedelta(hours=1))
    assert await daily.run_if_due(now=ERASE_FROM + timedelta(hours=23)) is None
    assert await daily.run_if_due(now=ERASE_FROM + timedelta(hours=24)) == 1


async def test_the_purge_command_erases_with_the_configured_period(
    sessions, cipher, database_url, monkeypatch, tmp_path, capsys
):
    [case_id] = await new_cases(sessions, cipher, 1)
    # Closed 13 months before the real today: past a 12-month period, inside the default 24.
    await close(sessions, case_id, at=datetime.now(UTC) - timedelta(days=400))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TRYGGEST_DATA_KEYS", DATA_KEY)
    monkeypatch.delenv("MicrosoftAppId", raising=False)

    monkeypatch.delenv("TRYGGEST_RETENTION_MONTHS", raising=False)
    assert await asyncio.to_thread(main, ["purge"]) == 0
    assert "erased from 0 cases closed more than 24 months ago" in capsys.readouterr().out
    monkeypatch.setenv("TRYGGEST_RETENTION_MONTHS", "12")
    assert await asyncio.to_thread(main, ["purge"]) == 0
    assert "erased from 1 cases closed more than 12 months ago" in capsys.readouterr().out

    case, _ = await case_and_events(sessions, case_id)
    assert case.personal_erased_at is not None


# --- an anonymous consultation ---------------------------------------------------------------------


def anonymous_draft_that_once_had_a_name() -> ReportDraft:
    draft = ReportDraft()
    for step, value in {
        "acute": "no",
        "consent": "consent",
        "municipality": "m1",
        "person_name": "Kari Nordmann",
        "birth": {"year": 1941, "month": 3, "day": 12},
        "residence": "Storgata 1",
    }.items():
        draft.answer(step, value)
    # "Endre" on the consent part: the reporter turns it into an anonymous consultation.
    draft.reopen_part("consent")
    draft.answer("consent", "anonymous")
    for step, value in {
        "age_band": "80+",
        "gender": "female",
        "vulnerability": ["dementia"],
        "violence": ["psychological"],
        "perpetrator": "unknown",
        "what_happened": "Hun virker redd.",
        "knowledge": "suspect",
        "reporter_service": "home_care",
        "reporter_phone": None,
    }.items():
        draft.answer(step, value)
    assert draft.is_complete()
    return draft


async def test_an_anonymous_consultation_stores_only_what_happened_and_the_reporters_phone(
    sessions, cipher
):
    gate = AccessGate(sessions)
    repository = CaseRepository(sessions, cipher, gate)
    moss, _ = await add_municipality(sessions, "Moss")
    draft = anonymous_draft_that_once_had_a_name()
    draft.answers["municipality"] = moss
    reporter = Person(TENANT, REPORTER_AAD)

    new = case_from_draft(draft, reporter, date(2026, 11, 28))
    stored = await repository.create_from_report(await gate.principal(reporter), new, None)

    case, _ = await case_and_events(sessions, stored.id)
    personal = cipher.decrypt(case.personal, personal_context(case.id))
    assert set(personal) == {"what_happened", "reporter_phone"}
    assert "Kari" not in repr(personal)
    assert case.age_band == "80+"
