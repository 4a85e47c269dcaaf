"""An experience shared in the network: what the situation was, what was done, what worked, what
did not, what the team would do differently, and tags to find it by.

Everything a person wrote goes through the anonymiser before anyone else sees it, and the author
confirms the anonymised version: `AnonymisedExperience.fingerprint` names exactly what the author
saw, so a confirmation of an older preview posts nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.anonymiser import AnonymisedText, anonymise
from domain.casework import MEASURE_SERVICE
from domain.choices import parse_card_value
from domain.codes import VIOLENCE_TYPE, VULNERABILITY, Code, CodeList
from domain.gathering import RVTS_REGION

# The written parts, in the order they are asked and shown.
FIELDS = ("situation", "done", "worked", "not_worked", "differently")
REQUIRED_FIELDS = ("situation", "done")
# Long enough for a paragraph each, short enough that five fit a card on a phone.
MAX_FIELD_LENGTH = 800

# What was done, in kinds a team can search by (ours: not a TryggEst code list; configurable).
MEASURE_KIND = CodeList(
    "measure_kind",
    (
        Code(
            "conversation",
            "Samtale med den utsatte",
            "Samtale med den utsette",
            "Talking with the person",
        ),
        Code("safety_plan", "Sikkerhetsplan", "Tryggleiksplan", "Safety plan"),
        Code(
            "cooperation_meeting",
            "Samarbeidsmøte eller ansvarsgruppe",
            "Samarbeidsmøte eller ansvarsgruppe",
            "Cooperation meeting",
        ),
        Code(
            "finances",
            "Tiltak for økonomien (verge, bank, fullmakt)",
            "Tiltak for økonomien (verje, bank, fullmakt)",
            "Protecting finances (guardian, bank, power of attorney)",
            ("verge", "bank", "fullmakt"),
        ),
        Code(
            "police_report",
            "Anmeldelse til politiet",
            "Melding til politiet",
            "Report to the police",
        ),
        Code("housing", "Ny bolig eller flytting", "Ny bustad eller flytting", "New housing"),
        Code(
            "respite",
            "Avlastning for pårørende",
            "Avlasting for pårørande",
            "Respite for relatives",
        ),
        Code(
            "perpetrator_contact",
            "Samtale med utøveren",
            "Samtale med utøvaren",
            "Talking with the perpetrator",
        ),
        Code(
            "closer_follow_up",
            "Tettere oppfølging fra tjenestene",
            "Tettare oppfølging frå tenestene",
            "Closer follow-up by services",
        ),
        Code(
            "protection",
            "Besøksforbud eller annen beskyttelse",
            "Besøksforbod eller anna vern",
            "Restraining order or other protection",
        ),
        Code(
            "anonymous_discussion", "Anonym drøfting", "Anonym drøfting", "Anonymous consultation"
        ),
        Code("other", "Annet", "Anna", "Other"),
    ),
    multiple=True,
)

# The tags, by the name the cards and the database use for them.
TAG_LISTS: dict[str, CodeList] = {
    "violence": VIOLENCE_TYPE,
    "vulnerability": VULNERABILITY,
    "measure": MEASURE_KIND,
    "service": MEASURE_SERVICE,
    "region": RVTS_REGION,
}
SINGLE_TAGS = frozenset({"region"})


@dataclass(frozen=True)
class ExperienceDraft:
    """What the author wrote (not anonymised) and the tags chosen."""

    network_team_id: str
    texts: Mapping[str, str]
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def as_state(self) -> dict[str, Any]:
        return {
            "network": self.network_team_id,
            "texts": dict(self.texts),
            "tags": {k: list(v) for k, v in self.tags.items()},
        }

    @staticmethod
    def from_state(state: Mapping[str, Any]) -> ExperienceDraft:
        texts = state.get("texts") or {}
        tags = state.get("tags") or {}
        return ExperienceDraft(
            str(state.get("network") or ""),
            {f: str(texts.get(f) or "") for f in FIELDS},
            {k: tuple(str(c) for c in v) for k, v in tags.items() if k in TAG_LISTS},
        )


@dataclass(frozen=True)
class AnonymisedExperience:
    """The experience as the network will read it, with every replacement made."""

    network_team_id: str
    texts: Mapping[str, AnonymisedText]
    tags: Mapping[str, tuple[str, ...]]

    def text(self, name: str) -> str:
        found = self.texts.get(name)
        return found.text if found is not None else ""

    @property
    def replacements(self) -> int:
        return sum(len(t.replacements) for t in self.texts.values())

    @property
    def fingerprint(self) -> str:
        """Names this very version: the confirm button carries it."""
        payload = json.dumps(
            [
                self.network_team_id,
                [self.text(f) for f in FIELDS],
                sorted((k, list(v)) for k, v in self.tags.items()),
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


def read_form(values: Mapping[str, Any], networks: list[str]) -> ExperienceDraft | list[str]:
    """The draft from the form's inputs, or what to fix: field names ("situation", "too_long",
    a tag name, "network"). A value our form cannot send (a code not in the list) is a problem
    too, never guessed."""
    problems: list[str] = []
    texts: dict[str, str] = {}
    for name in FIELDS:
        raw = values.get(name)
        written = raw.strip() if isinstance(raw, str) else ""
        if name in REQUIRED_FIELDS and not written:
            problems.append(name)
        if len(written) > MAX_FIELD_LENGTH:
            problems.append("too_long")
        texts[name] = written
    tags: dict[str, tuple[str, ...]] = {}
    for name, codes in TAG_LISTS.items():
        raw = values.get(name)
        if raw in (None, "", []):
            continue
        if name in SINGLE_TAGS:
            chosen = [raw] if isinstance(raw, str) and raw in codes else None
        else:
            chosen = parse_card_value(raw, codes)
        if chosen is None:
            problems.append(name)
            continue
        tags[name] = tuple(chosen)
    network = values.get("network")
    if not isinstance(network, str) or not network:
        network = networks[0] if len(networks) == 1 else ""
    if network not in networks:
        problems.append("network")
    if problems:
        return list(dict.fromkeys(problems))
    return ExperienceDraft(network, texts, tags)


def anonymise_draft(draft: ExperienceDraft, known_names: list[str]) -> AnonymisedExperience:
    return AnonymisedExperience(
        draft.network_team_id,
        {name: anonymise(draft.texts.get(name, ""), known_names) for name in FIELDS},
        dict(draft.tags),
    )


def tag_words(tags: Mapping[str, tuple[str, ...]]) -> str:
    """The tags as words to search by: their labels in both written Norwegian standards and
    English, and the words people use for them ("penger", "svindel" for financial abuse)."""
    parts: list[str] = []
    for name, codes in tags.items():
        code_list = TAG_LISTS.get(name)
        if code_list is None:
            continue
        for code in codes:
            item = code_list.get(code)
            if item is not None:
                parts.extend([item.nb, item.nn, item.en, *item.synonyms])
    return " ".join(parts)


def search_document(texts: Mapping[str, str], tags: Mapping[str, tuple[str, ...]]) -> str:
    """Everything an experience is found by: what was written, then the tags."""
    return "\n".join([*(texts.get(f, "") for f in FIELDS), tag_words(tags)]).strip()


def title_of(tags: Mapping[str, tuple[str, ...]], lang: str, limit: int = 3) -> str:
    """A short title from the tags: the types of violence, then the vulnerabilities."""
    labels = [
        TAG_LISTS[name].label(code, lang)
        for name in ("violence", "vulnerability")
        for code in tags.get(name, ())
    ]
    return " · ".join(labels[:limit])
