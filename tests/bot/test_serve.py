"""`python -m bot`: the bot and nothing else, tuned for a long run."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from bot.serve import GC_YOUNG_THRESHOLD, tune_garbage_collector

ROOT = Path(__file__).resolve().parents[2]


def test_serving_sets_start_up_objects_aside_and_collects_young_objects_less_often():
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, before[1], before[2])
        assert before[0] < GC_YOUNG_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_python_m_bot_serves_only_and_names_the_command_for_the_rest(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "tryggest --help" in result.stderr
