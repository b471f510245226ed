"""The deterministic half of a lead score (0–50) and how a total becomes an intent label.

Two rule sets. `fit` (the default) scores the lead against the offer's buyer profile: the
role by its normalised seniority and department, the industry by the profile's targets, and
negative signals (a competitor, a student, a wrong department, a product just bought) cap
the total. `seed` is the seed's fixed table, whatever the offer: keywords matched as whole
words, case-insensitively ("Marketing Coordinator" is an influencer, 10, never a decision
maker through the "coo" inside "coordinator"). Both explain themselves factor by factor.
"""

from dataclasses import dataclass

from scoring.core.score_bands import label_for_score
from scoring.core.text_match import whole_word_pattern
from scoring.leads.buyer_profile import (
    RELATED_INDUSTRIES,
    BuyerProfile,
    department_label,
    industries_of,
    industry_label,
)
from scoring.leads.lead_signals import (
    bio_signals,
    company_is,
    company_size,
    names_in,
    retired_role,
    vendor_descriptions,
)
from scoring.leads.models import Intent, RuleSet, Seniority
from scoring.leads.term_overlap import offer_terms, terms
from scoring.leads.titles import SENIORITY_RANK, NormalisedTitle, normalise_title

DECISION_MAKER_ROLES = (
    "ceo", "cfo", "cto", "cmo", "coo", "president", "vp", "vice president",
    "director", "head of", "manager", "founder", "owner",
)  # fmt: skip
INFLUENCER_ROLES = ("specialist", "analyst", "coordinator", "assistant", "associate")
HIGH_VALUE_INDUSTRIES = ("saas", "tech", "technology", "software")
MEDIUM_VALUE_INDUSTRIES = ("business", "services", "consulting")
COMPLETENESS_FIELDS = ("name", "role", "company", "industry", "location")
RULE_SET_FIT = RuleSet.FIT.value
RULE_SET_SEED = RuleSet.SEED.value
# Bump when a rule or a vocabulary it reads changes: it is part of every score's content
# hash, so the next run scores again what the old rules scored.
RULES_VERSION = "fit-rules-3"

DECISION_MAKER_POINTS = 20
INFLUENCER_POINTS = 10
HIGH_VALUE_INDUSTRY_POINTS = 20
MEDIUM_VALUE_INDUSTRY_POINTS = 10
COMPLETENESS_POINTS = 10

AI_POINTS = {Intent.HIGH: 50, Intent.MEDIUM: 30, Intent.LOW: 10}
HIGH_INTENT_MIN_SCORE = 70
MEDIUM_INTENT_MIN_SCORE = 40
INTENT_LADDER = ((HIGH_INTENT_MIN_SCORE, Intent.HIGH), (MEDIUM_INTENT_MIN_SCORE, Intent.MEDIUM))


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
class Factor:
    """One line of a score's explanation: its points (negative for a cap) and why."""

    part: str  # role, industry, completeness, cap or ai
    points: int
    reason: str

    def as_dict(self) -> dict:
        return {"part": self.part, "points": self.points, "reason": self.reason}

    def __str__(self) -> str:
        sign = "+" if self.points >= 0 else "−"
        return f"{sign}{abs(self.points)} {self.reason}"

    def labelled(self) -> str:
        """With its part first ("role +20 …"): a CSV cell a spreadsheet reads as text."""
        return f"{self.part} {self}"


@dataclass(frozen=True)
class RuleScore:
    role_points: int
    role_keyword: str
    industry_points: int
    industry_keyword: str
    completeness_points: int
    factors: tuple[Factor, ...] = ()
    # The most the whole score may reach (a negative signal), and why; None: no cap.
    cap: int | None = None
    cap_reason: str = ""
    rule_set: str = RULE_SET_SEED

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


def _completeness(lead) -> Factor:
    missing = [field for field in COMPLETENESS_FIELDS if not (getattr(lead, field) or "").strip()]
    if not missing:
        return Factor("completeness", COMPLETENESS_POINTS, "complete: all five profile fields")
    return Factor("completeness", 0, f"incomplete: no {_join(missing)}")


def rule_score(lead, offer=None) -> RuleScore:
    """The rule half for anything with the lead's fields as attributes (a Lead or a
    LeadProfile), by the offer's rule set (an OfferProfile; None: the seed's table)."""
    if offer is not None and offer.rule_set == RULE_SET_FIT:
        return _fit_rule_score(lead, offer)
    return _seed_rule_score(lead)


def _seed_rule_score(lead) -> RuleScore:
    role_points, role_keyword = _tier_match("role", lead.role)
    industry_points, industry_keyword = _tier_match("industry", lead.industry)
    role_reason = (
        f"role '{lead.role}' has '{role_keyword}'" if role_keyword else "role: no role keyword"
    )
    industry_reason = (
        f"industry '{lead.industry}' has '{industry_keyword}'"
        if industry_keyword
        else "industry: no industry keyword"
    )
    completeness = _completeness(lead)
    return RuleScore(
        role_points=role_points,
        role_keyword=role_keyword,
        industry_points=industry_points,
        industry_keyword=industry_keyword,
        completeness_points=completeness.points,
        factors=(
            Factor("role", role_points, role_reason),
            Factor("industry", industry_points, industry_reason),
            completeness,
        ),
    )


# --- The fit rule set: the lead against the offer's buyer profile ------------------------

PRIMARY_POINTS = 20  # a decision maker in a buying department
PRIMARY_JUNIOR_POINTS = 10  # a buying department, a level below the seniority that signs
SECONDARY_POINTS = 10  # a department that influences the purchase, manager or above
SECONDARY_JUNIOR_POINTS = 5
BACK_OFFICE_INSIDER_POINTS = 5  # IT, finance, operations inside a vertical product's industry
GENERAL_MANAGEMENT_POINTS = 10  # a CEO, founder, owner or partner of a mid-sized company
GENERAL_MANAGEMENT_REMOTE_POINTS = 5  # ... of a small, a large or an unknown-sized one
GENERAL_MANAGEMENT_BUYER_POINTS = 20  # ... of a vertical product, which owners buy
UNKNOWN_DEPARTMENT_POINTS = 5  # a manager or above whose role names no department
TARGET_INDUSTRY_POINTS = 20
COMPATIBLE_INDUSTRY_POINTS = 10
# Below this many people a company has no department buying a product like this, and its
# owner seldom buys one; from it up to LARGE_COMPANY_STAFF general management often signs.
SMALL_COMPANY_STAFF = 50
# Above this many, general management delegates the choice to departments.
LARGE_COMPANY_STAFF = 1000
# The caps a negative signal puts on the whole score.
NOT_A_BUYER_CAP = 20  # a competitor's employee, a student or job seeker: Low
WRONG_DEPARTMENT_CAP = 35  # a role in a department that does not buy this: Low
ALREADY_BOUGHT_CAP = 60  # just bought or renewed something like it: Medium at most
# Below the seniority that signs: a user or an influencer, however much she needs it.
BELOW_SIGNING_CAP = 60
BELOW_SIGNING_REASON = "below the level that signs: an influencer"
RETIRED_REASON = "retired, not a buyer"

NO_INDUSTRY_REASON = "industry: none given"
# Departments that run any business: inside the industry of a vertical product, they
# influence its purchase (a restaurant group's finance director, its IT manager).
# Lines of business whose owners and general managers title themselves by it.
OWNER_RUN_LINES = frozenset({"food_beverage"})
BACK_OFFICE_DEPARTMENTS = frozenset(
    {"it", "finance", "operations", "procurement", "administration"}
)

# A product bought by these is a technology product: technology companies buy it most.
TECHNICAL_DEPARTMENTS = frozenset({"engineering", "it", "data", "security", "product"})

SENIORITY_LABELS = dict(Seniority.choices)


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _departments_text(keys) -> str:
    return _join([department_label(key) for key in keys])


FIT_PRIMARY = "primary"  # the role is in a department that buys this
FIT_GENERAL = "general"  # general management: CEO, founder, owner, partner
FIT_SECONDARY = "secondary"  # a department that influences the purchase
FIT_NONE = "none"  # a department that does not buy this
FIT_UNKNOWN = "unknown"  # the role names no department


def in_target_industry(lead, profile: BuyerProfile) -> bool:
    keys = industries_of(lead.industry or "") or industries_of(lead.company or "")
    return any(key in profile.target_industries for key in keys)


def department_fit(title: NormalisedTitle, profile: BuyerProfile, *, insider: bool = False) -> str:
    """How the role's departments meet the profile's, the closest fit first; `insider`:
    the lead works in a target industry of the (vertical) product."""
    functional = [key for key in title.departments if key != "executive"]
    if any(key in profile.primary_departments for key in functional):
        return FIT_PRIMARY
    # A restaurant's owner or a hotel's general manager: general management, the line of
    # business their title names being their industry, not a function (a chief medical
    # officer's "medical" is a function).
    line_only = all(key in OWNER_RUN_LINES for key in functional)
    if "executive" in title.departments and (
        line_only or "executive" in profile.primary_departments
    ):
        return FIT_GENERAL
    if any(key in profile.secondary_departments for key in functional):
        return FIT_SECONDARY
    if insider and profile.vertical and BACK_OFFICE_DEPARTMENTS.intersection(functional):
        return FIT_SECONDARY
    return FIT_NONE if functional else FIT_UNKNOWN


def _role_factor(
    title: NormalisedTitle, profile: BuyerProfile, *, fit: str, size: int | None, insider: bool
) -> Factor:
    seniority = title.seniority
    if not seniority:
        return Factor("role", 0, "role: none given")
    who = SENIORITY_LABELS[seniority]
    if seniority == "entry":
        return Factor("role", 0, f"{who} role: not a buyer")
    rank = SENIORITY_RANK[seniority]
    small = size is not None and size < SMALL_COMPANY_STAFF
    functional = [key for key in title.departments if key != "executive"]
    if fit == FIT_PRIMARY:
        primary = [key for key in functional if key in profile.primary_departments]
        where = f"{who} in {_departments_text(primary)}, a buying department"
        if rank < SENIORITY_RANK[profile.min_seniority]:
            return Factor("role", PRIMARY_JUNIOR_POINTS, f"{where}, below the level that signs")
        if small and not profile.vertical:
            return Factor("role", PRIMARY_POINTS // 2, f"{where} of a small company")
        return Factor("role", PRIMARY_POINTS, where)
    if fit == FIT_GENERAL:
        where = f"{who} in general management"
        if profile.vertical and not insider:
            return Factor("role", 0, f"{where} of a business outside its industries")
        if profile.vertical or "executive" in profile.primary_departments:
            return Factor("role", GENERAL_MANAGEMENT_BUYER_POINTS, f"{where}, the buyer of this")
        if size is not None and SMALL_COMPANY_STAFF <= size <= LARGE_COMPANY_STAFF:
            return Factor("role", GENERAL_MANAGEMENT_POINTS, f"{where} of a mid-sized company")
        return Factor(
            "role", GENERAL_MANAGEMENT_REMOTE_POINTS, f"{where}, seldom the one who chooses this"
        )
    if fit == FIT_SECONDARY:
        secondary = [key for key in functional if key in profile.secondary_departments]
        if not secondary:  # a back office inside the product's industry
            back_office = sorted(BACK_OFFICE_DEPARTMENTS.intersection(functional))
            where = f"{who} in {_departments_text(back_office)} of a business in its industry"
            return Factor("role", BACK_OFFICE_INSIDER_POINTS, f"{where}, an influencer")
        where = f"{who} in {_departments_text(secondary)}, a department that influences this"
        points = SECONDARY_POINTS if rank >= SENIORITY_RANK["manager"] else SECONDARY_JUNIOR_POINTS
        return Factor("role", points, where)
    if fit == FIT_NONE:
        return Factor("role", 0, f"{who} in {_departments_text(functional)}: not a buyer of this")
    if rank >= SENIORITY_RANK["manager"]:
        return Factor("role", UNKNOWN_DEPARTMENT_POINTS, f"{who}, department not stated")
    return Factor("role", 0, f"{who}, department not stated")


def _industry_factor(lead, profile: BuyerProfile) -> tuple[Factor, str]:
    """The industry's points and the industry key they were given for ("" for none). A
    lead with no industry is placed by its company's name where that names one."""
    written = (lead.industry or "").strip()
    keys = industries_of(written) or industries_of(lead.company or "")
    shown = written or (lead.company if keys else "")
    if not shown:
        return Factor("industry", 0, NO_INDUSTRY_REASON), ""
    if profile.horizontal:
        # A product every industry buys: the seed's table, which ranks technology first. A
        # product for a business function (payroll, contracts) has no reason to: there any
        # other industry is compatible, not off-target.
        points, keyword = _tier_match("industry", written)
        technical = TECHNICAL_DEPARTMENTS.intersection(profile.primary_departments)
        if points < COMPATIBLE_INDUSTRY_POINTS and not technical:
            return Factor(
                "industry", COMPATIBLE_INDUSTRY_POINTS, f"industry {shown}: compatible"
            ), (keys[0] if keys else "")
        tier = {
            HIGH_VALUE_INDUSTRY_POINTS: "a technology company",
            MEDIUM_VALUE_INDUSTRY_POINTS: "a services company",
        }.get(points, "no technology or services fit")
        return Factor("industry", points, f"industry {shown}: {tier}"), keyword
    targets = [key for key in keys if key in profile.target_industries]
    if targets:
        label = industry_label(targets[0])
        return Factor(
            "industry", TARGET_INDUSTRY_POINTS, f"industry {shown}: a target ({label})"
        ), targets[0]
    related = [
        key
        for key in keys
        if any(target in RELATED_INDUSTRIES.get(key, ()) for target in profile.target_industries)
    ]
    if related:
        return Factor(
            "industry", COMPATIBLE_INDUSTRY_POINTS, f"industry {shown}: near a target"
        ), related[0]
    if profile.vertical:
        return Factor("industry", 0, f"industry {shown}: not a target"), (keys[0] if keys else "")
    return Factor("industry", COMPATIBLE_INDUSTRY_POINTS, f"industry {shown}: compatible"), (
        keys[0] if keys else ""
    )


def _cap(
    lead, offer, title: NormalisedTitle, industry: Factor, *, fit: str
) -> tuple[int | None, str]:
    profile: BuyerProfile = offer.buyer_profile
    company = lead.company or ""
    at_competitor = names_in(
        lead.linkedin_bio or "", [f"at {name}" for name in profile.competitors]
    )
    competitor = company_is(company, profile.competitors) and company or at_competitor[3:].strip()
    if competitor:
        return NOT_A_BUYER_CAP, f"works for a competitor ({competitor})"
    if _sells_what_the_offer_sells(lead, offer):
        return NOT_A_BUYER_CAP, f"works for a competitor ({company or 'sells a product like it'})"
    signals = bio_signals(lead.linkedin_bio or "")
    # A bio's "student" is the lead's own status only below manager: an enrolment director's
    # bio speaks of students too.
    junior = SENIORITY_RANK.get(title.seniority, 0) < SENIORITY_RANK["manager"]
    if title.seniority == "entry" or signals.job_seeking or (signals.studying and junior):
        return NOT_A_BUYER_CAP, "a student, intern or job seeker, not a buyer"
    if signals.retired or retired_role(lead.role or ""):
        return NOT_A_BUYER_CAP, RETIRED_REASON
    if title.seniority and fit == FIT_NONE:
        return WRONG_DEPARTMENT_CAP, "works in a department that does not buy this"
    if profile.vertical and industry.points == 0 and industry.reason != NO_INDUSTRY_REASON:
        return WRONG_DEPARTMENT_CAP, "outside the industries this product is made for"
    if signals.already_bought:
        return ALREADY_BOUGHT_CAP, f"already bought something like it ('{signals.already_bought}')"
    rank = SENIORITY_RANK.get(title.seniority)
    if rank is not None and rank < SENIORITY_RANK[profile.min_seniority]:
        return BELOW_SIGNING_CAP, BELOW_SIGNING_REASON
    return None, ""


def _sells_what_the_offer_sells(lead, offer) -> bool:
    """The bio describes the lead's own company's product in the offer's terms."""
    stems = offer_terms(offer).stems
    for description in vendor_descriptions(lead.linkedin_bio or ""):
        described, _ = terms(description)
        if described & stems:
            return True
    return False


def _fit_rule_score(lead, offer) -> RuleScore:
    profile: BuyerProfile = offer.buyer_profile
    title = normalise_title(lead.role or "")
    size = company_size(lead.linkedin_bio or "")
    insider = in_target_industry(lead, profile)
    fit = department_fit(title, profile, insider=insider)  # once: the role's points and a cap
    role = _role_factor(title, profile, fit=fit, size=size, insider=insider)
    industry, industry_key = _industry_factor(lead, profile)
    completeness = _completeness(lead)
    cap, cap_reason = _cap(lead, offer, title, industry, fit=fit)
    return RuleScore(
        role_points=role.points,
        role_keyword=" ".join((title.seniority, *title.departments))[:50],
        industry_points=industry.points,
        industry_keyword=industry_key,
        completeness_points=completeness.points,
        factors=(role, industry, completeness),
        cap=cap,
        cap_reason=cap_reason,
        rule_set=RULE_SET_FIT,
    )


def ai_factor(label: Intent, reasoning: str) -> Factor:
    return Factor("ai", AI_POINTS[label], f"AI {label}: {reasoning}")


def combined_factors(rules: RuleScore, ai: Factor | None) -> tuple[int, list[Factor]]:
    """The total and the factors that add up to it: the rules, the AI's points and, when a
    negative signal caps the lead, the points the cap takes off."""
    factors = [*rules.factors, *([ai] if ai else [])]
    total = sum(factor.points for factor in factors)
    if rules.cap is not None and total > rules.cap:
        factors.append(
            Factor("cap", rules.cap - total, f"capped at {rules.cap}: {rules.cap_reason}")
        )
        total = rules.cap
    return total, factors


def intent_for_score(total: int) -> Intent:
    """The label comes from the total score alone, never from the AI's label."""
    return label_for_score(total, INTENT_LADDER, below=Intent.LOW)


def score_reasoning(rules: RuleScore, factors: list[Factor], ai_reasoning: str) -> str:
    """Both halves in words: the AI's judgement, then the rule factors with their points
    (and a cap's), so the number can be read off the text. The seed's rule set keeps the
    seed's reasoning, the AI's alone."""
    if rules.rule_set == RULE_SET_SEED:
        return ai_reasoning
    listed = "; ".join(str(factor) for factor in rules.factors)
    text = f"{ai_reasoning} Rules {rules.total}/50: {listed}."
    caps = [factor for factor in factors if factor.part == "cap"]
    if caps:
        text += f" {caps[0].reason[0].upper()}{caps[0].reason[1:]}."
    return text
