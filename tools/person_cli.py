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


class PersonCommands:
    """The three commands on one case, as one operator (`by`) runs them at `now`; `tenant` and
    `municipality` say which case when its number is in several."""

    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        cipher: FieldCipher,
        by: str,
        now: datetime,
        tenant: str | None = None,
        municipality: str | None = None,
    ) -> None:
        self._data = PersonData(sessions, cipher)
        self._by = by
        self._now = now
        self._tenant = tenant
        self._municipality = municipality

    async def _case(self, number: str) -> FoundCase:
        found = await self._data.find(number, self._tenant, self._municipality)
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

    async def export(self, number: str, out: Path, lang: Language = "nb") -> str:
        case = await self._case(number)
        record = await self._data.export(case.id, self._by, self._now)
        # Only the operator may read it: it holds everything about the person.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(person_export(lang, record))
        return (
            f"Wrote {out}: everything stored about the person in {case.number}"
            f" ({case.municipality}), logged in the access log. Hand it over securely, then"
            " delete your copy."
        )

    async def erase(self, number: str, reason: str) -> str:
        case = await self._case(number)
        if await self._data.erase(case.id, reason, self._by, self._now):
            return (
                f"The personal data in {case.number} ({case.municipality}) is erased: the name,"
                " birth date, address, free text, the reporter's phone, the timeline's texts and"
                " the text shared in the channel. The coded fields stay for the statistics."
                " Logged."
            )
        return f"{case.number} ({case.municipality}) had no personal data left to erase."

    async def correct(self, number: str, field: str, value: str) -> str:
        case = await self._case(number)
        stored = checked_value(field, value, self._now.date())
        if await self._data.correct(case.id, field, stored, self._by, self._now):
            return f"{field} in {case.number} ({case.municipality}) is corrected. Logged."
        raise PersonCommandError(f"{case.number} has no personal data left to correct (erased).")


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
