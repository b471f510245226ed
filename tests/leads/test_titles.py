"""scoring/leads/titles.py: real-world job titles and the seniority and departments they
normalise to."""

import time

import pytest

from scoring.leads.titles import (
    DEPARTMENTS,
    SENIORITIES,
    SENIORITY_RANK,
    NormalisedTitle,
    normalise_title,
)

# (title, seniority, departments): the result's departments must be exactly these.
TITLES = [
    # Finance, academic and partnership titles.
    ("Treasurer", "director", {"finance"}),
    ("Provost", "director", {"education"}),
    ("Vice Provost for Student Success", "vp", {"education"}),
    ("Superintendent of Schools", "director", {"education"}),
    ("Director of Admissions", "director", {"education"}),
    ("Admissions Counselor", "individual", {"education"}),
    ("Partner, Audit", "director", {"finance"}),
    # C-level, short and spelled out.
    ("CEO", "c_level", {"executive"}),
    ("Chief Executive Officer (CEO)", "c_level", {"executive"}),
    ("C.E.O.", "c_level", {"executive"}),
    ("CFO", "c_level", {"finance", "executive"}),
    ("Chief Financial Officer", "c_level", {"finance", "executive"}),
    ("CISO", "c_level", {"security", "executive"}),
    ("Chief Information Security Officer", "c_level", {"security", "executive"}),
    ("CIO", "c_level", {"it", "executive"}),
    ("Chief Information Officer", "c_level", {"it", "executive"}),
    ("CTO", "c_level", {"engineering", "executive"}),
    ("Chief Technology Officer", "c_level", {"engineering", "executive"}),
    ("Chief Medical Officer", "c_level", {"clinical", "executive"}),
    ("CMO", "c_level", {"marketing", "executive"}),
    ("COO", "c_level", {"operations", "executive"}),
    ("Chief Operating Officer", "c_level", {"operations", "executive"}),
    ("Chief Revenue Officer", "c_level", {"sales", "executive"}),
    ("CPO", "c_level", {"product", "executive"}),
    ("CHRO", "c_level", {"hr", "executive"}),
    ("Chief People Officer", "c_level", {"hr", "executive"}),
    ("Chief Make It Happen Officer", "c_level", {"executive"}),  # a lower-case "it" is no IT
    ("President", "c_level", {"executive"}),
    ("President & CEO", "c_level", {"executive"}),
    ("Founder & CEO", "c_level", {"executive"}),
    ("CEO | Founder", "c_level", {"executive"}),
    ("Co-Founder & CTO", "c_level", {"engineering", "executive"}),
    ("Managing Director", "c_level", {"executive"}),
    ("Chairman of the Board", "c_level", {"executive"}),
    # VPs.
    ("VP Marketing", "vp", {"marketing"}),
    ("Vice President of Sales", "vp", {"sales"}),
    ("Vice President, Human Resources", "vp", {"hr"}),
    ("SVP, Global Sales", "vp", {"sales"}),
    ("EVP Operations", "vp", {"operations"}),
    ("Executive Vice President", "vp", set()),
    ("V.P. Engineering", "vp", {"engineering"}),
    ("AVP, Finance", "vp", {"finance"}),
    ("Associate VP of Product", "vp", {"product"}),
    ("Associate Vice President", "vp", set()),
    ("VP - Engineering", "vp", {"engineering"}),
    ("VP, Revenue", "vp", {"sales"}),
    ("VP, Revenue Operations", "vp", {"sales"}),
    # Directors, heads and leads; abbreviations and punctuation.
    ("Sr. Dir. of IT", "director", {"it"}),
    ("Dir. Finance/Accounting", "director", {"finance"}),
    ("Senior Director, Product Management", "director", {"product"}),
    ("Director, Clinical Data Management", "director", {"clinical", "data"}),
    ("Director, Sales & Marketing", "director", {"sales", "marketing"}),
    ("Sales & Marketing Director", "director", {"sales", "marketing"}),
    ("Director of IT and Operations", "director", {"it", "operations"}),
    ("Director, Information Security", "director", {"security"}),
    ("Head of People & Culture", "director", {"hr"}),
    ("Head of Product", "director", {"product"}),
    ("Head, Marketing", "director", {"marketing"}),
    ("Head of IT", "director", {"it"}),
    ("IT Director", "director", {"it"}),
    ("Director of I.T.", "director", {"it"}),
    ("Creative Director", "director", {"design"}),
    ("Assistant Director", "director", set()),
    ("Deputy Director", "director", set()),
    ("Associate Director", "director", set()),
    ("General Manager", "director", {"executive"}),
    ("Chief of Staff", "director", {"executive"}),
    ("Medical Director", "director", {"clinical"}),
    ("Director of Directory Services", "director", set()),  # no "director" in "directory"
    ("Executive Director", "c_level", {"executive"}),
    ("Executive Director, Clinical Operations", "director", {"clinical"}),
    # Managers, supervisors and leads.
    ("IT Manager", "manager", {"it"}),
    ("Sr. Manager, Procurement", "manager", {"procurement"}),
    ("Mgr, Customer Service", "manager", {"customer_success"}),
    ("Assistant Manager", "manager", set()),
    ("Lead Engineer", "manager", {"engineering"}),
    ("Engineering Lead", "manager", {"engineering"}),
    ("Tech Lead", "manager", {"engineering"}),
    ("Team Lead, Customer Support", "manager", {"customer_success"}),
    ("Warehouse Supervisor", "manager", {"operations"}),
    ("Product Manager", "manager", {"product"}),
    ("Customer Success Manager", "manager", {"customer_success"}),
    ("Sales Operations Manager", "manager", {"sales"}),
    ("Legal Ops Manager", "manager", {"legal"}),
    ("Support Operations Analyst", "individual", {"customer_success"}),
    # A practice or a hospital is run by its manager.
    ("Practice Manager", "manager", {"operations", "administration"}),
    ("Hospital Manager", "manager", {"operations", "administration"}),
    ("Associate Veterinarian", "individual", {"clinical"}),
    ("Owner / Ambulatory Equine Vet", "c_level", {"clinical", "executive"}),
    ("Tierärztin & Praxisinhaberin", "c_level", {"clinical", "executive"}),
    # Words that look like one but are not: a fire department, an army veteran, a bank's
    # personal banking, a card holder, trust and safety.
    ("Firefighter, Springfield FD", "individual", set()),
    ("Army Vet | Sales Director", "director", {"sales"}),
    ("Head of Personal Banking", "director", set()),
    ("Karteninhaber", "individual", set()),
    ("Trust and Safety Manager", "manager", {"legal"}),
    ("AI Safety Researcher", "individual", {"data", "research"}),
    ("Product Eigenaar", "individual", {"product"}),
    ("Legale rappresentante", "c_level", {"executive"}),
    # Dutch, Italian and Polish.
    ("Operationeel directeur", "director", {"operations"}),
    ("Hoofd Inkoop", "director", {"procurement"}),
    ("Responsabile Ufficio Legale", "director", {"legal"}),
    ("Direttore Finanziario", "director", {"finance"}),
    ("Kierownik floty", "manager", {"operations"}),
    ("Dyrektor ds. zakupów", "director", {"procurement"}),
    ("Prezes Zarządu", "c_level", {"executive"}),
    ("Fuhrparkleiter", "director", {"operations"}),
    # Safety at work runs with operations.
    ("Safety Director", "director", {"operations"}),
    ("EHS Manager", "manager", {"operations"}),
    ("Leiterin Arbeitssicherheit", "director", {"operations"}),
    ("Directeur Travaux", "director", {"operations"}),
    ("Drug Safety Officer", "individual", {"clinical"}),
    ("Payroll Manager", "manager", {"finance", "hr"}),
    ("FP&A Manager", "manager", {"finance"}),
    ("Revenue Accounting Manager", "manager", {"finance"}),
    ("Talent Acquisition Manager", "manager", {"hr"}),
    ("Learning & Development Manager", "manager", {"hr"}),
    ("Supply Chain Manager", "manager", {"operations"}),
    ("Facilities Manager", "manager", {"facilities"}),
    ("Regulatory Affairs Manager", "manager", {"legal"}),
    ("Purchasing Manager", "manager", {"procurement"}),
    ("Analytics Manager", "manager", {"data"}),
    ("Nurse Manager", "manager", {"clinical"}),
    # Individual contributors.
    ("Senior Software Engineer", "individual", {"engineering"}),
    ("Principal Software Engineer", "individual", {"engineering"}),
    ("Staff Engineer", "individual", {"engineering"}),
    ("Sr. Data Scientist", "individual", {"data"}),
    ("Data Engineer", "individual", {"data", "engineering"}),
    ("Security Engineer", "individual", {"security", "engineering"}),
    ("SOC Analyst", "individual", {"security"}),
    ("DevOps Engineer", "individual", {"engineering"}),
    ("Site Reliability Engineer", "individual", {"engineering"}),
    ("QA Analyst", "individual", {"engineering"}),
    ("Solutions Architect", "individual", {"engineering"}),
    ("Systems Administrator", "individual", {"it"}),
    ("IT Support Specialist", "individual", {"it"}),
    ("Helpdesk Technician", "individual", {"it"}),
    ("Business Intelligence Analyst", "individual", {"data"}),
    ("Statistician", "individual", {"data", "research"}),
    ("Product Owner", "individual", {"product"}),
    ("Account Executive", "individual", {"sales"}),
    ("Business Development Representative", "individual", {"sales"}),
    ("SDR", "individual", {"sales"}),
    ("Customer Service Representative", "individual", {"customer_success"}),
    ("Financial Controller", "director", {"finance"}),
    ("Accounts Payable Specialist", "individual", {"finance"}),
    ("Bookkeeper", "individual", {"finance"}),
    ("Payroll Specialist", "individual", {"finance", "hr"}),
    ("Comptroller", "director", {"finance"}),
    ("HR Business Partner", "individual", {"hr"}),
    ("Recruiter", "individual", {"hr"}),
    ("Corporate Trainer", "individual", {"hr", "education"}),
    ("Logistics Coordinator", "individual", {"operations"}),
    ("Receptionist", "individual", {"administration"}),
    ("Administrative Assistant", "individual", {"administration"}),
    ("General Counsel", "director", {"legal"}),
    ("Data Protection Officer", "individual", {"legal"}),
    ("Compliance Officer", "individual", {"legal"}),
    ("Buyer", "individual", {"procurement"}),
    ("Media Buyer", "individual", {"marketing"}),
    ("Lead Generation Specialist", "individual", {"marketing"}),
    ("Marketing Coordinator", "individual", {"marketing"}),
    ("Teacher", "individual", {"education"}),
    ("Assistant Professor", "individual", {"education"}),
    ("Instructional Designer", "individual", {"education"}),
    ("Principal Consultant", "individual", set()),
    # Schools: a principal heads one.
    ("School Principal", "director", {"education"}),
    ("Principal, Riverside Elementary School", "director", {"education"}),
    ("Assistant Principal", "director", {"education"}),
    ("Headmaster", "director", {"education"}),
    ("Dean of Students", "director", {"education"}),
    # Not English.
    ("Geschäftsführer", "c_level", {"executive"}),
    ("Geschaeftsfuehrer", "c_level", {"executive"}),
    ("Geschäftsführerin", "c_level", {"executive"}),
    ("Inhaber", "c_level", {"executive"}),
    ("Directeur Général", "c_level", {"executive"}),
    ("PDG", "c_level", {"executive"}),
    ("Gerente General", "c_level", {"executive"}),
    ("Director General", "c_level", {"executive"}),
    ("Director Ejecutivo", "c_level", {"executive"}),
    ("Amministratore Delegato", "c_level", {"executive"}),
    ("Vizepräsident Vertrieb", "vp", {"sales"}),
    ("Vice-président Marketing", "vp", {"marketing"}),
    ("Vicepresidente de Finanzas", "vp", {"finance"}),
    ("Directeur Financier", "director", {"finance"}),
    ("Directrice des Ressources Humaines", "director", {"hr"}),
    ("Directeur Commercial", "director", {"sales"}),
    ("Responsable Achats", "director", {"procurement"}),
    ("Responsable RH", "director", {"hr"}),
    ("Responsable Comptabilité", "director", {"finance"}),
    ("Leiter Einkauf", "director", {"procurement"}),
    ("Leiterin Personalabteilung", "director", {"hr"}),
    ("Personalleiter", "director", {"hr"}),
    ("Vertriebsleiter", "director", {"sales"}),
    ("Bereichsleiter Logistik", "director", {"operations"}),
    ("Abteilungsleiter Recht", "director", {"legal"}),
    ("IT-Leiter", "director", {"it"}),
    ("Direktor Finanzen", "director", {"finance"}),
    ("Head of Vertrieb", "director", {"sales"}),
    ("Jefe de Ventas", "director", {"sales"}),
    ("Jefa de Recursos Humanos", "director", {"hr"}),
    ("Diretor de TI", "director", {"it"}),
    ("Diretora Financeira", "director", {"finance"}),
    ("Diretor Jurídico", "director", {"legal"}),
    ("Gerente de Compras", "manager", {"procurement"}),
    ("Gerente de Recursos Humanos", "manager", {"hr"}),
    ("Gerente de Operaciones", "manager", {"operations"}),
    ("Gerente de Mercadotecnia", "manager", {"marketing"}),
    ("Gerente de Sistemas", "manager", {"it"}),
    ("Teamleiter Kundenservice", "manager", {"customer_success"}),
    ("Chef de projet informatique", "manager", {"it"}),
    ("Gestionnaire de paie", "manager", {"finance", "hr"}),
    ("Einkäufer", "individual", {"procurement"}),
    ("Finanzbuchhalter", "individual", {"finance"}),
    ("Rechtsanwalt", "individual", {"legal"}),
    ("Contrôleur de gestion", "individual", {"finance"}),
    ("Analista de Datos", "individual", {"data"}),
    ("Ingeniero de Software", "individual", {"engineering"}),
    ("Coordenador de Logística", "individual", {"operations"}),
    ("Assistenz der Geschäftsführung", "individual", {"administration"}),
    # Entry level.
    ("Intern", "entry", set()),
    ("Marketing Intern", "entry", {"marketing"}),
    ("Student", "entry", {"education"}),
    ("MSc Student", "entry", {"education"}),
    ("PhD Candidate", "entry", {"research", "education"}),
    ("Junior Developer", "entry", {"engineering"}),
    ("Jr. Accountant", "entry", {"finance"}),
    ("Trainee Accountant", "entry", {"finance"}),
    ("Apprentice Electrician", "entry", {"facilities"}),
    ("Graduate Trainee", "entry", set()),
    ("Werkstudent", "entry", set()),
    ("Praktikant Vertrieb", "entry", {"sales"}),
    ("Stagiaire", "entry", set()),
    ("Becario de Ventas", "entry", {"sales"}),
    ("Estagiário de TI", "entry", {"it"}),
    ("Junior Account Manager", "entry", {"sales", "customer_success"}),
    ("Student Services Coordinator", "individual", {"education"}),  # a coordinator, no student
    ("Student Success Manager", "manager", {"education"}),
    # Restaurants and hospitality.
    ("Restaurant Owner", "c_level", {"food_beverage", "executive"}),
    ("Executive Chef", "director", {"food_beverage"}),
    ("Head Chef", "manager", {"food_beverage"}),
    ("Chef de Cuisine", "manager", {"food_beverage"}),
    ("Sous Chef", "individual", {"food_beverage"}),
    ("Restaurant General Manager", "director", {"food_beverage", "executive"}),
    ("Food & Beverage Director", "director", {"food_beverage"}),
    ("F&B Manager", "manager", {"food_beverage"}),
    ("Bar Manager", "manager", {"food_beverage"}),
    ("Catering Manager", "manager", {"food_beverage"}),
    ("Barista", "individual", {"food_beverage"}),
    # Clinical and research.
    ("VP of Clinical Operations", "vp", {"clinical"}),
    ("Clinical Data Manager", "manager", {"clinical", "data"}),
    ("Principal Investigator", "individual", {"clinical", "research"}),
    ("Director of Biostatistics", "director", {"research", "data"}),
    ("Clinical Research Coordinator", "individual", {"clinical", "research"}),
    ("Study Coordinator", "individual", {"clinical"}),
    ("Medical Affairs Manager", "manager", {"clinical"}),
    ("Registered Nurse", "individual", {"clinical"}),
    ("Pharmacist", "individual", {"clinical"}),
    ("Chefarzt", "director", {"clinical"}),
    ("Research Scientist", "individual", {"research"}),
    ("R&D Manager", "manager", {"research"}),
    # The tricky ones.
    ("Coordinator", "individual", set()),  # no COO inside
    ("Doctor", "individual", {"clinical"}),  # no CTO inside
    ("Assistant to the CEO", "individual", {"administration"}),
    ("Executive Assistant", "individual", {"administration"}),
    ("Executive Assistant to the CFO", "individual", {"administration"}),
    ("Account Manager", "individual", {"sales", "customer_success"}),
    ("Key Account Manager", "individual", {"sales", "customer_success"}),
    ("Office Manager", "manager", {"administration", "operations"}),
    ("Travel Manager", "manager", {"operations", "procurement"}),
    ("Managing Partner", "c_level", {"executive"}),
    ("Founding Partner", "c_level", {"executive"}),
    ("Senior Partner", "c_level", {"executive"}),
    ("Partner", "c_level", {"executive"}),
    ("Founder", "c_level", {"executive"}),
    ("Owner", "c_level", {"executive"}),
    ("Headhunter", "individual", {"hr"}),
    ("", "", set()),
    ("   ", "", set()),
    # Nothing known.
    ("Astronaut", "individual", set()),
    ("Consultant", "individual", set()),
]

# (title, seniority, departments): the result's departments must include these; titles whose
# other departments are a judgement call.
TITLES_AT_LEAST = [
    ("Sales Engineer", "individual", {"sales"}),
    ("Support Engineer", "individual", {"customer_success"}),
    ("Network Engineer", "individual", {"it"}),
    ("Product Marketing Manager", "manager", {"marketing"}),
    ("Product Designer", "individual", {"design"}),
    ("UX Researcher", "individual", {"design"}),
    ("Professor of Medicine", "individual", {"education"}),
    ("Hotel General Manager", "director", {"food_beverage", "executive"}),
    ("Owner, Riverside Bakery", "c_level", {"food_beverage", "executive"}),
    ("Geschäftsführender Gesellschafter", "c_level", {"executive"}),
    ("Benefits Administrator", "individual", {"hr"}),
    (
        "Senior Vice President, Global Head of Strategic Partnerships and Business Development",
        "vp",
        {"sales"},
    ),
]


@pytest.mark.parametrize(("title", "seniority", "departments"), TITLES, ids=repr)
def test_title(title, seniority, departments):
    result = normalise_title(title)
    assert result.seniority == seniority
    assert set(result.departments) == departments


@pytest.mark.parametrize(("title", "seniority", "departments"), TITLES_AT_LEAST, ids=repr)
def test_title_at_least(title, seniority, departments):
    result = normalise_title(title)
    assert result.seniority == seniority
    assert departments <= set(result.departments)


def test_the_table_is_large_and_has_no_repeats():
    titles = [title for title, _, _ in TITLES + TITLES_AT_LEAST]
    assert len(titles) >= 100
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("title", [title for title, _, _ in TITLES + TITLES_AT_LEAST], ids=repr)
def test_result_uses_only_known_keys_without_duplicates(title):
    result = normalise_title(title)
    assert isinstance(result, NormalisedTitle)
    assert result.seniority in (*SENIORITIES, "")
    assert set(result.departments) <= set(DEPARTMENTS)
    assert len(result.departments) == len(set(result.departments))


@pytest.mark.parametrize(
    ("title", "departments"),
    [
        ("Chief Financial Officer", ("finance", "executive")),
        ("Co-Founder & CTO", ("engineering", "executive")),
        ("Restaurant General Manager", ("food_beverage", "executive")),
        ("Clinical Data Manager", ("clinical", "data")),
        ("Security Engineer", ("security", "engineering")),
    ],
)
def test_departments_most_specific_first(title, departments):
    # Executive management is the least specific fact about a CFO: it comes last.
    assert normalise_title(title).departments == departments


def test_seniorities_are_ranked_most_senior_first():
    assert [SENIORITY_RANK[key] for key in SENIORITIES] == [5, 4, 3, 2, 1, 0]


@pytest.mark.parametrize(
    ("title", "same_as"),
    [
        ("  vp   OF   sales ", "VP of Sales"),
        ("CHIEF FINANCIAL OFFICER", "chief financial officer"),
        ("\tHead of People & Culture\n", "head of people & culture"),
        ("GESCHÄFTSFÜHRER", "geschäftsführer"),
        ("marketing INTERN", "Marketing Intern"),
        ("Account  Manager", "ACCOUNT MANAGER"),
    ],
)
def test_case_and_whitespace_do_not_matter(title, same_as):
    assert normalise_title(title) == normalise_title(same_as)


@pytest.mark.parametrize(
    ("title", "has_it"),
    [
        ("IT Manager", True),
        ("it manager", True),
        ("Head of it", True),
        ("I.T. Director", True),
        ("Make It Happen Specialist", False),
        ("Director, Get It Done", False),
    ],
)
def test_it_is_a_department_only_as_a_token_or_a_known_phrase(title, has_it):
    assert ("it" in normalise_title(title).departments) is has_it


def test_answers_are_cached():
    assert normalise_title("VP, Revenue Operations") is normalise_title("VP, Revenue Operations")


def test_ten_thousand_distinct_titles_in_under_two_seconds():
    levels = ("", "Senior ", "Junior ", "Lead ", "Principal ", "Associate ", "Assistant ",
              "Chief ", "Deputy ", "Regional ")  # fmt: skip
    functions = ("Sales", "Marketing", "Finance", "IT", "HR", "Procurement", "Operations",
                 "Clinical", "Data", "Product", "Security", "Legal", "Customer Success",
                 "Engineering", "Facilities", "Research", "Design", "Education",
                 "Food & Beverage", "Supply Chain")  # fmt: skip
    roles = ("Manager", "Director", "Analyst", "Specialist", "Coordinator", "Engineer",
             "Consultant", "Officer", "Lead", "Administrator")  # fmt: skip
    regions = ("", ", EMEA", " - North America", " (Interim)", ", DACH")
    titles = {
        f"{level}{function} {role}{region}"
        for level in levels
        for function in functions
        for role in roles
        for region in regions
    }
    assert len(titles) == 10_000
    normalise_title.cache_clear()  # every one of them uncached

    start = time.perf_counter()
    results = [normalise_title(title) for title in titles]
    elapsed = time.perf_counter() - start

    assert elapsed < 2.0
    assert all(result.seniority in SENIORITIES for result in results)
