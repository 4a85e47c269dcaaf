"""The team's own meeting: the coordinator's form in personal chat, and the agenda the team gets
in its channel the day before.

The agenda is anonymised as the case card is: number, how many days the case has waited, its
status and who has it, and why it is on the agenda; never a name or what anyone wrote. A
decision is written in the agenda's form and goes to the case's timeline, not to the channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from microsoft_teams.cards import (
    Action,
    ActionSet,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    ExecuteAction,
    OpenUrlAction,
    ShowCardAction,
    SubmitAction,
    TextBlock,
    TextInput,
    TimeInput,
)

from cards.gathering_cards import clock_text, day_text, duration_text
from cards.markup import typed
from cards.report_cards import ACTION_KEY, Card, heading, make_card, paragraph
from cards.texts import Language, text
from domain.access import Person
from domain.case import CASE_STATUS
from domain.casework import MAX_NOTE_CHARS
from domain.gathering import DURATIONS, MAX_PLACE, MAX_URL
from domain.team_meeting import RHYTHM, Agenda, MeetingView

MEETING_KEY = "meeting"
VERB = "tryggest.meeting"
DEFAULT_MINUTES = 90
# A Teams message holds about 28 KB: the agenda shows this many cases, the rest by count.
MAX_AGENDA_CASES = 20


def _problems(lang: Language, problems: Sequence[str]) -> Container:
    return Container(
        style="attention",
        items=[
            TextBlock(text=text(lang, "gathering.form.fix"), weight="Bolder", wrap=True),
            *[
                paragraph("- " + text(lang, f"meeting.problem.{p}", limit=MAX_PLACE))
                for p in problems
            ],
        ],
    )


def meeting_form_card(
    lang: Language,
    teams: Mapping[str, str],
    form_id: str,
    values: Mapping[str, str] | None = None,
    problems: Sequence[str] = (),
) -> Card:
    """The team's recurring meeting: rhythm, the first one's day and time, length and place."""
    values = values or {}
    body: list[CardElement] = [heading(text(lang, "meeting.form.title"))]
    body.append(
        _problems(lang, problems)
        if problems
        else paragraph(text(lang, "meeting.form.intro"), subtle=True)
    )
    if len(teams) > 1:
        body.append(
            ChoiceSetInput(
                id="team",
                label=text(lang, "meeting.field.team"),
                style="expanded",
                value=values.get("team") or None,
                choices=[Choice(title=name, value=team_id) for team_id, name in teams.items()],
                is_required=True,
                error_message=text(lang, "meeting.problem.team"),
            )
        )
    body += [
        ChoiceSetInput(
            id="rhythm",
            label=text(lang, "meeting.field.rhythm"),
            style="expanded",
            value=values.get("rhythm") or "fortnightly",
            choices=[Choice(title=c.label(lang), value=c.code) for c in RHYTHM.codes],
            is_required=True,
            error_message=text(lang, "meeting.problem.rhythm"),
        ),
        DateInput(
            id="date",
            label=text(lang, "meeting.field.date"),
            value=values.get("date") or None,
            is_required=True,
            error_message=text(lang, "meeting.problem.date"),
        ),
        TimeInput(
            id="time",
            label=text(lang, "meeting.field.time"),
            value=values.get("time") or None,
            is_required=True,
            error_message=text(lang, "meeting.problem.time"),
        ),
        ChoiceSetInput(
            id="duration",
            label=text(lang, "gathering.field.duration"),
            style="compact",
            value=values.get("duration") or str(DEFAULT_MINUTES),
            choices=[Choice(title=duration_text(lang, m), value=str(m)) for m in DURATIONS],
            is_required=True,
            error_message=text(lang, "meeting.problem.duration"),
        ),
        TextInput(
            id="place",
            label=text(lang, "meeting.field.place"),
            value=values.get("place") or None,
            max_length=MAX_PLACE,
        ),
        TextInput(
            id="online_url",
            label=text(lang, "gathering.field.online_url"),
            placeholder="https://teams.microsoft.com/…",
            style="Url",
            value=values.get("online_url") or None,
            max_length=MAX_URL,
        ),
    ]
    submit = SubmitAction(
        title=text(lang, "meeting.form.save"),
        data={ACTION_KEY: MEETING_KEY, "command": "schedule", "form": form_id},
    )
    return make_card(body, [submit])


def when_text(lang: Language, starts_at: datetime) -> str:
    return text(lang, "meeting.when", day=day_text(starts_at, lang), time=clock_text(starts_at))


def scheduled_card(
    lang: Language, meeting: MeetingView, replaced: bool, ics_url: str | None = None
) -> Card:
    """What the coordinator sees once the meeting is set up."""
    body: list[CardElement] = [
        heading(text(lang, "meeting.scheduled.title", team=typed(meeting.team_name))),
        paragraph(
            text(
                lang,
                "meeting.scheduled.body",
                rhythm=RHYTHM.label(meeting.rhythm, lang).lower(),
                first=when_text(lang, meeting.first_starts_at),
            )
        ),
        paragraph(text(lang, "meeting.scheduled.agenda"), subtle=True),
    ]
    if replaced:
        body.append(paragraph(text(lang, "meeting.scheduled.replaced"), subtle=True))
    links: list[Action] = []
    if ics_url:
        # Every meeting of the series into Outlook at once, in any tenant.
        links.append(OpenUrlAction(title=text(lang, "meeting.add_to_calendar"), url=ics_url))
    return make_card(body, links)


def _execute(title: str, command: str, agenda: Agenda, **data: object) -> ExecuteAction:
    return ExecuteAction(
        title=title,
        verb=VERB,
        data={
            ACTION_KEY: MEETING_KEY,
            "command": command,
            "meeting": agenda.meeting.id,
            "starts_at": agenda.starts_at.isoformat(),
            **data,
        },
        associated_inputs="auto" if command == "decision" else "none",
    )


def _who(lang: Language, person: Person | None, names: Mapping[Person, str]) -> str:
    if person is None:
        return text(lang, "work.nobody")
    return typed(names.get(person)) or text(
        lang, "case.unknown_person", id=person.aad_object_id[-6:]
    )


def _days(lang: Language, n: int) -> str:
    if n == 0:
        return text(lang, "meeting.days.zero")
    return text(lang, "meeting.days.one") if n == 1 else text(lang, "meeting.days.many", n=n)


def agenda_card(
    lang: Language, agenda: Agenda, names: Mapping[Person, str], note: str | None = None
) -> Card:
    """The meeting's cases, for the whole team in its channel."""
    meeting = agenda.meeting
    ends_at = agenda.starts_at + timedelta(minutes=meeting.minutes)
    body: list[CardElement] = [
        heading(text(lang, "meeting.agenda.title", when=when_text(lang, agenda.starts_at))),
        paragraph(
            text(
                lang,
                "meeting.agenda.where",
                team=typed(meeting.team_name),
                end=clock_text(ends_at),
                place=typed(meeting.place or meeting.online_url or "—"),
            ),
            subtle=True,
        ),
    ]
    if note:
        body.append(Container(style="emphasis", items=[paragraph(note)]))
    if agenda.cancelled:
        body.append(
            TextBlock(text=text(lang, "meeting.agenda.cancelled"), color="Attention", wrap=True)
        )
        return make_card(body)
    if not agenda.items:
        body.append(paragraph(text(lang, "meeting.agenda.nothing")))
    else:
        body.append(
            TextBlock(
                text=text(lang, "meeting.agenda.count", count=len(agenda.items)),
                weight="Bolder",
                wrap=True,
            )
        )
    for item in agenda.items[:MAX_AGENDA_CASES]:
        case = item.case
        reasons = ", ".join(text(lang, f"meeting.reason.{r}") for r in item.reasons)
        line = text(
            lang,
            "meeting.agenda.case",
            number=case.number,
            days=_days(lang, item.age_days),
            status=CASE_STATUS.label(case.status, lang),
            who=_who(lang, case.assignee, names),
        )
        items: list[CardElement] = [paragraph(line), paragraph(reasons, subtle=True)]
        if case.id in agenda.decided:
            items.append(
                TextBlock(text="✓ " + text(lang, "meeting.agenda.decided"), weight="Bolder")
            )
        decide: Action = ShowCardAction(
            title=text(lang, "meeting.agenda.decide"),
            card=AdaptiveCard(
                version="1.5",
                body=[
                    TextInput(
                        id="decision",
                        label=text(lang, "meeting.agenda.decision_label", number=case.number),
                        is_multiline=True,
                        max_length=MAX_NOTE_CHARS,
                        is_required=True,
                        error_message=text(lang, "work.write_something"),
                    )
                ],
                actions=[
                    _execute(
                        text(lang, "meeting.agenda.save"),
                        "decision",
                        agenda,
                        case=case.id,
                        rev=case.revision,
                    )
                ],
            ),
        )
        items.append(ActionSet(actions=[decide]))
        body.append(Container(separator=True, spacing="Medium", items=items))
    hidden = len(agenda.items) - MAX_AGENDA_CASES
    if hidden > 0:
        body.append(paragraph(text(lang, "meeting.agenda.more", count=hidden), subtle=True))
    body.append(paragraph(text(lang, "meeting.agenda.private"), subtle=True))
    actions: list[Action] = []
    if meeting.join_url:
        actions.append(OpenUrlAction(title=text(lang, "meeting.join"), url=meeting.join_url))
    actions.append(_execute(text(lang, "meeting.agenda.cancel"), "cancel", agenda))
    return make_card(body, actions)
