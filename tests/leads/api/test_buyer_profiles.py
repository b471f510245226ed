"""Buyer profiles and rule sets through the API: /api/offers/ shows and takes them, POST
/product/offer/ takes them but answers the seed's five fields, a changed profile or rule set
re-scores an offer's leads, and every score explains itself factor by factor."""

import pytest

from scoring.leads.buyer_profile import (
    BOTH_PRIMARY_AND_SECONDARY_ERROR,
    DEPARTMENT_KEYS,
    PROFILE_FIELDS,
    SOURCE_EXPLICIT,
    SOURCE_INFERRED,
    UNKNOWN_PROFILE_FIELD_ERROR,
    buyer_profile_infer,
)
from scoring.leads.models import Offer, Score, ScoringRun
from tests.factories import (
    HELPDESK,
    LESSONS,
    PROFILE_KEYS,
    SEED_OFFER,
    AccountFactory,
    LeadFactory,
    OfferFactory,
    profile_core,
)
from tests.leads.api.test_compat_endpoints import OFFER_KEYS as SEED_OFFER_KEYS
from tests.leads.api.test_compat_endpoints import RESULT_KEYS, SCORED_LEAD_KEYS

pytestmark = pytest.mark.django_db

OFFERS_URL = "/api/offers/"
SCORES_URL = "/api/scores/"
RUNS_URL = "/api/runs/"
SEED_OFFER_URL = "/product/offer/"
SEED_SCORE_URL = "/score/"
SEED_RESULTS_URL = "/results/"

FACTOR_KEYS = {"part", "points", "reason"}


def inferred(texts) -> dict:
    return profile_core(buyer_profile_infer(**texts).as_dict())


def offer_url(offer_id, suffix=""):
    return f"{OFFERS_URL}{offer_id}/{suffix}"


def create_offer(api_client, **extra) -> dict:
    response = api_client.post(OFFERS_URL, {**HELPDESK, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# --- /api/offers/ ------------------------------------------------------------------------------


def test_offer_create_with_the_text_only_infers_its_buyer_profile(api_client):
    body = create_offer(api_client)

    profile = body["buyer_profile"]
    assert set(profile) >= PROFILE_KEYS
    assert profile["source"] == SOURCE_INFERRED
    assert profile["primary_departments"] == ["customer_success"]
    assert profile_core(profile) == inferred(HELPDESK)
    assert body["rule_set"] == ""
    offer = Offer.objects.get(pk=body["id"])
    assert profile_core(offer.buyer_profile) == profile_core(profile)
    assert offer.rule_set == ""


def test_offer_create_with_an_empty_profile_infers_it(api_client):
    body = create_offer(api_client, buyer_profile={})

    assert profile_core(body["buyer_profile"]) == inferred(HELPDESK)


def test_offer_create_with_a_partial_profile_keeps_it_and_infers_the_rest(api_client):
    body = create_offer(api_client, buyer_profile={"primary_departments": ["finance", "hr"]})

    profile, guess = body["buyer_profile"], inferred(HELPDESK)
    assert profile["primary_departments"] == ["finance", "hr"]
    assert profile["source"] == SOURCE_EXPLICIT
    for key in PROFILE_KEYS - {"primary_departments", "source"}:
        assert profile[key] == guess[key], key
    assert profile_core(Offer.objects.get(pk=body["id"]).buyer_profile) == profile_core(profile)


def test_offer_create_with_a_whole_profile_and_rule_set_stores_them(api_client):
    given = {
        "primary_departments": ["education"],
        "secondary_departments": ["administration"],
        "min_seniority": "director",
        "target_industries": ["education"],
        "vertical": True,
        "competitors": ["Chalkline Learning"],
    }

    response = api_client.post(
        OFFERS_URL, {**LESSONS, "buyer_profile": given, "rule_set": "seed"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert profile_core(body["buyer_profile"]) == {**given, "source": SOURCE_EXPLICIT}
    assert body["rule_set"] == "seed"
    offer = Offer.objects.get(pk=body["id"])
    assert (profile_core(offer.buyer_profile), offer.rule_set) == (
        profile_core(body["buyer_profile"]),
        "seed",
    )


def test_offer_create_ignores_a_given_source(api_client):
    body = create_offer(api_client, buyer_profile={"source": SOURCE_EXPLICIT})

    assert profile_core(body["buyer_profile"]) == inferred(HELPDESK)


@pytest.mark.parametrize(
    ("profile", "field", "value"),
    [
        (
            {"primary_departments": ["astrology"]},
            "buyer_profile.primary_departments.0",
            "astrology",
        ),
        (
            {"secondary_departments": ["sales", "wizardry"]},
            "buyer_profile.secondary_departments.1",
            "wizardry",
        ),
        (
            {"target_industries": ["moon mining"]},
            "buyer_profile.target_industries.0",
            "moon mining",
        ),
        ({"min_seniority": "overlord"}, "buyer_profile.min_seniority", "overlord"),
    ],
    ids=["primary-department", "secondary-department", "industry", "seniority"],
)
def test_offer_create_with_an_unknown_profile_value_gives_400_naming_it(
    api_client, profile, field, value
):
    response = api_client.post(OFFERS_URL, {**HELPDESK, "buyer_profile": profile}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith(f"{field}:")
    assert value in error
    assert Offer.objects.count() == 0


def test_offer_create_with_an_unknown_rule_set_gives_400_naming_it(api_client):
    response = api_client.post(OFFERS_URL, {**HELPDESK, "rule_set": "magic"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("rule_set:")
    assert Offer.objects.count() == 0


def test_offer_create_with_a_profile_that_is_not_an_object_gives_400(api_client):
    response = api_client.post(
        OFFERS_URL, {**HELPDESK, "buyer_profile": ["finance"]}, format="json"
    )

    assert response.status_code == 400
    assert "buyer_profile" in response.json()["fields"]
    assert Offer.objects.count() == 0


def test_offer_create_with_a_profile_that_is_not_an_object_names_the_field(api_client):
    response = api_client.post(
        OFFERS_URL, {**HELPDESK, "buyer_profile": ["finance"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("buyer_profile: ")


def test_offer_retrieve_and_list_show_the_profile(api_client):
    body = create_offer(api_client, buyer_profile={"min_seniority": "vp"})

    retrieved = api_client.get(offer_url(body["id"]))
    listed = api_client.get(OFFERS_URL)

    assert retrieved.status_code == listed.status_code == 200
    assert retrieved.json()["buyer_profile"] == body["buyer_profile"]
    assert retrieved.json()["buyer_profile"]["min_seniority"] == "vp"
    assert retrieved.json()["rule_set"] == ""
    assert listed.json()["results"][0]["buyer_profile"] == body["buyer_profile"]


def test_offer_patch_buyer_profile_stores_it_as_explicit(api_client):
    offer_id = create_offer(api_client)["id"]

    response = api_client.patch(
        offer_url(offer_id),
        {"buyer_profile": {"primary_departments": ["sales"], "competitors": ["Tellwell"]}},
        format="json",
    )

    assert response.status_code == 200
    profile = response.json()["buyer_profile"]
    assert profile["primary_departments"] == ["sales"]
    assert profile["competitors"] == ["Tellwell"]
    assert profile["source"] == SOURCE_EXPLICIT
    assert profile["secondary_departments"] == inferred(HELPDESK)["secondary_departments"]
    stored = Offer.objects.get(pk=offer_id)
    assert profile_core(stored.buyer_profile) == profile_core(profile)
    assert stored.name == HELPDESK["name"]


def test_offer_patch_empty_buyer_profile_infers_it_again(api_client):
    offer_id = create_offer(api_client, buyer_profile={"primary_departments": ["sales"]})["id"]

    response = api_client.patch(offer_url(offer_id), {"buyer_profile": {}}, format="json")

    assert response.status_code == 200
    assert profile_core(response.json()["buyer_profile"]) == inferred(HELPDESK)
    assert response.json()["buyer_profile"]["source"] == SOURCE_INFERRED
    assert profile_core(Offer.objects.get(pk=offer_id).buyer_profile) == inferred(HELPDESK)


def test_offer_patch_rule_set_seed_stores_it_and_keeps_the_profile(api_client):
    body = create_offer(api_client)

    response = api_client.patch(offer_url(body["id"]), {"rule_set": "seed"}, format="json")

    assert response.status_code == 200
    assert response.json()["rule_set"] == "seed"
    assert response.json()["buyer_profile"] == body["buyer_profile"]
    assert Offer.objects.get(pk=body["id"]).rule_set == "seed"


def test_offer_patch_rule_set_back_to_empty_uses_the_default(api_client):
    offer_id = create_offer(api_client, rule_set="seed")["id"]

    response = api_client.patch(offer_url(offer_id), {"rule_set": ""}, format="json")

    assert response.status_code == 200
    assert Offer.objects.get(pk=offer_id).rule_set == ""


def test_offer_patch_name_of_an_inferred_profile_infers_it_again(api_client):
    offer_id = create_offer(api_client)["id"]

    response = api_client.patch(offer_url(offer_id), LESSONS, format="json")

    assert response.status_code == 200
    profile = response.json()["buyer_profile"]
    assert profile_core(profile) == inferred(LESSONS)
    assert profile["primary_departments"] == ["education"]
    assert profile_core(Offer.objects.get(pk=offer_id).buyer_profile) == inferred(LESSONS)


def test_offer_patch_name_only_of_an_inferred_profile_infers_it_from_the_new_name(api_client):
    offer_id = create_offer(api_client)["id"]
    name = "Beacon Helpdesk for Lesson Plans, Classroom Quizzes and Teachers"

    response = api_client.patch(offer_url(offer_id), {"name": name}, format="json")

    assert response.status_code == 200
    assert profile_core(response.json()["buyer_profile"]) == inferred({**HELPDESK, "name": name})
    assert profile_core(response.json()["buyer_profile"]) != inferred(HELPDESK)


def test_offer_patch_name_of_an_explicit_profile_keeps_it(api_client):
    body = create_offer(api_client, buyer_profile={"primary_departments": ["finance"]})

    response = api_client.patch(offer_url(body["id"]), LESSONS, format="json")

    assert response.status_code == 200
    assert profile_core(response.json()["buyer_profile"]) == profile_core(body["buyer_profile"])


def test_offer_patch_unknown_department_gives_400_and_changes_nothing(api_client):
    body = create_offer(api_client)

    response = api_client.patch(
        offer_url(body["id"]),
        {"buyer_profile": {"primary_departments": ["alchemy"]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("buyer_profile.primary_departments.0:")
    assert profile_core(Offer.objects.get(pk=body["id"]).buyer_profile) == profile_core(
        body["buyer_profile"]
    )


@pytest.mark.parametrize(
    ("profile", "error"),
    [
        (
            {"primary_department": ["sales"]},  # misspelt: must not reset the profile
            "buyer_profile.primary_department: "
            + UNKNOWN_PROFILE_FIELD_ERROR.format(
                key="primary_department", choices=", ".join(PROFILE_FIELDS)
            ),
        ),
        (
            {"primary_departments": []},
            "buyer_profile.primary_departments: This list may not be empty.",
        ),
        (
            {"primary_departments": ["sales"], "secondary_departments": ["sales", "hr"]},
            "buyer_profile.secondary_departments: "
            + BOTH_PRIMARY_AND_SECONDARY_ERROR.format(departments="sales"),
        ),
        (
            {"secondary_departments": ["Customer Success"]},
            'buyer_profile.secondary_departments.0: "Customer Success" is not a valid choice; '
            "expected one of: " + ", ".join(DEPARTMENT_KEYS) + ".",
        ),
    ],
)
def test_offer_patch_with_a_profile_it_cannot_take_gives_400_and_keeps_the_profile(
    api_client, profile, error
):
    body = create_offer(api_client, buyer_profile={"competitors": ["Rival Desk"]})

    response = api_client.patch(offer_url(body["id"]), {"buyer_profile": profile}, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == error
    stored = Offer.objects.get(pk=body["id"]).buyer_profile
    assert profile_core(stored) == profile_core(body["buyer_profile"])
    assert stored["competitors"] == ["Rival Desk"]


@pytest.mark.parametrize(
    ("method", "payload"),
    [
        ("get", None),
        ("patch", {"buyer_profile": {"primary_departments": ["sales"]}}),
        ("patch", {"rule_set": "seed"}),
    ],
    ids=["get", "patch-profile", "patch-rule-set"],
)
def test_another_accounts_offer_is_a_404_and_unchanged(api_client, method, payload):
    theirs = OfferFactory(account=AccountFactory(name="Elsewhere Ltd"), **HELPDESK)

    response = getattr(api_client, method)(offer_url(theirs.id), payload, format="json")

    assert response.status_code == 404
    assert set(response.json()) == {"error"}
    theirs.refresh_from_db()
    assert (theirs.buyer_profile, theirs.rule_set) == ({}, "")


# --- POST /product/offer/ ----------------------------------------------------------------------


def test_seed_offer_create_answers_the_seeds_five_keys(api_client):
    response = api_client.post(SEED_OFFER_URL, SEED_OFFER, format="json")

    assert response.status_code == 201
    assert set(response.json()) == SEED_OFFER_KEYS
    offer = Offer.objects.get()
    assert profile_core(offer.buyer_profile) == inferred(SEED_OFFER)
    assert offer.rule_set == ""


def test_seed_offer_create_takes_a_profile_and_rule_set_but_answers_five_keys(api_client):
    payload = {
        **HELPDESK,
        "buyer_profile": {"primary_departments": ["customer_success"], "min_seniority": "vp"},
        "rule_set": "seed",
    }

    response = api_client.post(SEED_OFFER_URL, payload, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == SEED_OFFER_KEYS
    assert (body["name"], body["value_props"]) == (HELPDESK["name"], HELPDESK["value_props"])
    offer = Offer.objects.get(pk=body["id"])
    assert offer.rule_set == "seed"
    assert offer.buyer_profile["primary_departments"] == ["customer_success"]
    assert offer.buyer_profile["min_seniority"] == "vp"
    assert offer.buyer_profile["source"] == SOURCE_EXPLICIT


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"buyer_profile": {"primary_departments": ["astrology"]}}, "buyer_profile"),
        ({"buyer_profile": {"min_seniority": "overlord"}}, "buyer_profile.min_seniority"),
        ({"rule_set": "magic"}, "rule_set"),
    ],
    ids=["department", "seniority", "rule-set"],
)
def test_seed_offer_create_with_a_bad_profile_gives_the_seeds_400(api_client, extra, field):
    response = api_client.post(SEED_OFFER_URL, {**SEED_OFFER, **extra}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert isinstance(error, str)
    assert error.startswith(field)
    assert Offer.objects.count() == 0


# --- Re-scoring when the profile or rule set changes -----------------------------------------


@pytest.fixture
def leads():
    """A finance director (no buyer of a help desk) and a head of support (its buyer)."""
    return {
        "finance": LeadFactory(
            name="Tamsin Ravensworth", role="Director of Finance", company="Larkspur Outfitters",
            industry="Retail", linkedin_bio="Runs budgeting and the month-end close.",
        ),
        "support": LeadFactory(
            name="Orla Pemberton", role="Head of Customer Support", company="Quarry Games",
            industry="Gaming", linkedin_bio="Leads the support team answering player tickets.",
        ),
    }  # fmt: skip


def score_offer(api_client, offer_id, **body) -> dict:
    response = api_client.post(offer_url(offer_id, "score/"), body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def role_factor(lead, offer_id) -> dict:
    score = Score.objects.get(lead=lead, offer_id=offer_id)
    (factor,) = [factor for factor in score.factors if factor["part"] == "role"]
    return factor


def test_scoring_again_without_a_change_skips_every_lead(api_client, leads):
    offer_id = create_offer(api_client)["id"]

    first = score_offer(api_client, offer_id)
    second = score_offer(api_client, offer_id)

    assert (first["scored"], first["skipped"]) == (2, 0)
    assert (second["scored"], second["skipped"]) == (0, 2)


def test_patching_the_profile_rescores_with_the_new_profile(api_client, leads):
    offer_id = create_offer(api_client)["id"]
    score_offer(api_client, offer_id)
    assert role_factor(leads["finance"], offer_id)["points"] == 0
    assert role_factor(leads["support"], offer_id)["points"] == 20

    patched = api_client.patch(
        offer_url(offer_id), {"buyer_profile": {"primary_departments": ["finance"]}}, format="json"
    )
    summary = score_offer(api_client, offer_id)

    assert patched.status_code == 200
    assert (summary["scored"], summary["skipped"], summary["failed"]) == (2, 0, 0)
    finance = role_factor(leads["finance"], offer_id)
    assert finance["points"] == 20
    assert "Finance" in finance["reason"]
    assert role_factor(leads["support"], offer_id)["points"] < 20
    assert Score.objects.count() == 2
    assert score_offer(api_client, offer_id)["skipped"] == 2


def test_resetting_the_profile_rescores_with_the_inferred_one(api_client, leads):
    offer_id = create_offer(api_client, buyer_profile={"primary_departments": ["finance"]})["id"]
    score_offer(api_client, offer_id)
    assert role_factor(leads["finance"], offer_id)["points"] == 20

    api_client.patch(offer_url(offer_id), {"buyer_profile": {}}, format="json")
    summary = score_offer(api_client, offer_id)

    assert (summary["scored"], summary["skipped"]) == (2, 0)
    assert role_factor(leads["finance"], offer_id)["points"] == 0
    assert role_factor(leads["support"], offer_id)["points"] == 20


def test_patching_the_rule_set_to_seed_rescores_with_the_seed_rules(api_client, leads):
    offer_id = create_offer(api_client)["id"]
    score_offer(api_client, offer_id)
    assert set(Score.objects.values_list("rule_set", flat=True)) == {"fit"}

    api_client.patch(offer_url(offer_id), {"rule_set": "seed"}, format="json")
    summary = score_offer(api_client, offer_id)

    assert (summary["scored"], summary["skipped"]) == (2, 0)
    assert set(Score.objects.values_list("rule_set", flat=True)) == {"seed"}
    # The seed's table: "Director" is a decision-maker keyword whatever the offer.
    assert role_factor(leads["finance"], offer_id)["points"] == 20
    assert score_offer(api_client, offer_id)["skipped"] == 2


def test_patching_the_rule_set_to_its_default_explicitly_rescores_nothing(api_client, leads):
    offer_id = create_offer(api_client)["id"]  # rule_set "": the default, fit
    score_offer(api_client, offer_id)

    api_client.patch(offer_url(offer_id), {"rule_set": "fit"}, format="json")
    summary = score_offer(api_client, offer_id)

    assert (summary["scored"], summary["skipped"]) == (0, 2)


def test_the_default_rule_set_follows_the_setting(api_client, leads, settings):
    offer_id = create_offer(api_client)["id"]
    score_offer(api_client, offer_id)

    settings.SCORING_RULE_SET = "seed"
    summary = score_offer(api_client, offer_id)

    assert (summary["scored"], summary["skipped"]) == (2, 0)
    assert set(Score.objects.values_list("rule_set", flat=True)) == {"seed"}


def test_a_scoring_run_after_a_profile_change_rescores_instead_of_reusing(api_client, leads):
    offer_id = create_offer(api_client)["id"]
    first = api_client.post(RUNS_URL, {"offer": offer_id}, format="json")
    unchanged = api_client.post(RUNS_URL, {"offer": offer_id}, format="json")

    api_client.patch(
        offer_url(offer_id), {"buyer_profile": {"primary_departments": ["finance"]}}, format="json"
    )
    changed = api_client.post(RUNS_URL, {"offer": offer_id}, format="json")

    assert first.status_code == unchanged.status_code == changed.status_code == 202
    counts = [
        ScoringRun.objects.values_list("scored", "cached").get(pk=response.json()["id"])
        for response in (first, unchanged, changed)
    ]
    assert counts == [(2, 0), (0, 2), (2, 0)]
    assert role_factor(leads["finance"], offer_id)["points"] == 20


def test_rescore_true_scores_again_even_when_nothing_changed(api_client, leads):
    offer_id = create_offer(api_client)["id"]
    score_offer(api_client, offer_id)

    summary = score_offer(api_client, offer_id, rescore=True)

    assert (summary["scored"], summary["skipped"]) == (2, 0)


# --- /api/scores/ and the seed's shapes ----------------------------------------------------------


def test_every_score_has_factors_that_add_up_to_it_and_its_rule_set(api_client, leads):
    LeadFactory(name="Juniper Halloway", role="Marketing Intern", industry="Software")
    offer_id = create_offer(api_client)["id"]
    score_offer(api_client, offer_id)

    response = api_client.get(SCORES_URL)

    assert response.status_code == 200
    items = response.json()["results"]
    assert len(items) == 3
    for item in items:
        assert item["rule_set"] == "fit"
        assert item["factors"]
        assert all(set(factor) == FACTOR_KEYS for factor in item["factors"])
        assert sum(factor["points"] for factor in item["factors"]) == item["score"]
        parts = [factor["part"] for factor in item["factors"]]
        assert parts[:3] == ["role", "industry", "completeness"]
        assert "ai" in parts
        assert {"seniority", "departments"} <= set(item["lead"])
    intern = next(item for item in items if item["lead"]["name"] == "Juniper Halloway")
    assert intern["lead"]["seniority"] == "entry"
    assert intern["factors"][-1]["part"] == "cap"  # an intern is no buyer: capped at 20
    assert intern["factors"][-1]["points"] < 0
    assert intern["score"] == 20


def test_a_score_retrieved_has_the_same_factors_as_stored(api_client, leads):
    offer_id = create_offer(api_client, rule_set="seed")["id"]
    score_offer(api_client, offer_id)
    score = Score.objects.get(lead=leads["support"])

    response = api_client.get(f"{SCORES_URL}{score.id}/")

    assert response.status_code == 200
    assert response.json()["factors"] == score.factors
    assert response.json()["rule_set"] == "seed"
    assert sum(factor["points"] for factor in score.factors) == score.score


def test_the_seeds_score_and_results_shapes_are_unchanged(api_client, leads):
    create_offer(api_client, buyer_profile={"primary_departments": ["finance"]})

    scored = api_client.post(SEED_SCORE_URL, format="json")
    results = api_client.get(SEED_RESULTS_URL)

    assert scored.status_code == results.status_code == 200
    assert len(scored.json()) == len(results.json()) == 2
    assert all(set(item) == SCORED_LEAD_KEYS for item in scored.json())
    assert all(set(item) == RESULT_KEYS for item in results.json())
    by_name = {item["name"]: item for item in results.json()}
    assert by_name["Tamsin Ravensworth"]["score"] == Score.objects.get(lead=leads["finance"]).score
