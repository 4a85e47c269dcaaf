"""The training case card: marked as fictional at the top, the case, what it is made of, and the
reflection questions. In a person's own chat it offers another case, a case of their choosing,
and posting it in one of their teams' channels; in a channel it asks for answers in the thread.

The case itself is in Norwegian bokmål whatever the reader's language (it is practice for
Norwegian casework); the card around it follows the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from microsoft_teams.cards import (
    Action,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    Fact,
    FactSet,
    ShowCardAction,
    SubmitAction,
    TextBlock,
)

from cards.report_cards import ACTION_KEY, Card, heading, make_card, paragraph
from cards.texts import Language, text
from domain.codes import VIOLENCE_TYPE, CodeList
from domain.training import BARRIER, LIFE_SITUATION

TRAINING_KEY = "training"
# The choices of "Velg selv", by input id.
CHOICES: dict[str, CodeList] = {
    "situation": LIFE_SITUATION,
    "violence": VIOLENCE_TYPE,
    "barrier": BARRIER,
}


@dataclass(frozen=True)
class ShownTrainingCase:
    """A training case as stored and shown (its narrative may be a text service's wording)."""

    id: str
    title: str
    narrative: str
    questions: tuple[str, ...]
    situation: str
    violence: str
    barrier: str


def _submit(title: str, command: str, inputs: bool = False, **data: str) -> SubmitAction:
    return SubmitAction(
        title=title,
        data={ACTION_KEY: TRAINING_KEY, "command": command, **data},
        associated_inputs="auto" if inputs else "none",
    )


def _choose_form(lang: Language) -> AdaptiveCard:
    body: list[CardElement] = [paragraph(text(lang, "training.choose.intro"), subtle=True)]
    for name, codes in CHOICES.items():
        body.append(
            ChoiceSetInput(
                id=name,
                label=text(lang, f"training.fact.{name}"),
                style="compact",
                placeholder=text(lang, "training.choose.random"),
                choices=[Choice(title=c.label(lang), value=c.code) for c in codes.codes],
            )
        )
    return AdaptiveCard(
        version="1.5",
        body=body,
        actions=[_submit(text(lang, "training.button.make"), "new", inputs=True)],
    )


def training_card(
    lang: Language,
    case: ShownTrainingCase,
    teams: Sequence[tuple[str, str]] = (),
    in_channel: bool = False,
) -> Card:
    body: list[CardElement] = [
        heading(text(lang, "training.card.title")),
        Container(
            style="warning",
            items=[
                TextBlock(text=text(lang, "training.card.fictional"), wrap=True, weight="Bolder")
            ],
        ),
        TextBlock(text=case.title, weight="Bolder", wrap=True, spacing="Medium"),
    ]
    body.extend(paragraph(part) for part in case.narrative.split("\n\n") if part.strip())
    body.append(
        FactSet(
            spacing="Medium",
            facts=[
                Fact(
                    title=text(lang, "training.fact.situation"),
                    value=LIFE_SITUATION.label(case.situation, lang),
                ),
                Fact(
                    title=text(lang, "training.fact.violence"),
                    value=VIOLENCE_TYPE.label(case.violence, lang),
                ),
                Fact(
                    title=text(lang, "training.fact.barrier"),
                    value=BARRIER.label(case.barrier, lang),
                ),
            ],
        )
    )
    body.append(
        TextBlock(
            text=text(lang, "training.card.questions"), weight="Bolder", wrap=True, spacing="Medium"
        )
    )
    # Numbered by hand in separate blocks: Teams' Markdown renumbers or drops list numbers.
    body.extend(paragraph(f"{i}) {q}") for i, q in enumerate(case.questions, start=1))
    if in_channel:
        body.append(paragraph(text(lang, "training.card.discuss"), subtle=True))
        return make_card(body)
    actions: list[Action] = [
        _submit(text(lang, "training.button.another"), "new"),
        ShowCardAction(title=text(lang, "training.button.choose"), card=_choose_form(lang)),
    ]
    actions.extend(
        _submit(
            text(lang, "training.button.share", team=name), "share", training=case.id, team=team_id
        )
        for team_id, name in teams[:3]
    )
    return make_card(body, actions)
