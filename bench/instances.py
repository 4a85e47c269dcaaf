"""Two bot instances on one PostgreSQL behind a round-robin: no report, case, reply, channel post
or reminder lost or doubled, and the combined throughput (a benchmark, not a test: run it on
purpose, read the figures).

    .venv/bin/python bench/instances.py                   # 50 reporters, 500 reminders
    .venv/bin/python bench/instances.py --reporters 100 --reminders 2000 --keep-db
    .venv/bin/python bench/instances.py --eager --reminders 0   # next turn before the POST's answer

Two `python -m bot serve` processes share a fresh PostgreSQL database, both with the outbox
delivery and the reminder scheduler on, and reply to one fake Bot Connector (bench/turns.py's,
here also counting what reaches it). Activity k of the run goes to instance k % 2, so each
reporter's turns hop between the instances; every tenth is also posted to the other instance at
the same moment, as Teams does when it redelivers. A reporter sends its next turn once the bot
has replied and answered the POST (as bench/turns.py does; --eager sends it as soon as the reply
is there, while the instance may still be saving the dialogue's state). Then due reminders are
put in the reminders table and both schedulers sweep them.

Checked: every report completes; one case per report; one channel post per case; as many
replies to each activity as a single instance sends for that step; each redelivered activity
dropped by exactly one instance; each reminder sent once and marked sent; no turn errors in
either instance's log. The last line is "instances: OK" or "instances: FAILED (…)".
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
import turns

sys.path.insert(1, str(turns.ROOT))
from sqlalchemy import func, select

from domain.access import Person
from domain.clock import utcnow
from storage.casework_reminders import ASSESSMENT
from storage.db import make_engine, make_sessionmaker
from storage.models import Case, ChannelPost, OutboxMessage, ProcessedActivity, Reminder
from storage.references import ConversationReferences, StoredReference
from storage.reminders import ReminderSpec, schedule
from tools.demo import DEMO_TEAM_ID

INSTANCES = 2
CASE_NUMBER = re.compile(r"TE-\d{4}-\d{4,}")
REMINDER_PREFIX = "bench-instances:"
BOT_ID = "28:bench-bot"


# --- the fake Bot Connector, counting what reaches it -----------------------------------------


@dataclass
class CountingConnector(turns.Connector):
    # Ids of the activities the driver posted: a reply to one of them is a turn's reply;
    # anything else posted in a conversation is sent unasked (outbox, reminders).
    ours: set[str] = field(default_factory=set)
    replies: Counter[str] = field(default_factory=Counter)  # activity id → messages
    typing: Counter[str] = field(default_factory=Counter)  # activity id → typing indicators
    unasked: Counter[str] = field(default_factory=Counter)  # conversation id → messages
    unasked_at: list[float] = field(default_factory=list)
    threads: Counter[str] = field(default_factory=Counter)  # case number → channel threads
    thread_ids: list[str] = field(default_factory=list)
    new_chats: int = 0
    # conversation id → messages replaced in place (a pressed card shows what came of it)
    updates: Counter[str] = field(default_factory=Counter)
    last_seen: float = 0.0
    threads_made: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def reply(self, request: web.Request) -> web.Response:
        body = await request.json()  # aiohttp keeps the body: the base class reads it again
        self.last_seen = time.perf_counter()
        reply_to = body.get("replyToId") or request.match_info.get("reply_to") or ""
        if reply_to in self.ours:
            if body.get("type") == "typing":
                self.typing[reply_to] += 1
            else:
                self.replies[reply_to] += 1
        elif body.get("type") != "typing":
            self.unasked[request.match_info["conversation"]] += 1
            self.unasked_at.append(self.last_seen)
        return await super().reply(request)

    async def other(self, request: web.Request) -> web.Response:
        self.last_seen = time.perf_counter()
        if request.method == "POST" and request.path == "/v3/conversations":
            body = await request.json()
            channel = (body.get("channelData") or {}).get("channel")
            if not body.get("isGroup") or not channel:
                self.new_chats += 1  # a one-to-one chat opened for someone without a reference
                return await super().other(request)
            numbers = set(CASE_NUMBER.findall(json.dumps(body.get("activity") or {})))
            for number in numbers or {"(no case number)"}:
                self.threads[number] += 1
            n = next(self.threads_made)
            thread = f"19:bench-channel@thread.tacv2;messageid={n}"
            self.thread_ids.append(thread)
            return web.json_response({"id": thread, "activityId": str(n)}, status=201)
        if request.method == "PUT":
            # /v3/conversations/{conversation}/activities/{activity}
            self.updates[request.path.split("/")[3]] += 1
        return await super().other(request)


# --- the round-robin driver -----------------------------------------------------------------


@dataclass
class Sent:
    activity_id: str
    step: int
    instances: tuple[int, ...]


@dataclass
class Driver:
    urls: list[str]
    service_url: str
    connector: CountingConnector
    session: aiohttp.ClientSession
    redeliver_every: int
    eager: bool = False
    counter: itertools.count[int] = field(default_factory=itertools.count)
    sent: list[Sent] = field(default_factory=list)
    per_instance: Counter[int] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    pending: set[asyncio.Future[list[int]]] = field(default_factory=set)

    def targets(self, pinned: int | None) -> tuple[int, ...]:
        if pinned is not None:
            return (pinned,)
        k = next(self.counter)
        first = k % INSTANCES
        if self.redeliver_every and k % self.redeliver_every == self.redeliver_every - 1:
            # Teams redelivers: the same activity reaches both instances at once.
            return (first, 1 - first)
        return (first,)

    async def _post(self, instance: int, payload: dict[str, Any]) -> int:
        try:
            async with self.session.post(
                self.urls[instance] + "/api/messages", json=payload
            ) as response:
                await response.read()
                return response.status
        except Exception as error:
            self.errors.append(f"POST to instance {instance}: {type(error).__name__}")
            return 0

    async def turn(
        self, payload: dict[str, Any], step: int, pinned: int | None = None
    ) -> dict[str, Any] | None:
        """Post one activity (to one instance, or to both: a redelivery) and wait for the reply
        and, unless eager, the POSTs' answers. The reply, or None."""
        activity_id = payload["id"]
        targets = self.targets(pinned)
        self.sent.append(Sent(activity_id, step, targets))
        for instance in targets:
            self.per_instance[instance] += 1
        self.connector.ours.add(activity_id)
        reply = self.connector.expect(activity_id)
        started = time.perf_counter()
        posts = asyncio.gather(*(self._post(i, payload) for i in targets))
        try:
            if self.eager:
                # The next turn as soon as the reply is there, before the bot has answered the
                # POST (it may still be saving the dialogue's state).
                task = asyncio.ensure_future(posts)
                self.pending.add(task)
                task.add_done_callback(self._posted)
            else:
                self._count(await posts, activity_id, step)
            body = await asyncio.wait_for(reply, timeout=30)
        except TimeoutError:
            self.errors.append(f"no reply to step {step} ({activity_id[:8]})")
            return None
        finally:
            self.connector.waiting.pop(activity_id, None)
        self.latencies.append(body["_arrived"] - started)
        return body

    def _posted(self, task: asyncio.Future[list[int]]) -> None:
        self.pending.discard(task)
        if not task.cancelled() and task.exception() is None:
            self._count(task.result(), "", -1)

    def _count(self, statuses: list[int], activity_id: str, step: int) -> None:
        for status in statuses:
            self.statuses[status] += 1
            if status >= 400 or status == 0:
                self.errors.append(f"HTTP {status} at step {step} ({activity_id[:8]})")

    async def reporter(self, who: str, pinned: int | None = None) -> str | None:
        """Walk the whole report dialogue; the case number the bot answered the report with."""
        last: dict[str, Any] | None = None
        for step, (kind, what) in enumerate(turns.SCRIPT):
            try:
                payload = turns.next_activity(self.service_url, who, kind, what, last)
            except RuntimeError as error:  # the reply was not the card this step answers
                self.errors.append(f"{who} step {step}: {error}")
                return None
            last = await self.turn(payload, step, pinned)
            if last is None:
                return None
        found = CASE_NUMBER.findall(json.dumps(last))
        if not found:
            self.errors.append(f"{who}: the last reply names no case")
        return found[0] if found else None


# --- the database, read by the bench itself ---------------------------------------------------


async def scalar(sessions: Any, query: Any) -> Any:
    async with sessions() as session:
        return (await session.execute(query)).scalar_one()


async def rows(sessions: Any, query: Any) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(query)).all())


async def settle(
    connector: CountingConnector, sessions: Any, timeout: float = 60, quiet: float = 1.5
) -> None:
    """Until the outbox has nothing left to do and the connector has been quiet for a while."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        pending = await scalar(
            sessions,
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "pending"),
        )
        if not pending and time.perf_counter() - connector.last_seen > quiet:
            return
        await asyncio.sleep(0.25)


async def put_reminders(
    sessions: Any, service_url: str, case_ids: list[str], count: int
) -> list[str]:
    """`count` assessment reminders, due now, each to its own person whose personal chat the bot
    knows: the sweep sends each as a card in that chat (conversation a:bench-rem-i)."""
    references = ConversationReferences(sessions)
    people = [Person(turns.TENANT, f"bench-rem-{i}") for i in range(count)]
    for start in range(0, len(people), 50):
        chunk = people[start : start + 50]
        await asyncio.gather(
            *(
                references.remember(
                    StoredReference(
                        tenant_id=p.tenant_id,
                        aad_object_id=p.aad_object_id,
                        service_url=service_url,
                        channel_id="msteams",
                        conversation_id=f"a:{p.aad_object_id}",
                        bot_id=BOT_ID,
                        locale="nb-NO",
                    )
                )
                for p in chunk
            )
        )
    due = utcnow()
    # One transaction: all fall due at the same moment, for both instances' sweeps to contend.
    async with sessions() as session, session.begin():
        for i, person in enumerate(people):
            await schedule(
                session,
                ReminderSpec(
                    key=f"{REMINDER_PREFIX}{i}",
                    tenant_id=turns.TENANT,
                    kind=ASSESSMENT,
                    due_at=due,
                    person=person,
                    team_id=DEMO_TEAM_ID,
                    case_id=case_ids[i % len(case_ids)],
                    payload={"working_days": 3},
                ),
            )
    return [f"a:{p.aad_object_id}" for p in people]


# --- the run ----------------------------------------------------------------------------------


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] * 1000 if len(values) > 1 else 0.0


def busiest_second(times: list[float]) -> int:
    """The most of these moments within any one second."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def drop_database(name: str) -> None:
    subprocess.run(
        [
            *("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"),
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ],
        check=False,
    )


LOGGED_FAILURES = ("turn errors", "errors logged", "tracebacks", "coroutines never awaited")


def log_figures(text: str) -> dict[str, int]:
    return {
        "turn errors": len(re.findall(r"turn (?:failed|error) ", text)),
        "errors logged": len(re.findall(r" (?:ERROR|CRITICAL) ", text)),
        "tracebacks": text.count("Traceback"),
        "coroutines never awaited": text.count("was never awaited"),
        "redeliveries dropped": text.count("delivered again: ignored"),
        "reminders sent": sum(int(n) for n in re.findall(r"reminder sweep: sent (\d+)", text)),
        "posted in channel": text.count("posted in the channel of team"),
    }


async def run(args: argparse.Namespace, workdir: Path) -> list[str]:
    """The whole benchmark, on a database of its own; what failed (empty: all well)."""
    url, database = turns.prepare_database("postgresql", workdir)
    assert database is not None
    try:
        return await measure(args, workdir, url, database)
    finally:
        if args.keep_db:
            print(f"kept the database: {url}")
        else:
            drop_database(database)


async def measure(args: argparse.Namespace, workdir: Path, url: str, database: str) -> list[str]:
    failures: list[str] = []
    processes = []
    logs = [workdir / f"instance{i}.log" for i in range(INSTANCES)]
    connector = CountingConnector()
    runner = web.AppRunner(connector.app())
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        await runner.setup()
        connector_port = turns.free_port()
        await web.TCPSite(runner, "127.0.0.1", connector_port).start()
        service_url = f"http://127.0.0.1:{connector_port}/"
        ports = [turns.free_port() for _ in range(INSTANCES)]
        for port, log in zip(ports, logs, strict=True):
            env = turns.tryggest_env(url, port) | {
                "TRYGGEST_SCHEDULER": "true",
                "TRYGGEST_INSTANCES": str(INSTANCES),
                "TRYGGEST_REMINDER_SWEEP_SECONDS": str(args.sweep_seconds),
                "TRYGGEST_OUTBOX_DELIVERY": "true",
                "TRYGGEST_OUTBOX_INTERVAL": "1",
            }
            with log.open("wb") as handle:
                processes.append(
                    turns.start(
                        [sys.executable, "-m", "bot", "serve"], env, port, handle, attempts=1200
                    )
                )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            driver = Driver(urls, service_url, connector, session, args.redeliver_every, args.eager)
            # Warm-up, one reporter on each instance alone: what a single instance replies.
            warm = [await driver.reporter(f"warm-up-{i}", pinned=i) for i in range(INSTANCES)]
            await settle(connector, sessions)
            single: dict[int, list[int]] = {}
            for sent in driver.sent:
                single.setdefault(sent.step, []).append(connector.replies[sent.activity_id])
            baseline = {step: counts[0] for step, counts in single.items()}
            if any(len(set(counts)) > 1 for counts in single.values()) or None in warm:
                failures.append(f"the warm-up differs between the instances: {single}")
            warm_sent = len(driver.sent)
            driver.latencies.clear()
            driver.errors.clear()
            driver.per_instance.clear()
            driver.statuses.clear()
            cpu_before = [turns.proc_stats(p.pid)[0] for p in processes]

            started = time.perf_counter()
            numbers = await asyncio.gather(
                *(driver.reporter(f"r{i}") for i in range(args.reporters))
            )
            elapsed = time.perf_counter() - started
            cpu_load = [
                turns.proc_stats(p.pid)[0] - c for p, c in zip(processes, cpu_before, strict=True)
            ]
            if driver.pending:
                await asyncio.wait(driver.pending, timeout=30)
            await settle(connector, sessions)
            load = driver.sent[warm_sent:]

            # --- reminders: both schedulers sweep them -----------------------------------
            case_ids = [r[0] for r in await rows(sessions, select(Case.id))]
            connector.unasked_at.clear()
            reminder_started = time.perf_counter()
            chats = await put_reminders(sessions, service_url, case_ids, args.reminders)
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:
                done = sum(1 for c in chats if connector.unasked[c])
                if done >= len(chats):
                    break
                await asyncio.sleep(0.1)
            reminder_elapsed = time.perf_counter() - reminder_started
            await asyncio.sleep(2 * args.sweep_seconds + 1)  # a double would have come by now
            await settle(connector, sessions)
            stats = [turns.proc_stats(p.pid) for p in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        await runner.cleanup()

    try:
        # --- the figures ------------------------------------------------------------------
        turns_done = len(driver.latencies)
        print(
            f"load: {args.reporters} reporters, {len(load)} activities "
            f"({sum(len(s.instances) > 1 for s in load)} redelivered to both instances), "
            f"POSTs per instance {dict(sorted(driver.per_instance.items()))}"
        )
        print(
            f"throughput: {turns_done} turns in {elapsed:.1f} s = {turns_done / elapsed:.1f}/s "
            f"combined | p50 {pct(driver.latencies, 50):.1f} p90 {pct(driver.latencies, 90):.1f}"
            f" p99 {pct(driver.latencies, 99):.1f} ms"
        )
        for i, (process, (cpu, peak)) in enumerate(zip(processes, stats, strict=True)):
            print(
                f"instance {i} (pid {process.pid}): CPU {cpu_load[i]:.1f} s during the load, "
                f"{cpu:.1f} s in all | peak {peak:.0f} MB"
            )
        print(
            f"HTTP statuses {dict(sorted(driver.statuses.items()))}; the driver and fake "
            f"connector (this process): CPU {time.process_time():.1f} s in all"
        )

        # --- reports and cases --------------------------------------------------------------
        completed = sum(1 for n in numbers if n)
        if completed != args.reporters:
            failures.append(f"{completed} of {args.reporters} reports completed")
        if len(set(n for n in numbers if n)) != completed:
            failures.append("two reporters were given the same case number")
        expected_cases = args.reporters + INSTANCES  # and the warm-up's
        cases = await scalar(sessions, select(func.count()).select_from(Case))
        if cases != expected_cases:
            failures.append(f"{cases} cases for {expected_cases} reports")
        print(
            f"reports completed {completed}/{args.reporters}; cases {cases} "
            f"(expected {expected_cases}: with {INSTANCES} warm-up reports)"
        )

        # --- the outbox and the channel ------------------------------------------------------
        outbox = await rows(
            sessions,
            select(OutboxMessage.kind, OutboxMessage.state, func.count())
            .group_by(OutboxMessage.kind, OutboxMessage.state)
            .order_by(OutboxMessage.kind),
        )
        print("outbox: " + ", ".join(f"{k} {s} {n}" for k, s, n in outbox))
        reported = {(k, s): n for k, s, n in outbox if k == "case_reported"}
        if reported != {("case_reported", "delivered"): cases}:
            failures.append(f"case_reported rows {reported}, expected {cases} delivered")
        if any(s != "delivered" for _, s, _ in outbox):
            failures.append("outbox rows not delivered")
        posted = await rows(sessions, select(ChannelPost.conversation_id))
        doubled_threads = {n: c for n, c in connector.threads.items() if c != 1}
        print(
            f"channel: {sum(connector.threads.values())} threads at the connector for "
            f"{len(connector.threads)} case numbers, {len(posted)} channel_posts rows, "
            f"{sum(connector.updates.values())} messages updated in all, "
            f"{connector.new_chats} one-to-one chats opened"
        )
        if doubled_threads:
            failures.append(f"cases posted more than once: {doubled_threads}")
        if len(connector.threads) != cases or sorted(r[0] for r in posted) != sorted(
            connector.thread_ids
        ):
            failures.append("channel threads and channel_posts rows differ from the cases")

        # --- replies per activity ---------------------------------------------------------------
        wrong: Counter[tuple[int, int]] = Counter()
        by_replies: Counter[int] = Counter()
        for sent in load:
            got = connector.replies[sent.activity_id]
            by_replies[got] += 1
            if got != baseline.get(sent.step):
                wrong[(sent.step, got)] += 1
        print(
            f"replies per activity (single instance: {baseline}): "
            f"{dict(sorted(by_replies.items()))} activities got that many"
        )
        if wrong:
            failures.append(
                "replies differ from a single instance's (step, replies): "
                + ", ".join(f"{k}×{n}" for k, n in sorted(wrong.items()))
            )
        # What else each reporter's chat saw: cards replaced in place, messages sent unasked.
        chat_figures = {
            (connector.updates[f"a:bench-{who}"], connector.unasked[f"a:bench-{who}"])
            for who in [f"warm-up-{i}" for i in range(INSTANCES)]
        }
        load_chats = Counter(
            (connector.updates[f"a:bench-r{i}"], connector.unasked[f"a:bench-r{i}"])
            for i in range(args.reporters)
        )
        print(
            f"per reporter's chat (updated, unasked): single instance {sorted(chat_figures)}, "
            f"load {dict(load_chats)}"
        )
        if len(chat_figures) != 1 or set(load_chats) != chat_figures:
            failures.append(f"reporters' chats differ: {dict(load_chats)} vs {chat_figures}")
        processed = await scalar(sessions, select(func.count()).select_from(ProcessedActivity))
        if processed != len(driver.sent):
            failures.append(f"{processed} activities taken for {len(driver.sent)} sent")
        figures = [log_figures(path.read_text(errors="replace")) for path in logs]
        redelivered = sum(len(s.instances) > 1 for s in load)
        dropped = sum(f["redeliveries dropped"] for f in figures)
        print(
            f"activities taken {processed} of {len(driver.sent)} sent; redeliveries "
            f"{redelivered}, dropped {dropped} "
            f"({' + '.join(str(f['redeliveries dropped']) for f in figures)} per instance)"
        )
        if dropped != redelivered:
            failures.append(f"{dropped} redeliveries dropped of {redelivered}")

        # --- reminders --------------------------------------------------------------------------
        per_chat = Counter(connector.unasked[c] for c in chats)
        states = await rows(
            sessions,
            select(Reminder.state, Reminder.attempts, func.count())
            .where(Reminder.key.startswith(REMINDER_PREFIX))
            .group_by(Reminder.state, Reminder.attempts),
        )
        sent_by = [f["reminders sent"] for f in figures]
        print(
            f"reminders: {args.reminders} due; sends per reminder {dict(sorted(per_chat.items()))}"
            f" in {reminder_elapsed:.1f} s (at most {busiest_second(connector.unasked_at)} in one"
            f" second, to one tenant); rows (state, attempts) "
            f"{ {(s, a): n for s, a, n in states} }; sent per instance {sent_by}"
        )
        if args.reminders and per_chat != Counter({1: args.reminders}):
            failures.append(f"reminder sends per reminder {dict(per_chat)}")
        if args.reminders and [(s, a, n) for s, a, n in states] != [("sent", 1, args.reminders)]:
            failures.append(f"reminder rows {states}")
        if args.reminders and sum(sent_by) != args.reminders:
            failures.append(f"the sweeps logged {sum(sent_by)} reminders sent")

        # --- errors -----------------------------------------------------------------------------
        for i, f in enumerate(figures):
            print(f"instance {i} log: {f}")
            if any(v for k, v in f.items() if k in LOGGED_FAILURES):
                failures.append(f"instance {i} logged errors")
        if driver.errors:
            print("errors: " + "; ".join(driver.errors[:10]))
            failures.append(f"{len(driver.errors)} errors")
        if failures:
            for i, path in enumerate(logs):
                kept = Path(tempfile.gettempdir()) / f"{database}-instance{i}.log"
                kept.write_bytes(path.read_bytes())
                print(f"instance {i} log kept in {kept}")
    finally:
        await engine.dispose()
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--reminders", type=int, default=500)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--redeliver-every", type=int, default=10, help="every n-th activity to both (0: none)"
    )
    parser.add_argument("--sweep-seconds", type=float, default=1.0)
    parser.add_argument(
        "--eager",
        action="store_true",
        help="send a reporter's next turn as soon as the reply arrives, before the bot has "
        "answered the POST",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        failures = asyncio.run(run(args, Path(workdir)))
    if failures:
        print(f"instances: FAILED ({'; '.join(failures)})")
        return 1
    print("instances: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
