"""The admin's buyer profiles: the offer form validates the profile and saves through the
services (an empty profile is inferred), the offer changelist summarises who buys, leads
show their seniority, and a score's page explains its points."""

import json

import pytest
from django.urls import reverse

from scoring.leads.buyer_profile import (
    DEPARTMENTS,
    INDUSTRIES,
    INVALID_DEPARTMENT_ERROR,
    INVALID_INDUSTRY_ERROR,
    INVALID_SENIORITY_ERROR,
    NOT_A_BOOLEAN_ERROR,
    NOT_A_LIST_ERROR,
    PROFILE_FIELDS,
    SOURCE_EXPLICIT,
    SOURCE_INFERRED,
    UNKNOWN_PROFILE_FIELD_ERROR,
    buyer_profile_infer,
)
from scoring.leads.models import Offer
from scoring.leads.services.offers import offer_create
from scoring.leads.titles import SENIORITIES
from tests.factories import HELPDESK, AccountFactory, LeadFactory, ScoreFactory, profile_core
from tests.leads.scoring_helpers import score_offer

pytestmark = pytest.mark.django_db


def inferred(texts) -> dict:
    return profile_core(buyer_profile_infer(**texts).as_dict())


def form_data(account, *, buyer_profile, texts=HELPDESK, rule_set="") -> dict:
    """The add form's POST, with the hidden initials (the defaults) a browser sends too."""
    return {
        "account": account.pk,
        "name": texts["name"],
        "value_props": json.dumps(texts["value_props"]),
        "ideal_use_cases": json.dumps(texts["ideal_use_cases"]),
        "rule_set": rule_set,
        "buyer_profile": json.dumps(buyer_profile),
        "initial-value_props": "[]",
        "initial-ideal_use_cases": "[]",
        "initial-buyer_profile": "{}",
    }


def change_data(offer, **changes) -> dict:
    """The change form's POST as a browser sends it: the stored values, each with the
    hidden initial the admin renders for a field with a callable default, then `changes`."""
    offer.refresh_from_db()
    stored = {
        "account": offer.account_id,
        "name": offer.name,
        "value_props": json.dumps(offer.value_props, ensure_ascii=False),
        "ideal_use_cases": json.dumps(offer.ideal_use_cases, ensure_ascii=False),
        "rule_set": offer.rule_set,
        "buyer_profile": json.dumps(offer.buyer_profile, ensure_ascii=False),
    }
    initials = {
        f"initial-{name}": stored[name]
        for name in ("value_props", "ideal_use_cases", "buyer_profile")
    }
    changes = {
        name: json.dumps(value) if isinstance(value, (list, dict)) else value
        for name, value in changes.items()
    }
    return {**stored, **initials, **changes}


def form_errors(response, field="buyer_profile") -> list[str]:
    assert response.status_code == 200  # the form again, with its errors
    return response.context["adminform"].form.errors[field]


# --- The offer form ----------------------------------------------------------------------------


def test_offer_add_with_an_empty_profile_infers_it(admin_client, account):
    response = admin_client.post(
        reverse("admin:scoring_offer_add"), form_data(account, buyer_profile={})
    )

    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.account, offer.name) == (account, HELPDESK["name"])
    assert offer.value_props == HELPDESK["value_props"]
    assert profile_core(offer.buyer_profile) == inferred(HELPDESK)
    assert offer.buyer_profile["source"] == SOURCE_INFERRED
    assert offer.buyer_profile["primary_departments"] == ["customer_success"]


def test_offer_add_with_a_partial_profile_keeps_it_and_infers_the_rest(admin_client, account):
    response = admin_client.post(
        reverse("admin:scoring_offer_add"),
        form_data(account, buyer_profile={"primary_departments": ["sales"]}, rule_set="seed"),
    )

    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.rule_set == "seed"
    assert profile_core(offer.buyer_profile) == {
        **inferred(HELPDESK), "primary_departments": ["sales"], "source": SOURCE_EXPLICIT,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (
            {"primary_departments": ["astrology"]},
            INVALID_DEPARTMENT_ERROR.format(value="astrology", choices=", ".join(DEPARTMENTS)),
        ),
        (
            {"secondary_departments": ["sales", "wizardry"]},
            INVALID_DEPARTMENT_ERROR.format(value="wizardry", choices=", ".join(DEPARTMENTS)),
        ),
        (
            {"target_industries": ["moon mining"]},
            INVALID_INDUSTRY_ERROR.format(value="moon mining", choices=", ".join(INDUSTRIES)),
        ),
        (
            {"min_seniority": "overlord"},
            INVALID_SENIORITY_ERROR.format(value="overlord", choices=", ".join(SENIORITIES)),
        ),
    ],
    ids=["primary-department", "secondary-department", "industry", "seniority"],
)
def test_offer_add_with_an_unknown_value_shows_the_error_and_saves_nothing(
    admin_client, account, profile, message
):
    response = admin_client.post(
        reverse("admin:scoring_offer_add"), form_data(account, buyer_profile=profile)
    )

    assert form_errors(response) == [message]
    assert Offer.objects.count() == 0


def test_offer_add_with_a_profile_that_is_not_an_object_shows_an_error(admin_client, account):
    response = admin_client.post(
        reverse("admin:scoring_offer_add"), form_data(account, buyer_profile=["finance"])
    )

    assert form_errors(response)
    assert Offer.objects.count() == 0


@pytest.mark.parametrize(
    ("profile", "error"),
    [
        ({"vertical": "no"}, NOT_A_BOOLEAN_ERROR.format(key="vertical")),
        ({"competitors": "Tellwell"}, NOT_A_LIST_ERROR.format(key="competitors")),
        ({"target_industries": "retail"}, NOT_A_LIST_ERROR.format(key="target_industries")),
        (
            {"primary_department": ["finance"]},
            UNKNOWN_PROFILE_FIELD_ERROR.format(
                key="primary_department", choices=", ".join(PROFILE_FIELDS)
            ),
        ),
    ],
)
def test_offer_add_with_a_profile_value_of_the_wrong_type_is_refused(
    admin_client, account, profile, error
):
    response = admin_client.post(
        reverse("admin:scoring_offer_add"), form_data(account, buyer_profile=profile)
    )

    assert form_errors(response) == [error]
    assert not Offer.objects.exists()


@pytest.fixture
def offer(account):
    return offer_create(account=account, **HELPDESK)


def test_offer_change_with_a_new_profile_stores_it_as_explicit(admin_client, account, offer):
    profile = {**offer.buyer_profile, "primary_departments": ["finance"], "min_seniority": "vp"}

    response = admin_client.post(
        reverse("admin:scoring_offer_change", args=[offer.pk]),
        change_data(offer, buyer_profile=profile),
    )

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.buyer_profile["primary_departments"] == ["finance"]
    assert offer.buyer_profile["min_seniority"] == "vp"
    assert offer.buyer_profile["source"] == SOURCE_EXPLICIT
    assert offer.name == HELPDESK["name"]


def test_offer_change_with_an_empty_profile_infers_it_again(admin_client, account):
    offer = offer_create(account=account, **HELPDESK, buyer_profile={"vertical": True})

    response = admin_client.post(
        reverse("admin:scoring_offer_change", args=[offer.pk]), change_data(offer, buyer_profile={})
    )

    assert response.status_code == 302
    offer.refresh_from_db()
    assert profile_core(offer.buyer_profile) == inferred(HELPDESK)


def test_offer_change_of_the_rule_set_only_keeps_the_inferred_profile(admin_client, account, offer):
    response = admin_client.post(
        reverse("admin:scoring_offer_change", args=[offer.pk]),
        change_data(offer, rule_set="seed"),
    )

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.rule_set == "seed"
    assert profile_core(offer.buyer_profile) == inferred(HELPDESK)


def test_offer_change_of_the_name_infers_an_inferred_profile_again(admin_client, offer):
    name = "Greenhouse Lesson Planner for Teachers, Classrooms and Students"

    response = admin_client.post(
        reverse("admin:scoring_offer_change", args=[offer.pk]), change_data(offer, name=name)
    )

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.name == name
    assert profile_core(offer.buyer_profile) == inferred({**HELPDESK, "name": name})
    assert offer.buyer_profile["source"] == SOURCE_INFERRED


def test_offer_change_of_the_name_keeps_an_explicit_profile(admin_client, account):
    offer = offer_create(account=account, **HELPDESK, buyer_profile={"primary_departments": ["hr"]})
    before = profile_core(offer.buyer_profile)

    response = admin_client.post(
        reverse("admin:scoring_offer_change", args=[offer.pk]),
        change_data(offer, name="Greenhouse Lesson Planner"),
    )

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.name == "Greenhouse Lesson Planner"
    assert profile_core(offer.buyer_profile) == before


def test_offer_change_with_an_unknown_department_shows_the_error_and_changes_nothing(
    admin_client, account, offer
):
    before = offer.buyer_profile

    response = admin_client.post(
        reverse("admin:scoring_offer_change", args=[offer.pk]),
        change_data(offer, buyer_profile={"primary_departments": ["alchemy"]}),
    )

    assert form_errors(response) == [
        INVALID_DEPARTMENT_ERROR.format(value="alchemy", choices=", ".join(DEPARTMENTS))
    ]
    offer.refresh_from_db()
    assert offer.buyer_profile == before


def test_offer_change_page_shows_the_stored_profile(admin_client, offer):
    response = admin_client.get(reverse("admin:scoring_offer_change", args=[offer.pk]))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["buyer_profile"] == offer.buyer_profile


# --- Changelists and the score's explanation --------------------------------------------------


def test_offer_changelist_shows_the_buyer_summary(admin_client, account, offer):
    offer_create(
        account=account,
        name="Greenhouse Lesson Planner",
        value_props=["Lesson plans"],
        ideal_use_cases=["Teachers"],
        buyer_profile={"primary_departments": ["education"], "target_industries": ["education"]},
    )

    response = admin_client.get(reverse("admin:scoring_offer_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "customer_success · any industry (inferred)" in content
    assert "education · education (explicit)" in content


def test_lead_changelist_shows_seniority_and_filters_by_it(admin_client):
    cfo = LeadFactory(name="Wren Abernethy", role="Chief Financial Officer")
    LeadFactory(name="Mirela Dobos", role="Marketing Intern")
    url = reverse("admin:scoring_lead_changelist")

    listed = admin_client.get(url)
    filtered = admin_client.get(url, {"seniority__exact": "c_level"})

    assert listed.status_code == 200
    content = listed.content.decode()
    assert "C-level" in content
    assert "Entry-level" in content
    assert [lead.pk for lead in filtered.context["cl"].result_list] == [cfo.pk]


def readonly_contents(response, name) -> str:
    """What the change page shows for the read-only field `name` (HTML)."""
    assert response.status_code == 200
    for fieldset in response.context["adminform"]:
        for line in fieldset:
            for field in line:
                if field.is_readonly and field.field["name"] == name:
                    return str(field.contents())
    raise AssertionError(f"{name} is not on the page")


def test_score_change_page_shows_the_explanation_lines(admin_client, account, offer):
    lead = LeadFactory(
        name="Tove Hallin", role="Head of Customer Support", industry="Software",
        linkedin_bio="Runs the support team and its help desk.",
    )  # fmt: skip
    score_offer(offer)
    score = lead.scores.get()
    parts = [factor["part"] for factor in score.factors]
    assert parts == ["role", "industry", "completeness", "ai"]

    response = admin_client.get(reverse("admin:scoring_score_change", args=[score.pk]))

    lines = readonly_contents(response, "explanation").split("<br>")
    assert lines[0] == "+20 Director in Customer success &amp; support, a buying department"
    assert lines[2] == "+10 complete: all five profile fields"
    assert len(lines) == len(score.factors)
    assert all(line.startswith(("+", "\u2212")) for line in lines)
    assert "Explanation (the points add up to the score)" in response.content.decode()


def test_score_change_page_explains_a_cap_with_its_negative_points(admin_client, offer):
    lead = LeadFactory(name="Mirela Dobos", role="Marketing Intern", industry="Software")
    score_offer(offer)
    score = lead.scores.get()
    cap = score.factors[-1]
    assert cap["part"] == "cap"

    response = admin_client.get(reverse("admin:scoring_score_change", args=[score.pk]))

    last = readonly_contents(response, "explanation").split("<br>")[-1]
    assert last.startswith(f"\u2212{-cap['points']} capped at 20")


def test_score_change_page_without_factors_shows_a_dash(admin_client, account):
    score = ScoreFactory(account=account, factors=[])

    response = admin_client.get(reverse("admin:scoring_score_change", args=[score.pk]))

    assert readonly_contents(response, "explanation") == "-"


def test_admin_offer_add_for_another_account_stores_it_there(admin_client):
    other = AccountFactory(name="Elsewhere Ltd")

    response = admin_client.post(
        reverse("admin:scoring_offer_add"), form_data(other, buyer_profile={})
    )

    assert response.status_code == 302
    assert Offer.objects.get().account == other


def test_a_lead_whose_role_changes_in_the_admin_is_normalised_again(admin_client):
    lead = LeadFactory(name="Tamsin Ferreira", role="Marketing Intern")
    url = reverse("admin:scoring_lead_change", args=[lead.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(role="Chief Financial Officer", upload=lead.upload_id, account=lead.account_id)
    for formset in page.context["inline_admin_formsets"]:  # the scores inline, empty
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.role, lead.seniority, lead.departments) == (
        "Chief Financial Officer", "c_level", ["finance", "executive"],
    )  # fmt: skip
