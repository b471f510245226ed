"""A 0–100 score to its label, by a ladder of minimum scores: the lead's intent (High /
Medium / Low) and the visitor's category (hot / warm / cold) are both read this way."""

from collections.abc import Sequence
from typing import TypeVar

Label = TypeVar("Label")


def label_for_score(score: int, ladder: Sequence[tuple[int, Label]], *, below: Label) -> Label:
    """The label of the first rung whose minimum the score reaches (rungs from the highest
    minimum down); `below` when it reaches none."""
    for minimum, label in ladder:
        if score >= minimum:
            return label
    return below
