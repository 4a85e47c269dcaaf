"""Synthetic cases for demos and the report benchmark: `tryggest demo-data --cases N`.

N cases spread over the demo tenant's municipalities (Demo kommune and six in Østfold, weighted
by population), over the years up to now, and over the code lists with shares like the pilots'
(psychological violence most common, mostly close relations, most reporters employees). Older
cases are assessed and closed, a few were reopened, the oldest have had their personal data
erased. Each case has its chronology of events (reported, classified, closed, reopened).

Nothing here is about a real person: the personal fields say "Demoperson".

Inserted in bulk: COPY on PostgreSQL (about a million cases a minute), executemany on SQLite.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.case import format_case_number
from domain.casework import CLASSIFICATION, MEASURE_SERVICE, OUTCOME
from domain.clock import utcnow
from domain.codes import (
    AGE_BAND,
    GENDER,
    KNOWLEDGE_SOURCE,
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
)
from domain.ids import new_id
from storage.cases import personal_context
from storage.crypto import FieldCipher
from storage.db import insert_if_absent
from storage.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Membership,
    Municipality,
    Team,
    TeamMunicipality,
)

# (id, name, kommunenummer, population in thousands, team key). Demo kommune is tools/demo.py's.
AREA = (
    ("demo0000000000000000000000000001", "Demo kommune", "9999", 20, "demo"),
    ("demo0000000000000000000000000002", "Moss", "3103", 50, "mrv"),
    ("demo0000000000000000000000000003", "Råde", "3112", 8, "mrv"),
    ("demo0000000000000000000000000004", "Våler", "3114", 6, "mrv"),
    ("demo0000000000000000000000000005", "Fredrikstad", "3107", 85, "fredrikstad"),
    ("demo0000000000000000000000000006", "Sarpsborg", "3105", 58, "sarpsborg"),
    ("demo0000000000000000000000000007", "Halden", "3101", 31, "halden"),
)
TEAMS = {
    "demo": ("demo0000000000000000000000000010", "TryggEst-teamet i Demo kommune"),
    "mrv": ("demo0000000000000000000000000011", "TryggEst Moss, Råde og Våler"),
    "fredrikstad": ("demo0000000000000000000000000012", "TryggEst Fredrikstad"),
    "sarpsborg": ("demo0000000000000000000000000013", "TryggEst Sarpsborg"),
    "halden": ("demo0000000000000000000000000014", "TryggEst Halden"),
}
LEADERSHIP_TEAM_ID = "demo0000000000000000000000000020"
# Kari Nilsen in .m365agentsplayground.yml: the leader who sees Demo kommune's aggregates.
DEMO_LEADER = ("6f1c2a10-0000-4000-8000-000000000005", "Kari Nilsen")
YEARS_BACK = 4
ERASED_AFTER = timedelta(days=730)
PERSONAL = {
    "name": "Demoperson",
    "birth": "01.01.1940",
    "residence": "Demoveien 1",
    "what_happened": "Syntetisk sak laget av tryggest demo-data. Gjelder ingen virkelig person.",
    "reporter_phone": None,
}


def _weights(codes: Any, shares: dict[str, float]) -> tuple[list[str], list[float]]:
    names = [c.code for c in codes.codes]
    return names, [shares.get(n, 1.0) for n in names]


# Shares (relative weights); a code not named gets 1.
CONSENT = (["consent", "anonymous", "duty_to_avert"], [70.0, 25.0, 5.0])
REPORTERS = _weights(
    REPORTER_SERVICE,
    {
        "home_care": 30,
        "nursing_home": 8,
        "emergency_room": 6,
        "gp": 6,
        "nav": 5,
        "mental_health": 5,
        "substance_services": 4,
        "group_home": 5,
        "relative": 8,
        "victim": 4,
        "citizen": 3,
        "police": 3,
        "crisis_centre": 3,
    },
)
CLASSES = _weights(
    CLASSIFICATION,
    {
        "must": 35,
        "should": 40,
        "not_assessed": 5,
        "outside_target_group": 12,
        "other_municipality": 3,
    },
)
VIOLENCE = _weights(
    VIOLENCE_TYPE,
    {
        "psychological": 55,
        "physical": 35,
        "financial": 25,
        "neglect": 15,
        "sexual": 5,
        "material": 6,
        "online": 2,
        "honour": 1,
    },
)
VULNERABLE = _weights(
    VULNERABILITY,
    {
        "old_age": 40,
        "dementia": 30,
        "mental_illness": 15,
        "substance_use": 10,
        "somatic_illness": 15,
        "physical_disability": 10,
        "intellectual_disability": 6,
        "autism": 2,
        "minority_background": 5,
        "other": 3,
    },
)
PERPETRATORS = _weights(
    PERPETRATOR_RELATION,
    {
        "partner": 28,
        "child": 30,
        "grandchild": 6,
        "parent": 4,
        "sibling": 4,
        "other_family": 8,
        "co_resident": 5,
        "staff": 4,
        "friend": 4,
        "unknown": 5,
        "other": 2,
    },
)
GENDERS = _weights(GENDER, {"female": 66, "male": 32, "other_unknown": 2})
AGES = _weights(
    AGE_BAND, {"18-29": 8, "30-49": 12, "50-66": 15, "67-79": 27, "80+": 33, "unknown": 5}
)
OUTCOMES = _weights(
    OUTCOME,
    {
        "stopped": 30,
        "ordinary_services": 35,
        "declined": 12,
        "transferred": 8,
        "no_grounds": 10,
        "other": 5,
    },
)
SERVICES = _weights(
    MEASURE_SERVICE,
    {
        "home_care": 25,
        "gp": 20,
        "tryggest_team": 40,
        "relatives": 15,
        "police": 8,
        "nav": 8,
        "guardian": 6,
        "allocation_office": 10,
        "nursing_home": 5,
        "crisis_centre": 4,
    },
)
KNOWLEDGE = [c.code for c in KNOWLEDGE_SOURCE.codes]


@dataclass
class Made:
    case: dict[str, Any]
    events: list[dict[str, Any]]


class CaseMaker:
    """One synthetic case at a time, reproducible from the seed."""

    def __init__(self, tenant_id: str, cipher: FieldCipher, now: datetime, seed: int) -> None:
        self.tenant_id = tenant_id
        self.cipher = cipher
        self.now = now
        self.random = random.Random(seed)
        self.start = now - timedelta(days=365 * YEARS_BACK)
        self.municipalities = [(m, team) for m, _, _, _, team in AREA]
        self.municipality_weights = [float(w) for _, _, _, w, _ in AREA]
        self.sequences: dict[tuple[str, int], int] = {}
        self.reporters = [f"demo-reporter-{i:04d}" for i in range(500)]

    def _pick(self, table: tuple[list[str], list[float]]) -> str:
        return self.random.choices(table[0], table[1])[0]

    def _some(self, table: tuple[list[str], list[float]], most: int) -> list[str]:
        count = 1 + min(int(self.random.expovariate(1.6)), most - 1)
        picked: set[str] = set()
        while len(picked) < count:
            picked.add(self._pick(table))
        return sorted(picked)

    def make(self) -> Made:
        r = self.random
        municipality_id, team_key = r.choices(self.municipalities, self.municipality_weights)[0]
        # More reports in later years (the model spreading): a gentle slope over the years.
        span = (self.now - self.start).total_seconds()
        created = self.start + timedelta(seconds=span * (r.random() ** 0.8))
        case_id = new_id()
        year = created.year
        sequence = self.sequences.get((municipality_id, year), 0) + 1
        self.sequences[(municipality_id, year)] = sequence
        events = [self._event(case_id, "reported", created, {})]
        status, classification, assessed_at = "received", None, None
        closed_at, outcome, measures = None, None, None
        assess_after = timedelta(days=r.expovariate(1 / 5))
        if created + assess_after < self.now and r.random() < 0.97:
            assessed_at = created + assess_after
            classification = self._pick(CLASSES)
            status = "assessed"
            events.append(self._event(case_id, "classified", assessed_at, {"to": classification}))
            if classification in ("must", "should") and r.random() < 0.8:
                measures = self._some(SERVICES, 4)
                status = "in_progress"
            close_after = timedelta(days=r.expovariate(1 / 60))
            if assessed_at + close_after < self.now and r.random() < 0.9:
                closed_at = assessed_at + close_after
                outcome = self._pick(OUTCOMES)
                status = "closed"
                events.append(self._event(case_id, "closed", closed_at, {"outcome": outcome}))
                if r.random() < 0.02:  # reopened, and most of those closed again
                    reopened = closed_at + timedelta(days=r.expovariate(1 / 30))
                    if reopened < self.now:
                        events.append(self._event(case_id, "reopened", reopened, {}))
                        status, closed_at, outcome = "in_progress", None, None
                        again = reopened + timedelta(days=r.expovariate(1 / 30))
                        if again < self.now and r.random() < 0.7:
                            outcome = self._pick(OUTCOMES)
                            status, closed_at = "closed", again
                            events.append(
                                self._event(case_id, "closed", again, {"outcome": outcome})
                            )
        erased = closed_at is not None and self.now - closed_at > ERASED_AFTER
        personal = self.cipher.encrypt({} if erased else PERSONAL, personal_context(case_id))
        reporter = r.choice(self.reporters)
        case = {
            "id": case_id,
            "tenant_id": self.tenant_id,
            "municipality_id": municipality_id,
            "team_id": TEAMS[team_key][0],
            "number": format_case_number(year, sequence),
            "draft_id": new_id(),
            "status": status,
            "consent_basis": r.choices(CONSENT[0], CONSENT[1])[0],
            "acute_danger": r.random() < 0.08,
            "gender": self._pick(GENDERS),
            "age_band": self._pick(AGES),
            "vulnerabilities": self._some(VULNERABLE, 3),
            "violence_types": self._some(VIOLENCE, 3),
            "perpetrator_relation": self._pick(PERPETRATORS),
            "knowledge_source": r.choice(KNOWLEDGE),
            "reporter_service": self._pick(REPORTERS),
            "reporter_tenant_id": self.tenant_id,
            "reporter_aad_object_id": reporter,
            "personal": personal,
            "personal_erased_at": closed_at + ERASED_AFTER if erased and closed_at else None,
            "revision": len(events) - 1,
            "classification": classification,
            "assessed_at": assessed_at,
            "measures": measures,
            "outcome": outcome,
            "closed_at": closed_at,
            "created_at": created,
            "updated_at": events[-1]["at"],
        }
        return Made(case, events)

    def _event(self, case_id: str, kind: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": new_id(),
            "case_id": case_id,
            "tenant_id": self.tenant_id,
            "kind": kind,
            "data": data,
            "at": at,
        }


async def ensure_area(sessions: async_sessionmaker[Any], tenant_id: str) -> None:
    """The municipalities and teams the demo cases belong to (Demo kommune's own team is made
    by tools/demo.py), and a leadership team over Demo kommune with its leader."""
    async with sessions() as session, session.begin():
        for municipality_id, name, number, _, team_key in AREA:
            if await session.get(Municipality, municipality_id) is None:
                session.add(
                    Municipality(id=municipality_id, tenant_id=tenant_id, name=name, number=number)
                )
            team_id, team_name = TEAMS[team_key]
            if await session.get(Team, team_id) is None:
                session.add(
                    Team(id=team_id, tenant_id=tenant_id, kind="operational", name=team_name)
                )
            await session.flush()
            await insert_if_absent(
                session,
                TeamMunicipality,
                {"team_id": team_id, "municipality_id": municipality_id},
            )
        if await session.get(Team, LEADERSHIP_TEAM_ID) is None:
            session.add(
                Team(
                    id=LEADERSHIP_TEAM_ID,
                    tenant_id=tenant_id,
                    kind="leadership",
                    name="Lederteamet i Demo kommune",
                )
            )
            await session.flush()
            session.add(TeamMunicipality(team_id=LEADERSHIP_TEAM_ID, municipality_id=AREA[0][0]))
            aad, name = DEMO_LEADER
            session.add(
                Membership(
                    team_id=LEADERSHIP_TEAM_ID,
                    tenant_id=tenant_id,
                    aad_object_id=aad,
                    role="leader",
                    display_name=name,
                    source="config",
                )
            )


async def load_demo_cases(
    sessions: async_sessionmaker[Any],
    tenant_id: str,
    cipher: FieldCipher,
    count: int,
    seed: int = 2026,
    now: datetime | None = None,
    batch: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add `count` synthetic cases; how many were added."""
    now = now or utcnow()
    await ensure_area(sessions, tenant_id)
    maker = CaseMaker(tenant_id, cipher, now, seed)
    async with sessions() as session:
        # Numbers go on from what each municipality has used (real demo reports included).
        maker.sequences = {
            (m, y): n
            for m, y, n in (
                await session.execute(
                    select(
                        CaseNumberCounter.municipality_id,
                        CaseNumberCounter.year,
                        CaseNumberCounter.last_sequence,
                    )
                )
            ).all()
        }
    done = 0
    for chunk in _chunks(maker, count, batch):
        async with sessions() as session, session.begin():
            await _insert(session, chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
    async with sessions() as session, session.begin():
        for (municipality_id, year), last in maker.sequences.items():
            if not await insert_if_absent(
                session,
                CaseNumberCounter,
                {"municipality_id": municipality_id, "year": year, "last_sequence": last},
            ):
                await session.execute(
                    update(CaseNumberCounter)
                    .where(
                        CaseNumberCounter.municipality_id == municipality_id,
                        CaseNumberCounter.year == year,
                        CaseNumberCounter.last_sequence < last,
                    )
                    .values(last_sequence=last)
                )
        if session.get_bind().dialect.name == "postgresql":
            # Fresh statistics for the planner after a bulk load.
            await session.execute(_analyze())
    return done


def _analyze() -> Any:
    return text("ANALYZE cases, case_events")


def _chunks(maker: CaseMaker, count: int, batch: int) -> Iterator[list[Made]]:
    left = count
    while left > 0:
        size = min(batch, left)
        yield [maker.make() for _ in range(size)]
        left -= size


CASE_COLUMNS = (
    "id",
    "tenant_id",
    "municipality_id",
    "team_id",
    "number",
    "draft_id",
    "status",
    "consent_basis",
    "acute_danger",
    "gender",
    "age_band",
    "vulnerabilities",
    "violence_types",
    "perpetrator_relation",
    "knowledge_source",
    "reporter_service",
    "reporter_tenant_id",
    "reporter_aad_object_id",
    "personal",
    "personal_erased_at",
    "revision",
    "classification",
    "assessed_at",
    "measures",
    "outcome",
    "closed_at",
    "created_at",
    "updated_at",
)
JSON_COLUMNS = {"vulnerabilities", "violence_types", "measures"}
EVENT_COLUMNS = ("id", "case_id", "tenant_id", "kind", "data", "at")


async def _insert(session: AsyncSession, chunk: list[Made]) -> None:
    cases = [m.case for m in chunk]
    events = [e for m in chunk for e in m.events]
    if session.get_bind().dialect.name == "postgresql":
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.copy_records_to_table(
            "cases",
            records=[
                tuple(
                    json.dumps(c[k]) if k in JSON_COLUMNS and c[k] is not None else c[k]
                    for k in CASE_COLUMNS
                )
                for c in cases
            ],
            columns=list(CASE_COLUMNS),
        )
        await raw.copy_records_to_table(
            "case_events",
            records=[
                tuple(json.dumps(e[k]) if k == "data" else e[k] for k in EVENT_COLUMNS)
                for e in events
            ],
            columns=list(EVENT_COLUMNS),
        )
        return
    await session.execute(insert(Case), cases)
    await session.execute(insert(CaseEvent), events)


__all__ = ["AREA", "TEAMS", "CaseMaker", "load_demo_cases"]
