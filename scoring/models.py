from django.db import models

# CSV cells longer than this are refused at upload with the row and column named, rather
# than truncated; only the bio is unbounded.
LEAD_FIELD_MAX_LENGTH = 255


class Intent(models.TextChoices):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class Offer(models.Model):
    """A product offer that leads are scored against."""

    name = models.CharField(max_length=255)
    value_props = models.JSONField(default=list)
    ideal_use_cases = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class LeadUpload(models.Model):
    """One CSV file's batch of leads."""

    file_name = models.CharField(max_length=255)
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.row_count} leads)"


class Lead(models.Model):
    """A person to be scored, as uploaded; any field but the upload may be empty."""

    upload = models.ForeignKey(LeadUpload, on_delete=models.CASCADE, related_name="leads")
    name = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    role = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    company = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    industry = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    location = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    linkedin_bio = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["industry"], name="lead_industry_idx")]

    def __str__(self):
        return f"{self.name or '(no name)'} — {self.company or '(no company)'}"


class Score(models.Model):
    """A lead's score against one offer: the rule half, the AI half and why."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="scores")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="scores")

    # Rules (0–50): the points of each factor and the keyword that earned them.
    rule_score = models.PositiveSmallIntegerField()
    role_points = models.PositiveSmallIntegerField()
    role_keyword = models.CharField(max_length=50, blank=True)
    industry_points = models.PositiveSmallIntegerField()
    industry_keyword = models.CharField(max_length=50, blank=True)
    completeness_points = models.PositiveSmallIntegerField()

    # AI (0–50): the provider's label, its points and the factors it named.
    ai_label = models.CharField(max_length=10, choices=Intent.choices)
    ai_score = models.PositiveSmallIntegerField()
    ai_factors = models.JSONField(default=list, blank=True)

    score = models.PositiveSmallIntegerField()
    intent = models.CharField(max_length=10, choices=Intent.choices)
    reasoning = models.TextField()
    provider = models.CharField(max_length=50)
    model = models.CharField(max_length=100)
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "offer"], name="unique_score_per_lead_offer"),
        ]
        indexes = [
            models.Index(fields=["offer", "-score"], name="score_offer_score_idx"),
            models.Index(fields=["offer", "intent"], name="score_offer_intent_idx"),
            models.Index(fields=["lead", "-scored_at"], name="score_lead_latest_idx"),
        ]

    def __str__(self):
        return f"{self.lead} → {self.offer}: {self.score} ({self.intent})"
