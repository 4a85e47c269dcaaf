"""Turn latency and throughput of the real bot, against a stock botbuilder echo bot measured the
same way in the same run (a benchmark, not a test: run it on purpose, read the figures).

    .venv/bin/python bench/turns.py                       # SQLite, 50 reporters
    .venv/bin/python bench/turns.py --db postgresql --reporters 100
    .venv/bin/python bench/turns.py --idle 1000           # peak memory with 1,000 dialogues open

The yardsticks: the stock botbuilder echo bot (bench/echo_bot.py, run from .venv-yardstick, since
the bot no longer installs botbuilder), and the Microsoft 365 Agents SDK's echo bot
(bench/agents_echo_bot.py), stock and on public extension points alone.

Each bot runs as its own process (local mode, no auth) and replies to a fake Bot Connector on
127.0.0.1. A reporter walks the whole report dialogue as a person would: card taps and typed
answers, each turn waiting for the bot's reply before the next; under load each reporter sends
`--rounds` reports in a row (3 by default, so the loaded phase lasts long enough to read: with
one report each it lasted about 2 s and one run moved by ±10%). Latency is from the POST to the
reply reaching the connector. CPU time and peak memory are the bot process's own (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
TENANT = "0d3a0e55-7e57-4b0e-9d10-de30c0a11111"  # the demo data's tenant
DATA_KEY = "bench:" + "B" * 43


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the fake Bot Connector: records when each reply arrives --------------------------------


@dataclass
class Connector:
    waiting: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    received: int = 0

    def expect(self, activity_id: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[activity_id] = future
        return future

    async def reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received += 1
        # A turn may send several replies; the last one is the one the person answers.
        reply_to = body.get("replyToId") or request.match_info.get("reply_to")
        future = self.waiting.get(reply_to or "")
        if future is not None and not future.done():
            body["_arrived"] = time.perf_counter()
            future.set_result(body)
        return web.json_response({"id": f"r{next(self.ids)}"})

    async def other(self, request: web.Request) -> web.Response:
        if request.method == "POST" and request.path == "/v3/conversations":
            return web.json_response({"id": "19:x;messageid=1", "activityId": "1"}, status=201)
        if "/members/" in request.path:
            return web.json_response({"id": "29:x", "name": "Bench", "aadObjectId": "x"})
        return web.json_response({"id": f"r{next(self.ids)}"})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.reply)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.reply)
        app.router.add_route("*", "/{tail:.*}", self.other)
        return app


# --- a person in personal chat ----------------------------------------------------------


def activity(service_url: str, who: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{who}", "name": "Bench", "aadObjectId": who},
        "recipient": {"id": "28:bench-bot", "name": "TryggEst"},
        "conversation": {
            "id": f"a:bench-{who}",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "nb-NO",
        **fields,
    }


def submit_data(reply: dict[str, Any], **wanted: Any) -> dict[str, Any]:
    """The data of the Action.Submit in the reply's card whose data has these values."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if node.get("type") == "Action.Submit" and isinstance(data, dict):
                if all(data.get(k) == v for k, v in wanted.items()):
                    found.append(data)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(reply.get("attachments") or [])
    if not found:
        raise RuntimeError(f"no button {wanted} in the reply")
    return found[0]


# What a reporter answers, step by step: typed text, or a tap on (step, answer).
SCRIPT: list[tuple[str, Any]] = [
    ("say", "meld bekymring"),
    ("tap", {"step": "acute", "answer": "no"}),
    ("tap", {"step": "consent", "answer": "consent"}),
    ("say", "Kari Nordmann"),
    ("say", "12.03.1941"),
    ("tap", {"step": "gender", "answer": "female"}),
    ("say", "Storgata 1, 1530 Moss"),
    ("tap_inputs", ({"step": "vulnerability"}, {"answer": "dementia,old_age"})),
    ("say", "fysisk og økonomisk"),
    ("say", "sønn"),
    ("say", "Hun hadde blåmerker på begge armene i går kveld."),
    ("tap", {"step": "knowledge", "answer": "saw"}),
    ("say", "hjemmetjenesten"),
    ("say", "912 34 567"),
    ("tap", {"command": "send"}),
]


def next_activity(
    service_url: str,
    who: str,
    kind: str,
    what: Any,
    last: dict[str, Any] | None,
    echo: bool = False,
) -> dict[str, Any]:
    """The reporter's answer to one step of SCRIPT, given the bot's last reply (its card)."""
    if echo or kind == "say":
        return activity(service_url, who, text=what if kind == "say" else "tap")
    if kind == "tap":
        return activity(service_url, who, value=submit_data(last or {}, **what))
    wanted, inputs = what
    return activity(service_url, who, value={**submit_data(last or {}, **wanted), **inputs})


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


async def post_and_wait(
    session: aiohttp.ClientSession,
    bot_url: str,
    connector: Connector,
    payload: dict[str, Any],
    results: Results,
) -> dict[str, Any] | None:
    reply = connector.expect(payload["id"])
    started = time.perf_counter()
    try:
        async with session.post(bot_url + "/api/messages", json=payload) as response:
            await response.read()
            if response.status >= 400:
                results.errors += 1
                return None
        body = await asyncio.wait_for(reply, timeout=30)
    except Exception:
        results.errors += 1
        return None
    finally:
        connector.waiting.pop(payload["id"], None)
    results.latencies.append(body["_arrived"] - started)
    return body


async def reporter(
    session: aiohttp.ClientSession,
    bot_url: str,
    service_url: str,
    connector: Connector,
    who: str,
    results: Results,
    echo: bool,
) -> None:
    last: dict[str, Any] | None = None
    for kind, what in SCRIPT:
        payload = next_activity(service_url, who, kind, what, last, echo)
        last = await post_and_wait(session, bot_url, connector, payload, results)
        if last is None:
            return


# --- the bot processes ---------------------------------------------------------------------


def proc_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds, peak resident MB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return cpu, peak


def start(
    command: list[str],
    env: dict[str, str],
    port: int,
    stderr: Any = None,
    attempts: int = 200,
) -> subprocess.Popen[bytes]:
    """Start a bot process and wait for its port (`attempts` times 50 ms at least). `stderr`
    (its log): inherited by default."""
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    for _ in range(attempts):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def tryggest_env(database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env |= {
        "DATABASE_URL": database_url,
        "TRYGGEST_DATA_KEYS": DATA_KEY,
        "PORT": str(port),
        "PYTHONPATH": str(ROOT),
    }
    return env


def prepare_database(kind: str, workdir: Path, cases: int = 0) -> tuple[str, str | None]:
    """A migrated database with the demo organisation (and `cases` synthetic cases): (url,
    PostgreSQL database to drop)."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        drop = None
    else:
        name = f"tryggest_bench_{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f'CREATE DATABASE "{name}"'],
            check=True,
        )
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        drop = name
    env = tryggest_env(url, 0)
    demo = ["demo-data", "--cases", str(cases)] if cases else ["demo-data"]
    for args in (["db", "upgrade"], demo):
        subprocess.run(
            [sys.executable, "-m", "tools", *args],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return url, drop


def drop_database(name: str) -> None:
    """Drop a PostgreSQL database prepare_database made (connections to it or not)."""
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-qc",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ],
        check=False,
    )


async def measure(
    name: str,
    command: list[str],
    env: dict[str, str],
    port: int,
    reporters: int,
    echo: bool,
    unloaded_turns: int,
    rounds: int = 1,
    quiet: bool = False,
) -> dict[str, float]:
    connector = Connector()
    runner = web.AppRunner(connector.app())
    await runner.setup()
    connector_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", connector_port).start()
    service_url = f"http://127.0.0.1:{connector_port}/"
    # The Agents SDK prints a line for every turn in local mode (no app id): not its cost to read.
    process = start(command, env, port, stderr=subprocess.DEVNULL if quiet else None)
    bot_url = f"http://127.0.0.1:{port}"
    try:
        connector_session = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector_session) as session:
            # Warm up, then one person alone (unloaded latency).
            await reporter(session, bot_url, service_url, connector, "warm-up", Results(), echo)
            alone = Results()
            for i in range(max(1, unloaded_turns // len(SCRIPT))):
                await reporter(session, bot_url, service_url, connector, f"alone-{i}", alone, echo)
            cpu_before, _ = proc_stats(process.pid)
            loaded = Results()
            started = time.perf_counter()

            async def reports_in_a_row(i: int) -> None:
                for number in range(rounds):
                    who = f"r{i}-{number}"
                    await reporter(session, bot_url, service_url, connector, who, loaded, echo)

            await asyncio.gather(*(reports_in_a_row(i) for i in range(reporters)))
            elapsed = time.perf_counter() - started
            cpu_after, peak = proc_stats(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
        await runner.cleanup()
    turns = len(loaded.latencies)

    def pct(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=100)[int(p) - 1] * 1000 if len(values) > 1 else 0.0

    figures = {
        "turns_per_s": turns / elapsed,
        "p50_ms": pct(loaded.latencies, 50),
        "p90_ms": pct(loaded.latencies, 90),
        "p99_ms": pct(loaded.latencies, 99),
        "alone_p50_ms": pct(alone.latencies, 50),
        "alone_p99_ms": pct(alone.latencies, 99),
        "errors": float(loaded.errors + alone.errors),
        "cpu_s_per_1000_turns": (cpu_after - cpu_before) / max(turns, 1) * 1000,
        "peak_mb": peak,
    }
    print(
        f"{name:<10} {turns:>6} turns in {elapsed:5.1f} s = {figures['turns_per_s']:7.1f}/s | "
        f"loaded p50 {figures['p50_ms']:6.1f} p90 {figures['p90_ms']:6.1f} "
        f"p99 {figures['p99_ms']:6.1f} ms | alone p50 {figures['alone_p50_ms']:5.1f} "
        f"p99 {figures['alone_p99_ms']:5.1f} ms | errors {loaded.errors + alone.errors} | "
        f"CPU {figures['cpu_s_per_1000_turns']:.2f} s/1000 turns | peak {peak:.0f} MB"
    )
    return figures


async def idle_dialogues(env: dict[str, str], port: int, count: int) -> None:
    """Peak memory of the bot with `count` report dialogues started and left open."""
    connector = Connector()
    runner = web.AppRunner(connector.app())
    await runner.setup()
    connector_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", connector_port).start()
    service_url = f"http://127.0.0.1:{connector_port}/"
    process = start([sys.executable, "-m", "bot", "serve"], env, port)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as session:
            results = Results()

            async def open_one(i: int) -> None:
                await post_and_wait(
                    session,
                    f"http://127.0.0.1:{port}",
                    connector,
                    activity(service_url, f"idle-{i}", text="meld bekymring"),
                    results,
                )

            # Fifty at a time (itertools.batched is Python 3.12; we run on 3.11).
            for first in range(0, count, 50):
                await asyncio.gather(*(open_one(i) for i in range(first, min(first + 50, count))))
            _, peak = proc_stats(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
        await runner.cleanup()
    print(f"{count} dialogues open: peak memory {peak:.0f} MB, errors {results.errors}")


def yardstick_python() -> str:
    """The interpreter with botbuilder, which the bot no longer installs: BENCH_YARDSTICK_PYTHON,
    or the virtualenv `make bench` makes for it."""
    found = os.environ.get("BENCH_YARDSTICK_PYTHON") or str(ROOT / ".venv-yardstick/bin/python")
    if not Path(found).exists():
        raise SystemExit(
            f"no {found}: `make bench` makes it (botbuilder 4.17, the yardstick's SDK)"
        )
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--unloaded-turns", type=int, default=150)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="reports each reporter sends in a row under load (3: 2,250 turns with 50 reporters)",
    )
    parser.add_argument(
        "--idle", type=int, default=0, help="also: peak memory with N dialogues open"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url, drop = prepare_database(args.db, Path(workdir))
        try:
            bench_dir = ROOT / "bench"
            # (name, command after the port, answers as the echo bots do, prints a line a turn)
            bots: list[tuple[str, list[str], list[str], bool, bool]] = [
                ("tryggest", [sys.executable, "-m", "bot", "serve"], [], False, False),
                ("echo", [yardstick_python(), str(bench_dir / "echo_bot.py")], [], True, False),
                ("agents", [sys.executable, str(bench_dir / "agents_echo_bot.py")], [], True, True),
                (
                    "agents-lean",
                    [sys.executable, str(bench_dir / "agents_echo_bot.py")],
                    ["--lean"],
                    True,
                    True,
                ),
            ]
            figures: dict[str, dict[str, float]] = {}
            for name, command, options, echo, quiet in bots:
                port = free_port()
                # `python -m bot serve` reads its port from PORT; the echo bots as their first argument.
                argv = command if name == "tryggest" else [*command, str(port), *options]
                figures[name] = await measure(
                    name,
                    argv,
                    tryggest_env(url, port),
                    port,
                    args.reporters,
                    echo=echo,
                    unloaded_turns=args.unloaded_turns,
                    rounds=args.rounds,
                    quiet=quiet,
                )
            ours, stock = figures["tryggest"], figures["echo"]
            for variant in ("agents", "agents-lean"):
                agent = figures[variant]
                print(
                    f"{variant}: the Microsoft 365 Agents SDK's echo bot "
                    f"({'public extension points' if variant.endswith('lean') else 'stock'}) does "
                    f"{agent['turns_per_s']:.1f} turns/s "
                    f"({agent['turns_per_s'] / stock['turns_per_s']:.2f}× botbuilder's), "
                    f"{agent['cpu_s_per_1000_turns']:.2f} ms CPU a turn, unloaded p50 "
                    f"{agent['alone_p50_ms']:.1f} ms"
                )
            print(
                f"ratio: tryggest/echo throughput {ours['turns_per_s'] / stock['turns_per_s']:.2f}×"
                f" (target ≥ 4×); unloaded p50 {ours['alone_p50_ms']:.1f} ms (target < 5),"
                f" p99 {ours['alone_p99_ms']:.1f} ms (target < 20)"
            )
            if args.idle:
                port = free_port()
                await idle_dialogues(tryggest_env(url, port), port, args.idle)
        finally:
            if drop:
                drop_database(drop)
    print(json.dumps({"db": args.db, "reporters": args.reporters}))


if __name__ == "__main__":
    asyncio.run(main())
