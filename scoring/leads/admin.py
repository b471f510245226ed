import functools

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from scoring.core.exceptions import ApplicationError
from scoring.leads.api.files import EXPORT_BATCH_SIZE, csv_attachment
from scoring.leads.buyer_profile import BuyerProfile, validate_profile_fields
from scoring.leads.header_mapping import mapping_from_json
from scoring.leads.lead_csv import export_chunks
from scoring.leads.matcher import LocalAssessor
from scoring.leads.models import Lead, LeadUpload, Offer, Score, ScoringRun
from scoring.leads.rules import Factor
from scoring.leads.score_export import SCORES
from scoring.leads.services.leads import ON_DUPLICATE, lead_update, leads_import
from scoring.leads.services.offers import offer_create, offer_update

_SCORE_PARTS = (
    "score", "intent", "explanation", "rule_set", "rule_score", "role_points", "role_keyword",
    "industry_points", "industry_keyword", "completeness_points", "ai_status", "ai_error",
    "ai_label", "ai_score",
    "ai_factors", "reasoning", "provider", "model", "prompt_version", "content_hash",
    "latency_ms", "input_tokens", "output_tokens", "scored_at",
)  # fmt: skip
# The Score changelist's reasoning column: this many characters of it (the whole of it in
# the cell's title, shown on hover), so that a row stays a few lines high.
REASONING_PREVIEW_CHARS = 120
EXPORT_ACTION_DESCRIPTION = "Export selected scores as CSV"


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
        local = LocalAssessor()
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


class LeadUploadAddForm(forms.ModelForm):
    """A file to import, as the API's upload takes it: the form is valid once the import
    has gone through (in the admin's transaction), so no upload is ever saved empty."""

    file = forms.FileField(help_text="A CSV or .xlsx file of leads, e.g. a CRM's export.")
    mapping = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Optional JSON over the header aliases: {"role": "Position"}.',
    )
    on_duplicate = forms.ChoiceField(
        choices=[(choice, choice) for choice in ON_DUPLICATE],
        initial="update",
        help_text="A person the account has already: update, skip, or create another.",
    )
    sheet = forms.CharField(required=False, help_text="The .xlsx sheet (default: the first).")

    class Meta:
        model = LeadUpload
        fields = ("account",)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.upload = request, None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        file = cleaned["file"]
        try:
            self.upload = leads_import(
                account=cleaned["account"],
                user=self.request.user if self.request else None,
                file=file,
                file_name=file.name or "upload.csv",
                mapping=mapping_from_json(cleaned.get("mapping")),
                on_duplicate=cleaned["on_duplicate"],
                sheet=cleaned.get("sheet") or None,
            )
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        return cleaned


@admin.register(LeadUpload)
class LeadUploadAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "account",
        "row_count",
        "created",
        "updated",
        "skipped",
        "created_at",
    )
    list_filter = ("account",)
    search_fields = ("file_name",)
    readonly_fields = ("file_name", "row_count", "created", "updated", "skipped", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, form=LeadUploadAddForm, **kwargs)
        return functools.partial(form, request=request)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("account", "file", "mapping", "on_duplicate", "sheet")
        return ("account", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("account", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # The import saved the upload: the admin goes on with it (its message, its redirect).
        obj.pk, obj._state = form.upload.pk, form.upload._state
        for field in LeadUpload._meta.concrete_fields:
            setattr(obj, field.attname, getattr(form.upload, field.attname))


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

    # Read-only, as in ScoreAdmin: scores change by scoring.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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
    """A review desk: who, the score and why at a glance (seven columns, which fit a 1280 px
    screen beside the filters), every part of a score on its page. Read-only: a score changes
    by scoring (a run keeps its rule half, its AI half and its reasoning consistent), never by
    hand; the view permission keeps its page."""

    # The lead and the offer by name, through methods: a foreign key's column would not wrap
    # (Django's "nowrap"), and the lead's str() repeats its company.
    list_display = (
        "lead_name", "company", "role", "score", "intent", "reasoning_preview", "offer_name",
    )  # fmt: skip
    # ai_status "failed": leads whose AI call failed; the next scoring run retries them.
    list_filter = ("intent", "ai_status", "offer", "lead__industry", "provider", "account")
    search_fields = ("lead__name", "lead__company")
    ordering = ("-score",)
    list_select_related = ("lead", "offer")
    raw_id_fields = ("lead",)
    readonly_fields = _SCORE_PARTS
    actions = ("export_selected_scores",)

    # Scores come from scoring runs, which keep the rules and the AI half consistent.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # None on the Score admin's own pages. Deleting a lead, an offer, an upload or an
        # account (elsewhere in the admin) deletes its scores too, and Django asks this of
        # each score it takes along: there, the user's own permission answers.
        match = request.resolver_match
        own_page = f"{self.opts.app_label}_{self.opts.model_name}_"
        if match is None or (match.url_name or "").startswith(own_page):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="Lead", ordering="lead__name")
    def lead_name(self, score):
        return score.lead.name or "(no name)"

    @admin.display(ordering="lead__company")
    def company(self, score):
        return score.lead.company

    @admin.display(ordering="lead__role")
    def role(self, score):
        return score.lead.role

    @admin.display(description="Reasoning")
    def reasoning_preview(self, score):
        """The reasoning on one line, cut to REASONING_PREVIEW_CHARS characters; the whole of
        it in the title (a tooltip)."""
        one_line = " ".join(score.reasoning.split())
        preview = Truncator(one_line).chars(REASONING_PREVIEW_CHARS)
        return format_html('<span title="{}">{}</span>', score.reasoning, preview)

    @admin.display(description="Offer", ordering="offer__name")
    def offer_name(self, score):
        return score.offer.name

    @admin.display(description="Explanation (the points add up to the score)")
    def explanation(self, score):
        lines = [str(Factor(**factor)) for factor in score.factors]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) or "-"

    @admin.action(description=EXPORT_ACTION_DESCRIPTION, permissions=["view"])
    def export_selected_scores(self, request, queryset):
        """The selected scores as GET /api/scores/export/ writes them (the same columns and
        cells, streamed), in the changelist's order. Not scoped to an account: the admin is
        for staff only, and it shows every account's scores (the "account" filter narrows
        them); what is selected is what is exported."""
        rows = queryset.values_list(*SCORES.fields).iterator(chunk_size=EXPORT_BATCH_SIZE)
        lines = export_chunks(map(SCORES.row, rows), SCORES.header)
        return csv_attachment(lines, file_name=SCORES.file_name)


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
