"""scoring/leads/lead_signals.py: what a bio says about buying, a company's size, a
vendor's pitch."""

import pytest

from scoring.leads.lead_signals import (
    MIN_STATED_HEADCOUNT,
    BioSignals,
    bio_signals,
    company_is,
    company_size,
    names_in,
    retired_role,
    vendor_descriptions,
)

SIGNALS = ("active_search", "pain", "already_bought", "not_a_buyer")


def signal(bio: str, kind: str) -> str:
    return getattr(bio_signals(bio), kind)


# --- bio_signals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bio", "kind", "phrase"),
    [
        # An active search, as written in the bio.
        ("Evaluating new tools for the month-end close.", "active_search", "Evaluating"),
        ("We are LOOKING FOR route planning help.", "active_search", "LOOKING FOR"),
        ("Our telematics contract expires in June.", "active_search", "contract expires"),
        ("Budget approved for scheduling software.", "active_search", "Budget approved"),
        ("Shortlisting two scheduling systems.", "active_search", "Shortlisting"),
        # A pain or a change.
        ("Still reconciling statements by hand.", "pain", "by hand"),
        ("Spreadsheets everywhere and three versions of every total.", "pain", "Spreadsheets"),
        ("Manually rekeying timesheets every Friday.", "pain", "Manually"),
        ("Struggling to keep up with orders.", "pain", "Struggling"),
        # In other languages.
        ("Stiamo valutando soluzioni CLM.", "active_search", "Stiamo valutando"),
        ("We zoeken een nieuw planningssysteem.", "active_search", "We zoeken"),
        ("Szukamy nowego systemu do floty.", "active_search", "Szukamy"),
        ("Prezzi gestiti a mano ogni giorno.", "pain", "a mano"),
        ("Proyecto 2025: digitalizar la gestión.", "pain", "digitalizar"),
        # Already bought.
        ("Just renewed the Quillpay licence.", "already_bought", "Just renewed"),
        ("Locked in with our payroll provider until 2027.", "already_bought", "Locked in"),
        ("Happy with our scheduling setup.", "already_bought", "Happy with our"),
        ("Standardised on one vendor last year.", "already_bought", "Standardised on"),
        # Not a buyer.
        ("Final-year student in supply chain management.", "not_a_buyer", "Final-year student"),
        ("Intern at a savings cooperative.", "not_a_buyer", "Intern at"),
        ("Open to work after twelve years in logistics.", "not_a_buyer", "Open to work"),
        ("Between roles and job hunting.", "not_a_buyer", "Between roles"),
        ("Graduating this summer.", "not_a_buyer", "Graduating"),
    ],
)
def test_a_bio_signal_is_the_phrase_as_written(bio, kind, phrase):
    assert signal(bio, kind) == phrase


@pytest.mark.parametrize("kind", SIGNALS)
def test_an_empty_bio_has_no_signals(kind):
    assert signal("", kind) == ""
    assert bio_signals("") == BioSignals()


def test_a_plain_bio_has_no_signals():
    assert bio_signals("Treasurer, dairy cooperative.") == BioSignals()


@pytest.mark.parametrize(
    ("bio", "kind"),
    [
        ("evaluating a new dispatch tool", "active_search"),
        ("signed a five-year deal", "already_bought"),
        ("just renewed the licence", "already_bought"),
        ("part-time student", "not_a_buyer"),
        ("by hand", "pain"),
    ],
)
@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_bio_signals_are_case_insensitive(bio, kind, case):
    assert signal(case(bio), kind).lower() == signal(bio, kind).lower() != ""


@pytest.mark.parametrize(
    "bio",
    [
        "Head of internal audit and controls.",
        "Internal communications lead.",
        "International sales for a packaging group.",
        "Studentship funding officer.",
    ],
)
def test_not_a_buyer_matches_whole_words_only(bio):
    # "internal" is not "intern", "studentship" is not "student".
    assert signal(bio, "not_a_buyer") == ""


def test_a_job_search_is_not_a_buyer_even_when_it_reads_like_a_search():
    signals = bio_signals("Looking for my next challenge in finance.")

    assert signals.not_a_buyer == "Looking for my next"


@pytest.mark.parametrize(
    "bio",
    [
        "Our legacy CRM was retired after the merger.",
        "We retired our in-house servers last year.",
        "Proficient in Excel, SQL and Tableau.",
        "Love sponsoring our local youth soccer team.",
    ],
)
def test_a_system_retired_a_skill_or_a_hobby_is_no_signal(bio):
    signals = bio_signals(bio)
    assert (signals.retired, signals.pain, signals.active_search) == ("", "", "")


def test_a_bio_that_opens_with_retired_is_retired():
    assert bio_signals("Retired in 2021 after 30 years in finance.").retired == "Retired in"


@pytest.mark.parametrize(
    ("role", "retired"),
    [("Retired COO", "Retired"), ("Director of Operations | US Army (Retired)", "")],
)
def test_a_retired_role_but_not_a_veterans_current_one(role, retired):
    assert retired_role(role) == retired


def test_painting_is_not_a_pain():
    assert signal("Owns a painting and decorating firm with 12 staff.", "pain") == ""


def test_teaching_students_is_not_being_a_student():
    assert signal("I teach maths to 120 students.", "not_a_buyer") == ""


def test_running_an_internship_programme_is_not_being_an_intern():
    assert signal("Runs our internship programme and graduate hiring.", "not_a_buyer") == ""


@pytest.mark.parametrize(
    "bio",
    ["We moved our headquarters to Leeds last year.", "Just signed a lease on a second office."],
)
def test_moving_offices_is_not_buying_a_product(bio):
    assert signal(bio, "already_bought") == ""


# --- company_size -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bio", "size"),
    [
        ("Partner in a 45-person practice.", 45),
        ("We roster 1,350 care staff across the region.", 1350),
        ("800 employees in four countries.", 800),
        ("10,000 employees worldwide.", 10000),
        ("250+ employees.", 250),
        ("A 300-employee plastics moulder.", 300),
        ("We grew from 30 to 250 employees.", 250),  # the largest
        ("Founded in 2015, now a 90-strong team.", 90),
        ("Fifty staff and two depots.", 50),
        ("Geschäftsführerin, 120 Mitarbeiter.", 120),
        ("1.500 Mitarbeiter an drei Standorten.", 1500),
        ("Une PME de 80 salariés.", 80),
        ("Una empresa de 200 empleados.", 200),
        # Not a headcount.
        ("We hire 25 people a week.", None),
        ("We onboard 300 drivers every season.", None),
        ("Three people key every bill by hand.", None),
        ("2 employees.", None),
        ("Serving 500 customers.", None),
        ("3 million users.", None),
        ("No numbers here at all.", None),
        ("", None),
    ],
)
def test_company_size_from_a_bio(bio, size):
    assert company_size(bio) == size


def test_a_stated_headcount_is_at_least_the_minimum():
    assert company_size(f"{MIN_STATED_HEADCOUNT} employees.") == MIN_STATED_HEADCOUNT
    assert company_size(f"{MIN_STATED_HEADCOUNT - 1} employees.") is None


def test_company_size_reads_the_german_dative_plural():
    assert company_size("Geschäftsführer eines Betriebs mit 120 Mitarbeitern.") == 120


# --- vendor_descriptions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bio", "described"),
    [
        ("Solutions consultant at Inkwell, the invoice capture platform for finance teams.",
         "invoice capture"),
        ("Sales lead at Hopdesk, an AI helpdesk tool.", "AI helpdesk"),
        ("We build route planning software for couriers.", "route planning"),
        ("CFO at Paygrove, the leading payroll provider in Spain.", "payroll"),
    ],
)  # fmt: skip
def test_vendor_descriptions_are_the_words_a_bio_pitches_its_product_with(bio, described):
    descriptions = vendor_descriptions(bio)

    assert any(described in text for text in descriptions), descriptions


@pytest.mark.parametrize("bio", ["", "Controller of two hospitals.", "Runs logistics for a dairy."])
def test_a_bio_that_pitches_nothing_has_no_vendor_descriptions(bio):
    assert vendor_descriptions(bio) == []


def test_a_bio_can_pitch_twice():
    bio = "Sales at Hopdesk, an AI helpdesk tool. We sell ticket triage to support teams."

    descriptions = vendor_descriptions(bio)

    assert len(descriptions) == 2
    assert any("ticket triage" in text for text in descriptions)


# --- names_in ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "found"),
    [
        ("Paperhawk Ltd", ["Paperhawk"], "Paperhawk"),
        ("paperhawk", ["PaperHawk"], "paperhawk"),  # as written in the text
        ("Northwind (formerly Paperhawk)", ["Paperhawk"], "Paperhawk"),
        ("Tally.io", ["Tally.io"], "Tally.io"),
        ("Blue Ocean Pay", ["Ocean Pay"], "Ocean Pay"),
        ("Paperhawkers Guild", ["Paperhawk"], ""),  # whole words only
        ("Bill Smith & Co", ["Billsmith"], ""),
        ("", ["Paperhawk"], ""),
        ("Paperhawk", [], ""),
        ("Paperhawk", ["", "  "], ""),  # blank names never match
    ],
)
def test_names_in(text, names, found):
    assert names_in(text, names) == found


def test_names_in_reports_the_first_mention():
    assert names_in("From Billsmith to Paperhawk", ["Paperhawk", "Billsmith"]) == "Billsmith"


@pytest.mark.parametrize(
    "bio",
    ["Leads a 35-agent support team at a regional bank.", "Runs a 12-person sales desk."],
)
def test_the_size_of_a_team_is_not_the_companys(bio):
    assert company_size(bio) is None


def test_studying_and_job_seeking_are_told_apart():
    studying = bio_signals("Graduate student finishing a thesis.")
    seeking = bio_signals("Open to work after a decade in retail.")

    assert (studying.studying, studying.job_seeking) == ("Graduate student", "")
    assert (seeking.studying, seeking.job_seeking) == ("", "Open to work")
    assert studying.not_a_buyer and seeking.not_a_buyer


@pytest.mark.parametrize(
    "bio",
    [
        "Switched to product management in 2020.",
        "Just signed with a publisher for my first book.",
        "We just renewed our office lease.",
        "We moved our headquarters to the harbour district.",
    ],
)
def test_a_move_or_a_signature_that_buys_no_product_is_not_already_bought(bio):
    assert bio_signals(bio).already_bought == ""


@pytest.mark.parametrize(
    ("bio", "phrase"),
    [
        ("We migrated all our accounts onto Ledgerly.", "migrated all our accounts onto Ledgerly"),
        ("Signed with Rotaflow in March.", "Signed with Rotaflow"),
        ("We just renewed the scheduling licence.", "just renewed"),
    ],
)
def test_a_switch_to_a_named_product_or_a_renewed_licence_is_already_bought(bio, phrase):
    assert bio_signals(bio).already_bought == phrase


@pytest.mark.parametrize(
    "bio",
    [
        "Runs our customer service team of twelve.",
        "VP Operations at Northwind, a 300-person logistics company.",
        "We are a family restaurant company with four sites.",
        "Runs the finance team at a 200-person company.",
    ],
)
def test_describing_ones_own_company_or_team_is_no_vendor_description(bio):
    assert vendor_descriptions(bio) == []


@pytest.mark.parametrize(
    ("company", "names", "expected"),
    [
        ("Acme Inc", ("Acme",), "Acme"),
        ("acme gmbh", ("Acme",), "Acme"),
        ("Acme Logistics", ("Acme",), ""),  # another company with the word in its name
        ("Excel Freight Ltd", ("Excel",), ""),
        ("", ("Acme",), ""),
    ],
)
def test_company_is_the_competitor_only_by_its_own_name(company, names, expected):
    assert company_is(company, names) == expected


@pytest.mark.parametrize(
    "bio",
    ["Helps 4,000 students a year through admissions.", "Runs student success programmes."],
)
def test_speaking_of_students_is_not_being_one(bio):
    assert bio_signals(bio).studying == ""
