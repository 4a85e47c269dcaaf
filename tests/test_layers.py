"""The layers of DESIGN.md hold: domain ← storage ← cards ← dialogs ← bot, scheduler beside
storage, cards from domain alone, tools/ above them all, and only bot/ (and dialogs/, for
botbuilder-dialogs) touches the Bot Framework."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What each package may import of ours.
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "storage": {"domain", "storage"},
    "scheduler": {"domain", "storage", "scheduler"},
    # Cards draw domain's read models (domain/views.py) and never import storage.
    "cards": {"domain", "cards"},
    "dialogs": {"domain", "storage", "cards", "dialogs"},
    "bot": {"domain", "storage", "cards", "dialogs", "scheduler", "bot"},
    # Tooling beside the runtime (CLI, demo data, samples): it may use all of ours, and nothing
    # of ours imports it.
    "tools": {"domain", "storage", "cards", "dialogs", "scheduler", "bot", "tools"},
}
OURS = set(ALLOWED)
# botbuilder's adapter and Teams classes belong to bot/; dialogs/ may use the dialog and turn
# types (the activity's schema, not its Teams part); storage/ implements botbuilder's Storage
# interface and stores the dialogue state's own classes (storage/state_codec.py).
BOTBUILDER: dict[str, tuple[str, ...]] = {
    "domain": (),
    "storage": ("botbuilder.core", "botbuilder.dialogs"),
    "scheduler": (),
    "cards": (),
    "dialogs": ("botbuilder.core", "botbuilder.dialogs", "botbuilder.schema"),
}
TEAMS_CLASSES = ("botbuilder.schema.teams", "botbuilder.core.teams")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        if "migrations" not in path.parts
        for name in imports(path)
        if name.split(".")[0] in OURS and name.split(".")[0] not in ALLOWED[package]
    ]
    assert wrong == []


@pytest.mark.parametrize("package", sorted(BOTBUILDER))
def test_only_bot_touches_the_bot_framework_adapter_and_teams_classes(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imports(path)
        if name.split(".")[0] in {"botbuilder", "botframework"}
        and (
            not any(
                name == allowed or name.startswith(allowed + ".") for allowed in BOTBUILDER[package]
            )
            or name.startswith(TEAMS_CLASSES)
        )
    ]
    assert wrong == []
