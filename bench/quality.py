"""Agreement between the scorer and a sales manager's hand labels, for bench/fit_quality.py
and the regression test in tests/leads/test_fit_quality.py (Django must be set up).

A labelled set is a pair of files, `<prefix>_offers.json` (offers keyed by a short name:
name, value_props, ideal_use_cases, and a `target` sentence for the labeller only) and
`<prefix>_leads.csv` (the leads' six CSV columns, then one High/Medium/Low column per
offer key). The set goes through the service as a user's data would: its leads uploaded as
CSV, its offers created from name, value propositions and use cases only, then scored as a
scoring run (in the calling process when no broker is configured).
"""

import csv
import io
import json
from collections import Counter
from pathlib import Path

from scoring.leads.dispatch import scoring_run_start
from scoring.leads.lead_csv import SEED_COLUMNS
from scoring.leads.models import Score, ScoringRun
from scoring.leads.services.leads import leads_import
from scoring.leads.services.offers import offer_create

LABELS = ("High", "Medium", "Low")
BENCH_DATA = Path(__file__).resolve().parent / "data"
DEV_SET = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "fit_dev"


def labelled_sets() -> list[Path]:
    """The dev set (when this checkout sits beside it) and the sets in bench/data."""
    extra = sorted(
        path.with_name(path.name.removesuffix("_offers.json"))
        for path in BENCH_DATA.glob("*_offers.json")
    )
    dev = [DEV_SET] if DEV_SET.with_name(DEV_SET.name + "_offers.json").exists() else []
    return dev + extra


def evaluate(prefix: Path, *, account, rule_set: str = "", on_pair=None):
    """(labels, intents) for every lead × offer pair of the set, scored in `account`;
    on_pair(offer_key, row, score), when given, sees each pair."""
    offers = json.loads(prefix.with_name(prefix.name + "_offers.json").read_text())
    with open(prefix.with_name(prefix.name + "_leads.csv"), newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    upload = io.StringIO()
    writer = csv.writer(upload)
    writer.writerow(SEED_COLUMNS)
    writer.writerows([row[column] for column in SEED_COLUMNS] for row in rows)
    leads_import(
        account=account, file=io.BytesIO(upload.getvalue().encode()), file_name=prefix.name
    )
    expected, predicted = [], []
    for key, spec in offers.items():
        offer = offer_create(
            account=account,
            name=spec["name"],
            value_props=spec["value_props"],
            ideal_use_cases=spec["ideal_use_cases"],
            rule_set=rule_set,
        )
        run = scoring_run_start(offer=offer)
        if run.status != ScoringRun.Status.DONE:
            raise RuntimeError(f"run {run.pk} of {spec['name']!r} is {run.status}: {run.error}")
        scores = {s.lead.name: s for s in Score.objects.filter(offer=offer).select_related("lead")}
        for row in rows:
            score = scores[row["name"]]
            expected.append(row[key])
            predicted.append(score.intent)
            if on_pair is not None:
                on_pair(key, row, score)
    return expected, predicted


def agreement(expected: list[str], predicted: list[str]) -> float:
    return sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)


def cohen_kappa(expected: list[str], predicted: list[str]) -> float:
    """Agreement beyond what the two label distributions would give by chance."""
    total = len(expected)
    observed = agreement(expected, predicted)
    want, got = Counter(expected), Counter(predicted)
    chance = sum(want[label] * got[label] for label in LABELS) / total**2
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def report(name: str, expected: list[str], predicted: list[str]) -> str:
    agree = sum(e == p for e, p in zip(expected, predicted, strict=True))
    lines = [
        f"{name}: {agree}/{len(expected)} = {agree / len(expected):.0%} agree, "
        f"kappa {cohen_kappa(expected, predicted):.2f}",
        "  labelled \\ scored " + "".join(f"{label:>8}" for label in LABELS),
    ]
    counts = Counter(zip(expected, predicted, strict=True))
    for want in LABELS:
        lines.append(f"  {want:<18}" + "".join(f"{counts[(want, got)]:>8}" for got in LABELS))
    return "\n".join(lines)


# --- conversations: hot / warm / cold ---------------------------------------------------------

CONVERSATION_DEV_SET = DEV_SET.parent / "conversations_dev.json"
# The categories in the order of LABELS, for cohen_kappa.
CATEGORY_AS_LABEL = {"hot": "High", "warm": "Medium", "cold": "Low"}


def conversation_sets() -> list[Path]:
    """The dev set (when this checkout sits beside it) and ours in bench/data."""
    dev = [CONVERSATION_DEV_SET] if CONVERSATION_DEV_SET.exists() else []
    return dev + sorted(BENCH_DATA.glob("conversations_*.json"))


def conversation_results(path: Path) -> list[tuple[dict, object]]:
    """(labelled example, GradingResult) for each conversation of the file, graded by the
    offline grader as a default install grades it."""
    from scoring.conversations.grading import LocalGrader
    from scoring.conversations.schemas import grading_task_from_data
    from scoring.conversations.services import conversation_grade

    grader = LocalGrader()
    return [
        (
            example,
            conversation_grade(task=grading_task_from_data(example["task"]), grader=grader)[0],
        )
        for example in json.loads(path.read_text(encoding="utf-8"))
    ]


def conversation_agreement(results) -> tuple[float, float]:
    """Agreement and Cohen's kappa of the results with their labels."""
    expected = [CATEGORY_AS_LABEL[example["expect"]] for example, _ in results]
    predicted = [CATEGORY_AS_LABEL[result.lead_category] for _, result in results]
    return agreement(expected, predicted), cohen_kappa(expected, predicted)
