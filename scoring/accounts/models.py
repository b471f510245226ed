"""Who works where: accounts, their members and API keys, and what they did.

The tables keep the names they had when these models lived in the one `scoring` app
(`db_table`); migration accounts 0001 moved only Django's record of them."""

from django.conf import settings
from django.db import models


class Account(models.Model):
    """A workspace: its users see its offers, leads and scores, and nobody else's."""

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scoring_account"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """The account a user works in (one per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scoring_membership"

    def __str__(self):
        return f"{self.user} in {self.account}"


class ApiKey(models.Model):
    """A user's key for the API. Only a SHA-256 hash of the secret is stored; the key
    itself is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "scoring_apikey"
        verbose_name = "API key"

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class AuditEvent(models.Model):
    """Who did what, when: uploads, deletions, scoring runs, API keys."""

    class Action(models.TextChoices):
        UPLOAD = "upload"
        DELETE = "delete"
        SCORING_RUN = "scoring_run"
        API_KEY_CREATED = "api_key_created"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audit_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "scoring_auditevent"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        target = f"{self.object_type} {self.object_id}".strip()
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user or 'anonymous'} {self.action} {target}"
