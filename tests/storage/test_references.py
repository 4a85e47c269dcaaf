"""Where to reach a person unasked: stored when they write, and written only when it changed,
also by another instance that has not seen it yet. The monthly review's claim: once per person
and month, and given back when the send fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from domain.access import Person
from storage.models import ConversationReferenceRow
from storage.outbox import Outbox
from storage.references import ConversationReferences, StoredReference
from storage.review_sends import ACCESS_REVIEW, queue_review
from tests.support import TENANT

REFERENCE = StoredReference(
    tenant_id=TENANT,
    aad_object_id="coordinator",
    service_url="https://smba.trafficmanager.net/emea/",
    channel_id="msteams",
    conversation_id="a:1personal",
    bot_id="28:bot",
    locale="nb-NO",
)
NOW = datetime(2026, 12, 1, 5, tzinfo=UTC)


async def updated_at(sessions) -> datetime:
    async with sessions() as session:
        return (await session.execute(select(ConversationReferenceRow.updated_at))).scalar_one()


async def test_a_new_reference_is_written_and_the_same_one_again_is_not(sessions):
    references = ConversationReferences(sessions)
    assert await references.remember(REFERENCE) is True
    first = await updated_at(sessions)

    assert await references.remember(REFERENCE) is False
    assert await updated_at(sessions) == first
    assert await references.find(REFERENCE.person) == REFERENCE


async def test_another_instance_does_not_write_what_is_stored_already(sessions):
    await ConversationReferences(sessions).remember(REFERENCE)
    first = await updated_at(sessions)

    assert await ConversationReferences(sessions).remember(REFERENCE) is False
    assert await updated_at(sessions) == first


async def test_a_changed_reference_replaces_the_stored_one(sessions):
    references = ConversationReferences(sessions)
    await references.remember(REFERENCE)
    moved = replace(REFERENCE, service_url="https://smba.trafficmanager.net/amer/")

    assert await references.remember(moved) is True

    assert await references.find(REFERENCE.person) == moved


async def test_a_stale_cache_entry_is_checked_against_the_database(sessions):
    # Another instance stored a new reference; after the cache time this one sees it.
    references = ConversationReferences(sessions, cache_seconds=0)
    await references.remember(REFERENCE)
    moved = replace(REFERENCE, conversation_id="a:2personal")
    await ConversationReferences(sessions).remember(moved)

    assert await references.remember(REFERENCE) is True
    assert await references.find(REFERENCE.person) == REFERENCE


async def test_a_locale_appearing_or_going_is_a_change_and_none_twice_is_not(sessions):
    # Teams may send no locale: a missing one is compared as a value, not as SQL's unknown.
    without = replace(REFERENCE, locale=None)
    await ConversationReferences(sessions).remember(without)
    first = await updated_at(sessions)

    assert await ConversationReferences(sessions).remember(without) is False
    assert await updated_at(sessions) == first
    assert await ConversationReferences(sessions).remember(REFERENCE) is True
    assert await references_found(sessions) == REFERENCE
    assert await ConversationReferences(sessions).remember(without) is True
    assert await references_found(sessions) == without


async def test_references_of_two_people_are_kept_apart(sessions):
    other = replace(REFERENCE, aad_object_id="member", conversation_id="a:3personal")
    references = ConversationReferences(sessions)

    assert await references.remember(REFERENCE) is True
    assert await references.remember(other) is True

    assert await references.find(REFERENCE.person) == REFERENCE
    assert await references.find(other.person) == other


async def references_found(sessions) -> StoredReference | None:
    return await ConversationReferences(sessions).find(REFERENCE.person)


async def test_a_review_is_queued_once_per_person_and_month(sessions):
    person = Person(TENANT, "coordinator")
    assert await queue_review(sessions, person, "2026-11", NOW) is True
    assert await queue_review(sessions, person, "2026-11", NOW) is False
    assert await queue_review(sessions, person, "2026-12", NOW) is True
    assert await queue_review(sessions, Person(TENANT, "another"), "2026-11", NOW) is True

    queued = await Outbox(sessions).entries(("pending",))
    assert [e.kind for e in queued] == [ACCESS_REVIEW] * 3
