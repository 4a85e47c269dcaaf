"""The monthly access review: early each month every coordinator gets, in their personal chat
with the bot, who read which cases of their team's municipalities in the month before, with
reads of personal details by someone not assigned to the case flagged.

It is the on-demand `tilgangsgjennomgang` over a calendar month (Europe/Oslo): it goes through
the gate as the coordinator, so it is allowed and logged the same way. Only coordinators who have
written to the bot can be reached (Teams lets a bot write only in an existing conversation);
the others are skipped until they do. Each review is claimed and put on the outbox in one
transaction, so several instances queue it once; it is sent from there, and retried or given up
by the outbox's rule like every other message (scheduler/outbox.py). It is read when it is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Action, MunicipalityTarget, Person, Principal, Role, decide
from domain.views import CaseAccessReview
from scheduler.outbox import GiveUp
from scheduler.sender import ProactiveSender
from storage.access_log import AccessLogReader
from storage.gate import AccessGate, Where
from storage.organisation import display_names
from storage.outbox import OutboxItem
from storage.references import ConversationReferences, StoredReference
from storage.review_sends import coordinators_due, queue_review

log = logging.getLogger(__name__)
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class ReviewPeriod:
    """A calendar month in Oslo time, as the UTC instants the access log is stored in."""

    month: date  # its first day
    since: datetime
    until: datetime

    @property
    def label(self) -> str:
        return f"{self.month.year:04d}-{self.month.month:02d}"


def month_of(month: date) -> ReviewPeriod:
    """The calendar month that `month` is the first day of."""
    following = (month + timedelta(days=32)).replace(day=1)
    # Midnight is never skipped or repeated in Oslo (summer time changes at 02.00 and 03.00).
    return ReviewPeriod(
        month=month,
        since=datetime.combine(month, time(), OSLO).astimezone(UTC),
        until=datetime.combine(following, time(), OSLO).astimezone(UTC),
    )


def previous_month(now: datetime) -> ReviewPeriod:
    """The calendar month before the one `now` is in, in Oslo."""
    this_month = now.astimezone(OSLO).date().replace(day=1)
    return month_of((this_month - timedelta(days=1)).replace(day=1))


def _served(principal: Principal) -> list[frozenset[str]]:
    """The municipalities of each team the principal coordinates; a team that serves none (or
    a tenant no longer allowed) is left out here rather than refused and logged every hour."""
    return list(
        dict.fromkeys(
            g.municipality_ids
            for g in principal.grants
            if g.role == Role.COORDINATOR
            and decide(principal, Action.REVIEW_ACCESS, MunicipalityTarget(g.municipality_ids))
        )
    )


@dataclass
class MonthlyReviewRun:
    period: str
    queued: int = 0
    skipped: int = 0  # a coordinator of no team that serves a municipality, or queued by another


# Renders the review card in the coordinator's language (their locale): bot/ supplies it, so
# that scheduler/ stays below cards/ in the layers.
ReviewRenderer = Callable[
    [str | None, list[CaseAccessReview], dict[Person, str], date], dict[str, Any]
]


async def run_monthly_reviews(
    now: datetime,
    sessions: async_sessionmaker[Any],
    gate: AccessGate,
    kick: Callable[[], None] = lambda: None,
) -> MonthlyReviewRun:
    """Queue every review of the month before `now` not yet queued, and wake the outbox's
    delivery (`kick`). Cheap when there is nothing to do: one query."""
    period = previous_month(now)
    run = MonthlyReviewRun(period.label)
    for reference in await coordinators_due(sessions, period.label):
        served = _served(await gate.principal(reference.person))
        if served and await queue_review(sessions, reference.person, period.label, now):
            run.queued += 1
        else:
            run.skipped += 1
    if run.queued:
        log.info("monthly access review %s: %d queued", period.label, run.queued)
        kick()
    return run


class AccessReviewDelivery:
    """The outbox's deliverer of the reviews (kind ACCESS_REVIEW): read through the gate as the
    coordinator when it is sent, and sent to their own chat."""

    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        gate: AccessGate,
        access_log: AccessLogReader,
        references: ConversationReferences,
        sender: ProactiveSender,
        render: ReviewRenderer,
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._access_log = access_log
        self._references = references
        self._sender = sender
        self._render = render

    async def __call__(self, item: OutboxItem) -> None:
        person = Person(item.tenant_id, str(item.data.get("aad_object_id")))
        label = str(item.data.get("period"))
        reference = await self._references.find(person)
        if reference is None:
            raise GiveUp("no chat with the coordinator")
        principal = await self._gate.principal(person)
        served = _served(principal)
        if not served:
            return  # no longer a coordinator: nothing is owed
        period = month_of(date.fromisoformat(f"{label}-01"))
        card = await self._card(reference, principal, served, period)
        await self._sender.send_card(reference, card)

    async def _card(
        self,
        reference: StoredReference,
        principal: Principal,
        served: list[frozenset[str]],
        period: ReviewPeriod,
    ) -> dict[str, Any]:
        where = Where(conversation_id=reference.conversation_id)
        reviews: list[CaseAccessReview] = []
        for municipalities in served:
            reviews += await self._access_log.access_review(
                principal, municipalities, period.since, period.until, where
            )
        names = await display_names(
            self._sessions, {r.who for review in reviews for r in review.reads}
        )
        return self._render(reference.locale, reviews, names, period.month)

    async def tell_failed(self, item: OutboxItem, why: str) -> None:
        # The coordinator is the one it could not reach: the failed row stays listed by
        # `tryggest outbox`, and `tryggest outbox retry` sends it when their chat works again.
        log.error(
            "monthly access review %s not delivered to a coordinator: %s",
            item.data.get("period"),
            why,
        )
