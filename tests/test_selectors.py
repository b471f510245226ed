from datetime import timedelta

import pytest
from django.utils import timezone

from scoring.exceptions import NotFound
from scoring.selectors import (
    NO_OFFER_ERROR,
    OFFER_NOT_FOUND_ERROR,
    leads_with_latest_score,
    offer_for_scoring,
    scores_for_offer,
)
from tests.factories import AccountFactory, LeadFactory, OfferFactory, ScoreFactory

pytestmark = pytest.mark.django_db


def test_offer_for_scoring_defaults_to_the_accounts_latest_offer(account):
    OfferFactory(name="Old")
    latest = OfferFactory(name="New")
    OfferFactory(name="Newer elsewhere", account=AccountFactory(name="Other"))
    assert offer_for_scoring(account=account) == latest


def test_offer_for_scoring_by_id(account):
    wanted = OfferFactory()
    OfferFactory()
    assert offer_for_scoring(account=account, offer_id=wanted.id) == wanted


def test_offer_for_scoring_without_offers(account):
    OfferFactory(account=AccountFactory(name="Other"))
    with pytest.raises(NotFound) as error:
        offer_for_scoring(account=account)
    assert error.value.message == NO_OFFER_ERROR


@pytest.mark.parametrize("where", ["nowhere", "another account"])
def test_offer_for_scoring_with_an_id_the_account_does_not_have(account, where):
    offer_id = 404 if where == "nowhere" else OfferFactory(account=AccountFactory(name="B")).id
    with pytest.raises(NotFound) as error:
        offer_for_scoring(account=account, offer_id=offer_id)
    assert error.value.message == OFFER_NOT_FOUND_ERROR.format(offer_id=offer_id)


def test_scores_for_offer_is_scoped_to_the_offer():
    score = ScoreFactory()
    ScoreFactory()
    assert list(scores_for_offer(offer=score.offer)) == [score]


def test_leads_with_latest_score_takes_the_newest_score_and_honours_the_offer(account):
    lead = LeadFactory()
    now = timezone.now()
    older = ScoreFactory(lead=lead, score=20, scored_at=now - timedelta(hours=1))
    ScoreFactory(lead=lead, score=90, scored_at=now)
    unscored = LeadFactory()
    elsewhere = LeadFactory(account=AccountFactory(name="Other"))

    rows = {row.id: row for row in leads_with_latest_score(account=account)}
    assert elsewhere.id not in rows
    assert rows[lead.id].latest_score == 90
    assert rows[unscored.id].latest_score is None

    for_older_offer = {
        row.id: row for row in leads_with_latest_score(account=account, offer=older.offer)
    }
    assert for_older_offer[lead.id].latest_score == 20
    assert for_older_offer[lead.id].latest_intent == older.intent
