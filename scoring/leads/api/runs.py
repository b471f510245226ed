"""How the API answers for a run it started: the run itself once finished, when the caller
may wait for it, else 202 with where to follow it."""

from django.conf import settings
from django.urls import reverse
from rest_framework import status
from rest_framework.response import Response

from scoring.leads.api.serializers import ScoringRunSerializer
from scoring.leads.dispatch import scoring_run_wait
from scoring.leads.models import ScoringRun
from scoring.leads.selectors import run_failures
from scoring.leads.services.scoring import ProviderUnavailable, ScoringSummary
from scoring.leads.sync_waits import client_disconnected, sync_wait_slot


def run_wait_bounded(request, run: ScoringRun) -> ScoringRun:
    """The run once it has finished, if the caller may wait for it (a free wait slot; see
    sync_waits) and stays connected, for up to SCORE_SYNC_TIMEOUT; else as it is, unfinished.
    A run that failed is a 502 with its reason."""
    with sync_wait_slot(account_id=run.account_id) as may_wait:
        if may_wait:
            run = scoring_run_wait(
                run=run,
                timeout=settings.SCORE_SYNC_TIMEOUT,
                give_up=lambda: client_disconnected(request),
            )
        else:
            run.refresh_from_db()
    if run.status == ScoringRun.Status.FAILED:
        raise ProviderUnavailable(run.error)
    return run


def run_accepted_response(request, run) -> Response:
    """202 with the run, and its URL in Location, to follow its progress."""
    url = request.build_absolute_uri(reverse("run-detail", args=[run.pk]))
    return Response(
        ScoringRunSerializer(run).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
    )


def run_summary(*, run: ScoringRun) -> ScoringSummary:
    """A finished run's counts, seconds and failures: the answer of a scoring request that
    waited for its run."""
    return ScoringSummary(
        offer=run.offer,
        scored=run.scored,
        skipped=run.cached,
        failed=run.failed,
        deferred=run.deferred,
        calls=run.calls,
        input_tokens=run.input_tokens,
        output_tokens=run.output_tokens,
        seconds=(run.finished_at - run.created_at).total_seconds(),
        failures=run_failures(run=run),
    )
