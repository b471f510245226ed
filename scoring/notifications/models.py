"""Notifications to an account: one per event (a hot grade, a scoring run's High leads), kept
with what it says, to whom, and how each channel went, so that it is sent once and a failed
one can be sent again."""

from django.db import models

from scoring.accounts.models import Account


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"
        # Nobody to tell: no recipient with an email and no Slack hook when it was made.
        SKIPPED = "skipped"

    class ChannelStatus(models.TextChoices):
        NONE = "none"  # not a channel of this notification
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    # What it is about, unique in the account: "conversation:<grade id>", "run:<run id>". A
    # second attempt to notify the same event finds this one instead.
    event_key = models.CharField(max_length=100)
    # The message as it was written when the event happened: a resend sends the same.
    subject = models.CharField(max_length=255)
    body = models.TextField()
    recipients = models.JSONField(default=list, blank=True)
    slack_message = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    email_status = models.CharField(
        max_length=10, choices=ChannelStatus.choices, default=ChannelStatus.NONE
    )
    slack_status = models.CharField(
        max_length=10, choices=ChannelStatus.choices, default=ChannelStatus.NONE
    )
    # Tries in all, every channel's retries counted.
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A process sending it holds it until then, so a duplicate task waits rather than
    # sending it twice; a holder that died frees it when the time has passed.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "event_key"], name="unique_notification_per_event"
            ),
        ]
        indexes = [models.Index(fields=["status"], name="notification_status_idx")]

    def __str__(self):
        return f"{self.event_key}: {self.status}"
