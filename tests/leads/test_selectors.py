from datetime import timedelta

import pytest
from django.utils import timezone

from scoring.core.exceptions import NotFound
from scoring.leads.selectors import (
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
    columns = ("id", "score", "intent")

    rows = {row[0]: row for row in leads_with_latest_score(account=account, columns=columns)}
    assert elsewhere.id not in rows
    assert rows[lead.id][1] == 90
    assert rows[unscored.id][1:] == (None, None)

    for_older_offer = {
        row[0]: row
        for row in leads_with_latest_score(account=account, offer=older.offer, columns=columns)
    }
    assert for_older_offer[lead.id][1:] == (20, older.intent)


def test_leads_with_latest_score_pages_are_slices_of_every_row(account):
    leads = LeadFactory.create_batch(7, account=account)
    for n, lead in enumerate(leads[::2]):
        ScoreFactory(lead=lead, score=n)
    LeadFactory(account=AccountFactory(name="Other"))
    rows = leads_with_latest_score(account=account, columns=("id", "score"))

    every = list(rows)

    assert [row[0] for row in every] == [lead.id for lead in leads]
    assert rows.count() == 7
    for page in (slice(0, 3), slice(3, 6), slice(6, 9), slice(2, None), slice(9, 12), slice(4, 4)):
        assert rows[page] == every[page]


def test_leads_with_latest_score_refuses_a_column_it_does_not_have(account):
    with pytest.raises(ValueError, match="linkedin"):
        leads_with_latest_score(account=account, columns=("id", "linkedin"))
