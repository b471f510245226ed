"""Telling the account of a hot grade: the notification is written with the grade (in the
transaction that stores it), held by the process that stores it, and sent after its webhook,
once: by that process, or by whichever gets there once the hold has passed
(scoring/notifications/services.py)."""

from django.urls import reverse

from scoring.conversations.models import ConversationGrade, LeadCategory
from scoring.notifications.messages import bullet_list, public_url, slack_message
from scoring.notifications.models import Notification
from scoring.notifications.selectors import notification_for_event, notification_recipients
from scoring.notifications.services import notification_create, notification_send

HOT_SUBJECT = "Hot lead from {bot}: visitor {visitor} scored {score}/100"
HOT_BODY = """\
A visitor of {bot} is a hot lead: score {score}/100 ({category}), engagement {engagement}.

Intent signals:
{signals}

Key interests:
{interests}

Recommended actions:
{actions}

Reasoning:
{reasoning}

Qualification (BANT, in the visitor's words):
{qualification}

Visitor {visitor}, session {session}, task {task}.
Graded {graded_at:%Y-%m-%d %H:%M} UTC by {model}.

The grade: {link}
"""
HOT_SLACK_TEXT = "Hot lead from {bot}: visitor {visitor} scored {score}/100 ({category})"
GRADE_LINK_LABEL = "Open the grade"


def grade_event_key(grade: ConversationGrade) -> str:
    return f"conversation:{grade.pk}"


def hot_grade_notification_create(*, grade: ConversationGrade) -> Notification | None:
    """The notification of a hot grade, to its bot's owner (else the account's members),
    held for the caller; None for a grade that is not hot. Called in the transaction that
    stores the grade, whose caller then sends it: `grade_notify(held=...)`."""
    if grade.lead_category != LeadCategory.HOT:
        return None
    bot = grade.bot
    link = public_url(reverse("conversation-detail", kwargs={"pk": grade.pk}))
    fields = {
        "bot": str(bot),
        "visitor": grade.visitor_id,
        "score": grade.lead_score,
        "category": grade.lead_category,
    }
    signals = bullet_list(grade.intent_signals)
    interests = bullet_list(grade.key_interests)
    actions = bullet_list(grade.recommended_actions)
    qualification = bullet_list(
        f'{field}: "{found["value"]}"'
        for field, found in (grade.qualification or {}).items()
        if found
    )
    body = HOT_BODY.format(
        **fields,
        engagement=grade.engagement_level,
        signals=signals,
        interests=interests,
        actions=actions,
        reasoning=grade.reasoning,
        qualification=qualification,
        session=grade.session_id,
        task=grade.task_id,
        graded_at=grade.graded_at,
        model=grade.model_used,
        link=link,
    )
    notification, _ = notification_create(
        held=True,
        # Until its webhook has gone at the latest: the next copy of a task whose consumer
        # died takes over both when the grade's hold has passed.
        held_until=grade.delivery_claimed_until,
        account=grade.account,
        event_key=grade_event_key(grade),
        subject=HOT_SUBJECT.format(**fields),
        body=body,
        recipients=notification_recipients(account=grade.account, owner=bot.owner),
        slack_message=slack_message(
            text=HOT_SLACK_TEXT.format(**fields),
            sections=[
                ("Intent signals", signals),
                ("Key interests", interests),
                ("Recommended actions", actions),
                ("Reasoning", grade.reasoning),
                ("Qualification (BANT)", qualification),
            ],
            link=(GRADE_LINK_LABEL, link),
        ),
    )
    return notification


def grade_notify(
    *, grade: ConversationGrade, wait: bool = True, held: Notification | None = None
) -> ConversationGrade:
    """Send the hot grade's notification unless it was sent already; while another process
    sends it, wait for that one (with `wait`: the consumer, which must not settle the task
    before its notification is out; an HTTP request does not wait). `held`: the
    notification this process made with the grade, sent on its own hold (renewed first). A
    grade that is not hot has none."""
    if held is not None:
        notification_send(notification=held, held=True, wait=wait)
        return grade
    if grade.lead_category != LeadCategory.HOT:
        return grade
    notification = notification_for_event(
        account_id=grade.account_id, event_key=grade_event_key(grade)
    )
    if notification is not None:
        notification_send(notification=notification, wait=wait)
    return grade
