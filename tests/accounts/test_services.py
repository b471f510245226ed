"""Accounts, memberships, API keys and the audit trail of the services."""

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring.accounts.models import Account, ApiKey, AuditEvent, Membership
from scoring.accounts.services import (
    API_KEY_PREFIX,
    DEFAULT_ACCOUNT_SLUG,
    account_for_user,
    api_key_create,
    api_key_hash,
    audit_record,
    default_account,
    membership_set,
)
from scoring.core.exceptions import InvalidInput
from scoring.leads.matcher import LocalAssessor
from scoring.leads.models import ScoringRun
from scoring.leads.services.leads import lead_delete, lead_upload_delete, leads_import
from scoring.leads.services.offers import offer_delete
from tests.factories import (
    CSV_HEADER,
    AccountFactory,
    LeadFactory,
    LeadUploadFactory,
    OfferFactory,
    ScoreFactory,
    created,
    csv_upload,
)
from tests.leads.scoring_helpers import score_offer

pytestmark = pytest.mark.django_db

RAW_KEY_PATTERN = re.compile(rf"^{API_KEY_PREFIX}_([0-9a-f]{{8}})_([A-Za-z0-9_-]{{43}})$")


def _bare_user(username):
    """A user with no membership (the factory would give one)."""
    return get_user_model().objects.create_user(username=username, password="x-y-z-w-v")


# --- account_for_user / default_account / membership_set -----------------------------------------


def test_account_for_user_returns_the_membership_account(user, account):
    accounts_before = Account.objects.count()

    assert account_for_user(user=user) == account
    assert Account.objects.count() == accounts_before


def test_account_for_user_reads_an_existing_membership_outside_a_transaction(user, account):
    # On SQLite a transaction takes the write lock: each request would wait for an upload.
    with CaptureQueriesContext(connection) as queries:
        assert account_for_user(user=user) == account

    assert len(queries) == 1
    assert not any("SAVEPOINT" in q["sql"] or "BEGIN" in q["sql"] for q in queries)


def test_account_for_user_creates_a_personal_account_once():
    alice = _bare_user("alice")

    first = account_for_user(user=alice)
    second = account_for_user(user=alice)

    assert first == second
    assert (first.name, first.slug) == ("alice", "alice")
    assert Membership.objects.get(user=alice).account == first
    assert Account.objects.filter(slug__startswith="alice").count() == 1


def test_account_for_user_avoids_a_taken_slug():
    taken = AccountFactory(name="Bob", slug="bob")
    bob = _bare_user("bob")

    account = account_for_user(user=bob)

    assert account != taken
    assert re.fullmatch(r"bob-[0-9a-f]{6}", account.slug), account.slug
    assert account.name == "bob"
    assert Membership.objects.get(user=bob).account == account
    assert list(taken.memberships.all()) == []


def test_account_for_user_slugifies_the_username_and_falls_back_to_user():
    fancy = account_for_user(user=_bare_user("Jane.Doe@Example"))
    symbols = account_for_user(user=_bare_user("@@@"))
    again = account_for_user(user=_bare_user("+++"))

    assert fancy.slug == "janedoeexample"
    assert symbols.slug == "user"
    assert re.fullmatch(r"user-[0-9a-f]{6}", again.slug), again.slug


def test_default_account_is_created_once():
    Account.objects.filter(slug=DEFAULT_ACCOUNT_SLUG).delete()

    first = default_account()
    second = default_account()

    assert first == second
    assert (first.slug, first.name) == (DEFAULT_ACCOUNT_SLUG, "Default")
    assert Account.objects.filter(slug=DEFAULT_ACCOUNT_SLUG).count() == 1


def test_default_account_keeps_an_existing_default_as_it_is():
    existing, _ = Account.objects.update_or_create(
        slug=DEFAULT_ACCOUNT_SLUG, defaults={"name": "Renamed default"}
    )

    assert default_account() == existing
    assert default_account().name == "Renamed default"


def test_membership_set_moves_a_user_to_another_account(user, account):
    other = AccountFactory(name="Other")

    membership_set(user=user, account=other)

    assert Membership.objects.get(user=user).account == other
    assert account_for_user(user=user) == other


# --- api_key_create ------------------------------------------------------------------------------


def test_api_key_create_returns_a_key_of_the_documented_format(user):
    api_key, raw_key = api_key_create(user=user, name="ci")

    match = RAW_KEY_PATTERN.fullmatch(raw_key)
    assert match, raw_key
    assert match.group(1) == api_key.prefix
    assert (api_key.user, api_key.name) == (user, "ci")
    assert (api_key.last_used_at, api_key.revoked_at) == (None, None)


def test_api_key_create_stores_only_the_sha256_hash(user):
    api_key, raw_key = api_key_create(user=user)
    secret = raw_key.split("_", 2)[2]

    row = ApiKey.objects.values().get(pk=api_key.pk)

    assert row["key_hash"] == hashlib.sha256(raw_key.encode()).hexdigest()
    assert row["key_hash"] == api_key_hash(raw_key)
    for column, value in row.items():
        assert secret not in str(value), column
    for event in AuditEvent.objects.values():
        assert secret not in str(event)


def test_api_keys_are_unique(user):
    keys = [api_key_create(user=user) for _ in range(5)]

    assert len({raw for _, raw in keys}) == 5
    assert len({key.prefix for key, _ in keys}) == 5


def test_api_key_create_records_an_audit_event(user, account):
    api_key, _ = api_key_create(user=user, name="laptop")

    event = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_CREATED)
    assert (event.account, event.user) == (account, user)
    assert (event.object_type, event.object_id) == ("ApiKey", str(api_key.pk))
    assert event.detail == {"prefix": api_key.prefix, "name": "laptop"}


def test_api_key_create_for_a_user_without_membership_audits_in_the_personal_account():
    carol = _bare_user("carol")

    api_key_create(user=carol)

    event = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_CREATED)
    assert event.account == Membership.objects.get(user=carol).account
    assert event.account.slug == "carol"


# --- audit_record --------------------------------------------------------------------------------


def test_audit_record_stores_who_what_and_which_object(user, account):
    offer = OfferFactory(account=account)

    event = audit_record(
        account=account, user=user, action=AuditEvent.Action.DELETE, obj=offer, detail={"a": 1}
    )

    event.refresh_from_db()
    assert (event.account, event.user, event.action) == (account, user, "delete")
    assert (event.object_type, event.object_id, event.detail) == ("Offer", str(offer.pk), {"a": 1})
    assert event.created_at is not None


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()], ids=["none", "anonymous-user"])
def test_audit_record_without_an_object_or_a_real_user(account, anonymous):
    event = audit_record(account=account, user=anonymous, action=AuditEvent.Action.UPLOAD)

    event.refresh_from_db()
    assert event.user is None
    assert (event.object_type, event.object_id, event.detail) == ("", "", {})


def test_audit_events_outlive_their_user(user, account):
    event = audit_record(account=account, user=user, action=AuditEvent.Action.UPLOAD)

    user.delete()

    event.refresh_from_db()
    assert event.user is None


# --- Every write the issue names is audited ------------------------------------------------------


def _only_event(action):
    return AuditEvent.objects.get(action=action)


def test_leads_import_records_an_upload_event(user, account):
    text = CSV_HEADER + "Ada,CEO,Engines,SaaS,London,bio\nGrace,CTO,Navy,Tech,Arlington,bio\n"

    upload = leads_import(
        account=account, user=user, file=csv_upload(text, "march.csv"), file_name="march.csv"
    )

    event = _only_event(AuditEvent.Action.UPLOAD)
    assert (event.account, event.user) == (account, user)
    assert (event.object_type, event.object_id) == ("LeadUpload", str(upload.pk))
    assert event.detail == {"file_name": "march.csv", "rows": 2, **created(2)}


def test_failed_leads_import_records_nothing(user, account):
    with pytest.raises(InvalidInput):
        leads_import(
            account=account, user=user, file=csv_upload("not,a,lead,file\n"), file_name="x.csv"
        )

    assert not AuditEvent.objects.exists()


def test_lead_upload_delete_records_a_delete_event(user, account):
    upload = LeadUploadFactory(account=account, file_name="old.csv", row_count=2)
    LeadFactory.create_batch(2, account=account, upload=upload)
    upload_id = upload.pk

    lead_upload_delete(upload=upload, user=user)

    event = _only_event(AuditEvent.Action.DELETE)
    assert (event.account, event.user) == (account, user)
    assert (event.object_type, event.object_id) == ("LeadUpload", str(upload_id))
    assert event.detail == {"file_name": "old.csv", "rows": 2}


def test_lead_delete_records_a_delete_event(user, account):
    lead = LeadFactory(account=account, name="Ada Lovelace", company="Engines")
    lead_id = lead.pk

    lead_delete(lead=lead, user=user)

    event = _only_event(AuditEvent.Action.DELETE)
    assert (event.account, event.user) == (account, user)
    assert (event.object_type, event.object_id) == ("Lead", str(lead_id))
    assert event.detail == {"name": "Ada Lovelace", "company": "Engines"}


def test_offer_delete_records_a_delete_event_with_the_scores_it_removes(user, account):
    offer = OfferFactory(account=account, name="Suite")
    ScoreFactory.create_batch(3, account=account, offer=offer)
    offer_id = offer.pk

    offer_delete(offer=offer, user=user)

    event = _only_event(AuditEvent.Action.DELETE)
    assert (event.account, event.user) == (account, user)
    assert (event.object_type, event.object_id) == ("Offer", str(offer_id))
    assert event.detail == {"name": "Suite", "scores": 3}


def test_a_scoring_run_records_a_scoring_run_event(user, account):
    offer = OfferFactory(account=account)
    LeadFactory(account=account)
    score_offer(offer)  # the first lead, already scored
    LeadFactory.create_batch(3, account=account)

    score_offer(offer, user=user)

    # A run is recorded when it is made, with what it was asked; what it did is counted on
    # the run the event names.
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SCORING_RUN).first()
    assert (event.account, event.user) == (account, user)
    run = ScoringRun.objects.get(pk=event.object_id)
    assert (event.object_type, run.offer, run.user) == ("ScoringRun", offer, user)
    assert event.detail == {"offer": offer.pk, "leads": 4, "rescore": False, "filter": {}}
    assert {
        "scored": run.scored,
        "skipped": run.cached,
        "failed": run.failed,
        "deferred": run.deferred,
        "calls": run.calls,
        "rescore": run.rescore,
        "provider": run.provider,
        "model": run.model,
    } == {
        "scored": 3,
        "skipped": 1,
        "failed": 0,
        "deferred": 0,
        "calls": 0,
        "rescore": False,
        "provider": LocalAssessor.name,
        "model": LocalAssessor.model,
    }


def test_a_rescore_is_recorded_per_run(account):
    offer = OfferFactory(account=account)
    LeadFactory.create_batch(2, account=account)

    score_offer(offer)
    score_offer(offer, rescore=True)

    events = AuditEvent.objects.filter(action=AuditEvent.Action.SCORING_RUN).order_by("id")
    runs = [ScoringRun.objects.get(pk=event.object_id) for event in events]
    assert [
        (run.scored, run.cached, event.detail["rescore"])
        for run, event in zip(runs, events, strict=True)
    ] == [
        (2, 0, False),
        (2, 0, True),
    ]
    assert set(AuditEvent.objects.values_list("user", flat=True)) == {None}


def test_audit_event_goes_to_the_objects_account_not_the_users(user):
    other = AccountFactory(name="Other")
    lead = LeadFactory(account=other)

    lead_delete(lead=lead, user=user)

    assert _only_event(AuditEvent.Action.DELETE).account == other
