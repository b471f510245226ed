import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from scoring.accounts.commands import account_from_option
from scoring.core.exceptions import ApplicationError
from scoring.leads.dispatch import scoring_run_resume, scoring_run_start
from scoring.leads.models import Offer, ScoringRun
from scoring.leads.selectors import (
    offers_for_account,
    runs_for_account,
    unfinished_run_for_offer,
)
from scoring.leads.services.runs import (
    scoring_run_chunk_score,
    scoring_run_create,
    scoring_run_plan,
    scoring_run_reopen,
)

OFFER_NOT_IN_ACCOUNT_ERROR = "No offer with id {offer_id} in the account '{slug}'."
RUN_NOT_IN_ACCOUNT_ERROR = "No scoring run with id {run_id} in the account '{slug}'."
OFFER_OR_RESUME_ERROR = "Give --offer OFFER to score an offer, or --resume RUN to resume a run."
RUN_FAILED_ERROR = "Run {run} failed: {error}"
RUN_CANCELLED_ERROR = "Run {run} was cancelled with {done} of {total} leads done."
RESUMING_MESSAGE = "Resuming run {run}: {done} of {total} leads done."
DONE_MESSAGE = (
    "Run {run} done: {total} leads, {scored} scored ({failed} of them failed), "
    "{cached} still valid, {deferred} left for a later run."
)
INTERRUPTED_HERE_ERROR = (
    "Interrupted: run {run} has {done} of {total} leads done. "
    "Run the command again to score the rest."
)
INTERRUPTED_WORKERS_ERROR = (
    "Stopped following run {run} ({done} of {total} leads done); the workers go on with it. "
    "Run the command again to follow it, or cancel it: POST /api/runs/{run}/cancel/."
)
# With a broker, how often the run's progress is read.
POLL_SECONDS = 0.5
# Ctrl-C's exit status, as a shell reports it.
INTERRUPTED_EXIT_CODE = 130


def _done(run: ScoringRun) -> int:
    return run.scored + run.cached + run.deferred


class Command(BaseCommand):
    help = (
        "Score an offer's leads as a scoring run, with a progress bar. Resumable: run "
        "again after an interruption, it goes on with the unfinished run; --resume RUN "
        "goes on with any run that failed or stalled (its tasks lost). With "
        "CELERY_BROKER_URL set the workers score and this command follows; unset, it "
        "scores here, chunk by chunk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--offer", type=int, help="The offer's id.")
        parser.add_argument(
            "--resume", type=int, metavar="RUN", help="Resume this run (failed or stalled)."
        )
        parser.add_argument(
            "--rescore", action="store_true", help="Score again leads whose score is valid."
        )
        parser.add_argument(
            "--account",
            help="The account of the offer or run (its slug); default: the default account.",
        )

    def handle(self, *args, offer, resume, rescore, account, **options):
        if (offer is None) == (resume is None):
            raise CommandError(OFFER_OR_RESUME_ERROR)
        here = settings.CELERY_TASK_ALWAYS_EAGER
        try:
            if resume is not None:
                run = self._run(run_id=resume, slug=account)
                # Here: reopened only, and scored chunk by chunk below, with the bar.
                run = scoring_run_reopen(run=run) if here else scoring_run_resume(run=run)
            else:
                offer = self._offer(offer_id=offer, slug=account)
                run = unfinished_run_for_offer(offer=offer, rescore=rescore)
            if run is not None:
                self.stdout.write(
                    RESUMING_MESSAGE.format(run=run.pk, done=_done(run), total=run.total)
                )
            elif here:  # not scoring_run_start: that would score the whole run at once
                run = scoring_run_create(offer=offer, rescore=rescore)
            else:
                run = scoring_run_start(offer=offer, rescore=rescore)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        bar = tqdm(
            total=run.total,
            initial=_done(run),
            unit="lead",
            desc=f"Run {run.pk}",
            file=self.stderr._out,  # the stream itself: tqdm ends its own lines
        )
        try:
            self._score_here(run, bar) if here else self._follow(run, bar)
        except KeyboardInterrupt:
            bar.close()
            run.refresh_from_db()
            message = INTERRUPTED_HERE_ERROR if here else INTERRUPTED_WORKERS_ERROR
            raise CommandError(
                message.format(run=run.pk, done=_done(run), total=run.total),
                returncode=INTERRUPTED_EXIT_CODE,
            ) from None
        bar.close()
        self._report(run)

    @staticmethod
    def _offer(*, offer_id: int, slug: str | None) -> Offer:
        account = account_from_option(slug)
        try:
            return offers_for_account(account=account).get(pk=offer_id)
        except Offer.DoesNotExist:
            error = OFFER_NOT_IN_ACCOUNT_ERROR.format(offer_id=offer_id, slug=account.slug)
            raise CommandError(error) from None

    @staticmethod
    def _run(*, run_id: int, slug: str | None) -> ScoringRun:
        account = account_from_option(slug)
        try:
            return runs_for_account(account=account).get(pk=run_id)
        except ScoringRun.DoesNotExist:
            error = RUN_NOT_IN_ACCOUNT_ERROR.format(run_id=run_id, slug=account.slug)
            raise CommandError(error) from None

    @staticmethod
    def _show(run: ScoringRun, bar: tqdm) -> None:
        run.refresh_from_db()
        bar.total = run.total
        bar.update(_done(run) - bar.n)

    def _score_here(self, run: ScoringRun, bar: tqdm) -> None:
        """Plan the run if it is queued, then score its unfinished chunks one by one.
        Each chunk is written when it is done, so an interruption loses at most one."""
        for chunk_id in scoring_run_plan(run_id=run.pk):
            scoring_run_chunk_score(chunk_id=chunk_id)
            self._show(run, bar)
            if run.status in ScoringRun.FINISHED:
                break
        self._show(run, bar)

    def _follow(self, run: ScoringRun, bar: tqdm) -> None:
        self._show(run, bar)
        while run.status not in ScoringRun.FINISHED:
            time.sleep(POLL_SECONDS)
            self._show(run, bar)

    def _report(self, run: ScoringRun) -> None:
        if run.status == ScoringRun.Status.FAILED:
            raise CommandError(RUN_FAILED_ERROR.format(run=run.pk, error=run.error))
        if run.status == ScoringRun.Status.CANCELLED:
            raise CommandError(
                RUN_CANCELLED_ERROR.format(run=run.pk, done=_done(run), total=run.total)
            )
        self.stdout.write(
            DONE_MESSAGE.format(
                run=run.pk,
                total=run.total,
                scored=run.scored,
                failed=run.failed,
                cached=run.cached,
                deferred=run.deferred,
            )
        )
