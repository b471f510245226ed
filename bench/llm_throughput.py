"""Remote-provider throughput: 1,000 leads scored through a real SDK against the stub LLM
server (tests/llm_stub.py, 200 ms per answer) at LLM_MAX_CONCURRENCY 1 and 16, then a
second run that should make no call at all (every score is cached).

    .venv/bin/python bench/llm_throughput.py [--leads 1000] [--delay 0.2] [--provider openai]
        [--concurrency 1 16]

The stub runs in its own process, as a real LLM server would, so its work does not share
this process's interpreter lock. Only 127.0.0.1 is contacted. Target: <= 15 s at 16.
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_stub(delay: float, provider: str, conn) -> None:
    """Child process: run the stub, send the settings that point `provider` at it, then
    answer "stats" / "reset" / "stop" over conn."""
    from tests.llm_stub import LlmStub

    with LlmStub(delay=delay) as stub:
        conn.send(stub.settings_for(provider))
        while True:
            command = conn.recv()
            if command == "stats":
                conn.send((stub.calls, stub.peak_in_flight))
            elif command == "reset":
                stub.reset()
                stub.delay = delay
                conn.send(True)
            else:
                return


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--provider", default="openai", choices=["openai", "gemini", "ollama"])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    stub_process = multiprocessing.Process(
        target=serve_stub, args=(args.delay, args.provider, theirs)
    )
    stub_process.start()
    stub_settings = ours.recv()

    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='llm-bench-')}/bench.db"
    os.environ["CELERY_BROKER_URL"] = ""  # the runs' tasks in this process
    os.environ["DJANGO_SETTINGS_MODULE"] = "intentscore.settings"
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command

    from scoring.accounts.models import Account
    from scoring.leads.dispatch import scoring_run_start
    from scoring.leads.models import Lead, LeadUpload, Score, ScoringRun
    from scoring.leads.services.offers import offer_create
    from tests.factories import SEED_OFFER

    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)
    for name, value in stub_settings.items():
        setattr(settings, name, value)
    settings.LLM_TIMEOUT = 30
    settings.LLM_MAX_CALLS_PER_RUN = args.leads

    account = Account.objects.create(name="Bench", slug="bench")
    upload = LeadUpload.objects.create(account=account, file_name="bench.csv")
    Lead.objects.bulk_create(
        Lead(
            account=account,
            upload=upload,
            name=f"Lead {i}",
            role="VP of Analytics" if i % 3 else "Engineer",
            company=f"Company {i}",
            industry="SaaS",
            location="Berlin",
            linkedin_bio=["Scaling our machine learning analytics.", "Works with data."][i % 2],
        )
        for i in range(args.leads)
    )
    offer = offer_create(account=account, **SEED_OFFER)

    def run(label, *, rescore):
        ours.send("reset")
        ours.recv()
        started = time.perf_counter()
        # The run's provider is the one the settings (pointed at the stub) choose.
        scoring_run = scoring_run_start(offer=offer, rescore=rescore)
        seconds = time.perf_counter() - started
        ours.send("stats")
        calls, peak = ours.recv()
        assert scoring_run.status == ScoringRun.Status.DONE, scoring_run.error
        assert Score.objects.filter(offer=offer, ai_status="ok").count() == args.leads
        print(
            f"{label:<34} {seconds:7.2f} s  calls {calls:5d}  peak in flight {peak:3d}  "
            f"(failed {scoring_run.failed})"
        )

    print(
        f"{args.leads} leads, {args.provider} SDK -> stub LLM server (own process), "
        f"{args.delay * 1000:.0f} ms per answer"
    )
    for concurrency in args.concurrency:
        settings.LLM_MAX_CONCURRENCY = concurrency
        run(f"LLM_MAX_CONCURRENCY={concurrency}", rescore=True)
    run("second run, nothing changed", rescore=False)

    ours.send("stop")
    stub_process.join(timeout=10)


if __name__ == "__main__":
    main()
