"""Remote providers read an offer's buyer profile (one structured-output call per offer) and
see it when they judge a lead: each through its real SDK against the stub LLM server."""

import pytest
from django.urls import reverse

from scoring.leads.assessment import (
    LeadProfile,
    OfferProfile,
    build_buyer_profile_prompt,
    prompt_version,
)
from scoring.leads.buyer_profile import LOCAL_INFERENCE, SOURCE_INFERRED, BuyerProfile
from scoring.leads.models import Offer
from scoring.leads.services.offers import offer_create, offer_update
from scoring.llm.base import ProviderError
from scoring.llm.remote import MALFORMED_ANSWER_ERROR
from tests.factories import SEED_OFFER
from tests.leads.test_admin_buyer_profiles import form_data
from tests.llm_stub import OFF_SCHEMA, PROTOCOLS, buyer_profile_answer_for

pytestmark = pytest.mark.django_db

KITCHEN_OFFER = dict(
    name="Pass Display",
    value_props=["Kitchen screens that replace paper tickets"],
    ideal_use_cases=["Restaurants serving 300 covers a night"],
)


@pytest.fixture(params=PROTOCOLS)
def name(request):
    return request.param


def test_the_provider_reads_the_profile_the_stub_gives(configure, llm_stub, name):
    provider = configure(name)
    offer = OfferProfile(name=SEED_OFFER["name"], value_props=tuple(SEED_OFFER["value_props"]))

    profile = provider.infer_buyer_profile(offer=offer)

    expected = buyer_profile_answer_for({})
    assert profile.primary_departments == ("data",)  # the seed's offer is about analytics
    assert profile.secondary_departments == tuple(expected["secondary_departments"])
    assert (profile.min_seniority, profile.target_industries, profile.vertical) == (
        "director", (), False,
    )  # fmt: skip
    assert profile.source == SOURCE_INFERRED
    assert profile.inferred_by == f"{provider.name}/{provider.model}/buyer-profile-v1"
    [request] = llm_stub.requests
    assert request.offer == {
        "name": SEED_OFFER["name"],
        "value_props": list(SEED_OFFER["value_props"]),
        "ideal_use_cases": [],
    }


def test_an_answer_off_the_schema_is_an_error(configure, llm_stub, name):
    provider = configure(name)
    llm_stub.fail_next([OFF_SCHEMA])

    with pytest.raises(ProviderError) as raised:
        provider.infer_buyer_profile(offer=OfferProfile(name="X"))

    assert raised.value.message.startswith(
        MALFORMED_ANSWER_ERROR.split("{detail}")[0].format(provider=provider.name)
    )


def test_an_offer_created_with_a_remote_provider_stores_its_profile(configure, account, name):
    provider = configure(name, LLM_PROVIDER=name)

    offer = offer_create(account=account, **KITCHEN_OFFER)

    assert offer.buyer_profile["primary_departments"] == ["operations"]
    inferred_by = offer.buyer_profile["inferred_by"]
    assert inferred_by == f"{provider.name}/{provider.model}/buyer-profile-v1"
    assert offer.buyer_profile["source"] == SOURCE_INFERRED


def test_a_failed_inference_falls_back_to_the_local_vocabulary(configure, llm_stub, account):
    configure("openai", LLM_PROVIDER="openai")
    llm_stub.http_error(503)

    offer = offer_create(account=account, **KITCHEN_OFFER)

    profile = BuyerProfile.from_dict(offer.buyer_profile)
    assert "food_beverage" in profile.primary_departments
    assert profile.inferred_by == f"{LOCAL_INFERENCE} (fallback: openai failed)"


def test_an_explicit_profile_is_kept_without_a_call_changing_it(configure, llm_stub, account):
    configure("openai", LLM_PROVIDER="openai")
    offer = offer_create(
        account=account, **KITCHEN_OFFER, buyer_profile={"primary_departments": ["finance"]}
    )
    calls = llm_stub.calls

    offer_update(offer=offer, rule_set="seed")

    assert offer.buyer_profile["primary_departments"] == ["finance"]
    assert llm_stub.calls == calls  # nothing to infer again


def test_the_lead_prompt_carries_the_buyer_profile(configure, llm_stub, name):
    provider = configure(name)
    profile = BuyerProfile(primary_departments=("finance",), target_industries=("retail",))
    offer = OfferProfile(name="Payables", buyer_profile=profile)

    provider.assess(lead=LeadProfile(role="CFO"), offer=offer)

    [request] = llm_stub.requests
    sent = request.offer["buyer_profile"]
    assert sent["primary_departments"] == ["finance"]
    assert sent["target_industries"] == ["retail"]
    assert "source" not in sent  # how it was made is not the model's business


def test_the_prompts_have_their_own_versions():
    assert prompt_version() == "lead-intent-v2"
    prompt = build_buyer_profile_prompt(offer=OfferProfile(name="<script>"))
    assert prompt.version == "buyer-profile-v1"
    assert prompt.schema_name == "buyer_profile"
    assert "<script>" not in prompt.user  # data cannot close its tag
    assert set(prompt.schema["required"]) == {
        "primary_departments", "secondary_departments", "min_seniority",
        "target_industries", "vertical", "competitors",
    }  # fmt: skip


def test_the_admin_reads_a_profile_locally_without_calling_the_provider(
    configure, llm_stub, account, admin_client
):
    configure("openai", LLM_PROVIDER="openai")

    response = admin_client.post(
        reverse("admin:scoring_offer_add"),
        form_data(account, buyer_profile={}, texts=KITCHEN_OFFER),
    )

    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.buyer_profile["inferred_by"] == LOCAL_INFERENCE
    assert llm_stub.calls == 0  # the admin saves in a transaction: no remote call inside it


def test_a_profile_given_whole_is_not_inferred(configure, llm_stub, account):
    configure("openai", LLM_PROVIDER="openai")
    whole = {
        "primary_departments": ["food_beverage"], "secondary_departments": [],
        "min_seniority": "manager", "target_industries": ["food_hospitality"],
        "vertical": True, "competitors": [],
    }  # fmt: skip

    offer = offer_create(account=account, **KITCHEN_OFFER, buyer_profile=whole)

    assert llm_stub.calls == 0
    assert offer.buyer_profile == {**whole, "source": "explicit", "inferred_by": ""}
