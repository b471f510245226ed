import pytest

from scoring.core.score_bands import label_for_score

LADDER = ((70, "top"), (40, "middle"))


@pytest.mark.parametrize(
    ("score", "label"),
    [(100, "top"), (70, "top"), (69, "middle"), (40, "middle"), (39, "bottom"), (0, "bottom")],
)
def test_a_score_takes_the_label_of_the_highest_rung_it_reaches(score, label):
    assert label_for_score(score, LADDER, below="bottom") == label


def test_an_empty_ladder_gives_the_label_below_it():
    assert label_for_score(100, (), below="bottom") == "bottom"
