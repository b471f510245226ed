"""Who may call: API keys, sessions, the anonymous demo; throttles and request size limits."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.exceptions import NotAuthenticated, Throttled
from rest_framework.test import APIClient

from scoring.accounts.access import (
    INVALID_API_KEY_ERROR,
    ScoringRateThrottle,
    UploadRateThrottle,
)
from scoring.accounts.models import Account, ApiKey, AuditEvent, Membership
from scoring.accounts.services import api_key_create, default_account
from scoring.conversations.models import Bot, ConversationGrade
from scoring.core.api_errors import INTERNAL_ERROR
from scoring.core.middleware import REQUEST_TOO_LARGE_ERROR
from scoring.leads.api.compat import UPLOAD_SUCCESS_MESSAGE
from scoring.leads.models import Lead, LeadUpload, Offer, Score
from scoring.leads.services.leads import FILE_TOO_LARGE_ERROR, TOO_MANY_ROWS_ERROR
from tests.api_endpoints import (
    ENDPOINTS,
    call,
    csv_text,
    endpoint_ids,
    fill_path,
    object_ids,
    snapshot,
)
from tests.factories import (
    CSV_HEADER,
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
    created,
    csv_upload,
)

pytestmark = pytest.mark.django_db

WWW_AUTHENTICATE = 'Bearer realm="IntentScore"'
MB = 1024 * 1024

ENDPOINT_IDS = endpoint_ids(ENDPOINTS)


def _fill(path, objects):
    return fill_path(path, object_ids(objects))


def _objects(account):
    offer = OfferFactory(account=account)
    upload = LeadUploadFactory(account=account, row_count=2)
    lead = LeadFactory(account=account, upload=upload)
    LeadFactory(account=account, upload=upload)
    score = ScoreFactory(account=account, lead=lead, offer=offer)
    run = ScoringRunFactory(account=account, offer=offer)
    bot = BotFactory(account=account)
    grade = ConversationGradeFactory(account=account, bot=bot)
    return {
        "offer": offer, "upload": upload, "lead": lead, "score": score, "run": run,
        "bot": bot, "grade": grade,
    }  # fmt: skip


def _assert_401(response, error=None):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"] == (error or str(NotAuthenticated.default_detail))
    assert response["WWW-Authenticate"] == WWW_AUTHENTICATE


@pytest.fixture
def acme_objects(account):
    return _objects(account)


@pytest.fixture
def api_key(user):
    """A second key of `user`, with its raw value, for the header tests."""
    return api_key_create(user=user, name="header tests")


def _key_client(raw_key, keyword="Bearer"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {raw_key}")
    return client


# --- Unauthenticated requests --------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "ok_status"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_unauthenticated_request_is_401_with_json_error_and_stores_nothing(
    anonymous_client, acme_objects, method, path, body, ok_status
):
    before = snapshot()

    ids = object_ids(acme_objects)
    response = call(anonymous_client, method, _fill(path, acme_objects), body, ids=ids)

    _assert_401(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "", "Digest abc"], ids=["basic", "empty", "digest"]
)
def test_other_authorization_schemes_are_unauthenticated(acme_objects, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    _assert_401(client.get("/api/offers/"))


# --- Anonymous demo mode -------------------------------------------------------------------------


@pytest.fixture
def demo(settings):
    settings.ALLOW_ANONYMOUS_DEMO = True


@pytest.mark.parametrize(("method", "path", "body", "ok_status"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_demo_mode_lets_anonymous_requests_work_in_the_default_account(
    demo, anonymous_client, acme_objects, method, path, body, ok_status
):
    default_objects = _objects(default_account())

    ids = object_ids(default_objects)
    response = call(anonymous_client, method, _fill(path, default_objects), body, ids=ids)

    assert response.status_code == ok_status, response.content
    default = default_account()
    for model in (Offer, LeadUpload, Lead, Score, Bot, ConversationGrade):
        accounts = set(
            model.objects.exclude(account=acme_objects["offer"].account).values_list(
                "account", flat=True
            )
        )
        assert accounts <= {default.id}, model
    # Acme's data is neither shown nor touched.
    assert all(type(obj).objects.filter(id=obj.id).exists() for obj in acme_objects.values())


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/product/offer/", "offer", Offer),
        ("/api/offers/", "offer", Offer),
        ("/leads/upload/", "csv", LeadUpload),
        ("/api/uploads/", "csv", LeadUpload),
    ],
)
def test_demo_mode_creates_in_the_default_account(
    demo, anonymous_client, acme_objects, path, body, model
):
    before = set(model.objects.values_list("id", flat=True))

    response = call(anonymous_client, "post", path, body)

    assert response.status_code == 201, response.content
    created = model.objects.exclude(id__in=before).get()
    assert created.account == default_account()
    assert default_account().slug == "default"


def test_demo_mode_upload_is_audited_without_a_user(demo, anonymous_client):
    response = call(anonymous_client, "post", "/leads/upload/", "csv")

    assert response.status_code == 201
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD)
    assert (event.account, event.user) == (default_account(), None)


@pytest.mark.parametrize(
    "url", ["/api/offers/", "/api/uploads/", "/api/leads/", "/api/scores/", "/api/conversations/"]
)
def test_demo_mode_shows_anonymous_callers_nothing_of_other_accounts(
    demo, anonymous_client, acme_objects, url
):
    response = anonymous_client.get(url)

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_demo_mode_still_refuses_a_bad_api_key(demo, acme_objects):
    _assert_401(_key_client("isk_00000000_wrong").get("/api/offers/"), INVALID_API_KEY_ERROR)


def test_demo_mode_keeps_authenticated_users_in_their_own_account(
    demo, api_client, account, acme_objects
):
    response = api_client.get("/api/offers/")

    assert [item["id"] for item in response.json()["results"]] == [acme_objects["offer"].id]


# --- API keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer", "token"])
def test_api_key_works_with_bearer_and_token_keywords(acme_objects, api_key, keyword):
    _, raw_key = api_key

    response = _key_client(raw_key, keyword).get("/api/offers/")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [acme_objects["offer"].id]


BAD_HEADERS = {
    "wrong-secret": lambda key, raw: f"Bearer isk_{key.prefix}_{'A' * 43}",
    "unknown-prefix": lambda key, raw: "Bearer isk_00000000_" + raw.split("_", 2)[2],
    "wrong-key-scheme": lambda key, raw: "Bearer xyz_" + raw.split("_", 1)[1],
    "secret-missing": lambda key, raw: f"Bearer isk_{key.prefix}",
    "keyword-only": lambda key, raw: "Bearer",
    "three-parts": lambda key, raw: "Bearer a b",
    "not-a-key": lambda key, raw: "Bearer notakey",
    "key-with-trailing-junk": lambda key, raw: f"Bearer {raw} extra",
    "truncated-key": lambda key, raw: f"Bearer {raw[:-1]}",
}


@pytest.mark.parametrize("make_header", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_bad_api_key_header_is_401_invalid_api_key(acme_objects, api_key, make_header):
    key, raw_key = api_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=make_header(key, raw_key))
    before = snapshot()

    response = client.post("/product/offer/", SEED_OFFER, format="json")

    _assert_401(response, INVALID_API_KEY_ERROR)
    assert snapshot() == before


def test_revoked_api_key_is_401(acme_objects, api_key):
    key, raw_key = api_key
    assert _key_client(raw_key).get("/api/offers/").status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())

    _assert_401(_key_client(raw_key).get("/api/offers/"), INVALID_API_KEY_ERROR)


def test_api_key_of_an_inactive_user_is_401(acme_objects, user, api_key):
    _, raw_key = api_key
    user.is_active = False
    user.save(update_fields=["is_active"])

    _assert_401(_key_client(raw_key).get("/api/offers/"), INVALID_API_KEY_ERROR)


def test_api_key_last_used_at_is_set_on_use(acme_objects, api_key):
    key, raw_key = api_key
    assert key.last_used_at is None
    started = timezone.now()

    assert _key_client(raw_key).get("/api/offers/").status_code == 200

    key.refresh_from_db()
    assert key.last_used_at is not None
    assert started <= key.last_used_at <= timezone.now()


def test_api_key_last_used_at_is_refreshed_when_stale(acme_objects, api_key):
    key, raw_key = api_key
    stale = timezone.now() - timedelta(hours=1)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=stale)

    assert _key_client(raw_key).get("/api/offers/").status_code == 200

    key.refresh_from_db()
    assert key.last_used_at > stale + timedelta(minutes=59)


def test_failed_authentication_does_not_touch_last_used_at(acme_objects, api_key):
    key, raw_key = api_key
    prefix_only = raw_key.rsplit("_", 1)[0]

    _key_client(f"{prefix_only}_wrongsecret").get("/api/offers/")

    key.refresh_from_db()
    assert key.last_used_at is None


def test_api_key_requests_need_no_csrf_token(user, account):
    _, raw_key = api_key_create(user=user)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")

    response = client.post("/product/offer/", SEED_OFFER, format="json")

    assert response.status_code == 201
    assert Offer.objects.get().account == account


def test_an_api_key_request_reads_the_key_user_and_account_in_one_query(api_client, account):
    api_client.get("/api/uploads/")  # last_used_at written: at most once a minute

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/uploads/")

    assert response.status_code == 200
    assert len(queries) == 2  # the key with its user and account, then the list (empty)
    assert not any("SAVEPOINT" in q["sql"] or "BEGIN" in q["sql"] for q in queries)


def test_an_api_key_user_without_an_account_gets_a_personal_one(db):
    user = get_user_model().objects.create_user("loner")
    _, raw_key = api_key_create(user=user)  # makes the personal account
    Membership.objects.filter(user=user).delete()

    response = _key_client(raw_key).post("/product/offer/", SEED_OFFER, format="json")

    assert response.status_code == 201
    assert Offer.objects.get().account == Membership.objects.get(user=user).account


# --- Sessions ------------------------------------------------------------------------------------


def test_session_authenticated_user_works_in_their_account(user, account, acme_objects):
    AccountFactory(name="Other")
    client = APIClient()
    client.force_login(user)

    listed = client.get("/api/offers/")
    created = client.post("/product/offer/", SEED_OFFER, format="json")

    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [acme_objects["offer"].id]
    assert created.status_code == 201
    assert Offer.objects.get(id=created.json()["id"]).account == account


def test_session_post_without_csrf_token_is_refused(user, account):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/product/offer/", SEED_OFFER, format="json")

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert not Offer.objects.exists()


def test_user_without_membership_gets_a_personal_account_on_first_request(acme_objects):
    loner = get_user_model().objects.create_user(username="loner", password="x-y-z-w-v")
    assert not Membership.objects.filter(user=loner).exists()
    client = APIClient()
    client.force_login(loner)

    responses = [client.get(url) for url in ("/api/offers/", "/api/leads/", "/results/")]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json()["results"] == []
    assert responses[1].json()["results"] == []
    assert responses[2].json() == []
    membership = Membership.objects.get(user=loner)
    assert (membership.account.name, membership.account.slug) == ("loner", "loner")
    assert membership.account != acme_objects["offer"].account
    assert Account.objects.filter(memberships__user=loner).count() == 1


def test_personal_account_data_stays_in_the_personal_account(acme_objects):
    loner = UserFactory(username="loner2", membership=None)
    client = APIClient()
    client.force_login(loner)

    response = client.post("/api/offers/", SEED_OFFER, format="json")

    assert response.status_code == 201
    offer = Offer.objects.get(id=response.json()["id"])
    assert offer.account == Membership.objects.get(user=loner).account
    assert offer.account != acme_objects["offer"].account


# --- Throttling ----------------------------------------------------------------------------------


@pytest.fixture
def uploads_two_a_minute(monkeypatch):
    monkeypatch.setitem(UploadRateThrottle.THROTTLE_RATES, UploadRateThrottle.scope, "2/minute")


@pytest.fixture
def scoring_two_a_minute(monkeypatch):
    monkeypatch.setitem(ScoringRateThrottle.THROTTLE_RATES, ScoringRateThrottle.scope, "2/minute")


def _assert_429(response):
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"].startswith(str(Throttled.default_detail))
    assert int(response["Retry-After"]) > 0


UPLOAD_SEQUENCES = {
    "seed": ["/leads/upload/"] * 3,
    "api": ["/api/uploads/"] * 3,
    "mixed": ["/leads/upload/", "/api/uploads/", "/leads/upload/"],
}


@pytest.mark.parametrize("urls", UPLOAD_SEQUENCES.values(), ids=UPLOAD_SEQUENCES.keys())
def test_third_upload_in_a_minute_is_429_and_stores_nothing(uploads_two_a_minute, api_client, urls):
    first, second = (call(api_client, "post", url, "csv") for url in urls[:2])
    assert (first.status_code, second.status_code) == (201, 201)

    third = call(api_client, "post", urls[2], "csv")

    _assert_429(third)
    assert LeadUpload.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).count() == 2


def test_upload_throttle_counts_per_user(uploads_two_a_minute, api_client):
    other_user = UserFactory(membership__account=AccountFactory(name="Other"))
    for _ in range(2):
        assert call(api_client, "post", "/leads/upload/", "csv").status_code == 201
    _assert_429(call(api_client, "post", "/leads/upload/", "csv"))

    response = call(
        _key_client(api_key_create(user=other_user)[1]), "post", "/leads/upload/", "csv"
    )

    assert response.status_code == 201


def test_reading_and_deleting_uploads_is_not_throttled(uploads_two_a_minute, api_client):
    for _ in range(2):
        assert call(api_client, "post", "/api/uploads/", "csv").status_code == 201
    upload = LeadUpload.objects.first()

    statuses = [api_client.get("/api/uploads/").status_code for _ in range(4)]
    statuses += [api_client.get(f"/api/uploads/{upload.id}/").status_code for _ in range(3)]
    statuses.append(api_client.delete(f"/api/uploads/{upload.id}/").status_code)
    statuses += [api_client.get("/results/").status_code for _ in range(3)]

    assert statuses == [200] * 7 + [204] + [200] * 3
    _assert_429(call(api_client, "post", "/api/uploads/", "csv"))


@pytest.mark.parametrize("url", ["/score/", "/api/offers/{offer}/score/", "mixed"])
def test_third_scoring_run_in_a_minute_is_429(scoring_two_a_minute, api_client, acme_objects, url):
    score_url = f"/api/offers/{acme_objects['offer'].id}/score/"
    urls = {
        "/score/": ["/score/"] * 3,
        "/api/offers/{offer}/score/": [score_url] * 3,
        "mixed": ["/score/", score_url, "/score/"],
    }[url]
    for first_urls in urls[:2]:
        assert api_client.post(first_urls, {"rescore": True}, format="json").status_code == 200

    response = api_client.post(urls[2], {"rescore": True}, format="json")

    _assert_429(response)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCORING_RUN).count() == 2


def test_grading_a_conversation_counts_in_the_scoring_throttle(
    scoring_two_a_minute, api_client, acme_objects
):
    ids = object_ids(acme_objects)
    assert call(api_client, "post", "/api/conversations/grade/", "task", ids=ids).status_code == 200
    assert api_client.post("/score/", {}, format="json").status_code == 200

    response = call(api_client, "post", "/api/conversations/grade/", "task", ids=ids)

    _assert_429(response)
    assert api_client.get("/api/conversations/").status_code == 200


def test_scoring_throttle_leaves_uploads_alone(scoring_two_a_minute, api_client, acme_objects):
    for _ in range(2):
        api_client.post("/score/", {}, format="json")
    _assert_429(api_client.post("/score/", {}, format="json"))

    assert call(api_client, "post", "/leads/upload/", "csv").status_code == 201


# --- Request size --------------------------------------------------------------------------------


@pytest.fixture
def one_mb_uploads(settings):
    settings.MAX_UPLOAD_MB = 1


@pytest.fixture
def views_must_not_run(monkeypatch):
    def fail(**kwargs):
        raise AssertionError("the view ran")

    monkeypatch.setattr("scoring.leads.api.files.leads_import", fail)
    monkeypatch.setattr("scoring.leads.api.compat.offer_create", fail)
    monkeypatch.setattr("scoring.leads.api.viewsets.offer_create", fail)


def _assert_413(response, error):
    assert response.status_code == 413
    assert response.json() == {"error": error}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/leads/upload/", "csv"),
        ("/api/uploads/", "csv"),
        ("/product/offer/", "offer"),
        ("/api/offers/", "offer"),
    ],
)
@pytest.mark.parametrize("caller", ["api_client", "anonymous_client"])
def test_content_length_over_the_limit_is_413_before_the_view_runs(
    one_mb_uploads, views_must_not_run, request, path, body, caller
):
    client = request.getfixturevalue(caller)
    before = snapshot()

    response = call(client, "post", path, body, CONTENT_LENGTH=str(2 * MB + 1))

    _assert_413(response, REQUEST_TOO_LARGE_ERROR.format(limit=1))
    assert snapshot() == before


def test_content_length_at_the_limit_passes_the_middleware(one_mb_uploads, api_client):
    at_limit = api_client.get("/api/offers/", CONTENT_LENGTH=str(2 * MB))
    over = api_client.get("/api/offers/", CONTENT_LENGTH=str(2 * MB + 1))

    assert at_limit.status_code == 200
    _assert_413(over, REQUEST_TOO_LARGE_ERROR.format(limit=1))


def _sized_csv(size):
    row = "Lead,CEO,Company,SaaS,Berlin," + "x" * 200 + "\n"
    return CSV_HEADER + row * (size // len(row) + 1)


def test_real_body_over_the_limit_is_413_and_stores_nothing(one_mb_uploads, api_client):
    upload = csv_upload(_sized_csv(int(2.2 * MB)))

    response = api_client.post("/leads/upload/", {"csv_file": upload}, format="multipart")

    _assert_413(response, REQUEST_TOO_LARGE_ERROR.format(limit=1))
    assert not LeadUpload.objects.exists()
    assert not Lead.objects.exists()


@pytest.mark.parametrize("path", ["/leads/upload/", "/api/uploads/"])
def test_file_over_max_upload_mb_within_the_request_allowance_is_413_file_too_large(
    one_mb_uploads, api_client, path
):
    upload = csv_upload(_sized_csv(int(1.5 * MB)))

    response = api_client.post(path, {"csv_file": upload}, format="multipart")

    _assert_413(response, FILE_TOO_LARGE_ERROR.format(limit=1))
    assert not LeadUpload.objects.exists()
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("/product/offer/", "json"), ("/api/offers/", "json"), ("/score/", "multipart")],
)
def test_body_over_max_request_body_is_refused_as_too_large_not_a_server_error(
    settings, api_client, account, path, fmt
):
    """MAX_REQUEST_BODY_KB (DATA_UPLOAD_MAX_MEMORY_SIZE) caps JSON and form bodies: a client
    error, answered as such; never "Internal server error"."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024
    padding = "x" * (8 * 1024)
    data = {**SEED_OFFER, "value_props": [padding]} if fmt == "json" else {"padding": padding}

    response = api_client.post(path, data, format=fmt)

    assert response.status_code == 413
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"] != INTERNAL_ERROR
    assert not Offer.objects.exists()


# --- MAX_UPLOAD_ROWS -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/leads/upload/", "/api/uploads/"])
def test_file_with_more_rows_than_max_upload_rows_is_400_and_stores_nothing(
    settings, api_client, path
):
    settings.MAX_UPLOAD_ROWS = 3

    response = api_client.post(path, {"csv_file": csv_upload(csv_text(4))}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"error": TOO_MANY_ROWS_ERROR.format(limit=3)}
    assert not LeadUpload.objects.exists()
    assert not Lead.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).exists()


def test_file_with_exactly_max_upload_rows_is_stored(settings, api_client):
    settings.MAX_UPLOAD_ROWS = 3

    response = api_client.post(
        "/leads/upload/", {"csv_file": csv_upload(csv_text(3))}, format="multipart"
    )

    assert response.status_code == 201
    assert response.json() == {"message": UPLOAD_SUCCESS_MESSAGE.format(count=3), **created(3)}
    assert LeadUpload.objects.get().row_count == 3
    assert Lead.objects.count() == 3


def test_max_upload_rows_applies_across_insert_batches(settings, monkeypatch, api_client):
    settings.MAX_UPLOAD_ROWS = 5
    monkeypatch.setattr("scoring.leads.services.leads.INSERT_BATCH_SIZE", 2)

    refused = api_client.post(
        "/api/uploads/", {"csv_file": csv_upload(csv_text(6))}, format="multipart"
    )
    accepted = api_client.post(
        "/api/uploads/", {"csv_file": csv_upload(csv_text(5))}, format="multipart"
    )

    assert refused.status_code == 400
    assert refused.json() == {"error": TOO_MANY_ROWS_ERROR.format(limit=5)}
    assert accepted.status_code == 201
    assert accepted.json()["row_count"] == 5
    assert Lead.objects.count() == 5
