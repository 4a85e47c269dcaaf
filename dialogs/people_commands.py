"""Who is who, managed from Teams: "legg til @navn som medlem", "fjern @navn", "roller" and
"synk medlemmer".

In a team channel the commands act on the TryggEst teams tied to that Teams team
(channelData.team.id = Team.teams_team_id); in personal chat on the team the person coordinates.
Every change and listing goes through the access gate; a refusal is said in plain words.

A mention carries the person's per-bot '29:' id, never their Entra object id, so each mentioned
person is looked up in the Teams team through a Roster that bot/ implements.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cards.markup import typed
from cards.texts import Language, text
from dialogs.intents import principal_or_tell, strip_mentions
from dialogs.turn import Turn
from domain.access import ROLE_TEAM_KIND, Action, Principal, Role, TeamKind, decide
from domain.choices import normalise
from storage.gate import AccessDenied, AccessGate, Where
from storage.organisation import OrganisationRepository, TeamRef, WrongTeamKind

log = logging.getLogger(__name__)

# A mentioned person in the text while it is parsed (normalise() keeps letters only).
_PERSON = "qqpersonqq"
_ADD = re.compile(r"^(?:legg til|add)\b(?P<rest>.*)$")
_REMOVE = re.compile(r"^(?:fjern|remove)\b(?P<rest>.*)$")
_AS_ROLE = re.compile(r"\b(?:som|as)\s+(?P<role>.+)$")
_ROLES = {"roller", "vis roller", "hvem er med", "kven er med", "roles", "who is who"}
_SYNC = re.compile(r"^(?:synk|synkroniser|sync)\s+(?:medlemmer|medlemmar|members)$")
_SEPARATORS = {"og", "and"}
ROLE_WORDS: dict[str, Role] = {
    "medlem": Role.MEMBER,
    "member": Role.MEMBER,
    "koordinator": Role.COORDINATOR,
    "coordinator": Role.COORDINATOR,
    "leder": Role.LEADER,
    "leiar": Role.LEADER,
    "leader": Role.LEADER,
    "nettverksmedlem": Role.NETWORK,
    "nettverk": Role.NETWORK,
    "network": Role.NETWORK,
    "network member": Role.NETWORK,
    "admin": Role.ADMIN,
    "administrator": Role.ADMIN,
}


@dataclass(frozen=True)
class Mentioned:
    teams_id: str  # the per-bot '29:' id
    name: str


@dataclass(frozen=True)
class PeopleCommand:
    verb: str  # add | remove | roles | sync
    mentioned: tuple[Mentioned, ...] = ()
    role: Role | None = None
    role_word: str | None = None  # what was written after "som", when it is no role we know

    @property
    def clear(self) -> bool:
        """Unmistakably one of these commands, even in the middle of a report."""
        return self.verb == "sync" or (self.verb in ("add", "remove") and bool(self.mentioned))


def people_command_of(turn: Turn) -> PeopleCommand | None:
    """The people command in a typed message, or None when it is none of them."""
    if turn.text is None or turn.value is not None:
        return None
    typed = turn.text
    mentioned: dict[str, Mentioned] = {}
    for mention in turn.mentions:
        if mention.id == turn.bot_id:
            continue
        mentioned.setdefault(mention.id, Mentioned(mention.id, mention.name))
        if mention.text is not None:
            typed = typed.replace(mention.text, f" {_PERSON} ")
    words = normalise(strip_mentions(typed))
    if words in _ROLES:
        return PeopleCommand("roles")
    if _SYNC.match(words):
        return PeopleCommand("sync")
    for verb, pattern in (("add", _ADD), ("remove", _REMOVE)):
        match = pattern.match(words)
        if match:
            return _with_people(verb, match["rest"], tuple(mentioned.values()))
    return None


def _with_people(verb: str, rest: str, mentioned: tuple[Mentioned, ...]) -> PeopleCommand:
    role, role_word = None, None
    as_role = _AS_ROLE.search(rest)
    if as_role:
        role_word = as_role["role"].strip()
        role = ROLE_WORDS.get(role_word)
        rest = rest[: as_role.start()]
    # Only mentioned people may stand between the verb and the role: "legg til Kari" names
    # nobody the bot can look up.
    tokens = [t for t in rest.split() if t not in _SEPARATORS]
    if not tokens or any(t != _PERSON for t in tokens):
        mentioned = ()
    if verb == "add" and role_word is None:
        role = Role.MEMBER  # "legg til @Kari" adds a member
    return PeopleCommand(verb, mentioned, role, None if role else role_word)


async def handle_people_command(
    turn: Turn, gate: AccessGate, organisation: OrganisationRepository, roster: Roster
) -> bool:
    """Answer a people command; False when the message is none (the caller goes on)."""
    command = people_command_of(turn)
    if command is None:
        return False
    lang = turn.lang
    principal = await principal_or_tell(turn, gate)
    if principal is None:
        return True
    asked = _Asked(turn, gate, organisation, roster, principal, lang)
    teams = await asked.teams_here()
    if teams is None:
        return True
    if command.verb in ("add", "remove") and not command.mentioned:
        await asked.say(text(lang, "people.no_mention") + "\n\n" + text(lang, "people.usage"))
    elif command.verb in ("add", "remove") and command.role_word is not None:
        await asked.say(text(lang, "people.unknown_role"))
    elif command.verb == "add":
        await asked.add(teams, command)
    elif command.verb == "remove":
        await asked.remove(teams, command)
    elif command.verb == "roles":
        await asked.roles(teams)
    else:
        await asked.sync(teams)
    return True


class _Asked:
    """One people command: who asks, where, and the replies."""

    def __init__(
        self,
        turn: Turn,
        gate: AccessGate,
        organisation: OrganisationRepository,
        roster: Roster,
        principal: Principal,
        lang: Language,
    ) -> None:
        self.turn = turn
        self.gate = gate
        self.organisation = organisation
        self.roster = roster
        self.principal = principal
        self.lang = lang
        self.where = Where(conversation_id=turn.conversation_id)

    async def say(self, message: str) -> None:
        await self.turn.send(message)

    def t(self, key: str, **values: Any) -> str:
        # Names come from Teams profiles and mentions: shown as written, never as Markdown.
        return text(
            self.lang, key, **{k: typed(v) if isinstance(v, str) else v for k, v in values.items()}
        )

    # --- where: the TryggEst teams the command is about ---

    async def teams_here(self) -> list[TeamRef] | None:
        """The teams of this Teams team, or the person's own team in personal chat; None when
        the person has been told why there are none."""
        tenant_id = self.principal.person.tenant_id
        teams_team_id = self.turn.team_id
        if teams_team_id:
            teams = await self.organisation.teams_for_teams_team(tenant_id, teams_team_id)
            if not teams:
                await self.say(self.t("people.no_team"))
                return None
            return _in_channel(teams, self.turn.channel_id)
        if not self.turn.is_personal:
            await self.say(self.t("people.where"))
            return None
        coordinated = await self.organisation.teams_by_id(
            g.team_id
            for g in self.principal.grants
            if g.role == Role.COORDINATOR and g.team_id and g.tenant_id == tenant_id
        )
        if not coordinated:
            await self.say(self.t("people.personal_none"))
            return None
        if len(coordinated) > 1:
            names = ", ".join(t.name for t in coordinated)
            await self.say(self.t("people.personal_several", teams=names))
            return None
        own = coordinated[0]
        if own.teams_team_id:
            # One team doing both: its leadership half is managed from the same place.
            return await self.organisation.teams_for_teams_team(tenant_id, own.teams_team_id)
        return [own]

    # --- the commands ---

    async def add(self, teams: list[TeamRef], command: PeopleCommand) -> None:
        role = command.role or Role.MEMBER
        team = await self._team_for(teams, role)
        if team is None:
            return
        lines = []
        for mentioned in command.mentioned:
            found = await self._look_up(team, mentioned)
            if found is None:
                lines.append(self.t("people.not_found", name=mentioned.name))
                continue
            aad, name = found
            try:
                added = await self.organisation.add_membership(
                    self.principal, team, aad, role, name, self.where
                )
            except AccessDenied:
                lines.append(self._denied(team, role))
                break
            except WrongTeamKind:  # _team_for picked by kind: cannot happen, said plainly anyway
                lines.append(self._no_team_for(role))
                break
            if role == Role.ADMIN:
                lines.append(self.t("people.added_admin", name=name))
            else:
                key = "people.added" if added else "people.already"
                lines.append(self.t(key, name=name, role=self._role(role), team=team.name))
        await self.say("\n\n".join(lines))

    async def remove(self, teams: list[TeamRef], command: PeopleCommand) -> None:
        role = command.role
        targets: list[TeamRef] | None
        if role is not None:
            team = await self._team_for(teams, role)
            targets = [team] if team is not None else None
        else:
            targets = await self._allowed(teams, Action.MANAGE_MEMBERS)
        if targets is None:
            return
        lines = []
        for mentioned in command.mentioned:
            found = await self._look_up(targets[0], mentioned)
            if found is None:
                lines.append(self.t("people.not_found", name=mentioned.name))
                continue
            aad, name = found
            for team in targets:
                try:
                    removed = await self.organisation.remove_membership(
                        self.principal, team, aad, role, self.where
                    )
                except AccessDenied:
                    lines.append(self._denied(team, role))
                    break
                if role == Role.ADMIN:
                    key = "people.removed_admin" if removed else "people.not_there"
                else:
                    key = "people.removed" if removed else "people.not_there"
                lines.append(self.t(key, name=name, team=team.name))
        await self.say("\n\n".join(lines))

    async def roles(self, teams: list[TeamRef]) -> None:
        viewable = await self._allowed(teams, Action.VIEW_MEMBERS)
        if viewable is None:
            return
        parts = []
        for team in viewable:
            try:
                members = await self.organisation.list_members(self.principal, team, self.where)
            except AccessDenied:
                parts.append(self.t("people.denied_view", team=team.name))
                continue
            if not members:
                parts.append(self.t("people.roles_empty", team=team.name))
                continue
            lines = [self.t("people.roles_title", team=team.name)]
            for member in members:
                roles = ", ".join(self._role(r) for r in member.roles)
                name = member.display_name or self.t("people.unnamed")
                lines.append(self.t("people.roles_line", name=name, roles=roles))
            parts.append("\n".join(lines))
        await self.say("\n\n".join(parts))

    async def sync(self, teams: list[TeamRef]) -> None:
        operational = [t for t in teams if t.kind == TeamKind.OPERATIONAL]
        if not operational:
            await self.say(self.t("people.no_operational"))
            return
        if len(operational) > 1:
            await self.say(self.t("people.sync_ambiguous"))
            return
        team = operational[0]
        try:
            await self.gate.require(
                self.principal,
                Action.MANAGE_MEMBERS,
                team.target(),
                self.where,
                {"change": "roster_sync", "team_id": team.id},
            )
        except AccessDenied:
            await self.say(self._denied(team, None))
            return
        if not team.teams_team_id:
            await self.say(self.t("people.no_teams_team", team=team.name))
            return
        try:
            roster = await self.roster.everyone(self.turn, team.teams_team_id)
        except Exception as error:
            log.warning("roster of team %s not fetched: %s", team.id, type(error).__name__)
            await self.say(self.t("people.sync_failed"))
            return
        change = await self.organisation.sync_roster(team, roster, self.where)
        if change.empty_roster:  # nothing changed: the same as a failed fetch to the person
            log.warning("roster of team %s named nobody: nothing changed", team.id)
            await self.say(self.t("people.sync_failed"))
            return
        await self.say(
            self.t(
                "people.synced",
                added=change.added,
                removed=change.removed,
                members=change.members,
                team=team.name,
            )
        )

    # --- helpers ---

    async def _team_for(self, teams: list[TeamRef], role: Role) -> TeamRef | None:
        """The team a role is given in: the one of the role's kind (any, for a tenant admin)."""
        if role == Role.ADMIN:
            return teams[0]
        fitting = [t for t in teams if t.kind == ROLE_TEAM_KIND[role]]
        if len(fitting) == 1:
            return fitting[0]
        if fitting:
            await self.say(self.t("people.ambiguous", teams=", ".join(t.name for t in fitting)))
        else:
            await self.say(self._no_team_for(role))
        return None

    async def _allowed(self, teams: list[TeamRef], action: Action) -> list[TeamRef] | None:
        """The teams the person may act on here. When there are none, the refusal is asked of
        the gate (so it is logged) and said; a team they may not touch is simply left out."""
        allowed = [t for t in teams if decide(self.principal, action, t.target())]
        if allowed:
            return allowed
        try:
            await self.gate.require(self.principal, action, teams[0].target(), self.where)
        except AccessDenied:
            key = "people.denied_view" if action == Action.VIEW_MEMBERS else "people.denied"
            await self.say(self.t(key, team=teams[0].name))
        return None

    async def _look_up(self, team: TeamRef, mentioned: Mentioned) -> tuple[str, str] | None:
        """(Entra object id, display name) of a mentioned person in the team's Teams team."""
        teams_team_id = team.teams_team_id or self.turn.team_id
        if not teams_team_id:
            return None
        try:
            member = await self.roster.member(self.turn, teams_team_id, mentioned.teams_id)
        except Exception as error:
            log.info("mentioned person not found in team %s: %s", team.id, type(error).__name__)
            return None
        if member is None or not member.aad_object_id:
            return None
        return member.aad_object_id, member.name or mentioned.name

    def _role(self, role: Role) -> str:
        return self.t(f"role.{role.value}")

    def _denied(self, team: TeamRef, role: Role | None) -> str:
        if role == Role.ADMIN:
            return self.t("people.denied_admin")
        return self.t("people.denied", team=team.name)

    def _no_team_for(self, role: Role) -> str:
        kind = ROLE_TEAM_KIND[role] or TeamKind.OPERATIONAL
        return self.t(
            "people.no_team_for_role", kind=self.t(f"kind.{kind.value}"), role=self._role(role)
        )


def _in_channel(teams: list[TeamRef], channel_id: str | None) -> list[TeamRef]:
    """Several teams of one kind in one Teams team (a city's districts, a channel each): the
    channel the message came from picks its team."""
    picked = []
    for kind in TeamKind:
        of_kind = [t for t in teams if t.kind == kind]
        here = [t for t in of_kind if channel_id and t.channel_id == channel_id]
        picked += here or of_kind
    return picked


# --- Teams: the roster, which bot/ reads for us --------------------------------------------


@dataclass(frozen=True)
class RosterPerson:
    aad_object_id: str | None
    name: str | None


class Roster(Protocol):
    """Who is in a Teams team, as Teams says (bot/teams_roster.py asks the Bot Connector)."""

    async def member(
        self, turn: Turn, teams_team_id: str, member_id: str
    ) -> RosterPerson | None: ...

    async def everyone(self, turn: Turn, teams_team_id: str) -> Sequence[tuple[str, str | None]]:
        """Everyone in the Teams team; raises when Teams' answer fails or names nobody."""
        ...
