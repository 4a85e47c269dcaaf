"""Local mode's data key: made once, kept beside the SQLite database, announced with where it is;
production refuses to start without TRYGGEST_DATA_KEYS."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from bot.config import MissingDataKey, Settings


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory is not where the database is."""
    for name in ("TRYGGEST_DATA_KEYS", "TRYGGEST_KEY_FILE", "MicrosoftAppId", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_the_key_file_is_made_beside_the_sqlite_database(tmp_path, elsewhere, caplog):
    data = tmp_path / "data"
    data.mkdir()
    config = settings(DATABASE_URL=f"sqlite:///{data / 'tryggest.db'}")

    with caplog.at_level(logging.WARNING, logger="bot.config"):
        keys = config.load_data_keys()

    key_file = data / "tryggest-data.key"
    assert key_file.exists()
    assert not (elsewhere / "tryggest-data.key").exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(keys) == 1
    [warning] = [r.getMessage() for r in caplog.records]
    assert str(key_file) in warning
    assert "backups of the database, separately" in warning


def test_the_key_is_made_once_and_then_reused_without_a_warning(tmp_path, caplog):
    config = settings(DATABASE_URL=f"sqlite:///{tmp_path / 'tryggest.db'}")
    first = config.load_data_keys()
    caplog.clear()

    with caplog.at_level(logging.WARNING, logger="bot.config"):
        again = config.load_data_keys()

    assert first == again
    assert caplog.records == []


def test_a_relative_database_path_puts_the_key_in_the_working_directory(elsewhere):
    settings(DATABASE_URL="sqlite:///tryggest.db").load_data_keys()
    assert (elsewhere / "tryggest-data.key").exists()


def test_postgresql_in_local_mode_keeps_the_key_in_the_working_directory(elsewhere):
    settings(DATABASE_URL="postgresql://postgres@127.0.0.1/tryggest").load_data_keys()
    assert (elsewhere / "tryggest-data.key").exists()


def test_an_absolute_key_file_is_used_as_given(tmp_path):
    key_file = tmp_path / "keys" / "mine.key"
    key_file.parent.mkdir()
    settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db' / 'tryggest.db'}", TRYGGEST_KEY_FILE=str(key_file)
    ).load_data_keys()
    assert key_file.exists()


def test_a_key_made_in_the_working_directory_by_an_earlier_version_is_still_used(
    tmp_path, elsewhere
):
    old = settings(DATABASE_URL="sqlite:///tryggest.db").load_data_keys()
    data = tmp_path / "data"
    data.mkdir()

    keys = settings(DATABASE_URL=f"sqlite:///{data / 'tryggest.db'}").load_data_keys()

    assert keys == old
    assert not (data / "tryggest-data.key").exists()


def test_production_refuses_to_start_without_a_data_key(tmp_path):
    config = settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'tryggest.db'}", MicrosoftAppId="some-app"
    )
    with pytest.raises(MissingDataKey):
        config.load_data_keys()
    assert not os.listdir(tmp_path / "cwd")
    assert not (tmp_path / "tryggest-data.key").exists()


def test_the_retention_period_defaults_to_24_months_and_is_at_least_one():
    assert settings().retention_months == 24
    assert settings(TRYGGEST_RETENTION_MONTHS="36").retention_months == 36
    with pytest.raises(ValueError):
        settings(TRYGGEST_RETENTION_MONTHS="0")
