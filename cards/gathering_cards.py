"""The cards of a network gathering: the organiser's form, the announcement in the network
channel with its answer buttons and live counts, the reminder, the word to those coming when it
moves or is cancelled, and the list of gatherings to come.

The announcement's buttons are Action.Execute, so Teams answers a press with the card as it now
is and everyone in the channel sees the same counts. The form and the list live in the person's
own chat (Action.Submit). Nothing here names anyone but the organiser: counts, not names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from babel import dates as babel_dates
from microsoft_teams.cards import (
    Action,
    ActionSet,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    ExecuteAction,
    Fact,
    FactSet,
    OpenUrlAction,
    SubmitAction,
    TextBlock,
    TextInput,
    TimeInput,
    ToggleInput,
)

from cards.markup import typed
from cards.report_cards import ACTION_KEY, OSLO, Card, heading, make_card, paragraph
from cards.texts import Language, text
from domain.access import Person
from domain.gathering import (
    DEFAULT_DURATION,
    DURATIONS,
    MAX_AGENDA,
    MAX_PLACE,
    MAX_TITLE,
    MAX_URL,
    RSVP,
    RVTS_REGION,
)
from domain.report import NBSP
from domain.views import GatheringView

GATHERING_KEY = "gathering"
VERB_PREFIX = "tryggest.gathering."
# Where an answer button sits: its answer is drawn as that card again.
IN_CHANNEL = "channel"
IN_REMINDER = "reminder"


# --- words for times ---------------------------------------------------------------------------


def day_text(moment: datetime, lang: Language) -> str:
    """'mandag 29. mars 2027', in Oslo time."""
    local = moment.astimezone(OSLO).date()
    if lang == "en":
        return babel_dates.format_date(local, "EEEE d MMMM y", locale="en_GB")
    written = babel_dates.format_date(
        local, "EEEE d. MMMM y", locale="nn_NO" if lang == "nn" else "nb_NO"
    )
    # The day and its month stay on one line on a narrow screen.
    return written.replace(". ", "." + NBSP, 1)


def clock_text(moment: datetime) -> str:
    return f"{moment.astimezone(OSLO):%H.%M}"


def when_text(lang: Language, starts_at: datetime, ends_at: datetime) -> str:
    """'mandag 29. mars 2027 kl. 09.00–12.00'."""
    return text(
        lang,
        "gathering.when_value",
        day=day_text(starts_at, lang),
        start=clock_text(starts_at),
        end=clock_text(ends_at),
    )


def duration_text(lang: Language, minutes: int) -> str:
    if minutes == 60:
        return text(lang, "gathering.duration.one")
    hours = f"{minutes / 60:g}"
    if lang != "en":
        hours = hours.replace(".", ",")
    return text(lang, "gathering.duration.many", hours=hours)


def answer_label(lang: Language, answer: str | None) -> str:
    return RSVP.label(answer, lang) if answer else text(lang, "gathering.list.you_none")


# --- buttons ------------------------------------------------------------------------------------


def gathering_button(title: str, command: str, **data: Any) -> SubmitAction:
    """A button in the person's own chat (Action.Submit, a message to the bot)."""
    return SubmitAction(
        title=title,
        data={ACTION_KEY: GATHERING_KEY, "command": command, **data},
        associated_inputs="none",
    )


def rsvp_action(lang: Language, view: GatheringView, answer: str, where: str) -> ExecuteAction:
    return ExecuteAction(
        title=RSVP.label(answer, lang),
        verb=VERB_PREFIX + "rsvp",
        data={
            ACTION_KEY: GATHERING_KEY,
            "command": "rsvp",
            "gathering": view.id,
            "answer": answer,
            "view": where,
        },
        associated_inputs="none",
    )


def _links(lang: Language, view: GatheringView, ics_url: str) -> list[Action]:
    links: list[Action] = []
    if view.online_url and not view.cancelled:
        links.append(OpenUrlAction(title=text(lang, "gathering.join"), url=view.online_url))
    links.append(OpenUrlAction(title=text(lang, "gathering.add_to_calendar"), url=ics_url))
    return links


# --- what a gathering is ------------------------------------------------------------------------


def where_text(lang: Language, view: GatheringView) -> str:
    if view.place and view.online_url:
        return text(lang, "gathering.where_both", place=typed(view.place))
    if view.place:
        return typed(view.place)
    return text(lang, "gathering.where_online")


def gathering_facts(lang: Language, view: GatheringView) -> FactSet:
    facts = [
        Fact(
            title=text(lang, "gathering.when"), value=when_text(lang, view.starts_at, view.ends_at)
        ),
        Fact(title=text(lang, "gathering.where"), value=where_text(lang, view)),
    ]
    if view.organiser_name:
        facts.append(
            Fact(title=text(lang, "gathering.organiser"), value=typed(view.organiser_name))
        )
    if view.network_name:
        facts.append(Fact(title=text(lang, "gathering.network"), value=view.network_name))
    return FactSet(facts=facts)


def _about(lang: Language, view: GatheringView) -> list[CardElement]:
    kind = text(lang, "gathering.kind")
    if view.rvts_region:
        kind = f"{kind} · {RVTS_REGION.label(view.rvts_region, lang)}"
    body: list[CardElement] = [heading(typed(view.title)), paragraph(kind, subtle=True)]
    if view.cancelled:
        body.append(
            TextBlock(
                text=text(lang, "gathering.cancelled_banner"),
                color="Attention",
                weight="Bolder",
                wrap=True,
            )
        )
    body.append(gathering_facts(lang, view))
    if view.agenda:
        body.append(
            Container(
                style="emphasis",
                items=[
                    TextBlock(text=text(lang, "gathering.agenda"), weight="Bolder", wrap=True),
                    paragraph(typed(view.agenda)),
                ],
            )
        )
    return body


def counts_text(lang: Language, view: GatheringView) -> str:
    counts = view.counts
    return text(lang, "gathering.counts", yes=counts.yes, maybe=counts.maybe, no=counts.no)


def announcement_card(
    lang: Language, view: GatheringView, ics_url: str, now: datetime | None = None
) -> Card:
    """The gathering in the network channel: answered there, counted for all to see."""
    body = _about(lang, view)
    body.append(TextBlock(text=counts_text(lang, view), weight="Bolder", wrap=True))
    over = now is not None and view.ends_at <= now
    if not view.cancelled and not over:
        body.append(paragraph(text(lang, "gathering.answer_prompt")))
        body.append(
            ActionSet(actions=[rsvp_action(lang, view, a.code, IN_CHANNEL) for a in RSVP.codes])
        )
    elif over and not view.cancelled:
        body.append(paragraph(text(lang, "gathering.over"), subtle=True))
    if not view.cancelled:
        body.append(paragraph(text(lang, "gathering.calendar_hint"), subtle=True))
    return make_card(body, _links(lang, view, ics_url))


def reminder_card(
    lang: Language,
    view: GatheringView,
    days: int,
    answer: str | None,
    ics_url: str,
    answered_now: bool = False,
) -> Card:
    """To one member, `days` before (by the calendar: 1 is tomorrow, 0 today); they can answer
    here too."""
    title_key = {0: "gathering.reminder.today", 1: "gathering.reminder.tomorrow"}.get(
        days, "gathering.reminder.days"
    )
    body: list[CardElement] = [
        heading(text(lang, title_key, days=days, title=typed(view.title))),
        gathering_facts(lang, view),
    ]
    if answered_now and answer:
        body.append(
            paragraph(text(lang, "gathering.reminder.answered", answer=RSVP.label(answer, lang)))
        )
    elif answer:
        body.append(
            paragraph(text(lang, "gathering.reminder.your_answer", answer=RSVP.label(answer, lang)))
        )
    else:
        body.append(paragraph(text(lang, "gathering.reminder.no_answer")))
    body.append(
        ActionSet(actions=[rsvp_action(lang, view, a.code, IN_REMINDER) for a in RSVP.codes])
    )
    return make_card(body, _links(lang, view, ics_url))


def notice_card(lang: Language, view: GatheringView, change: str, ics_url: str) -> Card:
    """To those coming: the gathering moved, changed or was cancelled."""
    body: list[CardElement] = [
        heading(text(lang, f"gathering.notice.{change}", title=typed(view.title))),
        gathering_facts(lang, view),
        paragraph(
            text(
                lang,
                "gathering.notice.calendar_cancelled"
                if change == "cancelled"
                else "gathering.notice.calendar",
            ),
            subtle=True,
        ),
    ]
    return make_card(body, _links(lang, view, ics_url))


def summary_card(lang: Language, view: GatheringView, message: str, ics_url: str) -> Card:
    """What the organiser's form becomes once it is saved: no inputs left."""
    body = _about(lang, view)
    body.append(paragraph(message))
    return make_card(body, _links(lang, view, ics_url))


# --- the organiser's form -----------------------------------------------------------------------


def _duration_choices(lang: Language) -> list[Choice]:
    return [Choice(title=duration_text(lang, m), value=str(m)) for m in DURATIONS]


def gathering_form_card(
    lang: Language,
    networks: Sequence[tuple[str, str]],
    *,
    form_id: str | None = None,
    gathering: GatheringView | None = None,
    values: Mapping[str, str] | None = None,
    problems: Sequence[str] = (),
    teams_meeting_possible: bool = False,
) -> Card:
    """One form for a new gathering (`form_id`) or a change to one (`gathering`). `values`
    fill it in again after a problem; `problems` are the kind sentences' keys."""
    values = values or {}
    editing = gathering is not None
    body: list[CardElement] = [
        heading(text(lang, "gathering.form.title_edit" if editing else "gathering.form.title_new"))
    ]
    if problems:
        body.append(
            Container(
                style="attention",
                items=[
                    TextBlock(text=text(lang, "gathering.form.fix"), weight="Bolder", wrap=True),
                    *[
                        paragraph(
                            "- "
                            + text(
                                lang,
                                f"gathering.problem.{p}",
                                limit={
                                    "title_long": MAX_TITLE,
                                    "place_long": MAX_PLACE,
                                    "agenda_long": MAX_AGENDA,
                                }.get(p, MAX_URL),
                            )
                        )
                        for p in problems
                    ],
                ],
            )
        )
    else:
        body.append(paragraph(text(lang, "gathering.form.intro"), subtle=True))
    body.append(
        TextInput(
            id="title",
            label=text(lang, "gathering.field.title"),
            placeholder=text(lang, "gathering.field.title_placeholder"),
            value=values.get("title") or None,
            max_length=MAX_TITLE,
            is_required=True,
            error_message=text(lang, "gathering.problem.title"),
        )
    )
    body.append(
        DateInput(
            id="date",
            label=text(lang, "gathering.field.date"),
            value=values.get("date") or None,
            is_required=True,
            error_message=text(lang, "gathering.problem.date"),
        )
    )
    body.append(
        TimeInput(
            id="time",
            label=text(lang, "gathering.field.time"),
            value=values.get("time") or None,
            is_required=True,
            error_message=text(lang, "gathering.problem.time"),
        )
    )
    body.append(
        ChoiceSetInput(
            id="duration",
            label=text(lang, "gathering.field.duration"),
            style="compact",
            value=values.get("duration") or str(DEFAULT_DURATION),
            choices=_duration_choices(lang),
            is_required=True,
            error_message=text(lang, "gathering.problem.duration"),
        )
    )
    body.append(
        TextInput(
            id="place",
            label=text(lang, "gathering.field.place"),
            placeholder=text(lang, "gathering.field.place_placeholder"),
            value=values.get("place") or None,
            max_length=MAX_PLACE,
        )
    )
    if teams_meeting_possible and not editing:
        body.append(
            ToggleInput(
                id="teams_meeting",
                title=text(lang, "gathering.field.teams_meeting"),
                value=values.get("teams_meeting") or "false",
                value_on="true",
                value_off="false",
                wrap=True,
            )
        )
    body.append(
        TextInput(
            id="online_url",
            label=text(lang, "gathering.field.online_url"),
            placeholder="https://teams.microsoft.com/…",
            style="Url",
            value=values.get("online_url") or None,
            max_length=MAX_URL,
        )
    )
    body.append(
        TextInput(
            id="agenda",
            label=text(lang, "gathering.field.agenda"),
            is_multiline=True,
            value=values.get("agenda") or None,
            max_length=MAX_AGENDA,
        )
    )
    body.append(
        ChoiceSetInput(
            id="region",
            label=text(lang, "gathering.field.region"),
            style="compact",
            value=values.get("region") or None,
            choices=[Choice(title=c.label(lang), value=c.code) for c in RVTS_REGION.codes],
            is_required=True,
            error_message=text(lang, "gathering.problem.region"),
        )
    )
    if not editing and len(networks) > 1:
        body.append(
            ChoiceSetInput(
                id="network",
                label=text(lang, "gathering.field.network"),
                style="expanded",
                value=values.get("network") or None,
                choices=[Choice(title=name, value=team_id) for team_id, name in networks],
                is_required=True,
                error_message=text(lang, "gathering.problem.network"),
                wrap=True,
            )
        )
    elif networks:
        body.append(
            FactSet(facts=[Fact(title=text(lang, "gathering.network"), value=networks[0][1])])
        )
    if gathering is not None:
        save = SubmitAction(
            title=text(lang, "gathering.save_change"),
            data={
                ACTION_KEY: GATHERING_KEY,
                "command": "save",
                "gathering": gathering.id,
                "sequence": gathering.sequence,
            },
        )
    else:
        save = SubmitAction(
            title=text(lang, "gathering.save"),
            data={ACTION_KEY: GATHERING_KEY, "command": "create", "form": form_id},
        )
    return make_card(body, [save])


def confirm_cancel_card(lang: Language, view: GatheringView) -> Card:
    return make_card(
        [
            heading(text(lang, "gathering.confirm_cancel_title")),
            paragraph(
                text(
                    lang,
                    "gathering.confirm_cancel",
                    title=typed(view.title),
                    when=when_text(lang, view.starts_at, view.ends_at),
                )
            ),
        ],
        [
            gathering_button(
                text(lang, "gathering.confirm_cancel_yes"),
                "cancel_confirmed",
                gathering=view.id,
                sequence=view.sequence,
            ),
            gathering_button(text(lang, "gathering.confirm_cancel_no"), "keep", gathering=view.id),
        ],
    )


def done_card(lang: Language, title: str, message: str) -> Card:
    return make_card([heading(title), paragraph(message)])


# --- the list ------------------------------------------------------------------------------


def gatherings_list_card(
    lang: Language,
    gatherings: Sequence[tuple[GatheringView, str | None]],
    organiser: Person,
    ics_url: Callable[[str], str],
    can_schedule: bool,
) -> Card:
    """The gatherings to come in the person's networks. `organiser` is the person (their own
    can be changed and cancelled from here); `ics_url(id)` is each one's calendar file."""
    body: list[CardElement] = [heading(text(lang, "gathering.list.title"))]
    if not gatherings:
        body.append(paragraph(text(lang, "gathering.list.empty")))
    for view, answer in gatherings:
        items: list[CardElement] = [
            TextBlock(text=typed(view.title), weight="Bolder", wrap=True),
            paragraph(when_text(lang, view.starts_at, view.ends_at)),
            paragraph(where_text(lang, view), subtle=True),
        ]
        if view.cancelled:
            items.append(
                TextBlock(text=text(lang, "gathering.list.cancelled"), color="Attention", wrap=True)
            )
        else:
            items.append(
                paragraph(
                    f"{counts_text(lang, view)}. "
                    + text(lang, "gathering.list.you", answer=answer_label(lang, answer)),
                    subtle=True,
                )
            )
        actions: list[Action] = [
            OpenUrlAction(title=text(lang, "gathering.add_to_calendar"), url=ics_url(view.id))
        ]
        if view.organiser == organiser and not view.cancelled:
            actions.append(
                gathering_button(text(lang, "gathering.list.edit"), "edit", gathering=view.id)
            )
            actions.append(
                gathering_button(
                    text(lang, "gathering.list.cancel"),
                    "cancel",
                    gathering=view.id,
                    sequence=view.sequence,
                )
            )
        items.append(ActionSet(actions=actions))
        body.append(Container(items=items, separator=True, spacing="Medium"))
    actions = [gathering_button(text(lang, "gathering.list.new"), "new")] if can_schedule else []
    return make_card(body, actions)
