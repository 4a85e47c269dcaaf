"""`tryggest person export|erase`: a person's rights on one case (GDPR art. 15 and 17), run by
an operator once the municipality has granted the request. Both are in the access log."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from cards.person_export import person_export
from cards.texts import Language
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
