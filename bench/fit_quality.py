"""How far the default scorer agrees with a sales manager's hand labels.

    .venv/bin/python bench/fit_quality.py [SET ...] [--rule-set fit|seed] [--show-errors]

A SET is a path prefix of `<prefix>_offers.json` and `<prefix>_leads.csv` (bench/quality.py
says what they hold); by default the dev set in ../shared/eval/ (fit_dev) and the sets in
bench/data/. Every set goes through the service as a user's would: its offers created from
name, value propositions and use cases only, its leads uploaded as CSV, scored by the
offline `local` provider on a throw-away SQLite database. Prints, per set, the agreement,
Cohen's kappa and the confusion matrix; --show-errors lists each disagreement with the
score's factors.
"""

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.local_django import setup  # noqa: E402

setup(prefix="intentscore-fit-")

from django.core.management import call_command  # noqa: E402

from bench.quality import evaluate, labelled_sets, report  # noqa: E402
from scoring.accounts.models import Account  # noqa: E402


def show_error(key, row, score) -> None:
    if score.intent == row[key]:
        return
    factors = "; ".join(f"{f['points']:+d} {f['reason'][:60]}" for f in score.factors)
    print(
        f"  {key:<18} {row['name']:<22} {row['role'][:34]:<34} "
        f"want {row[key]:<6} got {score.intent:<6} {score.score:>3}: {factors}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", type=Path, default=labelled_sets())
    parser.add_argument("--rule-set", choices=("fit", "seed"), default="")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)
    everything = ([], [])
    for prefix in args.sets:
        account = Account.objects.create(name=prefix.name, slug=prefix.name.replace("_", "-"))
        expected, predicted = evaluate(
            prefix,
            account=account,
            rule_set=args.rule_set,
            on_pair=show_error if args.show_errors else None,
        )
        print(report(prefix.name, expected, predicted))
        everything[0].extend(expected)
        everything[1].extend(predicted)
    if len(args.sets) > 1:
        print(report("all sets", *everything))


if __name__ == "__main__":
    main()
