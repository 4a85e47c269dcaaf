"""Every card the bot can send, filled with sample data: for schema tests and `tryggest cards`.

The samples are made up (Kari and Ola Nordmann are Norway's Jane and John Doe) and stored the way
the report dialogue stores answers (dialogs/report_dialog.py `_read`), so each card is built by
the very functions the bot uses. No database: the reporter's list of cases is built by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from cards.report_cards import (
    Card,
    acute_guidance_card,
    answered_card,
    closed_card,
    confirm_cancel_card,
    help_card,
    my_reports_card,
    question_card,
    receipt_card,
    summary_card,
    welcome_card,
)
from cards.texts import Language, text
from domain.access import Person
from domain.adaptation import Partner
from domain.case import CASE_STATUS
from domain.report import (
    CODE_LISTS,
    MAX_SHORT_TEXT_LENGTH,
    MAX_TEXT_LENGTH,
    Municipality,
    ReportDraft,
)
from domain.views import CaseView, ReporterCaseLine
from tools.samples.experiences import experience_cards_in
from tools.samples.gatherings import gathering_cards_in
from tools.samples.statistics import statistics_cards_in

LANGUAGES: tuple[Language, ...] = ("nb", "nn", "en")

MUNICIPALITIES = [
    Municipality("5a0c0000000000000000000000003207", "Nordre Follo"),
    Municipality("5a0c0000000000000000000000003212", "Nesodden"),
    Municipality("5a0c0000000000000000000000003218", "Ås"),
]
ONE_MUNICIPALITY = MUNICIPALITIES[:1]
TEAM_NAME = "TryggEst-teamet i Nordre Follo"
TEAM_PHONE = "69 00 00 00"
CASE_NUMBER = "TE-2026-0042"

# What a reporter might write, in the language of the card (the dialogue keeps it as typed).
WHAT_HAPPENED: dict[Language, str] = {
    "nb": (
        "Kari har hatt blåmerker på begge overarmene ved de tre siste besøkene (4., 11. og 18. "
        "november). Hun sier at sønnen «blir sint når hun glemmer ting». Sønnen har fullmakt til "
        "kontoen hennes, og det har ikke vært mat i kjøleskapet de siste to ukene."
    ),
    "nn": (
        "Kari har hatt blåmerke på begge overarmane ved dei tre siste besøka (4., 11. og 18. "
        "november). Ho seier at sonen «blir sint når ho gløymer ting». Sonen har fullmakt til "
        "kontoen hennar, og det har ikkje vore mat i kjøleskapet dei siste to vekene."
    ),
    "en": (
        "Kari has had bruises on both upper arms at the last three visits (4, 11 and 18 "
        "November). She says her son “gets angry when she forgets things”. The son has power "
        "of attorney over her account, and there has been no food in the fridge for two weeks."
    ),
}
WHAT_HAPPENED_ANONYMOUS: dict[Language, str] = {
    "nb": (
        "En beboer forteller at en ansatt på nattevakt har tatt penger fra lommeboken hans flere "
        "ganger i oktober. Han er redd for å si det til noen i avdelingen."
    ),
    "nn": (
        "Ein bebuar fortel at ein tilsett på nattevakt har teke pengar frå lommeboka hans fleire "
        "gonger i oktober. Han er redd for å seie det til nokon på avdelinga."
    ),
    "en": (
        "A resident says that a member of the night staff has taken money from his wallet several "
        "times in October. He is afraid to tell anyone on the ward."
    ),
}
LOG_ENTRY: dict[Language, str] = {
    "nb": (
        "{day}. november kl. {hour}.15: Ved besøket var ytterdøren låst fra innsiden, og Kari "
        "brukte lang tid på å åpne. Hun hadde et nytt blåmerke på venstre kinn og sa at hun "
        "hadde falt på badet. Sønnen var til stede og svarte på spørsmål for henne. "
        "Medisindosetten for uken var urørt.\n\n"
    ),
    "nn": (
        "{day}. november kl. {hour}.15: Ved besøket var ytterdøra låst frå innsida, og Kari "
        "brukte lang tid på å opne. Ho hadde eit nytt blåmerke på venstre kinn og sa at ho "
        "hadde falle på badet. Sonen var til stades og svarte på spørsmål for henne. "
        "Medisindosetten for veka var urørt.\n\n"
    ),
    "en": (
        "{day} November, {hour}.15: At the visit the front door was locked from inside, and Kari "
        "took a long time to open it. She had a new bruise on her left cheek and said she had "
        "fallen in the bathroom. Her son was there and answered questions for her. The week's "
        "pill organiser was untouched.\n\n"
    ),
}


def long_what_happened(lang: Language) -> str:
    """A free text as long as the dialogue accepts: a home-care worker's log, day by day."""
    entries = (LOG_ENTRY[lang].format(day=day, hour=8 + day % 10) for day in range(1, 31))
    cut = "".join(entries)[:MAX_TEXT_LENGTH]
    # The dialogue strips what is typed, so an answer never ends in a space.
    return cut[:-1] + "." if cut[-1].isspace() else cut


def consent_answers(lang: Language) -> dict[str, Any]:
    return {
        "acute": "no",
        "consent": "consent",
        "municipality": MUNICIPALITIES[0].id,
        "person_name": "Kari Nordmann",
        "birth": {"year": 1941, "month": 3, "day": 12},
        "gender": "female",
        "residence": "Omsorgsbolig i sentrum, leilighet 4",
        "vulnerability": ["dementia", "old_age"],
        "violence": ["physical", "financial", "neglect"],
        "perpetrator": "child",
        "what_happened": WHAT_HAPPENED[lang],
        "knowledge": "saw",
        "reporter_service": "home_care",
        "reporter_phone": "+4791234567",
    }


def anonymous_answers(lang: Language) -> dict[str, Any]:
    return {
        "acute": "no",
        "consent": "anonymous",
        "municipality": MUNICIPALITIES[0].id,
        "age_band": "80+",
        "gender": "male",
        "vulnerability": ["dementia", "physical_disability"],
        "violence": ["financial"],
        "perpetrator": "staff",
        "what_happened": WHAT_HAPPENED_ANONYMOUS[lang],
        "knowledge": "told",
        "reporter_service": "nursing_home",
        "reporter_phone": None,  # skipped: "hopp over"
    }


def duty_to_avert_answers(lang: Language) -> dict[str, Any]:
    return {
        "acute": "yes",
        "acute_guidance": "continue",
        "consent": "duty_to_avert",
        "municipality": ONE_MUNICIPALITY[0].id,
        "person_name": "Ola Nordmann",
        "birth": {"year": 1950, "month": None, "day": None},  # only the year was known
        "gender": "male",
        "residence": "Bor alene i enebolig",
        "vulnerability": ["intellectual_disability"],
        "violence": ["physical", "psychological"],
        "perpetrator": "co_resident",
        "what_happened": WHAT_HAPPENED[lang].replace("Kari", "Ola"),
        "knowledge": "told",
        "reporter_service": "disability_services",
        "reporter_phone": "+4791234567",
    }


def enquiry_answers(lang: Language) -> dict[str, Any]:
    """A neighbour phoned the TryggEst number; a team member registers it on their behalf."""
    return {
        "acute": "no",
        "contact": "phone",
        "caller": "other",
        "contacted_on": "2026-11-27",
        "consent": "anonymous",
        "municipality": MUNICIPALITIES[0].id,
        "age_band": "80+",
        "gender": "female",
        "vulnerability": ["dementia"],
        "violence": ["psychological"],
        "perpetrator": "child",
        "what_happened": WHAT_HAPPENED_ANONYMOUS[lang],
        "knowledge": "told",
    }


def longest_answers(lang: Language) -> dict[str, Any]:
    """Every field as long as the dialogue accepts and every option of every multiple choice."""
    return consent_answers(lang) | {
        "person_name": ("Kari Nordmann " * 30)[:MAX_SHORT_TEXT_LENGTH].strip(),
        "residence": ("Omsorgsbolig i sentrum, leilighet 4, " * 10)[:MAX_SHORT_TEXT_LENGTH],
        "vulnerability": [c.code for c in CODE_LISTS["vulnerability"].codes],
        "violence": [c.code for c in CODE_LISTS["violence"].codes],
        "what_happened": long_what_happened(lang),
        "perpetrator": "other_family",
        "reporter_service": "disability_services",
    }


def draft_with(
    answers: dict[str, Any], municipalities: list[Municipality], name: str, enquiry: bool = False
) -> ReportDraft:
    draft = ReportDraft(
        draft_id=f"sample{name}", municipalities=list(municipalities), enquiry=enquiry
    )
    draft.choose_municipality_if_only_one()
    for step, value in answers.items():
        draft.answer(step, value)
    return draft


def question_walk(
    lang: Language, answers: dict[str, Any], enquiry: bool = False
) -> Iterator[tuple[str, Card]]:
    """Every question the dialogue asks on the way to the summary, as it asks them."""
    draft = draft_with({}, MUNICIPALITIES, answers["consent"], enquiry)
    note: str | None = None
    while (step := draft.next_step()) is not None:
        if step == "acute_guidance":
            yield step, acute_guidance_card(lang, draft)
        else:
            name = f"{step}_with_note" if note else step
            yield name, question_card(lang, draft, step, note)
        draft.answer(step, answers[step])
        note = None
        if step == "consent" and answers[step] == "anonymous":
            note = text(lang, "consent.anonymous_note")


def my_report_lines(count: int) -> list[ReporterCaseLine]:
    """A reporter's newest reports first, as CaseRepository.list_for_reporter gives them."""
    statuses = [c.code for c in CASE_STATUS.codes]
    newest = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
    return [
        ReporterCaseLine(
            number=f"TE-2026-{42 - i:04d}",
            status=statuses[min(i // 3, len(statuses) - 1)],
            created_at=newest - timedelta(days=9 * i, hours=i),
            municipality_name=MUNICIPALITIES[i % len(MUNICIPALITIES)].name,
        )
        for i in range(count)
    ]


def cards_in(lang: Language) -> Iterator[tuple[str, Card]]:
    yield "welcome_card", welcome_card(lang)
    yield "help_card", help_card(lang)
    for mode, answers in (
        ("consent", consent_answers(lang)),
        ("anonymous", anonymous_answers(lang)),
    ):
        for step, card in question_walk(lang, answers):
            if step in ("acute", "consent"):
                if mode == "consent":  # asked before the mode is known: the same in both walks
                    yield f"question_card.{step}", card
            else:
                yield f"question_card.{mode}.{step}", card
    for step, card in question_walk(lang, enquiry_answers(lang), enquiry=True):
        if step in ("contact", "caller", "contacted_on", "knowledge"):
            yield f"question_card.enquiry.{step}", card
    enquiry = draft_with(enquiry_answers(lang), MUNICIPALITIES, "enquiry", enquiry=True)
    yield "summary_card.enquiry", summary_card(lang, enquiry, TEAM_NAME)
    yield "receipt_card.enquiry", receipt_card(lang, CASE_NUMBER, TEAM_NAME, None, enquiry=True)
    guidance_draft = draft_with({"acute": "yes"}, ONE_MUNICIPALITY, "acute")
    yield "acute_guidance_card", acute_guidance_card(lang, guidance_draft)
    summaries = (
        ("consent", consent_answers(lang), MUNICIPALITIES, TEAM_NAME),
        ("anonymous", anonymous_answers(lang), ONE_MUNICIPALITY, TEAM_NAME),
        ("duty_to_avert", duty_to_avert_answers(lang), ONE_MUNICIPALITY, None),
        ("longest", longest_answers(lang), MUNICIPALITIES, TEAM_NAME),
    )
    for name, answers, municipalities, team in summaries:
        draft = draft_with(answers, municipalities, name)
        if not draft.is_complete():
            raise ValueError(f"sample {name} lacks the answer to {draft.next_step()}")
        yield f"summary_card.{name}", summary_card(lang, draft, team)
    yield "receipt_card.with_phone", receipt_card(lang, CASE_NUMBER, TEAM_NAME, TEAM_PHONE)
    yield "receipt_card.without_phone", receipt_card(lang, CASE_NUMBER, TEAM_NAME, None)
    yield "receipt_card.without_team", receipt_card(lang, CASE_NUMBER, None, None)
    longest = draft_with(longest_answers(lang), MUNICIPALITIES, "longest")
    for step in ("vulnerability", "what_happened", "birth", "reporter_phone"):
        yield f"answered_card.{step}", answered_card(lang, longest, step)
    yield "confirm_cancel_card", confirm_cancel_card(lang, longest, "violence")
    yield "closed_card.sent", closed_card(lang, text(lang, "closed.sent", number=CASE_NUMBER))
    yield "closed_card.cancelled", closed_card(lang, text(lang, "closed.cancelled"))
    yield "help_card.during_a_report", help_card(lang, reporting=True)
    yield (
        "help_card.team_member",
        help_card(
            lang,
            team_member=True,
            tiltakskort="Ring 112 om noen er i fare. Snakk med lederen din. Meld samme dag.",
            partners=(
                Partner("Overgrepsmottaket", "69 86 00 00", "hele døgnet"),
                Partner("Politiets voldskoordinator", "02800"),
                Partner("ATV – Alternativ til vold", None, "for den som utøver vold"),
            ),
        ),
    )
    yield from case_cards_in(lang)
    yield from channel_cards_in(lang)
    yield from reminder_cards_in(lang)
    yield from gathering_cards_in(lang)
    yield from statistics_cards_in(lang)
    yield from experience_cards_in(lang)
    yield "my_reports_card.empty", my_reports_card(lang, [])
    yield "my_reports_card.twenty", my_reports_card(lang, my_report_lines(20))


def sample_case_view(lang: Language, assignee: Person | None) -> CaseView:
    """One case as the team sees it identifiably; the other samples are variations of it."""
    from domain.access import CaseTarget

    when = datetime(2026, 11, 28, 13, 5, tzinfo=UTC)
    answers = consent_answers(lang)
    view = CaseView(
        id="case0001",
        number=CASE_NUMBER,
        view="identifiable",
        status="received",
        created_at=when,
        closed_at=None,
        municipality_id="m1",
        municipality_name=MUNICIPALITIES[0].name,
        assignee=assignee,
        consent_basis="consent",
        gender="female",
        age_band="80+",
        vulnerabilities=("dementia", "old_age"),
        violence_types=("physical", "financial"),
        perpetrator_relation="child",
        knowledge_source="saw",
        reporter_service="home_care",
        acute_danger=False,
        erased=False,
        personal={
            "name": answers["person_name"],
            "birth": "12.03.1941",
            "residence": answers["residence"],
            "what_happened": long_what_happened(lang),
            "reporter_phone": "+4791234567",
        },
        target=CaseTarget("case0001", "tenant", "m1", assignee),
    )
    return view


def case_cards_in(lang: Language) -> Iterator[tuple[str, Card]]:
    """The team's cards for one case: anonymised, identifiable (also erased), its access log and
    the coordinator's review, with sample people."""
    from cards.case_cards import access_review_card, case_card, personal_card, who_has_seen_card
    from domain.views import AccessRecord, CaseAccessReview, CaseRead

    when = datetime(2026, 11, 28, 13, 5, tzinfo=UTC)
    marte, lars = Person("tenant", "aad-marte-000001"), Person("tenant", "aad-lars-000002")
    names = {marte: "Marte Johansen", lars: "Lars Haugen"}
    view = sample_case_view(lang, lars)
    yield "case_card.coordinator", case_card(lang, view, can_see_log=True)
    yield "case_card.member", case_card(lang, view, can_see_log=False)
    yield "personal_card.consent", personal_card(lang, view)
    erased = CaseView(**{**view.__dict__, "erased": True, "personal": None})
    yield "personal_card.erased", personal_card(lang, erased)
    records = [
        AccessRecord(when, marte, "case.view_anonymised", True),
        AccessRecord(when, marte, "case.view_identifiable", True),
        AccessRecord(when, Person("tenant", "aad-unknown-9"), "case.view_identifiable", False),
    ]
    yield "who_has_seen_card", who_has_seen_card(lang, CASE_NUMBER, records, names)
    reviews = [
        CaseAccessReview(
            "case0001",
            CASE_NUMBER,
            "m1",
            lars,
            (
                CaseRead(when, marte, "case.view_identifiable", True, True),
                CaseRead(when, lars, "case.view_identifiable", True, False),
            ),
        )
    ]
    yield "access_review_card.days", access_review_card(lang, reviews, names, days=30)
    yield "access_review_card.month", access_review_card(lang, reviews, names, month=when)
    yield "access_review_card.empty", access_review_card(lang, [], names, days=30)


def channel_cards_in(lang: Language) -> Iterator[tuple[str, Card]]:
    """The case in the team channel at each stage of its work, and the cards around it: the
    coordinator's preview of the free text, the timeline, the reporter's updates and question."""
    from dataclasses import replace

    from cards.channel_cards import (
        channel_case_card,
        consent_form_card,
        reporter_question_card,
        reporter_status_card,
        text_preview_card,
        timeline_card,
        wishes_form_card,
    )
    from domain.access import CaseTarget
    from domain.casework import MEASURE_SERVICE, REPORTER_STATUS, RISK_QUESTIONS
    from domain.views import TimelineEntry

    when = datetime(2026, 11, 28, 13, 5, tzinfo=UTC)
    marte, lars = Person("tenant", "aad-marte-000001"), Person("tenant", "aad-lars-000002")
    names = {marte: "Marte Johansen", lars: "Lars Haugen"}
    members = [(lars, "Lars Haugen"), (marte, "Marte Johansen")] + [
        (Person("tenant", f"aad-member-{i:06d}"), f"Medlem nummer {i} i teamet") for i in range(30)
    ]
    new = replace(
        sample_case_view(lang, None),
        view="anonymised",
        personal=None,
        acute_danger=True,
        target=CaseTarget("case0001", "tenant", "m1"),
        team_id="team1",
    )
    worked = replace(
        new,
        status="in_progress",
        assignee=marte,
        revision=7,
        classification="must",
        risk_level="high",
        risk_answers=tuple(c.code for c in RISK_QUESTIONS.codes),
        position="guide",
        measures=tuple(c.code for c in MEASURE_SERVICE.codes),
        follow_up_on=datetime(2026, 12, 3, tzinfo=UTC).date(),
        shared_text="[navn] har hatt blåmerker på begge overarmene. " * 30,
    )
    closed = replace(worked, status="closed", closed_at=when, outcome="ordinary_services")
    yield "channel_case_card.new", channel_case_card(lang, new, names, members)
    yield (
        "channel_case_card.worked",
        channel_case_card(
            lang, worked, names, members, note=text(lang, "work.done.take", name="Marte Johansen")
        ),
    )
    yield "channel_case_card.closed", channel_case_card(lang, closed, names, members)
    original = WHAT_HAPPENED[lang]
    yield (
        "text_preview_card",
        text_preview_card(lang, new, original.replace("Kari", "[navn]"), [("Kari", "[navn]")]),
    )
    yield "text_preview_card.again", text_preview_card(lang, new, "[navn] …", [], again=True)
    entries = [
        TimelineEntry("e1", when, "reported", None, {}, None),
        TimelineEntry("e2", when, "taken", marte, {}, None),
        TimelineEntry("e3", when, "classified", marte, {"to": "must"}, None),
        TimelineEntry("e4", when, "note", marte, {}, long_what_happened(lang)),
        TimelineEntry("e5", when, "follow_up_set", marte, {"on": "2026-12-03"}, None),
        TimelineEntry("e6", when, "closed", lars, {"outcome": "stopped"}, None),
    ]
    entries += [
        TimelineEntry(
            "e7",
            when,
            "consent_recorded",
            lars,
            {"given_on": "2026-11-27", "given_by": "guardian", "form": "written"},
            None,
        ),
        TimelineEntry(
            "e8", when, "meeting_decision", marte, {}, "Marte ringer fastlegen før fredag."
        ),
    ]
    yield "timeline_card", timeline_card(lang, closed, entries, names)
    consultation = replace(new, consent_basis="anonymous", contact_channel="phone")
    yield "channel_case_card.enquiry", channel_case_card(lang, consultation, names, members)
    yield "consent_form_card", consent_form_card(lang, consultation, when.date())
    yield (
        "consent_form_card.again",
        consent_form_card(
            lang, consultation, when.date(), again=text(lang, "consent.birth_unclear")
        ),
    )
    yield "wishes_form_card", wishes_form_card(lang, consultation)
    yield from team_meeting_cards_in(lang, marte, names)
    for status in REPORTER_STATUS.codes:
        yield (
            f"reporter_status_card.{status.code}",
            reporter_status_card(lang, CASE_NUMBER, status.code),
        )
    yield (
        "reporter_question_card",
        reporter_question_card(lang, CASE_NUMBER, "Bor sønnen sammen med henne?", "case0001", "e7"),
    )
    from cards.delivery_cards import UNDELIVERED_KINDS, not_posted_card, undelivered_card

    for kind in UNDELIVERED_KINDS:
        yield (
            f"undelivered_card.{kind}",
            undelivered_card(lang, kind, CASE_NUMBER, TEAM_NAME, "outbox0001"),
        )
    yield (
        "not_posted_card.gathering",
        not_posted_card(lang, "undelivered.gathering", title="Nettverkssamling våren 2027"),
    )
    yield "not_posted_card.experience", not_posted_card(lang, "undelivered.experience")
    yield "not_posted_card.training", not_posted_card(lang, "undelivered.training")


def team_meeting_cards_in(
    lang: Language, marte: Person, names: dict[Person, str]
) -> Iterator[tuple[str, Card]]:
    """The team meeting: the coordinator's form, the confirmation, and the agenda with a
    decision made, called off, with nothing to go through and with more cases than it shows."""
    from dataclasses import replace

    from cards.team_meeting_cards import (
        MAX_AGENDA_CASES,
        agenda_card,
        meeting_form_card,
        scheduled_card,
    )
    from domain.team_meeting import Agenda, AgendaItem, MeetingView, OpenCase

    starts = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    teams = {"team1": TEAM_NAME, "team2": "TryggEst ledergruppe"}
    form = "f" * 32
    yield "meeting_form_card", meeting_form_card(lang, teams, form)
    yield (
        "meeting_form_card.problems",
        meeting_form_card(lang, teams, form, {"date": "2026-11-01"}, ["past", "url"]),
    )
    meeting = MeetingView(
        "m" * 32,
        "tenant",
        "team1",
        TEAM_NAME,
        "fortnightly",
        starts,
        90,
        "Rådhuset, rom 3",
        None,
        None,
        starts - timedelta(days=7),
    )
    ics = "https://tryggest.example.no/meetings/" + "m" * 32 + ".ics"
    yield "scheduled_card", scheduled_card(lang, meeting, replaced=True, ics_url=ics)

    def case(i: int, assignee: Person | None) -> AgendaItem:
        created = starts - timedelta(days=3 + i)
        return AgendaItem(
            OpenCase(
                f"case{i:04d}", f"TE-2026-{i:04d}", "assessing", created, None, None, assignee, i
            ),
            ("new", "past_deadline", "follow_up"),
            3 + i,
        )

    items = [case(1, marte), case(2, None), case(3, Person("tenant", "aad-gone-000003"))]
    agenda = Agenda(
        meeting, starts, starts - timedelta(days=14), items, False, frozenset({"case0001"})
    )
    yield (
        "agenda_card",
        agenda_card(
            lang,
            agenda,
            names,
            text(lang, "meeting.done.decision", name="Marte Johansen", number="TE-2026-0001"),
        ),
    )
    yield "agenda_card.cancelled", agenda_card(lang, replace(agenda, cancelled=True), names)
    yield "agenda_card.nothing", agenda_card(lang, replace(agenda, items=[]), names)
    many = [case(i, marte) for i in range(1, MAX_AGENDA_CASES + 15)]
    yield "agenda_card.many", agenda_card(lang, replace(agenda, items=many), names)


def reminder_cards_in(lang: Language) -> Iterator[tuple[str, Card]]:
    """Each reminder, on time and late (after downtime: it says when it was due)."""
    from datetime import date

    from cards.reminder_cards import (
        archive_waiting_card,
        assessment_card,
        escalation_card,
        follow_up_card,
        half_year_card,
        unreachable_card,
    )

    yield "archive_waiting_card", archive_waiting_card(lang, ["TE-2026-0007", "TE-2026-0012"])
    yield (
        "archive_waiting_card.many",
        archive_waiting_card(lang, [f"TE-2026-{i:04d}" for i in range(1, 31)]),
    )
    due = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    late = due + timedelta(days=3)
    reported = datetime(2026, 11, 27, 13, 5, tzinfo=UTC)
    yield "assessment_reminder", assessment_card(lang, CASE_NUMBER, reported, 3, due, due)
    yield "assessment_reminder.late", assessment_card(lang, CASE_NUMBER, reported, 3, due, late)
    yield (
        "escalation_reminder",
        escalation_card(lang, CASE_NUMBER, MUNICIPALITIES[0].name, 6, due, due),
    )
    yield "follow_up_reminder", follow_up_card(lang, CASE_NUMBER, date(2026, 12, 2), due, due)
    for days in (30, 0):
        yield (
            f"half_year_reminder.{days}",
            half_year_card(lang, TEAM_NAME, "team1", "2026H2", date(2027, 2, 15), days, due, due),
        )
    yield "unreachable_reminder", unreachable_card(lang, "Marte Johansen")


def sample_cards() -> dict[str, Card]:
    """Every card the bot can send today, in every language, keyed by a file-friendly name
    ('summary_card.consent.nb')."""
    return {f"{name}.{lang}": card for lang in LANGUAGES for name, card in cards_in(lang)}
