"""The offline conversation grader: the seed's criteria, applied to the visitor's words.

Score (0–100) = purchase intent (0–50) + engagement (0–25) + qualification (0–25):

- purchase intent: asked about pricing/plans +15, requested a demo/trial +15, enterprise
  features +10, implementation timeline +10, mentioned budget +10, at most 50;
- engagement, by the number of the visitor's messages: 5+ → 25 (high), 3–4 → 15 (medium),
  1–2 → 5 (low), none → 0;
- qualification: company info +10, integration questions +8, specific use cases +7,
  technical understanding +5, at most 25.

Category: hot ≥ 70, warm 40–69, cold < 40. Only the visitor's messages count: a bot that
talks about pricing does not make its visitor a buyer. Phrases (vocabulary.py, in five
languages) match whole words, case-insensitively, and not under a negation ("we don't need
a demo"); a criterion counts once however often it is met. judgement.py then applies what
a sales manager would see beyond these points.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scoring.conversations import vocabulary
from scoring.conversations.models import EngagementLevel, LeadCategory
from scoring.core.score_bands import label_for_score
from scoring.core.text_match import whole_word_pattern

# Each part is capped: its criteria add up to more (60 and 30) than the part may give.
MAX_PURCHASE_INTENT = 50
MAX_QUALIFICATION = 25
HOT_MIN_SCORE = 70
WARM_MIN_SCORE = 40
CATEGORY_LADDER = ((HOT_MIN_SCORE, LeadCategory.HOT), (WARM_MIN_SCORE, LeadCategory.WARM))
MAX_KEY_INTERESTS = 8


@dataclass(frozen=True)
class Criterion:
    key: str
    points: int
    signal: str  # how it reads in intent_signals / the reasoning
    pattern: re.Pattern


BUDGET_PATTERN = whole_word_pattern(*vocabulary.BUDGET)
PURCHASE_INTENT = (
    Criterion("pricing", 15, "Asked about pricing or plans",
              whole_word_pattern(*vocabulary.PRICING)),
    Criterion("demo", 15, "Requested a demo or trial", whole_word_pattern(*vocabulary.DEMO)),
    Criterion("enterprise", 10, "Asked about enterprise features",
              whole_word_pattern(*vocabulary.ENTERPRISE)),
    Criterion("timeline", 10, "Discussed an implementation timeline",
              whole_word_pattern(*vocabulary.TIMELINE)),
    Criterion("budget", 10, "Mentioned a budget", BUDGET_PATTERN),
)  # fmt: skip
QUALIFICATION = (
    Criterion("company", 10, "Shared company information", whole_word_pattern(*vocabulary.COMPANY)),
    Criterion("integration", 8, "Asked about integrations",
              whole_word_pattern(*vocabulary.INTEGRATION)),
    Criterion("use_case", 7, "Described a specific use case",
              whole_word_pattern(*vocabulary.USE_CASE)),
    Criterion("technical", 5, "Showed technical understanding",
              whole_word_pattern(*vocabulary.TECHNICAL)),
)  # fmt: skip
ENGAGEMENT_TIERS = (  # (visitor messages at least, points, level)
    (5, 25, EngagementLevel.HIGH),
    (3, 15, EngagementLevel.MEDIUM),
    (1, 5, EngagementLevel.LOW),
)


def engagement_for(visitor_messages: int) -> tuple[int, EngagementLevel]:
    for at_least, points, level in ENGAGEMENT_TIERS:
        if visitor_messages >= at_least:
            return points, level
    return 0, EngagementLevel.NONE


def category_for(score: int) -> LeadCategory:
    """The category comes from the score alone, whoever gave the score."""
    return label_for_score(score, CATEGORY_LADDER, below=LeadCategory.COLD)


def clamp_score(score: int) -> int:
    return max(0, min(100, int(score)))


@dataclass(frozen=True)
class CriteriaGrade:
    purchase_intent: int
    engagement: int
    engagement_level: EngagementLevel
    qualification: int
    met: tuple[Criterion, ...]
    # Each criterion's first matching phrase, as the visitor wrote it.
    evidence: dict[str, str]
    visitor_message_count: int

    @property
    def score(self) -> int:
        return self.purchase_intent + self.engagement + self.qualification

    @property
    def category(self) -> LeadCategory:
        return category_for(self.score)

    @property
    def met_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.met)


_CLAUSE_BREAK = re.compile(vocabulary.CLAUSE_BREAK, re.IGNORECASE)
NEGATION_WINDOW_CHARS = 80
_NEGATION = whole_word_pattern(*vocabulary.NEGATION_CUES)
_NOT_A_NEGATION = re.compile(vocabulary.NOT_A_NEGATION, re.IGNORECASE)
_WORD = re.compile(r"[\w'’]+")


def one_pattern(sources) -> re.Pattern:
    """A list of regular expressions as one pattern: a single scan of the text finds the
    earliest of them (a scan per pattern made grading five times slower)."""
    return re.compile("|".join(f"(?:{source})" for source in sources), re.I | re.MULTILINE)


def is_negated(text: str, start: int) -> bool:
    """Whether a negation cue stands in the few words before `start`, in the same clause:
    "we don't need a demo", "sin prueba gratuita", "kein Angebot"."""
    # A negation reaches a few words back: the last clause break in a short window is
    # enough, and keeps this constant however long the conversation.
    window = max(0, start - NEGATION_WINDOW_CHARS)
    breaks = _CLAUSE_BREAK.finditer(text, window, start)
    clause_start = max((m.end() for m in breaks), default=window)
    before = _NOT_A_NEGATION.sub(" ", text[clause_start:start])
    words = _WORD.findall(before)[-vocabulary.NEGATION_REACH_WORDS :]
    return bool(words) and bool(_NEGATION.search(" ".join(words)))


def has_negation(text: str) -> bool:
    """Whether the text holds a negation cue anywhere (not an interjection like "No
    problem,")."""
    return bool(_NEGATION.search(_NOT_A_NEGATION.sub(" ", text)))


def affirmed_matches(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    """The pattern's matches in the text that no negation turns around."""
    return (match for match in pattern.finditer(text) if not is_negated(text, match.start()))


def criteria_grade(visitor_messages: list[str]) -> CriteriaGrade:
    text = "\n".join(visitor_messages)
    met, evidence = [], {}
    for criterion in PURCHASE_INTENT + QUALIFICATION:
        if match := next(affirmed_matches(criterion.pattern, text), None):
            met.append(criterion)
            evidence[criterion.key] = " ".join(match.group(0).split())
    engagement, level = engagement_for(len(visitor_messages))
    return CriteriaGrade(
        purchase_intent=min(
            MAX_PURCHASE_INTENT, sum(c.points for c in met if c in PURCHASE_INTENT)
        ),
        engagement=engagement,
        engagement_level=level,
        qualification=min(MAX_QUALIFICATION, sum(c.points for c in met if c in QUALIFICATION)),
        met=tuple(met),
        evidence=evidence,
        visitor_message_count=len(visitor_messages),
    )


# The criteria whose phrases name a topic of the product (not the visitor's situation).
INTEREST_CRITERIA = ("pricing", "demo", "enterprise", "integration", "technical")


def key_interests(visitor_messages: list[str]) -> list[str]:
    """What the visitor asked about, in the order they first raised it: every distinct
    product topic a criterion matched, lower-cased, at most MAX_KEY_INTERESTS."""
    found: dict[str, int] = {}
    text = "\n".join(visitor_messages)
    for criterion in PURCHASE_INTENT + QUALIFICATION:
        if criterion.key not in INTEREST_CRITERIA:
            continue
        for match in affirmed_matches(criterion.pattern, text):
            phrase = " ".join(match.group(0).lower().split())
            found.setdefault(phrase, match.start())
    return sorted(found, key=found.get)[:MAX_KEY_INTERESTS]


# Next steps, most urgent first, for what the visitor asked; a category's default closes.
ACTIONS_BY_CRITERION = {
    "demo": "Book a demo within 24 hours",
    "pricing": "Send a pricing proposal matched to their plan questions",
    "enterprise": "Share enterprise security and compliance documentation",
    "integration": "Loop in a solutions engineer to answer the integration questions",
    "timeline": "Confirm their implementation timeline and propose an onboarding plan",
    "budget": "Qualify budget and the decision makers on a discovery call",
}
DEFAULT_ACTIONS = {
    LeadCategory.HOT: "Have sales contact the visitor today",
    LeadCategory.WARM: "Follow up by email within 2 days with a relevant case study",
    LeadCategory.COLD: "Add the visitor to a nurture email sequence",
}


def recommended_actions(grade: CriteriaGrade, category: LeadCategory | None = None) -> list[str]:
    """Next steps for what the visitor asked, for the grade's category (or `category`, when
    judgement.py moved the score into another)."""
    category = category or grade.category
    actions = []
    if category != LeadCategory.COLD:
        actions = [ACTIONS_BY_CRITERION[k] for k in ACTIONS_BY_CRITERION if k in grade.met_keys]
    elif "pricing" in grade.met_keys or "demo" in grade.met_keys:
        actions = ["Send the pricing page and a self-serve trial link"]
    return [*actions, DEFAULT_ACTIONS[category]]


def points_breakdown(grade: CriteriaGrade) -> str:
    """'purchase intent 25/50 from …; engagement 5/25 from 2 visitor messages; qualification …'"""

    def part(criteria):
        named = [
            f"{c.signal.lower()} ('{grade.evidence[c.key]}')" for c in criteria if c in grade.met
        ]
        return ", ".join(named) or "nothing"

    count = grade.visitor_message_count
    return (
        f"purchase intent {grade.purchase_intent}/50 from {part(PURCHASE_INTENT)}; engagement "
        f"{grade.engagement}/25 from {count} visitor message{'s' if count != 1 else ''}; "
        f"qualification {grade.qualification}/25 from {part(QUALIFICATION)}"
    )


def reasoning(grade: CriteriaGrade) -> str:
    return f"Score {grade.score} ({grade.category.value}): {points_breakdown(grade)}."
