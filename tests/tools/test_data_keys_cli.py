"""Data keys through the `tryggest` command, as an administrator meets them: a key mix-up that
would lose data or start a bot that cannot read its cases stops with one line that names key
ids (never keys), on SQLite and PostgreSQL; and docs/production.md's rotation,
run as it stands on a copy of the demo data, ends with every case readable under the new key
alone."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.crypto import FieldCipher, key_id_of, new_key_spec, parse_keys
from storage.data_keys import ENCRYPTED_COLUMNS
from storage.db import make_engine, make_sessionmaker
from tests.tools import run_tool as run
from tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
OLD_K1 = new_key_spec("k1")
NEW_K1 = new_key_spec("k1")
DEMO_CASES = "6"


def secret_of(spec: str) -> str:
    return spec.partition(":")[2]


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of `tryggest` run by hand: this database, no app id, no key yet, and a
    data directory of the test's own; also applied to this process for main() run here."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("Microsoft", "TRYGGEST_")) and k != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        TRYGGEST_DATA_DIR=str(tmp_path / "data"),
        TRYGGEST_SCHEDULER="false",
    )
    for name in list(os.environ):
        if name.startswith(("Microsoft", "TRYGGEST_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # no .env of the developer's
    return env


async def in_process(*args: str, keys: str | None = None) -> int:
    """`tryggest …` in this process (faster than a new one), with TRYGGEST_DATA_KEYS set."""
    if keys is not None:
        os.environ["TRYGGEST_DATA_KEYS"] = keys
    try:
        return await asyncio.to_thread(main, list(args))
    finally:
        os.environ.pop("TRYGGEST_DATA_KEYS", None)


async def demo_data_under(keys: str | None) -> None:
    assert await in_process("demo-data", "--cases", DEMO_CASES, keys=keys) == 0


async def sealed_values(sessions: Any) -> list[tuple[str, bytes]]:
    """Every stored encrypted value with its encryption context."""
    found = []
    async with sessions() as session:
        for column in ENCRYPTED_COLUMNS:
            rows = await session.execute(
                select(column.key, column.value).where(column.value.is_not(None))
            )
            found += [(column.context(key), bytes(blob)) for key, blob in rows.all()]
    return found


def unreadable(values: list[tuple[str, bytes]], keys: str) -> int:
    cipher = FieldCipher(parse_keys(keys))
    failed = 0
    for context, blob in values:
        try:
            cipher.decrypt(blob, context)
        except Exception:
            failed += 1
    return failed


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_until_ready(env: dict[str, str], cwd: Path) -> tuple[dict[str, Any], str]:
    """Start `tryggest serve`, wait for /readyz to answer, stop it: (readiness, its output)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env={**env, "PORT": str(port)},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready: dict[str, Any] = {}
    try:
        for _ in range(300):
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    ready = json.loads(r.read())
                    break
            except urllib.error.HTTPError as error:
                ready = json.loads(error.read())
                break
            except OSError:
                time.sleep(0.1)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    return ready, output


# --- new-data-key: an id of its own each time -------------------------------------------------


def test_each_new_data_key_has_an_id_of_its_own(capsys):
    assert main(["new-data-key"]) == 0
    assert main(["new-data-key"]) == 0

    first, second = capsys.readouterr().out.split()
    [one], [two] = parse_keys(first), parse_keys(second)
    assert one.key_id != two.key_id
    assert re.fullmatch(r"\d{8}-[0-9a-f]{6}", one.key_id)


# --- the same id twice is refused -------------------------------------------------------------


async def test_the_same_key_id_twice_stops_the_bot_and_the_rotation(cli_env, sessions, tmp_path):
    await demo_data_under(OLD_K1)
    before = await sealed_values(sessions)
    both = f"{NEW_K1},{OLD_K1}"

    served = run("serve", env={**cli_env, "TRYGGEST_DATA_KEYS": both}, cwd=tmp_path)
    rotated = run("rotate-key", env={**cli_env, "TRYGGEST_DATA_KEYS": both}, cwd=tmp_path)

    for result in (served, rotated):
        assert result.returncode == 2
        line = one_line(result.stderr)
        assert "k1 twice" in line
        assert secret_of(NEW_K1) not in line and secret_of(OLD_K1) not in line
    assert await sealed_values(sessions) == before


# --- rotate-key counts what it has read, not what an id claims --------------------------------


async def test_rotating_with_another_key_under_the_same_id_fails_and_says_how_many_it_cannot_read(
    cli_env, sessions, tmp_path
):
    await demo_data_under(OLD_K1)
    before = await sealed_values(sessions)

    result = run("rotate-key", env={**cli_env, "TRYGGEST_DATA_KEYS": NEW_K1}, cwd=tmp_path)

    assert result.returncode == 1
    assert "Nothing was re-encrypted" in result.stderr and "k1" in result.stderr
    assert f"{len(before)} values cannot be read with the keys given" in result.stderr
    assert secret_of(NEW_K1) not in result.stderr + result.stdout
    assert await sealed_values(sessions) == before
    assert unreadable(before, OLD_K1) == 0


async def test_rotating_reads_every_value_and_a_second_run_finds_all_under_the_first_key(
    cli_env, sessions, tmp_path, capsys
):
    await demo_data_under(OLD_K1)
    new = new_key_spec()
    new_id = new.partition(":")[0]

    assert await in_process("rotate-key", keys=f"{new},{OLD_K1}") == 0
    capsys.readouterr()
    assert await in_process("rotate-key", keys=new) == 0

    values = await sealed_values(sessions)
    assert f"All {len(values)} values read with key {new_id}" in capsys.readouterr().out
    assert unreadable(values, new) == 0
    assert {key_id_of(blob) for _, blob in values} == {new_id}


async def test_a_value_sealed_by_another_key_under_a_known_id_is_counted_and_keeps_the_old_key(
    cli_env, sessions, tmp_path
):
    """What the trap left behind: a draft written by a bot started with another k1. Rotation
    re-encrypts the rest, says it could not read that one, and the old key cannot be dropped."""
    from storage.state_store import SqlStorage, StoredState

    await demo_data_under(OLD_K1)
    await SqlStorage(sessions, FieldCipher(parse_keys(NEW_K1))).write(
        {"conversation/x": StoredState({"a": 1})}
    )
    new = new_key_spec()

    rotated = run(
        "rotate-key", env={**cli_env, "TRYGGEST_DATA_KEYS": f"{new},{OLD_K1}"}, cwd=tmp_path
    )
    served = run("serve", env={**cli_env, "TRYGGEST_DATA_KEYS": new}, cwd=tmp_path)

    assert rotated.returncode == 1
    assert "dialogue state: 0 re-encrypted" in rotated.stdout and "1 unreadable" in rotated.stdout
    assert "1 values could not be read" in rotated.stderr
    assert "No value is under another key" not in rotated.stdout
    assert served.returncode == 2 and "k1" in one_line(served.stderr)
    values = await sealed_values(sessions)
    assert unreadable(values, f"{new},{OLD_K1}") == 1


# --- the bot does not start with keys that cannot read its cases ------------------------------


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        pytest.param(NEW_K1, "k1", id="another-key-same-id"),
        pytest.param(new_key_spec("k2"), "k1", id="another-id"),
    ],
)
async def test_the_bot_does_not_start_with_keys_that_cannot_read_its_cases(
    cli_env, sessions, tmp_path, keys, named
):
    await demo_data_under(OLD_K1)

    result = run("serve", env={**cli_env, "TRYGGEST_DATA_KEYS": keys}, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("The bot does not start:") and named in line
    assert secret_of(keys) not in line and secret_of(OLD_K1) not in line


# --- local mode keeps its key file beside the data --------------------------------------------


def key_files(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.rglob("*.key"))


async def test_local_mode_keeps_one_key_beside_the_data_wherever_the_bot_is_started(
    cli_env, sessions, tmp_path, database_url
):
    await demo_data_under(None)  # makes the key, from the working directory "work"
    [key_file] = key_files(tmp_path)
    if database_url.startswith("sqlite"):
        assert key_file.parent == tmp_path  # beside tryggest.db
    else:
        assert key_file.parent == tmp_path / "data"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    ready, output = serve_until_ready(cli_env, elsewhere)

    assert ready == {"status": "ready", "database": "ok", "keys": "ok"}, output
    assert str(key_file) in output
    assert key_files(tmp_path) == [key_file]
    assert unreadable(await sealed_values(sessions), key_file.read_text().strip()) == 0


async def test_a_local_start_without_the_key_of_a_database_with_data_refuses_and_makes_none(
    cli_env, sessions, tmp_path
):
    await demo_data_under(None)
    [key_file] = key_files(tmp_path)
    key_file.rename(tmp_path / "kept-safe")

    result = run("serve", env=cli_env, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "already holds encrypted data" in line and str(key_file) in line
    assert key_files(tmp_path) == []


# --- a malformed key: one line, no traceback --------------------------------------------------


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param("k1:tooshort", id="too-short"),
        pytest.param("Qm9vbS1ib29tLWJvb20tYm9vbS1ib29tLWJvb20tYm9v", id="no-id"),
        pytest.param("k1:" + "ø" * 43, id="not-base64"),
    ],
)
def test_a_malformed_key_is_one_line_and_exit_2(tmp_path, keys):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "TRYGGEST_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'tryggest.db'}",
        PYTHONPATH=str(ROOT),
        TRYGGEST_DATA_KEYS=keys,
    )

    result = run("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "TRYGGEST_DATA_KEYS" in line and "key 1" in line
    assert keys.rpartition(":")[2] not in line


# --- docs/production.md's rotation, word for word ---------------------------------------------


def rotation_procedure() -> str:
    """The shell block of docs/production.md's key rotation, as it stands."""
    text = (ROOT / "docs" / "production.md").read_text()
    match = re.search(
        r"<!-- key-rotation.*?-->\n```sh\n(.*?)```\n<!-- end key-rotation -->", text, re.S
    )
    assert match, "docs/production.md has no key-rotation block"
    return match.group(1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_documented_rotation_leaves_every_demo_case_readable_under_the_new_key_alone(
    cli_env, tmp_path, database_url
):
    demo = tmp_path / "demo.db"
    env = {**cli_env, "DATABASE_URL": f"sqlite:///{demo}"}
    old = run("new-data-key", env=env, cwd=tmp_path).stdout.strip()
    env["TRYGGEST_DATA_KEYS"] = old
    assert run("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    assert run("demo-data", "--cases", "40", env=env, cwd=tmp_path).returncode == 0
    copy = tmp_path / "copy" / "demo.db"
    copy.parent.mkdir()
    shutil.copy(demo, copy)
    env["DATABASE_URL"] = f"sqlite:///{copy}"
    keys_after = tmp_path / "keys-after"
    # The block as it stands, then one line of the test's own: the keys it ended with.
    script = rotation_procedure() + f'printf %s "$TRYGGEST_DATA_KEYS" > "{keys_after}"\n'

    result = subprocess.run(
        ["bash", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    new = keys_after.read_text()
    [new_key] = parse_keys(new)  # the new key alone
    engine = make_engine(f"sqlite:///{copy}")
    try:
        sessions = make_sessionmaker(engine)
        values = await sealed_values(sessions)
        cases = [(ctx, blob) for ctx, blob in values if ctx.startswith("cases.personal:")]
    finally:
        await engine.dispose()
    assert len(cases) == 40
    assert unreadable(values, new) == 0
    assert {key_id_of(blob) for _, blob in values} == {new_key.key_id}
    assert f"All {len(values)} values read with key {new_key.key_id}" in result.stdout
    assert secret_of(old) not in result.stdout + result.stderr
