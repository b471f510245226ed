"""How far the default scorer agrees with a sales manager's hand labels.

    .venv/bin/python bench/fit_quality.py [SET ...] [--rule-set fit|seed] [--show-errors]

A SET is a pair of files, `<prefix>_offers.json` and `<prefix>_leads.csv` (the leads' CSV
has one label column, High/Medium/Low, per offer key); by default the dev set in
../shared/eval/ (fit_dev) and the extra sets in bench/data/. Every set goes through the
service as a user's would: its offers created from name, value propositions and use cases
only, its leads uploaded as CSV, scored by the offline `local` provider on a throw-away
SQLite database. Prints, per set, the agreement, Cohen's kappa and the confusion matrix.
"""

import argparse
import csv
import io
import json
import logging
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_db_dir = tempfile.mkdtemp(prefix="intentscore-fit-")
os.environ["DATABASE_URL"] = f"sqlite:///{_db_dir}/bench.sqlite3"
os.environ["LLM_PROVIDER"] = "local"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from scoring.lead_csv import REQUIRED_COLUMNS  # noqa: E402
from scoring.models import Account, Score  # noqa: E402
from scoring.services.leads import leads_import  # noqa: E402
from scoring.services.offers import offer_create, offer_update  # noqa: E402
from scoring.services.scoring import leads_score  # noqa: E402

LABELS = ("High", "Medium", "Low")
DEFAULT_SETS = [
    ROOT.parent / "shared" / "eval" / "fit_dev",
    *sorted(
        p.with_name(p.name.removesuffix("_offers.json"))
        for p in (ROOT / "bench" / "data").glob("*_offers.json")
    ),
]


def evaluate(prefix: Path, *, rule_set: str, show_errors: bool) -> tuple[list[str], list[str]]:
    offers = json.loads(prefix.with_name(prefix.name + "_offers.json").read_text())
    with open(prefix.with_name(prefix.name + "_leads.csv"), newline="") as file:
        rows = list(csv.DictReader(file))
    account = Account.objects.create(name=prefix.name, slug=prefix.name.replace("_", "-"))
    upload = io.StringIO()
    writer = csv.writer(upload)
    writer.writerow(REQUIRED_COLUMNS)
    writer.writerows([row[column] for column in REQUIRED_COLUMNS] for row in rows)
    leads_import(account=account, file=io.BytesIO(upload.getvalue().encode()), file_name="x.csv")
    expected, predicted = [], []
    for key, spec in offers.items():
        offer = offer_create(
            account=account,
            name=spec["name"],
            value_props=spec["value_props"],
            ideal_use_cases=spec["ideal_use_cases"],
        )
        if rule_set == "seed":
            offer = offer_update(offer=offer, rule_set="seed")
        leads_score(offer=offer)
        scores = {s.lead.name: s for s in Score.objects.filter(offer=offer).select_related("lead")}
        for row in rows:
            score = scores[row["name"]]
            expected.append(row[key])
            predicted.append(score.intent)
            if show_errors and score.intent != row[key]:
                print(
                    f"  {key:<18} {row['name']:<22} {row['role'][:34]:<34} "
                    f"want {row[key]:<6} got {score.intent:<6} {score.score:>3}: "
                    + "; ".join(f"{f['points']:+d} {f['reason'][:60]}" for f in score.factors)
                )
    return expected, predicted


def cohen_kappa(expected: list[str], predicted: list[str]) -> float:
    """Agreement beyond what the two label distributions would give by chance."""
    total = len(expected)
    observed = sum(e == p for e, p in zip(expected, predicted, strict=True)) / total
    want, got = Counter(expected), Counter(predicted)
    chance = sum(want[label] * got[label] for label in LABELS) / total**2
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def report(name: str, expected: list[str], predicted: list[str]) -> None:
    agree = sum(e == p for e, p in zip(expected, predicted, strict=True))
    kappa = cohen_kappa(expected, predicted)
    print(f"{name}: {agree}/{len(expected)} = {agree / len(expected):.0%} agree, kappa {kappa:.2f}")
    counts = Counter(zip(expected, predicted, strict=True))
    print("  labelled \\ scored " + "".join(f"{label:>8}" for label in LABELS))
    for want in LABELS:
        print(f"  {want:<18}" + "".join(f"{counts[(want, got)]:>8}" for got in LABELS))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--rule-set", choices=("fit", "seed"), default="fit")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)
    everything = ([], [])
    for prefix in args.sets:
        expected, predicted = evaluate(prefix, rule_set=args.rule_set, show_errors=args.show_errors)
        report(prefix.name, expected, predicted)
        everything[0].extend(expected)
        everything[1].extend(predicted)
    if len(args.sets) > 1:
        report("all sets", *everything)


if __name__ == "__main__":
    main()
