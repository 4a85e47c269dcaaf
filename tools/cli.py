"""`tryggest`: serve the bot, migrate the database, load demo data."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import Settings
from bot.serve import configure_logging, data_keys, database_ready, proven_keys, serve
from storage.crypto import DataKeyError
from storage.person_data import CORRECTABLE, ERASE_REASONS


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


def _demo_data(settings: Settings, tenant_id: str, cases: int = 0, seed: int = 2026) -> int:
    from storage.db import make_engine, make_sessionmaker
    from tools.demo import load_demo_data

    cipher = None
    if cases > 0:
        try:
            cipher = proven_keys(settings)
        except DataKeyError as error:
            print(error, file=sys.stderr)
            return 2

    async def run() -> str:
        engine = make_engine(settings.database_url)
        try:
            said = await load_demo_data(make_sessionmaker(engine), tenant_id)
            if cipher is not None:  # synthetic cases over several municipalities
                from tools.demo_cases import load_demo_cases
                from tools.report_cli import progress

                added = await load_demo_cases(
                    make_sessionmaker(engine),
                    tenant_id,
                    cipher,
                    cases,
                    seed,
                    progress=progress(cases),
                )
                said += f" {added} synthetic cases added."
            return said
        finally:
            await engine.dispose()

    print(asyncio.run(run()))
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from storage.db import make_engine, make_sessionmaker
    from tools.report_cli import ReportError, write_report

    async def run() -> str:
        engine = make_engine(settings.database_url)
        try:
            return await write_report(
                make_sessionmaker(engine),
                args.team,
                args.period,
                Path(args.out),
                args.format,
                args.lang,
                settings.stats_threshold,
            )
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(run()))
    except ReportError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


def _new_data_key() -> int:
    from storage.crypto import new_key_spec

    # An id of its own (the day and a random part): two keys under one id cannot both be read.
    print(new_key_spec())
    return 0


def _dump_cards(directory: str) -> int:
    import json
    from pathlib import Path

    from tools.samples.catalogue import sample_cards

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

    from tools.app_package import DEFAULT_SOURCE, AppPackageError, write_package

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


# --- rotate-key and purge: data keys and retention -------------------------------------------


def _rotate_key(settings: Settings, batch_size: int) -> int:
    from storage.data_keys import KeyCheckFailed
    from storage.db import make_engine, make_sessionmaker
    from storage.rotation import RotationReport, count_values, rotate_keys

    if batch_size < 1:
        print("--batch-size must be at least 1", file=sys.stderr)
        return 2
    try:
        cipher = data_keys(settings)
    except DataKeyError as error:
        print(error, file=sys.stderr)
        return 2

    async def run() -> tuple[RotationReport, KeyCheckFailed | None]:
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        try:
            try:
                return await rotate_keys(sessions, cipher, batch_size), None
            except KeyCheckFailed as failed:
                # Nothing written; how much these keys cannot read, to say how bad it is.
                return await count_values(sessions, cipher, batch_size), failed
        finally:
            await engine.dispose()

    report, refused = asyncio.run(run())
    if refused is not None:
        print(f"Nothing was re-encrypted: {refused}", file=sys.stderr)
        print(f"{report.unreadable} values cannot be read with the keys given.", file=sys.stderr)
        return 1
    # Counts only: never a value.
    for name, count in (
        ("cases", report.cases),
        ("dialogue state", report.dialog_state),
        ("texts shared in channels", report.shared_texts),
        ("notes and answers", report.chronology),
    ):
        print(
            f"{name}: {count.rotated} re-encrypted with key {report.key_id}, "
            f"{count.already_current} already under it, {count.unreadable} unreadable, "
            f"{count.changed_meanwhile} changed meanwhile"
        )
    print(f"names the channel guard knows: {report.name_digests} cases under key {report.key_id}")
    if report.complete and not report.still_under:
        print(
            f"No value is under another key than {report.key_id} any more: the others may be "
            "removed from TRYGGEST_DATA_KEYS."
        )
    if report.unreadable:
        print(
            f"{report.unreadable} values could not be read with any key in TRYGGEST_DATA_KEYS "
            "and were left as they are: list the key they were written with and run "
            "rotate-key again.",
            file=sys.stderr,
        )
        return 1
    if report.all_current:
        total = sum(count.already_current for count in report.counts)
        print(f"All {total} values read with key {report.key_id}, and are under it.")
    return 0


def _purge(settings: Settings) -> int:
    from storage.activities import ProcessedActivities
    from storage.db import make_engine, make_sessionmaker
    from storage.retention import Retention
    from storage.state_store import SqlStorage

    try:
        cipher = proven_keys(settings)
    except DataKeyError as error:
        print(error, file=sys.stderr)
        return 2

    async def run() -> tuple[int, int, int]:
        engine = make_engine(settings.database_url)
        try:
            sessions = make_sessionmaker(engine)
            erased = await Retention(sessions, cipher, settings.retention_months).erase_expired()
            drafts = await SqlStorage(sessions, cipher).purge_untouched()
            activities = await ProcessedActivities(sessions).purge()
            return erased, drafts, activities
        finally:
            await engine.dispose()

    erased, drafts, activities = asyncio.run(run())
    print(
        f"Personal data erased from {erased} cases closed more than "
        f"{settings.retention_months} months ago; {drafts} stale report drafts and "
        f"{activities} old activity ids deleted."
    )
    return 0


# --- end rotate-key and purge ----------------------------------------------------------------


# --- org apply: the configuration file (tenants, first admins, organisation) ----------------


def _org_apply(settings: Settings, config: str | None) -> int:
    from pathlib import Path

    from storage.db import make_engine, make_sessionmaker
    from storage.org_config import ConfigError, apply_config, load_config

    path = Path(config or settings.config_file)
    if not path.exists():
        print(
            f"No configuration file at {path}: give one with --config FILE or TRYGGEST_CONFIG "
            "(docs/tryggest.example.toml shows the format).",
            file=sys.stderr,
        )
        return 2
    try:
        org = load_config(path)
    except ConfigError as error:
        print(f"The configuration file cannot be used: {error}", file=sys.stderr)
        return 2
    if not asyncio.run(database_ready(settings)):
        print("The database is not up to date. Run `tryggest db upgrade` first.", file=sys.stderr)
        return 2

    async def run() -> str:
        engine = make_engine(settings.database_url)
        try:
            return (await apply_config(make_sessionmaker(engine), org)).text()
        finally:
            await engine.dispose()

    # Organisation names and counts only: never a person's name or id.
    print(asyncio.run(run()))
    return 0


# --- end org apply ---------------------------------------------------------------------------


# --- anonymise: JSON lines through the anonymiser (stdin -> stdout) --------------------------


def _anonymise() -> int:
    from domain.anonymiser import anonymise_jsonl

    for line in anonymise_jsonl(sys.stdin):
        print(line, flush=True)
    return 0


# --- end anonymise ---------------------------------------------------------------------------


# --- reminders: one sweep, now or at a given time -------------------------------------------


def _reminders_sweep(settings: Settings, at: str | None) -> int:
    """Plan and send what is due, as the scheduler does every half minute. `--at` sends as if it
    were that time (Oslo time when no zone is given): for trying the reminders in the Agents
    Playground without waiting, and for catching up by hand after downtime."""
    from datetime import datetime

    from bot.app import SERVICES_KEY, create_app
    from domain.calendar import OSLO
    from domain.clock import utcnow

    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            print(f"Not a time: {at!r} (write e.g. 2027-03-22T08:00).", file=sys.stderr)
            return 2
        now = moment if moment.tzinfo else moment.replace(tzinfo=OSLO)
    else:
        now = utcnow()
    if not asyncio.run(database_ready(settings)):
        print("The database is not up to date. Run `tryggest db upgrade` first.", file=sys.stderr)
        return 2
    try:
        proven_keys(settings)
    except DataKeyError as error:
        print(error, file=sys.stderr)
        return 2

    async def run() -> tuple[int, dict[str, int]]:
        app = create_app(settings)
        services = app[SERVICES_KEY]
        assert services.reminders is not None and services.plan_reminders is not None
        try:
            planned = await services.plan_reminders(now)
            return planned, await services.reminders.run_once(now)
        finally:
            from bot.app import ENGINE_KEY

            await app[ENGINE_KEY].dispose()

    planned, counts = asyncio.run(run())
    done = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing due"
    print(f"Reminders at {now.isoformat()}: {planned} planned; {done}.")
    return 0


# --- end reminders ---------------------------------------------------------------------------


# --- outbox: what the bot owes, and failed messages put back ---------------------------------


def _outbox(settings: Settings, retry: list[str], all_failed: bool) -> int:
    """Lists what waits to be delivered and what failed (ids, kinds, times and the last error:
    never what a message carries), or puts failed messages back on the queue. The running bot
    takes them at its next tick (a few seconds)."""
    from storage.db import make_engine, make_sessionmaker
    from storage.outbox import Outbox

    if not asyncio.run(database_ready(settings)):
        print("The database is not up to date. Run `tryggest db upgrade` first.", file=sys.stderr)
        return 2

    async def run() -> int:
        engine = make_engine(settings.database_url)
        outbox = Outbox(make_sessionmaker(engine))
        try:
            if not retry and not all_failed:
                entries = await outbox.entries()
                for entry in entries:
                    when = entry.next_attempt_at or entry.created_at
                    print(
                        f"{entry.id}  {entry.state:<8} {entry.what:<28} {entry.case_number or '-':<13}"
                        f"  tries {entry.attempts}  next {when:%Y-%m-%d %H:%M}"
                        f"  {entry.last_error or ''}".rstrip()
                    )
                health = await outbox.health()
                print(f"{health.pending} pending ({health.overdue} late), {health.failed} failed.")
                return 0
            ids = list(retry)
            if all_failed:
                ids += [e.id for e in await outbox.entries(("failed",))]
            put_back = [item for item in ids if await outbox.put_back(item)]
            for item in sorted(set(ids) - set(put_back)):
                print(f"{item}: not a failed message (delivered, pending, or no such id)")
            print(f"{len(put_back)} message(s) put back on the queue.")
            return 0 if len(put_back) == len(set(ids)) else 1
        finally:
            await engine.dispose()

    return asyncio.run(run())


# --- end outbox ------------------------------------------------------------------------------


# --- person: a person's rights on one case (access, erasure) ---------------------------------


def _person(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from domain.clock import utcnow
    from storage.db import make_engine, make_sessionmaker
    from tools.person_cli import PersonCommandError, PersonCommands

    if args.person_command == "erase" and not args.yes:
        print(
            f"This erases the personal data in {args.case} for good. Run it again with --yes.",
            file=sys.stderr,
        )
        return 2
    value = ""
    if args.person_command == "correct":
        # The new value comes on standard input, never on the command line: a shell keeps
        # its command lines in a history file.
        if sys.stdin.isatty():
            print(f"Type the corrected {args.field}, then Ctrl-D:", file=sys.stderr)
        value = sys.stdin.read()
    try:
        cipher = proven_keys(settings)
    except DataKeyError as error:
        print(error, file=sys.stderr)
        return 2

    async def run() -> str:
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        commands = PersonCommands(
            sessions, cipher, args.by, utcnow(), args.tenant, args.municipality
        )
        try:
            if args.person_command == "correct":
                return await commands.correct(args.case, args.field, value)
            if args.person_command == "export":
                return await commands.export(args.case, Path(args.out), args.lang)
            return await commands.erase(args.case, args.reason)
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(run()))
    except PersonCommandError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


# --- end person ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    parser = argparse.ArgumentParser(
        prog="tryggest", description="TryggEst bot for Microsoft Teams"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve", help="start the bot (POST /api/messages, GET /healthz, GET /readyz)"
    )
    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="run the migrations")
    demo = commands.add_parser("demo-data", help="create a demo municipality, team and members")
    demo.add_argument(
        "--tenant",
        default=None,
        help="tenant id of the demo municipality (default: the Agents Playground's tenant)",
    )
    demo.add_argument(
        "--cases",
        type=int,
        default=0,
        metavar="N",
        help="also N synthetic cases over several municipalities and years (for the report)",
    )
    demo.add_argument("--seed", type=int, default=2026, help="for --cases: the same N each time")
    report = commands.add_parser("report", help="the half-year report for Bufdir, as a file")
    report.add_argument("--team", required=True, help="the team's id or name")
    report.add_argument("--period", required=True, help="the half year, e.g. 2026H1")
    report.add_argument("--out", required=True, metavar="FILE", help="e.g. report.xlsx")
    report.add_argument(
        "--format",
        choices=["xlsx", "csv"],
        default=None,
        help="default: from the file name (.csv), else xlsx",
    )
    report.add_argument("--lang", choices=["nb", "nn", "en"], default="nb")
    commands.add_parser(
        "new-data-key", help="print a new data encryption key, with an id of its own"
    )
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
    # rotate-key and purge
    rotate = commands.add_parser(
        "rotate-key", help="re-encrypt all personal data with the first TRYGGEST_DATA_KEYS key"
    )
    rotate.add_argument("--batch-size", type=int, default=200, help="rows per transaction")
    commands.add_parser(
        "purge",
        help="erase personal data of cases closed longer ago than TRYGGEST_RETENTION_MONTHS, "
        "delete stale drafts",
    )
    # org apply
    org = commands.add_parser(
        "org", help="the organisation: tenants, admins, municipalities, teams"
    )
    org_commands = org.add_subparsers(dest="org_command", required=True)
    org_apply = org_commands.add_parser(
        "apply", help="make the database say what the configuration file says (idempotent)"
    )
    org_apply.add_argument(
        "--config", default=None, metavar="FILE", help="the file (default: TRYGGEST_CONFIG)"
    )
    # anonymise
    commands.add_parser(
        "anonymise",
        help='replace identifiers in text: JSON lines {"id","text","known_names"} on stdin, '
        '{"id","text"} on stdout',
    )
    # reminders
    reminders = commands.add_parser("reminders", help="the reminders (deadlines, gatherings)")
    reminder_commands = reminders.add_subparsers(dest="reminders_command", required=True)
    sweep = reminder_commands.add_parser("sweep", help="plan and send what is due now, once")
    sweep.add_argument(
        "--at", default=None, metavar="TIME", help="as if it were this time (2027-03-22T08:00)"
    )
    # outbox
    outbox = commands.add_parser(
        "outbox", help="what the bot owes Teams: pending and failed messages, put back"
    )
    outbox_commands = outbox.add_subparsers(dest="outbox_command")
    outbox_retry = outbox_commands.add_parser("retry", help="put failed messages back")
    outbox_retry.add_argument("ids", nargs="*", metavar="ID", help="the messages' ids")
    outbox_retry.add_argument("--all-failed", action="store_true", help="every message that failed")
    person = commands.add_parser(
        "person", help="a person's rights on one case: everything stored, or erased, on request"
    )
    person_commands = person.add_subparsers(dest="person_command", required=True)
    export = person_commands.add_parser("export", help="everything about the person, as a file")
    erase = person_commands.add_parser("erase", help="erase the case's personal data now")
    correct = person_commands.add_parser(
        "correct", help="correct one of the person's details (the new value on standard input)"
    )
    correct.add_argument("--field", required=True, choices=list(CORRECTABLE))
    for sub in (export, erase, correct):
        sub.add_argument("--case", required=True, help="the case number, e.g. TE-2026-0042")
        sub.add_argument("--by", required=True, help="who runs it, for the access log")
        sub.add_argument("--tenant", help="the tenant, when the number is in several")
        sub.add_argument("--municipality", help="the municipality, when the number is in several")
    export.add_argument("--out", required=True, metavar="FILE", help="e.g. innsyn.md")
    export.add_argument("--lang", choices=["nb", "nn", "en"], default="nb")
    erase.add_argument("--reason", required=True, choices=list(ERASE_REASONS))
    erase.add_argument("--yes", action="store_true", help="it cannot be undone")
    args = parser.parse_args(argv)
    if args.command == "anonymise":  # needs no settings: pure text in, text out
        return _anonymise()

    settings = Settings()
    if args.command == "serve":
        return serve(settings)
    if args.command == "db":
        return _db_upgrade(settings)
    if args.command == "demo-data":
        from tools.demo import PLAYGROUND_TENANT_ID

        return _demo_data(settings, args.tenant or PLAYGROUND_TENANT_ID, args.cases, args.seed)
    if args.command == "report":
        return _report(settings, args)
    if args.command == "new-data-key":
        return _new_data_key()
    if args.command == "cards":
        return _dump_cards(args.dump)
    if args.command == "app-package":
        return _app_package(settings, args.out, args.domain, args.source)
    if args.command == "rotate-key":
        return _rotate_key(settings, args.batch_size)
    if args.command == "purge":
        return _purge(settings)
    if args.command == "org":
        return _org_apply(settings, args.config)
    if args.command == "reminders":
        return _reminders_sweep(settings, args.at)
    if args.command == "outbox":
        if args.outbox_command == "retry" and not (args.ids or args.all_failed):
            parser.error("outbox retry: name the messages' ids, or --all-failed")
        retrying = args.outbox_command == "retry"
        return _outbox(settings, args.ids if retrying else [], retrying and args.all_failed)
    if args.command == "person":
        return _person(settings, args)
    parser.error(f"unknown command {args.command}")
    return 2
