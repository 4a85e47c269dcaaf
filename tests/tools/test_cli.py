"""The `tryggest` command as an IT administrator runs it: migrate, demo data, serve."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.tools import run_tool as run_cli
from tests.tools import tool_env


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return tool_env(f"sqlite:///{tmp_path / 'cli.db'}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_db_upgrade_and_demo_data_give_a_municipality_with_a_team(cli_env, tmp_path):
    assert run_cli("db", "upgrade", env=cli_env, cwd=tmp_path).returncode == 0
    first = run_cli("demo-data", env=cli_env, cwd=tmp_path)
    again = run_cli("demo-data", env=cli_env, cwd=tmp_path)

    assert first.returncode == 0 and again.returncode == 0
    with sqlite3.connect(tmp_path / "cli.db") as db:
        assert db.execute("SELECT name FROM municipalities").fetchall() == [("Demo kommune",)]
        assert db.execute("SELECT kind FROM teams ORDER BY kind").fetchall() == [
            ("leadership",),
            ("network",),
            ("operational",),
        ]


def test_serve_in_local_mode_says_so_and_listens_on_localhost_only(cli_env, tmp_path):
    run_cli("db", "upgrade", env=cli_env, cwd=tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env={**cli_env, "PORT": str(port)},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None and '"ok"' in body
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        bound = [line for line in listening.splitlines() if f":{port} " in line]
        assert bound and all("127.0.0.1:" in line for line in bound)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "Local mode" in output
    assert "127.0.0.1" in output


def test_serve_with_an_app_id_but_no_data_key_refuses_to_start(cli_env, tmp_path):
    result = run_cli(
        "serve",
        env={**cli_env, "MicrosoftAppId": "some-app", "PORT": str(free_port())},
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "TRYGGEST_DATA_KEYS" in result.stderr


def test_serve_on_a_database_that_is_not_migrated_says_what_to_run(cli_env, tmp_path):
    result = run_cli("serve", env={**cli_env, "PORT": str(free_port())}, cwd=tmp_path)
    assert result.returncode == 2
    assert "tryggest db upgrade" in result.stderr


def test_a_reminder_sweep_at_a_given_time_plans_the_half_year_reminders(cli_env, tmp_path):
    run_cli("db", "upgrade", env=cli_env, cwd=tmp_path)
    run_cli("demo-data", env=cli_env, cwd=tmp_path)

    # Late in 2026H2: its reminders (30, 14, 3 and 0 days before 15 February) are planned for
    # the demo team's coordinators; none is due yet, and nobody can be reached anyway.
    result = run_cli("reminders", "sweep", "--at", "2026-12-01T09:00", env=cli_env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Reminders at 2026-12-01T09:00:00+01:00" in result.stdout
    assert "nothing due" in result.stdout
    with sqlite3.connect(tmp_path / "cli.db") as db:
        kinds = db.execute("SELECT DISTINCT kind, state FROM reminders").fetchall()
    assert kinds == [("half_year", "pending")]


def test_a_reminder_sweep_refuses_a_time_it_cannot_read(cli_env, tmp_path):
    run_cli("db", "upgrade", env=cli_env, cwd=tmp_path)

    result = run_cli("reminders", "sweep", "--at", "next tuesday", env=cli_env, cwd=tmp_path)

    assert result.returncode == 2 and "Not a time" in result.stderr
