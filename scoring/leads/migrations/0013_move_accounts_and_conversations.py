"""The accounts' and conversations' models leave this app (now the lead-scoring app, label
`scoring`) for their own: foreign keys point at accounts.Account, the moved models leave
this app's state, and their content types (with the permissions and admin log entries
that reference them) are relabelled. No table changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = {
    "accounts": ("account", "membership", "apikey", "auditevent"),
    "conversations": ("bot", "conversationgrade"),
}


def _merge_into(apps, *, old, new) -> None:
    """Fold content type `new` (made early, e.g. by post_migrate after `migrate accounts`)
    into `old`: its own permissions move over; a permission both have keeps old's, with
    the user and group grants of new's added; its admin log entries point at old."""
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Group = apps.get_model("auth", "Group")
    LogEntry = apps.get_model("admin", "LogEntry")
    kept = {perm.codename: perm for perm in Permission.objects.filter(content_type=old)}
    for perm in Permission.objects.filter(content_type=new):
        target = kept.get(perm.codename)
        if target is None:
            perm.content_type = old
            perm.save(update_fields=["content_type"])
            continue
        for grants, holder in (
            (User.user_permissions.through, "user_id"),
            (Group.permissions.through, "group_id"),
        ):
            holders = grants.objects.filter(permission=target).values_list(holder, flat=True)
            grants.objects.filter(permission=perm).exclude(**{f"{holder}__in": holders}).update(
                permission=target
            )
        perm.delete()  # with the grants that duplicated old's
    LogEntry.objects.filter(content_type=new).update(content_type=old)
    new.delete()


def _relabel(apps, *, moves):
    """Move each content type to its new app label, keeping its id: permissions, group and
    user grants and admin log entries point at the id. One already under the new label is
    merged into it first, nothing it was given lost."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_label, new_label, model in moves:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is not None:
            _merge_into(apps, old=old, new=new)
        old.app_label = new_label
        old.save(update_fields=["app_label"])


def content_types_move(apps, schema_editor):
    moves = [("scoring", app, model) for app, models_ in MOVED_MODELS.items() for model in models_]
    _relabel(apps, moves=moves)


def content_types_move_back(apps, schema_editor):
    moves = [(app, "scoring", model) for app, models_ in MOVED_MODELS.items() for model in models_]
    _relabel(apps, moves=moves)


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("conversations", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("scoring", "0012_read_path_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist (made by scoring's migrations) and keep their names.
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="score",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scores",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="leadupload",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="uploads",
                        to="accounts.account",
                    ),
                ),
                migrations.RemoveField(
                    model_name="auditevent",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="conversationgrade",
                    name="account",
                ),
                migrations.AlterField(
                    model_name="idempotencyrecord",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="idempotency_records",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="leads",
                        to="accounts.account",
                    ),
                ),
                migrations.RemoveField(
                    model_name="bot",
                    name="account",
                ),
                migrations.AlterField(
                    model_name="offer",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offers",
                        to="accounts.account",
                    ),
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="account",
                ),
                migrations.AlterField(
                    model_name="scoringrun",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scoring_runs",
                        to="accounts.account",
                    ),
                ),
                migrations.RemoveField(
                    model_name="apikey",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="auditevent",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="conversationgrade",
                    name="bot",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Account",
                ),
                migrations.DeleteModel(
                    name="ApiKey",
                ),
                migrations.DeleteModel(
                    name="AuditEvent",
                ),
                migrations.DeleteModel(
                    name="Bot",
                ),
                migrations.DeleteModel(
                    name="ConversationGrade",
                ),
                migrations.DeleteModel(
                    name="Membership",
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_move_back),
    ]
