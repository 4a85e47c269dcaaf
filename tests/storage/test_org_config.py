"""The configuration file: every organisation shape TryggEst municipalities use can be written
in it, and `org apply` makes the database say what it says — as often as it is run."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from domain.access import Person, Role, TeamKind
from storage.gate import AccessGate
from storage.models import (
    AccessLogEntry,
    Membership,
    Municipality,
    Team,
    TeamMunicipality,
    Tenant,
)
from storage.org_config import ConfigError, apply_config, load_config, parse_config
from storage.organisation import OrganisationRepository
from tests.tools import run_tool, tool_env

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "tryggest.example.toml"
MOSS = "00000000-0000-4000-8000-000000003103"
RADE = "00000000-0000-4000-8000-000000003112"
VALER = "00000000-0000-4000-8000-000000003114"
OSLO = "00000000-0000-4000-8000-000000000301"


async def apply(sessions: Any, toml: str) -> str:
    return (await apply_config(sessions, parse_config(tomllib.loads(toml)))).text()


async def served(sessions: Any) -> dict[tuple[str, str], set[str]]:
    """(team kind, team name) → names of the municipalities it serves."""
    async with sessions() as session:
        rows = await session.execute(
            select(Team.kind, Team.name, Municipality.name)
            .join(TeamMunicipality, TeamMunicipality.team_id == Team.id)
            .join(Municipality, Municipality.id == TeamMunicipality.municipality_id)
        )
        result: dict[tuple[str, str], set[str]] = {}
        for kind, team, municipality in rows.all():
            result.setdefault((kind, team), set()).add(municipality)
        return result


async def teams(sessions: Any) -> dict[str, Team]:
    async with sessions() as session:
        return {f"{t.kind}:{t.name}": t for t in (await session.execute(select(Team))).scalars()}


# --- the example: Moss, Rygge, Råde and Våler; Oslo's districts --------------------------------


async def test_the_example_file_gives_the_inter_municipal_shape_and_the_city_districts(sessions):
    report = (await apply_config(sessions, load_config(EXAMPLE))).text()

    async with sessions() as session:
        tenants = {t.tenant_id: t.name for t in (await session.execute(select(Tenant))).scalars()}
        municipalities = {
            m.name: (m.tenant_id, m.number)
            for m in (await session.execute(select(Municipality))).scalars()
        }
        admins = (
            await session.execute(
                select(Membership.tenant_id).where(
                    Membership.team_id.is_(None), Membership.role == "admin"
                )
            )
        ).scalars()
        admin_tenants = sorted(admins)
    assert tenants == {
        MOSS: "Moss kommune",
        RADE: "Råde kommune",
        VALER: "Våler kommune",
        OSLO: "Oslo kommune",
    }
    assert municipalities["Moss"] == (MOSS, "3103")
    assert municipalities["Rygge"] == (MOSS, None)
    assert municipalities["Råde"] == (RADE, "3112")
    assert municipalities["Oslo, bydel Sagene"] == (OSLO, None)
    assert admin_tenants == sorted([MOSS, RADE, VALER, OSLO])

    links = await served(sessions)
    # An inter-municipal leadership team over an operational team per municipality.
    assert links[("leadership", "Lederteamet for TryggEst i Mosseregionen")] == {
        "Moss",
        "Rygge",
        "Råde",
        "Våler",
    }
    for name in ("Moss", "Rygge", "Råde", "Våler"):
        assert links[("operational", f"TryggEst-teamet i {name}")] == {name}
    # A city with an operational team per district, and one leadership team for the city.
    districts = {"Oslo, bydel Grünerløkka", "Oslo, bydel Sagene", "Oslo, bydel Frogner"}
    assert links[("leadership", "Lederteamet for TryggEst i Oslo")] == districts
    for district in districts:
        team_name = "TryggEst-teamet i bydel " + district.removeprefix("Oslo, bydel ")
        assert links[("operational", team_name)] == {district}

    by_name = await teams(sessions)
    rade = by_name["operational:TryggEst-teamet i Råde"]
    assert (rade.tenant_id, rade.phone) == (RADE, "69 29 00 00")
    assert rade.teams_team_id == "19:tryggest-rade@thread.tacv2"
    assert rade.channel_id == "19:tryggest-rade-saker@thread.tacv2"

    # The crisis centre's coordinator works Moss's and Rygge's cases, not Råde's from Moss.
    gate = AccessGate(sessions)
    coordinator = await gate.principal(Person(MOSS, "c0000000-0000-4000-8000-000000000001"))
    assert {g.role for g in coordinator.grants} == {Role.COORDINATOR}
    assert len(coordinator.grants) == 2

    # Reported as organisation names and counts: no person's name or id.
    assert "operational team added: TryggEst-teamet i Våler" in report
    assert "people of TryggEst-teamet i Moss: 1 added" in report
    assert "krisesenter" not in report and "c0000000" not in report and "IT i" not in report


async def test_applying_the_same_file_again_changes_nothing(sessions):
    config = load_config(EXAMPLE)
    await apply_config(sessions, config)
    async with sessions() as session:
        before = len((await session.execute(select(Membership))).all())

    again = (await apply_config(sessions, config)).text()

    assert again.startswith("Nothing to change")
    async with sessions() as session:
        assert len((await session.execute(select(Membership))).all()) == before
        assert len((await session.execute(select(Team))).all()) == 9


# --- the other shapes ---------------------------------------------------------------------------

TENANT = "11111111-2222-3333-4444-555555555555"
HEAD = f"""
[[tenants]]
id = "{TENANT}"
name = "Testkommune"
"""


def municipality(name: str, number: str | None = None) -> str:
    line = f'number = "{number}"\n' if number else ""
    return f'[[municipalities]]\ntenant = "{TENANT}"\nname = "{name}"\n{line}'


def team(kind: str, name: str, serves: list[str], extra: str = "") -> str:
    quoted = ", ".join(f'"{m}"' for m in serves)
    return (
        f'[[teams]]\ntenant = "{TENANT}"\nkind = "{kind}"\nname = "{name}"\n'
        f"municipalities = [{quoted}]\n{extra}"
    )


async def test_one_leadership_team_and_one_operational_team(sessions):
    await apply(
        sessions,
        HEAD
        + municipality("Hvaler", "3110")
        + team("leadership", "Lederteamet i Hvaler", ["Hvaler"])
        + team("operational", "TryggEst-teamet i Hvaler", ["3110"]),
    )
    assert await served(sessions) == {
        ("leadership", "Lederteamet i Hvaler"): {"Hvaler"},
        ("operational", "TryggEst-teamet i Hvaler"): {"Hvaler"},
    }
    # Reporters in the tenant can choose the municipality.
    choices = await OrganisationRepository(sessions).municipalities_for_tenant(TENANT)
    assert [m.name for m in choices] == ["Hvaler"]


async def test_one_team_doing_both_is_one_teams_team_listed_twice(sessions):
    both = 'teams_team_id = "19:hvaler@thread.tacv2"\nchannel_id = "19:hvaler-saker@thread.tacv2"\n'
    await apply(
        sessions,
        HEAD
        + municipality("Hvaler", "3110")
        + team("operational", "TryggEst i Hvaler", ["Hvaler"], both)
        + team("leadership", "TryggEst i Hvaler", ["Hvaler"], both),
    )
    tied = await OrganisationRepository(sessions).teams_for_teams_team(
        TENANT, "19:hvaler@thread.tacv2"
    )
    assert sorted(t.kind for t in tied) == [TeamKind.LEADERSHIP, TeamKind.OPERATIONAL]
    assert {t.name for t in tied} == {"TryggEst i Hvaler"}


async def test_one_operational_team_serving_several_municipalities(sessions):
    await apply(
        sessions,
        HEAD
        + municipality("Marker", "3122")
        + municipality("Aremark", "3124")
        + municipality("Rakkestad", "3120")
        + team("operational", "TryggEst Indre Østfold sør", ["Marker", "Aremark", "3120"]),
    )
    assert await served(sessions) == {
        ("operational", "TryggEst Indre Østfold sør"): {"Marker", "Aremark", "Rakkestad"},
    }


async def test_a_changed_file_updates_teams_and_what_they_serve_without_deleting(sessions):
    await apply(
        sessions,
        HEAD
        + municipality("Marker", "3122")
        + municipality("Aremark", "3124")
        + team("operational", "TryggEst sør", ["Marker", "Aremark"], 'phone = "1"\n'),
    )
    report = await apply(
        sessions,
        HEAD
        + municipality("Marker", "3122")
        + team("operational", "TryggEst sør", ["Marker"], 'phone = "69 81 00 00"\n'),
    )
    assert "operational team changed: TryggEst sør (phone)" in report
    assert "TryggEst sør no longer serves 1 municipality(ies)" in report
    assert "not in the file, left as they are: municipalities Aremark" in report
    assert await served(sessions) == {("operational", "TryggEst sør"): {"Marker"}}
    assert (await teams(sessions))["operational:TryggEst sør"].phone == "69 81 00 00"


async def test_people_dropped_from_the_file_lose_the_role_but_people_added_in_teams_stay(
    sessions,
):
    coordinator = '[{ object_id = "lars", name = "Lars", role = "coordinator" }]'
    with_lars = (
        HEAD
        + municipality("Moss")
        + team("operational", "T", ["Moss"], f"people = {coordinator}\n")
    )
    await apply(sessions, with_lars)
    async with sessions() as session, session.begin():
        team_id = (await session.execute(select(Team.id))).scalar_one()
        session.add(
            Membership(team_id=team_id, tenant_id=TENANT, aad_object_id="marte", role="member")
        )

    report = await apply(sessions, HEAD + municipality("Moss") + team("operational", "T", ["Moss"]))

    assert "people of T: 1 removed (no longer in the file)" in report
    async with sessions() as session:
        left = (await session.execute(select(Membership.aad_object_id))).scalars().all()
        log = (await session.execute(select(AccessLogEntry))).scalars().all()
    assert left == ["marte"]
    assert [e.detail["removed"] for e in log if e.detail.get("removed")] == [["lars"]]
    assert {e.actor_aad_object_id for e in log} == {"config"}


# --- a file that cannot be used ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (HEAD + "[[teams]]\nname = 'x'\n", "teams[1] (x): tenant is missing"),
        (HEAD + municipality("Moss") + team("operational", "T", ["Mos"]), "'Mos' is not in"),
        (HEAD + municipality("Moss") + team("operational", "T", []), "must serve a municipality"),
        (HEAD + municipality("Moss") + team("squad", "T", ["Moss"]), "kind 'squad' is not one"),
        (HEAD + '[[municipalities]]\ntenant = "nope"\nname = "A"\n', "'nope' is not one of"),
        (HEAD + f'[[municipalities]]\ntenant = "{TENANT}"\nname = "A"\nnumber = 301\n', "quotes"),
        (HEAD + "[[tenant]]\nid = 'x'\n", "unknown section [tenant]"),
        (HEAD + municipality("Moss") + municipality("Moss"), "the same municipality name"),
        (
            HEAD
            + municipality("Moss")
            + team(
                "operational", "T", ["Moss"], "people = [{ object_id = 'a', role = 'leader' }]\n"
            ),
            "a leader belongs in a leadership team",
        ),
        (
            HEAD
            + municipality("Moss")
            + team(
                "operational", "T", ["Moss"], "people = [{ object_id = 'a', role = 'admin' }]\n"
            ),
            "admins go in [[admins]]",
        ),
        (
            HEAD + municipality("Moss") + team("operational", "T", ["Moss"], "fone = '1'\n"),
            "'fone'",
        ),
    ],
    ids=[
        "no-tenant",
        "unknown-municipality",
        "serves-nothing",
        "unknown-kind",
        "unknown-tenant",
        "number-not-text",
        "unknown-section",
        "duplicate",
        "role-in-wrong-kind",
        "admin-in-team",
        "unknown-key",
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_where_and_why(toml, problem):
    with pytest.raises(ConfigError) as refused:
        parse_config(tomllib.loads(toml))
    assert problem in str(refused.value)


# --- tryggest org apply ----------------------------------------------------------------------


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_tool(*args, env=tool_env(f"sqlite:///{cwd / 'cli.db'}", **env), cwd=cwd)


def test_org_apply_applies_the_file_and_says_what_changed_without_naming_people(tmp_path):
    assert run_cli("db", "upgrade", cwd=tmp_path).returncode == 0

    first = run_cli("org", "apply", "--config", str(EXAMPLE), cwd=tmp_path)
    (tmp_path / "tryggest.toml").write_text(EXAMPLE.read_text())
    again = run_cli("org", "apply", cwd=tmp_path)  # the default: ./tryggest.toml

    assert first.returncode == 0, first.stderr
    assert "municipality added: Råde" in first.stdout
    assert "Koordinator" not in first.stdout and "a0000000" not in first.stdout
    assert again.returncode == 0 and again.stdout.startswith("Nothing to change")


def test_org_apply_refuses_a_missing_or_broken_file(tmp_path):
    run_cli("db", "upgrade", cwd=tmp_path)
    missing = run_cli("org", "apply", cwd=tmp_path)
    (tmp_path / "broken.toml").write_text("[[teams]]\nkind = 'operational'\n")
    broken = run_cli("org", "apply", cwd=tmp_path, TRYGGEST_CONFIG=str(tmp_path / "broken.toml"))

    assert missing.returncode == 2 and "No configuration file" in missing.stderr
    assert broken.returncode == 2 and "name is missing" in broken.stderr


# --- local adaptation: the team's own risk checklist, partners and tiltakskort -----------------

ADAPTED = """risk_questions = [
  { code = "fare", text = "Er personen i fare i kveld?" },
  { code = "penger", text = "Har noen tatt over pengene?" },
]
partners = [
  { name = "Overgrepsmottaket i Østfold", phone = "69 86 00 00", about = "hele døgnet" },
  { name = "Politiets voldskoordinator" },
]
tiltakskort = "Ring 112 om noen er i fare. Snakk med lederen din. Meld i TryggEst."
"""


async def test_a_teams_own_checklist_partners_and_tiltakskort_are_loaded(sessions):
    await apply(
        sessions,
        HEAD + municipality("Hvaler", "3110") + team("operational", "TH", ["Hvaler"], ADAPTED),
    )

    adaptation = await OrganisationRepository(sessions).adaptation_of(
        (await teams(sessions))["operational:TH"].id
    )
    assert [q.code for q in adaptation.risk_questions] == ["fare", "penger"]
    assert [c.label("nb") for c in adaptation.checklist().questions.codes] == [
        "Er personen i fare i kveld?",
        "Har noen tatt over pengene?",
    ]
    assert adaptation.partners[0].phone == "69 86 00 00"
    assert adaptation.tiltakskort is not None and adaptation.tiltakskort.startswith("Ring 112")


async def test_a_question_no_longer_asked_stays_readable_for_old_cases(sessions):
    first = HEAD + municipality("Hvaler", "3110") + team("operational", "TH", ["Hvaler"], ADAPTED)
    await apply(sessions, first)
    fewer = ADAPTED.replace('  { code = "penger", text = "Har noen tatt over pengene?" },\n', "")

    report = await apply(sessions, first.replace(ADAPTED, fewer))

    assert "adaptation" in report
    adaptation = await OrganisationRepository(sessions).adaptation_of(
        (await teams(sessions))["operational:TH"].id
    )
    assert [c.code for c in adaptation.checklist().questions.codes] == ["fare"]
    assert adaptation.label_of("penger") == "Har noen tatt over pengene?"


async def test_a_team_without_adaptation_has_bufdirs(sessions):
    await apply(
        sessions, HEAD + municipality("Hvaler", "3110") + team("operational", "TH", ["3110"])
    )

    adaptation = await OrganisationRepository(sessions).adaptation_of(
        (await teams(sessions))["operational:TH"].id
    )
    assert adaptation.checklist().questions.codes[0].code == "ongoing"
    assert (await teams(sessions))["operational:TH"].adaptation is None


def test_what_is_wrong_in_the_adaptation_is_said_where_it_is():
    bad = (
        'risk_questions = [{ code = "a", text = "A?" }, { code = "a", text = "B?" }, '
        '{ code = "c" }]\npartners = "Overgrepsmottaket"\n'
    )
    with pytest.raises(ConfigError) as error:
        parse_config(
            tomllib.loads(HEAD + municipality("Hvaler") + team("operational", "T", ["Hvaler"], bad))
        )

    said = str(error.value)
    assert "risk question code 'a' is used twice" in said
    assert "risk_questions[3]: text is missing" in said
    assert "partners must be a list of tables" in said
