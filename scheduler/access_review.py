"""The monthly access review: early each month every coordinator gets, in their personal chat
with the bot, who read which cases of their team's municipalities in the month before, with
reads of personal details by someone not assigned to the case flagged.

It is the on-demand `tilgangsgjennomgang` over a calendar month (Europe/Oslo): it goes through
the gate as the coordinator, so it is allowed and logged the same way. Only coordinators who have
written to the bot can be reached (Teams lets a bot write only in an existing conversation);
the others are skipped until they do. Each review is claimed before it is sent, so several
instances send it once; a failed send gives the claim back and the next run tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Action, MunicipalityTarget, Person, Role, decide
from domain.views import CaseAccessReview
from scheduler.sender import ProactiveSender, SendRefused
from storage.access_log import AccessLogReader
from storage.gate import AccessGate, Where
from storage.organisation import display_names
from storage.references import StoredReference
from storage.review_sends import claim_review, coordinators_due, release_review

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


def previous_month(now: datetime) -> ReviewPeriod:
    """The calendar month before the one `now` is in, in Oslo."""
    this_month = now.astimezone(OSLO).date().replace(day=1)
    month = (this_month - timedelta(days=1)).replace(day=1)
    # Midnight is never skipped or repeated in Oslo (summer time changes at 02.00 and 03.00).
    return ReviewPeriod(
        month=month,
        since=datetime.combine(month, time(), OSLO).astimezone(UTC),
        until=datetime.combine(this_month, time(), OSLO).astimezone(UTC),
    )


@dataclass
class MonthlyReviewRun:
    period: str
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # a coordinator of no team that serves a municipality, or sent by another


# Renders the review card in the coordinator's language (their locale): bot/ supplies it, so
# that scheduler/ stays below cards/ in the layers.
ReviewRenderer = Callable[
    [str | None, list[CaseAccessReview], dict[Person, str], date], dict[str, Any]
]


async def run_monthly_reviews(
    now: datetime,
    sessions: async_sessionmaker[Any],
    gate: AccessGate,
    access_log: AccessLogReader,
    sender: ProactiveSender,
    render: ReviewRenderer,
) -> MonthlyReviewRun:
    """Send every review of the month before `now` not yet sent. Cheap when there is nothing
    to do: one query."""
    period = previous_month(now)
    run = MonthlyReviewRun(period.label)
    for reference in await coordinators_due(sessions, period.label):
        try:
            if await _review_one(
                reference, period, now, sessions, gate, access_log, sender, render
            ):
                run.sent += 1
            else:
                run.skipped += 1
        except SendRefused as refused:
            run.failed += 1
            log.warning(
                "monthly access review %s not delivered to conversation %s: %s %s",
                period.label,
                reference.conversation_id,
                refused.status,
                refused.code or "",
            )
        except Exception as error:  # one coordinator's failure does not stop the others
            run.failed += 1
            log.warning(
                "monthly access review %s failed for conversation %s: %s",
                period.label,
                reference.conversation_id,
                type(error).__name__,
            )
    if run.sent or run.failed:
        log.info(
            "monthly access review %s: %d sent, %d failed (tried again next run)",
            period.label,
            run.sent,
            run.failed,
        )
    return run


async def _review_one(
    reference: StoredReference,
    period: ReviewPeriod,
    now: datetime,
    sessions: async_sessionmaker[Any],
    gate: AccessGate,
    access_log: AccessLogReader,
    sender: ProactiveSender,
    render: ReviewRenderer,
) -> bool:
    principal = await gate.principal(reference.person)
    # The municipalities of each team they coordinate; a team that serves none (or a tenant no
    # longer allowed) is left out here rather than refused and logged every hour.
    served = list(
        dict.fromkeys(
            g.municipality_ids
            for g in principal.grants
            if g.role == Role.COORDINATOR
            and decide(principal, Action.REVIEW_ACCESS, MunicipalityTarget(g.municipality_ids))
        )
    )
    if not served:
        return False
    if not await claim_review(sessions, reference.person, period.label, now):
        return False
    try:
        where = Where(conversation_id=reference.conversation_id)
        reviews: list[CaseAccessReview] = []
        for municipalities in served:
            reviews += await access_log.access_review(
                principal, municipalities, period.since, period.until, where
            )
        names = await display_names(sessions, {r.who for review in reviews for r in review.reads})
        await sender.send_card(reference, render(reference.locale, reviews, names, period.month))
    except BaseException:  # cancelled at shutdown too: the next run (or instance) sends it
        try:
            await release_review(sessions, reference.person, period.label)
        except Exception as error:
            log.error(
                "monthly access review %s: claim for conversation %s not released (%s); "
                "it will not be sent",
                period.label,
                reference.conversation_id,
                type(error).__name__,
            )
        raise
    return True
