"""JSON lines in, JSON lines out: `{"id", "text", "known_names"}` -> `{"id", "text"}`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from domain.anonymiser.engine import anonymise


def anonymise_jsonl(lines: Iterable[str]) -> Iterator[str]:
    """One output line per non-blank input line. A line that is not a valid request gets
    `{"id", "error"}` (id null when it cannot be read), so every answer matches a question."""
    for line in lines:
        if not line.strip():
            continue
        request: Any = None
        try:
            request = json.loads(line)
            text, names = _fields(request)
        except ValueError as error:  # json.JSONDecodeError is a ValueError too
            ident = request.get("id") if isinstance(request, dict) else None
            yield json.dumps({"id": ident, "error": str(error)}, ensure_ascii=False)
            continue
        result = anonymise(text, names)
        yield json.dumps({"id": request.get("id"), "text": result.text}, ensure_ascii=False)


def _fields(request: Any) -> tuple[str, list[str]]:
    if not isinstance(request, dict) or not isinstance(request.get("text"), str):
        raise ValueError("expected an object with a string 'text'")
    names = request.get("known_names") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("'known_names' must be a list of strings")
    return request["text"], names
