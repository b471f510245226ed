"""The read paths and the upload over HTTP, through gunicorn, at 100,000 scored leads.

    .venv/bin/python bench/http_reads.py [--leads 100000] [--runs 5] [--workers 3]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_reads]
        [--clients 50] [--load-requests 1500] [--load-seconds 15]

Sets up a throw-away database (a temporary SQLite file by default; with --database-url a
PostgreSQL database of that name, created here and dropped at the end), loads --leads leads
(leads_import of a synthetic CSV) and their scores (INSERT ... SELECT: every lead against one
offer, every tenth lead against a second offer later, so "the latest score" has a choice to
make), then serves the app with gunicorn (--workers sync workers, DEBUG=false, on a free
127.0.0.1 port) and measures, each figure the median of --runs requests made one at a time:

- GET /results/ unpaginated (RESULTS_MAX_ROWS is raised to --leads for this), GET /csv/;
- a 50-row page of /api/scores/ and of /results/ (page 1, and a deep page for information);
- the same pages under --clients concurrent clients (asyncio, one connection per request as
  gunicorn's sync workers close them): requests/s, bounded by --load-requests and
  --load-seconds;
- POST /leads/upload/ of --leads rows (multipart csv_file) into a second account, whose
  leads are deleted after each run.

Each figure comes with the peak RSS of the busiest server worker while it was measured
(VmHWM, reset before each figure through /proc/<pid>/clear_refs). The targets are the
issue's, for 100,000 leads; at another size the figures are printed without a verdict.
The exit status is 1 when a figure misses its target.
"""

import argparse
import asyncio
import csv
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import BIOS, INDUSTRIES, ROLES  # noqa: E402

STANDARD_LEADS = 100_000
ACCENTED = ["José Müller", "Zoë Ångström", "François Lefèvre", "Łukasz Wójcik"]
# Quotes, an apostrophe and non-ASCII letters: what a JSON encoder must escape or keep.
REASONING = "Bio mentions “analytics”, matching 'Business Intelligence Reporting' — a \"fit\"."
# Databases this script must never create or drop: other people's.
FOREIGN_DATABASES = {"test", "postgres", "template0", "template1", "reads"}
BENCH_DATABASE_PREFIX = "bench_"
PAGE = 50
FIGURE_GROUPS = ["lists", "pages", "load", "upload"]


@dataclass
class Figure:
    label: str
    value: float
    unit: str  # "s", "ms" or "req/s"
    target: float | None  # at most (s, ms) or at least (req/s)
    peak_rss_mb: float | None = None
    max_rss_mb: float | None = None
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.target is None and self.max_rss_mb is None:
            return None
        fast = self.target is None or (
            self.value >= self.target if self.unit == "req/s" else self.value <= self.target
        )
        lean = self.max_rss_mb is None or (self.peak_rss_mb or 0) <= self.max_rss_mb
        return fast and lean

    def line(self) -> str:
        comparison = "≥" if self.unit == "req/s" else "≤"
        targets = []
        if self.target is not None:
            targets.append(f"{comparison} {self.target:g} {self.unit}")
        if self.max_rss_mb is not None:
            targets.append(f"≤ {self.max_rss_mb:g} MB")
        verdict = {None: "", True: "PASS", False: "MISS"}[self.ok]
        rss = f"{self.peak_rss_mb:6.0f} MB" if self.peak_rss_mb is not None else "       —"
        value = f"{self.value:,.0f}" if self.unit == "req/s" else f"{self.value:.3g}"
        return (
            f"{self.label:<48} {value:>8} {self.unit:<5}  worker peak RSS {rss}   "
            f"target {', '.join(targets) or '—':<20} {verdict:<4} {self.note}"
        ).rstrip()


# --- database and data ---------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def postgres_admin(url: str, statement: str) -> None:
    import psycopg

    admin_url = with_database(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


def lead_csv(rows: int) -> bytes:
    """rows synthetic leads as a CSV file's bytes (about 150 bytes a lead)."""
    rng = random.Random(42)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["name", "role", "company", "industry", "location", "linkedin_bio"])
    for i in range(rows):
        name = f"{ACCENTED[i % 4]} {i}" if i % 97 == 0 else f"Lead {i}"
        writer.writerow([
            name, rng.choice(ROLES), f"Company {i % 997}", rng.choice(INDUSTRIES),
            f"City {i % 50}", " ".join(rng.sample(BIOS, 2)),
        ])  # fmt: skip
    return out.getvalue().encode()


def user_with_key(username: str, account_name: str):
    from django.contrib.auth import get_user_model

    from scoring.accounts.models import Account
    from scoring.accounts.services import api_key_create, membership_set

    account = Account.objects.create(name=account_name, slug=account_name.lower())
    user = get_user_model().objects.create_user(username=username)
    membership_set(user=user, account=account)
    _, key = api_key_create(user=user, name="bench")
    return account, key


def scores_insert(*, account, offer, every: int, minutes_later: int) -> None:
    """A score against offer for every `every`-th lead of account: one INSERT ... SELECT."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from scoring.leads.models import Lead, Score

    scored_at = timezone.now() + timedelta(minutes=minutes_later)
    scored_at = Score._meta.get_field("scored_at").get_db_prep_save(scored_at, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Score._meta.db_table} (account_id, lead_id, offer_id, rule_score,
              role_points, role_keyword, industry_points, industry_keyword,
              completeness_points, rule_set, factors, ai_status, ai_error, ai_label, ai_score,
              ai_factors, score, intent, reasoning, provider, model, prompt_version,
              content_hash, latency_ms, scored_at)
            SELECT account_id, id, %s, 30, 20, 'ceo', 0, '', 10, 'fit',
              '[{{"part": "role", "points": 20, "reason": "CEO"}}]', 'ok', '', 'High', 50,
              '["bio: analytics", "matches: Business Intelligence Reporting"]',
              50 + id %% 50, CASE WHEN id %% 50 >= 20 THEN 'High' ELSE 'Medium' END, %s,
              'local', 'local-keyword-v1', 'v1', '', id %% 7, %s
            FROM {Lead._meta.db_table} WHERE account_id = %s AND id %% %s = 0
            """,
            [offer.pk, REASONING, scored_at, account.pk, every],
        )


def data_load(leads: int, body: bytes) -> dict:
    """The accounts, keys, leads and scores; the API keys to read and to upload with."""
    from django.core.management import call_command
    from django.db import connection

    from scoring.leads.services.leads import leads_import
    from scoring.leads.services.offers import offer_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    account, read_key = user_with_key("reader", "Readers")
    upload_account, upload_key = user_with_key("uploader", "Uploaders")
    leads_import(
        account=account, file=io.BytesIO(body), file_name="bench.csv", enforce_limits=False
    )
    first = offer_create(
        account=account, name="AI Analytics Platform Pro", value_props=["ML Analytics"],
        ideal_use_cases=["Business Intelligence Reporting"],
    )  # fmt: skip
    second = offer_create(
        account=account, name="Payroll Cloud", value_props=["Payroll in one place"],
        ideal_use_cases=["Finance teams closing the month"],
    )  # fmt: skip
    scores_insert(account=account, offer=first, every=1, minutes_later=0)
    scores_insert(account=account, offer=second, every=10, minutes_later=5)
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load (PostgreSQL 13+ vacuums after
        # inserts too), so the figures are a server's in use: statistics for the planner,
        # and the visibility map that lets a count read the index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"loaded {leads:,} leads and their scores in {time.perf_counter() - started:.1f} s")
    return {
        "read_key": read_key,
        "upload_key": upload_key,
        "upload_account": upload_account.pk,
        "offer": first.pk,
    }


def uploads_delete(account_id: int) -> None:
    """The upload account's leads and uploads, gone (untimed, between upload runs)."""
    from django.db import connection, transaction

    from scoring.leads.models import Lead, LeadUpload

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Lead, LeadUpload):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE account_id = %s", [account_id]
            )


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_start(args, database_url: str, port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LLM_PROVIDER": "local",
        "LOG_LEVEL": "WARNING",
        "RESULTS_MAX_ROWS": str(max(args.leads, 10_000)),
        "THROTTLE_UPLOADS": "10000/minute",
        "MAX_UPLOAD_MB": "200",
        "MAX_UPLOAD_ROWS": str(max(args.leads, 200_000)),
    }
    command = [
        sys.executable, "-m", "gunicorn", "intentscore.wsgi", f"--workers={args.workers}",
        f"--bind=127.0.0.1:{port}", "--timeout=120", "--log-level=warning",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def server_stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def server_workers(server: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(server.pid).children()


def peak_rss_reset(server) -> None:
    for worker in server_workers(server):
        try:  # "5" resets VmHWM to the current RSS (Linux 4.0+)
            Path(f"/proc/{worker.pid}/clear_refs").write_text("5")
        except OSError:
            pass


def peak_rss_mb(server) -> float | None:
    peaks = []
    for worker in server_workers(server):
        try:
            status = Path(f"/proc/{worker.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks) if peaks else None


def cpu_snapshot(server, database: str | None) -> dict[int, float]:
    """CPU seconds used so far by each of the server's workers and, on PostgreSQL, of the
    backends serving this database, by process id."""
    processes = server_workers(server)
    if database:
        processes += [
            process
            for process in psutil.process_iter(["name", "cmdline"])
            if process.info["name"] in ("postgres", "postmaster")
            and f" {database} " in " ".join(process.info["cmdline"] or ())
        ]
    used = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        used[process.pid] = times.user + times.system
    return used


def cpu_since(before: dict[int, float], server, database: str | None) -> float:
    """CPU seconds the server used since `before`: divided by the requests, what a request
    cost the machine (a backend that ended meanwhile, its connection closed, is left out)."""
    after = cpu_snapshot(server, database)
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# --- the client ----------------------------------------------------------------------------------


class Client:
    def __init__(self, port: int, key: str):
        self.port, self.key = port, key

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """(status, body, seconds): the time from sending to the body's last byte."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json"} | (
            headers or {}
        )
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        seconds = time.perf_counter() - started
        conn.close()
        return response.status, data, seconds

    def get(self, path: str):
        return self.request("GET", path)


def wait_ready(client: Client, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            if client.get("/api/scores/?page_size=1")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s")


def multipart(field: str, file_name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{file_name}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


async def _load_client(port, request, count, deadline, latencies, errors):
    while count[0] > 0 and time.perf_counter() < deadline:
        count[0] -= 1
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            data = await reader.read()  # gunicorn's sync workers close the connection
            writer.close()
        except OSError as exc:
            errors.append(str(exc))
            continue
        if not data.startswith(b"HTTP/1.1 200"):
            errors.append(data[:40].decode(errors="replace"))
            continue
        latencies.append(time.perf_counter() - started)


def load(port: int, key: str, path: str, *, clients: int, requests: int, seconds: float):
    """clients concurrent clients, each sending a request as soon as its last answered,
    until `requests` in all or `seconds` have passed: (requests/s, median s, p95 s, errors,
    requests made)."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
        "Accept: application/json\r\nConnection: close\r\n\r\n"
    ).encode()
    latencies, errors, count = [], [], [requests]

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_load_client(port, request, count, deadline, latencies, errors)
              for _ in range(clients))
        )  # fmt: skip

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95)] if latencies else float("nan")
    done = len(latencies) + len(errors)
    return len(latencies) / elapsed, statistics.median(latencies or [0]), p95, errors, done


# --- the measurements ----------------------------------------------------------------------------


def timed(client: Client, server, runs: int, path: str, check, *, database: str | None):
    """The median seconds of runs GET requests, the peak worker RSS while they ran, and the
    server's CPU seconds per request (the first, checked, untimed)."""
    status, data, _ = client.get(path)
    check(status, data)
    peak_rss_reset(server)
    seconds, before = [], cpu_snapshot(server, database)
    for _ in range(runs):
        seconds.append(client.get(path)[2])
    cpu = cpu_since(before, server, database) / runs
    return statistics.median(seconds), peak_rss_mb(server), cpu


def expect(status_code: int, rows: int | None = None, kind: str = "json"):
    def check(status, data):
        if status != status_code:
            raise SystemExit(f"expected {status_code}, got {status}: {data[:300]!r}")
        if rows is None:
            return
        if kind == "csv":
            found = data.count(b"\n") - 1
        else:
            body = json.loads(data)
            found = len(body["results"] if isinstance(body, dict) else body)
        if found != rows:
            raise SystemExit(f"expected {rows} rows, got {found}")

    return check


def cpu_note(cpu: float) -> str:
    return f"(server CPU {cpu * 1000:,.0f} ms a request)"


def measure(args, server, port, keys, upload_body: bytes) -> list[Figure]:
    standard = args.leads == STANDARD_LEADS

    def target(value):
        return value if standard else None

    reads, figures = Client(port, keys["read_key"]), []

    def report(figure: Figure):
        print(figure.line(), flush=True)
        figures.append(figure)

    # Warm every worker (imports, a database connection) before anything is timed.
    load(port, keys["read_key"], f"/results/?page=1&limit={PAGE}", clients=6, requests=30,
         seconds=10)  # fmt: skip

    if "lists" in args.only:
        for label, path, check, limit in (
            ("GET /results/ (unpaginated)", "/results/", expect(200, args.leads), 1.0),
            ("GET /results/?offer_id= (unpaginated)", f"/results/?offer_id={keys['offer']}",
             expect(200, args.leads), None),
            ("GET /csv/", "/csv/", expect(200, args.leads, "csv"), 0.6),
        ):  # fmt: skip
            seconds, rss, cpu = timed(reads, server, args.runs, path, check, database=args.database)
            report(Figure(label, seconds, "s", limit and target(limit), rss,
                          limit and target(150), cpu_note(cpu)))  # fmt: skip

    pages = {
        "/api/scores/ 50-row page": "/api/scores/",
        "/results/ 50-row page": f"/results/?page=1&limit={PAGE}",
    }
    deep = max(args.leads // PAGE // 2, 1)
    if "pages" in args.only:
        for label, path in pages.items():
            seconds, rss, cpu = timed(
                reads, server, args.page_runs, path, expect(200, PAGE), database=args.database
            )
            report(Figure(f"GET {label}, alone", seconds * 1000, "ms", target(15), rss,
                          note=cpu_note(cpu)))  # fmt: skip
        for label, path in {
            f"/api/scores/ page {deep}": f"/api/scores/?page={deep}",
            f"/results/ page {deep}": f"/results/?page={deep}&limit={PAGE}",
        }.items():
            seconds, rss, cpu = timed(
                reads, server, args.page_runs, path, expect(200), database=args.database
            )
            report(Figure(f"GET {label}, alone", seconds * 1000, "ms", None, rss,
                          note=cpu_note(cpu)))  # fmt: skip

    if "load" in args.only:
        for label, path in pages.items():
            peak_rss_reset(server)
            before = cpu_snapshot(server, args.database)
            rate, median, p95, errors, done = load(
                port, keys["read_key"], path, clients=args.clients,
                requests=args.load_requests, seconds=args.load_seconds,
            )  # fmt: skip
            cpu = cpu_since(before, server, args.database) / max(done, 1)
            note = f"(median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, server CPU "
            note += f"{cpu * 1000:.0f} ms a request"
            note += f", {len(errors)} errors: {errors[0]!r})" if errors else ")"
            report(Figure(f"GET {label}, {args.clients} clients", rate, "req/s", target(100),
                          peak_rss_mb(server), note=note))  # fmt: skip

    if "upload" in args.only:
        uploads = Client(port, keys["upload_key"])
        body, boundary = multipart("csv_file", "bench.csv", upload_body)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        message = f'{{"message":"Successfully uploaded {args.leads} leads"}}'.encode()
        peak_rss_reset(server)
        seconds, cpu = [], 0.0
        for _ in range(args.runs):
            before = cpu_snapshot(server, args.database)
            status, data, took = uploads.request("POST", "/leads/upload/", body, headers)
            cpu += cpu_since(before, server, args.database)
            if status != 201 or data != message:
                raise SystemExit(f"upload: {status} {data[:300]!r}")
            seconds.append(took)
            uploads_delete(keys["upload_account"])
        report(Figure(f"POST /leads/upload/ ({args.leads:,} rows)", statistics.median(seconds),
                      "s", target(1.2), peak_rss_mb(server),
                      note=cpu_note(cpu / args.runs)))  # fmt: skip
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=STANDARD_LEADS)
    parser.add_argument("--database-url", help="postgres://…/<a database of your own>")
    parser.add_argument("--runs", type=int, default=5, help="requests per large figure")
    parser.add_argument("--page-runs", type=int, default=30, help="requests per page figure")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--load-requests", type=int, default=1500)
    parser.add_argument("--load-seconds", type=float, default=15)
    parser.add_argument(
        "--only", nargs="+", choices=FIGURE_GROUPS, default=FIGURE_GROUPS,
        help="measure only these: the whole lists, single pages, pages under load, the upload",
    )  # fmt: skip
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="intentscore-http-reads-"))
    postgres = args.database_url is not None
    args.database = urlsplit(args.database_url).path.lstrip("/") if postgres else None
    if postgres:
        name = urlsplit(args.database_url).path.lstrip("/")
        # Dropped at the end: only a name that says it is a throw-away bench database.
        if not name.startswith(BENCH_DATABASE_PREFIX) or name in FOREIGN_DATABASES:
            raise SystemExit(
                f"--database-url: name a throw-away database starting with "
                f"{BENCH_DATABASE_PREFIX!r} (created and dropped), not {name!r}"
            )
        database_url = args.database_url
        postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        postgres_admin(database_url, f'CREATE DATABASE "{name}"')
    else:
        database_url = f"sqlite:///{work}/bench.sqlite3"
    os.environ.update({"DATABASE_URL": database_url, "LLM_PROVIDER": "local"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")
    server = None
    log_path = work / "gunicorn.log"
    try:
        import django

        django.setup()
        from django.db import connection, connections

        body = lead_csv(args.leads)
        keys = data_load(args.leads, body)
        connections.close_all()
        port = free_port()
        with log_path.open("ab") as log:
            server = server_start(args, database_url, port, log)
        wait_ready(Client(port, keys["read_key"]), server)
        print(
            f"{connection.vendor}, gunicorn {args.workers} sync workers on 127.0.0.1:{port}, "
            f"{os.cpu_count()} cores; medians of {args.runs} (pages: {args.page_runs}); "
            f"load average {os.getloadavg()[0]:.1f} (other programs share the cores)\n"
        )
        figures = measure(args, server, port, keys, body)
    finally:
        server_stop(server)
        if server is not None and log_path.exists() and log_path.stat().st_size:
            print(f"\ngunicorn log:\n{log_path.read_text()[-3000:]}")
        if postgres:
            from django.db import connections

            connections.close_all()
            postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    missed = [figure.label for figure in figures if figure.ok is False]
    print(f"\nMISS: {'; '.join(missed)}" if missed else "\nevery target met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
