"""`tryggest`: serve the bot, migrate the database, load demo data."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import MissingDataKey, Settings

log = logging.getLogger("tryggest")


def _serve(settings: Settings) -> int:
    from aiohttp import web

    from bot.app import create_app

    try:
        app = create_app(settings)
    except MissingDataKey as error:
        print(error, file=sys.stderr)
        return 2
    if not asyncio.run(_database_ready(settings)):
        print(
            "The database is not up to date. Run `tryggest db upgrade` first "
            "(with the same DATABASE_URL).",
            file=sys.stderr,
        )
        return 2
    if settings.local_mode:
        log.warning(
            "Local mode: MicrosoftAppId is not set, so requests are NOT authenticated. "
            "Listening on 127.0.0.1:%d only.",
            settings.port,
        )
    else:
        log.info("Listening on 0.0.0.0:%d; every request's token is validated.", settings.port)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


async def _database_ready(settings: Settings) -> bool:
    from storage.db import make_engine
    from storage.migrate import is_up_to_date

    engine = make_engine(settings.database_url)
    try:
        return await is_up_to_date(engine)
    except Exception as error:
        log.error("cannot reach the database: %s", type(error).__name__)
        return False
    finally:
        await engine.dispose()


def _db_upgrade(settings: Settings) -> int:
    from storage.db import make_engine
    from storage.migrate import upgrade

    async def run() -> None:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print("Database is up to date.")
    return 0


def _demo_data(settings: Settings, tenant_id: str) -> int:
    from bot.demo import load_demo_data
    from storage.db import make_engine, make_sessionmaker

    async def run() -> str:
        engine = make_engine(settings.database_url)
        try:
            return await load_demo_data(make_sessionmaker(engine), tenant_id)
        finally:
            await engine.dispose()

    print(asyncio.run(run()))
    return 0


def _new_data_key() -> int:
    from storage.crypto import new_key_spec

    print(new_key_spec())
    return 0


def _dump_cards(directory: str) -> int:
    import json
    from pathlib import Path

    from cards.catalogue import sample_cards

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    cards = sample_cards()
    for name, card in cards.items():
        content = json.dumps(card, ensure_ascii=False, indent=2) + "\n"
        (target / f"{name}.json").write_text(content, encoding="utf-8")
    print(f"Wrote {len(cards)} cards to {target}.")
    return 0


# --- app-package: the Teams app zip an IT department uploads ---------------------------------


def _app_package(settings: Settings, out: str, domain: str | None, source: str | None) -> int:
    from pathlib import Path

    from bot.app_package import DEFAULT_SOURCE, AppPackageError, write_package

    try:
        names = write_package(
            Path(out),
            app_id=settings.app_id,
            domain=domain or settings.public_domain,
            source=Path(source) if source else DEFAULT_SOURCE,
        )
    except AppPackageError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Wrote {out}: {', '.join(names)}.")
    return 0


# --- end app-package -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every plugin it loads; only its warnings matter to an administrator.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(
        prog="tryggest", description="TryggEst bot for Microsoft Teams"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="start the bot (POST /api/messages, GET /healthz)")
    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="run the migrations")
    demo = commands.add_parser("demo-data", help="create a demo municipality, team and members")
    demo.add_argument(
        "--tenant",
        default=None,
        help="tenant id of the demo municipality (default: the Agents Playground's tenant)",
    )
    commands.add_parser("new-data-key", help="print a new data encryption key")
    cards = commands.add_parser("cards", help="every card the bot sends, with sample data")
    cards.add_argument("--dump", required=True, metavar="DIR", help="write one JSON file per card")
    # app-package
    package = commands.add_parser(
        "app-package", help="build the Teams app package (manifest and icons) to upload"
    )
    package.add_argument(
        "--out", default="tryggest.zip", help="zip to write (default: %(default)s)"
    )
    package.add_argument(
        "--domain",
        default=None,
        help="the bot's public host name (default: TRYGGEST_PUBLIC_DOMAIN)",
    )
    package.add_argument(
        "--source",
        default=None,
        metavar="DIR",
        help="manifest template and icons (default: appPackage/)",
    )
    args = parser.parse_args(argv)

    settings = Settings()
    if args.command == "serve":
        return _serve(settings)
    if args.command == "db":
        return _db_upgrade(settings)
    if args.command == "demo-data":
        from bot.demo import PLAYGROUND_TENANT_ID

        return _demo_data(settings, args.tenant or PLAYGROUND_TENANT_ID)
    if args.command == "new-data-key":
        return _new_data_key()
    if args.command == "cards":
        return _dump_cards(args.dump)
    if args.command == "app-package":
        return _app_package(settings, args.out, args.domain, args.source)
    parser.error(f"unknown command {args.command}")
    return 2
