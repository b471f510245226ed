"""Who buys an offer: its buyer profile, given on the offer or inferred from its own text.

A profile names the departments that buy (primary) and those that influence (secondary),
the least seniority that signs, the industries it is made for (none: a horizontal product),
whether it is a vertical product that only those industries buy, and competitors to exclude.
The fit rules (scoring/leads/rules.py) and the local provider score a lead against it.

Inference reads the offer's name, value propositions and use cases for cues: a word or
phrase of a department's work ("invoice", "phishing", "kitchen") or of an industry
("restaurants", "clinical trials"). It is a vocabulary, not a list of known products, so it
works for offers it has never seen; a remote provider may refine it (one call per offer).
"""

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from scoring.core.text_match import whole_word_pattern
from scoring.leads.titles import DEPARTMENTS, SENIORITIES, SENIORITY_RANK

SOURCE_INFERRED = "inferred"
SOURCE_EXPLICIT = "explicit"
DEFAULT_MIN_SENIORITY = "manager"
LOCAL_INFERENCE = "local-vocabulary-v2"

# Industries: key -> (label, the words a lead's industry or an offer names it by).
# A `*` ends a word stem ("pharma*": pharma, pharmaceutical, pharmaceuticals).
INDUSTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "software": ("Software & internet", (
        "software", "saas", "tech", "technology", "information technology", "it services",
        "internet", "cloud", "computer software", "developer tools", "devtools", "app", "apps",
        "platform", "web", "cybersecurity", "data infrastructure", "martech", "adtech",
        "edtech", "software development", "software teams", "engineering teams",
        "development teams", "dev teams",
    )),
    "finance": ("Financial services", (
        "bank", "banking", "financial services", "financial", "finance", "fintech",
        "insurance", "insurers", "insurance compan*", "insurance carrier*", "insurtech",
        "payments", "payment", "credit union", "lending", "banca", "banque", "seguros",
        "versicherung*", "assurance*", "finanzas", "finanzdienst*",
        "investment*", "asset management", "wealth management", "capital markets",
        "pci", "brokerage", "private equity", "venture capital",
    )),
    "healthcare": ("Healthcare providers", (
        "healthcare", "health care", "hospital*", "health system*", "clinic", "clinics",
        "medical practice*", "medical cent*", "hipaa", "health", "nursing", "patient care",
        "academic medicine", "academic medical cent*", "dental", "physician*",
    )),
    "agriculture": ("Agriculture & farming", (
        "agricultur*", "agri", "agribusiness*", "agritech", "agtech", "farm", "farms", "farming",
        "farmer*", "crops", "crop plan*", "crop protection", "crop yield*", "arable",
        "horticultur*", "dairy", "dairies", "livestock",
        "vineyard*", "orchard*", "grower*", "ranch", "ranches", "ranching", "agronom*",
        "winery", "wineries", "viticultur*",
        "landwirtschaft*", "agricultura", "agrícola", "agricola", "agrícolas", "agricole",
        "agrario", "agraria", "landbouw", "rolnictwo",
    )),
    "veterinary": ("Veterinary & animal health", (
        "veterinar*", "vet clinic*", "vet practice*", "vet hospital*", "vet group*",
        "animal hospital*", "animal clinic*", "animal health", "animal care", "pet care",
        "small-animal", "small animal", "equine", "animal welfare",
        "tierarzt*", "tierklinik*", "tierärzt*", "veterinaire*", "vétérinaire*",
    )),
    "life_sciences": ("Pharma, biotech & clinical research", (
        "pharma*", "biotech*", "biopharma*", "life science*", "contract research*",
        "cro", "cros", "clinical research", "clinical trial*", "drug development",
        "genomics", "diagnostics", "academic medicine",
    )),
    "medical_devices": ("Medical devices", ("medical device*", "medtech", "medical equipment")),
    "food_hospitality": ("Restaurants, food & hospitality", (
        "restaurant*", "food service*", "foodservice", "food and beverage", "food & beverage",
        "f&b", "hospitality", "hotel*", "café*", "cafe*", "coffee shop*", "bar", "bars",
        "pub", "pubs", "catering", "bakery", "bakeries", "qsr", "quick service",
        "fast casual", "dining", "bistro*", "brewery", "breweries", "food truck*",
        "kitchen*", "diner*", "pizzeria*",
    )),
    "retail": ("Retail & e-commerce", (
        "retail*", "e-commerce", "ecommerce", "consumer goods", "cpg", "fmcg", "stores",
        "shop*", "apparel", "fashion", "grocery", "supermarket*",
    )),
    "manufacturing": ("Manufacturing & industrial", (
        "manufactur*", "industrial", "automotive", "machinery", "factory", "factories",
        "plant", "plants", "aerospace", "electronics", "chemicals", "metal*", "plastics",
        "packaging", "production", "manufactura", "fabricación", "fertigung", "industrie",
        "maschinenbau", "fabrication",
    )),
    "logistics": ("Logistics & transportation", (
        "logistics", "freight", "transport*", "shipping", "trucking", "distribution",
        "distributor*", "wholesale*", "warehous*", "supply chain", "3pl", "courier*", "fleet*",
        "maritime", "airline*", "aviation", "logística", "logistica", "logistique", "logistik",
        "transporte*", "spedition*",
    )),
    "professional_services": ("Consulting & professional services", (
        "consulting", "consultancy", "consultancies", "management consulting",
        "professional services", "advisory", "consulting firms", "accounting firm*",
        "agency", "agencies", "staffing", "recruitment", "outsourcing", "services",
        "engineering services", "business services",
    )),
    "legal_services": ("Legal services", (
        "law firm*", "law practice*", "law office*", "legal services", "legal",
    )),
    "education": ("Education", (
        "education", "university", "universities", "school*", "college*", "higher education",
        "e-learning", "academic", "academia", "k-12", "training provider*", "educación",
        "éducation", "bildung", "enseignement", "higher ed",
    )),
    "government": ("Government & public sector", (
        "government", "public sector", "municipal*", "federal", "defen*e", "public administration",
        "city of", "ministry", "agency of",
    )),
    "energy": ("Energy & utilities", (
        "energy", "utilit*", "oil", "gas", "oil & gas", "renewable*", "solar", "wind farm*",
        "electricity", "mining", "power generation", "electric power",
    )),
    "construction": ("Construction, architecture & real estate", (
        "construction", "real estate", "architecture", "property", "properties",
        "building*", "engineering & construction", "facilities", "general contractor*",
        "homebuilder*", "home builder*", "civil engineering", "civil works",
        "specialty contractor*", "subcontractor*", "bau", "bauunternehmen", "bauindustrie",
        "construcción", "construccion", "construção", "construcao", "bouw", "edilizia", "btp",
    )),
    "media": ("Media & entertainment", (
        "media", "publishing", "entertainment", "gaming", "games", "advertising",
        "broadcast*", "film", "music", "news",
    )),
    "telecom": ("Telecommunications", ("telecom*", "telecommunications", "wireless", "isp")),
    "nonprofit": ("Non-profit", (
        "non-profit", "nonprofit", "ngo", "charity", "charities", "foundation",
    )),
}  # fmt: skip
# Industries near enough that a vertical offer for one is a partial fit for the other.
RELATED_INDUSTRIES = {
    "healthcare": ("life_sciences", "medical_devices"),
    "life_sciences": ("healthcare", "medical_devices"),
    "medical_devices": ("healthcare", "life_sciences"),
    "food_hospitality": ("retail",),
    "retail": ("food_hospitality",),
    "logistics": ("manufacturing", "retail"),
    "manufacturing": ("logistics",),
    "legal_services": ("professional_services",),
    "professional_services": ("legal_services",),
}
# An industry whose words another's include: an animal clinic is a clinic. Named, the more
# specific one stands alone, for a lead's industry and for an offer's.
SHADOWED_INDUSTRIES = {"veterinary": ("healthcare",)}
# Words too generic to name an offer's industry ("services" in "Business services" is an
# industry of a lead, not what an offer is for).
_LEAD_ONLY_INDUSTRY_WORDS = frozenset(
    {"services", "platform", "web", "app*", "health", "financial", "finance", "legal",
     "law", "power", "plant", "plants", "production", "bar", "shop*", "stores", "agency",
     "building*", "gas", "oil", "news", "games", "film", "music", "foundation",
     "properties", "property", "payment", "distribution", "transport*", "fleet*", "kitchen*",
     "dining", "facilities", "tech", "technology", "software", "cloud",
     "internet", "academic", "staffing", "recruitment", "shipping", "insurance", "app", "apps"}
)  # fmt: skip

# Department cues in an offer's text: key -> words and phrases of that department's work.
DEPARTMENT_CUES: dict[str, tuple[str, ...]] = {
    "engineering": (
        "ci", "cd", "ci/cd", "continuous integration", "continuous delivery", "builds",
        "build time*", "build minutes", "build cache*", "build pipeline*", "build farm*",
        "deploy*", "pipeline*", "developer*", "engineer*", "code", "codebase", "test suite*",
        "flaky test*", "devops", "release*", "repositor*", "monorepo*", "kubernetes",
        "containers", "software teams", "merge*", "pull request*", "compile*", "cache*",
        "staging", "rollback*", "observability", "on-call", "incident response",
        "incident management", "sre", "api*",
        "sdk*", "git*", "commit*", "runners",
    ),
    "it": (
        "it", "devices", "endpoint*", "laptops", "helpdesk", "help desk", "sso",
        "single sign-on", "provisioning", "identity", "access management", "infrastructure",
        "network*", "it teams", "systems administration", "saas management",
        "software licen*",
    ),
    "security": (
        "security", "secure", "phishing", "threat*", "vulnerabilit*", "cyber*", "attack*",
        "breach*", "malware", "ransomware", "soc", "siem", "zero trust", "penetration",
        "security awareness", "iso 27001", "soc 2",
    ),
    "data": (
        "analytics", "analyse*", "analyze*", "analysis", "dashboard*", "data", "bi",
        "business intelligence", "reporting", "machine learning", "predictive", "insights",
        "data warehouse", "metrics", "kpi*", "forecast*", "statistic*", "attribution",
    ),
    "product": ("product teams", "roadmap*", "feature flag*", "user research", "product analytics",
                "product managers", "a/b test*", "experiments"),
    "design": ("design*", "creative", "prototyp*", "mockups", "brand assets"),
    "sales": (
        "sales", "deal*", "quota*", "crm", "prospect*", "revenue", "field sales", "selling",
        "sellers", "account executives", "sales teams", "win rate*", "sales performance",
        "outreach", "territor*",
    ),
    "marketing": (
        "marketing", "campaign*", "attribution", "brand", "seo", "content", "lead generation",
        "demand generation", "email marketing", "advertis*", "ad spend", "audience*",
        "conversion*", "funnel*", "customer behavior", "customer behaviour", "social media",
    ),
    "customer_success": (
        "customer support", "support tickets", "tickets", "customer service", "help center",
        "churn", "csat", "nps", "customer success", "onboard customers", "retention",
        "customer experience", "live chat", "contact cent*",
    ),
    "finance": (
        "invoice*", "accounts payable", "accounts receivable", "payable*", "expense*",
        "spend", "budget*", "finance", "financial", "accounting", "accountants", "close the books",
        "month-end", "month end", "close", "reconcil*", "ledger", "erp", "tax*", "audit trail*",
        "cash flow", "cash", "payments", "vendor payments", "bill pay*", "three-way match*",
        "3-way match*", "approval workflow*", "cost*", "cfo*", "controller*", "treasury",
        "procure-to-pay", "purchase orders",
    ),
    "hr": (
        "hr", "human resources", "hiring", "hire*", "onboarding", "new hires", "new-hire*",
        "employee*", "people teams", "people ops", "talent", "recruit*", "payroll",
        "benefits", "offboarding", "performance reviews", "l&d", "learning and development",
        "headcount", "org chart", "people", "right-to-work", "frontline", "seasonal",
    ),
    "operations": (
        "operations", "travel*", "booking*", "itinerar*", "trip*", "flights", "logistics",
        "inventory", "warehous*", "supply chain", "fulfil*", "shipments", "fleet*",
        "scheduling", "field service", "dispatch*",
        "stock", "picking", "orders", "order management", "distribution", "throughput",
        "wms", "pick lists", "put-away", "stocktake", "cycle counts", "carrier*", "dock",
        "docks", "loading dock*", "order lines", "goods receipts",
        # A builder's site work: its crews, their safety and the daily paperwork.
        "job site*", "jobsite*", "construction site*", "work site*", "site safety",
        "safety inspection*", "safety program*", "toolbox talk*", "incident reporting", "osha",
        "field crew*", "field staff", "crews", "punch list*", "daily log*", "subcontractor*",
    ),
    "administration": (
        "office*", "front desk", "reception", "visitor management", "assistants",
        "admin*", "facilities booking", "desk booking",
    ),
    "legal": (
        "compliance", "compliant", "audit*", "regulat*", "legal", "contract", "contracts",
        "contractual", "clause*",
        "counsel", "gdpr", "privacy", "hipaa", "pci", "sox", "policy",
        "policies", "risk", "e-signature*", "negotiat*", "obligations", "redline*",
    ),
    "procurement": (
        "procurement", "purchas*", "supplier*", "vendor*", "sourcing",
        "spend management", "rfp*", "tender*", "purchase orders",
    ),
    "food_beverage": (
        "restaurant*", "kitchen*", "menu*", "covers", "table service", "waitstaff", "chef*",
        "pos", "point of sale", "point-of-sale", "café*", "cafe*", "dining", "takeaway",
        "takeout", "delivery apps", "food cost*", "front of house", "back of house",
        "hospitality",
    ),
    "clinical": (
        "clinical", "trial*", "patient*", "edc", "electronic data capture", "investigator*",
        "study", "studies", "phase 1", "phase 2", "phase 3", "phase i", "phase ii", "phase iii",
        "site monitoring",
        "medical", "physician*", "nurs*", "care teams", "ehr", "emr",
    ),
    "research": ("research*", "r&d", "scientist*", "laborator*", "lab", "labs", "experiment*"),
    "education": ("courses", "learning", "teachers", "students", "curricul*", "classroom*",
                  "lessons", "lms", "e-learning", "school*", "pupils", "timetabl*",
                  "admission*", "enrol*", "enroll*", "applicants", "campus*", "universit*",
                  "faculty", "alumni"),
    "facilities": ("facilities", "buildings", "maintenance", "workplace", "real estate",
                   "space planning", "energy management"),
}  # fmt: skip
# An offer for small businesses is bought by their owners and managing directors: general
# management is then a buying department.
_SMALL_BUSINESS_CUES = whole_word_pattern(
    "smb",
    "smbs",
    "small business*",
    "small and medium*",
    "small & medium*",
    "small and mid-sized",
    "small companies",
    "small firms",
    "owner-managed",
    "owner-operated",
    "business owners",
    "owner-operators",
    "pymes",
    "pyme",
    "pme",
    "pmes",
    "kmu",
    "mittelstand",
)
# Departments whose words (reports, forecasts) most products use: primary only when first.
SUPPORTING_DEPARTMENTS = frozenset({"data"})
# Departments that usually buy together: one primary makes the other primary too.
BUYING_TOGETHER = {
    "security": ("it",),
    "it": ("security",),
    "food_beverage": ("operations",),  # a restaurant's operators buy its systems
}
# Departments adjacent to a primary one: secondary (influencers) even without a cue.
ADJACENT_DEPARTMENTS = {
    "security": ("it", "legal"),
    "it": ("security", "engineering"),
    "engineering": ("it", "product"),
    "data": ("engineering", "product", "it"),
    "finance": ("procurement", "operations"),
    "procurement": ("finance", "operations"),
    "operations": ("procurement", "administration"),
    "hr": ("administration",),
    "sales": ("marketing", "customer_success"),
    "marketing": ("sales", "data"),
    "customer_success": ("sales", "product"),
    "legal": ("finance", "procurement"),
    "clinical": ("research", "data"),
    "research": ("clinical", "data"),
    "food_beverage": ("operations",),
    "education": ("hr",),
    "facilities": ("operations", "administration"),
    "administration": ("operations",),
}
# Departments that only exist in one line of business: an offer for them is vertical.
INDUSTRY_LINE_DEPARTMENTS = {"food_beverage": "food_hospitality", "clinical": "life_sciences"}
# The department that does an industry's own work (a clinic's vets, a restaurant's kitchen):
# a vertical product for that industry is bought there too, whatever else its text names.
LINE_DEPARTMENT_OF_INDUSTRY = {
    "agriculture": "operations",
    "food_hospitality": "food_beverage",
    "life_sciences": "clinical",
    "healthcare": "clinical",
    "veterinary": "clinical",
}
# A primary department needs at least this share of the strongest department's cue weight.
PRIMARY_SHARE = 0.75
# A department with fewer cue hits than this is not even secondary (a stray word).
SECONDARY_MIN_HITS = 2
MAX_PRIMARY = 3
# The offer's name says most about who buys it; a line naming a team says who uses it.
NAME_WEIGHT = 2.0
TEAM_WEIGHT = 2.0

DEPARTMENT_KEYS = tuple(DEPARTMENTS)
INDUSTRY_KEYS = tuple(INDUSTRIES)

PROFILE_FIELDS = (
    "primary_departments", "secondary_departments", "min_seniority", "target_industries",
    "vertical", "competitors",
)  # fmt: skip
PROFILE_METADATA = ("source", "inferred_by")

UNKNOWN_PROFILE_FIELD_ERROR = "Unknown buyer profile field {key!r}; expected one of: {choices}."
NOT_A_LIST_ERROR = "{key} must be a list of strings."
NOT_A_BOOLEAN_ERROR = "{key} must be true or false."
NO_PRIMARY_DEPARTMENT_ERROR = "primary_departments must name at least one department."
BOTH_PRIMARY_AND_SECONDARY_ERROR = (
    "A department is either primary or secondary, not both: {departments}."
)
INVALID_DEPARTMENT_ERROR = "Unknown department {value!r}; expected one of: {choices}."
INVALID_INDUSTRY_ERROR = "Unknown industry {value!r}; expected one of: {choices}."
INVALID_SENIORITY_ERROR = "Unknown seniority {value!r}; expected one of: {choices}."


_INDUSTRY_PATTERNS = {key: whole_word_pattern(*words) for key, (_, words) in INDUSTRIES.items()}
_OFFER_INDUSTRY_PATTERNS = {
    key: whole_word_pattern(*(w for w in words if w not in _LEAD_ONLY_INDUSTRY_WORDS))
    for key, (_, words) in INDUSTRIES.items()
}
_DEPARTMENT_PATTERNS = {key: whole_word_pattern(*cues) for key, cues in DEPARTMENT_CUES.items()}
# "finance teams", "run by IT and HR": the offer names who uses it.
_TEAM_MENTION = re.compile(
    r"((?:[\w&/-]+\s+){1,3}?)(?:teams?|leaders?|departments?|managers?|professionals|heads|"
    r"officers?|organi[sz]ations|orgs)\b|\b(?:run|used|owned|led) by\s+((?:[\w&/-]+\s*){1,4})",
    re.IGNORECASE,
)
_FOR_CONTEXT = re.compile(r"\b(?:for|at|in|across|to)\s+(?:[\w&'-]+\s+)?$", re.IGNORECASE)


_PRODUCT_NAME = r"[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)?"
_REPLACES = re.compile(
    r"\b(?:[Mm]ov(?:e|es|ing) (?:off|away from)|[Ss]witch(?:es|ing)? from|[Mm]igrat\w* "
    r"(?:off|from)|[Rr]eplac(?:e|es|ing)|[Aa]lternative to|[Ii]nstead of|[Oo]utgr[eo]w\w* )"
    rf"\s+(?:an?\s+|the\s+|your\s+)?({_PRODUCT_NAME}(?:(?:,\s*|\s+or\s+|\s+and\s+){_PRODUCT_NAME})*)"
)
_NAME_LIST_SPLIT = re.compile(r",\s*|\s+or\s+|\s+and\s+")
_NOT_A_PRODUCT = frozenset(
    """spreadsheet spreadsheets email emails e-mail paper manual manually legacy homegrown
    in-house tools tool systems system software processes process digital to with your our
    the a an old outdated clunky disconnected separate multiple many point whiteboards
    whiteboard sticky notes phone calls calls texts""".split()
)


def _is_it_department(hit: str) -> bool:
    """ "IT" the department is written in capitals; "it" and "It" are the pronoun."""
    return hit.lower() != "it" or hit == "IT"


@dataclass(frozen=True)
class BuyerProfile:
    primary_departments: tuple[str, ...] = ()
    secondary_departments: tuple[str, ...] = ()
    min_seniority: str = DEFAULT_MIN_SENIORITY
    target_industries: tuple[str, ...] = ()  # none: a horizontal product
    vertical: bool = False  # only the target industries buy it
    competitors: tuple[str, ...] = ()
    source: str = SOURCE_INFERRED
    # Who read it from the offer's text: the local vocabulary or a remote provider's model.
    inferred_by: str = LOCAL_INFERENCE

    def as_dict(self) -> dict:
        data = asdict(self)
        return {
            key: list(value) if isinstance(value, tuple) else value for key, value in data.items()
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "BuyerProfile":
        data = data or {}
        return cls(
            primary_departments=tuple(data.get("primary_departments") or ()),
            secondary_departments=tuple(data.get("secondary_departments") or ()),
            min_seniority=data.get("min_seniority") or DEFAULT_MIN_SENIORITY,
            target_industries=tuple(data.get("target_industries") or ()),
            vertical=bool(data.get("vertical")),
            competitors=tuple(data.get("competitors") or ()),
            source=data.get("source") or SOURCE_INFERRED,
            inferred_by=data.get("inferred_by") or LOCAL_INFERENCE,
        )

    @property
    def horizontal(self) -> bool:
        return not self.target_industries


def validate_profile_fields(data: dict) -> dict:
    """The profile fields of data, checked: raise ValueError naming the first unknown
    field, department, industry or seniority, or a value of the wrong type. `source` and
    `inferred_by`, which say how a profile was made, are dropped."""
    cleaned = {}
    for key, value in data.items():
        if key in PROFILE_METADATA:
            continue
        if key not in PROFILE_FIELDS:
            raise ValueError(
                UNKNOWN_PROFILE_FIELD_ERROR.format(key=key, choices=", ".join(PROFILE_FIELDS))
            )
        if key == "vertical":
            if not isinstance(value, bool):
                raise ValueError(NOT_A_BOOLEAN_ERROR.format(key=key))
        elif key == "min_seniority":
            if value not in SENIORITY_RANK:
                raise ValueError(
                    INVALID_SENIORITY_ERROR.format(value=value, choices=", ".join(SENIORITIES))
                )
        elif not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(NOT_A_LIST_ERROR.format(key=key))
        cleaned[key] = value
    for key in ("primary_departments", "secondary_departments"):
        for value in cleaned.get(key) or ():
            if value not in DEPARTMENTS:
                raise ValueError(
                    INVALID_DEPARTMENT_ERROR.format(value=value, choices=", ".join(DEPARTMENTS))
                )
    for value in cleaned.get("target_industries") or ():
        if value not in INDUSTRIES:
            raise ValueError(
                INVALID_INDUSTRY_ERROR.format(value=value, choices=", ".join(INDUSTRIES))
            )
    if cleaned.get("primary_departments") == []:
        raise ValueError(NO_PRIMARY_DEPARTMENT_ERROR)
    both = set(cleaned.get("primary_departments") or ()) & set(
        cleaned.get("secondary_departments") or ()
    )
    if both:
        raise ValueError(
            BOTH_PRIMARY_AND_SECONDARY_ERROR.format(departments=", ".join(sorted(both)))
        )
    return cleaned


@lru_cache(maxsize=100_000)
def industries_of(text: str) -> tuple[str, ...]:
    """The industry keys a lead's industry (or company) text names, first-named first."""
    if not text:
        return ()
    hits = []
    for key, pattern in _INDUSTRY_PATTERNS.items():
        match = pattern.search(text)
        if match:
            hits.append((match.start(), -len(match.group(0)), key))
    return _unshadowed(tuple(key for _, _, key in sorted(hits)))


def _unshadowed(keys):
    """keys without the industries a more specific one among them shadows (a dict keeps
    its values)."""
    shadowed = {other for key in keys for other in SHADOWED_INDUSTRIES.get(key, ())}
    if isinstance(keys, dict):
        return {key: count for key, count in keys.items() if key not in shadowed}
    return tuple(key for key in keys if key not in shadowed)


def industry_label(key: str) -> str:
    return INDUSTRIES[key][0]


def _department_hits(key: str, text: str) -> list[str]:
    """The words of the department's work in text; for IT only the department, in capitals,
    never the pronoun."""
    hits = _DEPARTMENT_PATTERNS[key].findall(text)
    return [hit for hit in hits if _is_it_department(hit)] if key == "it" else hits


def _team_words(texts) -> str:
    """What the texts call people: "finance" of "finance teams", "IT and HR" of "run by IT
    and HR"."""
    return " ".join(
        m.group(1) or m.group(2) for text in texts for m in _TEAM_MENTION.finditer(text)
    )


def _department_weights(texts: list[str]) -> dict[str, float]:
    """Per department, the lines of the offer that speak of its work (a line repeating a
    word counts once), the name NAME_WEIGHT times; a line naming the department's people
    ("finance teams", "run by IT and HR") counts TEAM_WEIGHT more."""
    weights: dict[str, float] = {}
    for position, text in enumerate(texts):
        scale = NAME_WEIGHT if position == 0 else 1.0
        teams = _team_words([text])
        for key in _DEPARTMENT_PATTERNS:
            if not _department_hits(key, text):
                continue
            weight = scale + (TEAM_WEIGHT if _department_hits(key, teams) else 0.0)
            weights[key] = weights.get(key, 0.0) + weight
    return weights


def _department_words(texts: list[str]) -> dict[str, int]:
    """Per department, the distinct words of its work the offer's text uses."""
    words: dict[str, set[str]] = {}
    for text in texts:
        for key in _DEPARTMENT_PATTERNS:
            words.setdefault(key, set()).update(hit.lower() for hit in _department_hits(key, text))
    return {key: len(found) for key, found in words.items() if found}


def _departments_named(texts) -> set[str]:
    """The departments whose people the texts name ("finance teams", "run by IT")."""
    teams = _team_words(texts)
    return {key for key in _DEPARTMENT_PATTERNS if _department_hits(key, teams)}


# An industry's word naming a tool or a counterparty, not a customer: a data warehouse, the
# banks a treasury team deals with.
_NOT_A_CUSTOMER = re.compile(
    r"\b(?:data|cloud|snowflake|bigquery|sql|analytics)\s+warehous\w*"
    r"|\bwarehouse\s+(?:migration|table|schema|cost|quer|model|layer)\w*"
    r"|\bbank\s+(?:account|feed|statement|api|connection|reconciliation|transfer|balance|"
    r"data|detail|holiday|fee|loan|covenant|relationship)\w*"
    r"|\b(?:every|each|several|multiple|many|your|their|all|other)\s+banks?\b"
    r"|\bbanking\s+with\b|\bwith\s+(?:several|multiple|many|their|your)\s+banks\b"
    r"|\b(?:build|server|render|compute|device|test|bot|jenkins|ci|gpu|mac|click|link|content|"
    r"wind|solar)\s+farms?\b",
    re.IGNORECASE,
)
# A line about data: its "warehouse" is a data warehouse.
_DATA_LINE = re.compile(
    r"\b(?:data|tables?|schemas?|sql|lineage|quer(?:y|ies)|dbt|snowflake|bigquery|metadata)\b",
    re.IGNORECASE,
)
_WAREHOUSE = re.compile(r"\bwarehous\w*", re.IGNORECASE)


def _customer_text(text: str) -> str:
    """The text without the industry words that name no customer."""
    text = _NOT_A_CUSTOMER.sub(" ", text)
    return _WAREHOUSE.sub(" ", text) if _DATA_LINE.search(text) else text


def _name_without_brand(name: str) -> str:
    """An offer's name without its first word when that is a brand before the words for
    what it is ("Metaloom Data Catalog"): a coined brand can look like an industry's word."""
    words = name.split()
    return " ".join(words[1:]) if len(words) >= 3 and words[0][:1].isupper() else name


def _offer_industries(name: str, value_props, ideal_use_cases) -> dict[str, int]:
    """Per industry, the lines naming it: anywhere in the name and the use cases (who it is
    for); in a value proposition only after "for", "at", "in" or "across" ("rates for
    hotels" names a customer, "airline and hotel rates" a supplier). An industry's word
    naming a tool or a counterparty ("data warehouse", "across every bank") names none."""
    counts: dict[str, int] = {}
    lines = [
        (name, False),
        *((text, True) for text in value_props),
        *((t, False) for t in ideal_use_cases),
    ]
    lines[0] = (_name_without_brand(name), False)
    lines = [(_customer_text(text), needs_context) for text, needs_context in lines]
    for text, needs_context in lines:
        for key, pattern in _OFFER_INDUSTRY_PATTERNS.items():
            for match in pattern.finditer(text):
                before = text[max(0, match.start() - 40) : match.start()]
                if not needs_context or _FOR_CONTEXT.search(before):
                    counts[key] = counts.get(key, 0) + 1
                    break
    return _unshadowed(counts)


def _competitors_named(texts: list[str]) -> tuple[str, ...]:
    """Products the offer says it replaces ("Moving off Acme or Globex", "an alternative
    to Initech"): capitalised names after such a phrase, not the ways of working a title
    capitalises ("Replace Spreadsheets and Email")."""
    names = []
    for text in texts:
        for match in _REPLACES.finditer(text):
            names += [
                name
                for name in _NAME_LIST_SPLIT.split(match.group(1))
                if name[:1].isupper() and not _NOT_A_PRODUCT.intersection(name.lower().split())
            ]
    return tuple(dict.fromkeys(names))


def _line_of_another(department: str, industry: str, named) -> bool:
    """The department is the line of another industry the offer names, unrelated to
    `industry`: a vet clinic's clinicians make no offer a clinical-research product."""
    return any(
        LINE_DEPARTMENT_OF_INDUSTRY.get(other) == department
        and other != industry
        and industry not in RELATED_INDUSTRIES.get(other, ())
        for other in named
    )


def buyer_profile_infer(*, name: str, value_props, ideal_use_cases) -> BuyerProfile:
    """The profile the offer's own words describe (source "inferred")."""
    texts = [name or "", *(value_props or ()), *(ideal_use_cases or ())]
    weights = _department_weights(texts)
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    primary: list[str] = []
    if ranked:
        top = ranked[0][1]
        primary = [key for key, weight in ranked if weight >= top * PRIMARY_SHARE][:MAX_PRIMARY]
        # Forecasts, reports and analysis are part of most products: data people buy one
        # only where data is what it is most about.
        primary = [key for key in primary if key not in SUPPORTING_DEPARTMENTS or key == primary[0]]
    for key in list(primary):
        primary += [other for other in BUYING_TOGETHER.get(key, ()) if other not in primary]
    if primary and any(_SMALL_BUSINESS_CUES.search(text) for text in texts):
        primary.append("executive")
    # A use case says who uses the product: a department it names at least influences. But
    # a department's work named in one word only, again and again ("compliance" with
    # driver-hours rules), is a feature, not its people: an influencer then needs its people
    # named ("field sales organisations").
    in_use_cases = set(_department_weights(["", *(ideal_use_cases or ())]))
    distinct = _department_words(texts)
    named = _departments_named(ideal_use_cases or ())
    secondary = [
        key
        for key, weight in ranked
        if key not in primary
        and (weight >= SECONDARY_MIN_HITS or key in in_use_cases)
        and (distinct.get(key, 0) >= SECONDARY_MIN_HITS or key in named)
    ]
    for key in primary:
        secondary += [
            other
            for other in ADJACENT_DEPARTMENTS.get(key, ())
            if other not in primary and other not in secondary
        ]

    industries = _offer_industries(texts[0], value_props or (), ideal_use_cases or ())
    # A department of one line of business (a kitchen, a clinic) makes the offer vertical,
    # for its industry, when the offer also names an industry: "servers" alone is no kitchen.
    line_primary = industries and any(dept in INDUSTRY_LINE_DEPARTMENTS for dept in primary)
    if line_primary:
        for department, industry in INDUSTRY_LINE_DEPARTMENTS.items():
            if department in primary and not _line_of_another(department, industry, industries):
                industries[industry] = industries.get(industry, 0) + 2
    targets = [key for key, _ in sorted(industries.items(), key=lambda item: (-item[1], item[0]))]
    vertical = bool(targets) and (line_primary or industries[targets[0]] >= 2)
    line = LINE_DEPARTMENT_OF_INDUSTRY.get(targets[0]) if vertical else None
    if line and line not in primary:
        primary.append(line)
        secondary = [key for key in secondary if key != line]
    return BuyerProfile(
        primary_departments=tuple(primary),
        secondary_departments=tuple(secondary),
        min_seniority=DEFAULT_MIN_SENIORITY,
        target_industries=tuple(targets),
        vertical=vertical,
        competitors=_competitors_named(texts),
        source=SOURCE_INFERRED,
    )


def department_label(key: str) -> str:
    return DEPARTMENTS.get(key, key)
