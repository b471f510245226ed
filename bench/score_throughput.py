"""Throughput of the embedded default: CSV import, the local provider alone, and a whole
scoring run (rules + local provider + upserts, in this process: no broker) on a throw-away
SQLite database.

    .venv/bin/python bench/score_throughput.py [--leads 20000] [--repeat 3]

Prints the median of --repeat runs for each figure. Synthetic leads come from a fixed seed.
"""

import argparse
import io
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.local_django import setup  # noqa: E402

os.environ["CELERY_BROKER_URL"] = ""  # the run's tasks in this process, as embedded
setup(prefix="intentscore-bench-")

from django.core.management import call_command  # noqa: E402

from bench.synthetic import BIOS, INDUSTRIES, OFFER, ROLES  # noqa: E402
from scoring.accounts.services import default_account  # noqa: E402
from scoring.leads.assessment import LeadProfile, OfferProfile  # noqa: E402
from scoring.leads.dispatch import scoring_run_start  # noqa: E402
from scoring.leads.matcher import LocalAssessor  # noqa: E402
from scoring.leads.models import Lead, Score, ScoringRun  # noqa: E402
from scoring.leads.services.leads import leads_import  # noqa: E402
from scoring.leads.services.offers import offer_create  # noqa: E402


def synthetic_csv(count: int) -> bytes:
    rng = random.Random(42)
    lines = ["name,role,company,industry,location,linkedin_bio"]
    for i in range(count):
        bio = " ".join(rng.sample(BIOS, 2))
        lines.append(
            f"Lead {i},{rng.choice(ROLES)},Company {i},{rng.choice(INDUSTRIES)},City {i % 50},{bio}"
        )
    return ("\n".join(lines) + "\n").encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)
    data = synthetic_csv(args.leads)
    account = default_account()
    offer = offer_create(account=account, **OFFER)

    provider, offer_profile = (
        LocalAssessor(),
        OfferProfile.from_offer(offer, default_rule_set="fit"),
    )
    timings = {"import (CSV -> rows)": [], "local provider alone": [],
               "scoring run (rules + local + upsert)": []}  # fmt: skip
    for _ in range(args.repeat):
        Lead.objects.all().delete()
        started = time.perf_counter()
        leads_import(account=account, file=io.BytesIO(data), file_name="bench.csv")
        timings["import (CSV -> rows)"].append(time.perf_counter() - started)

        profiles = [LeadProfile.from_lead(lead) for lead in Lead.objects.all()]
        started = time.perf_counter()
        for profile in profiles:
            provider.assess(lead=profile, offer=offer_profile)
        timings["local provider alone"].append(time.perf_counter() - started)

        started = time.perf_counter()
        run = scoring_run_start(offer=offer, rescore=True)
        timings["scoring run (rules + local + upsert)"].append(time.perf_counter() - started)
        assert run.status == ScoringRun.Status.DONE, (run.status, run.error)
        assert Score.objects.filter(offer=offer).count() == args.leads

    print(f"leads: {args.leads}, runs: {args.repeat} (medians), database: SQLite")
    for label, seconds in timings.items():
        print(f"{label:<38} {args.leads / statistics.median(seconds):>9,.0f} leads/s")


if __name__ == "__main__":
    main()
