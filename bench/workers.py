"""Scoring runs on Celery workers: leads per second with one worker process, then with two,
on a throw-away PostgreSQL database and RabbitMQ queue (both removed at the end).

    .venv/bin/python bench/workers.py [--leads 100000] [--workers 1 2] [--chunk-size 500]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]
        [--broker amqp://guest:guest@127.0.0.1:5672//] [--repeat 3] [--profile]

Each timed run is a whole run with rescore (rules + the local provider + upserts), from its
creation to its last chunk's commit, with the scores table emptied first so that every run
starts alike; one worker and two alternate, --repeat times, and the medians count. Each
worker is `celery -A intentscore worker --concurrency=1`, started afresh for each run.
Targets: one worker >= 5,000 leads/s; two >= 1.7 x one. The CPU seconds of each part (and
of the rest of the machine, "other") show what the cores were busy with. --profile also
profiles ten chunks in this process.
"""

import argparse
import cProfile
import os
import pstats
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import BIOS, INDUSTRIES, OFFER, ROLES  # noqa: E402

SINGLE_WORKER_TARGET = 5_000  # leads/s
TWO_WORKER_TARGET = 1.7  # x one worker's rate
CORES = os.cpu_count() or 1


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians count")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--profile", action="store_true", help="profile one chunk here too")
    return parser.parse_args()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin(url: str, statement: str) -> None:
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(statement)


def worker_env(args, database_url: str, queue: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": args.broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SCORING_CHUNK_SIZE": str(args.chunk_size),
        "LLM_PROVIDER": "local",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "LOG_LEVEL": "WARNING",
    }


def workers_start(count: int, env: dict, queue: str, log) -> list[subprocess.Popen]:
    command = [
        sys.executable, "-m", "celery", "-A", "intentscore", "worker", "--pool=prefork",
        "--concurrency=1", f"--queues={queue}", "--loglevel=WARNING",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    return [
        subprocess.Popen(
            [*command, f"--hostname=bench{i}-{queue}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for i in range(count)
    ]


def workers_ready(app, count: int, queue: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(app.control.ping(timeout=0.5)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} workers did not answer within {timeout:.0f} s")


def workers_stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def leads_insert(count: int):
    from scoring.accounts.services import default_account
    from scoring.leads.models import Lead, LeadUpload
    from scoring.leads.services.offers import offer_create

    account = default_account()
    offer = offer_create(account=account, **OFFER)
    upload = LeadUpload.objects.create(account=account, file_name="bench.csv", row_count=count)
    rng = random.Random(42)
    Lead.objects.bulk_create(
        (
            Lead(
                account=account,
                upload=upload,
                name=f"Lead {i}",
                role=rng.choice(ROLES),
                company=f"Company {i % 997}",
                industry=rng.choice(INDUSTRIES),
                location="Berlin",
                linkedin_bio=rng.choice(BIOS),
            )
            for i in range(count)
        ),
        batch_size=5_000,
    )
    return offer


RABBITMQ_PROCESSES = ("beam.smp", "erl_child_setup", "epmd")
# PostgreSQL's own processes, which serve every database.
POSTGRES_SERVER = re.compile(r"checkpointer|background writer|walwriter|launcher|-D ")


class CpuMeter:
    """CPU seconds (user + system) each part used during a run, sampled as it goes so that
    processes that end mid-run (a worker's database connection) still count; "other" is
    the rest of the machine's busy time, e.g. another program sharing the cores."""

    def __init__(self, workers: list[subprocess.Popen], database: str):
        self.workers = {process.pid for process in workers}
        self.database = database
        self.start = self._snapshot()
        self.last = dict(self.start)
        self.machine = self._machine_busy()

    @staticmethod
    def _machine_busy() -> float:
        times = psutil.cpu_times()
        return times.user + times.nice + times.system + times.irq + times.softirq

    def _group(self, process) -> str | None:
        """Whose process: a PostgreSQL connection to another database is someone else's."""
        if process.info["pid"] == os.getpid():
            return "this process"
        if process.info["pid"] in self.workers or process.info["ppid"] in self.workers:
            return "workers"
        if process.info["name"] in RABBITMQ_PROCESSES:
            return "RabbitMQ"
        if process.info["name"] in ("postgres", "postmaster"):
            title = " ".join(process.info["cmdline"] or ())
            if f" {self.database} " in title or POSTGRES_SERVER.search(title):
                return "PostgreSQL"
        return None

    def _snapshot(self) -> dict[int, tuple[str, float]]:
        found = {}
        for process in psutil.process_iter(["pid", "ppid", "name", "cmdline", "cpu_times"]):
            times, group = process.info["cpu_times"], self._group(process)
            if times is not None and group is not None:
                found[process.info["pid"]] = (group, times.user + times.system)
        return found

    def sample(self) -> None:
        self.last.update(self._snapshot())

    def used(self) -> dict[str, float]:
        self.sample()
        groups = {"workers": 0.0, "PostgreSQL": 0.0, "RabbitMQ": 0.0, "this process": 0.0}
        for pid, (group, seconds) in self.last.items():
            groups[group] += seconds - self.start.get(pid, (group, 0.0))[1]
        groups["other"] = max(self._machine_busy() - self.machine - sum(groups.values()), 0.0)
        return groups


def timed_run(offer, meter: CpuMeter) -> tuple[float, object]:
    from django.db import connection

    from scoring.leads.dispatch import scoring_run_start
    from scoring.leads.models import ScoringRun

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE scoring_score")
    run = scoring_run_start(offer=offer, rescore=True)
    polls = 0
    while run.status not in ScoringRun.FINISHED:
        time.sleep(0.1)
        polls += 1
        if polls % 10 == 0:  # a sample reads every process: not too often
            meter.sample()
        run.refresh_from_db()
    seconds = (run.finished_at - run.created_at).total_seconds()
    if run.status != ScoringRun.Status.DONE or run.scored != run.total:
        raise SystemExit(f"Run {run.pk} ended {run.status} ({run.scored}/{run.total}): {run.error}")
    return seconds, run


def chunk_profile(offer) -> None:
    """One chunk scored in this process, under cProfile: where a worker's time goes."""
    from scoring.leads.models import ScoringRun, ScoringRunChunk
    from scoring.leads.services.runs import (
        scoring_run_chunk_score,
        scoring_run_create,
        scoring_run_plan,
    )

    run = scoring_run_create(offer=offer, rescore=True)
    chunk_ids = scoring_run_plan(run_id=run.pk)
    scoring_run_chunk_score(chunk_id=chunk_ids[0])  # warm: imports, connection
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for chunk_id in chunk_ids[1:11]:
        scoring_run_chunk_score(chunk_id=chunk_id)
    profiler.disable()
    seconds = time.perf_counter() - started
    leads = sum(
        chunk.last_id - chunk.first_id + 1
        for chunk in ScoringRunChunk.objects.filter(pk__in=chunk_ids[1:11])
    )
    print(f"\nprofile: 10 chunks, {leads} leads in this process: {leads / seconds:,.0f} leads/s")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.CANCELLED)


def main() -> None:
    args = parse_args()
    suffix = uuid.uuid4().hex[:8]
    database, queue = f"intentscore_bench_{suffix}", f"intentscore-bench-{suffix}"
    database_url = with_database(args.postgres, database)
    os.environ.update(worker_env(args, database_url, queue))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")
    admin(args.postgres, f'CREATE DATABASE "{database}"')
    processes = []
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from intentscore.celery import app

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        offer = leads_insert(args.leads)
        print(f"{args.leads:,} leads inserted in {time.perf_counter() - started:.1f} s")
        if args.profile:
            chunk_profile(offer)
        env = worker_env(args, database_url, queue)
        log = open(Path(tempfile.gettempdir()) / f"{queue}.log", "ab")  # noqa: SIM115
        print(f"worker logs: {log.name}")
        rates = {count: [] for count in args.workers}
        for repeat in range(args.repeat):
            for count in args.workers:
                processes = workers_start(count, env, queue, log)
                workers_ready(app, count, queue)
                meter = CpuMeter(processes, database)
                seconds, run = timed_run(offer, meter)
                cpu = meter.used()
                workers_stop(processes)
                processes = []
                rates[count].append(run.total / seconds)
                print(
                    f"[{repeat + 1}/{args.repeat}] {count} worker(s): {run.total:,} leads in "
                    f"{seconds:.2f} s = {run.total / seconds:,.0f} leads/s "
                    f"({run.chunks_total} chunks of {args.chunk_size})"
                )
                print(
                    "  CPU seconds: "
                    + ", ".join(f"{name} {used:.1f}" for name, used in cpu.items())
                    + f"; {sum(cpu.values()) / seconds:.2f} of {CORES} cores busy"
                )
        # The median says what to expect on this machine as it is; the best run, what it
        # does when nothing else wants its cores ("other" near 0 above).
        for summary, pick in (("median", statistics.median), ("best", max)):
            rate = {count: pick(found) for count, found in rates.items()}
            if 1 in rate:
                verdict = "met" if rate[1] >= SINGLE_WORKER_TARGET else "MISSED"
                print(
                    f"{summary} of {args.repeat}: one worker {rate[1]:,.0f} leads/s "
                    f"(target {SINGLE_WORKER_TARGET:,}: {verdict})"
                )
            if 1 in rate and 2 in rate:
                ratio = rate[2] / rate[1]
                verdict = "met" if ratio >= TWO_WORKER_TARGET else "MISSED"
                print(
                    f"{summary} of {args.repeat}: two workers {rate[2]:,.0f} leads/s = "
                    f"{ratio:.2f}x one (target {TWO_WORKER_TARGET}x: {verdict})"
                )
        with app.connection_for_write() as conn:
            app.amqp.default_queue.bind(conn.default_channel).delete()
    finally:
        workers_stop(processes)
        from django.db import connections

        connections.close_all()
        admin(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
