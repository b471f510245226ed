import io

import pytest
from django.core.management import CommandError, call_command

from scoring.accounts.selectors import ACCOUNT_NOT_FOUND_ERROR
from scoring.accounts.services import DEFAULT_ACCOUNT_SLUG
from scoring.leads.management.commands import score as score_command
from scoring.leads.management.commands.score import (
    DONE_MESSAGE,
    INTERRUPTED_EXIT_CODE,
    INTERRUPTED_HERE_ERROR,
    INTERRUPTED_WORKERS_ERROR,
    OFFER_NOT_IN_ACCOUNT_ERROR,
    OFFER_OR_RESUME_ERROR,
    RESUMING_MESSAGE,
    RUN_NOT_IN_ACCOUNT_ERROR,
)
from scoring.leads.models import Score, ScoringRun
from scoring.leads.services.runs import (
    RUN_NOT_RESUMABLE_ERROR,
    scoring_run_chunk_score,
    scoring_run_create,
    scoring_run_fail,
    scoring_run_plan,
)
from tests.factories import LeadFactory, OfferFactory, ScoringRunFactory
from tests.leads.scoring_helpers import FixedProvider

pytestmark = pytest.mark.django_db


class RecordingProvider(FixedProvider):
    """Answers "High" and remembers which leads it was asked about."""

    def __init__(self):
        super().__init__("High")
        self.asked = []

    def assess(self, *, lead, offer):
        self.asked.append(lead.name)
        return super().assess(lead=lead, offer=offer)


@pytest.fixture
def provider(monkeypatch):
    recording = RecordingProvider()
    monkeypatch.setattr("scoring.leads.services.runs.assessor_from_settings", lambda: recording)
    return recording


@pytest.fixture
def leads(settings):
    settings.SCORING_CHUNK_SIZE = 3
    return LeadFactory.create_batch(10)  # 4 chunks: 3 + 3 + 3 + 1


# The account of the `account` fixture (and so of seed_offer); without --account the
# command looks in the default account.
IN_ACME = ("--account", "acme")


def score(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("score", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def interrupted_after(monkeypatch, chunks: int):
    """Ctrl-C while the command scores the chunk after `chunks` chunks."""
    calls = []

    def chunk_score(*, chunk_id):
        if len(calls) == chunks:
            raise KeyboardInterrupt
        calls.append(chunk_id)
        scoring_run_chunk_score(chunk_id=chunk_id)

    monkeypatch.setattr(score_command, "scoring_run_chunk_score", chunk_score)


def test_score_runs_every_lead_with_a_progress_bar(seed_offer, leads, provider):
    out, err = score("--offer", str(seed_offer.id), *IN_ACME)

    run = ScoringRun.objects.get()
    assert out.strip() == DONE_MESSAGE.format(
        run=run.id, total=10, scored=10, failed=0, cached=0, deferred=0
    )
    assert f"Run {run.id}: 100%" in err and "10/10" in err
    assert (run.status, run.chunks_done, run.chunks_total) == ("done", 4, 4)
    assert sorted(provider.asked) == sorted(lead.name for lead in leads)


def test_an_interrupted_run_scores_only_the_rest_when_started_again(
    seed_offer, leads, provider, monkeypatch
):
    interrupted_after(monkeypatch, chunks=2)
    with pytest.raises(CommandError) as interrupted:
        score("--offer", str(seed_offer.id), *IN_ACME)

    run = ScoringRun.objects.get()
    assert str(interrupted.value) == INTERRUPTED_HERE_ERROR.format(run=run.id, done=6, total=10)
    assert interrupted.value.returncode == INTERRUPTED_EXIT_CODE
    assert Score.objects.count() == 6 and len(provider.asked) == 6
    monkeypatch.setattr(score_command, "scoring_run_chunk_score", scoring_run_chunk_score)
    first_six = list(provider.asked)

    out, _ = score("--offer", str(seed_offer.id), *IN_ACME)

    assert out.startswith(RESUMING_MESSAGE.format(run=run.id, done=6, total=10))
    assert sorted(first_six + provider.asked[6:]) == sorted(lead.name for lead in leads)
    assert len(provider.asked) == 10  # the last four leads only
    run.refresh_from_db()
    assert (run.status, run.scored, run.chunks_done, ScoringRun.objects.count()) == (
        "done", 10, 4, 1,
    )  # fmt: skip


def test_an_interrupted_rescore_resumes_without_scoring_anything_twice(
    seed_offer, leads, provider, monkeypatch
):
    score("--offer", str(seed_offer.id), *IN_ACME)
    provider.asked.clear()
    interrupted_after(monkeypatch, chunks=3)
    with pytest.raises(CommandError):
        score("--offer", str(seed_offer.id), *IN_ACME, "--rescore")
    monkeypatch.setattr(score_command, "scoring_run_chunk_score", scoring_run_chunk_score)

    score("--offer", str(seed_offer.id), *IN_ACME, "--rescore")

    assert sorted(provider.asked) == sorted(lead.name for lead in leads)
    rescore = ScoringRun.objects.get(rescore=True)
    assert (rescore.status, rescore.scored, rescore.cached) == ("done", 10, 0)


def test_with_workers_the_command_follows_the_run_and_ctrl_c_leaves_it_to_them(
    seed_offer, leads, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr("scoring.leads.tasks.plan_scoring_run.delay", queued.append)

    def ctrl_c(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(score_command.time, "sleep", ctrl_c)

    for _ in range(2):  # the second time, it follows the same run
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(CommandError) as interrupted:
                score("--offer", str(seed_offer.id), *IN_ACME)

    run = ScoringRun.objects.get()
    assert queued == [run.id] and run.status == ScoringRun.Status.QUEUED
    assert str(interrupted.value) == INTERRUPTED_WORKERS_ERROR.format(run=run.id, done=0, total=10)


@pytest.mark.parametrize(
    ("slug", "error"),
    [
        (None, OFFER_NOT_IN_ACCOUNT_ERROR.format(offer_id=987654, slug=DEFAULT_ACCOUNT_SLUG)),
        ("acme", OFFER_NOT_IN_ACCOUNT_ERROR.format(offer_id=987654, slug="acme")),
        ("nobody", ACCOUNT_NOT_FOUND_ERROR.format(slug="nobody")),
    ],
)
def test_an_unknown_offer_or_account_is_an_error(seed_offer, slug, error):
    args = ["--offer", "987654"] + (["--account", slug] if slug else [])
    with pytest.raises(CommandError) as raised:
        score(*args)
    assert str(raised.value) == error


def test_an_offer_of_another_account_is_not_found_in_this_one(seed_offer):
    other = OfferFactory(account__name="Other")
    with pytest.raises(CommandError) as raised:
        score("--offer", str(other.id), "--account", "acme")
    assert str(raised.value) == OFFER_NOT_IN_ACCOUNT_ERROR.format(offer_id=other.id, slug="acme")


def test_resume_scores_the_rest_of_a_failed_run(seed_offer, leads, provider):
    run = scoring_run_create(offer=seed_offer)
    first_chunk = scoring_run_plan(run_id=run.pk)[0]
    scoring_run_chunk_score(chunk_id=first_chunk)
    scoring_run_fail(run_id=run.pk, error="the database went away")
    provider.asked.clear()

    out, _ = score("--resume", str(run.id), *IN_ACME)

    run.refresh_from_db()
    assert (run.status, run.scored, run.error) == ("done", 10, "")
    assert len(provider.asked) == 7  # the three of the first chunk are not asked again
    assert RESUMING_MESSAGE.format(run=run.id, done=3, total=10) in out


def test_resume_with_workers_queues_the_rest_and_follows(
    seed_offer, leads, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr("scoring.leads.tasks.plan_scoring_run.delay", queued.append)
    run = ScoringRunFactory(offer=seed_offer, status=ScoringRun.Status.FAILED, error="down")

    def finish_then_sleep(seconds):  # the workers finish it while the command follows
        ScoringRun.objects.filter(pk=run.pk).update(status="done", scored=10)

    monkeypatch.setattr(score_command.time, "sleep", finish_then_sleep)
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = score("--resume", str(run.id), *IN_ACME)

    assert queued == [run.id]
    assert (
        DONE_MESSAGE.format(run=run.id, total=0, scored=10, failed=0, cached=0, deferred=0) in out
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ([], OFFER_OR_RESUME_ERROR),
        (["--offer", "1", "--resume", "1"], OFFER_OR_RESUME_ERROR),
        (
            ["--resume", "987654"],
            RUN_NOT_IN_ACCOUNT_ERROR.format(run_id=987654, slug=DEFAULT_ACCOUNT_SLUG),
        ),
    ],
)
def test_resume_needs_one_known_run(seed_offer, args, error):
    with pytest.raises(CommandError) as raised:
        score(*args)
    assert str(raised.value) == error


def test_a_run_of_another_account_is_not_found_in_this_one(seed_offer):
    theirs = ScoringRunFactory(account__name="Other", status=ScoringRun.Status.FAILED)
    with pytest.raises(CommandError) as raised:
        score("--resume", str(theirs.id), "--account", "acme")
    assert str(raised.value) == RUN_NOT_IN_ACCOUNT_ERROR.format(run_id=theirs.id, slug="acme")


def test_a_done_run_does_not_resume(seed_offer):
    done = ScoringRunFactory(offer=seed_offer, status=ScoringRun.Status.DONE)
    with pytest.raises(CommandError) as raised:
        score("--resume", str(done.id), *IN_ACME)
    assert str(raised.value) == RUN_NOT_RESUMABLE_ERROR.format(run_id=done.id, status="done")
