"""Every card that can carry what a person typed shows it as typed: a reporter's, a member's or
an organiser's Markdown never becomes a link, emphasis or heading in the bot's own cards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from cards.case_cards import access_review_card, personal_card, who_has_seen_card
from cards.channel_cards import (
    channel_case_card,
    reporter_question_card,
    text_preview_card,
    timeline_card,
)
from cards.experience_cards import digest_card, experience_card, results_card
from cards.gathering_cards import (
    announcement_card,
    confirm_cancel_card,
    gatherings_list_card,
    notice_card,
    reminder_card,
)
from cards.reminder_cards import unreachable_card
from cards.report_cards import summary_card
from domain.access import CaseTarget, Person
from domain.views import AccessRecord, CaseAccessReview, CaseRead, TimelineEntry
from tests.cards.test_markup import rendered
from tests.support import nodes
from tools.samples import catalogue
from tools.samples.experiences import sample_experience
from tools.samples.gatherings import sample_gathering

HOSTILE = "[klikk](https://evil.example) **fet** <b>x</b>"
WHEN = datetime(2026, 11, 28, 13, 5, tzinfo=UTC)
MARTE = Person("tenant", "aad-marte-000001")
NAMES = {MARTE: HOSTILE}


def texts_of(card: Any) -> list[str]:
    """Every text a renderer shows as Markdown: TextBlocks' text, Facts' titles and values
    (a choice's title and an input's value are shown as plain text)."""
    found: list[str] = []
    for node in nodes(card):
        if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
            found.append(node["text"])
        if node.get("type") == "FactSet":
            for fact in node.get("facts") or []:
                found.extend([str(fact.get("title", "")), str(fact.get("value", ""))])
    return found


def case_view() -> Any:
    view = catalogue.sample_case_view("nb", MARTE)
    personal = {k: HOSTILE for k in ("name", "birth", "residence", "what_happened")}
    return replace(view, personal=personal, shared_text=HOSTILE, team_id="team1")


def draft_with_hostile_answers() -> Any:
    answers = {**catalogue.consent_answers("nb"), "person_name": HOSTILE}
    answers |= {"residence": HOSTILE, "what_happened": HOSTILE}
    return catalogue.draft_with(answers, catalogue.ONE_MUNICIPALITY, "hostile")


def review() -> list[CaseAccessReview]:
    read = CaseRead(WHEN, MARTE, "case.view_identifiable", True, True)
    return [CaseAccessReview("case0001", "TE-2026-0042", "m1", MARTE, (read,))]


CARDS: dict[str, Callable[[], Any]] = {
    "report summary": lambda: summary_card("nb", draft_with_hostile_answers(), "Teamet"),
    "personal details": lambda: personal_card("nb", case_view()),
    "who has seen": lambda: who_has_seen_card(
        "nb", "TE-2026-0042", [AccessRecord(WHEN, MARTE, "case.view_identifiable", True)], NAMES
    ),
    "access review": lambda: access_review_card("nb", review(), NAMES, days=30),
    "channel case card": lambda: channel_case_card(
        "nb",
        replace(case_view(), view="anonymised", personal=None, target=CaseTarget("c", "t", "m1")),
        NAMES,
        [(MARTE, HOSTILE)],
    ),
    "text preview": lambda: text_preview_card("nb", case_view(), "[navn] …", [(HOSTILE, "[navn]")]),
    "timeline": lambda: timeline_card(
        "nb", case_view(), [TimelineEntry("e1", WHEN, "note", MARTE, {}, HOSTILE)], NAMES
    ),
    "question to the reporter": lambda: reporter_question_card(
        "nb", "TE-2026-0042", HOSTILE, "case0001", "e7"
    ),
    "experience": lambda: experience_card("nb", _experience()),
    "experience search": lambda: results_card("nb", HOSTILE, {}, [_experience()]),
    "experience digest": lambda: digest_card("nb", "Nettverket", "november", [_experience()]),
    "gathering announcement": lambda: announcement_card("nb", _gathering(), "https://x/ics"),
    "gathering reminder": lambda: reminder_card("nb", _gathering(), 2, None, "https://x/ics"),
    "gathering notice": lambda: notice_card("nb", _gathering(), "changed", "https://x/ics"),
    "gathering cancel": lambda: confirm_cancel_card("nb", _gathering()),
    "gathering list": lambda: gatherings_list_card(
        "nb", [(_gathering(), None)], MARTE, lambda _: "https://x/ics", True
    ),
    "unreachable reminder": lambda: unreachable_card("nb", HOSTILE),
}


def _experience() -> Any:
    view = sample_experience()
    return replace(view, texts={k: HOSTILE for k in view.texts})


def _gathering() -> Any:
    return sample_gathering(title=HOSTILE, place=HOSTILE, agenda=HOSTILE, organiser_name=HOSTILE)


@pytest.mark.parametrize("name", list(CARDS))
def test_typed_markdown_shows_as_typed_in_the_card(name: str) -> None:
    shown = texts_of(CARDS[name]())
    carrying = [t for t in shown if "klikk" in t]
    assert carrying, f"{name}: the typed text is not on the card at all"
    for markdown in carrying:
        kinds, seen = rendered(markdown)
        assert not kinds & {"link_open", "html_inline", "html_block"}, (name, markdown)
        assert "**fet**" in seen and "[klikk](https://" in seen.replace("\u2060", ""), (name, seen)
