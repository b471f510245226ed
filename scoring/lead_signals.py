"""What a lead's bio says about buying: a stated need, or a reason not to call.

Need signals are read by the local provider (the AI half); the negative ones cap a lead's
total in the fit rules: a competitor's employee or a student is Low whatever else fits, and
a lead that just bought or renewed a product like this one is at most Medium.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from scoring.text_match import whole_word_pattern

# An active search for something: the strongest sign of intent a bio can give.
ACTIVE_SEARCH = (
    "looking for", "looking at", "evaluating", "shopping for", "in the market for",
    "selecting", "choosing", "shortlisting", "comparing", "searching for", "seeking a new",
    "seeking a better", "need a", "need an", "needs a", "need to replace", "replacing",
    "want to replace", "plan to replace", "planning to replace", "rfp", "request for proposal",
    "requesting proposals", "contract ends", "contract expires", "contract is up",
    "up for renewal", "renewal is coming", "budget approved", "budgeted for", "budget for",
    "piloting", "trialling", "trialing", "open to new", "switching from", "migrating from",
    "moving off", "moving away from", "buying", "sourcing a", "looking to",
    "i want", "we want", "would like", "i'd like", "we'd like", "want to move", "fixing",
    "top item", "top priority", "priority", "on my plan", "on our roadmap", "asked me to find",
    # The same in Spanish, Portuguese, French and German.
    "busca", "buscamos", "buscando", "evaluando", "necesitamos", "queremos", "procuramos",
    "precisamos", "queremos", "cherchons", "recherchons", "nous voulons", "voulons",
    "besoin d", "wir suchen", "suchen", "evaluieren", "brauchen", "wir wollen", "ich will",
)  # fmt: skip
# A pain or a change that a product could answer, short of an explicit search.
PAIN_OR_CHANGE = (
    "flagged", "lack of", "lacks", "no way to", "struggl*", "pain", "pains", "painful",
    "pain point*", "chasing", "always end up",
    "won't survive", "will not survive", "can't keep up", "cannot keep up", "too slow",
    "too long", "takes hours", "takes days", "takes weeks", "hours a week", "days a month",
    "manual*", "by hand", "spreadsheet*", "paper", "error-prone", "bottleneck*", "backlog",
    "biggest cost", "second-biggest cost", "cost line", "overspend*", "out of control",
    "regulators want", "auditors want", "audit found", "failed audit", "need to prove",
    "need evidence", "scaling", "scale our", "scaling our", "growing fast", "doubling",
    "rolling out", "roll out", "preparing", "planning", "modernis*", "moderniz*", "overhaul*",
    "implementing", "building out", "standing up", "live on planes", "every week",
    "four days a week", "constantly", "mandatory", "deadline", "before our", "this year",
    "this quarter", "next quarter",
    "streamline*", "automate", "automating", "frustrat*", "headache*", "slow", "broken",
    "outgrown", "outgrew", "complain*", "keeps failing", "keep failing", "fail*", "excel",
    "takes * minutes", "take * minutes", "takes * hours", "takes * days", "takes * weeks",
    "take * days", "take * weeks", "wait* for", "waiting", "queue", "pile up", "piles up",
    "type * by hand", "still runs on", "still turn up", "still use", "no laptop", "goodwill",
    # The same in Spanish, Portuguese, French and German.
    "a mano", "papel", "hojas de cálculo", "planilha*", "à la main", "papier", "paperasse",
    "submerge", "en finir", "per hand", "zettel", "tabellen", "mühsam", "manuell*",
)  # fmt: skip
# Already bought: a product like this one was just signed, renewed or rolled out.
ALREADY_BOUGHT = (
    "just renewed", "renewed our", "recently renewed", "just signed with", "signed with",
    "recently signed with", "just bought", "just purchased", "recently purchased",
    "just implemented", "recently implemented", "just rolled out", "just switched to",
    "switched to", "moved every", "moved all", "moved everything", "standardised on",
    "standardized on", "locked in", "multi-year contract", "three-year contract",
    "3-year contract", "two-year contract", "2-year contract", "five-year contract",
    "not looking", "no budget", "happy with our", "very happy with", "no need for",
    "don't need", "do not need",
)  # fmt: skip
# Not a buyer at all: studying (of a lead below manager: an enrolment director's bio speaks
# of students too), or looking for a job rather than a product (whatever the title says).
STUDYING = (
    "student", "studying", "msc", "phd candidate", "undergraduate", "thesis", "dissertation",
    "intern", "looking for an internship", "seeking an internship", "seeking a placement",
    "seeking placement", "looking for a placement", "recent graduate", "graduating",
)  # fmt: skip
JOB_SEEKING = (
    "looking for a job", "looking for my next", "looking for a new role",
    "looking for new opportunities", "seeking new opportunities", "seeking opportunities",
    "open to work", "job seeker", "job hunting", "between roles", "career change",
    "hoping to start",
)  # fmt: skip
# Words that say a company sells something, for spotting a competitor's employee.
VENDOR_NOUNS = (
    "platform", "software", "vendor", "provider", "tool", "app", "solution", "startup",
    "company", "saas", "suite", "product", "service",
)  # fmt: skip

_ACTIVE = whole_word_pattern(*ACTIVE_SEARCH)
_PAIN = whole_word_pattern(*PAIN_OR_CHANGE)
_ALREADY = whole_word_pattern(*ALREADY_BOUGHT)
# "signed a three-year contract", "signed a five-year deal with ...": a purchase, not a lease.
_SIGNED_A_DEAL = re.compile(
    r"(?<!\w)signed\s+an?\s+(?:[\w-]+\s+){0,3}?(?:contract|deal|agreement)(?!\w)", re.IGNORECASE
)
_STUDYING = whole_word_pattern(*STUDYING)
_JOB_SEEKING = whole_word_pattern(*JOB_SEEKING)
# "<Company>, the/a ... platform", "at <Company>, a ... tool", "we build/sell/make ...".
_VENDOR_PHRASE = re.compile(
    r"(?:,\s*|\b(?:is|are|builds?|building|sells?|selling|makes?|making|develops?|"
    r"developing|founded|co-founded|runs?)\s+)(?:the|a|an|our)\s+((?:[\w&/-]+\s+){0,6}?)"
    r"(?:" + "|".join(VENDOR_NOUNS) + r")s?\b",
    re.IGNORECASE,
)
_WE_SELL = re.compile(r"\bwe\s+(?:sell|build|make|develop|offer)\s+((?:[\w&/-]+\s+){0,6})", re.I)


@dataclass(frozen=True)
class BioSignals:
    active_search: str = ""  # the phrase, as written
    pain: str = ""
    already_bought: str = ""
    studying: str = ""
    job_seeking: str = ""

    @property
    def not_a_buyer(self) -> str:
        return self.job_seeking or self.studying


@lru_cache(maxsize=100_000)
def bio_signals(bio: str) -> BioSignals:
    if not bio:
        return BioSignals()
    found = {}
    for key, pattern in (
        ("active_search", _ACTIVE),
        ("pain", _PAIN),
        ("already_bought", _ALREADY),
        ("studying", _STUDYING),
        ("job_seeking", _JOB_SEEKING),
    ):
        match = pattern.search(bio)
        if key == "already_bought" and match is None:
            match = _SIGNED_A_DEAL.search(bio)
        found[key] = match.group(0) if match else ""
    return BioSignals(**found)


def vendor_descriptions(bio: str) -> list[str]:
    """The words a bio describes its own company's product with ("the phishing-simulation"
    in "at X, the phishing-simulation platform"), for matching against an offer's terms."""
    if not bio:
        return []
    return [m.group(1) for m in _VENDOR_PHRASE.finditer(bio)] + [
        m.group(1) for m in _WE_SELL.finditer(bio)
    ]


def names_in(text: str, names) -> str:
    """The first of names (competitors) that text mentions as whole words, or ""."""
    names = [name for name in names if name and name.strip()]
    if not text or not names:
        return ""
    match = whole_word_pattern(*names).search(text)
    return match.group(0) if match else ""


_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50, "hundred": 100}  # fmt: skip
_HEADCOUNT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[,.\s]\d{3})+|\d+|" + "|".join(_NUMBER_WORDS) + r")\+?"
    r"[\s-]+(?:[\w-]+[\s-]+)?(?:person|people|employee|staff|strong|member|fte|"
    r"mitarbeiter(?:n|innen)?|salariés|empleados|funcionários|consultant|engineer|developer|"
    r"agent|nurse|clinician|"
    r"lawyer|attorney|accountant|associate|teacher|worker|chauffeur|driver)s?\b"
    r"(?!\s+(?:a|an|per|each|every)\s+(?:day|week|month|year|quarter|season|winter|summer))"
    # "a 35-agent support team": a team's size, not the company's ("a 90-strong team" is).
    r"(?![\s-]+[\w-]+[\s-]+(?:team|teams|department|desk|crew|squad|unit)\b)",
    re.IGNORECASE,
)
# "two people type those bills": too few to be the company's size.
MIN_STATED_HEADCOUNT = 5


@lru_cache(maxsize=100_000)
def company_size(bio: str) -> int | None:
    """The headcount a bio states ("a 40-person studio", "1,200 field staff", "800
    employees"): the largest number of people it names; None when it names none."""
    if not bio:
        return None
    sizes = []
    for match in _HEADCOUNT.finditer(bio):
        number = match.group(1).lower()
        size = _NUMBER_WORDS.get(number) or int(re.sub(r"[,.\s]", "", number))
        if size >= MIN_STATED_HEADCOUNT:
            sizes.append(size)
    return max(sizes) if sizes else None
