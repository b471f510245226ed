from django.contrib import admin

from scoring.models import Lead, LeadUpload, Offer, Score

_SCORE_PARTS = (
    "score", "intent", "rule_score", "role_points", "role_keyword", "industry_points",
    "industry_keyword", "completeness_points", "ai_label", "ai_score", "ai_factors",
    "reasoning", "provider", "model", "scored_at",
)  # fmt: skip


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    date_hierarchy = "created_at"


@admin.register(LeadUpload)
class LeadUploadAdmin(admin.ModelAdmin):
    list_display = ("file_name", "row_count", "created_at")
    search_fields = ("file_name",)
    readonly_fields = ("row_count", "created_at")


class ScoreInline(admin.TabularInline):
    model = Score
    fields = ("offer", "score", "intent", "rule_score", "ai_label", "provider", "reasoning")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-scored_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "company", "industry", "location", "upload")
    list_filter = ("industry",)
    search_fields = ("name", "company", "role")
    list_select_related = ("upload",)
    raw_id_fields = ("upload",)
    inlines = (ScoreInline,)


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("lead", "company", "offer", "score", "intent", "provider")
    list_filter = ("intent", "offer", "lead__industry", "provider")
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
