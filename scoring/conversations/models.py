"""Chat bots and the graded conversations of their visitors, with the delivery of each grade.

The tables keep their names from the one `scoring` app (`db_table`)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from scoring.accounts.models import Account, Membership

OWNER_NOT_MEMBER_ERROR = "The owner must be a member of the bot's account."


class Bot(models.Model):
    """A chat bot of the backend, by the id its grading tasks carry: its conversations'
    grades land in its account. A task for a bot not listed here registers it, with no
    name, in the account the task came for (the caller's over HTTP, GRADING_ACCOUNT's or
    the default one from the queue); with GRADING_STRICT_BOTS it is refused instead."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bots")
    bot_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255, blank=True)
    # Who is told of its hot leads (by email); without one, the account's members are.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_bots",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scoring_bot"
        ordering = ["bot_id"]

    def __str__(self):
        return self.name or self.bot_id

    def clean(self):
        # A visitor's conversation is the account's: nobody outside it is mailed about it.
        if self.owner_id is not None and self.account_id is not None:
            member = Membership.objects.filter(user_id=self.owner_id, account_id=self.account_id)
            if not member.exists():
                raise ValidationError({"owner": OWNER_NOT_MEMBER_ERROR})


class LeadCategory(models.TextChoices):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class EngagementLevel(models.TextChoices):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    # Graded through POST /api/conversations/grade/: the result went back in the response.
    RETURNED = "returned"


class ConversationGrade(models.Model):
    """A graded visitor conversation (one per task id in an account) and the delivery of its
    result to the backend's webhook. A failed delivery stays here, `failed`, until
    redelivered; it is never dropped."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="conversation_grades"
    )
    bot = models.ForeignKey(Bot, on_delete=models.PROTECT, related_name="grades")

    # The task, as the backend sent it.
    task_id = models.CharField(max_length=255)
    visitor_id = models.CharField(max_length=255)
    session_id = models.CharField(max_length=255)
    conversation_history = models.JSONField(default=list)
    visitor_profile = models.JSONField(default=dict, blank=True)

    # The grade: what the webhook body carries.
    lead_score = models.PositiveSmallIntegerField()
    lead_category = models.CharField(max_length=10, choices=LeadCategory.choices)
    intent_signals = models.JSONField(default=list, blank=True)
    engagement_level = models.CharField(max_length=10, choices=EngagementLevel.choices)
    key_interests = models.JSONField(default=list, blank=True)
    recommended_actions = models.JSONField(default=list, blank=True)
    reasoning = models.TextField()
    graded_at = models.DateTimeField()
    model_used = models.CharField(max_length=150)
    conversation_count = models.PositiveIntegerField()
    # BANT from the visitor's words (bant.py): {"budget": {"value", "evidence"} or null, …};
    # {} for a grade from before it was extracted.
    qualification = models.JSONField(default=dict, blank=True)
    # Why a remote provider's answer was replaced by the offline criteria; empty otherwise.
    grading_error = models.TextField(blank=True)

    # Delivery to BACKEND_WEBHOOK_URL.
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    delivery_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A process delivering the result holds it until then, so a duplicate task waits rather
    # than sending a second webhook; a holder that died frees it when the time has passed.
    delivery_claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scoring_conversationgrade"
        ordering = ["-graded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "task_id"], name="unique_grade_per_task"),
        ]
        indexes = [
            models.Index(fields=["account", "-graded_at"], name="grade_account_graded_idx"),
            models.Index(fields=["account", "lead_category"], name="grade_account_category_idx"),
            models.Index(fields=["delivery_status"], name="grade_delivery_status_idx"),
        ]

    def __str__(self):
        return f"{self.task_id}: {self.lead_score} ({self.lead_category})"
