"""scoring/leads/buyer_profile.py: who buys an offer, read from the offer's own words.

The offers below are written for these tests, one per line of business, so the inference
is checked on vocabulary it was not tuned on. Each states the departments that must buy it
and those that may (`allowed`); a vertical one also names the industry it is made for.
"""

import json
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.leads.assessment import OfferProfile
from scoring.leads.buyer_profile import (
    BOTH_PRIMARY_AND_SECONDARY_ERROR,
    DEFAULT_MIN_SENIORITY,
    DEPARTMENT_KEYS,
    INDUSTRIES,
    INDUSTRY_KEYS,
    INVALID_DEPARTMENT_ERROR,
    INVALID_INDUSTRY_ERROR,
    INVALID_SENIORITY_ERROR,
    NO_PRIMARY_DEPARTMENT_ERROR,
    SOURCE_EXPLICIT,
    SOURCE_INFERRED,
    BuyerProfile,
    buyer_profile_infer,
    industries_of,
    validate_profile_fields,
)
from scoring.leads.titles import DEPARTMENTS, SENIORITIES

PROPERTIES = settings(max_examples=100, deadline=None, derandomize=True, database=None)


@dataclass(frozen=True)
class Offer:
    name: str
    value_props: tuple[str, ...]
    use_cases: tuple[str, ...]

    def profile(self) -> BuyerProfile:
        return infer(self.name, self.value_props, self.use_cases)


def infer(name, value_props=(), use_cases=()) -> BuyerProfile:
    return buyer_profile_infer(name=name, value_props=value_props, ideal_use_cases=use_cases)


def departments(profile: BuyerProfile) -> set[str]:
    return {*profile.primary_departments, *profile.secondary_departments}


CI_BUILDS = Offer(
    "Quayside Deploy Runner",
    (
        "Parallel builds for every commit",
        "Cache dependencies between pipeline runs",
        "Promote releases from staging with one-click rollback",
    ),
    ("Engineering teams that deploy many times a day", "Developers tired of waiting on builds"),
)
RESTAURANT_ORDERING = Offer(
    "Tablebell Restaurant Ordering",
    (
        "Table service orders sent to the kitchen the moment a server taps them",
        "Menu changes pushed to every till in seconds",
        "Tips and split checks settled at the table",
    ),
    ("Restaurants with several dining rooms", "Cafés and bars that run busy weekend shifts"),
)
INVOICE_INBOX = Offer(
    "Ledgerbird Invoice Inbox",
    (
        "Read supplier invoices from email and post them to the ledger",
        "Approval workflows by budget owner",
        "Pay vendors in batches and reconcile with the bank",
    ),
    ("Finance teams that close the month in days", "Controllers who want a trail for every bill"),
)
HR_ONBOARDING = Offer(
    "Welcomemat Starter Journeys",
    (
        "Onboarding checklists for every new hire",
        "Collect payroll and benefits forms before day one",
        "Remind managers of each starter's first-week tasks",
    ),
    ("HR teams hiring dozens of employees a month", "People ops at growing companies"),
)
TRIAL_DATA = Offer(
    "Cohortline Study Capture",
    (
        "Electronic case report forms for investigators",
        "Query management for site monitoring",
        "Patient visit schedules per protocol",
    ),
    ("Biotech companies running their first studies", "Research sites with many patients"),
)
PHISHING_DRILLS = Offer(
    "Baitcheck Click Drills",
    (
        "Simulated phishing emails with instant coaching",
        "Monthly lessons on spotting scams",
        "Reports of who clicked, by department",
    ),
    ("Security teams reducing breach risk from staff", "IT managers proving training to auditors"),
)
TRAVEL_BOOKING = Offer(
    "Jetlog Trip Desk",
    (
        "Book flights and hotels inside company travel rules",
        "Itineraries and trip changes in one app",
        "Travel spend reports per cost centre",
    ),
    ("Operations managers organising team trips", "Companies with travelling consultants"),
)
WAREHOUSE = Offer(
    "Palletpath Warehouse Control",
    (
        "Pick lists ordered by bin location",
        "Inventory counts without closing the warehouse",
        "Carrier booking and dock appointments",
    ),
    ("Wholesale distributors with several warehouses", "Manufacturers tracking stock by lot"),
)
CONTRACTS = Offer(
    "Clausehouse Agreement Desk",
    (
        "Store every contract with searchable clauses",
        "Route redlines to counsel for approval",
        "Alert owners before renewal dates",
    ),
    ("Legal teams drowning in contract requests", "Compliance officers tracking obligations"),
)
ATTRIBUTION = Offer(
    "Touchtrail Campaign Credit",
    (
        "See which campaign drove each conversion",
        "Attribution across paid search, social media and email marketing",
        "Ad spend reports by channel",
    ),
    ("Marketing teams justifying their budget", "Growth marketers tuning the funnel"),
)
FLEET = Offer(
    "Axlewatch Fleet Telematics",
    (
        "GPS tracking for every vehicle in the fleet",
        "Driver behaviour scores and fuel use",
        "Maintenance reminders by mileage",
    ),
    ("Trucking companies with hundreds of trucks", "Courier firms dispatching vans across a city"),
)
TIMETABLING = Offer(
    "Bellgrid School Timetabler",
    (
        "Timetables that respect teacher availability and room capacity",
        "Publish lessons to students and parents",
        "Arrange cover for absent teachers in minutes",
    ),
    ("Secondary schools with many courses", "Colleges planning curriculum across campuses"),
)
VET_CLINICS = Offer(
    "Kennelwise Clinic Suite",
    (
        "Patient records and vaccine reminders for vet clinics",
        "Appointment booking and stock control",
        "Billing at the front desk",
    ),
    ("Independent veterinary practices", "Animal hospitals with many vets"),
)

# (offer, departments that must be primary, departments that may be)
PRIMARY_DEPARTMENTS = [
    (CI_BUILDS, {"engineering"}, {"engineering", "it"}),
    (RESTAURANT_ORDERING, {"food_beverage"}, {"food_beverage", "operations"}),
    (INVOICE_INBOX, {"finance"}, {"finance", "procurement"}),
    (HR_ONBOARDING, {"hr"}, {"hr"}),
    (TRIAL_DATA, {"clinical"}, {"clinical", "research", "data"}),
    (PHISHING_DRILLS, {"security", "it"}, {"security", "it"}),
    (TRAVEL_BOOKING, {"operations"}, {"operations", "finance", "procurement", "administration"}),
    (WAREHOUSE, {"operations"}, {"operations", "procurement"}),
    (CONTRACTS, {"legal"}, {"legal", "procurement"}),
    (ATTRIBUTION, {"marketing"}, {"marketing", "data", "sales"}),
    (FLEET, {"operations"}, {"operations"}),
    (TIMETABLING, {"education"}, {"education", "administration"}),
    # The vets of a clinic buy its software as much as its manager: the industry's own line.
    (VET_CLINICS, {"clinical"}, {"clinical", "operations", "administration", "finance"}),
]
# (offer, vertical, the industry a vertical offer is made for: its first target). A CI
# service is for software teams in any industry: not vertical, at most "software" targeted.
VERTICALS = [
    (CI_BUILDS, False, None),
    (RESTAURANT_ORDERING, True, "food_hospitality"),
    (INVOICE_INBOX, False, None),
    (HR_ONBOARDING, False, None),
    (TRIAL_DATA, True, "life_sciences"),
    (PHISHING_DRILLS, False, None),
    (TRAVEL_BOOKING, False, None),
    (WAREHOUSE, True, "logistics"),
    (CONTRACTS, False, None),
    (ATTRIBUTION, False, None),
    (FLEET, True, "logistics"),
    (TIMETABLING, True, "education"),
    (VET_CLINICS, True, "veterinary"),
]  # fmt: skip
ALL_OFFERS = [offer for offer, _, _ in PRIMARY_DEPARTMENTS]
OFFER_IDS = [offer.name.split()[0].lower() for offer in ALL_OFFERS]


# --- inference from an offer's words ------------------------------------------------------


@pytest.mark.parametrize(("offer", "must", "allowed"), PRIMARY_DEPARTMENTS, ids=OFFER_IDS)
def test_inferred_primary_departments(offer, must, allowed):
    primary = set(offer.profile().primary_departments)

    assert must <= primary, primary
    assert primary <= allowed, primary


@pytest.mark.parametrize(("offer", "vertical", "industry"), VERTICALS, ids=OFFER_IDS)
def test_inferred_vertical_and_target_industries(offer, vertical, industry):
    profile = offer.profile()

    assert profile.vertical is vertical
    if vertical:
        assert profile.target_industries[0] == industry
        assert not profile.horizontal
    elif offer is CI_BUILDS:
        assert set(profile.target_industries) <= {"software"}
    else:
        assert profile.target_industries == ()
        assert profile.horizontal


@pytest.mark.parametrize("offer", ALL_OFFERS, ids=OFFER_IDS)
def test_an_inferred_profile_is_valid_and_says_it_was_inferred(offer):
    profile = offer.profile()

    validate_profile_fields(profile.as_dict())
    assert profile.source == SOURCE_INFERRED
    assert profile.min_seniority == DEFAULT_MIN_SENIORITY
    assert profile.competitors == ()
    assert not set(profile.primary_departments) & set(profile.secondary_departments)
    assert len(set(profile.primary_departments)) == len(profile.primary_departments)


def test_inference_is_deterministic():
    assert INVOICE_INBOX.profile() == INVOICE_INBOX.profile()


def test_an_offer_with_no_cues_has_an_empty_horizontal_profile():
    profile = infer("Zorbly", ("Delightful and simple",), ("Anyone, anywhere",))

    assert (profile.primary_departments, profile.secondary_departments) == ((), ())
    assert (profile.target_industries, profile.vertical, profile.horizontal) == ((), False, True)


def test_an_empty_offer_infers_an_empty_profile():
    assert infer("", (), ()) == BuyerProfile()
    assert buyer_profile_infer(name="", value_props=None, ideal_use_cases=None) == BuyerProfile()


# --- "it" the pronoun, "IT" the department -------------------------------------------------


@pytest.mark.parametrize(
    "value_props",
    [
        ("Make it faster to approve expenses", "Snap a receipt and it is filed for you"),
        ("Set it up once and forget it", "Make it faster to share files"),
        ("Because it just works",),
    ],
)
def test_the_pronoun_it_is_not_the_it_department(value_props):
    profile = infer("Quillpad Receipts", value_props, ("Teams that want it simple",))

    assert "it" not in departments(profile)


def test_a_capitalised_pronoun_at_the_start_of_a_sentence_is_not_the_it_department():
    profile = infer("Quillpad Notes", ("It keeps every note in sync", "It works offline"))

    assert "it" not in departments(profile)


def test_it_written_in_capitals_is_the_it_department():
    profile = infer(
        "Deskpatch Device Care",
        ("Patch laptops remotely", "Automatic device provisioning"),
        ("IT teams supporting remote staff",),
    )

    assert "it" in profile.primary_departments
    assert "security" in profile.primary_departments  # they buy together


# --- words that mean another department or industry here -----------------------------------


def test_shipping_code_does_not_make_a_ci_offer_a_logistics_product():
    profile = infer(
        "Quayside Deploy Runner",
        ("Faster builds on every pull request", "Deploy previews for each branch"),
        ("Developers shipping code daily",),
    )

    assert "logistics" not in profile.target_industries
    assert set(profile.target_industries) <= {"software"}


def test_help_desk_tickets_do_not_make_an_it_offer_a_restaurant_product():
    profile = infer("Deskpatch", ("Help desk tickets for IT teams", "Patch laptops remotely"))

    assert "it" in profile.primary_departments
    assert "food_beverage" not in profile.primary_departments
    assert (profile.vertical, profile.target_industries) == (False, ())


def test_students_do_not_make_a_school_offer_a_clinical_product():
    profile = infer(
        "Bellgrid School Timetabler",
        ("Timetables that respect teacher availability", "Publish lessons to students"),
        ("Secondary schools", "Primary schools and academies"),
    )

    assert "clinical" not in profile.primary_departments
    assert "life_sciences" not in profile.target_industries


# --- OfferProfile ---------------------------------------------------------------------------


def test_an_offer_profile_infers_its_buyer_profile_when_none_is_given():
    offer = OfferProfile(
        name=CONTRACTS.name,
        value_props=CONTRACTS.value_props,
        ideal_use_cases=CONTRACTS.use_cases,
    )

    assert offer.buyer_profile == CONTRACTS.profile()
    assert offer.rule_set == "fit"


def test_an_offer_profile_keeps_a_given_buyer_profile():
    given_profile = BuyerProfile(primary_departments=("sales",), source=SOURCE_EXPLICIT)

    offer = OfferProfile(name=CONTRACTS.name, buyer_profile=given_profile)

    assert offer.buyer_profile is given_profile


# --- industries_of ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "industries"),
    [
        ("Banking", ("finance",)),
        ("BANKING", ("finance",)),
        ("Biotechnology", ("life_sciences",)),
        ("Quick Service Restaurants", ("food_hospitality",)),
        ("Software", ("software",)),
        ("Wholesale Distribution", ("logistics",)),
        ("Metal Fabrication", ("manufacturing",)),
        ("Hospital & Health Care", ("healthcare",)),
        ("Management Consulting", ("professional_services",)),
        ("Higher Education", ("education",)),
        ("Oil & Gas", ("energy",)),
        ("Law Practice", ("legal_services",)),
        # An animal hospital is no hospital of people's.
        ("Veterinary Hospital", ("veterinary",)),
        ("Equine & Small Animal Clinics", ("veterinary",)),
        # First named first.
        ("Information Technology & Services", ("software", "professional_services")),
        ("", ()),
        ("Widgets", ()),
    ],
)
def test_industries_of_a_lead_industry(text, industries):
    assert industries_of(text) == industries


def test_industries_of_returns_known_keys_without_duplicates():
    for text in ("Banking and Insurance", "Restaurants, hotels and cafés", "Trucking & Logistics"):
        keys = industries_of(text)
        assert keys and len(set(keys)) == len(keys)
        assert set(keys) <= set(INDUSTRY_KEYS)


@pytest.mark.parametrize("text", ["Barcelona Holdings", "Bankside Partners Studio"])
def test_industries_of_matches_whole_words_only(text):
    # "bar" is a hospitality word and "bank" a finance one, but not inside other words.
    assert "food_hospitality" not in industries_of(text)
    assert "finance" not in industries_of(text)


# --- validate_profile_fields -----------------------------------------------------------------


def test_a_valid_profile_passes_validation():
    validate_profile_fields(
        {
            "primary_departments": ["finance", "procurement"],
            "secondary_departments": ["operations"],
            "target_industries": ["retail"],
            "min_seniority": "director",
        }
    )
    validate_profile_fields({})


@pytest.mark.parametrize("key", ["primary_departments", "secondary_departments"])
def test_an_unknown_department_is_rejected(key):
    message = INVALID_DEPARTMENT_ERROR.format(value="astrology", choices=", ".join(DEPARTMENTS))

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        validate_profile_fields({key: ["finance", "astrology"]})


def test_an_unknown_industry_is_rejected():
    message = INVALID_INDUSTRY_ERROR.format(value="space mining", choices=", ".join(INDUSTRIES))

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        validate_profile_fields({"target_industries": ["retail", "space mining"]})


def test_an_unknown_seniority_is_rejected():
    message = INVALID_SENIORITY_ERROR.format(value="overlord", choices=", ".join(SENIORITIES))

    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        validate_profile_fields({"min_seniority": "overlord"})


def test_validation_names_the_first_unknown_value():
    data = {"primary_departments": ["finance", "alchemy", "astrology"]}

    with pytest.raises(ValueError, match="'alchemy'"):
        validate_profile_fields(data)


def test_a_department_label_is_not_a_department_key():
    with pytest.raises(ValueError, match=re.escape("'Finance & accounting'")):
        validate_profile_fields({"primary_departments": [DEPARTMENTS["finance"]]})


# --- as_dict / from_dict -----------------------------------------------------------------------

profiles = st.builds(
    BuyerProfile,
    primary_departments=st.lists(st.sampled_from(DEPARTMENT_KEYS), unique=True).map(tuple),
    secondary_departments=st.lists(st.sampled_from(DEPARTMENT_KEYS), unique=True).map(tuple),
    min_seniority=st.sampled_from(SENIORITIES),
    target_industries=st.lists(st.sampled_from(INDUSTRY_KEYS), unique=True).map(tuple),
    vertical=st.booleans(),
    competitors=st.lists(st.text(min_size=1, max_size=12), max_size=3).map(tuple),
    source=st.sampled_from([SOURCE_INFERRED, SOURCE_EXPLICIT]),
)


@PROPERTIES
@given(profile=profiles)
def test_as_dict_from_dict_round_trips(profile):
    data = profile.as_dict()

    assert BuyerProfile.from_dict(data) == profile
    assert BuyerProfile.from_dict(json.loads(json.dumps(data))) == profile
    assert all(not isinstance(value, tuple) for value in data.values())


def test_as_dict_lists_the_tuples():
    data = BuyerProfile(primary_departments=("hr",), competitors=("Welcomehub",)).as_dict()

    assert data["primary_departments"] == ["hr"]
    assert data["competitors"] == ["Welcomehub"]
    assert data["target_industries"] == []


@pytest.mark.parametrize("data", [None, {}])
def test_from_dict_of_nothing_is_the_default_profile(data):
    profile = BuyerProfile.from_dict(data)

    assert profile == BuyerProfile()
    assert profile.min_seniority == DEFAULT_MIN_SENIORITY
    assert profile.source == SOURCE_INFERRED
    assert profile.horizontal


def test_an_inferred_profile_round_trips():
    for offer in (RESTAURANT_ORDERING, FLEET, INVOICE_INBOX):
        profile = offer.profile()
        assert BuyerProfile.from_dict(profile.as_dict()) == profile


@pytest.mark.parametrize(
    ("texts", "competitors"),
    [
        (["Moving off Tellbox or Quickdesk in a weekend"], ("Tellbox", "Quickdesk")),
        (["An alternative to Ledgerly, Paymo and Billmate"], ("Ledgerly", "Paymo", "Billmate")),
        (["Switching from Acme Cloud without downtime"], ("Acme Cloud",)),
        (["Replacing spreadsheet-and-email onboarding"], ()),  # no product named
        (["Replace paper pick lists with scanners"], ()),
        (["Replace Spreadsheets and Email with one workflow"], ()),  # title case, no product
        (["Replace Manual Invoice Entry"], ()),
    ],
)
def test_competitors_the_offer_says_it_replaces_are_inferred(texts, competitors):
    profile = buyer_profile_infer(name="Offer", value_props=texts, ideal_use_cases=[])

    assert profile.competitors == competitors


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"primary_departments": []}, NO_PRIMARY_DEPARTMENT_ERROR),
        (
            {"primary_departments": ["hr"], "secondary_departments": ["hr"]},
            BOTH_PRIMARY_AND_SECONDARY_ERROR.format(departments="hr"),
        ),
    ],
)
def test_a_profile_needs_a_buyer_and_no_department_twice(data, error):
    with pytest.raises(ValueError) as raised:
        validate_profile_fields(data)

    assert str(raised.value) == error


def test_servers_and_tables_alone_make_no_offer_a_restaurant_product():
    profile = buyer_profile_infer(
        name="Patchline",
        value_props=["Patch Windows and Linux servers overnight", "Bar charts and pivot tables"],
        ideal_use_cases=["IT teams with hundreds of servers"],
    )

    assert "food_beverage" not in profile.primary_departments
    assert (profile.vertical, profile.target_industries) == (False, ())


def test_a_veterinary_offer_is_not_for_human_healthcare():
    profile = VET_CLINICS.profile()
    assert profile.target_industries == ("veterinary",)
    assert "healthcare" not in profile.target_industries


@pytest.mark.parametrize(
    "name", ["Tallyhoop Bookkeeping for SMBs", "Tallyhoop Bookkeeping for small businesses"]
)
def test_an_offer_for_small_businesses_is_bought_by_their_owners(name):
    offer = Offer(
        name,
        ("Invoices, expenses and the ledger in one place", "Close the month in a day"),
        ("Finance teams of growing companies",),
    )
    profile = offer.profile()
    assert {"finance", "executive"} <= set(profile.primary_departments)


def test_a_departments_work_named_in_one_word_is_a_feature_not_an_influencer():
    offer = Offer(
        "Wheelhouse Van Tracker",
        ("GPS positions of every van", "Driver-hours compliance built in"),
        ("Courier fleets", "Proving compliance with driving-time rules"),
    )
    assert "legal" not in offer.profile().secondary_departments


def test_a_use_case_naming_a_departments_people_makes_it_count():
    offer = Offer(
        "Wheelhouse Van Tracker",
        ("Dispatch and scheduling for every van", "Fleet fuel use per route"),
        ("Courier fleets", "Field sales organisations on the road all week"),
    )
    profile = offer.profile()
    assert "operations" in profile.primary_departments
    assert "sales" in (*profile.primary_departments, *profile.secondary_departments)


def test_a_builders_site_software_is_bought_by_operations_not_engineering():
    offer = Offer(
        "Groundwork Site Diary",
        (
            "Daily logs and punch lists from the job site",
            "Safety inspections and incident reporting for field crews",
        ),
        ("General contractors and builders with many sites",),
    )
    profile = offer.profile()
    assert profile.primary_departments == ("operations",)
    assert "legal" not in profile.secondary_departments  # contractors are no contracts
    assert profile.target_industries[0] == "construction"


def test_reports_and_forecasts_make_no_finance_product_a_data_product():
    offer = Offer(
        "Tillwise Cash Planner",
        (
            "Rolling cash forecasts for every entity",
            "Variance analysis and board-ready reports",
            "Bank account balances each morning across every bank",
        ),
        ("Finance teams of multi-entity groups banking with several banks",),
    )
    profile = offer.profile()
    assert profile.primary_departments == ("finance",)
    # The banks are a treasury team's counterparties, not its customers.
    assert profile.target_industries == ()


@pytest.mark.parametrize(
    "use_case",
    [
        "Data teams whose warehouse has thousands of tables",
        "Monorepos that outgrew a self-hosted Jenkins build farm",
    ],
)
def test_a_tools_name_is_no_customers_industry(use_case):
    offer = Offer("Qubit Lineage Catalog", ("Column-level lineage for every table",), (use_case,))
    assert offer.profile().target_industries == ()


@pytest.mark.parametrize(
    ("name", "value_props", "not_an_industry"),
    [
        (
            "Blockly Visual App Builder",
            ("A drag-and-drop builder for internal apps",),
            "construction",
        ),
        ("Snapframe Photo Studio", ("Auto-crop and retouch product photos",), "agriculture"),
        ("Pourlist Menu Boards", ("Menu boards for a wine bar or a coffee shop",), "agriculture"),
    ],
)
def test_a_word_of_another_trade_names_no_industry(name, value_props, not_an_industry):
    offer = Offer(name, value_props, ())
    assert not_an_industry not in offer.profile().target_industries


def test_subject_matter_experts_are_no_small_businesses():
    offer = Offer(
        "Knowhow Capture",
        ("Record what your SMEs know before they leave", "Searchable onboarding for new hires"),
        ("HR teams losing knowledge to retirements",),
    )
    assert "executive" not in offer.profile().primary_departments


def test_a_coined_brand_is_no_industry():
    offer = Offer("Metalwise Data Catalog", ("Column-level lineage for every table",), ())
    assert "manufacturing" not in offer.profile().target_industries


def test_a_farm_product_is_for_agriculture():
    offer = Offer(
        "Furrowline Farm Records",
        ("Crop plans and spray records per field",),
        ("Arable farms and vineyards", "Growers with many fields"),
    )
    profile = offer.profile()
    assert (profile.target_industries[0], profile.vertical) == ("agriculture", True)
