"""The channel guard's rules: does a message in a team channel hold a fødselsnummer, a phone
number, an e-mail address, or the name of a person in one of the team's cases?

Pure rules, shared by the plain-text check here and the keyed-hash check in storage: a name is
turned into *keys* ("full:kari hansen", "alone:hansen"), a message into the keys it could match,
and a message names a case when the two sets meet. Storage hashes both sides the same way, so
no name is ever kept in plain text.

Numbers (the anonymiser's detectors, stricter where a channel is busy):
- a fødselsnummer or D-nummer counts only when both check digits are right, in any spacing
  people write it ("15108695088", "151086 95088", "15.10.86 95088");
- a Norwegian phone number as the anonymiser finds it (eight digits, grouped or whole, or with
  +47; not amounts, dates or years), and foreign numbers with their country code;
- an e-mail address.

Names (words folded as the anonymiser folds them: any case, "Kåre" = "Kare" = "Kaare"):
1. The full name: every word of the case's name next to each other in order ("Kari Anne
   Hansen"), or with the family name first ("Hansen, Kari Anne"). A given name next to a
   family name counts as the full name too ("Kari Hansen", "Anne Hansen", "Hansen, Kari"),
   but two given names do not ("Kari Anne"). Only spaces and commas may stand between the
   words; a sentence end breaks them.
2. A family name alone (any word of the name but the first), when the word can only be a
   name: not a given name in the name lists, not a word the anonymiser knows as an everyday
   word, municipality, service or title, and at least three letters. It must be written with
   a capital in the middle of a sentence, or at its start before a verb only people do
   ("Zahid ringte"), or be a family name in the name lists ("hansen", "Hansen kommer"), or
   follow a title or a word for the person a case is about ("fru Hansen", "pasienten Dahl" —
   after these even a family name that is also a word counts).
   A given name right before it means another person with the same family name ("Per
   Hansen"): then only the full-name rule decides.
3. A one-word name is treated as a family name (rule 2): a lone given name never triggers.
4. The last word of a run may carry a genitive ("Kari Hansens", "Hansen's"); "Kari sin" needs
   nothing, the name stands whole.

Known false positives: a colleague (or anyone) with the same full name as a person in a
case, or with a distinctive family name shared with one ("Takk, Zahid!" when a case's person
is "Amina Zahid"); phone numbers and e-mail addresses of colleagues and services.
Known false negatives: a first name alone ("Kari har ringt igjen"); a family name that is
also an everyday word, without a title before it ("Berg kommer"); a lower-case family name
not in the name lists; a family name not in the name lists at the start of a sentence
without a verb only people do after it ("Zahid har ringt"); misspelt names; names run
together; a fødselsnummer with a typo (its checksum fails).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from stdnum.no import fodselsnummer

from domain.anonymiser.lexicon import (
    COMMON_VERBS,
    FUNCTION_WORDS,
    HUMAN_VERBS,
    KEEP_WORDS,
    NAME_PARTICLES,
    NAME_WORDS,
    POSSESSIVES,
    RELATION_WORDS,
    TITLES,
    lexicon,
)
from domain.anonymiser.model import Kind
from domain.anonymiser.numbers import find_numbers
from domain.anonymiser.text import WORD, fold, tokenize, words

FNR = "fnr"
PHONE = "phone"
EMAIL = "email"
NAME = "name"

_KINDS = {Kind.FNR: FNR, Kind.PHONE: PHONE, Kind.EMAIL: EMAIL}
# Names longer than this are matched by their given-name + family-name pairs only.
MAX_NAME_WORDS = 5
# Words for the person a case is about: after them a family name counts even when it is also
# an everyday word ("pasienten Dahl").
_PERSON_WORDS = frozenset(
    words("pasient pasienten bruker brukeren brukar brukaren beboer beboeren bebuar bebuaren")
)
_GENITIVES = ("'s", "’s", "'", "’")
_PERSON_BEFORE = TITLES | _PERSON_WORDS


def what_identifies(text: str) -> set[str]:
    """The kinds of number-like identifiers in `text`: "fnr", "phone" and "email"."""
    found: set[str] = set()
    for item in find_numbers(text):
        kind = _KINDS.get(item.kind)
        if kind == FNR:
            digits = re.sub(r"\D", "", text[item.start : item.end])
            if not fodselsnummer.is_valid(digits):
                continue
        if kind is not None:
            found.add(kind)
    return found


# --- names ---------------------------------------------------------------------------------


def name_words(name: str) -> list[str]:
    """The folded words of a person's name; hyphenated names in parts ("Anne-Lise" is "anne",
    "lise"); a title written with the name ("fru") dropped."""
    found: list[str] = []
    for match in WORD.finditer(name):
        for part in match.group().split("-"):
            key = fold(part.strip("'’"))
            if key and key not in _TITLES:
                found.append(key)
    return found


def name_keys(name: Sequence[str]) -> set[str]:
    """What a message must contain to name this person (rules 1 to 3), as keys; `name` is the
    `name_words` of the person's name."""
    n = len(name)
    if n == 0:
        return set()
    if n == 1:
        return {"alone:" + name[0]}
    keys = {"alone:" + word for word in name[1:]}
    if n <= MAX_NAME_WORDS:
        keys.add("full:" + " ".join(name))
        keys.add("full:" + " ".join([name[-1], *name[:-1]]))
    given_names = lexicon().first_names_folded
    for i in range(n - 1):
        for j in range(i + 1, n):
            # "Kari Anne" of "Kari Anne Hansen" is two given names: many people are called so.
            if j == n - 1 or name[j] not in given_names:
                keys.add(f"full:{name[i]} {name[j]}")
                keys.add(f"full:{name[j]} {name[i]}")
    return keys


@dataclass(frozen=True, slots=True)
class MessageWord:
    """A word of a message as the name rules see it."""

    forms: tuple[str, ...]  # folded; with a genitive, the word without it as well
    alone: tuple[str, ...]  # the forms that may name a case's person by themselves (rule 2)
    joined: bool  # only spaces or commas since the word before, in the same sentence


def message_words(text: str) -> list[MessageWord]:
    """The words of a message, folded, with what rule 2 and the runs of rule 1 need."""
    parts: list[tuple[str, bool, bool]] = []  # text, sentence start, joined to the previous
    previous_end: int | None = None
    for token in tokenize(text):
        gap = text[previous_end : token.start] if previous_end is not None else None
        joined = gap is not None and not token.sentence_start and _joins(gap, parts)
        for n, part in enumerate(token.text.split("-")):
            if part:
                parts.append((part, token.sentence_start and n == 0, joined or n > 0))
        previous_end = token.end
    message: list[MessageWord] = []
    for i, (part, sentence_start, joined) in enumerate(parts):
        before = parts[i - 1][0] if i > 0 and joined else None
        after = parts[i + 1][0] if i + 1 < len(parts) and parts[i + 1][2] else None
        forms = _forms(part)
        alone = tuple(f for w, f in forms if _alone(w, f, sentence_start, before, after))
        message.append(MessageWord(tuple(f for _, f in forms), alone, joined))
    return message


def message_keys(message: Sequence[MessageWord]) -> set[str]:
    """Every key a case's name could share with this message (rules 1, 2 and 4)."""
    keys = {"alone:" + form for word in message for form in word.alone}
    for start in range(len(message)):
        head = [message[start].forms[0]]
        for end in range(start + 1, min(start + MAX_NAME_WORDS, len(message))):
            if not message[end].joined:
                break
            for form in message[end].forms:
                keys.add("full:" + " ".join([*head, form]))
            head.append(message[end].forms[0])
    return keys


def names_a_case(
    message: Sequence[MessageWord], case_name_word_sets: Iterable[Sequence[str]]
) -> bool:
    """Whether the message names the person of any of these cases (each given by the
    `name_words` of its name)."""
    keys = message_keys(message)
    return any(keys & name_keys(name) for name in case_name_word_sets)


def _joins(gap: str, parts: list[tuple[str, bool, bool]]) -> bool:
    rest = gap.replace(",", " ").strip()
    if not rest:
        return True
    # "hr. Hansen", "dr. Dahl": a title's full stop does not end anything.
    return rest == "." and bool(parts) and parts[-1][0].lower() in TITLES


def _forms(part: str) -> tuple[tuple[str, str], ...]:
    """The word as written and folded; with a genitive ending, also without it."""
    for ending in _GENITIVES:
        if part.endswith(ending) and len(part) > len(ending):
            return ((part, fold(part)), (part[: -len(ending)], fold(part[: -len(ending)])))
    if len(part) > 3 and part.endswith("s"):
        return ((part, fold(part)), (part[:-1], fold(part[:-1])))
    return ((part, fold(part)),)


def _alone(
    written: str, form: str, sentence_start: bool, before: str | None, after: str | None
) -> bool:
    """Rule 2 for one form of a word."""
    lex = lexicon()
    if len(form) < 3 or form in _FUNCTION_WORDS:
        return False
    if before is not None and before.lower() in _PERSON_BEFORE:
        return True  # "fru Hansen", "pasienten Dahl"
    if form in _everyday_words() or form in lex.first_names_folded:
        return False
    if before is not None and before[0].isupper() and fold(before) in lex.first_names_folded:
        return False  # "Per Hansen": another Hansen, or the full name of rule 1
    if written.lower() in lex.surnames:
        return True  # "hansen", "Hansen kommer": a family name, whatever its case or place
    if not written[0].isupper():
        return False
    # At the start of a sentence a capital says nothing, unless a verb only people do follows.
    return not sentence_start or (after is not None and after.lower() in HUMAN_VERBS)


_TITLES = frozenset(fold(word) for word in TITLES)
_FUNCTION_WORDS = frozenset(fold(word) for word in FUNCTION_WORDS | POSSESSIVES | NAME_PARTICLES)


@cache
def _everyday_words() -> frozenset[str]:
    """Words that are not a name by themselves, folded: the anonymiser's everyday words that are
    also names, relations and roles, verbs, services and places, and every municipality."""
    everyday = NAME_WORDS | RELATION_WORDS | COMMON_VERBS | TITLES | _PERSON_WORDS
    return frozenset(fold(word) for word in everyday) | KEEP_WORDS | lexicon().municipalities
