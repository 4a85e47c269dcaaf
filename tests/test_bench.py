"""The benchmarks still walk the whole report dialogue (issue #9's figures come from them): one
report through bench/steps.py against the real bot, on SQLite. Nothing here is timed; a change to
the dialogue that the benchmark's reporter no longer follows fails here, not in `make bench`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_reporter_walks_every_step_of_a_report() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "steps.py"), "--reports", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    steps = [line for line in done.stdout.splitlines() if line.startswith("  ") and "p90" in line]
    assert len(steps) == 15  # bench/turns.py's SCRIPT: "meld bekymring" to "send"
    assert "a whole report:" in done.stdout
