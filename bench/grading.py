"""Conversation grading: tasks graded and delivered per second by `manage.py
consume_grading_tasks`, one task at a time and eight, and the consumer's peak RSS.

    .venv/bin/python bench/grading.py [--database sqlite|postgres] [--tasks 2000]
        [--concurrency 1 8] [--repeat 3] [--timeout 120]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]
        [--broker amqp://guest:guest@127.0.0.1:5672//] [--py-spy PATH]

Everything is on this machine (127.0.0.1) and thrown away at the end: the database (SQLite:
a file in a temporary folder, migrated; PostgreSQL: a new database, dropped), the RabbitMQ
queue and its dead-letter queue, and the webhook receiver, a thread of this process that
verifies every signature (tests/webhook_receiver.py). Each timed run starts a consumer
afresh (the offline grader, LOG_LEVEL=INFO: its JSON lines go to a log file), waits for
it to say it is consuming, publishes --tasks tasks (a fixed mix of hot, warm and cold
conversations, new task ids each run) and stops the clock at the last accepted delivery:
first publish -> last delivery. Then it checks that every task was delivered exactly once
and stored with the category its conversation deserves, reads the consumer's peak RSS
(VmHWM in /proc/<pid>/status) and stops it with SIGTERM. The concurrencies alternate,
--repeat times; the medians count. Targets: >= 200 tasks/s with 8 at a time, peak RSS
<= 150 MB. The exit status is 1 when a median misses one. --py-spy (the path of a py-spy
executable) also samples each timed consumer, its waiting threads too, into a collapsed-stack
file beside its log (both kept): where a task's time goes, CPU or waiting.

The receiver sends its answers with TCP_NODELAY (tests/webhook_receiver.py), as uvicorn or
gunicorn do: http.server writes an answer's headers and body apart, and with Nagle's
algorithm every delivery would wait 40 ms for the client's delayed ACK (1 at a time:
20 tasks/s instead of 180).
"""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THROUGHPUT_TARGET = 200  # tasks/s with 8 at a time
THROUGHPUT_TARGET_CONCURRENCY = 8
RSS_TARGET_MB = 150
MAX_TASKS = 20_000
READY_LINE = "Consuming grading tasks from"
SECRET = "bench-webhook-secret"
CORES = os.cpu_count() or 1

# Visitor lines by what they show; a conversation is a few of them, the bot answering each.
HOT_LINES = [
    "Hi, we're a 200-person logistics company evaluating chat tools.",
    "What does your pricing look like per seat for the enterprise plan?",
    "We need SSO, audit logs and an SLA before we can sign.",
    "Could we book a demo with our team this week?",
    "Our timeline is to go live next quarter, ideally by Q3.",
    "The budget is approved, around $40k a year.",
    "Does it integrate with Salesforce through your REST API?",
]
WARM_LINES = [
    "How much does the pro plan cost?",
    "Is there a free trial I could try it out with?",
    "We use HubSpot for our leads today.",
    "Just checking what the product does for small teams.",
]
COLD_LINES = ["hi", "Just browsing, thanks.", "Where is your office?", "ok bye"]
BOT_LINE = "Thanks! Happy to help with that."
MIX = (("hot", 0.2), ("warm", 0.3), ("cold", 0.5))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tasks", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians count")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a run may take")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument(
        "--py-spy",
        metavar="PATH",
        help="py-spy executable: sample each timed consumer (idle threads too) into a "
        "collapsed-stack file beside its log",
    )
    args = parser.parse_args()
    if not 1 <= args.tasks <= MAX_TASKS:
        parser.error(f"--tasks must be between 1 and {MAX_TASKS:,}")
    for url in (args.postgres, args.broker):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"only services on this machine: {url}")
    return args


# --- the tasks ------------------------------------------------------------------------------


def conversation(rng: random.Random, kind: str) -> list[dict]:
    if kind == "hot":
        lines = rng.sample(HOT_LINES, rng.randint(5, len(HOT_LINES)))
    elif kind == "warm":
        lines = rng.sample(WARM_LINES, rng.randint(3, len(WARM_LINES)))
    else:
        lines = [rng.choice(COLD_LINES)]
    messages = []
    for line in lines:
        messages += [{"role": "user", "content": line}, {"role": "assistant", "content": BOT_LINE}]
    return messages


def tasks_make(count: int, bot_id: str, run: str) -> list[dict]:
    """A fixed mix (the same conversations every run; new task ids)."""
    rng = random.Random(42)
    kinds = rng.choices([kind for kind, _ in MIX], weights=[w for _, w in MIX], k=count)
    return [
        {
            "task_id": f"{run}-{i}",
            "visitor_id": f"visitor-{i}",
            "bot_id": bot_id,
            "session_id": f"session-{run}-{i}",
            "conversation_history": conversation(rng, kind),
            "visitor_profile": {"total_sessions": rng.randint(1, 5)},
        }
        for i, kind in enumerate(kinds)
    ]


def expected_categories(tasks: list[dict]) -> dict[str, str]:
    from scoring.conversations.criteria import criteria_grade

    return {
        task["task_id"]: criteria_grade(
            [m["content"] for m in task["conversation_history"] if m["role"] == "user"]
        ).category.value
        for task in tasks
    }


# --- the services ---------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def postgres_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(statement)


def receiver_class():
    from tests.webhook_receiver import WebhookReceiver

    class CountingReceiver(WebhookReceiver):
        """Counts the accepted deliveries and notes when the last came; 401 for a bad
        signature, as the receiver it extends does."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.accepted = 0
            self.last_at = 0.0
            self.done = threading.Event()
            self.expected = 0

        def expect(self, count: int) -> None:
            with self._lock:
                self.requests.clear()
                self.accepted, self.last_at, self.rejected = 0, 0.0, 0
                self.expected = count
                self.done.clear()

        def _answer(self, raw: bytes, headers: dict) -> int:
            status = super()._answer(raw, headers)
            if 200 <= status < 300:
                with self._lock:
                    self.accepted += 1
                    self.last_at = time.perf_counter()
                    if self.accepted >= self.expected:
                        self.done.set()
            return status

    return CountingReceiver


class Queues:
    def __init__(self, broker_url: str, name: str):
        from kombu import Connection, Exchange, Producer, Queue

        self.connection = Connection(broker_url)
        self.channel = self.connection.channel()
        self.queues = [
            Queue(n, Exchange(""), routing_key=n, durable=True)(self.channel)
            for n in (name, f"{name}.dead")
        ]
        for queue in self.queues:
            queue.declare()
        self.name = name
        self.producer = Producer(self.channel)

    def publish(self, bodies: list[bytes]) -> float:
        """Publish them all; when the first went out (perf_counter)."""
        started = time.perf_counter()
        for body in bodies:
            self.producer.publish(
                body,
                exchange="",
                routing_key=self.name,
                serializer=None,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
            )
        return started

    def counts(self) -> tuple[int, int]:
        """Messages left in the queue and in its dead-letter queue."""
        return tuple(q.queue_declare(passive=True).message_count for q in self.queues)

    def delete(self) -> None:
        for queue in self.queues:
            queue.delete()
        self.connection.release()


def consumer_start(args, env: dict, concurrency: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable, "manage.py", "consume_grading_tasks", "--queue", env["GRADING_QUEUE"],
        "--concurrency", str(concurrency), "--broker", args.broker,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while READY_LINE not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            consumer_stop(process)
            raise SystemExit(f"the consumer did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.02)
    return process


def consumer_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/<pid>/status (Linux only)")


# --- a run ----------------------------------------------------------------------------------


@dataclass
class Figure:
    concurrency: int
    tasks: int
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.tasks / self.seconds


def timed_run(args, env, queues, receiver, bot, concurrency: int, log_path: Path) -> Figure:
    from django.db.models import Count

    from scoring.conversations.models import ConversationGrade, DeliveryStatus

    ConversationGrade.objects.all().delete()  # every run starts alike
    run = uuid.uuid4().hex[:8]
    tasks = tasks_make(args.tasks, bot.bot_id, run)
    bodies = [json.dumps(task).encode() for task in tasks]
    receiver.expect(len(tasks))
    process = consumer_start(args, env, concurrency, log_path)
    profiler = None
    if args.py_spy:
        profiler = subprocess.Popen(
            [args.py_spy, "record", "--pid", str(process.pid), "--idle", "--threads",
             "--nonblocking", "--rate", "200", "--format", "raw",
             "--output", str(log_path.with_suffix(".folded"))],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1)  # attached
    try:
        cpu_before = psutil.Process(process.pid).cpu_times()
        started = queues.publish(bodies)
        if not receiver.done.wait(args.timeout):
            raise SystemExit(
                f"{receiver.accepted}/{len(tasks)} delivered within {args.timeout:.0f} s; "
                f"consumer log: {log_path}"
            )
        seconds = receiver.last_at - started
        cpu_after = psutil.Process(process.pid).cpu_times()
        peak = peak_rss_mb(process.pid)
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=30)
        consumer_stop(process)
    cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)

    # Every task delivered once, signed (the receiver refuses others), stored as deserved.
    delivered = [request.webhook_id for request in receiver.requests if request.status == 200]
    problems = []
    if sorted(delivered) != sorted(task["task_id"] for task in tasks):
        problems.append(f"{len(delivered)} deliveries, {len(set(delivered))} distinct")
    if receiver.rejected:
        problems.append(f"{receiver.rejected} deliveries with a bad signature")
    if (left := queues.counts()) != (0, 0):
        problems.append(f"left in the queue / dead-letter queue: {left}")
    stored = dict(ConversationGrade.objects.values_list("task_id", "lead_category"))
    if stored != expected_categories(tasks):
        problems.append(f"{len(stored)} grades stored, not all with the expected category")
    statuses = dict(
        ConversationGrade.objects.values_list("delivery_status").annotate(n=Count("id"))
    )
    if statuses != {DeliveryStatus.DELIVERED: len(tasks)}:
        problems.append(f"delivery statuses {statuses}")
    log = log_path.read_text(errors="replace")
    if "database is locked" in log or '"level": "ERROR"' in log:
        problems.append(f"errors in the consumer's log {log_path}")
    if problems:
        raise SystemExit("; ".join(problems))
    return Figure(concurrency, len(tasks), seconds, peak, cpu)


def main() -> int:
    args = parse_args()
    suffix = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix="intentscore-bench-grading-"))
    if args.database == "postgres":
        database = f"intentscore_bench_grading_{suffix}"
        database_url = with_database(args.postgres, database)
        postgres_admin(args.postgres, f'CREATE DATABASE "{database}"')
    else:
        database_url = f"sqlite:///{work}/bench.sqlite3"
    queue = f"intentscore-bench-grading-{suffix}"
    receiver = queues = None
    finished = False
    try:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "GRADING_QUEUE": queue,
            "LLM_PROVIDER": "local",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 50,
            "LOG_LEVEL": "INFO",
            "BACKEND_WEBHOOK_SECRET": SECRET,
        }
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from scoring.accounts.models import Account
        from scoring.conversations.models import Bot

        call_command("migrate", verbosity=0)
        account = Account.objects.create(name="Bench", slug=f"bench-{suffix}")
        bot = Bot.objects.create(account=account, bot_id=f"bench-bot-{suffix}")
        receiver = receiver_class()(secret=SECRET).start()
        env["BACKEND_WEBHOOK_URL"] = receiver.url
        queues = Queues(args.broker, queue)
        mix = ", ".join(f"{share:.0%} {kind}" for kind, share in MIX)
        print(
            f"{args.tasks:,} tasks ({mix}) per run on {args.database}; Python "
            f"{sys.version.split()[0]}, {CORES} cores; consumer logs in {work}"
        )
        figures: dict[int, list[Figure]] = {c: [] for c in args.concurrency}
        for repeat in range(args.repeat):
            for concurrency in args.concurrency:
                log_path = work / f"consumer-{concurrency}-{repeat + 1}.log"
                figure = timed_run(args, env, queues, receiver, bot, concurrency, log_path)
                figures[concurrency].append(figure)
                print(
                    f"[{repeat + 1}/{args.repeat}] {concurrency} at a time: {figure.tasks:,} "
                    f"graded and delivered in {figure.seconds:.2f} s = {figure.rate:,.0f}/s; "
                    f"peak RSS {figure.peak_rss_mb:.1f} MB; consumer CPU "
                    f"{figure.cpu_seconds:.1f} s ({figure.cpu_seconds / figure.seconds:.2f} "
                    f"cores)",
                    flush=True,
                )
        missed = []
        for concurrency, found in figures.items():
            rate = statistics.median(f.rate for f in found)
            rss = statistics.median(f.peak_rss_mb for f in found)
            verdicts = [
                f"peak RSS <= {RSS_TARGET_MB} MB: {'met' if rss <= RSS_TARGET_MB else 'MISSED'}"
            ]
            if rss > RSS_TARGET_MB:
                missed.append(f"RSS at {concurrency}")
            if concurrency == THROUGHPUT_TARGET_CONCURRENCY:
                met = rate >= THROUGHPUT_TARGET
                verdicts.insert(0, f">= {THROUGHPUT_TARGET}/s: {'met' if met else 'MISSED'}")
                if not met:
                    missed.append(f"throughput at {concurrency}")
            print(
                f"median of {len(found)}, {args.database}, {concurrency} at a time: "
                f"{rate:,.0f} tasks/s, peak RSS {rss:.1f} MB ({'; '.join(verdicts)})"
            )
        finished = True
        return 1 if missed else 0
    finally:
        if receiver is not None:
            receiver.stop()
        if queues is not None:
            queues.delete()
        if args.database == "postgres":
            from django.db import connections

            connections.close_all()
            postgres_admin(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if finished and not args.py_spy:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"consumer logs kept in {work}")


if __name__ == "__main__":
    sys.exit(main())
