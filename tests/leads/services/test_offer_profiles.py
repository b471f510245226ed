"""offer_create / offer_update and the offer's buyer profile: fields given are kept and make
it explicit, the rest are inferred from the offer's text; `{}` infers it afresh; an inferred
profile follows the text it came from, an explicit one does not."""

import pytest

from scoring.leads.buyer_profile import (
    DEFAULT_MIN_SENIORITY,
    SOURCE_EXPLICIT,
    SOURCE_INFERRED,
    buyer_profile_infer,
)
from scoring.leads.models import Offer
from scoring.leads.services.offers import offer_create, offer_update
from tests.factories import HELPDESK, LESSONS, PROFILE_KEYS, OfferFactory, profile_core

pytestmark = pytest.mark.django_db


def inferred(texts) -> dict:
    return profile_core(buyer_profile_infer(**texts).as_dict())


def stored(offer) -> dict:
    return profile_core(Offer.objects.get(pk=offer.pk).buyer_profile)


def create(account, texts=HELPDESK, **kwargs) -> Offer:
    return offer_create(account=account, **texts, **kwargs)


# --- offer_create ------------------------------------------------------------------------------


def test_offer_create_without_a_profile_infers_it_from_the_text(account):
    offer = create(account)

    assert set(Offer.objects.get(pk=offer.pk).buyer_profile) >= PROFILE_KEYS
    profile = stored(offer)
    assert profile == inferred(HELPDESK)
    assert profile["source"] == SOURCE_INFERRED
    assert profile["primary_departments"] == ["customer_success"]
    assert profile["min_seniority"] == DEFAULT_MIN_SENIORITY
    assert Offer.objects.get(pk=offer.pk).rule_set == ""


@pytest.mark.parametrize("given", [None, {}], ids=["none", "empty"])
def test_offer_create_with_no_profile_fields_is_inferred(account, given):
    offer = create(account, buyer_profile=given)

    assert stored(offer) == inferred(HELPDESK)


def test_offer_create_keeps_the_given_fields_and_infers_the_rest(account):
    offer = create(account, buyer_profile={"primary_departments": ["finance"]})

    profile, guess = stored(offer), inferred(HELPDESK)
    assert profile["primary_departments"] == ["finance"]
    assert profile["source"] == SOURCE_EXPLICIT
    for key in PROFILE_KEYS - {"primary_departments", "source"}:
        assert profile[key] == guess[key], key


def test_offer_create_keeps_every_given_field(account):
    given = {
        "primary_departments": ["education"],
        "secondary_departments": ["hr"],
        "min_seniority": "director",
        "target_industries": ["education"],
        "vertical": True,
        "competitors": ["Chalkline Learning"],
    }

    offer = create(account, LESSONS, buyer_profile=given)

    assert stored(offer) == {**given, "source": SOURCE_EXPLICIT}


def test_offer_create_ignores_a_given_source(account):
    offer = create(account, buyer_profile={"min_seniority": "vp", "source": SOURCE_INFERRED})

    profile = stored(offer)
    assert (profile["min_seniority"], profile["source"]) == ("vp", SOURCE_EXPLICIT)


@pytest.mark.parametrize("rule_set", ["", "fit", "seed"])
def test_offer_create_stores_the_rule_set(account, rule_set):
    offer = create(account, rule_set=rule_set)

    assert Offer.objects.get(pk=offer.pk).rule_set == rule_set


# --- offer_update ------------------------------------------------------------------------------


def test_offer_update_given_fields_replace_the_inferred_ones_and_make_it_explicit(account):
    offer = create(account)

    offer_update(offer=offer, buyer_profile={"min_seniority": "director"})

    profile = stored(offer)
    assert profile == {
        **inferred(HELPDESK), "min_seniority": "director", "source": SOURCE_EXPLICIT,
    }  # fmt: skip


def test_offer_update_of_an_explicit_profile_keeps_the_fields_given_before(account):
    offer = create(account, buyer_profile={"primary_departments": ["sales"]})

    offer_update(offer=offer, buyer_profile={"target_industries": ["retail"]})

    profile = stored(offer)
    assert profile["primary_departments"] == ["sales"]
    assert profile["target_industries"] == ["retail"]
    assert profile["source"] == SOURCE_EXPLICIT


def test_offer_update_with_an_empty_profile_infers_it_again(account):
    offer = create(account, buyer_profile={"primary_departments": ["sales"], "vertical": True})

    offer_update(offer=offer, buyer_profile={})

    assert stored(offer) == inferred(HELPDESK)
    assert stored(offer)["source"] == SOURCE_INFERRED


def test_offer_update_with_an_empty_profile_and_new_text_infers_from_the_new_text(account):
    offer = create(account, buyer_profile={"primary_departments": ["sales"]})

    offer_update(offer=offer, buyer_profile={}, **LESSONS)

    assert stored(offer) == inferred(LESSONS)


def test_offer_update_of_the_text_infers_an_inferred_profile_again(account):
    offer = create(account)
    assert stored(offer)["primary_departments"] == ["customer_success"]

    offer_update(offer=offer, **LESSONS)

    offer.refresh_from_db()
    assert (offer.name, offer.value_props, offer.ideal_use_cases) == (
        LESSONS["name"], LESSONS["value_props"], LESSONS["ideal_use_cases"],
    )  # fmt: skip
    assert profile_core(offer.buyer_profile) == inferred(LESSONS)
    assert offer.buyer_profile["primary_departments"] == ["education"]


@pytest.mark.parametrize("field", ["name", "value_props", "ideal_use_cases"])
def test_offer_update_of_any_text_field_infers_again_from_all_of_them(account, field):
    offer = create(account)

    offer_update(offer=offer, **{field: LESSONS[field]})

    assert stored(offer) == inferred({**HELPDESK, field: LESSONS[field]})


def test_offer_update_of_the_text_leaves_an_explicit_profile_alone(account):
    offer = create(account, buyer_profile={"primary_departments": ["finance"]})
    before = stored(offer)

    offer_update(offer=offer, **LESSONS)

    assert Offer.objects.get(pk=offer.pk).name == LESSONS["name"]
    assert stored(offer) == before


def test_offer_update_of_the_text_and_profile_infers_from_the_new_text_under_the_given(account):
    offer = create(account)

    offer_update(offer=offer, buyer_profile={"min_seniority": "vp"}, **LESSONS)

    assert stored(offer) == {**inferred(LESSONS), "min_seniority": "vp", "source": SOURCE_EXPLICIT}


def test_offer_update_of_the_rule_set_leaves_the_profile_alone(account):
    offer = create(account)

    offer_update(offer=offer, rule_set="seed")

    reloaded = Offer.objects.get(pk=offer.pk)
    assert reloaded.rule_set == "seed"
    assert profile_core(reloaded.buyer_profile) == inferred(HELPDESK)


def test_offer_update_of_an_offer_without_a_profile_infers_one_when_its_text_changes():
    offer = OfferFactory()  # straight through the ORM: no profile stored
    assert offer.buyer_profile == {}

    offer_update(offer=offer, **LESSONS)

    assert stored(offer) == inferred(LESSONS)


def test_offer_update_returns_the_offer_as_stored(account):
    offer = create(account)

    returned = offer_update(offer=offer, buyer_profile={"competitors": ["Tellwell Support"]})

    assert returned.pk == offer.pk
    assert profile_core(returned.buyer_profile) == stored(offer)
    assert returned.buyer_profile["competitors"] == ["Tellwell Support"]
