import pytest

from scoring.leads.models import Offer, Score
from scoring.leads.services.offers import offer_create, offer_delete, offer_update
from tests.factories import SEED_OFFER, OfferFactory, ScoreFactory

pytestmark = pytest.mark.django_db


def test_offer_create_stores_the_lists(account):
    offer = offer_create(account=account, **SEED_OFFER)
    offer.refresh_from_db()
    assert (offer.account, offer.name, offer.value_props, offer.ideal_use_cases) == (
        account,
        SEED_OFFER["name"], SEED_OFFER["value_props"], SEED_OFFER["ideal_use_cases"],
    )  # fmt: skip


def test_offer_update_changes_only_the_given_fields():
    offer = OfferFactory()
    offer_update(offer=offer, name="Renamed")
    offer.refresh_from_db()
    assert (offer.name, offer.value_props) == ("Renamed", SEED_OFFER["value_props"])


def test_offer_delete_removes_its_scores():
    score = ScoreFactory()
    offer_delete(offer=score.offer)
    assert not Offer.objects.exists()
    assert not Score.objects.exists()
