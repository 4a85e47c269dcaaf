"""Experiences in the database, on SQLite and PostgreSQL alike: Norwegian full-text search with
stemming (PostgreSQL's `norwegian` configuration; FTS5 fed with Snowball stems), tag filters,
useful-marks that raise an experience, and a network's content for its members only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.access import Person
from domain.experience import ExperienceDraft, anonymise_draft
from storage.experiences import ExperienceRefused, Experiences
from storage.gate import AccessDenied, AccessGate, Where, allow_tenant
from storage.models import Membership, Team
from tests.support import TENANT

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
WHERE = Where(conversation_id="a:test")
AUTHOR = Person(TENANT, "author")
READER = Person(TENANT, "reader")
OTHER_READER = Person(TENANT, "reader-2")
OUTSIDER = Person(TENANT, "operational-only")

# A small Norwegian set: (key, situation, done, tags).
SET = [
    (
        "fullmakt",
        "Sønnen brukte fullmakten til å ta ut penger fra kontoen til moren, som har demens.",
        "Vi fikk oppnevnt verge og snakket med banken.",
        {"violence": ("financial",), "vulnerability": ("dementia", "old_age")},
    ),
    (
        "nabo",
        "En nabo utnyttet en eldre mann ved å låne penger som aldri ble betalt tilbake.",
        "Samtale med mannen alene, og politiet ga naboen en advarsel.",
        {"violence": ("financial",), "vulnerability": ("old_age",)},
    ),
    (
        "blåmerker",
        "En kvinne med demens hadde blåmerker på armene etter at ektefellen tok hardt i henne.",
        "Krisesenteret og politiet ble koblet inn, og hun fikk avlastning.",
        {"violence": ("physical",), "vulnerability": ("dementia",)},
    ),
    (
        "bilder",
        "En ung mann med utviklingshemming i et bofellesskap sendte bilder til en han møtte på nett.",
        "Vi fikk bildene fjernet og laget en plan for trygg nettbruk sammen med ham.",
        {"violence": ("online",), "vulnerability": ("intellectual_disability",)},
    ),
    (
        "samboer",
        "En kvinne med rusavhengighet ble isolert av samboeren og fikk ikke bruke telefonen.",
        "Rustjenesten fulgte henne opp tett, og hun flyttet til en kommunal bolig.",
        {"violence": ("psychological",), "vulnerability": ("substance_use",)},
    ),
    (
        "omsorgssvikt",
        "Datteren avlyste hjemmetjenesten i to uker, og faren gikk ned mye i vekt.",
        "Tildelingskontoret fattet nytt vedtak, og fastlegen fulgte opp vekten.",
        {"violence": ("neglect",), "vulnerability": ("old_age",)},
    ),
]


async def networks(sessions: Any) -> tuple[str, str]:
    """Two networks: the reader and the author in the first, the other reader in the second;
    the outsider works in an operational team and is in no network."""
    await allow_tenant(sessions, TENANT, "Moss")
    async with sessions() as session, session.begin():
        east = Team(tenant_id=TENANT, kind="network", name="Nettverket Øst")
        south = Team(tenant_id=TENANT, kind="network", name="Nettverket Sør")
        operational = Team(tenant_id=TENANT, kind="operational", name="TryggEst-teamet i Moss")
        session.add_all([east, south, operational])
        await session.flush()
        for team, person, role in (
            (east, AUTHOR, "network"),
            (east, READER, "network"),
            (south, OTHER_READER, "network"),
            (operational, OUTSIDER, "member"),
            (operational, AUTHOR, "coordinator"),
        ):
            session.add(
                Membership(
                    team_id=team.id,
                    tenant_id=person.tenant_id,
                    aad_object_id=person.aad_object_id,
                    role=role,
                )
            )
        return east.id, south.id


async def share(
    repository: Experiences,
    gate: AccessGate,
    network_id: str,
    situation: str,
    done: str,
    tags: dict[str, tuple[str, ...]] | None = None,
    at: datetime = NOW,
) -> str:
    draft = ExperienceDraft(network_id, {"situation": situation, "done": done}, tags or {})
    principal = await gate.principal(AUTHOR)
    experience_id = f"{abs(hash((situation, at))):032x}"[-32:]
    view, created = await repository.share(
        principal, experience_id, anonymise_draft(draft, []), at, WHERE
    )
    assert created
    return view.id


@pytest.fixture
async def the_set(sessions: Any) -> tuple[Experiences, AccessGate, dict[str, str], str, str]:
    east, south = await networks(sessions)
    gate = AccessGate(sessions)
    repository = Experiences(sessions, gate)
    ids = {}
    for n, (key, situation, done, tags) in enumerate(SET):
        ids[key] = await share(
            repository, gate, east, situation, done, tags, NOW - timedelta(days=len(SET) - n)
        )
    return repository, gate, ids, east, south


async def found(
    repository: Experiences, gate: AccessGate, query: str, person: Person = READER, **filters: str
) -> list[str]:
    result = await repository.search(await gate.principal(person), query, filters, WHERE)
    return [v.id for v in result.hits]


@pytest.mark.parametrize("query", ["utnyttelse", "utnyttet", "utnytte"])
async def test_word_forms_of_utnytte_meet(sessions: Any, query: str) -> None:
    east, _ = await networks(sessions)
    gate = AccessGate(sessions)
    repository = Experiences(sessions, gate)
    written = {
        "utnyttelse": await share(repository, gate, east, "Det handlet om utnyttelse.", "Samtale."),
        "utnyttet": await share(repository, gate, east, "Hun ble utnyttet av en venn.", "Samtale."),
        "utnytte": await share(repository, gate, east, "Han prøvde å utnytte henne.", "Samtale."),
    }
    await share(repository, gate, east, "Fysisk vold fra en medbeboer.", "Samtale.")

    assert set(await found(repository, gate, query)) == set(written.values())


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("økonomisk utnyttelse demens", "fullmakt"),
        ("blåmerkene", "blåmerker"),
        ("bildene på nett", "bilder"),
        ("samboer isolerte henne", "samboer"),
        ("vekten hennes", "omsorgssvikt"),
        ("verge bank", "fullmakt"),
    ],
)
async def test_the_best_match_comes_first(the_set: Any, query: str, expected_first: str) -> None:
    repository, gate, ids, _, _ = the_set

    hits = await found(repository, gate, query)

    assert hits and hits[0] == ids[expected_first], query


async def test_financial_abuse_found_by_the_tag_words_as_well(the_set: Any) -> None:
    repository, gate, ids, _, _ = the_set

    hits = await found(repository, gate, "utnyttelse")

    assert set(hits[:2]) == {ids["fullmakt"], ids["nabo"]}


async def test_a_tag_filter_keeps_only_experiences_with_the_tag(the_set: Any) -> None:
    repository, gate, ids, _, _ = the_set

    hits = await found(repository, gate, "", vulnerability="dementia")
    both = await found(repository, gate, "penger", vulnerability="dementia", violence="financial")

    assert set(hits) == {ids["fullmakt"], ids["blåmerker"]}
    assert both == [ids["fullmakt"]]


async def test_without_words_the_newest_come_first(the_set: Any) -> None:
    repository, gate, ids, _, _ = the_set

    hits = await found(repository, gate, "")

    assert hits[0] == ids["omsorgssvikt"]


async def test_a_useful_experience_ranks_above_an_equal_one(sessions: Any) -> None:
    east, _ = await networks(sessions)
    gate = AccessGate(sessions)
    repository = Experiences(sessions, gate)
    older = await share(
        repository,
        gate,
        east,
        "Svindel på telefon mot en eldre.",
        "Samtale.",
        at=NOW - timedelta(days=2),
    )
    newer = await share(
        repository,
        gate,
        east,
        "Svindel på telefon mot en eldre.",
        "Samtale.",
        at=NOW - timedelta(days=1),
    )
    assert await found(repository, gate, "svindel") == [newer, older]

    await repository.mark_useful(await gate.principal(READER), older, NOW, WHERE)

    assert await found(repository, gate, "svindel") == [older, newer]


async def test_a_second_mark_by_the_same_person_counts_once(the_set: Any) -> None:
    repository, gate, ids, _, _ = the_set
    reader = await gate.principal(READER)

    _, first = await repository.mark_useful(reader, ids["nabo"], NOW, WHERE)
    view, second = await repository.mark_useful(reader, ids["nabo"], NOW, WHERE)

    assert (first, second, view.useful_count) == (True, False, 1)


async def test_the_author_cannot_mark_their_own_experience(the_set: Any) -> None:
    repository, gate, ids, _, _ = the_set

    with pytest.raises(ExperienceRefused):
        await repository.mark_useful(await gate.principal(AUTHOR), ids["nabo"], NOW, WHERE)


async def test_someone_in_no_network_finds_nothing(the_set: Any) -> None:
    repository, gate, _, _, _ = the_set

    result = await repository.search(await gate.principal(OUTSIDER), "penger", {}, WHERE)

    assert result.hits == [] and not result.member


async def test_another_networks_member_does_not_see_these(the_set: Any) -> None:
    repository, gate, ids, _, _ = the_set

    assert await found(repository, gate, "penger", OTHER_READER) == []
    with pytest.raises(AccessDenied):
        await repository.open(await gate.principal(OTHER_READER), ids["nabo"], WHERE)


async def test_an_outsider_cannot_mark_an_experience(the_set: Any) -> None:
    repository, gate, ids, _, _ = the_set

    with pytest.raises(AccessDenied):
        await repository.mark_useful(await gate.principal(OUTSIDER), ids["nabo"], NOW, WHERE)


async def test_only_a_network_member_shares_in_it(sessions: Any) -> None:
    east, _ = await networks(sessions)
    gate = AccessGate(sessions)
    draft = ExperienceDraft(east, {"situation": "Noe.", "done": "Noe."})

    with pytest.raises(AccessDenied):
        await Experiences(sessions, gate).share(
            await gate.principal(OUTSIDER), "f" * 32, anonymise_draft(draft, []), NOW, WHERE
        )
