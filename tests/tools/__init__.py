"""Tests of the tooling beside the runtime (tools/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tool_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of `tryggest` run by hand on `database_url`: this machine's, without
    an app id or any TRYGGEST_ setting of its own, with `settings` on top."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("Microsoft", "TRYGGEST_")) and k != "DATABASE_URL"
    }
    return env | {"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), **settings}


def run_tool(
    *args: str, env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """`python -m tools ARGS` (the `tryggest` command) as an operator runs it, with `stdin`."""
    return subprocess.run(
        [sys.executable, "-m", "tools", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
