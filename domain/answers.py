"""Reading one answer in the report: what a person typed or tapped, as the value the draft keeps.

One place for every question's rules, so that the dialogue, the corpus of how people answer
(tests/corpus/answers/) and the hints the cards show all agree: the acute question leans to
danger (domain/danger.py), choices are read as words (domain/choices.py), dates, ages and phone
numbers as people write them (domain/report.py), and an identifier is never kept where it does
not belong.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.anonymiser import anonymise
from domain.choices import has_words, parse_card_value, parse_choices
from domain.codes import CONTINUE_OR_STOP, Code, CodeList, age_band_for
from domain.contact import parse_contact_day
from domain.danger import AcuteAnswer, read_acute_answer
from domain.report import (
    CODE_LISTS,
    MAX_SHORT_TEXT_LENGTH,
    MAX_TEXT_LENGTH,
    ReportDraft,
    age_on,
    identifiers_in,
    is_name,
    is_skip,
    name_of,
    parse_birth,
    parse_phone,
    says_unknown,
)


class NotUnderstood(Exception):
    """An answer that could not be used: the text key that tells the person what to do, and
    whether the question's options should be shown as buttons (typed, not understood)."""

    def __init__(self, key: str, buttons: bool = False, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.buttons = buttons
        self.values = values


@dataclass(frozen=True)
class Answer:
    value: Any
    # Identifiers were taken out of an anonymous consultation's free text before keeping it.
    cleaned: bool = False


def municipality_code_list(draft: ReportDraft) -> CodeList:
    return _municipality_codes(tuple((m.id, m.name) for m in draft.municipalities))


# Municipalities merged into another since 2020, still named by people who live there.
_FORMER_NAMES = {"moss": ("rygge",), "indre østfold": ("askim", "eidsberg", "spydeberg")}
# Name endings people shorten a name to: "fr.stad", "s.borg".
_NAME_ENDINGS = ("stad", "sund", "vik", "berg", "borg", "dal", "havn", "fjord", "sand", "heim")


def _name_variants(name: str) -> set[str]:
    """How a municipality's name is typed short or misspelt beyond one small typo: a double
    letter single ("mos") or doubled ("rådde"), a letter left out of a short name ("vålr"),
    an ending after the first letters ("fr.stad", read as "frstad"), a former name."""
    low = name.lower()
    found = {re.sub(r"(.)\1", r"\1", low)}
    if len(low) <= 6:
        found |= {low[:i] + low[i + 1 :] for i in range(1, len(low)) if len(low) >= 5}
        found |= {
            low[: i + 1] + low[i:] for i in range(1, len(low) - 1) if low[i] not in "aeiouyæøå"
        }
    for ending in _NAME_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            found |= {low[:k] + ending for k in (1, 2, 3)}
    found |= set(_FORMER_NAMES.get(low, ()))
    found.discard(low)
    return {v for v in found if len(v) >= 3}


@functools.lru_cache(maxsize=64)
def _municipality_codes(municipalities: tuple[tuple[str, str], ...]) -> CodeList:
    variants = {m_id: _name_variants(name) for m_id, name in municipalities}
    # A variant two municipalities share, or another one's name, names neither.
    names = {name.lower() for _, name in municipalities}
    counts: dict[str, int] = {}
    for found in variants.values():
        for v in found:
            counts[v] = counts.get(v, 0) + 1
    return CodeList(
        "municipality",
        tuple(
            Code(
                m_id,
                name,
                name,
                name,
                tuple(sorted(v for v in variants[m_id] if counts[v] == 1 and v not in names)),
            )
            for m_id, name in municipalities
        ),
    )


def code_list_for(step: str, draft: ReportDraft) -> CodeList | None:
    """The codes a question is answered with; None for a free-text question."""
    if step == "municipality":
        return municipality_code_list(draft)
    if step == "acute_guidance":
        return CONTINUE_OR_STOP
    return CODE_LISTS.get(step)


def read_answer(
    step: str, raw: Any, draft: ReportDraft, today: date, from_card: bool = False
) -> Answer:
    """The stored form of an answer to `step`, or NotUnderstood."""
    codes = code_list_for(step, draft)
    if isinstance(raw, str):
        raw = raw.strip()
        limit = MAX_TEXT_LENGTH if step == "what_happened" else MAX_SHORT_TEXT_LENGTH
        if len(raw) > limit:
            raise NotUnderstood("retry.short_text", max=limit)
    if raw in (None, "", []) or (isinstance(raw, str) and not has_words(raw) and raw != "-"):
        # Nothing, or only emoji: a short nudge towards an answer, never the help card.
        if step == "reporter_phone" and raw in (None, ""):
            return Answer(None)
        if step == "acute":
            raise NotUnderstood("retry.acute")
        if codes is not None:
            raise NotUnderstood("retry.nudge_choice", buttons=True)
        raise NotUnderstood("retry.empty")
    if step == "acute" and isinstance(raw, str) and not from_card:
        # Danger now, a yes in any wording, or anything unsure: the guidance first.
        return Answer("no" if read_acute_answer(raw) is AcuteAnswer.NO else "yes")
    if step == "municipality" and isinstance(raw, str):
        raw = re.sub(r"(?<=\w)\.(?=\w)", "", raw)  # "fr.stad": a name shortened
    if codes is not None:
        chosen = parse_card_value(raw, codes) if from_card else None
        if chosen is None and isinstance(raw, str):
            chosen = parse_choices(raw, codes)
        if not chosen and step == "age_band" and isinstance(raw, str):
            # A birth year where the age was asked ("født 1950"): its band.
            birth = parse_birth(raw, today)
            chosen = [age_band_for(age_on(birth, today))] if birth else None
        if not chosen:
            if step == "acute":
                raise NotUnderstood("retry.acute")
            key = "retry.choices" if codes.multiple else "retry.choice"
            raise NotUnderstood(key, buttons=True)
        return Answer(chosen if codes.multiple else chosen[0])
    if not isinstance(raw, str):  # a forged card value where text belongs
        raise NotUnderstood("retry.empty")
    if step == "person_name":
        if identifiers_in(raw):
            raise NotUnderstood("retry.name_identifier")
        if not is_name(raw):
            raise NotUnderstood("retry.name")
        return Answer(name_of(raw))
    if step == "contacted_on":
        day = parse_contact_day(raw, today)
        if day is None:
            raise NotUnderstood("retry.contacted_on")
        return Answer(day.isoformat())
    if step == "birth":
        if is_skip(raw):
            return Answer(None)
        birth = parse_birth(raw, today)
        if birth is None and says_unknown(raw):
            return Answer(None)
        if birth is None:
            raise NotUnderstood("retry.birth")
        return Answer({"year": birth.year, "month": birth.month, "day": birth.day})
    if step == "reporter_phone":
        if is_skip(raw):
            return Answer(None)
        phone = parse_phone(raw)
        if phone is None:
            raise NotUnderstood("retry.phone")
        return Answer(phone)
    if step == "what_happened" and not draft.identifiable:
        # An anonymous consultation keeps no identifier, whatever was typed.
        cleaned = anonymise(raw, [])
        if cleaned.changed:
            return Answer(cleaned.text, cleaned=True)
    return Answer(raw)
