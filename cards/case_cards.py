"""Cards for the team's look at a case in personal chat: the anonymised case, its personal
details (a logged read), who has seen it, and the coordinator's access review."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import dates as babel_dates
from microsoft_teams.cards import (
    Action,
    CardElement,
    Container,
    Fact,
    FactSet,
    SubmitAction,
    TextBlock,
)

from cards.markup import typed
from cards.report_cards import (
    ACTION_KEY,
    OSLO,
    Card,
    format_date,
    heading,
    make_card,
    paragraph,
    unbroken,
)
from cards.texts import Language, text
from domain.access import Person
from domain.case import CASE_STATUS
from domain.codes import (
    AGE_BAND,
    CONSENT_BASIS,
    GENDER,
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
)
from domain.contact import CONTACT_CHANNEL
from domain.report import format_phone
from domain.views import AccessRecord, CaseAccessReview, CaseView


def case_button(title: str, command: str, case_id: str, **data: Any) -> SubmitAction:
    return SubmitAction(
        title=title,
        data={ACTION_KEY: "case", "command": command, "case": case_id, **data},
        associated_inputs="none",
    )


def coded_facts(lang: Language, case: CaseView, received: str | None = None) -> list[Fact]:
    """A case's coded fields: bands and categories only, safe wherever the case is shown."""
    facts = [
        Fact(title=text(lang, "case.status"), value=CASE_STATUS.label(case.status, lang)),
        Fact(
            title=text(lang, "case.received"),
            value=received or format_date(case.created_at, lang),
        ),
        Fact(title=text(lang, "part.municipality"), value=case.municipality_name),
        Fact(title=text(lang, "part.consent"), value=CONSENT_BASIS.label(case.consent_basis, lang)),
        Fact(
            title=text(lang, "part.acute"),
            value=text(lang, "q.acute.yes" if case.acute_danger else "q.acute.no"),
        ),
        Fact(
            title=text(lang, "part.person"),
            value=f"{AGE_BAND.label(case.age_band, lang)}, {GENDER.label(case.gender, lang).lower()}",
        ),
        Fact(
            title=text(lang, "part.vulnerability"),
            value=", ".join(VULNERABILITY.labels(case.vulnerabilities, lang)),
        ),
        Fact(
            title=text(lang, "part.violence"),
            value=", ".join(VIOLENCE_TYPE.labels(case.violence_types, lang)),
        ),
        Fact(
            title=text(lang, "part.perpetrator"),
            value=PERPETRATOR_RELATION.label(case.perpetrator_relation, lang),
        ),
        Fact(
            title=text(lang, "case.reported_by"),
            value=REPORTER_SERVICE.label(case.reporter_service, lang),
        ),
    ]
    if case.contact_channel != "teams":
        # An enquiry by phone, letter or in person, registered by the team.
        facts.insert(
            3,
            Fact(
                title=text(lang, "case.contact_channel"),
                value=CONTACT_CHANNEL.label(case.contact_channel, lang),
            ),
        )
    return facts


def case_card(lang: Language, case: CaseView, can_see_log: bool) -> Card:
    """The anonymised case: codes and bands only, so it is safe to have open on a screen."""
    actions: list[Action] = [
        case_button(text(lang, "case.show_personal"), "show_personal", case.id)
    ]
    if can_see_log:
        actions.append(
            case_button(
                text(lang, "case.who_has_seen"), "who_has_seen", case.id, number=case.number
            )
        )
    return make_card(
        [
            heading(text(lang, "case.title", number=case.number)),
            FactSet(facts=coded_facts(lang, case)),
        ],
        actions,
    )


# The person's details by their names in a case, as their labels: the personal card, the access
# request's file, a correction in the timeline.
PERSONAL_FIELD_LABELS = {
    "name": "case.name",
    "birth": "case.birth",
    "residence": "case.residence",
    "wishes": "case.wishes",
    "what_happened": "part.what_happened",
    "reporter_phone": "case.reporter_phone",
}


def personal_facts(lang: Language, personal: dict[str, Any]) -> list[tuple[str, str]]:
    """The person's name, birth, residence, wishes and the reporter's phone that the case has,
    as (label, value as shown)."""
    facts = []
    for field in ("name", "birth", "residence", "wishes", "reporter_phone"):
        value = personal.get(field)
        if value:
            shown = format_phone(value) if field == "reporter_phone" else typed(str(value))
            facts.append((text(lang, PERSONAL_FIELD_LABELS[field]), shown))
    return facts


def personal_card(lang: Language, case: CaseView) -> Card:
    """The identifiable details. Shown only in personal chat, and every showing is logged."""
    body: list[CardElement] = [heading(text(lang, "case.personal_title", number=case.number))]
    if case.erased or not case.personal:
        body.append(paragraph(text(lang, "case.erased")))
        return make_card(body)
    personal = case.personal
    facts = [Fact(title=title, value=value) for title, value in personal_facts(lang, personal)]
    if not personal.get("name"):
        body.append(paragraph(text(lang, "case.anonymous"), subtle=True))
    if facts:
        body.append(FactSet(facts=facts))
    body.append(
        Container(
            style="emphasis",
            items=[
                TextBlock(text=text(lang, "part.what_happened"), weight="Bolder", wrap=True),
                paragraph(typed(personal.get("what_happened", ""))),
            ],
        )
    )
    body.append(paragraph(text(lang, "case.logged"), subtle=True))
    return make_card(body)


def who_has_seen_card(
    lang: Language, number: str, records: list[AccessRecord], names: dict[Person, str]
) -> Card:
    body: list[CardElement] = [heading(text(lang, "case.seen_title", number=number))]
    action_labels = {
        "case.view_anonymised": text(lang, "case.seen.anonymised"),
        "case.view_identifiable": text(lang, "case.seen.identifiable"),
        "case.view_access_log": text(lang, "case.seen.log"),
    }
    for record in records:
        who = typed(names.get(record.who)) or text(
            lang, "case.unknown_person", id=record.who.aad_object_id[-6:]
        )
        what = action_labels.get(record.action, record.action)
        refused = "" if record.allowed else " – " + text(lang, "case.seen.refused")
        when = format_date(record.at, lang) + " " + record.at.astimezone(OSLO).strftime("%H.%M")
        body.append(paragraph(f"{when} · **{unbroken(who)}** · {what}{refused}"))
    if not records:
        body.append(paragraph(text(lang, "case.seen_none")))
    return make_card(body)


def access_review_card(
    lang: Language,
    reviews: list[CaseAccessReview],
    names: dict[Person, str],
    days: int | None = None,
    month: date | None = None,
) -> Card:
    """Who read which case: over the last `days` days (asked for), or over a calendar `month`
    (the monthly review the coordinator gets unasked)."""
    if month is not None:
        intro = text(lang, "review.intro_month", month=format_month(month, lang))
    else:
        intro = text(lang, "review.intro", days=days)
    body: list[CardElement] = [heading(text(lang, "review.title")), paragraph(intro, subtle=True)]
    flagged_any = False
    for review in reviews:
        readers = [
            typed(names.get(p)) or text(lang, "case.unknown_person", id=p.aad_object_id[-6:])
            for p in review.readers
        ]
        line = f"**{review.case_number}** · " + ", ".join(readers)
        if review.flagged:
            flagged_any = True
            flagged = {typed(names.get(r.who)) or r.who.aad_object_id[-6:] for r in review.flagged}
            line += "  \n⚠ " + text(lang, "review.flagged", who=", ".join(sorted(flagged)))
        body.append(paragraph(line))
    if not reviews:
        body.append(paragraph(text(lang, "review.none")))
    elif not flagged_any:
        body.append(paragraph(text(lang, "review.nothing_flagged"), subtle=True))
    return make_card(body)


def format_month(month: date, lang: Language) -> str:
    """'oktober 2026' (nb, nn), 'October 2026' (en)."""
    locale = {"en": "en_GB", "nn": "nn_NO"}.get(lang, "nb_NO")
    return babel_dates.format_date(month, "LLLL y", locale=locale)
