from django.contrib import admin
from django.utils import timezone

from scoring.models import (
    Account,
    ApiKey,
    AuditEvent,
    Lead,
    LeadUpload,
    Membership,
    Offer,
    Score,
    ScoringRun,
)

_SCORE_PARTS = (
    "score", "intent", "rule_score", "role_points", "role_keyword", "industry_points",
    "industry_keyword", "completeness_points", "ai_status", "ai_error", "ai_label", "ai_score",
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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "account", "user", "action", "object_type", "object_id")
    list_filter = ("action", "account", "object_type")
    search_fields = ("user__username", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("account", "user")

    # The trail is written by the services only, and kept as written.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "created_at")
    list_filter = ("account",)
    search_fields = ("name",)
    date_hierarchy = "created_at"


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
    list_display = ("name", "role", "company", "industry", "location", "account", "upload")
    list_filter = ("account", "industry")
    search_fields = ("name", "company", "role")
    list_select_related = ("upload",)
    raw_id_fields = ("upload",)
    inlines = (ScoreInline,)


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
