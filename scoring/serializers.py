from rest_framework import serializers

from scoring.models import Intent, Lead, LeadUpload, Offer, Score

OFFER_LIST_ITEM_MAX_LENGTH = 500


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer; invalid input also gets DRF's detail per field."""

    error = serializers.CharField(help_text="What went wrong, for a person to read.")
    fields = serializers.JSONField(
        required=False, help_text="Invalid input only: what is wrong with each field."
    )


class IntentField(serializers.ChoiceField):
    """An intent label; the schema names its choices once, as the `Intent` component."""

    def __init__(self, **kwargs):
        super().__init__(choices=Intent.choices, **kwargs)


class OfferSerializer(serializers.ModelSerializer):
    value_props = serializers.ListField(
        child=serializers.CharField(max_length=OFFER_LIST_ITEM_MAX_LENGTH)
    )
    ideal_use_cases = serializers.ListField(
        child=serializers.CharField(max_length=OFFER_LIST_ITEM_MAX_LENGTH)
    )

    class Meta:
        model = Offer
        fields = ["id", "name", "value_props", "ideal_use_cases", "created_at"]
        read_only_fields = ["id", "created_at"]


class LeadUploadSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadUpload
        fields = ["id", "file_name", "row_count", "created_at"]
        read_only_fields = fields


class LeadUploadRequestSerializer(serializers.Serializer):
    csv_file = serializers.FileField(
        help_text="CSV with the columns name,role,company,industry,location,linkedin_bio."
    )


class LeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = [
            "id", "upload", "name", "role", "company", "industry", "location",
            "linkedin_bio", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class LeadBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "name", "role", "company", "industry", "location"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer):
    lead = LeadBriefSerializer(read_only=True)
    intent = IntentField(read_only=True)
    ai_label = IntentField(read_only=True)

    class Meta:
        model = Score
        fields = [
            "id", "lead", "offer", "score", "intent", "reasoning",
            "rule_score", "role_points", "role_keyword", "industry_points", "industry_keyword",
            "completeness_points", "ai_label", "ai_score", "ai_factors", "provider", "model",
            "scored_at",
        ]  # fmt: skip
        read_only_fields = fields


class ScoreRequestSerializer(serializers.Serializer):
    offer_id = serializers.IntegerField(
        required=False, min_value=1, help_text="Defaults to the latest offer."
    )
    rescore = serializers.BooleanField(
        default=False, help_text="Score again leads already scored for this offer."
    )


class OfferScoreRequestSerializer(serializers.Serializer):
    rescore = serializers.BooleanField(default=False)


class ScoringSummarySerializer(serializers.Serializer):
    offer = serializers.IntegerField(source="offer.id")
    scored = serializers.IntegerField()
    skipped = serializers.IntegerField()
    seconds = serializers.FloatField()


# --- The seed's response shapes, kept byte-for-byte -------------------------------------------


class SeedScoredLeadSerializer(serializers.Serializer):
    name = serializers.CharField(source="lead.name")
    role = serializers.CharField(source="lead.role")
    company = serializers.CharField(source="lead.company")
    industry = serializers.CharField(source="lead.industry")
    location = serializers.CharField(source="lead.location")
    intent = serializers.CharField()
    score = serializers.IntegerField()
    reasoning = serializers.CharField()


class SeedResultSerializer(serializers.Serializer):
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


class SeedResultsQuerySerializer(serializers.Serializer):
    offer_id = serializers.IntegerField(required=False, min_value=1)


class SeedMessageSerializer(serializers.Serializer):
    message = serializers.CharField()
