"""Scoring an offer's leads in a test the way production does (a ScoringRun), and the test
doubles that stand in for a provider. Shared by the tests of every app, so no test module
imports another."""

import threading
import time
from contextlib import nullcontext
from unittest import mock

from scoring.leads.api.runs import run_summary
from scoring.leads.assessment import IntentAssessment
from scoring.leads.dispatch import scoring_run_start
from scoring.leads.models import ScoringRun
from scoring.leads.services.scoring import ProviderUnavailable, ScoringSummary
from scoring.llm.base import ProviderError

# Where a run gets its provider from, when it is made and for each of its chunks.
RUN_ASSESSOR = "scoring.leads.services.runs.assessor_from_settings"


class FixedProvider:
    """A provider that answers one label (failing for the lead names in fail_for), to test
    how a run combines, caches, retries and parallelises the halves. The provider modules
    themselves are tested through their SDKs in tests/llm/."""

    name = "fixed"
    model = "fixed-1"

    def __init__(self, label, *, remote=False, fail_for=(), delay=0.0):
        self.label, self.remote, self.fail_for, self.delay = label, remote, set(fail_for), delay
        self.calls = self.in_flight = self.peak_in_flight = 0
        self._lock = threading.Lock()

    def assess(self, *, lead, offer):
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            if "*" in self.fail_for or lead.name in self.fail_for:
                raise ProviderError("HTTP 503 from fixed", retryable=True)
            return IntentAssessment(
                label=self.label,
                reasoning="Fixed.",
                factors=("fixed",),
                input_tokens=100,
                output_tokens=20,
            )
        finally:
            with self._lock:
                self.in_flight -= 1


def score_offer(
    offer, *, provider=None, rescore: bool = False, user=None, lead_filter: dict | None = None
) -> ScoringSummary:
    """Score the offer's leads as a scoring run (scoring_run_start: in this process, as
    Celery runs eagerly in the tests), with `provider` as the run's assessor (else the one
    the settings choose), and give the run's summary as POST /score/ answers it
    (run_summary). A run that failed raises ProviderUnavailable with the run's error, as
    POST /score/ answers it too (a 502, run_wait_bounded)."""
    assessor = nullcontext() if provider is None else mock.patch(RUN_ASSESSOR, lambda: provider)
    with assessor:
        run = scoring_run_start(offer=offer, user=user, rescore=rescore, lead_filter=lead_filter)
    if run.status == ScoringRun.Status.FAILED:
        raise ProviderUnavailable(run.error)
    assert run.status == ScoringRun.Status.DONE, (run.status, run.error)
    return run_summary(run=run)
