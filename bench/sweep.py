"""The reminder sweep with many reminders due at once (a benchmark, not a test: run it on
purpose, read the figures).

    .venv/bin/python bench/sweep.py                              # SQLite, 10,000 reminders
    .venv/bin/python bench/sweep.py --db postgresql
    .venv/bin/python bench/sweep.py --reminders 2000 --tenants 1 # one tenant: Teams' pace

What runs is the bot's own sweep: `bot.app.create_app` with a fresh migrated database holding
the demo organisation and synthetic cases (`tryggest demo-data --cases`), and
`services.reminders.run_once()`, the call APScheduler makes every half minute. Only the Bot
Connector is stood in for: a small aiohttp server on 127.0.0.1, in a process of its own, that
answers each POST as Teams does and counts them per conversation.

Due: `--reminders` assessment reminders ("the report is not assessed yet", a real kind), each to
a different person who has written to the bot before (a conversation reference stored with
`ConversationReferences.remember`), about cases not yet assessed. The people are spread over
`--tenants` tenants: the bot keeps to Teams' limit of 30 sends a second per tenant
(bot/rate_limit.py), so with one tenant the sweep can go no faster than that, whatever the code
costs; the default spreads them so that the sweep's own cost is what is measured.

One `run_once` call puts what is due on the outbox in batches of 200 (storage/reminders.py)
and delivers the outbox in batches of 20 (scheduler/outbox.py); it is called again, as the
scheduler would, until every reminder is sent or a sweep sends nothing.
The references and reminders are made in a child process, so the figures (CPU seconds and peak
resident memory, from getrusage and /proc) are the bot's alone; PostgreSQL's own CPU is not in
them. The run fails (exit 1) unless the connector received exactly one card per reminder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

TENANT = "0d3a0e55-7e57-4b0e-9d10-de30c0a11111"  # the demo data's tenant
DATA_KEY = "bench:" + "B" * 43
DEMO_CASES = 2000
BOT_ID = "28:bench-bot"
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tenant_of(index: int, tenants: int) -> str:
    """The demo tenant first, then made-up ones (the bot knows a tenant by its id only)."""
    k = index % tenants
    return TENANT if k == 0 else str(uuid.UUID(int=0xBE4C0000 << 96 | k))


def person_of(index: int) -> str:
    return f"bench-person-{index:06d}"


def conversation_of(index: int) -> str:
    return f"a:bench-{index:06d}"


# --- the fake Bot Connector (a process of its own) -------------------------------------------


def run_connector(port: int) -> None:
    sends: Counter[str] = Counter()
    other: Counter[str] = Counter()

    async def send(request: web.Request) -> web.Response:
        await request.read()
        sends[request.match_info["conversation"]] += 1
        return web.json_response({"id": f"r{sum(sends.values())}"})

    async def anything(request: web.Request) -> web.Response:
        other[f"{request.method} {request.path}"] += 1
        if request.method == "POST" and request.path == "/v3/conversations":
            return web.json_response({"id": "a:new", "activityId": "1"}, status=201)
        return web.json_response({})

    async def counts(request: web.Request) -> web.Response:
        return web.json_response({"sends": dict(sends), "other": dict(other)})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", send)
    app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", send)
    app.router.add_get("/_counts", counts)
    app.router.add_route("*", "/{tail:.*}", anything)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def start_connector() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--connector", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the fake connector did not start")


async def connector_counts(service_url: str) -> dict[str, Any]:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(service_url + "_counts") as response:
            return dict(await response.json())


# --- the database: demo organisation, cases, references and due reminders ------------------


def prepare_database(kind: str, workdir: Path) -> tuple[str, str | None]:
    """A migrated database with the demo organisation and synthetic cases: (url, PostgreSQL
    database to drop afterwards)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import turns

    return turns.prepare_database(kind, workdir, cases=DEMO_CASES)


async def make_due(url: str, service_url: str, count: int, tenants: int, due: datetime) -> None:
    """The people's conversation references (as the bot stores them when someone writes) and
    one due assessment reminder each, planned as storage/casework_reminders.py plans them."""
    from sqlalchemy import select, text

    from domain.access import Person
    from storage.casework_reminders import ASSESSMENT
    from storage.db import make_engine, make_sessionmaker
    from storage.models import Case
    from storage.references import ConversationReferences, StoredReference
    from storage.reminders import ReminderSpec, schedule

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            cases = (
                await session.execute(
                    select(Case.id, Case.team_id)
                    .where(Case.classification.is_(None), Case.status != "closed")
                    .order_by(Case.created_at)
                )
            ).all()
        if not cases:
            raise RuntimeError("the demo data has no case waiting for assessment")
        references = ConversationReferences(sessions)
        for i in range(count):
            await references.remember(
                StoredReference(
                    tenant_id=tenant_of(i, tenants),
                    aad_object_id=person_of(i),
                    service_url=service_url,
                    channel_id="msteams",
                    conversation_id=conversation_of(i),
                    bot_id=BOT_ID,
                    locale="nb-NO",
                )
            )
        for start in range(0, count, 1000):
            async with sessions() as session, session.begin():
                for i in range(start, min(count, start + 1000)):
                    case_id, team_id = cases[i % len(cases)]
                    person = Person(tenant_of(i, tenants), person_of(i))
                    await schedule(
                        session,
                        ReminderSpec(
                            key=f"{ASSESSMENT}:{case_id}:{person.tenant_id}:{person.aad_object_id}",
                            tenant_id=TENANT,
                            kind=ASSESSMENT,
                            # Spread over the last hour, as a backlog after downtime would be.
                            due_at=due - timedelta(seconds=3600 * i / count),
                            person=person,
                            team_id=team_id,
                            case_id=case_id,
                            payload={"working_days": 3},
                        ),
                    )
        if engine.dialect.name == "postgresql":
            # What autovacuum would have done by the time 10,000 reminders fall due.
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("ANALYZE reminders"))
                await conn.execute(text("ANALYZE conversation_references"))
        print(f"  {count:,} references and reminders over {len(cases)} unassessed cases")
    finally:
        await engine.dispose()


# --- the measured part: the bot's sweep ------------------------------------------------------


def memory_mb() -> tuple[float, float]:
    """(resident now, peak resident) of this process, in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def sweep(url: str, service_url: str, count: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from bot.app import SERVICES_KEY, create_app
    from bot.config import Settings
    from storage.db import make_engine
    from storage.models import Reminder

    settings = Settings(
        _env_file=None,
        DATABASE_URL=url,
        TRYGGEST_DATA_KEYS=DATA_KEY,
        # Local mode whatever the environment says: no token is fetched for a send.
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        # The sweep is called here, as the scheduler calls it; nothing else sweeps meanwhile.
        TRYGGEST_SCHEDULER="false",
        TRYGGEST_OUTBOX_DELIVERY="false",
    )
    app = create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()  # the bot's background work (housekeeping) runs as it would
    services = app[SERVICES_KEY]
    assert services.reminders is not None
    rss_before, _ = memory_mb()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    totals: Counter[str] = Counter()
    sweeps = 0
    try:
        while totals["sent"] < count:
            counts = await services.reminders.run_once()
            sweeps += 1
            totals.update(counts)
            if not counts.get("sent"):
                break
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        rss_after, peak = memory_mb()
    finally:
        await runner.cleanup()
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            states = dict(
                (
                    await conn.execute(
                        select(Reminder.state, func.count())
                        .where(Reminder.key.like("assessment:%:bench-person-%"))
                        .group_by(Reminder.state)
                    )
                ).all()
            )
    finally:
        await engine.dispose()
    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "peak": peak,
        "sweeps": sweeps,
        "counts": dict(totals),
        "states": states,
    }


async def measure(args: argparse.Namespace) -> int:
    connector, service_url = start_connector()
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        url, drop = prepare_database(args.db, Path(workdir))
        try:
            due = datetime.now(UTC) - timedelta(minutes=1)
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--make-due",
                    url,
                    service_url,
                    str(args.reminders),
                    str(args.tenants),
                    due.isoformat(),
                ],
                cwd=ROOT,
                check=True,
            )
            print(f"  prepared in {time.perf_counter() - started:.0f} s")
            figures = await sweep(url, service_url, args.reminders)
            received = await connector_counts(service_url)
        finally:
            connector.terminate()
            connector.wait(timeout=10)
            if drop:
                subprocess.run([*PG_ADMIN, f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)'])
    sends: dict[str, int] = received["sends"]
    wanted = {conversation_of(i) for i in range(args.reminders)}
    ours = {c: n for c, n in sends.items() if c in wanted}
    twice = sum(1 for n in ours.values() if n > 1)
    missing = len(wanted - ours.keys())
    total = sum(ours.values())
    elapsed = figures["elapsed"]
    print(
        f"{args.db:<10} {args.reminders:,} due reminders in {args.tenants} tenant(s): "
        f"{total:,} sent in {elapsed:.1f} s = {total / elapsed:,.0f} reminders/s "
        f"({figures['sweeps']} sweep call(s): {figures['counts']})"
    )
    print(
        f"{'':<10} connector: {sum(sends.values()):,} sends in all, {total:,} of ours, "
        f"{missing} missing, {twice} more than once; rows by state {figures['states']}"
    )
    print(
        f"{'':<10} CPU {figures['cpu']:.1f} s ({figures['cpu'] / max(total, 1) * 1000:.2f} ms "
        f"a reminder, {figures['cpu'] / elapsed:.0%} of one core) | resident "
        f"{figures['rss_before']:.0f} MB before, {figures['rss_after']:.0f} MB after, "
        f"peak {figures['peak']:.0f} MB"
    )
    print(
        json.dumps(
            {
                "db": args.db,
                "reminders": args.reminders,
                "tenants": args.tenants,
                "sent": total,
                "seconds": round(elapsed, 2),
                "per_second": round(total / elapsed, 1),
                "cpu_seconds": round(figures["cpu"], 2),
                "peak_mb": round(figures["peak"]),
                "missing": missing,
                "more_than_once": twice,
            }
        )
    )
    exactly_once = total == args.reminders and missing == 0 and twice == 0
    if not exactly_once:
        print("FAILED: not exactly one card per reminder", file=sys.stderr)
    return 0 if exactly_once else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument(
        "--tenants",
        type=int,
        default=100,
        help="tenants the people are spread over (30 sends a second each at most)",
    )
    # The two helper processes: the fake connector, and the making of the due reminders.
    parser.add_argument("--connector", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--make-due", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.connector:
        run_connector(args.connector)
        return 0
    if args.make_due:
        url, service_url, count, tenants, due = args.make_due
        asyncio.run(
            make_due(url, service_url, int(count), int(tenants), datetime.fromisoformat(due))
        )
        return 0
    return asyncio.run(measure(args))


if __name__ == "__main__":
    sys.exit(main())
