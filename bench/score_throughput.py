"""Throughput of the embedded default: CSV import, the local provider alone, and a whole
`leads_score` run (rules + local provider + upserts) on a throw-away SQLite database.

    .venv/bin/python bench/score_throughput.py [--leads 20000] [--repeat 3]

Prints the median of --repeat runs for each figure. Synthetic leads come from a fixed seed.
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_db_dir = tempfile.mkdtemp(prefix="intentscore-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{_db_dir}/bench.sqlite3"
os.environ["LLM_PROVIDER"] = "local"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from scoring.models import Lead, Score  # noqa: E402
from scoring.providers import LeadProfile, OfferProfile  # noqa: E402
from scoring.providers.local import LocalProvider  # noqa: E402
from scoring.services.leads import leads_import  # noqa: E402
from scoring.services.offers import offer_create  # noqa: E402
from scoring.services.scoring import leads_score  # noqa: E402

ROLES = ["CEO", "VP of Sales", "Data Analyst", "Marketing Coordinator", "Engineer", "Intern"]
INDUSTRIES = ["SaaS", "Technology", "Retail", "Consulting", "Healthcare", "Education"]
BIOS = [
    "Looking for advanced ML platforms to scale our data science capabilities.",
    "Business intelligence professional focused on operational efficiency.",
    "Coordinating marketing campaigns and social media content.",
    "Evaluating real-time data processing for our product analytics stack.",
    "Studying history and political science.",
]
OFFER = {
    "name": "AI Analytics Platform Pro",
    "value_props": ["Advanced Machine Learning Analytics", "Real-time Data Processing",
                    "Predictive Business Intelligence", "Custom Dashboard Creation"],
    "ideal_use_cases": ["Enterprise Data Analysis", "Business Intelligence Reporting",
                        "Customer Behavior Analytics", "Sales Performance Optimization"],
}  # fmt: skip


def synthetic_csv(count: int) -> bytes:
    rng = random.Random(42)
    lines = ["name,role,company,industry,location,linkedin_bio"]
    for i in range(count):
        bio = " ".join(rng.sample(BIOS, 2))
        lines.append(
            f"Lead {i},{rng.choice(ROLES)},Company {i},{rng.choice(INDUSTRIES)},City {i % 50},{bio}"
        )
    return ("\n".join(lines) + "\n").encode()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    data = synthetic_csv(args.leads)
    offer = offer_create(**OFFER)

    import_times, provider_times, score_times = [], [], []
    for _ in range(args.repeat):
        Lead.objects.all().delete()
        import_times.append(
            timed(lambda: leads_import(file=io.BytesIO(data), file_name="bench.csv"))
        )
        profiles = [LeadProfile.from_lead(lead) for lead in Lead.objects.all()]
        offer_profile, provider = OfferProfile.from_offer(offer), LocalProvider()
        provider_times.append(
            timed(lambda: [provider.assess(lead=p, offer=offer_profile) for p in profiles])
        )
        score_times.append(timed(lambda: leads_score(offer=offer, rescore=True)))
        assert Score.objects.filter(offer=offer).count() == args.leads

    n = args.leads
    print(f"leads: {n}, runs: {args.repeat} (medians), database: SQLite")
    print(f"import (CSV -> rows):             {n / statistics.median(import_times):>9,.0f} leads/s")
    print(f"local provider alone:             {n / statistics.median(provider_times):>9,.0f} leads/s")
    print(f"leads_score (rules+local+upsert): {n / statistics.median(score_times):>9,.0f} leads/s")


if __name__ == "__main__":
    main()
