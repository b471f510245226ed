"""The admin pages of accounts, API keys and the audit trail."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from scoring.accounts.access import INVALID_API_KEY_ERROR
from scoring.accounts.models import ApiKey, AuditEvent
from scoring.accounts.services import api_key_create, audit_record
from scoring.leads.services.leads import leads_import
from tests.factories import (
    CSV_HEADER,
    AccountFactory,
    OfferFactory,
    ScoringRunFactory,
    UserFactory,
    csv_upload,
)

pytestmark = pytest.mark.django_db


def changelist_results(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def keys(user):
    """Three keys of `user`: two live, one revoked an hour ago; with their raw values."""
    created = [api_key_create(user=user, name=name) for name in ("laptop", "ci", "old")]
    old, _ = created[2]
    old.revoked_at = timezone.now() - timezone.timedelta(hours=1)
    old.save(update_fields=["revoked_at"])
    return created


def test_account_changelist_lists_accounts_with_their_members(admin_client, user, account):
    AccountFactory(name="Other")

    results = changelist_results(admin_client.get(reverse("admin:accounts_account_changelist")))
    change = admin_client.get(reverse("admin:accounts_account_change", args=[account.pk]))

    assert {a.name for a in results} >= {"Acme", "Other"}
    assert change.status_code == 200
    assert user.username in change.content.decode()


def test_api_key_changelist_shows_keys_but_never_their_secret(admin_client, keys):
    response = admin_client.get(reverse("admin:accounts_apikey_changelist"))

    assert {key.pk for key in changelist_results(response)} == {key.pk for key, _ in keys}
    content = response.content.decode()
    for key, raw_key in keys:
        assert key.prefix in content
        assert raw_key.split("_", 2)[2] not in content


def test_api_key_change_page_never_shows_the_secret(admin_client, keys):
    key, raw_key = keys[0]

    response = admin_client.get(reverse("admin:accounts_apikey_change", args=[key.pk]))

    assert response.status_code == 200
    assert raw_key.split("_", 2)[2] not in response.content.decode()


def test_api_keys_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:accounts_apikey_add")).status_code == 403


def test_revoke_action_revokes_the_selected_live_keys(admin_client, keys):
    (laptop, laptop_raw), (ci, ci_raw), (old, _) = keys
    old_revoked_at = ApiKey.objects.get(pk=old.pk).revoked_at

    response = admin_client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "revoke", "_selected_action": [laptop.pk, old.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Revoked 1 API key(s)." in response.content.decode()
    laptop.refresh_from_db()
    ci.refresh_from_db()
    assert laptop.revoked_at is not None
    assert ci.revoked_at is None
    assert ApiKey.objects.get(pk=old.pk).revoked_at == old_revoked_at
    revoked_client, live_client = APIClient(), APIClient()
    revoked_client.credentials(HTTP_AUTHORIZATION=f"Bearer {laptop_raw}")
    live_client.credentials(HTTP_AUTHORIZATION=f"Bearer {ci_raw}")
    refused = revoked_client.get("/api/offers/")
    assert (refused.status_code, refused.json()) == (401, {"error": INVALID_API_KEY_ERROR})
    assert live_client.get("/api/offers/").status_code == 200


@pytest.fixture
def events(user, account):
    upload = leads_import(
        account=account,
        user=user,
        file=csv_upload(CSV_HEADER + "Ada,CEO,Engines,SaaS,London,bio\n"),
        file_name="march.csv",
    )
    deletion = audit_record(
        account=account, user=None, action=AuditEvent.Action.DELETE, obj=OfferFactory()
    )
    uploaded = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD, object_id=str(upload.pk))
    return {"upload": uploaded, "delete": deletion}


def test_audit_event_changelist_shows_who_did_what(admin_client, user, events):
    response = admin_client.get(reverse("admin:accounts_auditevent_changelist"))

    assert {e.pk for e in changelist_results(response)} == {e.pk for e in events.values()}
    content = response.content.decode()
    assert user.username in content
    assert "LeadUpload" in content


def test_audit_event_changelist_filters_by_action(admin_client, events):
    url = reverse("admin:accounts_auditevent_changelist")

    results = changelist_results(admin_client.get(url, {"action__exact": "upload"}))

    assert [e.pk for e in results] == [events["upload"].pk]


def test_audit_events_cannot_be_added(admin_client):
    url = reverse("admin:accounts_auditevent_add")

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"action": "upload", "object_type": "X"}).status_code == 403
    assert not AuditEvent.objects.exists()


def test_audit_events_cannot_be_changed(admin_client, events):
    event = events["upload"]
    url = reverse("admin:accounts_auditevent_change", args=[event.pk])
    before = AuditEvent.objects.values().get(pk=event.pk)

    view = admin_client.get(url)
    post = admin_client.post(url, {"action": "delete", "object_type": "Forged", "object_id": "1"})

    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert post.status_code == 403
    assert AuditEvent.objects.values().get(pk=event.pk) == before


def test_audit_events_cannot_be_deleted(admin_client, events):
    event = events["upload"]
    url = reverse("admin:accounts_auditevent_delete", args=[event.pk])

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        reverse("admin:accounts_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_event_changelist_offers_no_delete_action(admin_client, events):
    response = admin_client.get(reverse("admin:accounts_auditevent_changelist"))

    action_form = response.context["action_form"]
    choices = [] if action_form is None else [c[0] for c in action_form.fields["action"].choices]
    assert "delete_selected" not in choices


def test_non_staff_users_cannot_open_the_admin(client, user):
    client.force_login(user)

    for name in ("account", "apikey", "auditevent"):
        response = client.get(reverse(f"admin:accounts_{name}_changelist"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_staff_without_permissions_cannot_see_keys_or_audit_events(client):
    staff = UserFactory(username="staffer", is_staff=True)
    client.force_login(staff)

    for name in ("apikey", "auditevent"):
        assert client.get(reverse(f"admin:accounts_{name}_changelist")).status_code == 403


def test_scoring_runs_are_listed_read_only(admin_client):
    run = ScoringRunFactory()
    changelist = admin_client.get(reverse("admin:scoring_scoringrun_changelist"))
    assert changelist.status_code == 200
    assert str(run.offer) in changelist.content.decode()
    assert admin_client.get(reverse("admin:scoring_scoringrun_add")).status_code == 403
