"""A detector's finding before overlaps are settled."""

from __future__ import annotations

from dataclasses import dataclass

from domain.anonymiser.model import Kind

# When two findings overlap, the higher rank wins; on a tie, the longer one.
RANK = {
    Kind.EMAIL: 90,
    Kind.FNR: 80,
    Kind.ACCOUNT: 80,
    Kind.PHONE: 70,
    Kind.BIRTH_DATE: 65,
    Kind.REGISTRATION: 60,
    Kind.ADDRESS: 50,
    Kind.INSTITUTION: 40,
    Kind.NAME: 30,
}


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    kind: Kind

    @property
    def rank(self) -> int:
        return RANK[self.kind]
