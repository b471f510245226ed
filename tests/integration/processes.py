"""What the integration tests share to run the app's own processes (Celery workers, the
grading consumer) against the test database: its URL, waiting, and killing them."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tests.llm_stub import unused_port


def database_url_for_subprocesses() -> str:
    """The URL of the test database this process uses, for the processes it starts."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{db['HOST'] or ''}{port}/{quote(db['NAME'])}"


def wait_until(condition: Callable[[], object], what: str, *, timeout: float, logs=None):
    """condition()'s first truthy value, polled every 20 ms; AssertionError (with `logs()`
    when given) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}." + (f"\n{logs()}" if logs else ""))
        time.sleep(0.02)
    return found


def kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILL the process and its children (started with start_new_session=True), as when
    their machine goes away: nothing in flight finishes."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextmanager
def gunicorn_serving(log_dir: Path, *, workers: int, env: dict[str, str]) -> Iterator[str]:
    """The app on `workers` gunicorn sync workers against the test database, with env added
    to this process's environment; its base URL once it answers. Killed on leaving."""
    port, log_path = unused_port(), log_dir / "gunicorn.log"
    command = [
        sys.executable, "-m", "gunicorn", "intentscore.wsgi:application",
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": database_url_for_subprocesses(), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            urllib.request.urlopen(url + "/api/schema/", timeout=1)
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return process.poll() is not None

    try:
        wait_until(answers, "gunicorn", timeout=30, logs=log_path.read_text)
        assert process.poll() is None, log_path.read_text()
        yield url
    finally:
        kill_process_group(process)
