"""What a lead's bio says about buying: a stated need, or a reason not to call.

Need signals are read by the local provider (the AI half); the negative ones cap a lead's
total in the fit rules: a competitor's employee or a student is Low whatever else fits, and
a lead that just bought or renewed a product like this one is at most Medium.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from scoring.core.text_match import whole_word_pattern

# An active search for something: the strongest sign of intent a bio can give.
ACTIVE_SEARCH = (
    "looking for", "looking at", "evaluating", "shopping for", "in the market for",
    "selecting", "choosing", "shortlisting", "comparing", "searching for", "seeking a new",
    "seeking a better", "need a", "need an", "needs a", "need to replace", "replacing",
    "want to replace", "plan to replace", "planning to replace", "rfp", "request for proposal",
    "requesting proposals", "contract ends", "contract expires", "contract is up",
    "up for renewal", "renewal is coming", "budget approved", "budgeted for", "budget for",
    "piloting", "trialling", "trialing", "open to new", "switching from", "migrating from",
    "moving off", "moving away from", "sourcing a", "looking to", "i want", "we want",
    "i'd like", "we'd like", "want to move", "fixing", "top priority", "on our roadmap",
    # The same in Spanish, Portuguese, French and German.
    "busca", "buscamos", "buscando", "evaluando", "necesitamos", "queremos", "procuramos",
    "precisamos", "cherchons", "recherchons", "nous voulons", "voulons", "besoin d",
    "wir suchen", "suchen", "evaluieren", "brauchen", "wir wollen", "ich will",
    "estamos evaluando", "estamos buscando", "estamos avaliando", "avaliando",
    "nous évaluons", "évaluons", "nous cherchons", "à la recherche d", "auf der suche",
    "wir prüfen", "stiamo valutando", "valutando", "cerchiamo", "stiamo cercando",
    "abbiamo bisogno", "vogliamo", "op zoek naar", "we zoeken", "evalueren", "we willen",
    "szukamy", "potrzebujemy", "chcemy", "wybieramy",
)  # fmt: skip
# A pain or a change that a product could answer, short of an explicit search.
PAIN_OR_CHANGE = (
    "flagged", "lack of", "lacks", "no way to", "struggl*", "pain", "pains", "painful",
    "pain point*", "chasing", "can't keep up", "cannot keep up", "too slow", "too long",
    "takes hours", "takes days", "takes weeks", "hours a week", "days a month", "manual*",
    "by hand", "spreadsheet*", "error-prone", "bottleneck*", "backlog", "biggest cost",
    "overspend*", "out of control", "regulator*", "auditor*", "audit found", "failed audit",
    "need to prove", "need evidence", "scaling", "scale our", "scaling our", "growing fast",
    "doubling", "rolling out", "roll out", "preparing", "modernis*", "moderniz*",
    "overhaul*", "implementing", "building out", "standing up", "constantly", "deadline",
    "streamline*", "automate", "automating", "frustrat*", "headache*", "broken", "outgrown",
    "outgrew", "complain*", "keeps failing", "keep failing", "takes * minutes",
    "take * minutes", "takes * hours", "takes * days", "takes * weeks", "take * days",
    "take * weeks", "wait* for", "pile up", "piles up", "still runs on", "still use",
    # The same in Spanish, Portuguese, French and German.
    "a mano", "hojas de cálculo", "planilha*", "à la main", "paperasse", "submerge",
    "en finir", "per hand", "mühsam", "manuell*", "manualmente", "manuellement", "à mão",
    "a mão", "handmatig", "recznie", "ręcznie", "excel sheet*", "excel file*", "digitaliz*",
    "digitalis*", "digitalisier*",
    "modernizar", "moderniser", "modernisieren", "modernizzare",
)  # fmt: skip
# Already bought: a product like this one was just signed, renewed or rolled out. A phrase
# counts in a sentence that names what was bought (PURCHASE_NOUNS) or, for a switch or a
# signature, with a product's name after it: "switched to product management" is a career.
ALREADY_BOUGHT = (
    "just renewed", "renewed our", "recently renewed", "just bought", "just purchased",
    "recently purchased", "just implemented", "recently implemented", "just rolled out",
    "standardised on", "standardized on", "locked in", "multi-year contract",
    "three-year contract", "3-year contract", "two-year contract", "2-year contract",
    "five-year contract", "happy with our", "very happy with",
)  # fmt: skip
PURCHASE_NOUNS = (
    "contract", "licence", "license", "licenses", "licences", "vendor", "platform", "tool",
    "system", "software", "solution", "provider", "suite", "subscription", "deal", "seats",
    "product", "setup", "stack", "tooling",
)  # fmt: skip
# Not a buyer at all: studying (of a lead below manager: an enrolment director's bio speaks
# of students too), or looking for a job rather than a product (whatever the title says).
STUDYING = (
    "i am a student", "i'm a student", "a student at", "student at", "msc student",
    "phd student", "mba student", "final-year student", "part-time student",
    "undergraduate student", "graduate student", "studying for", "studying at",
    "currently studying", "thesis", "dissertation", "intern at", "internship at",
    "looking for an internship", "seeking an internship", "looking for a placement",
    "recent graduate", "graduating",
)  # fmt: skip
JOB_SEEKING = (
    "looking for a job", "looking for my next", "looking for a new role",
    "looking for new opportunities", "seeking new opportunities", "seeking opportunities",
    "open to work", "job seeker", "job hunting", "between roles", "hoping to start",
)  # fmt: skip
# Retired: no longer buying for anyone. A role that says so, in any of the usual languages;
# a bio only in these phrases ("retired the old system" is a project).
RETIRED_ROLE_WORDS = (
    "retired", "semi-retired", "emeritus", "emerita", "in retirement", "im ruhestand",
    "pensioniert", "rentner", "rentnerin", "jubilado", "jubilada", "retraité", "retraitée",
    "aposentado", "aposentada", "pensionato", "pensionata", "in pensione", "gepensioneerd",
    "na emeryturze", "emeryt", "emerytka",
)  # fmt: skip
RETIRED_BIO = (
    "i'm retired", "i am retired", "i retired", "now retired", "recently retired",
    "happily retired", "semi-retired", "since retiring", "in retirement", "enjoying retirement",
)  # fmt: skip
# A bio that opens a sentence with it has the lead as its subject: "Retired in 2021 after…".
_RETIRED_SENTENCE = re.compile(r"(?:^|[.!?;]\s+)retired\s+(?:in|after|since|from)\b", re.I)
# "Director of Operations | US Army (Retired)": a veteran, retired from the forces only.
_FORCES = re.compile(
    r"\b(?:army|navy|air force|marines?|usmc|military|coast guard|veteran)\b", re.I
)
# Words that say a company sells something, for spotting a competitor's employee.
VENDOR_NOUNS = (
    "platform", "software", "vendor", "provider", "tool", "app", "startup", "suite", "service",
    "solution", "product",
)  # fmt: skip

_ACTIVE = whole_word_pattern(*ACTIVE_SEARCH)
_PAIN = whole_word_pattern(*PAIN_OR_CHANGE)
_ALREADY = whole_word_pattern(*ALREADY_BOUGHT)
_PURCHASE_NOUN = whole_word_pattern(*PURCHASE_NOUNS)
# A switch or a signature with a product's name after it: "moved our studies to Acme".
_SWITCHED_TO_A_PRODUCT = re.compile(
    r"(?<!\w)(?i:switched|moved|migrated)\s+(?!(?:\w+\s+)?(?i:headquarters|hq|offices?|home|house|"
    r"family)\b)(?:[\w-]+\s+){0,3}?(?i:to|onto)\s+[A-Z][\w.-]*"
    r"|(?<!\w)(?i:signed)\s+(?:(?i:an?)\s+(?:[\w-]+\s+){0,2}?(?i:contract|deal|agreement)\s+)?"
    r"(?i:with)\s+[A-Z][\w.-]*"
)
_SENTENCE = re.compile(r"[^.!?;]+")
_LEGAL_SUFFIX = re.compile(
    r"[\s,]+(?:inc|inc\.|llc|ltd|ltd\.|limited|gmbh|ag|sa|sas|sarl|bv|nv|plc|corp|corp\.|"
    r"corporation|co|co\.|company|s\.a\.|s\.l\.|oy|ab|as|pty|pte)\.?$"
)
# "signed a three-year contract", "signed a five-year deal with ...": a purchase, not a lease.
_SIGNED_A_DEAL = re.compile(
    r"(?<!\w)signed\s+an?\s+(?:[\w-]+\s+){0,3}?(?:contract|deal|agreement)(?!\w)", re.IGNORECASE
)
_STUDYING = whole_word_pattern(*STUDYING)
_RETIRED_ROLE = whole_word_pattern(*RETIRED_ROLE_WORDS)
_RETIRED_BIO = whole_word_pattern(*RETIRED_BIO)
_JOB_SEEKING = whole_word_pattern(*JOB_SEEKING)
# "<Company>, the hosted payroll service for ...": the lead's company described.
_VENDOR_PHRASE = re.compile(
    r",\s*(?:the|an?)\s+((?:[\w&/-]+\s+){0,6}?)(?:" + "|".join(VENDOR_NOUNS) + r")s?\b",
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
    retired: str = ""

    @property
    def not_a_buyer(self) -> str:
        return self.job_seeking or self.studying or self.retired


@lru_cache(maxsize=100_000)
def bio_signals(bio: str) -> BioSignals:
    if not bio:
        return BioSignals()
    found = {}
    for key, pattern in (
        ("active_search", _ACTIVE),
        ("pain", _PAIN),
        ("studying", _STUDYING),
        ("job_seeking", _JOB_SEEKING),
        ("retired", _RETIRED_BIO),
    ):
        match = pattern.search(bio)
        found[key] = match.group(0) if match else ""
    found["already_bought"] = _already_bought(bio)
    if not found["retired"] and (match := _RETIRED_SENTENCE.search(bio)):
        found["retired"] = match.group(0).strip(" .!?;")
    return BioSignals(**found)


def retired_role(role: str) -> str:
    """The word of the role saying its holder has retired ("Retired COO"), or "": not a
    veteran's "US Army (Retired)" beside a current job."""
    match = _RETIRED_ROLE.search(role) if role else None
    return match.group(0) if match and not _FORCES.search(role) else ""


def _already_bought(bio: str) -> str:
    """The phrase saying a product like the offer was just bought, or ""."""
    for sentence in _SENTENCE.finditer(bio):
        text = sentence.group(0)
        for pattern in (_SWITCHED_TO_A_PRODUCT, _SIGNED_A_DEAL):
            if match := pattern.search(text):
                return match.group(0)
        if (match := _ALREADY.search(text)) and _PURCHASE_NOUN.search(text):
            return match.group(0)
    return ""


def vendor_descriptions(bio: str) -> list[str]:
    """The words a bio describes its own company's product with ("hosted payroll" in "at
    X, the hosted payroll service for ..."), for matching against an offer's terms."""
    if not bio:
        return []
    return [m.group(1) for m in _VENDOR_PHRASE.finditer(bio)] + [
        m.group(1) for m in _WE_SELL.finditer(bio)
    ]


def company_is(company: str, names) -> str:
    """The one of names (competitors) that the company is, give or take a legal suffix
    ("Acme" is "Acme Inc" and "Acme GmbH", not "Acme Logistics"), or ""."""
    core = _LEGAL_SUFFIX.sub("", " ".join(company.lower().split())).strip(" ,.")
    for name in names:
        if name and " ".join(name.lower().split()).strip(" ,.") == core:
            return name
    return ""


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
