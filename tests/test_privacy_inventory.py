"""The privacy pack cannot drift from the schema.

docs/privacy/behandlingsoversikt.md holds one row per database column: whether it is personal
data, whether it is encrypted, and when it is deleted. These tests hold that table to
`storage.models.Base.metadata`: a column added to the schema must be described there, a column
removed must go from there, and every column marked as personal data must say when it goes.
"""

from __future__ import annotations

import re
from pathlib import Path

from storage.models import Base

INVENTORY = Path(__file__).parent.parent / "docs" / "privacy" / "behandlingsoversikt.md"
START, END = "<!-- inventory:start -->", "<!-- inventory:end -->"
# A row whose first cell is `table.column` in backticks.
ROW = re.compile(r"^\|\s*`(?P<name>[a-z0-9_]+\.[a-z0-9_]+)`\s*\|(?P<rest>.*)\|\s*$")


def inventory_rows() -> dict[str, list[str]]:
    """`table.column` → the row's other cells (personal data?, encrypted?, deleted when)."""
    text = INVENTORY.read_text(encoding="utf-8")
    section = text.split(START, 1)[1].split(END, 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            assert match["name"] not in rows, f"{match['name']} is listed twice"
            rows[match["name"]] = [cell.strip() for cell in match["rest"].split("|")]
    return rows


def schema_columns() -> set[str]:
    return {
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
    }


def test_every_column_of_the_schema_is_in_the_inventory() -> None:
    missing = schema_columns() - set(inventory_rows())
    assert not missing, f"describe these in {INVENTORY.name}: {sorted(missing)}"


def test_every_column_in_the_inventory_exists_in_the_schema() -> None:
    stale = set(inventory_rows()) - schema_columns()
    assert not stale, f"no longer in the schema, remove from {INVENTORY.name}: {sorted(stale)}"


def test_every_column_of_personal_data_says_when_it_is_deleted() -> None:
    rows = inventory_rows()
    assert rows, "the inventory table was not found"
    silent = [
        name
        for name, (personal, _encrypted, deleted, *_) in rows.items()
        if personal.lower() == "ja" and deleted in ("", "-", "—")
    ]
    assert not silent, f"say when these are deleted: {sorted(silent)}"
