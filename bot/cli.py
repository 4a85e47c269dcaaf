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


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
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
    parser.error(f"unknown command {args.command}")
    return 2
