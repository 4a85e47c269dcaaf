"""A case (sak) as the operational team receives it, built from a finished report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.access import Person
from domain.codes import Code, CodeList, age_band_for
from domain.report import BirthDate, ReportDraft, age_on

CASE_STATUS = CodeList(
    "case_status",
    (
        Code("received", "Mottatt", "Motteken", "Received"),
        Code("assessing", "Under vurdering", "Under vurdering", "Being assessed"),
        Code("assessed", "Vurdert", "Vurdert", "Assessed"),
        Code("in_progress", "Under oppfølging", "Under oppfølging", "Being followed up"),
        Code("closed", "Avsluttet", "Avslutta", "Closed"),
    ),
)


def format_case_number(year: int, sequence: int) -> str:
    """People read case numbers aloud on the phone: TE-2026-0042."""
    return f"TE-{year}-{sequence:04d}"


# The person who reports: any user of an allowed tenant, needing no role.
Reporter = Person


@dataclass
class NewCase:
    """What is stored when a report is sent.

    Coded fields are safe to count and to show the team in anonymised form; `personal` holds
    everything that can identify someone and is encrypted before it reaches the database.
    """

    draft_id: str
    municipality_id: str
    consent_basis: str
    acute_danger: bool
    gender: str
    age_band: str
    vulnerabilities: list[str]
    violence_types: list[str]
    perpetrator_relation: str
    knowledge_source: str
    reporter_service: str
    reporter: Reporter
    personal: dict[str, Any] = field(default_factory=dict)
    # A report in Teams, or an enquiry registered by a team member (domain/contact.py).
    contact_channel: str = "teams"
    contacted_on: date | None = None


def case_from_draft(draft: ReportDraft, reporter: Reporter, today: date) -> NewCase:
    if not draft.is_complete():
        raise ValueError("the report is not finished")
    a = draft.answers
    birth = BirthDate(**a["birth"]) if a.get("birth") else None
    if draft.identifiable:
        age_band = age_band_for(age_on(birth, today)) if birth else "unknown"
    else:
        age_band = a["age_band"]
    personal: dict[str, Any] = {
        "what_happened": a["what_happened"],
        "reporter_phone": a.get("reporter_phone"),
    }
    if draft.identifiable:
        personal |= {
            "name": a["person_name"],
            "birth": birth.as_text() if birth else None,
            "residence": a.get("residence"),
        }
    return NewCase(
        draft_id=draft.draft_id,
        municipality_id=a["municipality"],
        consent_basis=a["consent"],
        acute_danger=a["acute"] == "yes",
        gender=a["gender"],
        age_band=age_band,
        vulnerabilities=list(a["vulnerability"]),
        violence_types=list(a["violence"]),
        perpetrator_relation=a["perpetrator"],
        knowledge_source=a["knowledge"],
        reporter_service=a["reporter_service"],
        reporter=reporter,
        personal=personal,
        contact_channel=a["contact"] if draft.enquiry else "teams",
        contacted_on=date.fromisoformat(a["contacted_on"]) if draft.enquiry else None,
    )
