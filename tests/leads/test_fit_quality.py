"""The default scorer keeps agreeing with a sales manager's hand labels: each labelled set
(bench/data, and the dev set when this checkout sits beside it) scored through the service,
offline, must stay above the agreement and kappa it reached (bench/fit_quality.py prints
the full figures). A change to the vocabularies or rules that loses ground fails here."""

import pytest

from bench.quality import agreement, cohen_kappa, evaluate, labelled_sets

pytestmark = pytest.mark.django_db

# (agreement, kappa) each set must keep; a little under what it reached when last tuned.
FLOORS = {
    "fit_dev": (0.90, 0.75),
    "fit_extra_a": (0.85, 0.68),
    "fit_extra_b": (0.75, 0.50),
    "fit_extra_c": (0.80, 0.55),
    # Written blind by helpers, measured before any tuning on them (64%, 70%, 79% and 67%),
    # then tuned on: the vocabularies only, no rule per example.
    "fit_extra_d": (0.74, 0.50),
    "fit_extra_e": (0.78, 0.60),
    "fit_extra_f": (0.78, 0.58),
    "fit_extra_g": (0.68, 0.45),
}
DEFAULT_FLOOR = (0.82, 0.65)  # the bar for sets the scorer was not tuned on


@pytest.mark.parametrize("prefix", labelled_sets(), ids=lambda prefix: prefix.name)
def test_the_default_scorer_agrees_with_the_hand_labels(account, prefix):
    expected, predicted = evaluate(prefix, account=account)

    min_agreement, min_kappa = FLOORS.get(prefix.name, DEFAULT_FLOOR)
    assert agreement(expected, predicted) >= min_agreement
    assert cohen_kappa(expected, predicted) >= min_kappa


def test_kappa_is_one_for_perfect_agreement_and_zero_for_chance():
    labels = ["High", "Medium", "Low", "Low"]
    assert cohen_kappa(labels, labels) == 1.0
    assert cohen_kappa(["High", "Low"], ["Low", "Low"]) == 0.0
