"""Migrating pre-account data: every offer, upload, lead and score, and every user, ends up
in the default account (scoring 0002-0004)."""

import pytest
from django.conf import settings
from django.utils import timezone

from scoring.accounts.services import DEFAULT_ACCOUNT_SLUG
from tests.migration_steps import app_at, latest, migrate, scoring_at

BEFORE_ACCOUNTS = ("scoring", "0001_initial")


def _before_accounts():
    """scoring at 0001, every other app at its latest migration but the ones split out."""
    return scoring_at(BEFORE_ACCOUNTS[1])


@pytest.fixture
def migrated_back(transactional_db):
    """The schema as it was before accounts; put back to the latest state afterwards, whatever
    happens, so that the rest of the suite finds the schema it expects."""
    try:
        yield migrate(_before_accounts())
    finally:
        migrate(latest())


# transactional_db (no wrapping transaction): the schema editor can run on SQLite and
# PostgreSQL alike, and every migration commits as it would in production.
@pytest.mark.django_db(transaction=True)
def test_existing_data_and_users_move_to_the_default_account(migrated_back):
    old = migrated_back
    user = old.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.create(username="legacy")
    offer = old.get_model("scoring", "Offer").objects.create(
        name="Legacy offer", value_props=["Fast"], ideal_use_cases=["Ops"]
    )
    upload = old.get_model("scoring", "LeadUpload").objects.create(file_name="old.csv", row_count=1)
    lead = old.get_model("scoring", "Lead").objects.create(upload=upload, name="Ada", role="CEO")
    score = old.get_model("scoring", "Score").objects.create(
        lead=lead, offer=offer, rule_score=50, role_points=20, industry_points=20,
        completeness_points=10, ai_label="High", ai_score=50, score=100, intent="High",
        reasoning="Legacy.", provider="local", model="local-keyword-v1",
        scored_at=timezone.now(),
    )  # fmt: skip

    new = migrate(latest())

    default = new.get_model("accounts", "Account").objects.get(slug=DEFAULT_ACCOUNT_SLUG)
    for model_name, old_obj in [
        ("Offer", offer), ("LeadUpload", upload), ("Lead", lead), ("Score", score)
    ]:  # fmt: skip
        row = new.get_model("scoring", model_name).objects.get(pk=old_obj.pk)
        assert row.account_id == default.pk, model_name
    membership = new.get_model("accounts", "Membership").objects.get(user_id=user.pk)
    assert membership.account_id == default.pk
    assert new.get_model("accounts", "Account").objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_migrating_an_empty_database_creates_just_the_default_account(migrated_back):
    new = migrate(latest())

    accounts = list(new.get_model("accounts", "Account").objects.values_list("slug", "name"))
    assert accounts == [(DEFAULT_ACCOUNT_SLUG, "Default")]
    assert not new.get_model("accounts", "Membership").objects.exists()


BEFORE_BUYER_PROFILES = ("scoring", "0007_conversation_grading")


@pytest.fixture
def before_buyer_profiles(transactional_db):
    """The schema before leads had seniority and offers buyer profiles (scoring 0007)."""
    try:
        yield migrate(scoring_at(BEFORE_BUYER_PROFILES[1]))
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_existing_leads_are_normalised_and_offers_given_a_profile(before_buyer_profiles):
    old = before_buyer_profiles
    account = old.get_model("scoring", "Account").objects.create(name="Old", slug="old")
    upload = old.get_model("scoring", "LeadUpload").objects.create(account=account, file_name="x")
    Lead = old.get_model("scoring", "Lead")
    roles = ["Chief Financial Officer", "Marketing Intern", "", "Head of IT"] * 3
    leads = Lead.objects.bulk_create(
        [
            Lead(account=account, upload=upload, name=f"L{i}", role=role)
            for i, role in enumerate(roles)
        ]
    )
    offer = old.get_model("scoring", "Offer").objects.create(
        account=account, name="Ledger close", value_props=["Invoice matching for finance teams"]
    )

    new = migrate(latest())

    stored = dict(new.get_model("scoring", "Lead").objects.values_list("id", "seniority"))
    expected = {"Chief Financial Officer": "c_level", "Marketing Intern": "entry", "": "",
                "Head of IT": "director"}  # fmt: skip
    assert {lead.id: expected[lead.role] for lead in leads} == stored
    cfo = new.get_model("scoring", "Lead").objects.get(pk=leads[0].pk)
    assert cfo.departments == ["finance", "executive"]
    profile = new.get_model("scoring", "Offer").objects.get(pk=offer.pk).buyer_profile
    assert profile["primary_departments"] == ["finance"]
    assert profile["source"] == "inferred"


BEFORE_VOCABULARY_V2 = ("scoring", "0015_lead_account_via_upload")


@pytest.fixture
def before_vocabulary_v2(transactional_db):
    """The schema before the vocabularies grew (scoring 0015)."""
    try:
        yield migrate(app_at(*BEFORE_VOCABULARY_V2))
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_leads_and_locally_inferred_profiles_are_read_again(before_vocabulary_v2):
    old = before_vocabulary_v2
    account = old.get_model("accounts", "Account").objects.create(name="Old", slug="old")
    upload = old.get_model("scoring", "LeadUpload").objects.create(account=account, file_name="x")
    Lead = old.get_model("scoring", "Lead")
    # As the old vocabulary stored them: a Polish fleet manager had no department.
    stale = Lead.objects.create(
        account=account, upload=upload, name="T", role="Kierownik floty",
        seniority="manager", departments=[],
    )  # fmt: skip
    current = Lead.objects.create(
        account=account, upload=upload, name="C", role="Chief Financial Officer",
        seniority="c_level", departments=["finance", "executive"],
    )  # fmt: skip
    Offer = old.get_model("scoring", "Offer")
    text = {"name": "Kennelwise Clinic Suite",
            "value_props": ["Patient records and vaccine reminders for vet clinics"],
            "ideal_use_cases": ["Independent veterinary practices"]}  # fmt: skip
    old_profile = {"primary_departments": ["operations"], "target_industries": ["healthcare"],
                   "vertical": True, "source": "inferred",
                   "inferred_by": "local-vocabulary-v1"}  # fmt: skip
    local = Offer.objects.create(account=account, **text, buyer_profile=old_profile)
    remote = Offer.objects.create(
        account=account, **text, buyer_profile={**old_profile, "inferred_by": "gpt-4o-mini"}
    )
    given = Offer.objects.create(
        account=account, **text, buyer_profile={**old_profile, "source": "explicit"}
    )
    fallback = Offer.objects.create(
        account=account,
        **text,
        buyer_profile={
            **old_profile,
            "inferred_by": "local-vocabulary-v1 (fallback: openai failed)",
        },
    )

    new = migrate(latest())

    NewLead, NewOffer = new.get_model("scoring", "Lead"), new.get_model("scoring", "Offer")
    assert NewLead.objects.get(pk=stale.pk).departments == ["operations"]
    assert NewLead.objects.get(pk=current.pk).departments == ["finance", "executive"]
    profile = NewOffer.objects.get(pk=local.pk).buyer_profile
    assert profile["target_industries"] == ["veterinary"]
    assert profile["inferred_by"] == "local-vocabulary-v2"
    assert NewOffer.objects.get(pk=fallback.pk).buyer_profile["target_industries"] == ["veterinary"]
    assert NewOffer.objects.get(pk=remote.pk).buyer_profile == remote.buyer_profile
    assert NewOffer.objects.get(pk=given.pk).buyer_profile == given.buyer_profile
