"""What the anonymiser returns: the new text and every replacement made, for the preview card."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A kind of direct identifier; its value is the word inside the placeholder."""

    NAME = "navn"
    FNR = "fnr"
    PHONE = "telefon"
    EMAIL = "e-post"
    ADDRESS = "adresse"
    BIRTH_DATE = "fødselsdato"
    ACCOUNT = "kontonr"
    REGISTRATION = "regnr"
    INSTITUTION = "institusjon"

    @property
    def placeholder(self) -> str:
        return f"[{self.value}]"


@dataclass(frozen=True, slots=True)
class Replacement:
    """One identifier taken out: where it was, what it said, and what stands there now."""

    span: tuple[int, int]  # in the original text, end exclusive
    original: str
    placeholder: str
    kind: Kind
    output_span: tuple[int, int]  # where the placeholder stands in the new text


@dataclass(frozen=True, slots=True)
class AnonymisedText:
    text: str
    replacements: tuple[Replacement, ...]

    @property
    def changed(self) -> bool:
        return bool(self.replacements)
