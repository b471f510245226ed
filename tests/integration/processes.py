"""What the integration tests share to run the app's own processes (Celery workers, the
grading consumer) against the test database: its URL, waiting, and killing them."""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from urllib.parse import quote

from django.db import connection


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
