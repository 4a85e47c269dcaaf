"""The Teams app package an IT department uploads: appPackage/ filled in, checked, zipped.

appPackage/manifest.json is a template: `${{MicrosoftAppId}}` and `${{TRYGGEST_PUBLIC_DOMAIN}}`
stand where the bot's Entra app id and its public host name go. The filled manifest (and each
localization file) must pass Microsoft's own JSON schema, vendored in tools/schemas/, before a zip
is written; Teams' upload otherwise fails with far less helpful messages.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft7Validator, validators
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

MANIFEST_VERSION = "1.30"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
MANIFEST_SCHEMA = SCHEMA_DIR / f"teams-manifest-v{MANIFEST_VERSION}.schema.json"
LOCALIZATION_SCHEMA = SCHEMA_DIR / f"teams-localization-v{MANIFEST_VERSION}.schema.json"
DEFAULT_SOURCE = Path(__file__).resolve().parents[1] / "appPackage"
MANIFEST = "manifest.json"
# Teams refuses an upload whose icons have other sizes.
ICON_SIZES = {"color": (192, 192), "outline": (32, 32), "color32x32": (32, 32)}

_PLACEHOLDER = re.compile(r"\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# A bare host name, as validDomains wants it: no scheme, port or path.
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)

# The Teams schemas say draft-04 but use `const` and `if`/`then` from later drafts. Microsoft's
# validator (ajv-draft-04) enforces those, so a plain Draft4Validator would let through a wrong
# manifestVersion that Teams then rejects.
TeamsSchemaValidator = validators.extend(
    Draft4Validator,
    {
        keyword: Draft7Validator.VALIDATORS[keyword]
        for keyword in ("const", "if", "contains", "propertyNames")
    },
)


class AppPackageError(Exception):
    """The package was not written; the message tells the administrator why."""


# Every $ref in the vendored schemas is local: a schema is never fetched at run time. (The
# ignores: mypy can't see the __init__s that referencing's attrs wrapper generates.)
def _no_network(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


_OFFLINE = Registry(retrieve=_no_network)  # type: ignore[call-arg]


def load_schema(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def schema_errors(document: Any, schema: dict[str, Any]) -> list[str]:
    """Each violation as '<JSON path>: <the schema validator's message>', in document order."""
    validator = TeamsSchemaValidator(schema, registry=_OFFLINE)
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path])
    return [f"{error.json_path}: {error.message}" for error in errors]


def fill(template: Any, values: dict[str, str]) -> Any:
    """Replace `${{NAME}}` in every string of a parsed JSON document."""
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise AppPackageError(f"{MANIFEST}: unknown placeholder ${{{{{name}}}}}.")
            return values[name]

        return _PLACEHOLDER.sub(replace, template)
    return template


def check_app_id(app_id: str) -> str:
    app_id = app_id.strip()
    if not app_id:
        raise AppPackageError(
            "MicrosoftAppId is not set. The app package names the bot by its Microsoft Entra "
            "app registration: set MicrosoftAppId (environment or .env) to its application "
            "(client) id and run again."
        )
    if not _GUID.match(app_id):
        raise AppPackageError(
            f"MicrosoftAppId {app_id!r} is not an application id (a GUID such as "
            "00000000-0000-0000-0000-000000000000)."
        )
    return app_id.lower()


def check_domain(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    if not domain:
        raise AppPackageError(
            "The bot's public domain is not set. Set TRYGGEST_PUBLIC_DOMAIN (or pass --domain) "
            "to the host name Teams reaches the bot on, e.g. tryggest.kommune.no."
        )
    if not _DOMAIN.match(domain):
        raise AppPackageError(
            f"{domain!r} is not a host name. Give the domain alone, without https:// or a path, "
            "e.g. tryggest.kommune.no."
        )
    return domain


def build_manifests(source: Path, app_id: str, domain: str) -> dict[str, Any]:
    """The filled manifest and its localization files by name, each valid against its schema."""
    values = {
        "MicrosoftAppId": check_app_id(app_id),
        "TRYGGEST_PUBLIC_DOMAIN": check_domain(domain),
    }
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise AppPackageError(
            f"No manifest template at {manifest_path}: run from a checkout of the repository, "
            "or pass --source with the folder that holds manifest.json and the icons."
        )
    documents: dict[str, Any] = {MANIFEST: fill(_read_json(manifest_path), values)}
    problems = _prefixed(MANIFEST, schema_errors(documents[MANIFEST], load_schema(MANIFEST_SCHEMA)))

    localization_schema = load_schema(LOCALIZATION_SCHEMA)
    for name in _localization_files(documents[MANIFEST]):
        path = source / name
        if not path.is_file():
            problems.append(f"{MANIFEST}: localization file {name} is missing from {source}.")
            continue
        documents[name] = fill(_read_json(path), values)
        problems += _prefixed(name, schema_errors(documents[name], localization_schema))

    for kind, name in _icons(documents[MANIFEST]).items():
        problems += _icon_problems(source / name, ICON_SIZES.get(kind))
    if problems:
        raise AppPackageError(
            f"No package written: Teams would refuse it (manifest schema v{MANIFEST_VERSION}):\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )
    return documents


def write_package(
    out: Path, *, app_id: str, domain: str, source: Path = DEFAULT_SOURCE
) -> list[str]:
    """Write the zip Teams accepts (every file at its root) and return the names in it."""
    documents = build_manifests(source, app_id, domain)
    icons = list(_icons(documents[MANIFEST]).values())
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a failure never leaves a half zip at `out`.
    partial = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as package:
            for name, document in documents.items():
                text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
                package.writestr(name, text.encode("utf-8"))
            for name in icons:
                package.write(source / name, arcname=name)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return [*documents, *icons]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise AppPackageError(f"{path.name} is not valid JSON: {error}") from error


def _localization_files(manifest: Any) -> list[str]:
    info = manifest.get("localizationInfo") if isinstance(manifest, dict) else None
    languages = info.get("additionalLanguages", []) if isinstance(info, dict) else []
    return [
        language["file"]
        for language in languages
        if isinstance(language, dict) and isinstance(language.get("file"), str)
    ]


def _icons(manifest: Any) -> dict[str, str]:
    icons = manifest.get("icons") if isinstance(manifest, dict) else None
    if not isinstance(icons, dict):
        return {}
    return {kind: path for kind, path in icons.items() if isinstance(path, str)}


def _icon_problems(path: Path, size: tuple[int, int] | None) -> list[str]:
    if not path.is_file():
        return [f"{MANIFEST}: icon {path.name} is missing from {path.parent}."]
    header = path.read_bytes()[:24]
    # A PNG starts with its 8-byte signature and the IHDR chunk: width and height, big-endian.
    if header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR":
        return [f"{MANIFEST}: icon {path.name} is not a PNG file."]
    actual = (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big"))
    if size is not None and actual != size:
        return [
            f"{MANIFEST}: icon {path.name} is {actual[0]}×{actual[1]}; Teams wants {size[0]}×{size[1]}."
        ]
    return []


def _prefixed(name: str, problems: Iterable[str]) -> list[str]:
    return [f"{name} {problem}" for problem in problems]
