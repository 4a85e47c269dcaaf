"""What the coordinators see when a message the bot owed could not be delivered: which message
(a case number, never what it carried) and a button that puts it on the queue again."""

from __future__ import annotations

from microsoft_teams.cards import SubmitAction

from cards.report_cards import ACTION_KEY, Card, heading, make_card, paragraph
from cards.texts import Language, text

# The value of ACTION_KEY on the «Prøv igjen» button (dialogs/deliveries.py answers it).
DELIVERY_KEY = "delivery"
# What each kind of owed message is called on the card, by the outbox row's kind.
UNDELIVERED_KINDS = (
    "case_reported",
    "case_card_update",
    "text_preview",
    "reporter_status",
    "reporter_question",
)


def undelivered_card(lang: Language, kind: str, number: str, team: str, item_id: str) -> Card:
    what = kind if kind in UNDELIVERED_KINDS else "other"
    return make_card(
        [
            heading(text(lang, "undelivered.title")),
            paragraph(text(lang, f"undelivered.{what}", number=number, team=team)),
            paragraph(text(lang, "undelivered.why"), subtle=True),
        ],
        [
            SubmitAction(
                title=text(lang, "button.retry_delivery"),
                data={ACTION_KEY: DELIVERY_KEY, "command": "retry", "item": item_id},
                style="positive",
            )
        ],
    )


def not_posted_card(lang: Language, what: str, **values: str) -> Card:
    """To whoever made a post the bot could not put in a channel (a gathering's organiser, an
    experience's author): which one (`what`, a text key), and what to do."""
    return make_card(
        [
            heading(text(lang, "undelivered.title")),
            paragraph(text(lang, what, **values)),
            paragraph(text(lang, "undelivered.why_post"), subtle=True),
        ]
    )
