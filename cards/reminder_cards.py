"""Reminders as a person reads them: what is due, about which case (by number only), and, when it
comes late, when it was meant to come."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from microsoft_teams.cards import CardElement, SubmitAction

from cards.markup import typed
from cards.report_cards import ACTION_KEY, OSLO, Card, format_date, heading, make_card, paragraph
from cards.texts import Language, text

# A reminder this much after its time says when it was due (after downtime, say).
LATE_AFTER = timedelta(minutes=30)


def _when(moment: datetime, lang: Language) -> str:
    return f"{format_date(moment, lang)} {text(lang, 'at_time')} {moment.astimezone(OSLO):%H.%M}"


def _day(day: date, lang: Language) -> str:
    return format_date(datetime(day.year, day.month, day.day, 12, tzinfo=OSLO), lang)


def _late(lang: Language, due_at: datetime, now: datetime) -> list[CardElement]:
    if now - due_at < LATE_AFTER:
        return []
    return [paragraph(text(lang, "reminder.late", when=_when(due_at, lang)), subtle=True)]


def assessment_card(
    lang: Language, number: str, reported_at: datetime, days: int, due_at: datetime, now: datetime
) -> Card:
    """To a coordinator: a report not yet assessed."""
    return make_card(
        [
            heading(text(lang, "reminder.assessment_title", number=number)),
            paragraph(
                text(
                    lang,
                    "reminder.assessment",
                    number=number,
                    days=days,
                    reported=_when(reported_at, lang),
                )
            ),
            *_late(lang, due_at, now),
        ]
    )


def escalation_card(
    lang: Language,
    number: str,
    municipality: str,
    days: int,
    due_at: datetime,
    now: datetime,
) -> Card:
    """To the leadership contact: a case number and how long, nothing about the case (leaders
    see aggregates, not cases)."""
    return make_card(
        [
            heading(text(lang, "reminder.escalation_title")),
            paragraph(
                text(
                    lang,
                    "reminder.escalation",
                    number=number,
                    municipality=municipality,
                    days=days,
                )
            ),
            *_late(lang, due_at, now),
        ]
    )


def follow_up_card(lang: Language, number: str, day: date, due_at: datetime, now: datetime) -> Card:
    return make_card(
        [
            heading(text(lang, "reminder.follow_up_title", number=number)),
            paragraph(text(lang, "reminder.follow_up", number=number, day=_day(day, lang))),
            *_late(lang, due_at, now),
        ]
    )


# A reminder card lists this many case numbers; the rest by count.
MAX_NUMBERS = 20


def archive_waiting_card(lang: Language, numbers: list[str]) -> Card:
    """To a coordinator: the team's closed cases not yet in the municipality's archive."""
    shown = ", ".join(numbers[:MAX_NUMBERS])
    more = len(numbers) - MAX_NUMBERS
    body: list[CardElement] = [
        heading(text(lang, "reminder.archive_title", count=len(numbers))),
        paragraph(
            shown + (" " + text(lang, "reminder.archive_more", count=more) if more > 0 else "")
        ),
        paragraph(text(lang, "reminder.archive")),
    ]
    return make_card(body)


def half_year_card(
    lang: Language,
    team_name: str,
    team_id: str,
    period: str,
    deadline: date,
    days_before: int,
    due_at: datetime,
    now: datetime,
) -> Card:
    """To a coordinator: the half-year report to Bufdir, with the report and "sent" buttons."""
    key = "reminder.half_year_today" if days_before == 0 else "reminder.half_year"
    body: list[CardElement] = [
        heading(text(lang, "reminder.half_year_title", period=period)),
        paragraph(
            text(
                lang,
                key,
                team=team_name,
                period=period,
                deadline=_day(deadline, lang),
                days=days_before,
            )
        ),
        *_late(lang, due_at, now),
    ]
    data = {ACTION_KEY: "stats", "team": team_id, "period": period}
    return make_card(
        body,
        [
            SubmitAction(
                title=text(lang, "reminder.make_report"),
                data={**data, "command": "report"},
                associated_inputs="none",
            ),
            SubmitAction(
                title=text(lang, "reminder.mark_sent"),
                data={**data, "command": "mark_submitted"},
                associated_inputs="none",
            ),
        ],
    )


def unreachable_card(lang: Language, name: str) -> Card:
    """To a coordinator: someone the bot could not remind."""
    return make_card(
        [
            heading(text(lang, "reminder.unreachable_title")),
            paragraph(text(lang, "reminder.unreachable", name=typed(name))),
        ]
    )
