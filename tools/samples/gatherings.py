"""The gathering cards filled with sample data, for tools/samples/catalogue.py (schema tests and
`tryggest cards`): every state a card can be in, the longest inputs the form accepts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cards.gathering_cards import (
    announcement_card,
    confirm_cancel_card,
    done_card,
    gathering_form_card,
    gatherings_list_card,
    notice_card,
    reminder_card,
    summary_card,
)
from cards.report_cards import Card
from cards.texts import Language, text
from domain.access import Person
from domain.gathering import MAX_AGENDA, MAX_PLACE, MAX_TITLE, Counts, form_values
from domain.views import GatheringView, PostedMessage

ORGANISER = Person("tenant", "aad-lars-000002")
ICS_URL = "https://tryggest.example.no/gatherings/5a0c00000000000000000000000000aa.ics"
NETWORKS = [
    ("network-east", "TryggEst-nettverket RVTS Øst"),
    ("network-south", "TryggEst-nettverket RVTS Sør"),
]
AGENDA = (
    "09.00 Velkommen og kaffe\n"
    "09.30 Erfaringer fra Moss: anonym drøfting i praksis\n"
    "10.30 Pause\n"
    "10.45 Refleksjonsverktøyet: koordinator, veiviser, døråpner\n"
    "11.45 Oppsummering"
)


def sample_gathering(**changes: object) -> GatheringView:
    starts = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # 09.00 in Oslo, summer time
    view = GatheringView(
        id="5a0c00000000000000000000000000aa",
        tenant_id="tenant",
        network_team_id=NETWORKS[0][0],
        network_name=NETWORKS[0][1],
        title="Nettverkssamling våren 2027",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Rådhuset i Moss, møterom 2",
        online_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting_sample%40thread.v2/0",
        agenda=AGENDA,
        rvts_region="east",
        state="scheduled",
        sequence=0,
        organiser=ORGANISER,
        organiser_name="Lars Haugen",
        graph_event_id=None,
        posted=PostedMessage("tenant", "https://smba.example", "19:x;messageid=1", "1"),
        counts=Counts(yes=14, no=3, maybe=5),
        updated_at=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def gathering_cards_in(lang: Language) -> Iterator[tuple[str, Card]]:
    view = sample_gathering()
    cancelled = replace(view, state="cancelled", sequence=2)
    longest = replace(
        view,
        title=("Nettverkssamling " * 20)[:MAX_TITLE],
        place=("Rådhuset i Moss, møterom 2, " * 20)[:MAX_PLACE],
        agenda=(AGENDA + "\n") * (MAX_AGENDA // (len(AGENDA) + 1)),
    )
    physical = replace(view, online_url=None, agenda=None, rvts_region="national")
    online = replace(view, place=None)
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    yield "gathering_announcement_card", announcement_card(lang, view, ICS_URL, now)
    yield "gathering_announcement_card.longest", announcement_card(lang, longest, ICS_URL, now)
    yield "gathering_announcement_card.physical", announcement_card(lang, physical, ICS_URL, now)
    yield "gathering_announcement_card.online", announcement_card(lang, online, ICS_URL, now)
    yield "gathering_announcement_card.cancelled", announcement_card(lang, cancelled, ICS_URL, now)
    over = now + timedelta(days=365)
    yield "gathering_announcement_card.over", announcement_card(lang, view, ICS_URL, over)
    yield "gathering_reminder_card.7", reminder_card(lang, view, 7, None, ICS_URL)
    yield "gathering_reminder_card.1", reminder_card(lang, view, 1, "maybe", ICS_URL)
    yield "gathering_reminder_card.today", reminder_card(lang, view, 0, "yes", ICS_URL)
    yield (
        "gathering_reminder_card.answered",
        reminder_card(lang, view, 1, "yes", ICS_URL, answered_now=True),
    )
    for change in ("moved", "changed", "cancelled"):
        shown = cancelled if change == "cancelled" else view
        yield f"gathering_notice_card.{change}", notice_card(lang, shown, change, ICS_URL)
    yield (
        "gathering_form_card.new",
        gathering_form_card(lang, NETWORKS, form_id="f" * 32, teams_meeting_possible=True),
    )
    yield (
        "gathering_form_card.one_network",
        gathering_form_card(lang, NETWORKS[:1], form_id="f" * 32),
    )
    problems = [
        "title_long",
        "date",
        "time",
        "past",
        "duration",
        "where_teams",
        "url",
        "agenda_long",
        "region",
        "network",
    ]
    yield (
        "gathering_form_card.problems",
        gathering_form_card(
            lang,
            NETWORKS,
            form_id="f" * 32,
            values=form_values(longest),
            problems=problems,
            teams_meeting_possible=True,
        ),
    )
    yield (
        "gathering_form_card.edit",
        gathering_form_card(lang, NETWORKS[:1], gathering=view, values=form_values(view)),
    )
    message = text(lang, "gathering.created", network=view.network_name)
    yield "gathering_summary_card", summary_card(lang, view, message, ICS_URL)
    yield "gathering_confirm_cancel_card", confirm_cancel_card(lang, view)
    yield (
        "gathering_done_card",
        done_card(lang, view.title, text(lang, "gathering.cancelled_done")),
    )
    others = [
        (replace(view, id=f"{i:032x}", organiser=Person("tenant", f"aad-{i}")), None)
        for i in range(7)
    ]
    yield (
        "gatherings_list_card",
        gatherings_list_card(
            lang,
            [(view, "yes"), (cancelled, "maybe"), *others],
            ORGANISER,
            lambda gathering_id: ICS_URL,
            can_schedule=True,
        ),
    )
    yield (
        "gatherings_list_card.empty",
        gatherings_list_card(lang, [], ORGANISER, lambda gathering_id: ICS_URL, False),
    )
