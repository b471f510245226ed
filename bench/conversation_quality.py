"""Agreement between the offline conversation grader and a sales manager's labels.

    .venv/bin/python bench/conversation_quality.py [--show-errors] [FILE ...]

Grades every labelled conversation of the dev set (../shared/eval/conversations_dev.json,
when this checkout sits beside it) and of bench/data/conversations_*.json (our own, in other
domains), or of the FILEs given, through the grader a user gets by default (LLM_PROVIDER=
local), and prints per set: agreement, Cohen's kappa, the confusion matrix, and with
--show-errors each miss with its score and reasoning. The issue's targets: ≥ 90% on the dev
set; ≥ 75% with kappa ≥ 0.6 on sets of the same kind it was not tuned on.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.local_django import setup  # noqa: E402

setup("intentscore-conversation-quality-")

from bench.quality import (  # noqa: E402
    conversation_agreement,
    conversation_results,
    conversation_sets,
)

CATEGORIES = ("hot", "warm", "cold")


def report(name: str, results, *, show_errors: bool) -> None:
    expected = [example["expect"] for example, _ in results]
    predicted = [result.lead_category for _, result in results]
    agree, kappa = conversation_agreement(results)
    print(
        f"{name}: {sum(e == p for e, p in zip(expected, predicted, strict=True))}/{len(results)} = "
        f"{agree:.0%} agree, kappa {kappa:.2f}"
    )
    print("  labelled \\ graded " + "".join(f"{c:>7}" for c in CATEGORIES))
    for want in CATEGORIES:
        row = [
            sum(1 for e, p in zip(expected, predicted, strict=True) if e == want and p == got)
            for got in CATEGORIES
        ]
        print(f"  {want:<18}" + "".join(f"{n:>7}" for n in row))
    if show_errors:
        for example, result in results:
            if result.lead_category != example["expect"]:
                print(
                    f"\n  {example['task']['task_id']}: labelled {example['expect']}, graded "
                    f"{result.lead_category} ({result.lead_score})\n    why: {example['why']}\n"
                    f"    reasoning: {result.reasoning}"
                )
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    files = args.files or conversation_sets()
    if not files:
        print("no labelled conversations found")
        return 1
    everything = []
    for path in files:
        results = conversation_results(path)
        everything += results
        report(path.name, results, show_errors=args.show_errors)
    if len(files) > 1:
        report("all sets", everything, show_errors=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
