"""`anonymise`: run every detector, settle overlaps, and write the placeholders."""

from __future__ import annotations

import re

from domain.anonymiser.found import Found
from domain.anonymiser.model import AnonymisedText, Kind, Replacement
from domain.anonymiser.names import find_names
from domain.anonymiser.numbers import find_numbers
from domain.anonymiser.places import find_addresses, find_institutions, unit_before
from domain.anonymiser.text import tokenize

# Two names with only spaces between are one person: "Kari Nordmann" -> "[navn]".
_MERGE_GAP = re.compile(r"[ \t]*")


def anonymise(text: str, known_names: list[str]) -> AnonymisedText:
    """Replace every direct identifier in `text` with a bracketed placeholder.

    `known_names` are the names captured in the report ("Kari Nordmann"); they are found in
    every form people write them. Everything the team needs (services, diagnoses, relations,
    municipalities, incident dates and times, amounts, ages) stays.
    """
    if not text:
        return AnonymisedText(text, ())
    tokens = tokenize(text)
    lowercase_style = not any(t.text[0].isupper() and not t.upper for t in tokens)
    found: list[Found] = list(find_numbers(text))
    found.extend(find_addresses(text))
    institutions, institution_names = find_institutions(text, lowercase_style)
    found.extend(institutions)
    if institution_names:
        # A bare mention of an institution named elsewhere in the text ("på Solgløtt").
        for token in tokens:
            if token.key in institution_names and token.text[0].isupper():
                start = unit_before(text, token.start)
                found.append(Found(start, token.end, Kind.INSTITUTION))
    found.extend(find_names(text, tokens, known_names))
    return _replace(text, _settle(found, text))


def _settle(found: list[Found], text: str) -> list[Found]:
    """Keep the strongest finding where findings overlap; join neighbouring names."""
    chosen: list[Found] = []
    taken: list[tuple[int, int]] = []
    for item in sorted(found, key=lambda f: (-f.rank, -(f.end - f.start), f.start)):
        if any(item.start < end and start < item.end for start, end in taken):
            continue
        chosen.append(item)
        taken.append((item.start, item.end))
    chosen.sort(key=lambda f: f.start)
    merged: list[Found] = []
    for item in chosen:
        if merged:
            last = merged[-1]
            if (
                last.kind is Kind.NAME
                and item.kind is Kind.NAME
                and _MERGE_GAP.fullmatch(text, last.end, item.start)
            ):
                merged[-1] = Found(last.start, item.end, Kind.NAME)
                continue
        merged.append(item)
    return merged


def _replace(text: str, found: list[Found]) -> AnonymisedText:
    parts: list[str] = []
    replacements: list[Replacement] = []
    position = 0
    length = 0
    for item in found:
        before = text[position : item.start]
        parts.append(before)
        length += len(before)
        placeholder = item.kind.placeholder
        parts.append(placeholder)
        replacements.append(
            Replacement(
                span=(item.start, item.end),
                original=text[item.start : item.end],
                placeholder=placeholder,
                kind=item.kind,
                output_span=(length, length + len(placeholder)),
            )
        )
        length += len(placeholder)
        position = item.end
    parts.append(text[position:])
    return AnonymisedText("".join(parts), tuple(replacements))
