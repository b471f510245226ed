from django.conf import settings
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from scoring.core.pagination import MAX_PAGE_SIZE
from scoring.leads.buyer_profile import (
    BOTH_PRIMARY_AND_SECONDARY_ERROR,
    DEPARTMENT_KEYS,
    INDUSTRY_KEYS,
    PROFILE_FIELDS,
    SOURCE_EXPLICIT,
    SOURCE_INFERRED,
    UNKNOWN_PROFILE_FIELD_ERROR,
)
from scoring.leads.models import (
    Intent,
    Lead,
    LeadUpload,
    Offer,
    RuleSet,
    Score,
    ScoringRun,
    Seniority,
)
from scoring.leads.score_export import EXPORT_FORMATS, UNKNOWN_EXPORT_FORMAT_ERROR
from scoring.leads.services.leads import ON_DUPLICATE

OFFER_LIST_ITEM_MAX_LENGTH = 500
COMPETITOR_MAX_LENGTH = 255
MAX_COMPETITORS = 100


class IntentField(serializers.ChoiceField):
    """An intent label; the schema names its choices once, as the `Intent` component."""

    def __init__(self, **kwargs):
        super().__init__(choices=Intent.choices, **kwargs)


def _choice_list(choices, help_text: str, **kwargs) -> serializers.ListField:
    """A list of keys whose error, for a wrong one, lists the keys there are."""
    invalid = '"{input}" is not a valid choice; expected one of: ' + ", ".join(choices) + "."
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": invalid}),
        required=False,
        max_length=len(choices),
        help_text=help_text,
        **kwargs,
    )


class BuyerProfileSerializer(serializers.Serializer):
    """Who buys an offer. Any field given replaces the inferred one and makes the profile
    `explicit`; the rest stay inferred from the offer's text; `{}` infers it afresh."""

    primary_departments = _choice_list(
        DEPARTMENT_KEYS, "The departments that buy it.", allow_empty=False
    )
    secondary_departments = _choice_list(
        DEPARTMENT_KEYS, "The departments that influence the purchase."
    )
    min_seniority = serializers.ChoiceField(
        choices=Seniority.choices, required=False, help_text="The least seniority that signs."
    )
    target_industries = _choice_list(
        INDUSTRY_KEYS, "The industries it is made for; empty: a horizontal product."
    )
    vertical = serializers.BooleanField(
        required=False, help_text="Only the target industries buy it."
    )
    competitors = serializers.ListField(
        child=serializers.CharField(max_length=COMPETITOR_MAX_LENGTH),
        required=False,
        max_length=MAX_COMPETITORS,
        help_text="Companies whose people are never leads for it.",
    )
    source = serializers.ChoiceField(
        choices=[SOURCE_INFERRED, SOURCE_EXPLICIT],
        read_only=True,
        help_text="explicit when any field was given, else inferred.",
    )
    inferred_by = serializers.CharField(
        read_only=True,
        help_text="What read the inferred fields from the offer's text: the local vocabulary "
        "or a remote provider's model.",
    )

    def to_internal_value(self, data):
        # A misspelt field must not pass for "no field given", which infers the profile
        # afresh and drops the fields set before.
        if isinstance(data, dict):
            unknown = [key for key in data if key not in self.fields]
            if unknown:
                raise serializers.ValidationError(
                    {
                        key: UNKNOWN_PROFILE_FIELD_ERROR.format(
                            key=key, choices=", ".join(PROFILE_FIELDS)
                        )
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)

    def validate(self, attrs):
        both = set(attrs.get("primary_departments", ())) & set(
            attrs.get("secondary_departments", ())
        )
        if both:
            raise serializers.ValidationError(
                {
                    "secondary_departments": BOTH_PRIMARY_AND_SECONDARY_ERROR.format(
                        departments=", ".join(sorted(both))
                    )
                }
            )
        return attrs


class OfferSerializer(serializers.ModelSerializer):
    value_props = serializers.ListField(
        child=serializers.CharField(max_length=OFFER_LIST_ITEM_MAX_LENGTH),
        max_length=settings.OFFER_MAX_LIST_ITEMS,
    )
    ideal_use_cases = serializers.ListField(
        child=serializers.CharField(max_length=OFFER_LIST_ITEM_MAX_LENGTH),
        max_length=settings.OFFER_MAX_LIST_ITEMS,
    )
    buyer_profile = BuyerProfileSerializer(required=False)
    rule_set = serializers.ChoiceField(
        choices=RuleSet.choices,
        required=False,
        allow_blank=True,
        help_text="fit or seed; empty: the SCORING_RULE_SET setting (fit).",
    )

    class Meta:
        model = Offer
        fields = [
            "id", "name", "value_props", "ideal_use_cases", "buyer_profile", "rule_set",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]


class CompatOfferSerializer(serializers.ModelSerializer):
    """The answer of POST /product/offer/ (which takes what OfferSerializer does): the
    seed's five fields."""

    class Meta:
        model = Offer
        fields = ["id", "name", "value_props", "ideal_use_cases", "created_at"]
        read_only_fields = fields


class LeadUploadSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadUpload
        fields = ["id", "file_name", "row_count", "created", "updated", "skipped", "created_at"]
        read_only_fields = fields
        extra_kwargs = {
            "row_count": {"help_text": "The file's leads (rows with anything in them)."},
            "created": {"help_text": "People new to the account, added."},
            "updated": {"help_text": "People the account had (same CRM id, email or URL)."},
            "skipped": {"help_text": "Rows left out: a person already there, or twice here."},
        }


class LeadUploadOptionsSerializer(serializers.Serializer):
    """How an upload's file is read and merged; the file itself is checked by the import."""

    mapping = serializers.CharField(
        required=False,
        help_text='JSON: {"field": "Column"} or {"field": ["Column", ...]}, over the aliases.',
    )
    on_duplicate = serializers.ChoiceField(
        choices=ON_DUPLICATE,
        default="update",
        help_text="A person the account has already: update the lead, skip the row, or "
        "create another lead.",
    )
    sheet = serializers.CharField(
        required=False, help_text="The .xlsx file's sheet to read (default: the first)."
    )


class LeadUploadRequestSerializer(LeadUploadOptionsSerializer):
    csv_file = serializers.FileField(
        help_text="A CSV (comma, semicolon or tab) or .xlsx file of leads, e.g. a CRM's "
        "export: its headers are matched to the lead's fields (README: From your CRM)."
    )


class LeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = [
            "id", "upload", "name", "role", "company", "industry", "location",
            "linkedin_bio", "seniority", "departments", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class LeadBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = [
            "id", "name", "role", "company", "industry", "location", "seniority", "departments",
        ]  # fmt: skip
        read_only_fields = fields


class ScoreFactorSerializer(serializers.Serializer):
    part = serializers.ChoiceField(choices=["role", "industry", "completeness", "ai", "cap"])
    points = serializers.IntegerField(help_text="Negative for a cap; the points sum to the score.")
    reason = serializers.CharField()


class ScoreSerializer(serializers.ModelSerializer):
    lead = LeadBriefSerializer(read_only=True)
    factors = ScoreFactorSerializer(
        many=True, read_only=True, help_text="Every part of the score; their points add up to it."
    )
    intent = IntentField(read_only=True, allow_null=True, help_text="None when the AI failed.")
    ai_label = serializers.CharField(
        read_only=True, help_text="High, Medium or Low; empty when the AI call failed."
    )

    class Meta:
        model = Score
        fields = [
            "id", "lead", "offer", "score", "intent", "reasoning", "factors", "rule_set",
            "rule_score", "role_points", "role_keyword", "industry_points", "industry_keyword",
            "completeness_points", "ai_status", "ai_error", "ai_label", "ai_score", "ai_factors",
            "provider", "model", "prompt_version", "latency_ms", "input_tokens", "output_tokens",
            "scored_at",
        ]  # fmt: skip
        read_only_fields = fields


# What ScoreSerializer lists, read as values: the score's columns, its lead's between.
SCORE_ITEM_VALUES = (
    "id", "lead_id", "lead__name", "lead__role", "lead__company", "lead__industry",
    "lead__location", "lead__seniority", "lead__departments", "offer_id", "score", "intent",
    "reasoning", "factors", "rule_set", "rule_score", "role_points", "role_keyword",
    "industry_points", "industry_keyword", "completeness_points", "ai_status", "ai_error",
    "ai_label", "ai_score", "ai_factors", "provider", "model", "prompt_version", "latency_ms",
    "input_tokens", "output_tokens", "scored_at",
)  # fmt: skip
_SCORE_TAIL_FIELDS = ScoreSerializer.Meta.fields[ScoreSerializer.Meta.fields.index("rule_set") :]
_TIME = serializers.DateTimeField(read_only=True)


def _factor_items(factors):
    """ScoreFactorSerializer(many=True) of a score's factors, without building it for the
    factors as the scoring writes them: {part, points, reason}, a str, an int and a str."""
    if factors.__class__ is not list:
        return None if factors is None else ScoreFactorSerializer(factors, many=True).data
    items = []
    for factor in factors:
        if (
            factor.__class__ is dict
            and len(factor) == 3
            and factor.get("part").__class__ is str
            and factor.get("points").__class__ is int
            and factor.get("reason").__class__ is str
        ):
            items.append(
                {"part": factor["part"], "points": factor["points"], "reason": factor["reason"]}
            )
        else:
            items.append(ScoreFactorSerializer(factor).data)
    return items


def _api_time(value, zone) -> str | None:
    """DateTimeField's text of a time from the database, in the current zone (UTC as "Z"),
    without DRF's per-call lookups of the zone and the format."""
    if value is None or value.tzinfo is None:
        return _TIME.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def score_items(rows) -> list[dict]:
    """ScoreSerializer's data of scores read as SCORE_ITEM_VALUES rows: the same dicts, built
    straight from the values (a page of serializers costs more than the page's queries)."""
    zone = timezone.get_current_timezone()
    items = []
    for row in rows:
        (
            score_id, lead_id, name, role, company, industry, location, seniority, departments,
            offer_id, score, intent, reasoning, factors, *tail,
        ) = row  # fmt: skip
        item = {
            "id": score_id,
            "lead": {
                "id": lead_id, "name": name, "role": role, "company": company,
                "industry": industry, "location": location, "seniority": seniority,
                "departments": departments,
            },
            "offer": offer_id, "score": score, "intent": intent, "reasoning": reasoning,
            "factors": _factor_items(factors),
        }  # fmt: skip
        item.update(zip(_SCORE_TAIL_FIELDS, tail, strict=True))
        item["scored_at"] = _api_time(item["scored_at"], zone)
        items.append(item)
    return items


class ScoreExportQuerySerializer(serializers.Serializer):
    """GET /api/scores/export/'s own parameter, besides the list's filters."""

    format = serializers.ChoiceField(
        choices=EXPORT_FORMATS,
        required=False,
        error_messages={"invalid_choice": UNKNOWN_EXPORT_FORMAT_ERROR},
        help_text=(
            "A CRM's import file instead of every part of the score, an update of the records "
            "the leads came from (their external_id): hubspot (scores-hubspot.csv: Record ID, "
            "Email and the properties IntentScore Score, IntentScore Intent, IntentScore "
            "Reasoning, IntentScore Scored At) or salesforce (scores-salesforce.csv: Id, Email "
            "and the fields IntentScore_Score__c, IntentScore_Intent__c, "
            "IntentScore_Reasoning__c, IntentScore_Scored_At__c). Rows without an external_id "
            "or an email are written too. Filter by offer: a lead scored against two offers "
            "is two rows."
        ),
    )


class ScoreRequestSerializer(serializers.Serializer):
    offer_id = serializers.IntegerField(
        required=False, min_value=1, help_text="Defaults to the latest offer."
    )
    rescore = serializers.BooleanField(
        default=False, help_text="Score again leads already scored for this offer."
    )


class OfferScoreRequestSerializer(serializers.Serializer):
    rescore = serializers.BooleanField(default=False)


class ScoringFailureSerializer(serializers.Serializer):
    lead = serializers.IntegerField()
    error = serializers.CharField()


class ScoringSummarySerializer(serializers.Serializer):
    offer = serializers.IntegerField(source="offer.id")
    scored = serializers.IntegerField(help_text="Leads given a new score, failed ones included.")
    skipped = serializers.IntegerField(help_text="Leads whose stored score was still valid.")
    failed = serializers.IntegerField(help_text="Leads whose AI call failed; retried next run.")
    deferred = serializers.IntegerField(help_text="Leads left for later by LLM_MAX_CALLS_PER_RUN.")
    calls = serializers.IntegerField(help_text="LLM calls made (retries not counted).")
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    seconds = serializers.FloatField()
    failures = ScoringFailureSerializer(many=True)


# --- The seed's response shapes, kept byte-for-byte -------------------------------------------


class CompatScoredLeadSerializer(serializers.Serializer):
    name = serializers.CharField(source="lead.name")
    role = serializers.CharField(source="lead.role")
    company = serializers.CharField(source="lead.company")
    industry = serializers.CharField(source="lead.industry")
    location = serializers.CharField(source="lead.location")
    intent = serializers.CharField(allow_null=True)
    score = serializers.IntegerField()
    reasoning = serializers.CharField()


class CompatResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    company = serializers.CharField()
    industry = serializers.CharField()
    location = serializers.CharField()
    linkedin_bio = serializers.CharField()
    intent = serializers.CharField(source="latest_intent", allow_null=True)
    score = serializers.IntegerField(source="latest_score", allow_null=True)
    reasoning = serializers.CharField(source="latest_reasoning", allow_null=True)
    created_at = serializers.DateTimeField()


class CompatResultsQuerySerializer(serializers.Serializer):
    offer_id = serializers.IntegerField(required=False, min_value=1)


class CompatResultsPageQuerySerializer(CompatResultsQuerySerializer):
    page = serializers.IntegerField(
        required=False, min_value=1, help_text="With page or limit, the answer is one page."
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Leads per page (default {api_settings.PAGE_SIZE}).",
    )


class CompatResultPageSerializer(serializers.Serializer):
    """One page of /results/ (?page=, ?limit=)."""

    count = serializers.IntegerField(help_text="Leads in every page together.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CompatResultSerializer(many=True)


class CompatUploadSerializer(serializers.Serializer):
    """The seed's answer to an upload, its `message`, with what the upload did."""

    message = serializers.CharField()
    created = serializers.IntegerField(help_text="People new to the account, added.")
    updated = serializers.IntegerField(help_text="People the account had, brought up to date.")
    skipped = serializers.IntegerField(help_text="Rows left out (on_duplicate=skip, or twice).")


class ScoringRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringRun
        fields = [
            "id", "offer", "provider", "model", "rescore", "lead_filter", "status", "total",
            "scored", "failed", "cached", "deferred", "calls", "input_tokens", "output_tokens",
            "chunks_total", "chunks_done", "error", "resumes",
            "created_at", "started_at", "finished_at", "heartbeat_at",
        ]  # fmt: skip
        read_only_fields = fields


class LeadFilterSerializer(serializers.Serializer):
    upload = serializers.IntegerField(required=False, min_value=1)
    industry = serializers.CharField(required=False, max_length=255)


class ScoringRunCreateSerializer(serializers.Serializer):
    offer = serializers.IntegerField(min_value=1)
    rescore = serializers.BooleanField(default=False)
    lead_filter = LeadFilterSerializer(required=False)
