"""The digest of a finished scoring run's High leads: one per run, written in the
transaction that finishes the run and sent once it has committed
(scoring/notifications/services.py sends it once, whoever tries)."""

import logging
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse

from scoring.leads.models import Intent, ScoringRun
from scoring.leads.selectors import high_scores_for_run
from scoring.notifications.messages import public_url, slack_message
from scoring.notifications.models import Notification
from scoring.notifications.selectors import notification_recipients
from scoring.notifications.services import notification_create, notification_send

logger = logging.getLogger(__name__)

# A digest names the best of them; the link lists every one.
DIGEST_MAX_LEADS = 10
DIGEST_SUBJECT = "{high} High leads for {offer} (scoring run {run})"
DIGEST_BODY = """\
Scoring run {run} of the offer "{offer}" has finished: {high} High leads of {total}.

Leads: {total} (scored {scored}, unchanged since an earlier run {cached}, failed {failed}).

The High leads, best first:
{leads}
{more}
The offer's High leads: {scores_link}
The run: {run_link}
"""
DIGEST_MORE = "... and {rest} more.\n"
DIGEST_SLACK_TEXT = "{high} High leads for {offer} (scoring run {run} of {total} leads)"
SCORES_LINK_LABEL = "See the offer's High leads"
UNKNOWN = "?"


def run_event_key(run: ScoringRun) -> str:
    return f"run:{run.pk}"


def _lead_line(position: int, score) -> str:
    lead = score.lead
    role = lead.role or UNKNOWN
    company = lead.company or UNKNOWN
    return f"{position}. {score.score}  {lead.name or UNKNOWN}, {role} at {company}"


def run_digest_create(*, run: ScoringRun) -> Notification | None:
    """The digest of a run that has just finished: its High leads, to the account's
    members; None when it has none. Call it in the transaction that finishes the run; the
    digest is sent once that commits (and if this process dies first, by
    `redeliver_notifications`)."""
    run = ScoringRun.objects.select_related("account", "offer").get(pk=run.pk)
    high_scores = high_scores_for_run(run=run)
    best = list(high_scores[:DIGEST_MAX_LEADS])
    if not best:
        return None
    high = len(best) if len(best) < DIGEST_MAX_LEADS else high_scores.count()
    lines = [_lead_line(position, score) for position, score in enumerate(best, start=1)]
    query = {"offer": run.offer_id, "intent": Intent.HIGH.value}
    if "industry" in run.lead_filter:
        query["industry"] = run.lead_filter["industry"]
    scores_link = public_url(reverse("score-list")) + "?" + urlencode(query)
    fields = {"run": run.pk, "offer": run.offer.name, "high": high, "total": run.total}
    more = DIGEST_MORE.format(rest=high - len(best)) if high > len(best) else ""
    body = DIGEST_BODY.format(
        **fields,
        scored=run.scored,
        cached=run.cached,
        failed=run.failed,
        leads="\n".join(lines),
        more=more,
        scores_link=scores_link,
        run_link=public_url(reverse("run-detail", kwargs={"pk": run.pk})),
    )
    notification, created = notification_create(
        account=run.account,
        event_key=run_event_key(run),
        subject=DIGEST_SUBJECT.format(**fields),
        body=body,
        recipients=notification_recipients(account=run.account),
        slack_message=slack_message(
            text=DIGEST_SLACK_TEXT.format(**fields),
            sections=[("The High leads, best first", "\n".join(lines + [more.strip()]).strip())],
            link=(SCORES_LINK_LABEL, scores_link),
        ),
    )
    if created:
        transaction.on_commit(lambda: notification_send(notification=notification), robust=True)
    return notification
