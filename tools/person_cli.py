"""`tryggest person export|erase`: a person's rights on one case (GDPR art. 15 and 17), run by
an operator once the municipality has granted the request. Both are in the access log."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from cards.person_export import person_export
from cards.texts import Language
from domain.report import parse_birth, parse_phone
from storage.crypto import FieldCipher
from storage.person_data import FoundCase, PersonData


class PersonCommandError(Exception):
    """What the operator is told instead (no personal data in it)."""


async def _one(
    data: PersonData, number: str, tenant: str | None, municipality: str | None
) -> FoundCase:
    found = await data.find(number, tenant, municipality)
    if not found:
        raise PersonCommandError(
            f"No case {number}. Check the number (and --tenant, --municipality)."
        )
    if len(found) > 1:
        where = ", ".join(f"{f.municipality} (tenant {f.tenant_id})" for f in found)
        raise PersonCommandError(
            f"{number} is a case number in several places: {where}. "
            "Say which with --municipality (and --tenant)."
        )
    return found[0]


async def export_person(
    sessions: async_sessionmaker[Any],
    cipher: FieldCipher,
    number: str,
    out: Path,
    by: str,
    now: datetime,
    lang: Language = "nb",
    tenant: str | None = None,
    municipality: str | None = None,
) -> str:
    data = PersonData(sessions, cipher)
    case = await _one(data, number, tenant, municipality)
    document = person_export(lang, await data.export(case.id, by, now))
    # Only the operator may read it: it holds everything about the person.
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(document)
    return (
        f"Wrote {out}: everything stored about the person in {case.number} ({case.municipality}),"
        " logged in the access log. Hand it over securely, then delete your copy."
    )


async def erase_person(
    sessions: async_sessionmaker[Any],
    cipher: FieldCipher,
    number: str,
    reason: str,
    by: str,
    now: datetime,
    tenant: str | None = None,
    municipality: str | None = None,
) -> str:
    data = PersonData(sessions, cipher)
    case = await _one(data, number, tenant, municipality)
    if await data.erase(case.id, reason, by, now):
        return (
            f"The personal data in {case.number} ({case.municipality}) is erased: the name, birth"
            " date, address, free text, the reporter's phone, the timeline's texts and the text"
            " shared in the channel. The coded fields stay for the statistics. Logged."
        )
    return f"{case.number} ({case.municipality}) had no personal data left to erase."


def checked_value(field: str, value: str, today: date) -> str:
    """The value as it is stored (a birth date as the report writes it, a phone number in
    E.164), or PersonCommandError saying what is wrong with it (never repeating it)."""
    value = value.strip()
    if not value:
        raise PersonCommandError("No value given on standard input.")
    if field == "birth":
        birth = parse_birth(value, today)
        if birth is None:
            raise PersonCommandError("Not a birth date or year (e.g. 12.03.1941, or 1941).")
        return birth.as_text()
    if field == "reporter_phone":
        phone = parse_phone(value)
        if phone is None:
            raise PersonCommandError("Not a phone number (e.g. 912 34 567, or +47 912 34 567).")
        return phone
    return value


async def correct_person(
    sessions: async_sessionmaker[Any],
    cipher: FieldCipher,
    number: str,
    field: str,
    value: str,
    by: str,
    now: datetime,
    tenant: str | None = None,
    municipality: str | None = None,
) -> str:
    data = PersonData(sessions, cipher)
    case = await _one(data, number, tenant, municipality)
    stored = checked_value(field, value, now.date())
    if await data.correct(case.id, field, stored, by, now):
        return f"{field} in {case.number} ({case.municipality}) is corrected. Logged."
    raise PersonCommandError(f"{case.number} has no personal data left to correct (erased).")
