"""The cards of the report dialogue, built with microsoft-teams-cards.

Every button carries what it means in its data ({"tryggest": …}), and every card also works when
the person types instead: a card that fails to render never blocks a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from microsoft_teams.cards import (
    Action,
    ActionSet,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Column,
    ColumnSet,
    Container,
    Fact,
    FactSet,
    SubmitAction,
    TextBlock,
    TextInput,
)
from microsoft_teams.cards.core import ActionStyle

from cards.markup import typed
from cards.texts import NB, Language, text
from domain.adaptation import Partner
from domain.answers import code_list_for
from domain.case import CASE_STATUS
from domain.codes import CodeList
from domain.report import (
    MAX_SHORT_TEXT_LENGTH,
    MAX_TEXT_LENGTH,
    NBSP,
    PARTS,
    PRIVATE_ANSWER_STEPS,
    STEPS,
    BirthDate,
    ReportDraft,
    format_phone,
)
from domain.views import ReporterCaseLine

OSLO = ZoneInfo("Europe/Oslo")
ACTION_KEY = "tryggest"
ANSWER_INPUT = "answer"
# Single choices with this many options or fewer are buttons: one tap on a phone.
MAX_BUTTONS = 4
# Other choice lists (the team's people on a case card) show as radio buttons up to this many,
# then as a drop-down. The report's questions always show every option.
MAX_EXPANDED = 7
FREE_TEXT_STEPS = {"person_name", "birth", "residence", "what_happened", "reporter_phone"}

Card = dict[str, Any]


def make_card(body: list[CardElement], actions: list[Action] | None = None) -> Card:
    card = AdaptiveCard(version="1.5", body=body, actions=actions or None)
    dumped: Card = card.model_dump(exclude_none=True, by_alias=True)
    dumped["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json"
    return dumped


def heading(value: str) -> TextBlock:
    return TextBlock(text=value, weight="Bolder", size="Medium", wrap=True)


def paragraph(value: str, subtle: bool = False) -> TextBlock:
    return TextBlock(text=value, wrap=True, is_subtle=subtle or None, spacing="Small")


def _submit(
    title: str, data: dict[str, Any], style: ActionStyle | None = None, inputs: bool = False
) -> SubmitAction:
    return SubmitAction(
        title=title,
        data=data,
        style=style,
        associated_inputs=None if inputs else "none",
    )


def command_button(title: str, command: str) -> SubmitAction:
    return _submit(title, {ACTION_KEY: "command", "command": command})


def report_button(
    title: str,
    draft: ReportDraft,
    style: ActionStyle | None = None,
    inputs: bool = False,
    **data: Any,
) -> SubmitAction:
    return _submit(title, {ACTION_KEY: "report", "draft": draft.draft_id, **data}, style, inputs)


# --- welcome and help ------------------------------------------------------------------------


def welcome_card(lang: Language) -> Card:
    return make_card(
        [
            heading(text(lang, "welcome.title")),
            paragraph(text(lang, "welcome.body")),
            paragraph(text(lang, "welcome.acute"), subtle=True),
        ],
        [
            command_button(text(lang, "button.report"), "report"),
            command_button(text(lang, "button.my_reports"), "my_reports"),
            command_button(text(lang, "button.help"), "help"),
        ],
    )


def help_card(
    lang: Language,
    reporting: bool = False,
    team_member: bool = False,
    tiltakskort: str | None = None,
    partners: Sequence[Partner] = (),
) -> Card:
    """The commands and the tiltakskort: the municipality's own when it has one. The team's
    partner services, with their numbers, for the team's own people."""
    # In the middle of a report the button would only say "you are already reporting".
    actions: list[Action] = (
        [] if reporting else [command_button(text(lang, "button.report"), "report")]
    )
    if team_member and not reporting:
        # The TryggEst team registers what came by phone, letter or in person.
        actions.append(command_button(text(lang, "button.enquiry"), "enquiry"))
    body: list[CardElement] = [
        heading(text(lang, "help.title")),
        paragraph(text(lang, "help.commands")),
        Container(
            style="emphasis",
            spacing="Medium",
            items=[
                TextBlock(text=text(lang, "help.card_title"), weight="Bolder", wrap=True),
                paragraph(typed(tiltakskort) if tiltakskort else text(lang, "help.card_steps")),
            ],
        ),
    ]
    if partners:
        body.append(TextBlock(text=text(lang, "help.partners"), weight="Bolder", wrap=True))
        body.append(
            FactSet(
                facts=[
                    Fact(
                        title=typed(p.name),
                        value=" · ".join(
                            typed(v) for v in (unbroken(p.phone) if p.phone else None, p.about) if v
                        )
                        or "—",
                    )
                    for p in partners
                ]
            )
        )
    body.append(paragraph(text(lang, "help.team"), subtle=True))
    return make_card(body, actions)


def _numbers_to_call(lang: Language, title_key: str) -> Container:
    return Container(
        style="attention",
        items=[heading(text(lang, title_key)), paragraph(text(lang, "acute.steps"))],
    )


def acute_guidance_card(lang: Language, draft: ReportDraft) -> Card:
    return make_card(
        [_numbers_to_call(lang, "acute.title"), paragraph(text(lang, "acute.note"))],
        [
            report_button(
                text(lang, "button.continue_report"),
                draft,
                step="acute_guidance",
                answer="continue",
            ),
            report_button(
                text(lang, "button.stop_report"), draft, step="acute_guidance", answer="stop"
            ),
        ],
    )


def acute_reminder_card(lang: Language) -> Card:
    """Danger now in an answer after the first question: the numbers to call, with no
    question of their own, since the report goes on below."""
    return make_card(
        [
            _numbers_to_call(lang, "acute.again_title"),
            paragraph(text(lang, "acute.again_note"), subtle=True),
        ]
    )


# --- one question ----------------------------------------------------------------------------


def questions_asked(draft: ReportDraft) -> list[str]:
    """The questions this reporter answers, in order (the acute guidance is not a question)."""
    return [
        s for s in STEPS if draft.applies(s) and s not in draft.automatic and s != "acute_guidance"
    ]


def progress_text(lang: Language, draft: ReportDraft, step: str) -> str:
    asked = questions_asked(draft)
    n = asked.index(step) + 1 if step in asked else len(asked)
    # Until the basis is chosen the number of questions is not known: no "of N" that later jumps.
    if draft.consent_basis is None:
        return text(lang, "progress.open", n=n)
    return text(lang, "progress", n=n, total=len(asked))


def _choices(codes: CodeList, lang: Language, draft: ReportDraft) -> list[Choice]:
    if codes.name == "yes_no":
        return [
            Choice(title=text(lang, "q.acute.yes"), value="yes"),
            Choice(title=text(lang, "q.acute.no"), value="no"),
        ]
    return [Choice(title=c.label(lang), value=c.code) for c in codes.codes]


def _input_value(draft: ReportDraft, step: str) -> str | None:
    """What to show in the input when a question is asked again ("tilbake", "Endre")."""
    value = draft.answers.get(step, draft.earlier_answer(step))
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(value)
    if step == "birth" and isinstance(value, dict):
        return BirthDate(**value).as_text()
    if step == "reporter_phone":
        return format_phone(value).replace(NBSP, " ")
    return str(value)


def question_card(
    lang: Language,
    draft: ReportDraft,
    step: str,
    note: str | None = None,
    as_buttons: bool = False,
) -> Card:
    """One question. Choices show every option (never a drop-down), so a person who types can
    see the words that work; asked again after an answer that was not understood
    (`as_buttons`), a single choice shows each option as a button of its own, one tap each."""
    hint_key = f"q.{step}.hint"
    if step == "what_happened" and not draft.identifiable:
        hint_key = "q.what_happened.hint_anonymous"
    body: list[CardElement] = []
    if note:
        body.append(Container(style="emphasis", items=[paragraph(note)], spacing="None"))
    body.append(paragraph(progress_text(lang, draft, step), subtle=True))
    body.append(heading(question_text(lang, draft, step)))
    hint = _hint(lang, hint_key)
    if hint:
        body.append(paragraph(hint, subtle=True))
    # Answers first, then "Neste", then the way back or out: on a phone the thumb finds the
    # answer before it finds "Avbryt".
    actions: list[Action] = []
    codes = code_list_for(step, draft)
    value = _input_value(draft, step)
    if codes is not None and not codes.multiple and len(codes.codes) <= MAX_BUTTONS:
        for choice in _choices(codes, lang, draft):
            actions.append(report_button(choice.title or "", draft, step=step, answer=choice.value))
    elif codes is not None and not codes.multiple and as_buttons:
        # One button a row: on a phone each is a full-width tap, and none hides in an overflow.
        for choice in _choices(codes, lang, draft):
            button = report_button(choice.title or "", draft, step=step, answer=choice.value)
            body.append(ActionSet(actions=[button], spacing="Small"))
    else:
        if codes is not None:
            body.append(
                ChoiceSetInput(
                    id=ANSWER_INPUT,
                    choices=_choices(codes, lang, draft),
                    is_multi_select=codes.multiple or None,
                    style="expanded",
                    value=value,
                    is_required=True,
                    error_message=text(lang, "retry.empty_choice"),
                    wrap=True,
                )
            )
        else:
            long_text = step == "what_happened"
            body.append(
                TextInput(
                    id=ANSWER_INPUT,
                    is_multiline=long_text or None,
                    max_length=MAX_TEXT_LENGTH if long_text else MAX_SHORT_TEXT_LENGTH,
                    placeholder=_hint(lang, f"q.{step}.placeholder"),
                    value=value,
                    is_required=step != "reporter_phone",
                    error_message=text(lang, "retry.empty"),
                )
            )
        actions.append(
            report_button(text(lang, "button.next"), draft, "positive", inputs=True, step=step)
        )
    if draft.previous_step(step) is not None:
        actions.append(report_button(text(lang, "button.back"), draft, command="back", step=step))
    actions.append(report_button(text(lang, "button.cancel"), draft, command="cancel", step=step))
    return make_card(body, actions)


def question_text(lang: Language, draft: ReportDraft, step: str) -> str:
    """The question; in an enquiry, about the caller where a report's asks about "you"."""
    if draft.enquiry and f"q.{step}.enquiry" in NB:
        return text(lang, f"q.{step}.enquiry")
    return text(lang, f"q.{step}")


def answered_card(lang: Language, draft: ReportDraft, step: str) -> Card:
    """What a question card becomes once answered: the question and the answer, no buttons,
    so an old card cannot be pressed by mistake."""
    question = paragraph(question_text(lang, draft, step), subtle=True)
    # The summary shows them while the report is checked; an answered card does not.
    if step in PRIVATE_ANSWER_STEPS and draft.answers.get(step) is not None:
        recorded = TextBlock(
            text="✓ " + text(lang, "answered.recorded"), wrap=True, weight="Bolder"
        )
        return make_card([question, recorded, paragraph(text(lang, "answered.not_shown"), True)])
    return make_card(
        [
            question,
            TextBlock(text="✓ " + answer_text(lang, draft, step), wrap=True, weight="Bolder"),
        ]
    )


def hidden_draft_card(lang: Language, draft_id: str, step: str | None) -> Card:
    """A report's open card (its summary, or a question showing an earlier answer), not sent,
    once its minutes are up: nothing of what it said, and a button that shows it again in its
    place."""
    again = _submit(
        text(lang, "view.show_again"),
        {ACTION_KEY: "report", "draft": draft_id, "command": "resume", "step": step},
    )
    shown = "view.hidden.draft_summary" if step is None else "view.hidden.draft_question"
    body: list[CardElement] = [
        paragraph(text(lang, shown)),
        paragraph(text(lang, "view.hidden_draft_why"), subtle=True),
    ]
    return make_card(body, [again])


def closed_card(lang: Language, message: str) -> Card:
    return make_card([paragraph(message, subtle=True)])


def answer_text(lang: Language, draft: ReportDraft, step: str) -> str:
    value = draft.answers.get(step)
    if value is None:
        return text(lang, "value.no_phone" if step == "reporter_phone" else "value.unknown")
    if step == "acute":  # the words on the button the person pressed
        return text(lang, "q.acute.yes" if value == "yes" else "q.acute.no")
    codes = code_list_for(step, draft)
    if codes is not None:
        return ", ".join(codes.labels(value if isinstance(value, list) else [value], lang))
    if step == "birth":
        return BirthDate(**value).as_text()
    if step == "reporter_phone":
        return format_phone(value)
    if step == "contacted_on":
        return _day_text(lang, date.fromisoformat(value))
    if step == "acute_guidance":
        return text(lang, "button.continue_report")
    return typed(str(value))


def confirm_cancel_card(lang: Language, draft: ReportDraft, step: str | None) -> Card:
    return make_card(
        [heading(text(lang, "cancel.confirm")), paragraph(text(lang, "cancel.confirm_hint"))],
        [
            report_button(
                text(lang, "button.cancel_yes"),
                draft,
                "destructive",
                command="cancel_confirmed",
                step=step,
            ),
            report_button(text(lang, "button.cancel_no"), draft, command="resume", step=step),
        ],
    )


def _hint(lang: Language, key: str) -> str | None:
    try:
        return text(lang, key)
    except KeyError:
        return None


# --- summary and receipt ---------------------------------------------------------------------


def part_value(lang: Language, draft: ReportDraft, part: str) -> str:
    a = draft.answers
    unknown = text(lang, "value.unknown")

    def label(step: str) -> str:
        codes = code_list_for(step, draft)
        value = a.get(step)
        if codes is None or value is None:
            return unknown
        if isinstance(value, list):
            return ", ".join(codes.labels(value, lang))
        return codes.label(value, lang)

    if part == "acute":
        return label("acute")
    if part == "municipality":
        return draft.municipality_name() or unknown
    if part == "person":
        gender = label("gender")
        if draft.identifiable:
            birth = a.get("birth")
            born = (
                text(lang, "value.born", birth=BirthDate(**birth).as_text()) if birth else unknown
            )
            name = typed(a["person_name"]) if a.get("person_name") else unknown
            lines = [name, f"{born}, {gender.lower()}"]
            if a.get("residence"):
                lines.append(typed(a["residence"]))
            return "\n\n".join(lines)
        return f"{label('age_band')}, {gender.lower()}"
    if part == "what_happened":
        return typed(a.get("what_happened", ""))
    if part == "contact":
        day = a.get("contacted_on")
        when = _day_text(lang, date.fromisoformat(day)) if day else unknown
        return f"{label('contact')} · {label('caller')} · {when}"
    if part == "reporter" and draft.enquiry:
        return label("reporter_service")
    if part == "reporter":
        phone = a.get("reporter_phone")
        shown = format_phone(phone) if phone else text(lang, "value.no_phone")
        return f"{label('reporter_service')} · {text(lang, 'value.phone', phone=shown)}"
    step = PARTS[part][0]
    return label(step)


def _part_title(lang: Language, draft: ReportDraft, part: str) -> str:
    if draft.enquiry and f"part.{part}.enquiry" in NB:
        return text(lang, f"part.{part}.enquiry")
    return text(lang, f"part.{part}")


def _day_text(lang: Language, day: date) -> str:
    return format_date(datetime(day.year, day.month, day.day, 12, tzinfo=OSLO), lang)


def summary_card(lang: Language, draft: ReportDraft, team_name: str | None) -> Card:
    body: list[CardElement] = [
        heading(text(lang, "summary.title")),
        paragraph(text(lang, "summary.intro"), subtle=True),
    ]
    for part, steps in PARTS.items():
        if not any(draft.applies(s) and s not in draft.automatic for s in steps):
            continue
        body.append(
            ColumnSet(
                separator=True,
                spacing="Medium",
                columns=[
                    Column(
                        width="stretch",
                        items=[
                            TextBlock(
                                text=_part_title(lang, draft, part), weight="Bolder", wrap=True
                            ),
                            paragraph(part_value(lang, draft, part)),
                        ],
                    ),
                    Column(
                        width="auto",
                        vertical_content_alignment="Center",
                        items=[
                            ActionSet(
                                actions=[
                                    report_button(
                                        text(lang, "button.edit"), draft, command="edit", part=part
                                    )
                                ]
                            )
                        ],
                    ),
                ],
            )
        )
    if draft.municipalities and "municipality" in draft.automatic:
        body.append(
            paragraph(
                f"{text(lang, 'part.municipality')}: {draft.municipality_name()}", subtle=True
            )
        )
    if team_name:
        body.append(paragraph(text(lang, "summary.goes_to", team=team_name), subtle=True))
    return make_card(
        body,
        [
            report_button(text(lang, "button.send"), draft, "positive", command="send"),
            report_button(text(lang, "button.back"), draft, command="back"),
            report_button(text(lang, "button.cancel"), draft, "destructive", command="cancel"),
        ],
    )


def receipt_card(
    lang: Language,
    number: str,
    team_name: str | None,
    phone: str | None,
    enquiry: bool = False,
) -> Card:
    if enquiry:
        # The team member registered it for their own team: no number to call, no status to
        # follow as a reporter.
        return make_card(
            [
                heading(text(lang, "receipt.title.enquiry")),
                FactSet(facts=[Fact(title=text(lang, "receipt.number"), value=number)]),
                paragraph(text(lang, "receipt.enquiry_next")),
            ]
        )
    body: list[CardElement] = [
        heading(text(lang, "receipt.title")),
        FactSet(facts=[Fact(title=text(lang, "receipt.number"), value=number)]),
        paragraph(text(lang, "receipt.next")),
    ]
    if team_name and phone:
        body.append(
            paragraph(text(lang, "receipt.call_team", team=team_name, phone=unbroken(phone)))
        )
    body.append(paragraph(text(lang, "receipt.acute"), subtle=True))
    body.append(paragraph(text(lang, "receipt.my_reports"), subtle=True))
    return make_card(body, [command_button(text(lang, "button.my_reports"), "my_reports")])


def format_date(moment: datetime, lang: Language) -> str:
    """Dates as people write them, in Oslo time: '28. november 2026'."""
    local = moment.astimezone(OSLO).date()
    if lang == "en":
        return babel_dates.format_date(local, "d MMMM y", locale="en_GB")
    # A no-break space after the day's dot: Teams reads "28. november" at the start of a
    # Markdown text as a numbered list and drops the 28; it also keeps "28." with its month.
    formatted = babel_dates.format_date(
        local, "d. MMMM y", locale="nn_NO" if lang == "nn" else "nb_NO"
    )
    return formatted.replace(". ", "." + NBSP, 1)


def unbroken(phone: str) -> str:
    """A phone number that does not split across two lines on a narrow screen."""
    return phone.replace(" ", NBSP)


def my_reports_card(lang: Language, lines: list[ReporterCaseLine]) -> Card:
    body: list[CardElement] = [heading(text(lang, "my_reports.title"))]
    if not lines:
        body.append(paragraph(text(lang, "my_reports.empty")))
    for line in lines:
        body.append(
            paragraph(
                text(
                    lang,
                    "my_reports.line",
                    number=line.number,
                    date=format_date(line.created_at, lang),
                    municipality=line.municipality_name,
                    status=CASE_STATUS.label(line.status, lang),
                )
            )
        )
    return make_card(body, [command_button(text(lang, "button.report"), "report")])
