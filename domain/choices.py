"""Map what a person types ("fysisk og økonomisk", "2, 4", "Psykisk vold") to codes.

A typed answer is split into parts on commas, "og"/"and", slashes and plus signs; each part must
match exactly one code, by its number in the list, its label in any language or a synonym, whole
or by the start of a word. If any part is unclear the whole answer is unclear and the question is
asked again: a guess would put a wrong category on a vulnerable person's case.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from domain.codes import Code, CodeList

_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\bog\b|\band\b|\bsamt\b)\s*", re.IGNORECASE)
_MIN_PREFIX = 4
_ASIDE = re.compile(r"\([^)]*\)")


def normalise(text: str) -> str:
    """Lower case, Norwegian letters folded, punctuation gone: 'Økonomisk!' -> 'okonomisk'."""
    text = text.strip().lower()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s+-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@functools.lru_cache(maxsize=4096)
def _names(code: Code) -> tuple[str, ...]:
    # People type what the card shows without its aside or one half of "a / b": "høy alder"
    # for "Høy alder (67+)", "økonomiske overgrep" for "Økonomiske overgrep / utnyttelse".
    # Cached: it ran for every code at every typed answer, and a code is a frozen value (the
    # lists are constants, the municipalities a few hundred at most).
    labels = [code.nb, code.nn, code.en]
    shortened = [part for label in labels for part in _ASIDE.sub(" ", label).split("/")]
    names = (normalise(n) for n in (*labels, *shortened, code.code, *code.synonyms))
    return tuple(n for n in names if n)


def _matches_part(part: str, codes: CodeList) -> list[Code]:
    exact = [c for c in codes.codes if part in _names(c)]
    if exact:
        return exact
    if part.isdigit():  # the option's number in the list, as people answer a numbered list
        index = int(part) - 1
        return [codes.codes[index]] if 0 <= index < len(codes.codes) else []
    # Only a single word is matched by its start: "okonomisk" names "Økonomiske overgrep", but
    # "fysisk og okonomisk" must be split into parts first, not matched as "fysisk …".
    if len(part) < _MIN_PREFIX or " " in part:
        return []
    found = []
    for code in codes.codes:
        words = {w for name in _names(code) for w in name.split()}
        if any(w.startswith(part) or (len(w) >= _MIN_PREFIX and part.startswith(w)) for w in words):
            found.append(code)
    return found


def parse_choices(text: str, codes: CodeList) -> list[str] | None:
    """The codes a typed answer names, in list order, or None when any part is unclear."""
    text = text.strip()
    if not text:
        return None
    whole = _matches_part(normalise(text), codes)
    if len(whole) == 1:
        return [whole[0].code]
    parts = [normalise(p) for p in _SPLIT.split(text)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    chosen: set[str] = set()
    for part in parts:
        found = _matches_part(part, codes)
        if len(found) != 1:
            return None
        chosen.add(found[0].code)
    ordered = [c.code for c in codes.codes if c.code in chosen]
    if not codes.multiple and len(ordered) != 1:
        return None
    return ordered


def parse_choice(text: str, codes: CodeList) -> str | None:
    """The one code a typed answer names, or None."""
    found = parse_choices(text, codes)
    return found[0] if found and len(found) == 1 else None


def parse_card_value(value: object, codes: CodeList) -> list[str] | None:
    """Codes from a card's choice set: 'a,b' for multi-select; anything not in the list is refused."""
    if isinstance(value, list):
        items = [str(v) for v in value]
    elif isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    else:
        return None
    if not items or any(item not in codes for item in items):
        return None
    if not codes.multiple and len(items) != 1:
        return None
    return [c.code for c in codes.codes if c.code in items]
