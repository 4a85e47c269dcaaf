"""Serving the bot: `python -m bot`, and `tryggest serve`. The data keys are loaded and proven
against the database, and the database found up to date, before the port is opened."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from typing import TYPE_CHECKING

from bot.config import MissingDataKey, Settings
from storage.crypto import DataKeyError

if TYPE_CHECKING:
    from storage.crypto import FieldCipher

log = logging.getLogger("tryggest")


def configure_logging() -> None:
    """Log lines with their time and level, for `python -m bot` and every `tryggest` command."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every plugin it loads; only its warnings matter to an administrator.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The Agents SDK logs every request to Teams, conversation and activity ids and all, at
    # INFO: a line per reply that says nothing an operator needs, and ids that belong to no log.
    logging.getLogger("microsoft_agents").setLevel(logging.WARNING)


# --- data keys: loaded, and proven against the database, before anything uses them ----------


def data_keys(settings: Settings) -> FieldCipher:
    """The cipher of the keys given. In local mode a key file is made only for a database that
    holds no encrypted data yet: another key would not read it. Raises DataKeyError."""
    from storage.crypto import FieldCipher

    may_create = True
    if settings.local_mode and not settings.data_keys and settings.local_key_file() is None:
        try:
            may_create = not asyncio.run(_holds_encrypted_data(settings))
        except Exception as error:
            raise MissingDataKey(
                f"Local mode: cannot reach the database ({type(error).__name__}) to see whether "
                "it holds data sealed with an earlier key, so no key is made."
            ) from None
    return FieldCipher(settings.load_data_keys(may_create=may_create))


async def _holds_encrypted_data(settings: Settings) -> bool:
    from storage.data_keys import holds_encrypted_data
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        return await holds_encrypted_data(engine)
    finally:
        await engine.dispose()


async def _verify_data_keys(settings: Settings, cipher: FieldCipher) -> None:
    from storage.data_keys import verify_data_keys
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    try:
        await verify_data_keys(make_sessionmaker(engine), cipher)
    finally:
        await engine.dispose()


def proven_keys(settings: Settings) -> FieldCipher:
    """The keys, proven to read the database (storage/data_keys.py). Raises DataKeyError."""
    cipher = data_keys(settings)
    asyncio.run(_verify_data_keys(settings, cipher))
    return cipher


# --- end data keys ---------------------------------------------------------------------------


def serve(settings: Settings) -> int:
    try:
        cipher = data_keys(settings)
    except DataKeyError as error:
        print(error, file=sys.stderr)
        return 2
    if not asyncio.run(database_ready(settings)):
        print(
            "The database is not up to date. Run `tryggest db upgrade` first "
            "(with the same DATABASE_URL).",
            file=sys.stderr,
        )
        return 2
    try:
        # Before the port is open: a bot that cannot read its cases must not take turns.
        asyncio.run(_verify_data_keys(settings, cipher))
        from aiohttp import web

        from bot.app import create_app

        app = create_app(settings)
    except DataKeyError as error:
        print(f"The bot does not start: {error}", file=sys.stderr)
        return 2
    if settings.local_mode:
        log.warning(
            "Local mode: MicrosoftAppId is not set, so requests are NOT authenticated. "
            "Listening on 127.0.0.1:%d only.",
            settings.port,
        )
        key_file = settings.local_key_file()
        if not settings.data_keys and key_file is not None:
            # Said at every start: the file goes with the data, wherever the bot is started.
            log.info("Local mode: the data key is in %s.", key_file.resolve())
    else:
        log.info("Listening on 0.0.0.0:%d; every request's token is validated.", settings.port)
    tune_garbage_collector()
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    except DataKeyError as error:  # the application's own start-up check
        print(f"The bot does not start: {error}", file=sys.stderr)
        return 2
    return 0


# Young objects collected every 10,000 allocations instead of 700 (Python's default).
GC_YOUNG_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """For a long-running bot: everything made at start-up (modules, the app, the code lists)
    is set aside for good, and the young generation is collected less often. A turn makes
    thousands of short-lived objects, nearly all freed at once by reference counting, yet at
    the default thresholds the collector ran through the start-up objects again and again: a
    fifth of a turn's CPU under load (bench/turns.py). Cycles are still collected."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


async def database_ready(settings: Settings) -> bool:
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


USAGE = (
    "usage: python -m bot [serve]\n\n"
    "Starts the bot (as `tryggest serve` does). The other commands, from `db upgrade` to\n"
    "`demo-data`, are the tooling's: `tryggest --help` (or `python -m tools --help`)."
)


def main(argv: list[str] | None = None) -> int:
    """`python -m bot [serve]`: the bot, and nothing else. The other commands are the tooling's."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if args not in ([], ["serve"]):
        print(USAGE, file=sys.stderr)
        return 2
    configure_logging()
    return serve(Settings())
