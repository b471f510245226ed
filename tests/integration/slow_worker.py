"""`celery -A intentscore worker ARGS` whose chunks each take SLOW_CHUNK_SECONDS longer, as
with a slow provider: `python -m tests.integration.slow_worker ARGS`. The integration tests
use it to kill or cancel a run while it is surely mid-run."""

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")
    django.setup()
    from intentscore.celery import app
    from scoring.leads.services import runs

    delay, score_batch = float(os.environ.get("SLOW_CHUNK_SECONDS", "0")), runs.score_batch

    def slow_score_batch(**kwargs):
        time.sleep(delay)
        return score_batch(**kwargs)

    runs.score_batch = slow_score_batch
    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
