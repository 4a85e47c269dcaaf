"""Local mode's data key: made once, kept beside the data (the SQLite file, or the data directory
for PostgreSQL), announced with where it is, and never made for a database that already holds
data; production refuses to start without TRYGGEST_DATA_KEYS."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from bot.config import MissingDataKey, Settings
from storage.crypto import DataKeyError


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory is not where the database is."""
    for name in (
        "TRYGGEST_DATA_KEYS",
        "TRYGGEST_KEY_FILE",
        "TRYGGEST_DATA_DIR",
        "MicrosoftAppId",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    # Not the developer's own data directory.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
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


def test_postgresql_in_local_mode_keeps_the_key_in_the_data_directory(tmp_path, elsewhere):
    keys = settings(DATABASE_URL="postgresql://postgres@127.0.0.1/tryggest").load_data_keys()

    key_file = tmp_path / "xdg" / "tryggest" / "tryggest-data.key"
    assert key_file.exists() and not (elsewhere / "tryggest-data.key").exists()
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert (
        settings(DATABASE_URL="postgresql://postgres@127.0.0.1/tryggest").load_data_keys() == keys
    )


def test_the_data_directory_can_be_named(tmp_path):
    data = tmp_path / "mine"
    config = settings(
        DATABASE_URL="postgresql://postgres@127.0.0.1/tryggest", TRYGGEST_DATA_DIR=str(data)
    )
    config.load_data_keys()
    assert (data / "tryggest-data.key").exists()


def test_postgresql_started_from_another_directory_finds_the_same_key(tmp_path, monkeypatch):
    url = "postgresql://postgres@127.0.0.1/tryggest"
    first = settings(DATABASE_URL=url).load_data_keys()
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)

    assert settings(DATABASE_URL=url).load_data_keys() == first
    assert not (other / "tryggest-data.key").exists()


def test_no_key_is_made_for_a_database_that_already_holds_data(tmp_path):
    config = settings(DATABASE_URL=f"sqlite:///{tmp_path / 'tryggest.db'}")

    with pytest.raises(MissingDataKey) as refused:
        config.load_data_keys(may_create=False)

    assert "already holds encrypted data" in str(refused.value)
    assert str(tmp_path / "tryggest-data.key") in str(refused.value)
    assert not (tmp_path / "tryggest-data.key").exists()


def test_a_malformed_key_file_is_named_and_its_content_is_not_shown(tmp_path):
    (tmp_path / "tryggest-data.key").write_text("k1:not-a-key-at-all\n")
    config = settings(DATABASE_URL=f"sqlite:///{tmp_path / 'tryggest.db'}")

    with pytest.raises(DataKeyError) as refused:
        config.load_data_keys()

    assert str(tmp_path / "tryggest-data.key") in str(refused.value)
    assert "not-a-key-at-all" not in str(refused.value)


def test_a_new_key_file_has_a_key_id_of_its_own(tmp_path):
    first = settings(DATABASE_URL=f"sqlite:///{tmp_path / 'a' / 'tryggest.db'}")
    second = settings(DATABASE_URL=f"sqlite:///{tmp_path / 'b' / 'tryggest.db'}")
    [one], [two] = first.load_data_keys(), second.load_data_keys()
    assert one.key_id != two.key_id


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
