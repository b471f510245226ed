from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from scoring.buyer_profile import BuyerProfile, validate_profile_fields
from scoring.exceptions import ScoringError
from scoring.models import (
    Account,
    ApiKey,
    AuditEvent,
    Bot,
    ConversationGrade,
    Lead,
    LeadUpload,
    Membership,
    Offer,
    Score,
    ScoringRun,
)
from scoring.providers.local import LocalProvider
from scoring.rules import Factor
from scoring.services.conversations import grades_redeliver
from scoring.services.leads import lead_update
from scoring.services.offers import offer_create, offer_update

_SCORE_PARTS = (
    "score", "intent", "explanation", "rule_set", "rule_score", "role_points", "role_keyword",
    "industry_points", "industry_keyword", "completeness_points", "ai_status", "ai_error",
    "ai_label", "ai_score",
    "ai_factors", "reasoning", "provider", "model", "prompt_version", "content_hash",
    "latency_ms", "input_tokens", "output_tokens", "scored_at",
)  # fmt: skip


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_api_token USER`, which shows the secret once;
    here they can be reviewed and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    fields = ("name", *readonly_fields)
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {revoked} API key(s).")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write and nobody edits: listed and viewed only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    # The trail is written by the services only, and kept as written.
    list_display = ("created_at", "account", "user", "action", "object_type", "object_id")
    list_filter = ("action", "account", "object_type")
    search_fields = ("user__username", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("account", "user")


class OfferAdminForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ("account", "name", "value_props", "ideal_use_cases", "rule_set", "buyer_profile")
        help_texts = {
            "buyer_profile": (
                "Who buys it: primary_departments, secondary_departments, min_seniority, "
                "target_industries, vertical, competitors. Fields you set make it explicit; "
                "empty ({}) infers it again from the offer's text."
            ),
        }

    def clean_buyer_profile(self):
        profile = self.cleaned_data.get("buyer_profile") or {}
        if not isinstance(profile, dict):
            raise forms.ValidationError("The buyer profile must be a JSON object.")
        try:
            return validate_profile_fields(profile)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    form = OfferAdminForm
    list_display = ("name", "account", "buyer", "rule_set", "created_at")
    list_filter = ("account", "rule_set")
    search_fields = ("name",)
    date_hierarchy = "created_at"

    @admin.display(description="Buyer profile")
    def buyer(self, offer):
        profile = BuyerProfile.from_dict(offer.buyer_profile)
        departments = ", ".join(profile.primary_departments) or "no department"
        industries = ", ".join(profile.target_industries) or "any industry"
        return f"{departments} · {industries} ({profile.source})"

    def save_model(self, request, obj, form, change):
        # Through the services, so an empty or partial profile is inferred from the text, by
        # the local vocabulary: the admin saves in a transaction, which must not wait on a
        # remote provider.
        given = obj.buyer_profile or {}  # cleaned: profile fields only
        local = LocalProvider()
        if change:
            changed = {name: getattr(obj, name) for name in form.changed_data}
            profile = given if changed.pop("buyer_profile", None) is not None else None
            offer_update(
                offer=Offer.objects.get(pk=obj.pk), buyer_profile=profile, provider=local, **changed
            )
        else:
            obj.pk = offer_create(
                account=obj.account,
                name=obj.name,
                value_props=obj.value_props,
                ideal_use_cases=obj.ideal_use_cases,
                buyer_profile=given or None,
                rule_set=obj.rule_set,
                provider=local,
            ).pk


@admin.register(LeadUpload)
class LeadUploadAdmin(admin.ModelAdmin):
    list_display = ("file_name", "account", "row_count", "created_at")
    list_filter = ("account",)
    search_fields = ("file_name",)
    readonly_fields = ("row_count", "created_at")


class ScoreInline(admin.TabularInline):
    model = Score
    fields = (
        "offer",
        "score",
        "intent",
        "rule_score",
        "ai_label",
        "ai_status",
        "provider",
        "reasoning",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-scored_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = (
        "name", "role", "seniority", "departments", "company", "industry", "location", "account",
        "upload",
    )  # fmt: skip
    list_filter = ("account", "seniority", "industry")
    readonly_fields = ("seniority", "departments")  # from the role, on every save
    search_fields = ("name", "company", "role")
    list_select_related = ("upload",)
    raw_id_fields = ("upload",)
    inlines = (ScoreInline,)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
        lead_update(lead=obj, **{name: getattr(obj, name) for name in form.changed_data})


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("lead", "company", "offer", "score", "intent", "ai_status", "provider")
    # ai_status "failed": leads whose AI call failed; the next scoring run retries them.
    list_filter = ("intent", "ai_status", "offer", "lead__industry", "provider", "account")
    search_fields = ("lead__name", "lead__company")
    ordering = ("-score",)
    list_select_related = ("lead", "offer")
    raw_id_fields = ("lead",)
    readonly_fields = _SCORE_PARTS

    def has_add_permission(self, request):
        # Scores come from scoring runs, which keep the rules and the AI half consistent.
        return False

    @admin.display(ordering="lead__company")
    def company(self, score):
        return score.lead.company

    @admin.display(description="Explanation (the points add up to the score)")
    def explanation(self, score):
        lines = [str(Factor(**factor)) for factor in score.factors]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) or "-"


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = (
        "id", "offer", "account", "status", "total", "scored", "cached", "failed",
        "chunks_done", "chunks_total", "created_at", "finished_at",
    )  # fmt: skip
    list_filter = ("status", "account", "provider")
    list_select_related = ("offer", "account")
    readonly_fields = [field.name for field in ScoringRun._meta.fields]

    # Runs are started through the API, /score/ or `manage.py score`, never typed in.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bot)
class BotAdmin(admin.ModelAdmin):
    """The backend's chat bots: a grading task for a bot_id not listed here is refused."""

    list_display = ("bot_id", "name", "account", "created_at")
    list_filter = ("account",)
    search_fields = ("bot_id", "name")
    list_select_related = ("account",)
    readonly_fields = ("created_at",)


REDELIVERED_MESSAGE = "Redelivered: {delivered} delivered, {failed} failed, {skipped} skipped."


@admin.register(ConversationGrade)
class ConversationGradeAdmin(ReadOnlyAdmin):
    list_display = (
        "task_id", "visitor_id", "bot", "lead_score", "lead_category", "delivery_status",
        "delivery_attempts", "graded_at",
    )  # fmt: skip
    # delivery_status "failed": results the backend has not got; "Redeliver webhook" retries.
    list_filter = ("lead_category", "delivery_status", "account")
    search_fields = ("task_id", "visitor_id")
    date_hierarchy = "graded_at"
    list_select_related = ("bot", "account")
    readonly_fields = [field.name for field in ConversationGrade._meta.fields]
    actions = ("redeliver_webhook",)

    # Grades come from graded tasks and are kept as graded; only their delivery is retried.
    def has_redeliver_permission(self, request):
        # The model's change permission, which ReadOnlyAdmin withholds from the change
        # form only.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Redeliver webhook", permissions=["redeliver"])
    def redeliver_webhook(self, request, queryset):
        """Deliver the selected grades' results now: failed and pending ones; those
        delivered, answered over HTTP or being delivered are skipped."""
        try:
            counts = grades_redeliver(grades=queryset)
        except ScoringError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return
        level = messages.WARNING if counts["failed"] else messages.SUCCESS
        self.message_user(request, REDELIVERED_MESSAGE.format(**counts), level=level)
