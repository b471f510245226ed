from django.conf import settings
from django.db import models
from django.db.models import JSONField, Q, Value
from django.db.models.functions import Lower

from scoring.accounts.models import Account
from scoring.core.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH

# CSV cells longer than this are refused at upload with the row and column named, rather
# than truncated; only the bio is unbounded.
LEAD_FIELD_MAX_LENGTH = 255


class Intent(models.TextChoices):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class RuleSet(models.TextChoices):
    FIT = "fit"
    SEED = "seed"


class Seniority(models.TextChoices):
    C_LEVEL = "c_level", "C-level"
    VP = "vp", "VP"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    INDIVIDUAL = "individual", "Individual contributor"
    ENTRY = "entry", "Entry-level"


class AiStatus(models.TextChoices):
    OK = "ok"
    FAILED = "failed"


class Offer(models.Model):
    """A product offer that leads are scored against."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="offers")
    name = models.CharField(max_length=255)
    value_props = models.JSONField(default=list)
    ideal_use_cases = models.JSONField(default=list)
    # Who buys it (scoring/leads/buyer_profile.py: departments, seniority, industries, competitors)
    # and whether it was given ("explicit") or read from the offer's text ("inferred").
    buyer_profile = models.JSONField(default=dict, blank=True)
    # "fit" or "seed"; empty: the SCORING_RULE_SET setting.
    rule_set = models.CharField(max_length=10, choices=RuleSet.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class LeadUpload(models.Model):
    """One file's batch of leads: the people it added (created), those already in the
    account it brought up to date (updated) or left as they were (skipped)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="uploads")
    file_name = models.CharField(max_length=255)
    row_count = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.row_count} leads)"


class Lead(models.Model):
    """A person to be scored, as uploaded; any field but the upload may be empty."""

    # A lead's account is its upload's (the import writes both from the upload, whose own
    # foreign key holds), so the database keeps no second constraint, nor an index of its
    # own (lead_account_seniority_idx starts with it): at a million rows each cost a check
    # or an entry per lead, 4 s of a 20 s import. Django still deletes an account's leads.
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="leads",
        db_constraint=False,
        db_index=False,
    )
    upload = models.ForeignKey(LeadUpload, on_delete=models.CASCADE, related_name="leads")
    name = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    role = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    company = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    industry = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    location = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True)
    linkedin_bio = models.TextField(blank=True)
    # Who the person is in the CRM the file came from: a re-upload of the same person (same
    # external id, else same email) updates this lead rather than adding another.
    # Defaults in the database too: an import leaves out the columns its file has not.
    email = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True, db_default="")
    external_id = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True, db_default="")
    linkedin_url = models.CharField(max_length=LEAD_FIELD_MAX_LENGTH, blank=True, db_default="")
    # The file's other columns, by their header: kept for the export back to the CRM.
    extra = models.JSONField(default=dict, blank=True, db_default=Value({}, JSONField()))
    # The role, normalised (scoring/leads/titles.py): how senior, and in which departments.
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    departments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        # No (account, industry) index: industry filters match case-insensitively (iexact,
        # UPPER() or LIKE), which no plain index serves on either database, and every
        # imported lead paid for it.
        indexes = [
            models.Index(fields=["account", "seniority"], name="lead_account_seniority_idx"),
            # The lookups of a re-upload: by the CRM's id, else by email whatever its case,
            # else by LinkedIn URL. Partial: a lead without one costs its import nothing.
            models.Index(
                fields=["account", "external_id"],
                condition=~Q(external_id=""),
                name="lead_account_external_id_idx",
            ),
            models.Index(
                "account", Lower("email"), condition=~Q(email=""), name="lead_account_email_idx"
            ),
            models.Index(
                fields=["account", "linkedin_url"],
                condition=~Q(linkedin_url=""),
                name="lead_account_linkedin_url_idx",
            ),
        ]

    def __str__(self):
        return f"{self.name or '(no name)'} — {self.company or '(no company)'}"


class Score(models.Model):
    """A lead's score against one offer: the rule half, the AI half and why."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scores")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="scores")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="scores")

    # Rules (0–50): the points of each factor and the keyword that earned them.
    rule_score = models.PositiveSmallIntegerField()
    role_points = models.PositiveSmallIntegerField()
    role_keyword = models.CharField(max_length=50, blank=True)
    industry_points = models.PositiveSmallIntegerField()
    industry_keyword = models.CharField(max_length=50, blank=True)
    completeness_points = models.PositiveSmallIntegerField()
    rule_set = models.CharField(max_length=10, choices=RuleSet.choices, default=RuleSet.SEED)
    # Every part of the score with its points, summing to `score`: [{part, points, reason}].
    factors = models.JSONField(default=list, blank=True)

    # AI (0–50): the provider's label, its points and the factors it named. When the call
    # failed (ai_status "failed"), the label is empty, the points 0 and ai_error says why.
    ai_status = models.CharField(max_length=10, choices=AiStatus.choices, default=AiStatus.OK)
    ai_error = models.TextField(blank=True)
    ai_label = models.CharField(max_length=10, choices=Intent.choices, blank=True)
    ai_score = models.PositiveSmallIntegerField()
    ai_factors = models.JSONField(default=list, blank=True)

    score = models.PositiveSmallIntegerField()
    # From the total; None while the AI half is missing (ai_status "failed").
    intent = models.CharField(max_length=10, choices=Intent.choices, null=True, blank=True)  # noqa: DJ001
    reasoning = models.TextField()
    provider = models.CharField(max_length=50)
    model = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=50, blank=True)
    # Hash of everything the answer depends on (lead fields, offer, provider, model, prompt
    # version): an unchanged hash means the stored answer is reused without a call.
    content_hash = models.CharField(max_length=64, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "offer"], name="unique_score_per_lead_offer"),
        ]
        # In the orders the reads ask for, ties included, so that a page is read from the
        # index alone: /api/scores/ (-score, id); a lead's latest score (-scored_at, -id).
        indexes = [
            models.Index(fields=["account", "-score", "id"], name="score_account_score_idx"),
            models.Index(fields=["offer", "-score"], name="score_offer_score_idx"),
            models.Index(fields=["offer", "intent"], name="score_offer_intent_idx"),
            models.Index(fields=["lead", "-scored_at", "-id"], name="score_lead_latest_idx"),
        ]

    def __str__(self):
        return f"{self.lead} → {self.offer}: {self.score} ({self.intent})"


class ScoringRun(models.Model):
    """Scoring an offer's leads as a job: split into chunks of leads that workers score."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scoring_runs")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="scoring_runs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    provider = models.CharField(max_length=50)
    model = models.CharField(max_length=100)
    rescore = models.BooleanField(default=False)
    # Which of the account's leads: {"upload": id} and/or {"industry": name}; {} for all.
    lead_filter = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    cached = models.PositiveIntegerField(default=0)
    deferred = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When a chunk of it last started or finished (or it was planned or resumed): a run
    # left unfinished with an old heartbeat has lost its tasks.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times the stalled-run check has queued it again since it last advanced.
    resumes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="run_account_created_idx")]

    def __str__(self):
        return f"Run {self.pk} of {self.offer}: {self.status}"


class ScoringRunChunk(models.Model):
    """One task's share of a run: the run's leads with ids first_id..last_id. Finishing a
    chunk is recorded once, in the transaction that writes its scores, so a chunk delivered
    twice neither writes nor counts twice."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="chunks")
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    done = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "first_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first_id"], name="unique_chunk_per_run"),
        ]

    def __str__(self):
        return f"Run {self.run_id} leads {self.first_id}–{self.last_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key`, given again to the
    same key's retries (scoring/leads/services/idempotency.py).

    While the first request is in flight the record holds only its claim (`locked_until`,
    no `status_code`); a retry then is told to wait. An upload's answer is written in the
    transaction that stores the upload, so an upload that committed is never without its
    answer; a run start names its run in the transaction that creates the run."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    # "POST /api/uploads/": a key answers on the endpoint it was first used on only.
    endpoint = models.CharField(max_length=300)
    # SHA-256 of the request's query, fields and files: a key stands for one request.
    fingerprint = models.CharField(max_length=64)
    # Null while the first request is in flight.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    # The answer's headers a retry gets too (Location).
    headers = models.JSONField(default=dict, blank=True)
    # A run start's run, from the moment it exists: a retry after its request died answers
    # with the run rather than starting another.
    run = models.ForeignKey(
        ScoringRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "key"], name="unique_idempotency_key_per_account"
            ),
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key!r}: {self.status_code or 'in flight'}"
