"""CPU time of each step of the report dialogue in the real bot, one person at a time (a
benchmark, not a test: run it on purpose, read the figures).

    .venv/bin/python bench/steps.py                       # SQLite, 30 reports
    .venv/bin/python bench/steps.py --db postgresql --reports 50
    .venv/bin/python bench/steps.py --profile /tmp/steps.raw   # and py-spy's samples

bench/turns.py says how fast the bot is; this says where a report's time goes. One reporter
walks bench/turns.py's SCRIPT again and again against the same fake Bot Connector; after each
turn (the reply has reached the connector and the POST has been answered) it reads the bot
process's CPU time from /proc/<pid>/task/*/schedstat (nanoseconds, all threads), so each step's
figure is that turn's own CPU: the HTTP request, the turn, the reply and the state saved. Work
the turn leaves to the background (the outbox posting a sent report to its team's channel)
counts towards the step after it. The first three reports are left out (warm-up). Printed: the
median and p90 CPU per step, their sum for a whole report, and the mean per turn.

Less noisy than turns.py on a busy machine: CPU time, not wall time, and no other reporter.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))

from turns import (
    SCRIPT,
    Connector,
    Results,
    drop_database,
    free_port,
    next_activity,
    post_and_wait,
    prepare_database,
    start,
    tryggest_env,
)

WARM_UP = 3
TICK = 1 / os.sysconf("SC_CLK_TCK")


def cpu_by_thread(pid: int) -> dict[str, float]:
    """Seconds of user and system time so far, of the event loop's thread (the process's first)
    and of all the others together (aiosqlite runs one per SQLite connection; the pool's)."""
    split = dict.fromkeys(("loop user", "loop system", "others user", "others system"), 0.0)
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a thread that just ended
            continue
        who = "loop" if stat.parent.name == str(pid) else "others"
        # utime and stime: fields 14 and 15 of proc(5), 12 and 13 after the name.
        split[f"{who} user"] += int(fields[11]) * TICK
        split[f"{who} system"] += int(fields[12]) * TICK
    return split


def cpu_ns(pid: int) -> int:
    """CPU time of every thread of a process so far, in nanoseconds."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):  # a thread that just ended
            continue
    return total


async def run(db: str, reports: int, profile: str | None) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        url, drop = prepare_database(db, Path(workdir))
        port = free_port()
        connector = Connector()
        runner = web.AppRunner(connector.app())
        await runner.setup()
        connector_port = free_port()
        await web.TCPSite(runner, "127.0.0.1", connector_port).start()
        service_url = f"http://127.0.0.1:{connector_port}/"
        bot_url = f"http://127.0.0.1:{port}"
        process = start(
            [sys.executable, "-m", "bot", "serve"],
            tryggest_env(url, port),
            port,
            stderr=subprocess.DEVNULL,
        )
        spy: subprocess.Popen[bytes] | None = None
        per_step: list[list[float]] = [[] for _ in SCRIPT]
        try:
            async with aiohttp.ClientSession() as session:
                for number in range(reports + WARM_UP):
                    if number == WARM_UP:
                        threads_before = cpu_by_thread(process.pid)
                    if number == WARM_UP and profile:
                        spy = subprocess.Popen(
                            [
                                str(Path(sys.executable).parent / "py-spy"),
                                "record",
                                "--pid",
                                str(process.pid),
                                "--format",
                                "raw",
                                "--gil",
                                "--rate",
                                "1000",
                                "-o",
                                profile,
                            ],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                        await asyncio.sleep(1)
                    last = None
                    for step, (kind, what) in enumerate(SCRIPT):
                        payload = next_activity(service_url, f"s{number}", kind, what, last)
                        before = cpu_ns(process.pid)
                        last = await post_and_wait(session, bot_url, connector, payload, Results())
                        if last is None:
                            raise SystemExit(f"step {step} of report {number} got no reply")
                        if number >= WARM_UP:
                            per_step[step].append((cpu_ns(process.pid) - before) / 1e6)
            threads = {
                what: seconds - threads_before[what]
                for what, seconds in cpu_by_thread(process.pid).items()
            }
        finally:
            if spy is not None:
                spy.send_signal(2)
                spy.wait(timeout=30)
            process.terminate()
            process.wait(timeout=10)
            await runner.cleanup()
            if drop:
                drop_database(drop)
    total = 0.0
    print(f"{db}, {reports} reports, CPU of the bot process per step (ms):")
    for step, (kind, what) in enumerate(SCRIPT):
        values = per_step[step]
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else median
        total += median
        print(f"  {step:2d} {kind:<10} {str(what)[:44]:<44} {median:6.2f}  p90 {p90:6.2f}")
    print(f"a whole report: {total:.1f} ms; per turn {total / len(SCRIPT):.2f} ms")
    turns = reports * len(SCRIPT)
    print(
        "per turn by thread (ms, clock ticks of 10 ms summed over all turns): "
        + ", ".join(f"{what} {seconds * 1000 / turns:.2f}" for what, seconds in threads.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--profile", help="also record py-spy samples (raw format) to this file")
    args = parser.parse_args()
    asyncio.run(run(args.db, args.reports, args.profile))


if __name__ == "__main__":
    main()
