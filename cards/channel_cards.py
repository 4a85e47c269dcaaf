"""The case in the operational team's channel, and the cards around its work.

The channel card is anonymised by construction: it is drawn from a CaseView without `personal`,
and shows bands and categories only. The reporter's free text appears on it only as the
coordinator approved it. Every button is an Action.Execute, so Teams answers with the updated
card and everyone in the channel sees the same state.

The preview of the free text, the timeline and the personal details go to the person's own chat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

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
    Fact,
    FactSet,
    ShowCardAction,
    SubmitAction,
    TextBlock,
    TextInput,
)

from cards.case_cards import PERSONAL_FIELD_LABELS, case_button, coded_facts
from cards.markup import typed
from cards.report_cards import (
    ACTION_KEY,
    MAX_EXPANDED,
    OSLO,
    Card,
    format_date,
    heading,
    make_card,
    paragraph,
)
from cards.texts import Language, text
from domain.access import Person, Role
from domain.anonymiser import anonymise
from domain.casework import (
    CLASSIFICATION,
    CONSENT_FORM,
    CONSENT_GIVER,
    MAX_DETAIL_CHARS,
    MAX_NOTE_CHARS,
    MEASURE_SERVICE,
    OUTCOME,
    POSITION,
    REPORTER_STATUS,
    RiskChecklist,
)
from domain.codes import (
    CodeList,
)
from domain.views import CaseView, TeamPerson, TimelineEntry

WORK_KEY = "work"
VERB_PREFIX = "tryggest."


def _when(moment: datetime, lang: Language) -> str:
    return f"{format_date(moment, lang)} {text(lang, 'at_time')} {moment.astimezone(OSLO):%H.%M}"


def _day(day: date, lang: Language) -> str:
    return format_date(datetime(day.year, day.month, day.day, 12, tzinfo=OSLO), lang)


def work_action(
    title: str, command: str, case: CaseView, inputs: bool = False, **data: Any
) -> ExecuteAction:
    """A button on the channel card: Teams sends it as an adaptiveCard/action invoke."""
    return ExecuteAction(
        title=title,
        verb=VERB_PREFIX + command,
        data={
            ACTION_KEY: WORK_KEY,
            "command": command,
            "case": case.id,
            "rev": case.revision,
            **data,
        },
        associated_inputs="auto" if inputs else "none",
    )


def _form(title: str, body: list[CardElement], submit: ExecuteAction) -> ShowCardAction:
    return ShowCardAction(
        title=title, card=AdaptiveCard(version="1.5", body=body, actions=[submit])
    )


def _choices(codes: CodeList, lang: Language) -> list[Choice]:
    return [Choice(title=c.label(lang), value=c.code) for c in codes.codes]


def _name(person: Person | None, names: Mapping[Person, str], lang: Language) -> str:
    if person is None:
        return text(lang, "work.nobody")
    return typed(names.get(person)) or text(
        lang, "case.unknown_person", id=person.aad_object_id[-6:]
    )


def case_facts(lang: Language, case: CaseView, names: dict[Person, str]) -> list[Fact]:
    """What the team sees of a case: bands and categories, never a name, date of birth or place."""
    facts = coded_facts(lang, case, received=_when(case.created_at, lang))
    facts.insert(
        1, Fact(title=text(lang, "work.assignee"), value=_name(case.assignee, names, lang))
    )
    if case.classification:
        facts.append(
            Fact(
                title=text(lang, "work.classification"),
                value=CLASSIFICATION.label(case.classification, lang),
            )
        )
    if case.risk_level:
        facts.append(Fact(title=text(lang, "work.risk"), value=_risk_label(lang, case.risk_level)))
    if case.position:
        facts.append(
            Fact(title=text(lang, "work.position"), value=POSITION.label(case.position, lang))
        )
    if case.measures:
        facts.append(
            Fact(
                title=text(lang, "work.measures"),
                value=", ".join(MEASURE_SERVICE.labels(case.measures, lang)),
            )
        )
    if case.follow_up_on:
        facts.append(Fact(title=text(lang, "work.follow_up"), value=_day(case.follow_up_on, lang)))
    if case.outcome:
        facts.append(
            Fact(title=text(lang, "work.outcome"), value=OUTCOME.label(case.outcome, lang))
        )
    if case.status == "closed":
        archived = (
            _when(case.archived_at, lang)
            if case.archived_at
            else text(lang, "case.archive_waiting")
        )
        facts.append(Fact(title=text(lang, "case.archived"), value=archived))
    return facts


def _risk_label(lang: Language, level: str, checklist: RiskChecklist | None = None) -> str:
    return (checklist or RiskChecklist()).levels.label(level, lang)


def channel_case_card(
    lang: Language,
    case: CaseView,
    names: dict[Person, str],
    members: Sequence[tuple[Person, str]] = (),
    checklist: RiskChecklist | None = None,
    note: str | None = None,
) -> Card:
    """The case's card in the team channel. `members` are whom it can be assigned to; `note` a
    line about the last action (shown to everyone, so it must say nothing about the person)."""
    checklist = checklist or RiskChecklist()
    closed = case.status == "closed"
    body: list[CardElement] = [heading(text(lang, "work.title", number=case.number))]
    if case.acute_danger and not closed:
        body.append(
            TextBlock(text=text(lang, "work.acute"), color="Attention", weight="Bolder", wrap=True)
        )
    body.append(FactSet(facts=case_facts(lang, case, names)))
    if case.position and not closed:
        body.append(
            Container(
                style="accent",
                items=[
                    TextBlock(text=text(lang, "work.next_steps"), weight="Bolder", wrap=True),
                    paragraph(text(lang, f"work.position.{case.position}.steps")),
                ],
            )
        )
    if case.shared_text:
        body.append(
            Container(
                style="emphasis",
                items=[
                    TextBlock(text=text(lang, "work.shared_text"), weight="Bolder", wrap=True),
                    paragraph(typed(case.shared_text)),
                ],
            )
        )
    elif not case.erased:
        body.append(paragraph(text(lang, "work.text_waiting"), subtle=True))
    if note:
        body.append(paragraph(note, subtle=True))
    body.extend(_work_buttons(lang, case, members, checklist, closed))
    return make_card(body)


def team_case_card(
    lang: Language,
    case: CaseView,
    people: Sequence[TeamPerson],
    checklist: RiskChecklist | None = None,
    note: str | None = None,
    other_names: Mapping[Person, str] | None = None,
) -> Card:
    """The channel card drawn from the team's people: its members and coordinators are whom the
    case can be assigned to, and their names (with `other_names`, for an assignee who has
    left the team) are the names it shows."""
    members = [
        (p.person, p.name or p.person.aad_object_id[-6:])
        for p in people
        if Role.MEMBER in p.roles or Role.COORDINATOR in p.roles
    ]
    names = {**(other_names or {}), **{p.person: p.name for p in people if p.name}}
    return channel_case_card(lang, case, names, members, checklist, note=note)


def text_preview_of(lang: Language, case: CaseView, free_text: str, name: str | None) -> Card:
    """The free text as the channel would get it, anonymised, with each replacement shown:
    for the coordinator's own chat."""
    result = anonymise(free_text, [name] if name else [])
    replacements = [(r.original, r.placeholder) for r in result.replacements]
    return text_preview_card(lang, case, result.text, replacements)


def _pick(
    lang: Language,
    input_id: str,
    label: str,
    choices: list[Choice],
    value: str | Sequence[str] | None,
    multiple: bool = False,
    expanded: bool = True,
) -> ChoiceSetInput:
    """Radio buttons (or check boxes): one tap each on a phone, the current value chosen. A
    long list (a big team's people) is a drop-down instead."""
    chosen = ",".join(value) if isinstance(value, tuple | list) else value
    return ChoiceSetInput(
        id=input_id,
        label=label,
        style="expanded" if expanded else "compact",
        is_multi_select=multiple or None,
        value=chosen or None,
        choices=choices,
        wrap=True,
        # A multi-select may be left empty (no measures, nothing on the checklist).
        is_required=None if multiple else True,
        error_message=None if multiple else text(lang, "work.choose_one"),
    )


def _writing(lang: Language, input_id: str, label: str) -> TextInput:
    return TextInput(
        id=input_id,
        label=label,
        is_multiline=True,
        max_length=MAX_NOTE_CHARS,
        is_required=True,
        error_message=text(lang, "work.write_something"),
    )


def _work_buttons(
    lang: Language,
    case: CaseView,
    members: Sequence[tuple[Person, str]],
    checklist: RiskChecklist,
    closed: bool,
) -> list[CardElement]:
    def form(
        title: str, inputs: list[CardElement], command: str, save: str = "work.save"
    ) -> Action:
        return _form(
            text(lang, title), inputs, work_action(text(lang, save), command, case, inputs=True)
        )

    looks: list[Action] = [
        work_action(text(lang, "case.show_personal"), "show_personal", case),
        work_action(text(lang, "work.timeline"), "timeline", case),
    ]
    if closed:
        after: list[Action] = [work_action(text(lang, "work.reopen"), "reopen", case)]
        if case.archived_at is None:
            # Pressed once the case is in the municipality's own archive or journal.
            after.append(work_action(text(lang, "work.archive_button"), "archived", case))
        return [ActionSet(actions=after), ActionSet(actions=looks)]
    first: list[Action] = []
    if case.assignee is None:
        first.append(work_action(text(lang, "work.take"), "take", case))
    if members:
        people = [Choice(title=n, value=p.aad_object_id) for p, n in members]
        assignee = case.assignee.aad_object_id if case.assignee else None
        first.append(
            form(
                "work.assign",
                [
                    _pick(
                        lang,
                        "assignee",
                        text(lang, "work.assign_to"),
                        people,
                        assignee,
                        expanded=len(people) <= MAX_EXPANDED,
                    )
                ],
                "assign",
            )
        )
    first.append(
        form(
            "work.classify",
            [
                _pick(
                    lang,
                    "classification",
                    text(lang, "work.classification"),
                    _choices(CLASSIFICATION, lang),
                    case.classification,
                )
            ],
            "classify",
        )
    )
    first.append(
        form(
            "work.risk_button",
            [
                _pick(
                    lang,
                    "risk_answers",
                    text(lang, "work.risk_checklist"),
                    _choices(checklist.questions, lang),
                    case.risk_answers,
                    multiple=True,
                ),
                _pick(
                    lang,
                    "risk_level",
                    text(lang, "work.risk"),
                    _choices(checklist.levels, lang),
                    case.risk_level,
                ),
            ],
            "risk",
        )
    )
    positions = [
        Choice(title=f"{c.label(lang)}: {text(lang, f'work.position.{c.code}.when')}", value=c.code)
        for c in POSITION.codes
    ]
    second: list[Action] = [
        form(
            "work.position_button",
            [
                paragraph(text(lang, "work.position_intro"), subtle=True),
                _pick(lang, "position", text(lang, "work.position"), positions, case.position),
                *[
                    paragraph(
                        f"**{c.label(lang)}:** {text(lang, f'work.position.{c.code}.questions')}",
                        subtle=True,
                    )
                    for c in POSITION.codes
                ],
                TextInput(
                    id="reflection",
                    label=text(lang, "work.reflection_label"),
                    is_multiline=True,
                    max_length=MAX_NOTE_CHARS,
                ),
            ],
            "position",
        ),
        form(
            "work.measures",
            [
                _pick(
                    lang,
                    "measures",
                    text(lang, "work.measures_label"),
                    _choices(MEASURE_SERVICE, lang),
                    case.measures,
                    multiple=True,
                )
            ],
            "measures",
        ),
        form(
            "work.follow_up",
            [
                DateInput(
                    id="follow_up",
                    label=text(lang, "work.follow_up_label"),
                    value=case.follow_up_on.isoformat() if case.follow_up_on else None,
                )
            ],
            "follow_up",
        ),
        form(
            "work.note",
            [_writing(lang, "note", text(lang, "work.note_label"))],
            "note",
            save="work.save_note",
        ),
    ]
    third: list[Action] = []
    if case.contact_channel == "teams":
        # An enquiry's caller is not in Teams: there is no reporter to ask.
        third.append(
            form(
                "work.ask_reporter",
                [_writing(lang, "question", text(lang, "work.ask_reporter_label"))],
                "ask_reporter",
                save="work.ask_send",
            )
        )
    third += [
        form(
            "work.close",
            [_pick(lang, "outcome", text(lang, "work.outcome"), _choices(OUTCOME, lang), None)],
            "close",
            save="work.close_confirm",
        ),
        *looks,
    ]
    if case.shared_text is None and not case.erased:
        third.append(work_action(text(lang, "work.preview_text"), "preview_text", case))
    if case.consent_basis == "anonymous" and not case.erased:
        # The form asks for the person's details, so it opens in the presser's own chat.
        third.append(work_action(text(lang, "work.consent_button"), "consent_form", case))
    if not case.erased:
        # Beside the note: what the person wants is part of working the case.
        second.append(work_action(text(lang, "work.wishes_button"), "wishes_form", case))
    return [ActionSet(actions=first), ActionSet(actions=second), ActionSet(actions=third)]


# --- in a person's own chat ------------------------------------------------------------------


def personal_button(title: str, command: str, case_id: str, **data: Any) -> SubmitAction:
    return SubmitAction(
        title=title,
        data={ACTION_KEY: WORK_KEY, "command": command, "case": case_id, **data},
    )


def text_preview_card(
    lang: Language,
    case: CaseView,
    anonymised: str,
    replacements: Sequence[tuple[str, str]],
    again: bool = False,
) -> Card:
    """For the coordinator: the free text as it would be shared in the channel, with each
    replacement shown. One click shares it; the text can be edited first."""
    body: list[CardElement] = [
        heading(text(lang, "preview.title", number=case.number)),
        paragraph(text(lang, "preview.again" if again else "preview.intro")),
    ]
    if replacements:
        body.append(
            FactSet(
                facts=[
                    Fact(title=typed(original), value=placeholder)
                    for original, placeholder in replacements
                ]
            )
        )
    else:
        body.append(paragraph(text(lang, "preview.nothing_replaced"), subtle=True))
    body.append(
        TextInput(
            id="shared_text",
            label=text(lang, "preview.text_label"),
            value=anonymised,
            is_multiline=True,
            max_length=MAX_NOTE_CHARS,
        )
    )
    body.append(paragraph(text(lang, "preview.logged"), subtle=True))
    return make_card(
        body,
        [
            personal_button(text(lang, "preview.share"), "share_text", case.id, rev=case.revision),
        ],
    )


# What the presser is shown in their own chat for a while, then hidden again (the looks on the
# channel card, and the personal details opened from a case in personal chat).
PERSONAL_LOOKS = ("show_personal", "timeline", "preview_text")


def hidden_view_card(lang: Language, look: str, case_id: str, number: str) -> Card:
    """What replaces a personal view when its time is up: which case (its number, nothing
    personal) and a button that shows it again, which is a new read, checked and logged."""
    again: Action
    if look == "show_personal":
        again = case_button(text(lang, "view.show_again"), "show_personal", case_id)
    else:
        again = ExecuteAction(
            title=text(lang, "view.show_again"),
            verb=VERB_PREFIX + look,
            data={ACTION_KEY: WORK_KEY, "command": look, "case": case_id, "rev": 0},
            associated_inputs="none",
        )
    body: list[CardElement] = [
        paragraph(text(lang, f"view.hidden.{look}", number=number)),
        paragraph(text(lang, "view.hidden_why"), subtle=True),
    ]
    return make_card(body, [again])


def timeline_card(
    lang: Language, case: CaseView, entries: Sequence[TimelineEntry], names: dict[Person, str]
) -> Card:
    """The chronology, in personal chat: notes and the reporter's answers are in it."""
    body: list[CardElement] = [heading(text(lang, "timeline.title", number=case.number))]
    for entry in entries:
        body.append(paragraph(timeline_line(lang, entry, names)))
        if entry.text:
            body.append(
                Container(style="emphasis", items=[paragraph(typed(entry.text))], spacing="None")
            )
    body.append(paragraph(text(lang, "case.logged"), subtle=True))
    return make_card(body)


def timeline_line(lang: Language, entry: TimelineEntry, names: Mapping[Person, str]) -> str:
    """One event of the chronology: when, who, what (what a person wrote comes after it)."""
    who = _name(entry.actor, names, lang) if entry.actor else text(lang, "timeline.system")
    return f"{_when(entry.at, lang)} · **{who}** · {_event_text(lang, entry)}"


def _event_text(lang: Language, entry: TimelineEntry) -> str:
    data = entry.data or {}
    kind = entry.kind
    value = ""
    if kind == "classified":
        value = CLASSIFICATION.label(str(data.get("to")), lang)
    elif kind == "position_set":
        value = POSITION.label(str(data.get("to")), lang)
    elif kind == "measures_set":
        value = ", ".join(MEASURE_SERVICE.labels(list(data.get("services") or []), lang))
    elif kind == "closed":
        value = OUTCOME.label(str(data.get("outcome")), lang)
    elif kind == "risk_assessed":
        value = _risk_label(lang, str(data.get("level")))
    elif kind == "follow_up_set" and data.get("on"):
        value = _day(date.fromisoformat(str(data["on"])), lang)
    elif kind == "personal_corrected" and str(data.get("field")) in PERSONAL_FIELD_LABELS:
        value = text(lang, PERSONAL_FIELD_LABELS[str(data["field"])])
    elif kind == "consent_recorded" and data.get("given_on"):
        value = ", ".join(
            (
                CONSENT_GIVER.label(str(data.get("given_by")), lang),
                CONSENT_FORM.label(str(data.get("form")), lang).lower(),
                _day(date.fromisoformat(str(data["given_on"])), lang),
            )
        )
    elif kind == "personal_data_erased" and data.get("reason"):
        kind = "personal_data_erased_on_request"
    label = text(lang, f"event.{kind}")
    if label == f"event.{kind}":
        label = kind
    return f"{label}: {value}" if value else label


def reporter_status_card(lang: Language, number: str, status: str) -> Card:
    """To the reporter: where their report is, and nothing of the team's work."""
    return make_card(
        [
            heading(text(lang, "reporter.status_title", number=number)),
            paragraph(text(lang, f"reporter.status.{status}")),
            paragraph(
                text(lang, "reporter.status_now", status=REPORTER_STATUS.label(status, lang)),
                subtle=True,
            ),
        ]
    )


def reporter_question_card(
    lang: Language, number: str, question: str, case_id: str, question_id: str
) -> Card:
    """The team asks the reporter; the answer goes into the case's chronology."""
    return make_card(
        [
            heading(text(lang, "reporter.question_title", number=number)),
            Container(style="emphasis", items=[paragraph(typed(question))]),
            _writing(lang, "answer_text", text(lang, "reporter.answer_label")),
            paragraph(text(lang, "reporter.answer_hint"), subtle=True),
        ],
        [
            personal_button(
                text(lang, "reporter.answer_send"), "answer_reporter", case_id, question=question_id
            )
        ],
    )


def consent_form_card(
    lang: Language, case: CaseView, today: date, again: str | None = None
) -> Card:
    """For the coordinator, in personal chat: the consent that came after an anonymous
    consultation, and the person's details the case gets with it. `again` says what to fix."""
    body: list[CardElement] = [
        heading(text(lang, "consent.title", number=case.number)),
        paragraph(text(lang, "consent.intro")),
    ]
    if again:
        body.append(TextBlock(text=again, color="Attention", wrap=True))
    body += [
        DateInput(
            id="given_on",
            label=text(lang, "consent.given_on"),
            value=today.isoformat(),
            max=today.isoformat(),
            is_required=True,
            error_message=text(lang, "consent.given_on_missing"),
        ),
        _pick(
            lang, "given_by", text(lang, "consent.given_by"), _choices(CONSENT_GIVER, lang), None
        ),
        _pick(lang, "form", text(lang, "consent.form"), _choices(CONSENT_FORM, lang), None),
        TextInput(
            id="name",
            label=text(lang, "case.name"),
            max_length=MAX_DETAIL_CHARS,
            is_required=True,
            error_message=text(lang, "consent.name_missing"),
        ),
        TextInput(
            id="birth",
            label=text(lang, "consent.birth"),
            placeholder=text(lang, "consent.birth_hint"),
            max_length=40,
        ),
        TextInput(id="residence", label=text(lang, "case.residence"), max_length=MAX_DETAIL_CHARS),
        paragraph(text(lang, "consent.logged"), subtle=True),
    ]
    return make_card(
        body,
        [personal_button(text(lang, "consent.save"), "record_consent", case.id)],
    )


def wishes_form_card(lang: Language, case: CaseView) -> Card:
    """For a team member, in personal chat: what the person wants to happen, in their words."""
    return make_card(
        [
            heading(text(lang, "wishes.title", number=case.number)),
            paragraph(text(lang, "wishes.intro")),
            TextInput(
                id="wishes",
                label=text(lang, "wishes.label"),
                is_multiline=True,
                max_length=MAX_NOTE_CHARS,
                is_required=True,
                error_message=text(lang, "work.write_something"),
            ),
            paragraph(text(lang, "consent.logged"), subtle=True),
        ],
        [personal_button(text(lang, "wishes.save"), "record_wishes", case.id)],
    )


def answered_card(lang: Language, title: str, message: str) -> Card:
    """What a form in personal chat turns into once it has been sent: no inputs left."""
    return make_card([heading(title), paragraph(message)])
