"""The layers of DESIGN.md hold: domain ← storage ← cards ← dialogs ← bot, scheduler beside
storage, cards from domain alone, tools/ above them all, only bot/ touches the Agents SDK,
nothing the archived Bot Framework SDK, and SQLAlchemy stays below dialogs/ and the runtime part
of bot/."""

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
# The Microsoft 365 Agents SDK belongs to bot/ alone: dialogs/ see our own Turn (dialogs/turn.py),
# and storage/ stores the dialogue state as plain dicts (reading rows that hold botbuilder-dialogs'
# classes without it: storage/state_codec.py).
SDK = "microsoft_agents"
SDK_FREE = ("domain", "storage", "scheduler", "cards", "dialogs", "tools")
# The archived Bot Framework SDK and its HTTP layer: nothing of ours imports them any more.
ARCHIVED = {"botbuilder", "botframework", "msrest"}
RUNTIME = ("domain", "storage", "scheduler", "cards", "dialogs", "bot", "tools")


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


def imports_of(package: str, roots: set[str]) -> list[str]:
    """Where `package` imports a module whose top-level name is one of `roots`."""
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imports(path)
        if name.split(".")[0] in roots
    ]


@pytest.mark.parametrize("package", SDK_FREE)
def test_only_bot_touches_the_agents_sdk(package: str) -> None:
    assert imports_of(package, {SDK}) == []


@pytest.mark.parametrize("package", RUNTIME)
def test_nothing_imports_the_archived_bot_framework_sdk(package: str) -> None:
    assert imports_of(package, ARCHIVED) == []


def private_names_touched(path: Path) -> list[str]:
    """A library's private name imported ("from x import _y") or assigned to ("module._y =
    …", "Class._y = …"); our own objects' (self, cls) are theirs to keep."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            found += [f"imports {a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [
                f"assigns {ast.unparse(t)}"
                for t in targets
                if isinstance(t, ast.Attribute)
                and t.attr.startswith("_")
                and not (isinstance(t.value, ast.Name) and t.value.id in ("self", "cls"))
            ]
    return [f"{path.relative_to(ROOT)} {what}" for what in found]


@pytest.mark.parametrize("package", RUNTIME)
def test_no_code_patches_or_imports_a_private_name_of_a_library(package: str) -> None:
    assert [p for path in modules(package) for p in private_names_touched(path)] == []


# SQLAlchemy belongs to storage/ (and scheduler/ and tools/ beside it). Above it the database is
# reached through storage's repositories, and a failed one is caught as storage/db.py's
# DATABASE_ERRORS. In bot/ only the composition builds repositories from the sessions; the
# modules below do, or read settings with it, and none else may.
SQLALCHEMY_FREE = ("domain", "cards", "dialogs", "bot")
SQLALCHEMY_IN_BOT = {
    "bot/app.py": "the composition root: the engine, the sessions, every repository",
    "bot/config.py": "reads the database URL",
    "bot/experiences.py": "build_experiences builds its repositories",
    "bot/gatherings.py": "build_gatherings builds its repository",
    "bot/report_files.py": "build_report_services builds the statistics' repository",
}


def imports_sqlalchemy(path: Path) -> list[str]:
    return sorted(name for name in imports(path) if name.split(".")[0] == "sqlalchemy")


@pytest.mark.parametrize("package", SQLALCHEMY_FREE)
def test_sqlalchemy_stays_below_the_dialogs_and_the_runtime(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        if path.relative_to(ROOT).as_posix() not in SQLALCHEMY_IN_BOT
        for name in imports_sqlalchemy(path)
    ]
    assert wrong == []


def test_the_modules_of_bot_let_use_sqlalchemy_still_do() -> None:
    """An exception no longer needed is struck off, so that none comes back unnoticed."""
    unused = [where for where in SQLALCHEMY_IN_BOT if not imports_sqlalchemy(ROOT / where)]
    assert unused == []
