"""The channel guard's rules (domain/guard.py): what in a channel message identifies someone.

Table-driven: each row is one behaviour, named by its id.
"""

from __future__ import annotations

import pytest

from domain.guard import (
    message_keys,
    message_words,
    name_keys,
    name_words,
    names_a_case,
    what_identifies,
)

# --- numbers --------------------------------------------------------------------------------

NUMBERS: list[tuple[str, str, set[str]]] = [
    # (id, message, kinds found)
    ("fnr whole", "Gjelder 15108695088, kan noen ringe?", {"fnr"}),
    ("fnr spaced 6+5", "fnr 151086 95088", {"fnr"}),
    ("fnr with dots and a space", "Født 15.10.86 95088", {"fnr"}),
    ("fnr with a hyphen", "Pasient 151086-95088", {"fnr"}),
    ("d-nummer", "D-nummer 41034627388", {"fnr"}),
    ("eleven digits with a wrong checksum", "Referanse 15108695089 i arkivet", set()),
    ("eleven digits after fnr, wrong checksum", "fnr 11034533394", set()),
    ("phone spaced", "Ring henne på 912 34 567", {"phone"}),
    ("phone in pairs", "tlf 91 23 45 67", {"phone"}),
    ("phone with +47", "+47 91234567", {"phone"}),
    ("e-mail", "Skriv til kari.n@online.no", {"email"}),
    ("fnr and phone", "15108695088, tlf 91234567", {"fnr", "phone"}),
    ("a case number", "Vi tar TE-2026-0001 på møtet i morgen", set()),
    ("a date and a time", "Møtet er 12.11.2026 kl. 14.00", set()),
    ("an amount", "Det mangler 45 000 kr på kontoen", set()),
    ("a year and an age", "Hun er 84 år og flyttet i 2019", set()),
]


@pytest.mark.parametrize(
    ("message", "kinds"), [r[1:] for r in NUMBERS], ids=[r[0] for r in NUMBERS]
)
def test_numbers_in_a_message(message: str, kinds: set[str]) -> None:
    assert what_identifies(message) == kinds


# --- names ----------------------------------------------------------------------------------

CASE_NAMES = ["Kari Hansen", "Kåre Olav Strøm-Dahl", "Amina Zahid", "Ingrid Dahl", "Per Sommer"]

NAMES: list[tuple[str, str, bool]] = [
    # (id, message, names a person of CASE_NAMES)
    ("full name", "Kari Hansen har ringt igjen.", True),
    ("full name, family name first", "Gjelder Hansen, Kari.", True),
    ("full name in lower case", "kari hansen har ringt", True),
    ("full name in capitals", "KARI HANSEN", True),
    ("full name with a genitive", "Kari Hansens sønn var der.", True),
    ("full name, genitive with an apostrophe", "Kari Hansen's sønn", True),
    ("full name before 'sin'", "Kari Hansen sin sønn var der.", True),
    ("accents folded", "Kare Olav Strom-Dahl bor alene.", True),
    ("aa for å", "Kaare Olav Strøm-Dahl", True),
    ("a given name and the family name", "Kåre Dahl kommer i dag", True),
    ("family name with a title", "Vi besøkte fru Hansen i går.", True),
    ("family name in lower case with a title", "fru hansen ringte", True),
    ("family name mid-sentence", "Har noen snakket med Hansen?", True),
    ("family name with a genitive", "Hansens datter ringte.", True),
    ("distinctive family name mid-sentence", "Takk, Zahid!", True),
    ("family name that is a word, with a title", "fru Dahl ringte", True),
    ("a colleague's first name", "Takk, Kari!", False),
    ("a first name with a genitive", "Karis forslag er bra.", False),
    ("a first name before 'sin'", "Kari sin plan er bra.", False),
    ("two given names of the case", "Takk, Kåre Olav!", False),
    ("another person with the family name", "Per Hansen kommer på møtet.", False),
    ("family name that is a word, alone", "Dahl kommer", False),
    ("family name that is an everyday word, in lower case", "Vi ses i sommer!", False),
    ("family name that is an everyday word, at a sentence start", "Sommer er fint.", False),
    ("family name in a compound at a sentence start", "Takk. Hansen-saken tar vi i morgen.", True),
    ("the full name split by a sentence end", "Takk, Ingrid. Dahl-utvalget møtes.", False),
    ("family name that is a word, first, with the given name", "Gjelder Dahl, Ingrid", True),
    ("the case number only", "Vi tar TE-2026-0001 på møtet i morgen.", False),
]


@pytest.mark.parametrize(("message", "expected"), [r[1:] for r in NAMES], ids=[r[0] for r in NAMES])
def test_names_in_a_message(message: str, expected: bool) -> None:
    cases = [name_words(name) for name in CASE_NAMES]
    assert names_a_case(message_words(message), cases) is expected


def test_a_name_is_folded_split_at_hyphens_and_without_a_title() -> None:
    assert name_words("fru Kåre Olav Strøm-Dahl") == ["kare", "olav", "strom", "dahl"]


def test_a_one_word_name_is_matched_as_a_family_name_only() -> None:
    assert names_a_case(message_words("Har noen sett Zahid?"), [name_words("Zahid")])
    assert not names_a_case(message_words("Takk, Kari!"), [name_words("Kari")])


def test_a_message_with_no_case_names_names_none() -> None:
    assert not names_a_case(message_words("Kari Hansen har ringt."), [])


def test_the_keys_hold_only_folded_words_of_the_name() -> None:
    # What storage hashes: nothing but the name's own words, in the forms the rules match.
    assert name_keys(name_words("Kari Hansen")) == {
        "alone:hansen",
        "full:kari hansen",
        "full:hansen kari",
    }
    assert "full:kari hansen" in message_keys(message_words("Hei, Kari Hansen!"))
