"""Free-text job titles as a seniority and the departments they belong to.

Lead scoring needs two facts about a role: how senior the person is (does she sign?) and
which functions she works in (does her department buy this?). Leads type their titles
freely, in several languages, with abbreviations and punctuation ("Sr. Dir. of IT",
"VP, Revenue Operations", "Geschäftsführer", "Jefe de Ventas"), so this module folds a
title into one canonical lower-case string and looks it up in the vocabularies below.

It is deterministic and standard-library only, and fast enough for a million leads: the
vocabularies are compiled at import time into two regexes (one for seniority, one for
departments) whose phrases share prefixes like a trie, so a title costs two scans and the
public function caches its answers.

Phrases match as whole words, the longest first at any position: "Vice President" is a VP
and never a President, "Account Manager" names a sales role rather than a manager, and
"Coordinator" never contains a COO.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

SENIORITIES = ("c_level", "vp", "director", "manager", "individual", "entry")  # most senior first
SENIORITY_RANK = {"c_level": 5, "vp": 4, "director": 3, "manager": 2, "individual": 1, "entry": 0}
# key -> human label (used in explanations, e.g. "Director in Finance & accounting")
DEPARTMENTS = {
    "executive": "Executive & general management",
    "engineering": "Engineering & IT",
    "it": "IT & infrastructure",
    "data": "Data & analytics",
    "security": "Security",
    "product": "Product",
    "design": "Design & creative",
    "sales": "Sales",
    "marketing": "Marketing",
    "customer_success": "Customer success & support",
    "finance": "Finance & accounting",
    "hr": "HR & people",
    "operations": "Operations & supply chain",
    "administration": "Office & administration",
    "legal": "Legal & compliance",
    "procurement": "Procurement & purchasing",
    "food_beverage": "Food & beverage / hospitality",
    "clinical": "Clinical & medical",
    "research": "Research & science",
    "education": "Education & training",
    "facilities": "Facilities & real estate",
}


@dataclass(frozen=True)
class NormalisedTitle:
    # One of SENIORITIES; "individual" when nothing says otherwise; "" only for an empty title.
    seniority: str
    # Keys of DEPARTMENTS, most specific first, no duplicates; () when none recognised.
    departments: tuple[str, ...]


# --- Vocabulary ------------------------------------------------------------------------------
# Phrases are written as they look after folding (see _fold): lower case, no accents, "&" as
# "and", punctuation inside a word as a space ("co-founder" is "co founder"), and an
# upper-case "IT"/"TI" token as "information technology". German words are listed in both
# spellings a lead may type: "geschaftsfuhrer" (the folded umlaut) and "geschaeftsfuehrer".

# Each acronym is c-level and in executive management plus the department it names. CCO, CSO,
# CAO and CXO stand for too many different officers to name one department.
_C_LEVEL_ACRONYMS = {
    "ceo": (), "cfo": ("finance",), "cto": ("engineering",), "cio": ("it",),
    "ciso": ("security",), "cmo": ("marketing",), "coo": ("operations",), "cro": ("sales",),
    "cpo": ("product",), "chro": ("hr",), "cdo": ("data",), "clo": ("legal",),
    "cno": ("clinical",), "cco": (), "cso": (), "cao": (), "cxo": (),
}  # fmt: skip

# Titles that make their holder c-level and put her in executive management.
_TOP_EXECUTIVE_TITLES = (
    "chief executive", "chief exec", "president", "presidente", "prasident", "founder", "cofounder",
    "founding partner", "fundador", "fundadora", "fondateur", "fondatrice", "grunder", "gruender",
    "grunderin", "gruenderin", "mitgrunder", "mitgruender", "owner", "proprietor", "inhaber",
    "inhaberin", "propietario", "propietaria", "proprietaire", "proprietario", "proprietaria",
    "dueno", "duena", "entrepreneur", "managing partner", "senior partner", "general partner",
    "equity partner", "managing director", "chairman", "chairwoman", "chairperson",
    "chair of the board", "geschaftsfuhrer", "geschaftsfuhrerin", "geschaeftsfuehrer",
    "geschaeftsfuehrerin", "geschaftsfuhrender", "geschaeftsfuehrender", "geschaftsfuhrende",
    "geschaeftsfuehrende", "geschaftsfuhrung", "geschaeftsfuehrung", "geschaftsleitung",
    "geschaeftsleitung", "vorstand", "vorstandsvorsitzender", "vorstandsvorsitzende",
    "directeur general", "directrice generale", "pdg", "director general", "directora general",
    "gerente general", "director ejecutivo", "directora ejecutiva", "diretor geral",
    "diretora geral", "diretor executivo", "diretora executiva", "amministratore delegato",
    "direttore generale", "practice owner", "eigenaar", "titolare", "wlasciciel", "wlascicielka",
    # The legal representative of an Italian, Spanish or Portuguese company is its head.
    "legale rappresentante", "rappresentante legale", "representante legal",
    "prezes", "prezes zarzadu",
)  # fmt: skip

# Longer than "president", so they win: a vice president is a VP, not a president.
_VICE_PRESIDENT_TITLES = (
    "vice president", "vicepresident", "vice presidente", "vicepresidente", "vice presidenta",
    "vicepresidenta", "vizeprasident", "vize prasident",
)  # fmt: skip

_SENIORITY_PHRASES = {
    "c_level": _TOP_EXECUTIVE_TITLES + tuple(_C_LEVEL_ACRONYMS),
    "vp": _VICE_PRESIDENT_TITLES + ("vp", "svp", "evp", "avp", "rvp", "gvp", "vice provost"),
    "director": (
        "director", "dir", "directeur", "directrice", "direktor", "direktorin", "directora",
        "diretor", "diretora", "direttore", "direttrice", "head", "headteacher", "headmaster",
        "headmistress", "jefe", "jefa", "responsable", "responsabile", "general manager", "gm",
        "dean", "chefarzt", "chefarztin", "vice principal", "assistant principal",
        "deputy principal", "chief of staff", "executive chef",
        # A controller runs the accounting function, a treasurer the money, a provost a
        # university's teaching; a partner of a firm in one practice leads it.
        "controller", "comptroller", "financial controller", "corporate controller",
        "treasurer", "provost", "associate partner", "partner", "superintendent of schools",
        # The head of a company's lawyers, whatever the title leaves out.
        "general counsel", "chief counsel", "chief legal counsel", "group general counsel",
        "dyrektor", "dyrektorka", "hoofd", "kontroler", "kontrolerka", "hoteldirektor",
        "hoteldirektorin", "hoteldirecteur",
    ),
    "manager": (
        "manager", "mgr", "mngr", "manageress", "gerente", "gestionnaire", "gestor", "gestora",
        "encargado", "encargada", "supervisor", "supervisora", "superviseur", "superviseure",
        "superintendent", "foreman", "forewoman", "lead", "leader", "teamleiter", "teamleiterin",
        "team leiter", "team leiterin", "gruppenleiter", "gruppenleiterin", "projektleiter",
        "projektleiterin", "schichtleiter", "schichtleiterin", "filialleiter", "filialleiterin",
        "teamleitung", "projektleitung", "chef de cuisine", "head chef", "head cook",
        "head bartender", "head barista", "head waiter", "head nurse", "head coach",
        "head housekeeper", "head gardener",
        "kierownik", "kierowniczka", "bedrijfsleider", "teamleider", "hotelmanager",
    ),
    "entry": (
        "intern", "internship", "student", "trainee", "junior", "jr", "apprentice",
        "apprenticeship", "graduate", "grad student", "entry level", "werkstudent", "werkstudentin",
        "working student", "praktikant", "praktikantin", "stagiaire", "becario", "becaria",
        "estagiario", "estagiaria", "pasante", "practicante", "aprendiz", "azubi", "auszubildende",
        "auszubildender", "lehrling", "tirocinante", "stagista", "phd candidate", "ph d candidate",
        "doctoral candidate",
    ),
}  # fmt: skip

# Phrases that contain a seniority word without meaning it: an account manager is a sales
# rep, a head hunter a recruiter, a student services coordinator no student.
_NO_SENIORITY_PHRASES = (
    "account manager", "account managers", "product owner", "process owner", "data owner",
    "lead generation", "lead gen", "head hunter", "head office", "chef de partie", "chef de rang",
    "junior high", "graduate school", "graduate admissions", "graduate recruitment",
    "student affairs", "student services", "student success", "student recruitment", "student life",
    "internship coordinator", "internship program", "internship programme",
    "business partner", "channel partner", "partnerships", "product eigenaar",
)  # fmt: skip

# Patterns a phrase list cannot say, tried after the phrases at each position (so a listed
# phrase such as "teamleiter" wins over the general "...leiter"). Group name -> (pattern,
# seniority); None marks the school principal, whose rank depends on the departments.
# The owner of a practice, a firm, a shop (not "Karteninhaber", a card holder).
_GERMAN_OWNER = r"(?:praxis|firmen|geschafts|geschaefts|betriebs|laden|mit|haupt)inhaber(?:in)?"
_SENIORITY_PATTERNS = {
    "chief_officer": (r"chief(?: \w+){1,4} officer", "c_level"),
    "chief": (r"chief", "director"),  # a chief engineer, accountant or scientist
    "german_head": (r"\w*leiter(?:in)?|\w*leitung", "director"),  # Bereichsleiter, Leitung
    "german_owner": (_GERMAN_OWNER, "c_level"),  # Praxisinhaberin, Firmeninhaber
    "french_chef": (r"chef (?:de|du|des|d)(?= )", "manager"),  # chef de projet, chef d'équipe
    # "Principal" alone or before "of"/"at"/a comma; "Principal Engineer" is an adjective.
    "school_principal": (r"principal(?= ,| of | at |$)", None),
}

_DEPARTMENT_PHRASES = {
    "executive": _TOP_EXECUTIVE_TITLES + ("general manager", "gm", "general management"),
    "engineering": (
        "engineer", "engineers", "engineering", "ingeniero", "ingeniera", "engenheiro",
        "engenheira", "ingegnere", "developer", "developers", "developpeur", "developpeuse",
        "desarrollador", "desarrolladora", "desenvolvedor", "desenvolvedora", "programmer",
        "programador", "programadora", "programming", "coder", "dev", "software", "hardware",
        "firmware", "embedded", "devops", "dev ops", "sre", "site reliability", "platform", "qa",
        "quality assurance", "tester", "test automation", "sdet", "architect", "architects",
        "architecture", "technology", "technologies", "tecnologia", "tecnologias", "technologie",
        "technik", "tech", "technical lead", "technical director", "technical writer", "frontend",
        "front end", "backend", "back end", "full stack", "fullstack", "ios", "android",
        "computer science", "web development", "application development", "app development",
    ),
    "it": (
        "information technology", "information technology support", "information systems",
        "infrastructure", "systems", "sistemas", "network", "networks", "networking", "reseau",
        "reseaux", "ict", "edv", "dsi", "helpdesk", "help desk", "service desk", "desktop support",
        "sysadmin", "sys admin", "system admin", "system administrator", "systems administrator",
        "network administrator", "noc", "data center", "data centre", "datacenter", "de ti",
        # "it" in lower case is an English word; only these phrases make it the department.
        "head of it", "director of it", "dir of it", "vp of it", "vp it", "manager of it",
        "head it", "director it", "leiter it", "leiterin it", "it manager", "it director",
        "it lead", "it support", "it specialist", "it administrator", "it admin", "it analyst",
        "it technician", "it operations", "it infrastructure", "it services", "it consultant",
        "it engineer", "it coordinator", "it security", "it helpdesk", "it help desk",
        "it service desk", "it project manager", "it auditor", "it leiter", "it leiterin",
        "it department",
    ),
    "data": (
        "data", "datos", "dados", "donnees", "data science", "data scientist", "data scientists",
        "analytics", "business intelligence", "bi", "big data", "machine learning", "ml", "ai",
        "artificial intelligence", "statistics", "database", "databases",
    ),
    "security": (
        "security", "securite", "seguridad", "seguranca", "cybersecurity", "cyber", "infosec",
        "soc", "penetration tester", "penetration testing", "pen tester", "pentester",
        "ethical hacker", "appsec", "secops",
    ),
    "product": (
        "product", "products", "produit", "produits", "producto", "productos", "produto",
        "produtos", "product owner",
    ),
    "design": (
        "design", "designer", "designers", "diseno", "disenador", "disenadora", "ux", "ui",
        "user experience", "user interface", "creative", "art director", "art direction", "graphic",
        "graphics", "illustrator", "animator", "visual", "motion", "video", "videographer",
        "photographer", "photography",
    ),
    "sales": (
        "sales", "account executive", "business development", "business developer", "business dev",
        "biz dev", "bizdev", "bd", "bdr", "sdr", "bdm", "revenue", "presales", "pre sales",
        "channel", "partnerships", "alliances", "commercial", "comercial", "ventes", "vente",
        "ventas", "vendas", "vendite", "vendeur", "vendeuse", "vendedor", "vendedora",
        "salesperson", "salesman", "saleswoman",
        "verkoop", "sprzedaz", "sprzedazy", "commerciale",
    ),
    "marketing": (
        "marketer", "brand", "branding", "communications", "communication", "comms",
        "public relations", "pr", "content", "seo", "sem", "ppc", "social media", "growth",
        "demand generation", "demand gen", "lead generation", "lead gen", "events", "event",
        "copywriter", "copywriting", "advertising", "media", "media buyer", "mercadotecnia",
        "mercadeo", "publicidad", "comunicacion", "comunicacao", "kommunikation",
        "community manager", "influencer",
    ),
    "customer_success": (
        "customer", "customers", "cx", "client service", "client services", "client success",
        "client relations", "client support", "client care", "client experience", "support",
        "call center", "call centre", "contact center", "contact centre", "service client",
        "servicio al cliente", "atencion al cliente", "atendimento", "sucesso do cliente",
    ),
    "finance": (
        "finance", "finances", "financial", "financier", "financiere", "financiero", "financiera",
        "financeiro", "financeira", "financas", "accounting", "accountant", "accountants",
        "accounts payable", "accounts receivable", "controller", "comptroller", "controlling",
        "treasury", "treasurer", "fp and a", "bookkeeper", "bookkeeping", "book keeper", "tax",
        "taxation", "revenue accounting", "revenue accountant", "revenue recognition",
        "revenue cycle", "audit", "auditor", "auditing", "billing", "invoicing", "credit",
        "investment", "investments", "investor relations", "actuary", "actuarial", "m and a",
        "rechnungswesen", "steuerberater", "steuerberaterin", "comptabilite", "comptable",
        "contabilidad", "contabilidade", "contador", "contadora", "contable", "contabil",
        "controleur", "controleuse", "controle de gestion", "tesoreria", "tesorero", "tesorera",
        "daf",
        "finanziario", "finanziaria", "financieel", "financiele", "finansowy", "finansowa",
        "kontroler", "kontrolerka",
        "finansow", "ksiegowosc", "ksiegowa", "ksiegowy",
    ),
    "hr": (
        "hr", "hrbp", "human resources", "human resource", "human capital", "people", "culture",
        "talent", "talent sourcing", "recruiting", "recruiter", "recruiters", "recruitment",
        "sourcer", "headhunter", "head hunter", "learning and development", "l and d", "benefits",
        "compensation", "total rewards", "dei", "diversity", "inclusion", "employee experience",
        "employee relations", "employee engagement", "workforce", "personnel",
        "organizational development", "organisational development", "ressources humaines", "rh",
        "drh", "recursos humanos", "rrhh", "risorse umane", "recrutement", "reclutamiento",
        "recrutamento", "reclutador", "reclutadora", "recruteur", "recruteuse", "talento",
        "leiter personal", "leiterin personal",
    ),
    "operations": (
        "operations", "operation", "operational", "ops", "bizops", "operaciones", "operacoes",
        "operacao", "supply chain", "warehouse", "warehousing", "fleet", "distribution",
        "inventory", "almacen", "armazem", "shipping", "transport", "transportation", "freight",
        "dispatch", "dispatcher", "production", "manufacturing", "plant", "quality control", "qc",
        "continuous improvement", "process improvement", "demand planning", "demand planner",
        "supply planning", "supply planner", "travel coordinator",
        # Safety at work runs with operations: on a site, in a plant, on the road.
        "health and safety", "ehs", "hse", "qhse", "arbeitssicherheit", "safety director",
        "safety manager", "safety officer", "safety coordinator", "safety lead", "site safety",
        "director of safety", "head of safety", "vp of safety",
        "securite au travail", "seguridad laboral", "prevencion de riesgos", "travaux",
        "site manager", "construction manager", "project controls",
        "operationeel", "operationele", "operativo", "operativa", "operazioni", "flota", "floty",
        "zakladu", "zaklad", "werk", "usine", "planta", "fabrica",
        "flotte", "vloot", "wagenpark",
    ),
    "administration": (
        "office", "administration", "administrative", "administrativo", "administrativa",
        "administratif", "admin", "executive assistant", "personal assistant",
        "assistante de direction", "assistant de direction", "receptionist", "recepcionista",
        "reception", "front desk", "secretary", "secretaria", "secretario", "secretaire",
        "sekretar", "sekretarin", "sekretariat", "clerk", "clerical",
    ),
    "legal": (
        "legal", "counsel", "lawyer", "attorney", "paralegal", "solicitor", "barrister", "notary",
        "juridique", "juridico", "juridica", "abogado", "abogada", "advogado", "advogada", "avocat",
        "avocate", "compliance", "cumplimiento", "conformite", "risk", "risks", "privacy", "dpo",
        "data protection", "regulatory", "governance", "ethics", "contracts", "contract manager",
        "contract management", "intellectual property", "patent", "patents",
        "legale", "juridisch", "juridische", "jurist", "juristin", "prawny", "prawnik",
        "prawniczka",
    ),
    "procurement": (
        "procurement", "purchasing", "purchaser", "purchase", "buyer", "buyers", "sourcing",
        "vendor", "vendors", "supplier", "suppliers", "compras", "comprador", "compradora",
        "achats", "achat", "acheteur", "acheteuse", "acquisti", "adquisiciones",
        "inkoop", "inkoper", "zakupow", "zakupy", "zaopatrzenia",
    ),
    "food_beverage": (
        "restaurant", "restaurants", "restaurante", "restaurateur", "chef de partie",
        "chef de rang", "cook", "cooks", "kitchen", "f and b", "food", "beverage", "beverages",
        "foodservice", "bar", "bartender", "barista", "catering", "caterer", "banquet", "banquets",
        "sommelier", "waiter", "waitress", "culinary", "pastry", "baker", "bakery", "brewery",
        "brewer", "brewmaster", "cafe", "coffee", "pub", "gastronomy", "gastronomie", "gastronomia",
        "hospitality", "hotel", "hotels", "hotelier", "resort", "hotelmanager", "hoteldirektor",
        "hoteldirektorin", "hoteldirecteur", "hotelera", "hotelero", "front of house",
        "back of house",
        "maitre d", "cocina", "cuisine", "cuisinier", "cuisiniere", "cocinero", "cocinera",
        "mesero", "mesera", "camarero", "camarera",
    ),
    "clinical": (
        "clinical", "clinic", "clinics", "clinician", "clinical operations", "medical", "medicine",
        "physician", "doctor", "nurse", "nurses", "nursing", "rn", "pharmacist", "pharmacy",
        "pharmacy tech", "pharmacovigilance", "drug safety", "patient", "patients", "hospital",
        "healthcare", "health care", "surgeon", "surgery", "surgical", "dentist", "dental",
        "therapist", "physiotherapist", "paramedic", "midwife", "radiologist", "radiology",
        "oncology", "oncologist", "cardiology", "psychiatrist", "medico", "medica", "medecin",
        "enfermero", "enfermera", "enfermeiro", "enfermeira", "infirmier", "infirmiere",
        "krankenschwester", "study coordinator",
        "veterinarian", "veterinarians", "veterinary", "equine vet", "dvm", "vmd", "bvsc",
        "mrcvs", "veterinario", "veterinaria", "veterinaire", "vet nurse", "vet tech",
        "veterinary nurse", "veterinary technician", "veterinary surgeon",
    ),
    "research": (
        "research", "researcher", "researchers", "r and d", "scientist", "scientists", "science",
        "sciences", "scientific", "lab", "labs", "laboratory", "lab tech", "chemist", "chemistry",
        "biologist", "biology", "microbiologist", "biochemist", "physicist", "toxicologist",
        "pharmacologist", "epidemiologist", "postdoc", "postdoctoral", "post doc", "investigacion",
        "investigador", "investigadora", "recherche", "chercheur", "chercheuse", "pesquisa",
        "pesquisador", "pesquisadora",
    ),
    "education": (
        "education", "educator", "educacion", "educacao", "teacher", "teachers", "teaching",
        "tutor", "professor", "profesor", "profesora", "professeur", "lecturer", "docente",
        "enseignant", "enseignante", "maestra", "maestro", "dean", "school", "schools", "college",
        "university", "academy", "academic", "faculty", "curriculum", "instructor",
        "instructional designer", "instructional design", "learning", "e learning", "elearning",
        "student", "students", "headteacher", "headmaster", "headmistress", "kindergarten",
        "preschool", "registrar", "escuela", "ecole", "vice principal", "assistant principal",
        "deputy principal", "admissions", "admission", "enrollment", "enrolment", "provost",
        "superintendent of schools", "school district",
        "financial aid", "student affairs", "student services", "alumni",
    ),
    "facilities": (
        "facilities", "facility", "real estate", "property", "properties", "property developer",
        "building", "buildings", "maintenance", "electrician", "plumber", "janitor", "janitorial",
        "custodian", "custodial", "groundskeeper", "hvac", "workplace", "estates", "hausmeister",
        "instandhaltung", "mantenimiento", "manutencao", "manutenzione", "onderhoud",
        "utrzymania ruchu", "utrzymanie ruchu", "entretien",
    ),
}  # fmt: skip

# Phrases in more than one department, most specific first.
_MULTI_DEPARTMENT_PHRASES = {
    **{acronym: (*departments, "executive") for acronym, departments in _C_LEVEL_ACRONYMS.items()},
    # The officers whose department the words in between do not name by themselves.
    "chief executive officer": ("executive",),
    "chief information officer": ("it", "executive"),
    "chief operating officer": ("operations", "executive"),
    "chief technical officer": ("engineering", "executive"),
    "chief experience officer": ("customer_success", "executive"),
    "chief of staff": ("executive",),
    "payroll": ("finance", "hr"),
    "paie": ("finance", "hr"),
    "account manager": ("sales", "customer_success"),
    "account managers": ("sales", "customer_success"),
    "account management": ("sales", "customer_success"),
    "account director": ("sales", "customer_success"),
    "account lead": ("sales", "customer_success"),
    "office manager": ("administration", "operations"),
    "office management": ("administration", "operations"),
    # Corporate travel is run by operations and bought like any other supplier.
    "travel manager": ("operations", "procurement"),
    "travel management": ("operations", "procurement"),
    "travel buyer": ("operations", "procurement"),
    "corporate travel": ("operations", "procurement"),
    # "<function> operations" runs that function's machinery: the function is the department.
    "revops": ("sales",),
    "revenue operations": ("sales",),
    "sales operations": ("sales",),
    "marketing operations": ("marketing",),
    "people operations": ("hr",),
    "people ops": ("hr",),
    "hr operations": ("hr",),
    "finance operations": ("finance",),
    "legal operations": ("legal",),
    "legal ops": ("legal",),
    "trust and safety": ("legal",),
    "product eigenaar": ("product",),
    "sales ops": ("sales",),
    "support operations": ("customer_success",),
    "customer operations": ("customer_success",),
    # A practice or a hospital is run by its manager: its operations and its office.
    "practice manager": ("operations", "administration"),
    "practice management": ("operations", "administration"),
    "practice administrator": ("operations", "administration"),
    "clinic manager": ("operations", "administration"),
    "hospital manager": ("operations", "administration"),
    "hospital administrator": ("operations", "administration"),
    "security operations": ("security",),
    "business analyst": ("data",),
    "alimentos y bebidas": ("food_beverage",),
    "alimentos e bebidas": ("food_beverage",),
    "aliments et boissons": ("food_beverage",),
    "mlops": ("data", "engineering"),
    "database administrator": ("it", "data"),
    "dba": ("it", "data"),
    "product marketing": ("marketing", "product"),
    "market research": ("marketing", "research"),
    "user research": ("design", "research"),
    "ecommerce": ("sales", "marketing"),
    "e commerce": ("sales", "marketing"),
    "training": ("hr", "education"),
    "trainer": ("hr", "education"),
    "formation": ("hr", "education"),
    "formateur": ("hr", "education"),
    "formatrice": ("hr", "education"),
    "formador": ("hr", "education"),
    "formadora": ("hr", "education"),
    "biostatistics": ("research", "data"),
    "biostatistician": ("research", "data"),
    "statistician": ("data", "research"),
    "principal investigator": ("clinical", "research"),
    "clinical investigator": ("clinical", "research"),
    "sub investigator": ("clinical", "research"),
    "co investigator": ("clinical", "research"),
    "phd candidate": ("research", "education"),
    "ph d candidate": ("research", "education"),
    "doctoral candidate": ("research", "education"),
}

# Phrases that contain a department word without meaning it: a vice president is no
# president (executive), an HR business partner no partner.
_NO_DEPARTMENT_PHRASES = _VICE_PRESIDENT_TITLES + ("business partner", "process owner")

# Compound words (German mostly) and words whose meaning depends on what follows. Tried after
# the phrases; the order matters where two start alike ("personalentwickler" is HR, not a
# developer; "produktion" is operations, not product).
_DEPARTMENT_PATTERNS = {
    "chief_officer": (r"chief(?=(?: \w+){1,4} officer)", ("executive",)),
    "chef": (r"chef(?! (?:de|du|des|d) )", ("food_beverage",)),  # not "chef de projet"
    "german_owner": (_GERMAN_OWNER, ("executive",)),
    "hr_compound": (
        r"personal(?:leit|abteilung|referent|wesen|entwickl|chef|management|manager"
        r"|sachbearbeit|berater|disponent|planung|marketing|recruit)\w*",
        ("hr",),
    ),
    "finance_compound": (r"finanz\w*|buchhalt\w*", ("finance",)),
    "sales_compound": (r"vertrieb\w*|verkauf\w*", ("sales",)),
    "procurement_compound": (r"einkauf\w*|einkaeufer\w*", ("procurement",)),
    "marketing_compound": (r"marketing\w*", ("marketing",)),
    "operations_compound": (
        r"logisti\w*|logistyk\w*|produktion\w*|lager\w*|betrieb\w*|fuhrpark\w*",
        ("operations",),
    ),
    "product_compound": (r"produkt\w*", ("product",)),
    "legal_compound": (r"recht(?:s\w*)?|\w*anwalt\w*|datenschutz\w*|justiziar\w*", ("legal",)),
    "it_compound": (r"\w*informati(?:k|que|ca|co|cs)\w*|informatyk\w*", ("it",)),
    "engineering_compound": (
        r"\w*ingenieur\w*|\w*entwickler\w*|\w*entwicklung\w*",
        ("engineering",),
    ),
    "customer_compound": (r"kunden\w*", ("customer_success",)),
    "security_compound": (r"\w*sicherheit\w*", ("security",)),
    "education_compound": (r"\w*lehrer\w*", ("education",)),
    "clinical_compound": (r"\w*arzt\w*|pflege\w*|krankenpfleg\w*", ("clinical",)),
    "research_compound": (r"\w*forschung\w*", ("research",)),
    "facilities_compound": (r"immobilien\w*", ("facilities",)),
}

# "Assistant to the CEO" assists the CEO: what follows "to" names her principal, not her
# role or her department, and is dropped.
_ASSISTANT_WORDS = ("assistant", "assistante", "assistent", "assistentin", "assistenz", "pa")
_ASSISTS_WHOM_WORDS = (
    *_ASSISTANT_WORDS, "secretary", "aide", "advisor", "adviser", "chief of staff",
)  # fmt: skip

# Whole titles that mean more than their words: a bare "Partner" is a partner of the firm
# ("HR Business Partner" is not), a bare "Executive Director" runs the organisation, and a
# bare "Assistant" (what "Assistant to the CEO" leaves) or "Administrator" works in
# administration (a "Systems Administrator" in IT, an "Assistant Professor" in education).
_WHOLE_TITLES = {
    "partner": ("c_level", ("executive",)),
    "executive director": ("c_level", ("executive",)),
    **{word: ("individual", ("administration",)) for word in (*_ASSISTANT_WORDS, "administrator")},
}


# --- Compiled once ---------------------------------------------------------------------------


def _phrase_table(entries: Iterable[tuple[str, object]]) -> dict:
    """phrase -> value. A phrase listed twice is a mistake in the vocabulary (which meaning
    wins?), so it fails at import time rather than silently."""
    table = {}
    for phrase, value in entries:
        if phrase in table:
            raise ValueError(f"{phrase!r} is listed twice in the title vocabulary")
        table[phrase] = value
    return table


def _trie_regex(phrases: Iterable[str]) -> str:
    """One alternation for many phrases, sharing their prefixes, so the regex engine tries a
    letter once rather than once per phrase. A phrase that is the prefix of another becomes
    an optional tail, greedy: the longer phrase is tried first."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here
    return _trie_node_regex(trie)


def _trie_node_regex(node: dict) -> str:
    branches = [re.escape(char) + _trie_node_regex(child) for char, child in node.items() if char]
    if not branches:
        return ""
    if "" in node:
        return "(?:" + "|".join(branches) + ")?"
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _vocabulary_regex(phrases: Iterable[str], patterns: dict) -> re.Pattern:
    """Phrases first, then the named patterns; all as whole words."""
    alternatives = [_trie_regex(phrases)]
    alternatives += [f"(?P<{name}>{pattern})" for name, (pattern, _) in patterns.items()]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_SENIORITY_OF_PHRASE = _phrase_table(
    [(p, SENIORITY_RANK[key]) for key, phrases in _SENIORITY_PHRASES.items() for p in phrases]
    + [(phrase, None) for phrase in _NO_SENIORITY_PHRASES]
)
_SENIORITY_OF_PATTERN = {
    name: None if seniority is None else SENIORITY_RANK[seniority]
    for name, (_, seniority) in _SENIORITY_PATTERNS.items()
}
_SENIORITY_REGEX = _vocabulary_regex(_SENIORITY_OF_PHRASE, _SENIORITY_PATTERNS)
_SENIORITY_OF_RANK = {rank: seniority for seniority, rank in SENIORITY_RANK.items()}

_DEPARTMENTS_OF_PHRASE = _phrase_table(
    [(p, (key,)) for key, phrases in _DEPARTMENT_PHRASES.items() for p in phrases]
    + list(_MULTI_DEPARTMENT_PHRASES.items())
    + [(phrase, ()) for phrase in _NO_DEPARTMENT_PHRASES]
)
_DEPARTMENTS_OF_PATTERN = {name: value for name, (_, value) in _DEPARTMENT_PATTERNS.items()}
_DEPARTMENT_REGEX = _vocabulary_regex(_DEPARTMENTS_OF_PHRASE, _DEPARTMENT_PATTERNS)

# Folding. Dots go from acronyms first ("V.P.", "C.E.O.", "I.T."), so they stay one word.
_DOTTED_ACRONYM = re.compile(r"(?<!\w)[^\W\d_](?:\.[^\W\d_])+\.?(?!\w)")
# Only the upper-case token is the IT department ("TI" in Spanish and Portuguese): the
# English "it" is a pronoun.
_IT_TOKEN = re.compile(r"(?<!\w)(?:IT|TI)(?!\w)")
# Punctuation between parts of a title becomes a comma, so "Principal, Riverside School"
# keeps its "Principal" apart; inside a word it becomes a space ("co-founder", "Sr.").
_SEPARATOR = " , "
_BETWEEN_PARTS = re.compile(r"[,;:|/\\()\[\]{}<>+@!?\"•·–—‒―]|\s-+\s")
_INSIDE_WORDS = re.compile(r"[.\-'’‘`´_*#~=^]")
_ASSISTS_WHOM = re.compile(r"(?<!\w)(" + "|".join(_ASSISTS_WHOM_WORDS) + r") (?:to|der)(?!\w).*")

_STROKED_LETTERS = str.maketrans("łŁøØđĐ", "lLoOdD")

_EMPTY = NormalisedTitle(seniority="", departments=())


def _fold(title: str) -> str:
    """The title as the vocabulary spells it (see the note above the vocabulary)."""
    if not title.isascii():
        # Letters with a stroke, which Unicode does not decompose: "Właściciel", "Øystein".
        title = title.translate(_STROKED_LETTERS)
        decomposed = unicodedata.normalize("NFKD", title)
        title = "".join(char for char in decomposed if not unicodedata.combining(char))
    if "." in title:
        title = _DOTTED_ACRONYM.sub(lambda match: match.group().replace(".", "") + " ", title)
    if "IT" in title or "TI" in title:
        title = _IT_TOKEN.sub(" information technology ", title)
    title = _BETWEEN_PARTS.sub(_SEPARATOR, title.casefold())
    title = " ".join(_INSIDE_WORDS.sub(" ", title).replace("&", " and ").split())
    if " to " in title or " der " in title:
        title = _ASSISTS_WHOM.sub(r"\1", title)
    return title.strip(" ,")


def _seniority(text: str, departments: tuple[str, ...]) -> str:
    """The most senior rank any phrase gives; "individual" when none gives one."""
    best = -1
    for match in _SENIORITY_REGEX.finditer(text):
        name = match.lastgroup
        if name == "school_principal":
            # A principal heads a school; elsewhere (a consultancy) the word says nothing.
            rank = SENIORITY_RANK["director"] if "education" in departments else None
        elif name:
            rank = _SENIORITY_OF_PATTERN[name]
        else:
            rank = _SENIORITY_OF_PHRASE[match.group()]
        if rank is not None and rank > best:
            best = rank
    return _SENIORITY_OF_RANK[best] if best >= 0 else "individual"


def _departments(text: str) -> tuple[str, ...]:
    """The departments in the order the title names them, executive management last: the
    function a "CTO" or a "Managing Director, Investment Banking" works in is the specific
    fact."""
    found: list[str] = []
    for match in _DEPARTMENT_REGEX.finditer(text):
        name = match.lastgroup
        named = _DEPARTMENTS_OF_PATTERN[name] if name else _DEPARTMENTS_OF_PHRASE[match.group()]
        for department in named:
            if department not in found:
                found.append(department)
    if "executive" in found and found[-1] != "executive":
        found.remove("executive")
        found.append("executive")
    return tuple(found)


@functools.lru_cache(maxsize=100_000)
def normalise_title(title: str) -> NormalisedTitle:
    """The seniority and departments of a free-text job title.

    >>> normalise_title("Sr. Dir. of IT")
    NormalisedTitle(seniority='director', departments=('it',))
    """
    text = _fold(title or "")
    if not text:
        return _EMPTY
    whole = _WHOLE_TITLES.get(text)
    if whole:
        return NormalisedTitle(seniority=whole[0], departments=whole[1])
    departments = _departments(text)
    return NormalisedTitle(seniority=_seniority(text, departments), departments=departments)
