"""Reads, always scoped to one account. Views, admin actions and commands query through
these, so another account's object is simply not found (a 404, never a 403)."""

from collections.abc import Iterator
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from scoring.accounts.models import Account
from scoring.core.exceptions import NotFound
from scoring.leads.models import AiStatus, Intent, Lead, LeadUpload, Offer, Score, ScoringRun

NO_OFFER_ERROR = "No product offer found. Please create an offer first."
OFFER_NOT_FOUND_ERROR = "Product offer {offer_id} not found."
UPLOAD_NOT_FOUND_ERROR = "Upload {upload_id} not found."


def offers_for_account(*, account: Account) -> QuerySet[Offer]:
    return Offer.objects.filter(account=account)


def uploads_for_account(*, account: Account) -> QuerySet[LeadUpload]:
    return LeadUpload.objects.filter(account=account)


def upload_for_account(*, account: Account, upload_id: int) -> LeadUpload:
    try:
        return uploads_for_account(account=account).get(pk=upload_id)
    except LeadUpload.DoesNotExist:
        raise NotFound(UPLOAD_NOT_FOUND_ERROR.format(upload_id=upload_id)) from None


def leads_for_account(*, account: Account) -> QuerySet[Lead]:
    return Lead.objects.filter(account=account)


def scores_for_account(*, account: Account) -> QuerySet[Score]:
    return Score.objects.filter(account=account).select_related("lead", "offer")


def runs_for_account(*, account: Account) -> QuerySet[ScoringRun]:
    return ScoringRun.objects.filter(account=account).select_related("offer")


def unfinished_run_for_offer(*, offer: Offer, rescore: bool) -> ScoringRun | None:
    """The latest run of all the offer's leads with this rescore that has not finished: an
    interrupted one, or one the workers are on."""
    return (
        runs_for_account(account=offer.account)
        .filter(offer=offer, rescore=rescore, lead_filter={})
        .exclude(status__in=ScoringRun.FINISHED)
        .order_by("-created_at", "-id")
        .first()
    )


def leads_for_run(run: ScoringRun) -> QuerySet[Lead]:
    """The leads a run scores: its account's, narrowed by its lead filter."""
    leads = leads_for_account(account=run.account)
    if "upload" in run.lead_filter:
        leads = leads.filter(upload_id=run.lead_filter["upload"])
    if "industry" in run.lead_filter:
        leads = leads.filter(industry__iexact=run.lead_filter["industry"])
    return leads


def run_failures(*, run: ScoringRun) -> list[dict]:
    """The leads of a run whose AI call failed in it: [{"lead": id, "error": text}]."""
    failed = Score.objects.filter(
        offer_id=run.offer_id,
        lead__in=leads_for_run(run),
        ai_status=AiStatus.FAILED,
        scored_at__gte=run.started_at or run.created_at,
    )
    rows = failed.order_by("lead_id").values_list("lead_id", "ai_error")
    return [{"lead": lead, "error": error} for lead, error in rows]


def high_scores_for_run(*, run: ScoringRun) -> QuerySet[Score]:
    """The run's leads that are High for its offer (scored by it, or still valid from an
    earlier run), best first."""
    return (
        Score.objects.filter(offer_id=run.offer_id, intent=Intent.HIGH, lead__in=leads_for_run(run))
        .select_related("lead")
        .order_by("-score", "id")
    )


def offer_for_scoring(*, account: Account, offer_id: int | None = None) -> Offer:
    """The account's offer with this id, or its latest offer when no id is given."""
    offers = offers_for_account(account=account)
    if offer_id is None:
        offer = offers.order_by("-created_at", "-id").first()
        if offer is None:
            raise NotFound(NO_OFFER_ERROR)
        return offer
    try:
        return offers.get(pk=offer_id)
    except Offer.DoesNotExist:
        raise NotFound(OFFER_NOT_FOUND_ERROR.format(offer_id=offer_id)) from None


def scores_for_offer(*, offer: Offer) -> QuerySet[Score]:
    return Score.objects.filter(offer=offer).select_related("lead", "offer")


def valid_score_hashes(*, offer: Offer, leads) -> dict[int, str]:
    """Lead id -> content hash of its score for the offer, for those of leads whose score
    holds an AI answer: a score to keep while the hash is unchanged."""
    valid = scores_for_offer(offer=offer).filter(lead__in=leads, ai_status=AiStatus.OK)
    return dict(valid.values_list("lead_id", "content_hash"))


# The columns leads_with_latest_score can give, in any order: the lead's own, then its
# latest score's (None where it has none).
LEAD_RESULT_COLUMNS = ("id", "name", "role", "company", "industry", "location", "linkedin_bio")
SCORE_RESULT_COLUMNS = ("intent", "score", "reasoning")
# created_at is the time in UTC: on SQLite as the API writes a time (ISO 8601, "Z", the
# microseconds when any: 2026-01-31T09:30:00.123456Z), on PostgreSQL as a naive datetime;
# api_time() gives the text of either.
RESULT_COLUMNS = (*LEAD_RESULT_COLUMNS, *SCORE_RESULT_COLUMNS, "created_at")
# Rows fetched from the cursor at a time when every row is read.
RESULT_FETCH_ROWS = 2000


def api_time(value: str | datetime) -> str:
    """A created_at of leads_with_latest_score as the API writes it (DRF's DateTimeField)."""
    return value if value.__class__ is str else value.isoformat() + "Z"


class LeadsWithLatestScore:
    """The account's leads in upload order, each with its most recent score (for one offer,
    if given), as tuples of `columns`; see leads_with_latest_score."""

    def __init__(self, *, account: Account, offer: Offer | None, columns: tuple[str, ...]):
        unknown = set(columns) - set(RESULT_COLUMNS)
        if unknown:
            raise ValueError(f"no such result columns: {sorted(unknown)}")
        self.account, self.offer, self.columns = account, offer, tuple(columns)

    def count(self) -> int:
        return leads_for_account(account=self.account).count()

    def __getitem__(self, page: slice) -> list[tuple]:
        """One page (a slice, as Django's Paginator takes it): the page's leads are chosen
        first, from the lead index alone, so a deep page joins no score it skips."""
        if not isinstance(page, slice) or page.step is not None:
            raise TypeError("LeadsWithLatestScore takes a slice without a step")
        start = page.start or 0
        if page.stop is not None and page.stop <= start:
            return []
        limit = -1 if page.stop is None else page.stop - start  # -1: SQLite's "no limit"
        sql, params = self._sql(page=(start, limit))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def __iter__(self) -> Iterator[tuple]:
        """Every row, from a server-side cursor on PostgreSQL, a block at a time: memory
        stays flat whatever the account's size."""
        sql, params = self._sql(page=None)
        chunked = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
        cursor = connection.chunked_cursor() if chunked else connection.cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(RESULT_FETCH_ROWS):
                yield from rows
        finally:
            cursor.close()

    def _sql(self, *, page: tuple[int, int] | None) -> tuple[str, list]:
        quote, postgres = connection.ops.quote_name, connection.vendor == "postgresql"
        lead, score = quote(Lead._meta.db_table), quote(Score._meta.db_table)
        select = ", ".join(self._column(name, postgres=postgres) for name in self.columns)
        params: list = []
        if page is None:
            leads = f"{lead} l"
            where = "WHERE l.account_id = %s"
            where_params = [self.account.pk]
        else:
            # Page by the lead ids first (LIMIT/OFFSET over the account's index), then read
            # and join just those leads.
            if postgres and page[1] < 0:
                page = (page[0], None)
            leads = (
                f"(SELECT id FROM {lead} WHERE account_id = %s ORDER BY id LIMIT %s OFFSET %s)"
                f" page JOIN {lead} l ON l.id = page.id"
            )
            params += [self.account.pk, page[1], page[0]]
            where, where_params = "", []
        if self.offer is not None:
            # One score per (lead, offer), so the offer's score is the latest.
            scores = f"LEFT JOIN {score} s ON s.lead_id = l.id AND s.offer_id = %s"
            params.append(self.offer.pk)
        elif postgres and page is None:
            # Every lead: one ordered pass over the account's scores, merged with its leads
            # (a subquery per lead, as below, costs four times as much on PostgreSQL).
            scores = (
                f"LEFT JOIN (SELECT DISTINCT ON (lead_id) lead_id, intent, score, reasoning "
                f"FROM {score} WHERE account_id = %s ORDER BY lead_id, scored_at DESC, id DESC)"
                f" s ON s.lead_id = l.id"
            )
            params.append(self.account.pk)
        else:
            # The latest score's id, from the (lead, -scored_at, -id) index, then that row.
            scores = (
                f"LEFT JOIN {score} s ON s.id = (SELECT s2.id FROM {score} s2 "
                f"WHERE s2.lead_id = l.id ORDER BY s2.scored_at DESC, s2.id DESC LIMIT 1)"
            )
        sql = f"SELECT {select} FROM {leads} {scores} {where} ORDER BY l.id"
        return sql, params + where_params

    @staticmethod
    def _column(name: str, *, postgres: bool) -> str:
        if name in SCORE_RESULT_COLUMNS:
            return f"s.{name}"
        if name != "created_at":
            return f"l.{name}"
        # Neither vendor's own time type: Django's loader parses SQLite's text in Python, and
        # its timestamptz loader on psycopg is pure Python too, each costing more than the
        # rest of a row. SQLite holds Django's "2026-01-31 09:30:00.123456" (UTC);
        # PostgreSQL's plain timestamp has psycopg's C loader.
        if postgres:
            return "(l.created_at AT TIME ZONE 'UTC')"
        return "replace(l.created_at, ' ', 'T') || 'Z'"


def leads_with_latest_score(
    *, account: Account, offer: Offer | None = None, columns: tuple[str, ...] = RESULT_COLUMNS
) -> LeadsWithLatestScore:
    """The account's leads in upload order, each with its most recent score (for offer, if
    given): tuples of `columns` (of RESULT_COLUMNS), the score's None where it has none.
    One query joins each lead to its latest score. `count()` counts them, `[start:stop]`
    reads one page (what Django's Paginator does), iterating reads every row, streamed."""
    return LeadsWithLatestScore(account=account, offer=offer, columns=columns)
