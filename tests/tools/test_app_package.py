"""`tryggest app-package`: the zip an IT department uploads to Teams, checked before it is written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dialogs.intents import COMMANDS
from domain.choices import normalise
from tests.tools import run_tool
from tools.app_package import (
    DEFAULT_SOURCE,
    LOCALIZATION_SCHEMA,
    MANIFEST_SCHEMA,
    MANIFEST_VERSION,
    load_schema,
    schema_errors,
)

REPO = Path(__file__).resolve().parents[2]
APP_ID = "2d3f6b4e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"
DOMAIN = "tryggest.moss.kommune.no"
NPM_SCHEMAS = REPO / "node_modules/@microsoft/app-manifest/build/json-schemas/teams"


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tool("app-package", *args, env=env, cwd=cwd)


@pytest.fixture
def env() -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("Microsoft") and k != "TRYGGEST_PUBLIC_DOMAIN"
    }
    clean["PYTHONPATH"] = str(REPO)
    clean["MicrosoftAppId"] = APP_ID
    clean["TRYGGEST_PUBLIC_DOMAIN"] = DOMAIN
    return clean


@pytest.fixture
def package(env: dict[str, str], tmp_path: Path) -> zipfile.ZipFile:
    result = run_cli("--out", "tryggest.zip", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return zipfile.ZipFile(tmp_path / "tryggest.zip")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of appPackage/ that a test may break."""
    return Path(shutil.copytree(DEFAULT_SOURCE, tmp_path / "appPackage"))


def manifest_of(package: zipfile.ZipFile) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(package.read("manifest.json"))
    return manifest


def edit_manifest(source: Path, change: Any) -> None:
    path = source / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_the_package_holds_the_manifest_its_translations_and_both_icons_at_its_root(package):
    assert sorted(package.namelist()) == sorted(
        ["manifest.json", "nn-NO.json", "en-US.json", "color.png", "outline.png"]
    )


def test_the_packaged_manifest_passes_the_vendored_schema(package):
    manifest = manifest_of(package)

    assert manifest["manifestVersion"] == MANIFEST_VERSION
    assert schema_errors(manifest, load_schema(MANIFEST_SCHEMA)) == []
    for name in ("nn-NO.json", "en-US.json"):
        translation = json.loads(package.read(name))
        assert schema_errors(translation, load_schema(LOCALIZATION_SCHEMA)) == []


def test_the_packaged_manifest_names_the_bot_by_its_app_id_and_its_domain(package):
    manifest = manifest_of(package)

    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    assert manifest["validDomains"] == [DOMAIN]
    assert manifest["developer"]["privacyUrl"].startswith(f"https://{DOMAIN}/")
    assert "${{" not in package.read("manifest.json").decode()


def test_the_domain_option_wins_over_the_setting(env, tmp_path):
    result = run_cli(
        "--out", "t.zip", "--domain", "tryggest.rade.kommune.no", env=env, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert manifest_of(zipfile.ZipFile(tmp_path / "t.zip"))["validDomains"] == [
        "tryggest.rade.kommune.no"
    ]


def test_every_command_teams_offers_is_one_the_bot_understands(package):
    manifest = manifest_of(package)
    titles = [
        command["title"]
        for command_list in manifest["bots"][0]["commandLists"]
        for command in command_list["commands"]
    ]
    for name in ("nn-NO.json", "en-US.json"):
        translation = json.loads(package.read(name))
        titles += [value for key, value in translation.items() if key.endswith(".title")]

    understood = {normalise(word) for words in COMMANDS.values() for word in words}
    assert [title for title in titles if normalise(title) not in understood] == []


def test_the_colour_icon_is_192_pixels_square(package):
    with Image.open(package.open("color.png")) as color:
        assert color.size == (192, 192)


def test_the_outline_icon_is_32_pixels_white_on_transparent(package):
    with Image.open(package.open("outline.png")) as outline:
        assert outline.size == (32, 32)
        red, green, blue, alpha = (band.getextrema() for band in outline.convert("RGBA").split())

    # Teams takes only white there: the drawing lives in the alpha channel alone.
    assert red == green == blue == (255, 255)
    assert alpha == (0, 255)


def test_a_wrong_manifest_version_is_refused_with_the_schemas_message(env, source, tmp_path):
    edit_manifest(source, lambda m: m.update(manifestVersion="1.99"))

    result = run_cli("--out", "t.zip", "--source", str(source), env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "manifest.json $.manifestVersion: '1.30' was expected" in result.stderr
    assert not (tmp_path / "t.zip").exists()


def test_a_command_title_over_the_limit_is_refused_and_no_zip_is_written(env, source, tmp_path):
    (tmp_path / "t.zip").write_bytes(b"an older package")

    def lengthen(manifest: dict[str, Any]) -> None:
        manifest["bots"][0]["commandLists"][0]["commands"][0]["title"] = "meld " * 30

    edit_manifest(source, lengthen)

    result = run_cli("--out", "t.zip", "--source", str(source), env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "$.bots[0].commandLists[0].commands[0].title: " in result.stderr
    assert "is too long" in result.stderr
    assert (tmp_path / "t.zip").read_bytes() == b"an older package"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["appPackage", "t.zip"]


def test_an_icon_of_the_wrong_size_is_refused(env, source, tmp_path):
    Image.new("RGB", (100, 100), "teal").save(source / "color.png")

    result = run_cli("--out", "t.zip", "--source", str(source), env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "color.png is 100×100; Teams wants 192×192" in result.stderr
    assert not (tmp_path / "t.zip").exists()


def test_without_an_app_id_it_says_what_to_set_and_exits_2(env, tmp_path):
    del env["MicrosoftAppId"]

    result = run_cli("--out", "t.zip", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "MicrosoftAppId is not set" in result.stderr
    assert not (tmp_path / "t.zip").exists()


def test_without_a_domain_it_says_what_to_set_and_exits_2(env, tmp_path):
    del env["TRYGGEST_PUBLIC_DOMAIN"]

    result = run_cli("--out", "t.zip", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "TRYGGEST_PUBLIC_DOMAIN" in result.stderr
    assert not (tmp_path / "t.zip").exists()


def test_a_url_given_as_the_domain_is_refused(env, tmp_path):
    result = run_cli("--out", "t.zip", "--domain", f"https://{DOMAIN}/", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "without https://" in result.stderr


@pytest.mark.parametrize("schema", [MANIFEST_SCHEMA, LOCALIZATION_SCHEMA], ids=lambda p: p.name)
def test_the_vendored_schemas_refer_only_to_themselves(schema):
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref" and isinstance(v, str))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(load_schema(schema))
    assert [ref for ref in refs if not ref.startswith("#")] == []


@pytest.mark.parametrize(
    ("vendored", "original"),
    [
        (MANIFEST_SCHEMA, "MicrosoftTeams.schema.json"),
        (LOCALIZATION_SCHEMA, "MicrosoftTeams.Localization.schema.json"),
    ],
    ids=["manifest", "localization"],
)
def test_the_vendored_schema_is_the_npm_packages_copy(vendored, original):
    npm_copy = NPM_SCHEMAS / f"v{MANIFEST_VERSION}" / original
    if not npm_copy.exists():
        pytest.skip("node_modules/@microsoft/app-manifest is not installed (npm install)")
    assert vendored.read_bytes() == npm_copy.read_bytes()
