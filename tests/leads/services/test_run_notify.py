"""A finished scoring run's High leads, told to the account once: one digest per run, mailed
to its members through a real SMTP server (and posted to Slack), never again for the same
run however its tasks come back."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from scoring.core.exceptions import InvalidInput
from scoring.leads.dispatch import scoring_run_resume, scoring_run_start
from scoring.leads.models import Intent, ScoringRun
from scoring.leads.services.notify import DIGEST_MAX_LEADS, DIGEST_SUBJECT, run_digest_create
from scoring.leads.services.runs import (
    scoring_run_chunk_score,
    scoring_run_create,
    scoring_run_fail,
    scoring_run_plan,
)
from scoring.notifications.channels import notification_hold_seconds
from scoring.notifications.models import Notification
from scoring.notifications.services import notification_send
from tests.factories import (
    LeadFactory,
    OfferFactory,
    ScoreFactory,
    ScoringRunFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.SCORING_CHUNK_SIZE = 4


@pytest.fixture
def team(account):
    UserFactory(email="", membership__account=account)
    return [
        UserFactory(email=address, membership__account=account)
        for address in ("ann@example.com", "bob@example.com")
    ]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Inside it, what runs once a transaction commits runs (the test's own never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def high_leads(count: int):
    """CEOs of SaaS companies after machine-learning analytics: High for the seed's offer."""
    return LeadFactory.create_batch(count)


def low_leads(count: int):
    return LeadFactory.create_batch(
        count, role="Student", industry="Retail", linkedin_bio="Studying history."
    )


def test_a_run_with_high_leads_sends_one_digest_to_the_team(
    seed_offer, team, smtp_server, slack_receiver, committed
):
    best = high_leads(6)
    low = low_leads(3)

    with committed():
        run = scoring_run_start(offer=seed_offer)

    assert (run.status, run.chunks_total) == (ScoringRun.Status.DONE, 3)
    (mail,) = smtp_server.mails
    assert mail.recipients == ["ann@example.com", "bob@example.com"]
    assert mail.subject == DIGEST_SUBJECT.format(high=6, offer=seed_offer.name, run=run.pk)
    body = mail.body
    assert f'Scoring run {run.pk} of the offer "{seed_offer.name}"' in body
    assert "6 High leads of 9" in body
    assert "Leads: 9 (scored 9, unchanged since an earlier run 0, failed 0)" in body
    for position, lead in enumerate(best, start=1):
        assert f"{position}. 85  {lead.name}, CEO at {lead.company}\n" in body
    assert not any(lead.name in body for lead in low)
    assert "more." not in body
    scores = f"https://scores.example.com/api/scores/?offer={seed_offer.pk}&intent=High"
    assert f"The offer's High leads: {scores}\n" in body
    assert f"The run: https://scores.example.com/api/runs/{run.pk}/" in body
    (message,) = slack_receiver.deliveries
    assert (
        message["text"] == f"6 High leads for {seed_offer.name} (scoring run {run.pk} of 9 leads)"
    )
    assert all(lead.name in message["blocks"][1]["text"]["text"] for lead in best)
    notification = Notification.objects.get()
    assert (notification.event_key, notification.status) == (f"run:{run.pk}", "sent")


def test_the_digest_names_the_best_ones_first_and_counts_the_rest(account, team, smtp_server):
    offer = OfferFactory(account=account)
    scores = [
        ScoreFactory(offer=offer, score=70 + n, intent=Intent.HIGH, lead__role=f"Role {n}")
        for n in range(DIGEST_MAX_LEADS + 3)
    ]
    ScoreFactory(offer=offer, score=60, intent=Intent.MEDIUM)
    ScoreFactory(account=account, score=99, intent=Intent.HIGH)  # another offer's
    run = ScoringRunFactory(offer=offer, status=ScoringRun.Status.DONE, total=15, scored=15)

    notification = run_digest_create(run=run)
    notification_send(notification=notification)

    body = smtp_server.mails[0].body
    ranked = sorted(scores, key=lambda score: -score.score)
    listed = [line for line in body.splitlines() if line[:1].isdigit()]
    assert listed == [
        f"{position}. {score.score}  {score.lead.name}, {score.lead.role} at {score.lead.company}"
        for position, score in enumerate(ranked[:DIGEST_MAX_LEADS], start=1)
    ]
    assert "... and 3 more." in body
    assert f"{DIGEST_MAX_LEADS + 3} High leads of 15" in body


def test_a_run_without_high_leads_sends_nothing(seed_offer, team, smtp_server, committed):
    low_leads(5)

    with committed():
        run = scoring_run_start(offer=seed_offer)

    assert run.status == ScoringRun.Status.DONE
    assert smtp_server.mails == []
    assert not Notification.objects.exists()


def test_chunks_delivered_again_and_a_run_planned_again_send_no_second_digest(
    seed_offer, team, smtp_server, committed
):
    high_leads(6)
    run = scoring_run_create(offer=seed_offer)
    with committed():
        chunk_ids = scoring_run_plan(run_id=run.pk)
        for chunk_id in chunk_ids:
            scoring_run_chunk_score(chunk_id=chunk_id)
    assert len(smtp_server.mails) == 1

    with committed():  # the broker gives every task back, and the stalled-run check replans
        for chunk_id in [*chunk_ids, *chunk_ids]:
            scoring_run_chunk_score(chunk_id=chunk_id)
        scoring_run_plan(run_id=run.pk)
    with pytest.raises(InvalidInput):
        scoring_run_resume(run=run)

    assert len(smtp_server.mails) == 1
    assert Notification.objects.count() == 1


def test_a_run_that_failed_tells_nobody_until_it_is_resumed_and_done(
    seed_offer, team, smtp_server, committed
):
    high_leads(8)
    run = scoring_run_create(offer=seed_offer)
    with committed():
        chunk_ids = scoring_run_plan(run_id=run.pk)
        scoring_run_chunk_score(chunk_id=chunk_ids[0])
        scoring_run_fail(run_id=run.pk, error="the database went away")
    assert smtp_server.mails == []

    with committed():
        run = scoring_run_resume(run=run)

    assert run.status == ScoringRun.Status.DONE
    (mail,) = smtp_server.mails
    assert "8 High leads of 8" in mail.body


def test_the_next_run_of_the_offer_is_another_digest(seed_offer, team, smtp_server, committed):
    high_leads(2)
    with committed():
        first = scoring_run_start(offer=seed_offer)
        second = scoring_run_start(offer=seed_offer)
    assert [mail.subject for mail in smtp_server.mails] == [
        DIGEST_SUBJECT.format(high=2, offer=seed_offer.name, run=run.pk) for run in (first, second)
    ]


def test_a_digest_whose_sender_died_before_sending_is_sent_by_the_resend_command(
    seed_offer, team, smtp_server
):
    high_leads(3)
    run = scoring_run_start(offer=seed_offer)  # its commit never comes: nothing sent
    notification = Notification.objects.get(event_key=f"run:{run.pk}")
    assert (notification.status, smtp_server.mails) == ("pending", [])
    long_ago = timezone.now() - timedelta(seconds=notification_hold_seconds() + 1)
    Notification.objects.filter(pk=notification.pk).update(created_at=long_ago)

    call_command("redeliver_notifications")
    call_command("redeliver_notifications")

    (mail,) = smtp_server.mails
    assert "3 High leads of 3" in mail.body


def test_a_digest_that_cannot_be_written_leaves_the_run_done_with_its_scores(
    seed_offer, team, monkeypatch, caplog
):
    from scoring.leads.services import runs

    def broken(**kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(runs, "run_digest_create", broken)
    high_leads(5)

    run = scoring_run_start(offer=seed_offer)

    run.refresh_from_db()
    assert (run.status, run.scored) == (ScoringRun.Status.DONE, 5)
    assert not Notification.objects.exists()
    assert f"The digest of run {run.pk} could not be written" in caplog.text
