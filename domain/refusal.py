"""A request refused for a reason a person can be told: the reason names a user text."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """Not done, and why: `reason` is the key of a kind sentence (e.g. "gathering.refused.…"
    with the prefix its caller adds); `details` fill in its blanks."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details
