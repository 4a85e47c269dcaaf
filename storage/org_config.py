"""The configuration file (TOML): which tenants may use the bot, their first admins, and the
organisation — municipalities, teams, and which municipalities each team serves.

`tryggest org apply` makes the database say what the file says, as often as it is run: it
creates and updates, never deletes a team, a municipality or a case. What it changes is reported
without personal data (counts of people, never their names or ids). The format is shown in
docs/tryggest.example.toml.

Identity in the file: a tenant by its id; a municipality by (tenant, name); a team by (tenant,
kind, name) — renaming one in the file makes a new one and leaves the old one as it was. A team
names the municipalities it serves by name or kommunenummer. The people the file lists (admins,
and a team's `people`) are the file's own: one dropped from the file loses that role; people
added in Teams (by command or from the roster) are never touched.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import ROLE_TEAM_KIND, Action, Decision, Person, Role, TeamKind, TeamTarget
from domain.adaptation import Partner, RiskQuestion, TeamAdaptation
from domain.clock import utcnow
from storage.gate import AccessGate, Where
from storage.models import Membership, Municipality, Team, TeamMunicipality, Tenant
from storage.organisation import FROM_CONFIG

# The actor of the file's changes in the access log.
CONFIG_AAD_OBJECT_ID = "config"


class ConfigError(ValueError):
    """The file cannot be used; the message says every place that is wrong."""


@dataclass(frozen=True)
class TenantConfig:
    id: str
    name: str


@dataclass(frozen=True)
class PersonConfig:
    tenant: str
    object_id: str
    name: str | None
    role: Role


@dataclass(frozen=True)
class MunicipalityConfig:
    tenant: str
    name: str
    number: str | None


@dataclass(frozen=True)
class TeamConfig:
    tenant: str
    kind: TeamKind
    name: str
    phone: str | None = None
    teams_team_id: str | None = None
    channel_id: str | None = None
    # (tenant, name) of each municipality served, resolved from the names and numbers written.
    municipalities: tuple[tuple[str, str], ...] = ()
    people: tuple[PersonConfig, ...] = ()
    adaptation: TeamAdaptation = field(default_factory=TeamAdaptation)


@dataclass(frozen=True)
class OrgConfig:
    tenants: tuple[TenantConfig, ...] = ()
    admins: tuple[PersonConfig, ...] = ()
    municipalities: tuple[MunicipalityConfig, ...] = ()
    teams: tuple[TeamConfig, ...] = ()


# --- reading the file ---------------------------------------------------------------------------

_TOP = {"tenants", "admins", "municipalities", "teams"}
_TENANT_KEYS = {"id", "name"}
_ADMIN_KEYS = {"tenant", "object_id", "name"}
_MUNICIPALITY_KEYS = {"tenant", "name", "number"}
_TEAM_KEYS = {
    "tenant",
    "kind",
    "name",
    "phone",
    "teams_team_id",
    "channel_id",
    "municipalities",
    "people",
    "risk_questions",
    "partners",
    "tiltakskort",
}
_RISK_KEYS = {"code", "text"}
_PARTNER_KEYS = {"name", "phone", "about"}
_PERSON_KEYS = {"object_id", "name", "role"}


def load_config(path: Path) -> OrgConfig:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    try:
        return parse_config(data)
    except ConfigError as error:
        raise ConfigError(f"{path}:\n{error}") from None


def parse_config(data: dict[str, Any]) -> OrgConfig:
    return _Reader(data).read()


class _Reader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def read(self) -> OrgConfig:
        for key in sorted(set(self.data) - _TOP):
            self.problems.append(f"unknown section [{key}] (known: {', '.join(sorted(_TOP))})")
        tenants = [self._tenant(i, t) for i, t in self._tables("tenants")]
        tenant_ids = {t.id for t in tenants if t is not None}
        self._duplicates("tenants", [t.id for t in tenants if t is not None], "tenant id")
        admins = [self._admin(i, a, tenant_ids) for i, a in self._tables("admins")]
        municipalities = [
            self._municipality(i, m, tenant_ids) for i, m in self._tables("municipalities")
        ]
        known = [m for m in municipalities if m is not None]
        self._duplicates(
            "municipalities", [(m.tenant, m.name) for m in known], "municipality name in a tenant"
        )
        teams = [self._team(i, t, tenant_ids, known) for i, t in self._tables("teams")]
        found = [t for t in teams if t is not None]
        self._duplicates("teams", [(t.tenant, t.kind, t.name) for t in found], "team kind and name")
        self._channels_are_unambiguous(found)
        if self.problems:
            raise ConfigError("\n".join(f"- {p}" for p in self.problems))
        return OrgConfig(
            tenants=tuple(t for t in tenants if t is not None),
            admins=tuple(a for a in admins if a is not None),
            municipalities=tuple(known),
            teams=tuple(found),
        )

    def _tables(self, section: str) -> list[tuple[str, dict[str, Any]]]:
        value = self.data.get(section, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append(f"{section}: write it as [[{section}]] tables")
            return []
        return [(f"{section}[{i + 1}]", v) for i, v in enumerate(value)]

    def _keys(self, where: str, table: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(table) - allowed):
            self.problems.append(
                f"{where}: unknown key {key!r} (known: {', '.join(sorted(allowed))})"
            )

    def _text(
        self, where: str, table: dict[str, Any], key: str, required: bool = True
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problems.append(f"{where}: {key} is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            hint = ' (write numbers in quotes: "0301")' if isinstance(value, int) else ""
            self.problems.append(f"{where}: {key} must be a non-empty text{hint}")
            return None
        return value.strip()

    def _tenant_ref(self, where: str, table: dict[str, Any], tenant_ids: set[str]) -> str | None:
        tenant = self._text(where, table, "tenant")
        if tenant is not None and tenant not in tenant_ids:
            self.problems.append(f"{where}: tenant {tenant!r} is not one of [[tenants]]")
            return None
        return tenant

    def _tenant(self, where: str, table: dict[str, Any]) -> TenantConfig | None:
        self._keys(where, table, _TENANT_KEYS)
        tenant_id, name = self._text(where, table, "id"), self._text(where, table, "name")
        return TenantConfig(tenant_id, name) if tenant_id and name else None

    def _admin(
        self, where: str, table: dict[str, Any], tenant_ids: set[str]
    ) -> PersonConfig | None:
        self._keys(where, table, _ADMIN_KEYS)
        tenant = self._tenant_ref(where, table, tenant_ids)
        object_id = self._text(where, table, "object_id")
        name = self._text(where, table, "name", required=False)
        if tenant and object_id:
            return PersonConfig(tenant, object_id, name, Role.ADMIN)
        return None

    def _municipality(
        self, where: str, table: dict[str, Any], tenant_ids: set[str]
    ) -> MunicipalityConfig | None:
        self._keys(where, table, _MUNICIPALITY_KEYS)
        tenant = self._tenant_ref(where, table, tenant_ids)
        name = self._text(where, table, "name")
        number = self._text(where, table, "number", required=False)
        if number is not None and not (number.isdigit() and len(number) == 4):
            self.problems.append(f"{where}: number {number!r} is not a kommunenummer (4 digits)")
        if tenant and name:
            return MunicipalityConfig(tenant, name, number)
        return None

    def _team(
        self,
        where: str,
        table: dict[str, Any],
        tenant_ids: set[str],
        municipalities: list[MunicipalityConfig],
    ) -> TeamConfig | None:
        name = self._text(where, table, "name")
        if name:
            where = f"{where} ({name})"
        self._keys(where, table, _TEAM_KEYS)
        tenant = self._tenant_ref(where, table, tenant_ids)
        kind_text = self._text(where, table, "kind")
        kind = None
        if kind_text is not None:
            try:
                kind = TeamKind(kind_text)
            except ValueError:
                kinds = ", ".join(k.value for k in TeamKind)
                self.problems.append(f"{where}: kind {kind_text!r} is not one of {kinds}")
        served = self._served(where, table.get("municipalities", []), municipalities)
        if kind == TeamKind.OPERATIONAL and not table.get("municipalities"):
            self.problems.append(f"{where}: an operational team must serve a municipality")
        people = self._people(where, table.get("people", []), tenant, kind)
        if not (tenant and name and kind):
            return None
        return TeamConfig(
            tenant=tenant,
            kind=kind,
            name=name,
            phone=self._text(where, table, "phone", required=False),
            teams_team_id=self._text(where, table, "teams_team_id", required=False),
            channel_id=self._text(where, table, "channel_id", required=False),
            municipalities=served,
            people=people,
            adaptation=self._adaptation(where, table),
        )

    def _adaptation(self, where: str, table: dict[str, Any]) -> TeamAdaptation:
        questions = []
        for i, item in enumerate(self._items(where, table, "risk_questions")):
            at = f"{where}: risk_questions[{i + 1}]"
            self._keys(at, item, _RISK_KEYS)
            code, words = self._text(at, item, "code"), self._text(at, item, "text")
            if code and words:
                questions.append(RiskQuestion(code, words))
        codes = [q.code for q in questions]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            self.problems.append(f"{where}: risk question code {code!r} is used twice")
        partners = []
        for i, item in enumerate(self._items(where, table, "partners")):
            at = f"{where}: partners[{i + 1}]"
            self._keys(at, item, _PARTNER_KEYS)
            name = self._text(at, item, "name")
            if name:
                partners.append(
                    Partner(
                        name,
                        self._text(at, item, "phone", required=False),
                        self._text(at, item, "about", required=False),
                    )
                )
        return TeamAdaptation(
            tuple(questions),
            (),
            tuple(partners),
            self._text(where, table, "tiltakskort", required=False),
        )

    def _items(self, where: str, table: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append(f'{where}: {key} must be a list of tables: [{{ name = "…" }}]')
            return []
        return value

    def _served(
        self, where: str, value: Any, municipalities: list[MunicipalityConfig]
    ) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.append(f'{where}: municipalities must be a list: ["Moss", "3112"]')
            return ()
        served = []
        for ref in value:
            matches = [m for m in municipalities if m.number == ref] or [
                m for m in municipalities if m.name == ref
            ]
            if not matches:
                self.problems.append(f"{where}: municipality {ref!r} is not in [[municipalities]]")
            elif len(matches) > 1:
                self.problems.append(
                    f"{where}: {ref!r} names more than one municipality: use the kommunenummer"
                )
            else:
                served.append((matches[0].tenant, matches[0].name))
        return tuple(dict.fromkeys(served))

    def _people(
        self, where: str, value: Any, tenant: str | None, kind: TeamKind | None
    ) -> tuple[PersonConfig, ...]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append(
                f'{where}: people must be a list: [{{ object_id = "…", role = "coordinator" }}]'
            )
            return ()
        people = []
        for i, person in enumerate(value):
            at = f"{where} people[{i + 1}]"
            self._keys(at, person, _PERSON_KEYS)
            object_id = self._text(at, person, "object_id")
            role_text = self._text(at, person, "role")
            role = None
            if role_text is not None:
                try:
                    role = Role(role_text)
                except ValueError:
                    role = None
                if role is None or role == Role.ADMIN:
                    self.problems.append(
                        f"{at}: role {role_text!r} is not a team role "
                        "(coordinator, member, leader, network; admins go in [[admins]])"
                    )
                    role = None
                elif kind is not None and ROLE_TEAM_KIND[role] != kind:
                    self.problems.append(
                        f"{at}: a {role.value} belongs in a {ROLE_TEAM_KIND[role]} team, not a {kind.value} one"
                    )
                    role = None
            if tenant and object_id and role:
                people.append(
                    PersonConfig(tenant, object_id, self._text(at, person, "name", False), role)
                )
        return tuple(people)

    def _duplicates(self, section: str, keys: list[Any], what: str) -> None:
        seen: set[Any] = set()
        for key in keys:
            if key in seen:
                self.problems.append(f"{section}: the same {what} twice: {key!r}")
            seen.add(key)

    def _channels_are_unambiguous(self, teams: list[TeamConfig]) -> None:
        # One Teams team may hold an operational and a leadership team (one team doing both),
        # or several teams of a kind in different channels; a message must find its one team.
        seen: set[tuple[str, TeamKind, str, str | None]] = set()
        for team in teams:
            if team.teams_team_id is None:
                continue
            key = (team.tenant, team.kind, team.teams_team_id, team.channel_id)
            if key in seen:
                self.problems.append(
                    f"teams ({team.name}): another {team.kind.value} team uses the same Teams "
                    "team and channel; give each its own channel_id"
                )
            seen.add(key)


# --- applying it -------------------------------------------------------------------------------


@dataclass
class ApplyReport:
    """What changed, for the person running it: organisation names and counts, no people."""

    lines: list[str] = field(default_factory=list)
    changes: int = 0

    def change(self, line: str) -> None:
        self.lines.append(line)
        self.changes += 1

    def note(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        if not self.changes:
            return "\n".join(
                ["Nothing to change: the database already says what the file says.", *self.lines]
            )
        return "\n".join(self.lines)


async def apply_config(sessions: async_sessionmaker[Any], config: OrgConfig) -> ApplyReport:
    """Create and update what the file says, in one transaction; never delete a team, a
    municipality or a case. Changes to people are written to the access log."""
    report = ApplyReport()
    people_changes: list[tuple[TeamTarget, str, list[str], list[str]]] = []
    async with sessions() as session, session.begin():
        await _apply_tenants(session, config, report)
        municipality_ids = await _apply_municipalities(session, config, report)
        team_ids = await _apply_teams(session, config, municipality_ids, report)
        by_tenant: dict[str, list[PersonConfig]] = defaultdict(list)
        for admin in config.admins:
            by_tenant[admin.tenant].append(admin)
        for tenant in config.tenants:
            added, removed = await _apply_people(session, None, tenant.id, by_tenant[tenant.id])
            _report_people(report, f"admins of {tenant.name}", added, removed)
            if added or removed:
                people_changes.append(
                    (TeamTarget(None, tenant.id, None), tenant.id, added, removed)
                )
        for team in config.teams:
            team_id = team_ids[(team.tenant, team.kind, team.name)]
            added, removed = await _apply_people(session, team_id, team.tenant, list(team.people))
            _report_people(report, f"people of {team.name}", added, removed)
            if added or removed:
                people_changes.append(
                    (TeamTarget(team_id, team.tenant, team.kind), team.tenant, added, removed)
                )
        await _note_not_in_file(session, config, report)
    gate = AccessGate(sessions)
    for target, tenant_id, added, removed in people_changes:
        await gate.record(
            Person(tenant_id, CONFIG_AAD_OBJECT_ID),
            Action.MANAGE_MEMBERS,
            target,
            Decision(True, "configuration file"),
            Where(),
            {"system": "config", "team_id": target.team_id, "added": added, "removed": removed},
        )
    return report


async def _apply_tenants(session: AsyncSession, config: OrgConfig, report: ApplyReport) -> None:
    for tenant in config.tenants:
        row = await session.get(Tenant, tenant.id)
        if row is None:
            session.add(Tenant(tenant_id=tenant.id, name=tenant.name, created_at=utcnow()))
            report.change(f"tenant allowed: {tenant.name}")
        elif row.name != tenant.name:
            row.name = tenant.name
            report.change(f"tenant renamed: {tenant.name}")


async def _apply_municipalities(
    session: AsyncSession, config: OrgConfig, report: ApplyReport
) -> dict[tuple[str, str], str]:
    ids: dict[tuple[str, str], str] = {}
    for m in config.municipalities:
        row = (
            await session.execute(
                select(Municipality)
                .where(Municipality.tenant_id == m.tenant, Municipality.name == m.name)
                .order_by(Municipality.created_at)
                .limit(1)
            )
        ).scalar_one_or_none()
        if row is None:
            row = Municipality(tenant_id=m.tenant, name=m.name, number=m.number)
            session.add(row)
            await session.flush()
            report.change(f"municipality added: {m.name}")
        elif row.number != m.number:
            row.number = m.number
            report.change(f"municipality changed: {m.name} (kommunenummer)")
        ids[(m.tenant, m.name)] = row.id
    return ids


async def _apply_teams(
    session: AsyncSession,
    config: OrgConfig,
    municipality_ids: dict[tuple[str, str], str],
    report: ApplyReport,
) -> dict[tuple[str, TeamKind, str], str]:
    ids: dict[tuple[str, TeamKind, str], str] = {}
    for t in config.teams:
        row = (
            await session.execute(
                select(Team)
                .where(Team.tenant_id == t.tenant, Team.kind == t.kind.value, Team.name == t.name)
                .order_by(Team.created_at)
                .limit(1)
            )
        ).scalar_one_or_none()
        settings: dict[str, Any] = {
            "phone": t.phone,
            "teams_team_id": t.teams_team_id,
            "channel_id": t.channel_id,
        }
        before = TeamAdaptation.from_json(row.adaptation if row is not None else None)
        adaptation = before.replaced_by(t.adaptation)
        # A team with Bufdir's lists stores nothing: the default changes with the bot.
        settings["adaptation"] = adaptation.to_json() if adaptation != TeamAdaptation() else None
        if row is None:
            row = Team(tenant_id=t.tenant, kind=t.kind.value, name=t.name, **settings)
            session.add(row)
            await session.flush()
            report.change(f"{t.kind.value} team added: {t.name}")
        else:
            changed = [k for k, v in settings.items() if getattr(row, k) != v]
            for key in changed:
                setattr(row, key, settings[key])
            if changed:
                report.change(f"{t.kind.value} team changed: {t.name} ({', '.join(changed)})")
        ids[(t.tenant, t.kind, t.name)] = row.id
        await _apply_links(session, row.id, t, municipality_ids, report)
    return ids


async def _apply_links(
    session: AsyncSession,
    team_id: str,
    team: TeamConfig,
    municipality_ids: dict[tuple[str, str], str],
    report: ApplyReport,
) -> None:
    wanted = {municipality_ids[key]: key[1] for key in team.municipalities}
    existing = set(
        (
            await session.execute(
                select(TeamMunicipality.municipality_id).where(TeamMunicipality.team_id == team_id)
            )
        ).scalars()
    )
    for municipality_id, name in wanted.items():
        if municipality_id not in existing:
            session.add(TeamMunicipality(team_id=team_id, municipality_id=municipality_id))
            report.change(f"{team.name} now serves {name}")
    gone = existing - set(wanted)
    if gone:
        # Serving a municipality is what opens its cases to the team: the file decides.
        await session.execute(
            delete(TeamMunicipality).where(
                TeamMunicipality.team_id == team_id, TeamMunicipality.municipality_id.in_(gone)
            )
        )
        report.change(f"{team.name} no longer serves {len(gone)} municipality(ies)")


async def _apply_people(
    session: AsyncSession, team_id: str | None, tenant_id: str, people: list[PersonConfig]
) -> tuple[list[str], list[str]]:
    """The file's own people of one team (or the tenant's admins, team_id None). Returns the
    Entra object ids added and removed, for the access log."""
    team_condition = (
        Membership.team_id.is_(None) if team_id is None else Membership.team_id == team_id
    )
    rows = (
        (
            await session.execute(
                select(Membership).where(team_condition, Membership.tenant_id == tenant_id)
            )
        )
        .scalars()
        .all()
    )
    if team_id is None:
        rows = [m for m in rows if m.role == Role.ADMIN.value]
    wanted = {(p.object_id, p.role.value): p for p in people}
    added = []
    for (object_id, role), person in wanted.items():
        row = next((m for m in rows if (m.aad_object_id, m.role) == (object_id, role)), None)
        if row is None:
            session.add(
                Membership(
                    team_id=team_id,
                    tenant_id=tenant_id,
                    aad_object_id=object_id,
                    role=role,
                    display_name=person.name,
                    source=FROM_CONFIG,
                )
            )
            added.append(object_id)
        else:
            # Listed in the file now: the file owns the role from here on.
            row.source = FROM_CONFIG
            if person.name and row.display_name != person.name:
                row.display_name = person.name
    removed = []
    for row in rows:
        if row.source == FROM_CONFIG and (row.aad_object_id, row.role) not in wanted:
            await session.delete(row)
            removed.append(row.aad_object_id)
    return added, removed


def _report_people(report: ApplyReport, whose: str, added: list[str], removed: list[str]) -> None:
    if added:
        report.change(f"{whose}: {len(added)} added")
    if removed:
        report.change(f"{whose}: {len(removed)} removed (no longer in the file)")


async def _note_not_in_file(session: AsyncSession, config: OrgConfig, report: ApplyReport) -> None:
    """What the database has and the file does not: left as it is, but said."""
    tenants = {t.id for t in config.tenants}
    teams = {(t.tenant, t.kind.value, t.name) for t in config.teams}
    municipalities = {(m.tenant, m.name) for m in config.municipalities}
    extra_tenants = [
        t.name
        for t in (await session.execute(select(Tenant))).scalars()
        if t.tenant_id not in tenants
    ]
    extra_teams = _names(
        t.name
        for t in (await session.execute(select(Team))).scalars()
        if (t.tenant_id, t.kind, t.name) not in teams
    )
    extra_municipalities = _names(
        m.name
        for m in (await session.execute(select(Municipality))).scalars()
        if (m.tenant_id, m.name) not in municipalities
    )
    if extra_tenants:
        report.note(
            f"not in the file, still allowed: {len(extra_tenants)} tenant(s): {_names(extra_tenants)}"
        )
    if extra_teams:
        report.note(f"not in the file, left as they are: teams {extra_teams}")
    if extra_municipalities:
        report.note(f"not in the file, left as they are: municipalities {extra_municipalities}")


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))
