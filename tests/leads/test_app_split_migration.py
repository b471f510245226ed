"""Splitting the one `scoring` app (accounts 0001, conversations 0001, scoring 0013): a move of
Django's record only, so every row keeps its table and id, and the moved models' content
types keep their ids under the new labels, with the permissions and grants that point at
them. Both ways: migrated back, the content types are `scoring`'s again."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType as CurrentContentType
from django.utils import timezone

from scoring.accounts.models import Account, ApiKey, Membership
from scoring.conversations.models import ConversationGrade
from scoring.leads.models import Score
from tests.migration_steps import SPLIT_APPS, latest, migrate, scoring_at

BEFORE_SPLIT = ("scoring", "0012_read_path_indexes")
# The moved models and their app after the split; before it, all were `scoring`'s.
MOVED = {
    **dict.fromkeys(("Account", "Membership", "ApiKey", "AuditEvent"), "accounts"),
    **dict.fromkeys(("Bot", "ConversationGrade"), "conversations"),
}
STAYED = ("Offer", "LeadUpload", "Lead", "Score", "ScoringRun", "IdempotencyRecord")
# The app label of each model the split touches, by name, before it and after it.
OLD_LABELS = dict.fromkeys([*MOVED, *STAYED], "scoring")
NEW_LABELS = {**OLD_LABELS, **MOVED}


@pytest.fixture
def old_layout(transactional_db):
    """The schema and state before the split; put back to the latest afterwards, whatever
    happens, so that the rest of the suite finds the schema it expects."""
    try:
        yield migrate(scoring_at(BEFORE_SPLIT[1]))
    finally:
        migrate(latest())
        # The real manager caches content types by label and id; the migrations relabelled.
        CurrentContentType.objects.clear_cache()


def _populate(old):
    """A row in every table the split touches, written through the old historical models,
    and a permission on a moved model of each new app, granted to a user directly and
    through a group. Returns the user's id and the moved models' content type ids."""

    def model(name):
        return old.get_model("scoring", name)

    now = timezone.now()
    user = old.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.create(username="legacy")
    account = model("Account").objects.create(name="Legacy", slug="legacy")
    model("Membership").objects.create(user=user, account=account)
    model("ApiKey").objects.create(user=user, name="ci", prefix="legacy01", key_hash="a" * 64)
    model("AuditEvent").objects.create(
        account=account, user=user, action="upload", object_type="upload", detail={"rows": 1}
    )
    offer = model("Offer").objects.create(
        account=account, name="Ledger close", value_props=["Invoice matching"],
        ideal_use_cases=["Finance"], buyer_profile={"primary_departments": ["finance"]},
    )  # fmt: skip
    upload = model("LeadUpload").objects.create(account=account, file_name="old.csv", row_count=1)
    lead = model("Lead").objects.create(
        account=account, upload=upload, name="Ada", role="CFO", seniority="c_level",
        departments=["finance", "executive"],  # as the title vocabulary reads it (0016)
    )  # fmt: skip
    model("Score").objects.create(
        account=account, lead=lead, offer=offer, rule_score=50, role_points=20,
        industry_points=20, completeness_points=10, ai_label="High", ai_score=50, score=100,
        intent="High", reasoning="Legacy.", provider="local", model="local-keyword-v1",
        scored_at=now,
    )  # fmt: skip
    run = model("ScoringRun").objects.create(
        account=account, offer=offer, user=user, provider="local", model="local-keyword-v1"
    )
    model("IdempotencyRecord").objects.create(
        account=account, run=run, key="k1", endpoint="/api/runs/", fingerprint="f" * 64,
        created_at=now,
    )  # fmt: skip
    bot = model("Bot").objects.create(account=account, bot_id="bot-legacy", name="Legacy bot")
    model("ConversationGrade").objects.create(
        account=account, bot=bot, task_id="t1", visitor_id="v1", session_id="s1",
        conversation_history=[{"role": "user", "content": "Pricing?"}], lead_score=80,
        lead_category="hot", engagement_level="high", reasoning="Asked.", graded_at=now,
        model_used="local", conversation_count=1,
    )  # fmt: skip

    # A real old database has these (post_migrate made them); the test database's are the
    # latest ones relabelled back by 0013's reverse. Made here should they be missing.
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    ct_ids = {
        name: ContentType.objects.get_or_create(app_label="scoring", model=name.lower())[0].pk
        for name in MOVED
    }

    def permission(name, codename):
        return Permission.objects.create(
            content_type_id=ct_ids[name], codename=codename, name=codename
        )

    user.user_permissions.add(permission("Account", "export_account"))
    group = old.get_model("auth", "Group").objects.create(name="graders")
    group.permissions.add(permission("ConversationGrade", "regrade"))
    user.groups.add(group)
    return user.pk, ct_ids


def _rows(apps, labels, *, like=None):
    """Every row of the tables the split touches, as stored, by model name; with `like`
    (rows read before), only the columns those had: later migrations add columns."""
    rows = {
        name: list(apps.get_model(label, name).objects.order_by("pk").values())
        for name, label in labels.items()
    }
    if like is not None:
        for name, old_rows in like.items():
            keys = set(old_rows[0]) if old_rows else set()
            rows[name] = [{k: v for k, v in row.items() if k in keys} for row in rows[name]]
    return rows


def _content_type_ids(apps, labels):
    """The moved models' content type ids; fails unless exactly one is under the label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    return {
        name: ContentType.objects.get(app_label=labels[name], model=name.lower()).pk
        for name in MOVED
    }


def _none_left_under(apps, labels):
    ContentType = apps.get_model("contenttypes", "ContentType")
    moved = [name.lower() for name in MOVED]
    return not ContentType.objects.filter(app_label__in=labels, model__in=moved).exists()


def _assert_the_real_models_read_it(user_pk, ct_ids):
    """The application's own models find the rows and follow their foreign keys."""
    score = Score.objects.select_related("lead", "offer__account").get(lead__name="Ada")
    assert (score.lead.role, score.offer.account.slug) == ("CFO", "legacy")
    grade = ConversationGrade.objects.select_related("bot__account").get(task_id="t1")
    assert (grade.bot.bot_id, grade.bot.account.slug) == ("bot-legacy", "legacy")
    assert ApiKey.objects.get(prefix="legacy01").user_id == user_pk
    assert Membership.objects.get(user_id=user_pk).account == Account.objects.get(slug="legacy")
    assert CurrentContentType.objects.get_for_model(Account).pk == ct_ids["Account"]
    # A fresh user: has_perm caches the permissions on the object it is asked of.
    user = get_user_model().objects.get(pk=user_pk)
    assert user.has_perm("accounts.export_account")
    assert user.has_perm("conversations.regrade")


# transactional_db (no wrapping transaction): the schema editor can run on SQLite and
# PostgreSQL alike, and every migration commits as it would in production.
@pytest.mark.django_db(transaction=True)
def test_rows_ids_and_content_types_survive_the_split(old_layout):
    user_pk, ct_ids = _populate(old_layout)
    before = _rows(old_layout, OLD_LABELS)
    assert all(before.values())

    new = migrate(latest())

    assert _rows(new, NEW_LABELS, like=before) == before
    assert _content_type_ids(new, NEW_LABELS) == ct_ids
    assert _none_left_under(new, ["scoring"])
    _assert_the_real_models_read_it(user_pk, ct_ids)


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_keeps_rows_and_relabels_content_types_back(old_layout):
    user_pk, ct_ids = _populate(old_layout)
    before = _rows(old_layout, OLD_LABELS)
    migrate(latest())

    back = migrate(scoring_at(BEFORE_SPLIT[1]))

    assert _rows(back, OLD_LABELS) == before
    assert _content_type_ids(back, OLD_LABELS) == ct_ids
    assert _none_left_under(back, SPLIT_APPS)
    Permission = back.get_model("auth", "Permission")
    assert Permission.objects.filter(
        user__pk=user_pk, content_type__app_label="scoring", codename="export_account"
    ).exists()

    new = migrate(latest())

    assert _rows(new, NEW_LABELS, like=before) == before
    assert _content_type_ids(new, NEW_LABELS) == ct_ids
    _assert_the_real_models_read_it(user_pk, ct_ids)


def _early_account_content_type(old):
    """('accounts', 'account') made before 0013 runs, as post_migrate does after
    `migrate accounts` on an old database, with a permission of its own and a duplicate of
    one of the old content type's, both granted to a user. Returns the user's id and its."""
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    old_ct, _ = ContentType.objects.get_or_create(app_label="scoring", model="account")
    Permission.objects.get_or_create(
        content_type=old_ct, codename="view_account", defaults={"name": "Can view account"}
    )
    early = ContentType.objects.create(app_label="accounts", model="account")
    early_view = Permission.objects.create(
        content_type=early, codename="view_account", name="Can view account"
    )
    auditor = old.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.create(username="a")
    auditor.user_permissions.add(
        Permission.objects.create(content_type=early, codename="audit_account", name="Audit"),
        early_view,
    )
    return auditor.pk, early.pk


@pytest.mark.django_db(transaction=True)
def test_a_content_type_made_early_under_the_new_label_is_merged_into_the_old(old_layout):
    user_pk, ct_ids = _populate(old_layout)
    auditor_pk, early_pk = _early_account_content_type(old_layout)
    on_old = old_layout.get_model("auth", "Permission").objects.filter(
        content_type_id=ct_ids["Account"]
    )
    codenames = set(on_old.values_list("codename", flat=True))

    new = migrate(latest())

    assert _content_type_ids(new, NEW_LABELS) == ct_ids
    assert not new.get_model("contenttypes", "ContentType").objects.filter(pk=early_pk).exists()
    merged = new.get_model("auth", "Permission").objects.filter(content_type_id=ct_ids["Account"])
    assert set(merged.values_list("codename", flat=True)) == codenames | {"audit_account"}
    _assert_the_real_models_read_it(user_pk, ct_ids)
    assert get_user_model().objects.get(pk=auditor_pk).has_perm("accounts.audit_account")


@pytest.mark.django_db(transaction=True)
def test_a_grant_of_a_duplicate_permission_survives_the_merge(old_layout):
    auditor_pk, _ = _early_account_content_type(old_layout)

    migrate(latest())

    assert get_user_model().objects.get(pk=auditor_pk).has_perm("accounts.view_account")


@pytest.mark.django_db(transaction=True)
def test_an_admin_log_entry_of_the_early_content_type_follows_the_merge(old_layout):
    _, ct_ids = _populate(old_layout)
    auditor_pk, early_pk = _early_account_content_type(old_layout)
    entry = old_layout.get_model("admin", "LogEntry").objects.create(
        user_id=auditor_pk, content_type_id=early_pk, object_id="1", object_repr="Acme",
        action_flag=2, change_message="[]", action_time=timezone.now(),
    )  # fmt: skip

    new = migrate(latest())

    moved = new.get_model("admin", "LogEntry").objects.get(pk=entry.pk)
    assert moved.content_type_id == ct_ids["Account"]
