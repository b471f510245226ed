"""Property tests for the rule half of a lead score and the intent label of a total.

For any text in the five fields (None, empty, whitespace, any Unicode, keyword-laden) the
rule score stays within its factors' ranges, and filling in a missing field never lowers it.
Hypothesis runs derandomized and without its example database, so every run is the same.
"""

from dataclasses import replace
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.leads.models import Intent, Score
from scoring.leads.rules import (
    AI_POINTS,
    COMPLETENESS_FIELDS,
    DECISION_MAKER_ROLES,
    HIGH_VALUE_INDUSTRIES,
    INFLUENCER_ROLES,
    MEDIUM_VALUE_INDUSTRIES,
    intent_for_score,
    rule_score,
)

RULES = settings(max_examples=400, deadline=None, derandomize=True, database=None)

ROLE_POINTS = {0, 10, 20}
INDUSTRY_POINTS = {0, 10, 20}
COMPLETENESS_POINTS = {0, 10}
INTENT_RANK = {Intent.LOW: 0, Intent.MEDIUM: 1, Intent.HIGH: 2}
KEYWORDS = DECISION_MAKER_ROLES + INFLUENCER_ROLES + HIGH_VALUE_INDUSTRIES + MEDIUM_VALUE_INDUSTRIES
KEYWORD_MAX_LENGTH = Score._meta.get_field("role_keyword").max_length


@st.composite
def any_case(draw, word):
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(ch.upper() if flip else ch for ch, flip in zip(word, flips, strict=True))


keywords_any_case = st.sampled_from(KEYWORDS).flatmap(any_case)
empty_values = st.one_of(
    st.none(), st.just(""), st.text(" \t\r\n\u00a0\u2003\u3000\x0b\x0c", min_size=1, max_size=4)
)
filled_values = st.text(min_size=1, max_size=40).filter(str.strip)
field_values = st.one_of(
    empty_values,
    st.text(max_size=40),
    st.builds(lambda a, kw, b: f"{a}{kw}{b}", st.text(max_size=8), keywords_any_case,
              st.text(max_size=8)),
)  # fmt: skip
leads = st.fixed_dictionaries({field: field_values for field in COMPLETENESS_FIELDS})


def _lead(fields):
    return SimpleNamespace(**fields)


def _is_empty(value):
    return not (value or "").strip()


# --- ranges ----------------------------------------------------------------------------------


@RULES
@given(fields=leads)
def test_rule_score_is_0_to_50_and_the_sum_of_its_factors(fields):
    result = rule_score(_lead(fields))

    assert 0 <= result.total <= 50
    assert result.role_points in ROLE_POINTS
    assert result.industry_points in INDUSTRY_POINTS
    assert result.completeness_points in COMPLETENESS_POINTS
    assert result.total == result.role_points + result.industry_points + result.completeness_points
    # A factor earns points exactly when a keyword explains them, and the keyword fits its column.
    assert (result.role_points > 0) == bool(result.role_keyword)
    assert (result.industry_points > 0) == bool(result.industry_keyword)
    assert len(result.role_keyword) <= KEYWORD_MAX_LENGTH
    assert len(result.industry_keyword) <= KEYWORD_MAX_LENGTH


@RULES
@given(fields=leads)
def test_completeness_is_10_exactly_when_all_five_fields_have_text(fields):
    result = rule_score(_lead(fields))

    complete = not any(_is_empty(fields[field]) for field in COMPLETENESS_FIELDS)
    assert result.completeness_points == (10 if complete else 0)


@RULES
@given(fields=leads)
def test_an_empty_role_or_industry_earns_nothing(fields):
    fields = {**fields, "role": None, "industry": "  "}

    result = rule_score(_lead(fields))

    assert (result.role_points, result.industry_points) == (0, 0)
    assert result.total == result.completeness_points == 0


# --- monotone in completeness ----------------------------------------------------------------


@RULES
@given(
    fields=leads,
    field=st.sampled_from(COMPLETENESS_FIELDS),
    empty=empty_values,
    filler=filled_values,
)
def test_filling_in_an_empty_field_never_lowers_the_score(fields, field, empty, filler):
    before = {**fields, field: empty}
    after = {**before, field: filler}

    old, new = rule_score(_lead(before)), rule_score(_lead(after))

    assert new.total >= old.total
    assert new.role_points >= old.role_points
    assert new.industry_points >= old.industry_points
    assert new.completeness_points >= old.completeness_points
    others_filled = all(not _is_empty(after[f]) for f in COMPLETENESS_FIELDS)
    assert new.completeness_points == (10 if others_filled else 0)


@RULES
@given(fields=leads, fillers=st.lists(filled_values, min_size=5, max_size=5), data=st.data())
def test_filling_in_fields_one_by_one_only_ever_raises_the_score(fields, fillers, data):
    order = data.draw(st.permutations(COMPLETENESS_FIELDS))
    current = dict(fields)
    totals = [rule_score(_lead(current)).total]
    for field, filler in zip(order, fillers, strict=True):
        if _is_empty(current[field]):
            current[field] = filler
        totals.append(rule_score(_lead(current)).total)

    assert totals == sorted(totals)
    assert rule_score(_lead(current)).completeness_points == 10


# --- whole words, any case --------------------------------------------------------------------

# Text with no letters or digits cannot hold a keyword or glue onto one.
separators = st.text(" ,.;:/()&-|!?\t", max_size=6)


def _tier(keyword):
    for keywords, points in (
        (DECISION_MAKER_ROLES, 20),
        (INFLUENCER_ROLES, 10),
        (HIGH_VALUE_INDUSTRIES, 20),
        (MEDIUM_VALUE_INDUSTRIES, 10),
    ):
        if keyword in keywords:
            return points
    raise AssertionError(keyword)


@RULES
@given(
    keyword=st.sampled_from(DECISION_MAKER_ROLES + INFLUENCER_ROLES),
    data=st.data(),
    before=separators,
    after=separators,
)
def test_a_role_keyword_standing_alone_earns_its_tier_in_any_case(keyword, data, before, after):
    role = f"{before} {data.draw(any_case(keyword))} {after}"

    result = rule_score(_lead({"name": "A", "role": role, "company": "B", "industry": "",
                               "location": "C"}))  # fmt: skip

    assert (result.role_points, result.role_keyword) == (_tier(keyword), keyword)


@RULES
@given(
    keyword=st.sampled_from(HIGH_VALUE_INDUSTRIES + MEDIUM_VALUE_INDUSTRIES),
    data=st.data(),
    before=separators,
    after=separators,
)
def test_an_industry_keyword_standing_alone_earns_its_tier(keyword, data, before, after):
    industry = f"{before} {data.draw(any_case(keyword))} {after}"

    result = rule_score(_lead({"name": "A", "role": "", "company": "B", "industry": industry,
                               "location": "C"}))  # fmt: skip

    assert (result.industry_points, result.industry_keyword) == (_tier(keyword), keyword)


@RULES
@given(keyword=st.sampled_from(KEYWORDS), data=st.data(), glue=st.sampled_from("xZ9_é"))
def test_a_keyword_inside_a_longer_word_earns_nothing(keyword, data, glue):
    # "coordinator" holds "coo", "directorate" holds "director": neither is the keyword.
    word = f"{glue}{data.draw(any_case(keyword))}{glue}"

    result = rule_score(_lead({"name": "A", "role": word, "company": "B", "industry": word,
                               "location": "C"}))  # fmt: skip

    assert (result.role_points, result.industry_points) == (0, 0)
    assert result == replace(result, role_keyword="", industry_keyword="")


# --- intent label from the total ---------------------------------------------------------------


def _spec_intent(total):
    """The label SPEC.md gives a total: High 70–100, Medium 40–69, Low 0–39."""
    if total >= 70:
        return Intent.HIGH
    if total >= 40:
        return Intent.MEDIUM
    return Intent.LOW


@RULES
@given(a=st.integers(0, 100), b=st.integers(0, 100))
def test_intent_is_monotone_in_the_total(a, b):
    low, high = sorted((a, b))

    assert INTENT_RANK[intent_for_score(low)] <= INTENT_RANK[intent_for_score(high)]


def test_intent_matches_the_spec_for_every_total_and_at_the_thresholds():
    assert [intent_for_score(t) for t in range(101)] == [_spec_intent(t) for t in range(101)]
    assert intent_for_score(39) == Intent.LOW
    assert intent_for_score(40) == Intent.MEDIUM
    assert intent_for_score(69) == Intent.MEDIUM
    assert intent_for_score(70) == Intent.HIGH
    assert intent_for_score(100) == Intent.HIGH


def test_ai_points_are_the_spec_values():
    assert AI_POINTS == {Intent.HIGH: 50, Intent.MEDIUM: 30, Intent.LOW: 10}


@RULES
@given(fields=leads, ai_label=st.sampled_from(list(AI_POINTS)))
def test_rules_plus_ai_points_lands_in_0_to_100_with_the_spec_label(fields, ai_label):
    total = rule_score(_lead(fields)).total + AI_POINTS[ai_label]

    assert 0 <= total <= 100
    assert intent_for_score(total) == _spec_intent(total)
    # A better AI label never lowers the intent of the same lead.
    for better in [label for label in AI_POINTS if AI_POINTS[label] > AI_POINTS[ai_label]]:
        better_total = total - AI_POINTS[ai_label] + AI_POINTS[better]
        assert INTENT_RANK[intent_for_score(better_total)] >= INTENT_RANK[intent_for_score(total)]
