"""A hand-made set of cases with every number of its 2026H1 report worked out by hand.

Moss and Råde share one operational team. Times are UTC unless written with `oslo()`; the
period 2026H1 runs from 2025-12-31 23:00 UTC to 2026-06-30 22:00 UTC (Oslo midnight to Oslo
midnight). The expected numbers below are the specification; the comments say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.ids import new_id
from storage.gate import allow_tenant
from storage.models import Case, CaseEvent, Membership, Municipality, Team, TeamMunicipality
from tests.support import TENANT

OSLO = ZoneInfo("Europe/Oslo")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO).astimezone(UTC)  # type: ignore[misc]


@dataclass
class Spec:
    key: str
    municipality: str  # "moss" | "rade"
    created: datetime
    consent: str = "consent"
    reporter: str = "home_care"
    contact: str = "teams"
    classification: str | None = None
    violence: list[str] = field(default_factory=lambda: ["psychological"])
    vulnerabilities: list[str] = field(default_factory=lambda: ["old_age"])
    perpetrator: str = "child"
    gender: str = "female"
    age_band: str = "80+"
    assessed: datetime | None = None
    closed: datetime | None = None
    outcome: str | None = None
    measures: list[str] | None = None
    # (kind, at, outcome) events of closing and reopening, in order; the case's own columns
    # are what they leave behind.
    history: list[tuple[str, datetime, str | None]] = field(default_factory=list)


CASES = [
    Spec(
        "M1",
        "moss",
        utc(2026, 1, 5, 10),
        classification="must",
        violence=["psychological", "physical"],
        vulnerabilities=["dementia", "old_age"],
        perpetrator="partner",
        age_band="80+",
        assessed=utc(2026, 1, 7, 10),
        closed=utc(2026, 3, 7, 10),
        outcome="stopped",
        measures=["home_care", "gp"],
    ),
    Spec(
        "M2",
        "moss",
        utc(2026, 2, 10, 9),
        consent="anonymous",
        reporter="relative",
        contact="phone",  # the daughter called the TryggEst phone
        classification="should",
        vulnerabilities=["mental_illness"],
        gender="male",
        age_band="50-66",
        assessed=utc(2026, 2, 14, 9),
    ),
    # Half past eleven on the period's last evening, Oslo time: still 2026H1.
    Spec(
        "M3",
        "moss",
        oslo(2026, 6, 30, 23, 30),
        reporter="gp",
        violence=["financial"],
        age_band="67-79",
    ),
    # Half past midnight: 2026H2.
    Spec("M4", "moss", oslo(2026, 7, 1, 0, 30)),
    # Reported in 2025H2, closed in 2026H1.
    Spec(
        "M5",
        "moss",
        utc(2025, 11, 20, 10),
        assessed=utc(2025, 11, 25, 10),
        closed=utc(2026, 2, 1, 10),
        outcome="ordinary_services",
        measures=["nav"],
    ),
    # Closed in 2026H1, reopened in 2026H2 and open since: closed in H1 as it stood then.
    Spec(
        "M6",
        "moss",
        utc(2025, 12, 1, 10),
        measures=["police"],
        history=[
            ("closed", utc(2026, 5, 1, 10), "declined"),
            ("reopened", utc(2026, 8, 1, 10), None),
        ],
    ),
    Spec("M7", "moss", utc(2025, 10, 1, 10)),
    # Closed and reopened within 2026H1: open at its end.
    Spec(
        "M8",
        "moss",
        utc(2026, 3, 1, 10),
        history=[
            ("closed", utc(2026, 4, 1, 10), "stopped"),
            ("reopened", utc(2026, 4, 15, 10), None),
        ],
    ),
    # Closed in H1 ("stopped"), reopened and closed again in H2 ("other").
    Spec(
        "M9",
        "moss",
        utc(2025, 9, 1, 10),
        closed=utc(2026, 10, 1, 10),
        outcome="other",
        measures=["tryggest_team"],
        history=[
            ("closed", utc(2026, 2, 15, 10), "stopped"),
            ("reopened", utc(2026, 9, 1, 10), None),
            ("closed", utc(2026, 10, 1, 10), "other"),
        ],
    ),
    # Half past midnight on New Year's Day, Oslo time: 2026H1 (23:30 UTC the day before).
    Spec(
        "R1",
        "rade",
        oslo(2026, 1, 1, 0, 30),
        consent="duty_to_avert",
        reporter="police",
        contact="letter",
        classification="must",
        violence=["sexual"],
        vulnerabilities=["intellectual_disability"],
        perpetrator="staff",
        age_band="18-29",
        assessed=oslo(2026, 1, 2, 0, 30),
        closed=oslo(2026, 6, 30, 23, 0),
        outcome="transferred",
        measures=["police", "crisis_centre"],
    ),
    # Half past eleven on New Year's Eve: 2025H2; assessed in 2026H1.
    Spec("R2", "rade", oslo(2025, 12, 31, 23, 30), assessed=oslo(2026, 1, 3, 23, 30)),
    Spec(
        "R3",
        "rade",
        utc(2026, 4, 10, 8),
        classification="should",
        violence=["neglect", "psychological"],
        vulnerabilities=["dementia"],
        perpetrator="other_family",
        gender="other_unknown",
        age_band="unknown",
        assessed=utc(2026, 4, 13, 8),
        closed=utc(2026, 7, 2, 8),
        outcome="stopped",
    ),
]

# Every number of the 2026H1 report before suppression: {section: {row: (Moss, Råde, total)}}.
EXPECTED_H1: dict[str, dict[str, tuple[int, int, int]]] = {
    "received": {
        "all": (4, 2, 6),  # M1 M2 M3 M8 | R1 R3
        "consent": (3, 1, 4),
        "anonymous": (1, 0, 1),
        "duty_to_avert": (0, 1, 1),
    },
    "reporter": {
        "home_care": (2, 1, 3),
        "relative": (1, 0, 1),
        "gp": (1, 0, 1),
        "police": (0, 1, 1),
    },
    "contact_channel": {"teams": (3, 1, 4), "phone": (1, 0, 1), "letter": (0, 1, 1)},
    "classification": {"must": (1, 1, 2), "should": (1, 1, 2), "none": (2, 0, 2)},
    "violence": {
        "psychological": (3, 1, 4),
        "physical": (1, 0, 1),
        "financial": (1, 0, 1),
        "sexual": (0, 1, 1),
        "neglect": (0, 1, 1),
    },
    "vulnerability": {
        "dementia": (1, 1, 2),
        "old_age": (3, 0, 3),
        "mental_illness": (1, 0, 1),
        "intellectual_disability": (0, 1, 1),
    },
    "perpetrator": {
        "partner": (1, 0, 1),
        "child": (3, 0, 3),
        "staff": (0, 1, 1),
        "other_family": (0, 1, 1),
    },
    "gender": {"female": (3, 1, 4), "male": (1, 0, 1), "other_unknown": (0, 1, 1)},
    "age_band": {
        "80+": (2, 0, 2),
        "50-66": (1, 0, 1),
        "67-79": (1, 0, 1),
        "18-29": (0, 1, 1),
        "unknown": (0, 1, 1),
    },
    # Closed: M1 M5 M6 M9 | R1. Open at the end: M2 M3 M7 M8 | R2 R3.
    "status": {"closed_in_period": (4, 1, 5), "open_at_end": (4, 2, 6)},
    "outcome": {
        "stopped": (2, 0, 2),
        "ordinary_services": (1, 0, 1),
        "declined": (1, 0, 1),
        "transferred": (0, 1, 1),
    },
    "measures": {
        "home_care": (1, 0, 1),
        "gp": (1, 0, 1),
        "nav": (1, 0, 1),
        "police": (1, 1, 2),
        "tryggest_team": (1, 0, 1),
        "crisis_centre": (0, 1, 1),
    },
}
# Median days, (Moss, Råde, total) with how many cases each is of.
# To assessment in H1: M1 2, M2 4 | R1 1, R2 3, R3 3.
# To closing in H1: M1 61, M5 73, M6 151, M9 167 | R1 180.896 (181 days less 2.5 hours).
EXPECTED_MEDIANS_H1 = {
    "to_assessment": ((3.0, 2), (3.0, 3), (3.0, 5)),
    "to_closing": ((112.0, 4), (180.9, 1), (151.0, 5)),
}


@dataclass
class Setting:
    moss: str
    rade: str
    team: str
    case_ids: dict[str, str]


async def add_cases(sessions: Any, cases: list[Spec] = CASES, tenant_id: str = TENANT) -> Setting:
    """Moss and Råde with one operational team (coordinator 'coord-1') and the cases."""
    await allow_tenant(sessions, tenant_id, "Moss og Råde")
    async with sessions() as session, session.begin():
        moss = Municipality(tenant_id=tenant_id, name="Moss", number="3103")
        rade = Municipality(tenant_id=tenant_id, name="Råde", number="3112")
        team = Team(tenant_id=tenant_id, kind="operational", name="TryggEst Moss og Råde")
        session.add_all([moss, rade, team])
        await session.flush()
        session.add_all(
            [
                TeamMunicipality(team_id=team.id, municipality_id=moss.id),
                TeamMunicipality(team_id=team.id, municipality_id=rade.id),
                Membership(
                    team_id=team.id,
                    tenant_id=tenant_id,
                    aad_object_id="coord-1",
                    role="coordinator",
                ),
            ]
        )
        ids = {}
        for number, spec in enumerate(cases, start=1):
            case_id = new_id()
            ids[spec.key] = case_id
            municipality = moss if spec.municipality == "moss" else rade
            status = "closed" if spec.closed else ("assessed" if spec.assessed else "received")
            session.add(
                Case(
                    id=case_id,
                    tenant_id=tenant_id,
                    municipality_id=municipality.id,
                    team_id=team.id,
                    number=f"TE-{spec.created.year}-{number:04d}",
                    draft_id=new_id(),
                    status=status,
                    consent_basis=spec.consent,
                    gender=spec.gender,
                    age_band=spec.age_band,
                    vulnerabilities=spec.vulnerabilities,
                    violence_types=spec.violence,
                    perpetrator_relation=spec.perpetrator,
                    knowledge_source="saw",
                    reporter_service=spec.reporter,
                    contact_channel=spec.contact,
                    reporter_tenant_id=tenant_id,
                    reporter_aad_object_id="reporter-1",
                    personal=b"sealed",
                    classification=spec.classification,
                    assessed_at=spec.assessed,
                    closed_at=spec.closed,
                    outcome=spec.outcome,
                    measures=spec.measures,
                    created_at=spec.created,
                    updated_at=spec.created,
                )
            )
            await session.flush()
            session.add(
                CaseEvent(
                    case_id=case_id, tenant_id=tenant_id, kind="reported", data={}, at=spec.created
                )
            )
            history = spec.history or (
                [("closed", spec.closed, spec.outcome)] if spec.closed else []
            )
            for kind, at, outcome in history:
                session.add(
                    CaseEvent(
                        case_id=case_id,
                        tenant_id=tenant_id,
                        kind=kind,
                        data={"outcome": outcome} if outcome else {},
                        at=at,
                    )
                )
        return Setting(moss.id, rade.id, team.id, ids)
