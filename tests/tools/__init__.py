"""Tests of the tooling beside the runtime (tools/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_tool(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m tools ARGS` (the `tryggest` command) as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tools", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
