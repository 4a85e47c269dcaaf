"""An experience before it is shared: the form read strictly, the anonymised version named by
its fingerprint, and no identifier in what the network channel shows (property-based, as for
the case summaries); Norwegian stemming for search."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cards.experience_cards import IN_CHANNEL, experience_card
from domain.access import Person
from domain.experience import ExperienceDraft, anonymise_draft, read_form, search_document
from domain.search_text import query_stems, stems
from domain.views import ExperienceView
from tests.domain.test_anonymiser import (
    PROPERTY_SETTINGS,
    email_strings,
    fodselsnummer_strings,
    phone_strings,
)
from tests.support import all_text

NETWORK = "0e7a0000000000000000000000000001"
FORM = {"situation": "Eldre kvinne med demens.", "done": "Samtale og verge."}


def test_a_complete_form_becomes_a_draft_with_its_tags() -> None:
    draft = read_form({**FORM, "violence": "financial,psychological", "region": "east"}, [NETWORK])

    assert isinstance(draft, ExperienceDraft)
    assert draft.tags == {"violence": ("psychological", "financial"), "region": ("east",)}
    assert draft.network_team_id == NETWORK


def test_the_situation_and_what_was_done_are_required() -> None:
    assert read_form({"situation": " ", "done": ""}, [NETWORK]) == ["situation", "done"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"violence": "financial,made-up"}, "violence"),
        ({"region": "east,south"}, "region"),
        ({"network": "another-network"}, "network"),
        ({"worked": "x" * 801}, "too_long"),
    ],
)
def test_what_our_form_cannot_send_is_refused_not_guessed(changes, problem) -> None:
    assert read_form({**FORM, **changes}, [NETWORK]) == [problem]


def test_the_fingerprint_names_the_version_shown() -> None:
    draft = read_form(FORM, [NETWORK])
    assert isinstance(draft, ExperienceDraft)
    changed = ExperienceDraft(NETWORK, {**draft.texts, "worked": "Noe."}, draft.tags)

    first = anonymise_draft(draft, [])
    assert first.fingerprint == anonymise_draft(draft, []).fingerprint
    assert first.fingerprint != anonymise_draft(changed, []).fingerprint


def test_the_tags_words_are_searchable() -> None:
    document = search_document({"situation": "Hun ble lurt."}, {"violence": ("financial",)})

    assert {"utnytt", "peng", "svindel"} <= set(stems(document))


def test_the_word_forms_meet_and_stop_words_drop() -> None:
    assert query_stems("utnyttelse og utnyttet, utnytte") == ["utnytt"]
    assert stems("Hun er ikke der") == []


CARRIERS = [
    "Hun heter {x} og bor alene.",
    "Ring sønnen på {x} hvis noe skjer.",
    "{x}",
    "Kontakt: {x}. Han svarer sjelden.",
]


def _posted(situation: str, known: list[str]) -> str:
    draft = read_form({**FORM, "situation": situation, "worked": situation}, [NETWORK])
    assert isinstance(draft, ExperienceDraft)
    anonymised = anonymise_draft(draft, known)
    view = ExperienceView(
        id="e" * 32,
        network_team_id=NETWORK,
        network_name="Nettverket",
        author=Person("t", "a"),
        texts={name: anonymised.text(name) for name in anonymised.texts},
        tags=anonymised.tags,
        useful_count=0,
        from_case=False,
        created_at=datetime(2026, 11, 28, tzinfo=UTC),
        posted=None,
    )
    card = experience_card("nb", view, IN_CHANNEL)
    return all_text(
        {
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ]
        }
    )


@PROPERTY_SETTINGS
@given(
    number=st.one_of(fodselsnummer_strings(), phone_strings(), email_strings()),
    carrier=st.sampled_from(CARRIERS),
)
def test_no_identifier_reaches_the_posted_experience(number: str, carrier: str) -> None:
    shown = _posted(carrier.format(x=number), [])

    digits = re.sub(r"\D", "", number)
    assert "@" not in shown
    if len(digits) >= 8:
        assert digits[-8:] not in re.sub(r"\D", "", shown), shown


@PROPERTY_SETTINGS
@given(
    first=st.sampled_from(["Kari", "Ingrid", "Per", "Ahmed", "Sigrid", "Ola"]),
    last=st.sampled_from(["Nordmann", "Hansen", "Johansen", "Berg", "Haugen"]),
    carrier=st.sampled_from(CARRIERS),
)
def test_no_known_name_reaches_the_posted_experience(first: str, last: str, carrier: str) -> None:
    shown = _posted(carrier.format(x=f"{first} {last}"), [f"{first} {last}"])

    assert not re.search(rf"\b({first}|{last})\b", shown), shown
