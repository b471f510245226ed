"""The deterministic half of a lead score (0–50) and how a total becomes an intent label.

Keywords match whole words, case-insensitively: "Marketing Coordinator" is an influencer
(10), never a decision maker through the "coo" inside "coordinator".
"""

import re
from dataclasses import dataclass

from scoring.models import Intent

DECISION_MAKER_ROLES = (
    "ceo", "cfo", "cto", "cmo", "coo", "president", "vp", "vice president",
    "director", "head of", "manager", "founder", "owner",
)  # fmt: skip
INFLUENCER_ROLES = ("specialist", "analyst", "coordinator", "assistant", "associate")
HIGH_VALUE_INDUSTRIES = ("saas", "tech", "technology", "software")
MEDIUM_VALUE_INDUSTRIES = ("business", "services", "consulting")
COMPLETENESS_FIELDS = ("name", "role", "company", "industry", "location")

DECISION_MAKER_POINTS = 20
INFLUENCER_POINTS = 10
HIGH_VALUE_INDUSTRY_POINTS = 20
MEDIUM_VALUE_INDUSTRY_POINTS = 10
COMPLETENESS_POINTS = 10

AI_POINTS = {Intent.HIGH: 50, Intent.MEDIUM: 30, Intent.LOW: 10}
HIGH_INTENT_MIN_SCORE = 70
MEDIUM_INTENT_MIN_SCORE = 40


def whole_word_pattern(*phrases: str) -> re.Pattern:
    """Any of the phrases, as whole words, case-insensitively. A space in a phrase matches
    any run of whitespace, a `*` any word ending ("integrat*": integrate, integration).
    Longest first, so "vice president" is reported rather than "president"."""
    alternatives = []
    for phrase in sorted(phrases, key=len, reverse=True):
        escaped = r"\s+".join(map(re.escape, phrase.split()))
        alternatives.append(escaped.replace(r"\*", r"\w*"))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


_TIERS = {
    "role": (
        (whole_word_pattern(*DECISION_MAKER_ROLES), DECISION_MAKER_POINTS),
        (whole_word_pattern(*INFLUENCER_ROLES), INFLUENCER_POINTS),
    ),
    "industry": (
        (whole_word_pattern(*HIGH_VALUE_INDUSTRIES), HIGH_VALUE_INDUSTRY_POINTS),
        (whole_word_pattern(*MEDIUM_VALUE_INDUSTRIES), MEDIUM_VALUE_INDUSTRY_POINTS),
    ),
}


@dataclass(frozen=True)
class RuleScore:
    role_points: int
    role_keyword: str
    industry_points: int
    industry_keyword: str
    completeness_points: int

    @property
    def total(self) -> int:
        return self.role_points + self.industry_points + self.completeness_points


def _tier_match(kind: str, text: str) -> tuple[int, str]:
    """The points of the first tier whose keyword appears in text, and that keyword."""
    for pattern, points in _TIERS[kind]:
        match = pattern.search(text or "")
        if match:
            return points, " ".join(match.group(0).lower().split())
    return 0, ""


def rule_score(lead) -> RuleScore:
    """Score anything with the lead's fields as attributes (a Lead or a LeadProfile)."""
    role_points, role_keyword = _tier_match("role", lead.role)
    industry_points, industry_keyword = _tier_match("industry", lead.industry)
    complete = all((getattr(lead, field) or "").strip() for field in COMPLETENESS_FIELDS)
    return RuleScore(
        role_points=role_points,
        role_keyword=role_keyword,
        industry_points=industry_points,
        industry_keyword=industry_keyword,
        completeness_points=COMPLETENESS_POINTS if complete else 0,
    )


def intent_for_score(total: int) -> Intent:
    """The label comes from the total score alone, never from the AI's label."""
    if total >= HIGH_INTENT_MIN_SCORE:
        return Intent.HIGH
    if total >= MEDIUM_INTENT_MIN_SCORE:
        return Intent.MEDIUM
    return Intent.LOW
