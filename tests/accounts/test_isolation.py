"""Account isolation: another account's offers, uploads, leads, scores, runs and graded
conversations are never seen, changed, scored, exported or deleted, and asking for them
looks exactly like asking for something that does not exist (404 or an empty list, never a
403)."""

import csv
import io
from dataclasses import dataclass

import pytest

from scoring.accounts.models import AuditEvent
from scoring.conversations.models import Bot, ConversationGrade
from scoring.leads.models import Lead, LeadUpload, Offer, Score, ScoringRun
from scoring.leads.selectors import NO_OFFER_ERROR, OFFER_NOT_FOUND_ERROR
from scoring.leads.services.scoring import NO_LEADS_ERROR
from tests.api_endpoints import DETAIL_ENDPOINTS, call, endpoint_ids, fill_path, snapshot
from tests.factories import (
    SEED_OFFER,
    AccountFactory,
    BotFactory,
    ConversationGradeFactory,
    LeadFactory,
    LeadUploadFactory,
    OfferFactory,
    ScoreFactory,
    ScoringRunFactory,
    UserFactory,
    api_key_client,
)

pytestmark = pytest.mark.django_db

MISSING_ID = 987_654_321


@dataclass(frozen=True)
class AccountData:
    """One account's objects: an offer, an upload with a scored and an unscored lead."""

    account: object
    offer: Offer
    upload: LeadUpload
    lead: Lead
    unscored_lead: Lead
    score: Score
    run: ScoringRun
    bot: Bot
    grade: ConversationGrade

    def ids(self, kind):
        return {
            "offer": {self.offer.id},
            "upload": {self.upload.id},
            "lead": {self.lead.id, self.unscored_lead.id},
            "score": {self.score.id},
            "run": {self.run.id},
            "grade": {self.grade.id},
        }[kind]

    @property
    def lead_names(self):
        return {self.lead.name, self.unscored_lead.name}


def _account_data(account, tag):
    offer = OfferFactory(account=account, name=f"{tag} offer")
    upload = LeadUploadFactory(account=account, file_name=f"{tag}.csv", row_count=2)
    lead = LeadFactory(account=account, upload=upload, name=f"{tag} scored", company=f"{tag} Co")
    unscored = LeadFactory(account=account, upload=upload, name=f"{tag} unscored")
    score = ScoreFactory(account=account, lead=lead, offer=offer)
    run = ScoringRunFactory(account=account, offer=offer)
    bot = BotFactory(account=account, bot_id=f"{tag.lower()}-bot")
    grade = ConversationGradeFactory(
        account=account, bot=bot, task_id=f"{tag.lower()}-task", visitor_id=f"{tag} visitor"
    )
    return AccountData(account, offer, upload, lead, unscored, score, run, bot, grade)


@pytest.fixture
def other_account(db):
    return AccountFactory(name="Other")


@pytest.fixture
def other_client(other_account):
    """Account B's client, authenticated the way `api_client` is: a real API key."""
    return api_key_client(UserFactory(membership__account=other_account))


@pytest.fixture
def ours(account):
    """Account A's data (the `api_client`'s), created first: B's offer is the newer one."""
    return _account_data(account, "Ours")


@pytest.fixture
def theirs(ours, other_account):
    return _account_data(other_account, "Theirs")


@pytest.fixture
def clients(api_client, other_client):
    return {"A": api_client, "B": other_client}


def _ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def _csv_rows(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body, newline="")))


# --- Lists: each account sees its own objects and nothing else -----------------------------------

LIST_ENDPOINTS = [
    ("/api/offers/", "offer"),
    ("/api/uploads/", "upload"),
    ("/api/leads/", "lead"),
    ("/api/scores/", "score"),
    ("/api/runs/", "run"),
    ("/api/conversations/", "grade"),
]


@pytest.mark.parametrize(("url", "kind"), LIST_ENDPOINTS, ids=[u for u, _ in LIST_ENDPOINTS])
@pytest.mark.parametrize("caller", ["A", "B"])
def test_list_endpoints_show_only_the_callers_objects(clients, ours, theirs, url, kind, caller):
    own, foreign = (ours, theirs) if caller == "A" else (theirs, ours)

    response = clients[caller].get(url)

    assert _ids(response) == own.ids(kind)
    assert response.json()["count"] == len(own.ids(kind))
    assert not _ids(response) & foreign.ids(kind)


@pytest.mark.parametrize(
    ("url", "term"),
    [
        ("/api/leads/", "Theirs scored"),
        ("/api/scores/", "Theirs scored"),
        ("/api/leads/", "Theirs Co"),
        ("/api/offers/", "Theirs offer"),
        ("/api/conversations/", "theirs-task"),
        ("/api/conversations/", "Theirs visitor"),
    ],
)
def test_search_finds_nothing_of_another_account(api_client, ours, theirs, url, term):
    response = api_client.get(url, {"search": term})

    assert _ids(response) == set()


def test_list_endpoints_of_an_account_without_data_are_empty(other_client, ours):
    for url, _ in LIST_ENDPOINTS:
        response = other_client.get(url)
        assert response.json()["count"] == 0, url
        assert _ids(response) == set(), url


# --- Detail endpoints: another account's id is a 404, like an id that does not exist -------------

DETAIL_REQUESTS = DETAIL_ENDPOINTS
DETAIL_IDS = endpoint_ids(DETAIL_ENDPOINTS)


KINDS = ("offer", "upload", "lead", "score", "run", "grade")


def _ids_of(data):
    return {kind: getattr(data, kind).id for kind in KINDS}


def _detail_path(template, data):
    return fill_path(template, _ids_of(data))


def _missing_path(template):
    return fill_path(template, dict.fromkeys(KINDS, MISSING_ID))


@pytest.mark.parametrize(
    ("method", "template", "body", "ok_status"), DETAIL_REQUESTS, ids=DETAIL_IDS
)
def test_detail_request_on_another_accounts_object_is_a_404_that_changes_nothing(
    api_client, ours, theirs, method, template, body, ok_status
):
    before = snapshot()

    response = call(api_client, method, _detail_path(template, theirs), body)

    assert response.status_code == 404
    assert set(response.json()) == {"error"}
    assert snapshot() == before
    # Indistinguishable from an id that exists nowhere.
    missing = call(api_client, method, _missing_path(template), body)
    assert (response.status_code, response.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize(
    ("method", "template", "body", "ok_status"), DETAIL_REQUESTS, ids=DETAIL_IDS
)
def test_the_same_detail_request_on_the_callers_own_object_succeeds(
    api_client, ours, theirs, method, template, body, ok_status
):
    """The control for the 404s above: the endpoint works, only the foreign id is hidden."""
    their_rows = {
        name: [row for row in rows if row.get("account_id") == theirs.account.id]
        for name, rows in snapshot().items()
    }

    response = call(api_client, method, _detail_path(template, ours), body)

    assert response.status_code == ok_status, response.content
    assert {
        name: [row for row in rows if row.get("account_id") == theirs.account.id]
        for name, rows in snapshot().items()
    } == their_rows


@pytest.mark.parametrize("method", ["put", "patch"])
def test_uploads_and_leads_have_no_update_for_anyone(api_client, ours, theirs, method):
    """No update route: the answer is the same 405 for one's own and a foreign object."""
    for template in ("/api/uploads/{upload}/", "/api/leads/{lead}/"):
        own = getattr(api_client, method)(_detail_path(template, ours), {}, format="json")
        foreign = getattr(api_client, method)(_detail_path(template, theirs), {}, format="json")
        assert own.status_code == foreign.status_code == 405
        assert own.json() == foreign.json()


def test_deleting_another_accounts_upload_keeps_its_leads_and_scores(api_client, ours, theirs):
    response = api_client.delete(f"/api/uploads/{theirs.upload.id}/")

    assert response.status_code == 404
    assert LeadUpload.objects.filter(id=theirs.upload.id).exists()
    assert set(Lead.objects.filter(upload=theirs.upload).values_list("id", flat=True)) == (
        theirs.ids("lead")
    )
    assert Score.objects.filter(id=theirs.score.id).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


def test_updating_another_accounts_offer_leaves_it_as_it_was(api_client, ours, theirs):
    theirs_before = Offer.objects.values().get(id=theirs.offer.id)

    put = api_client.put(f"/api/offers/{theirs.offer.id}/", SEED_OFFER, format="json")
    patch = api_client.patch(f"/api/offers/{theirs.offer.id}/", {"name": "X"}, format="json")

    assert (put.status_code, patch.status_code) == (404, 404)
    assert Offer.objects.values().get(id=theirs.offer.id) == theirs_before


def test_scoring_another_accounts_offer_through_the_api_scores_nothing(api_client, ours, theirs):
    response = api_client.post(f"/api/offers/{theirs.offer.id}/score/", {"rescore": True})

    assert response.status_code == 404
    assert list(Score.objects.order_by("id").values_list("id", flat=True)) == sorted(
        [ours.score.id, theirs.score.id]
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SCORING_RUN).exists()


def test_scoring_own_offer_through_the_api_never_touches_another_accounts_leads(
    api_client, ours, theirs
):
    their_scores = list(Score.objects.filter(account=theirs.account).values())

    response = api_client.post(f"/api/offers/{ours.offer.id}/score/", {"rescore": True})

    assert response.status_code == 200
    assert (response.json()["scored"], response.json()["skipped"]) == (2, 0)
    assert set(Score.objects.filter(offer=ours.offer).values_list("lead_id", flat=True)) == (
        ours.ids("lead")
    )
    assert list(Score.objects.filter(account=theirs.account).values()) == their_scores
    assert not theirs.unscored_lead.scores.exists()


# --- Filters must not reveal whether another account's id exists ---------------------------------

# (list, filter, the kind it lists); a bot is filtered by its bot_id.
FILTERS = [
    ("/api/scores/", "offer", "score"),
    ("/api/leads/", "upload", "lead"),
    ("/api/conversations/", "bot", "grade"),
]
FILTER_IDS = [f"{url}?{param}=" for url, param, _ in FILTERS]


def _filter_value(data, param):
    obj = getattr(data, param)
    return obj.bot_id if isinstance(obj, Bot) else obj.id


@pytest.mark.parametrize(("url", "param", "kind"), FILTERS, ids=FILTER_IDS)
def test_filtering_by_another_accounts_id_answers_exactly_as_for_a_missing_id(
    api_client, ours, theirs, url, param, kind
):
    foreign = api_client.get(url, {param: _filter_value(theirs, param)})
    missing = api_client.get(url, {param: MISSING_ID})

    assert foreign.status_code == missing.status_code
    assert foreign.json() == missing.json()
    assert foreign.status_code in (200, 400)
    if foreign.status_code == 200:
        assert foreign.json()["results"] == []


@pytest.mark.parametrize(("url", "param", "kind"), FILTERS, ids=FILTER_IDS)
def test_filtering_by_own_id_works(api_client, ours, theirs, url, param, kind):
    response = api_client.get(url, {param: _filter_value(ours, param)})

    assert _ids(response) == ours.ids(kind)


# --- Creating: new objects land in the caller's account and stay invisible to others -------------

CREATE_REQUESTS = [
    ("/product/offer/", "offer", Offer, "/api/offers/"),
    ("/api/offers/", "offer", Offer, "/api/offers/"),
    ("/leads/upload/", "csv", LeadUpload, "/api/uploads/"),
    ("/api/uploads/", "csv", LeadUpload, "/api/uploads/"),
]


@pytest.mark.parametrize(
    ("url", "body", "model", "list_url"), CREATE_REQUESTS, ids=[c[0] for c in CREATE_REQUESTS]
)
def test_created_objects_belong_to_the_caller_and_are_hidden_from_others(
    api_client, other_client, account, other_account, url, body, model, list_url
):
    response = call(api_client, "post", url, body)

    assert response.status_code == 201, response.content
    created = model.objects.get()
    assert created.account == account
    if model is LeadUpload:
        assert set(Lead.objects.values_list("account", flat=True)) == {account.id}
    assert _ids(api_client.get(list_url)) == {created.id}
    assert _ids(other_client.get(list_url)) == set()
    assert other_client.get(f"{list_url}{created.id}/").status_code == 404


# --- The seed's endpoints ------------------------------------------------------------------------


def test_seed_score_uses_the_callers_latest_offer_not_a_newer_one_of_another_account(
    api_client, ours, theirs
):
    assert theirs.offer.created_at >= ours.offer.created_at
    their_scores = list(Score.objects.filter(account=theirs.account).values())

    response = api_client.post("/score/", {}, format="json")

    assert response.status_code == 200
    assert {item["name"] for item in response.json()} == ours.lead_names
    assert set(Score.objects.filter(account=ours.account).values_list("offer", flat=True)) == {
        ours.offer.id
    }
    assert not Score.objects.filter(lead__account=ours.account, offer=theirs.offer).exists()
    assert list(Score.objects.filter(account=theirs.account).values()) == their_scores
    assert not theirs.unscored_lead.scores.exists()


def test_seed_score_with_another_accounts_offer_id_is_404_and_scores_nothing(
    api_client, ours, theirs
):
    before = snapshot()

    response = api_client.post("/score/", {"offer_id": theirs.offer.id}, format="json")

    assert response.status_code == 404
    assert response.json() == {"error": OFFER_NOT_FOUND_ERROR.format(offer_id=theirs.offer.id)}
    assert snapshot() == before
    assert not theirs.unscored_lead.scores.exists()
    missing = api_client.post("/score/", {"offer_id": MISSING_ID}, format="json")
    assert missing.status_code == 404
    assert missing.json() == {"error": OFFER_NOT_FOUND_ERROR.format(offer_id=MISSING_ID)}


def test_seed_score_without_an_own_offer_is_404_even_when_another_account_has_one(
    api_client, account, theirs
):
    Offer.objects.filter(account=account).delete()

    response = api_client.post("/score/", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {"error": NO_OFFER_ERROR}
    assert not theirs.unscored_lead.scores.exists()


def test_seed_score_without_own_leads_does_not_score_another_accounts(
    other_client, ours, other_account
):
    OfferFactory(account=other_account)
    scores_before = Score.objects.count()

    response = other_client.post("/score/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": NO_LEADS_ERROR}
    assert Score.objects.count() == scores_before
    assert not ours.unscored_lead.scores.exists()


def test_seed_upload_lands_in_the_callers_account_only(api_client, other_client, theirs):
    their_results = other_client.get("/results/").json()

    response = call(api_client, "post", "/leads/upload/", "csv")

    assert response.status_code == 201
    assert other_client.get("/results/").json() == their_results
    assert "Lead 0" in {item["name"] for item in api_client.get("/results/").json()}


@pytest.mark.parametrize("caller", ["A", "B"])
def test_seed_results_list_only_the_callers_leads(clients, ours, theirs, caller):
    own, foreign = (ours, theirs) if caller == "A" else (theirs, ours)

    response = clients[caller].get("/results/")

    assert response.status_code == 200
    assert {item["id"] for item in response.json()} == own.ids("lead")
    assert not {item["name"] for item in response.json()} & foreign.lead_names


@pytest.mark.parametrize("caller", ["A", "B"])
def test_seed_csv_exports_only_the_callers_leads(clients, ours, theirs, caller):
    own, foreign = (ours, theirs) if caller == "A" else (theirs, ours)

    rows = _csv_rows(clients[caller].get("/csv/"))

    assert {row["Name"] for row in rows} == own.lead_names
    assert not {row["Name"] for row in rows} & foreign.lead_names


@pytest.mark.parametrize("url", ["/results/", "/csv/"])
def test_seed_results_and_csv_for_another_accounts_offer_id_are_404(api_client, ours, theirs, url):
    response = api_client.get(url, {"offer_id": theirs.offer.id})

    assert response.status_code == 404
    assert response.json() == {"error": OFFER_NOT_FOUND_ERROR.format(offer_id=theirs.offer.id)}
    missing = api_client.get(url, {"offer_id": MISSING_ID})
    assert missing.status_code == 404
    assert missing.json() == {"error": OFFER_NOT_FOUND_ERROR.format(offer_id=MISSING_ID)}


def test_seed_results_for_own_offer_id_show_own_scores(api_client, ours, theirs):
    response = api_client.get("/results/", {"offer_id": ours.offer.id})

    assert response.status_code == 200
    scores = {item["id"]: item["score"] for item in response.json()}
    assert scores == {ours.lead.id: ours.score.score, ours.unscored_lead.id: None}
