"""Scoring a batch of leads against an offer: rules plus the provider's judgement.

Remote providers are called concurrently (LLM_MAX_CONCURRENCY calls in flight), at most
LLM_MAX_CALLS_PER_RUN times per run. A stored score whose content hash is unchanged is
reused without a call. A lead whose call fails keeps its rule score with ai_status "failed"
and is retried by the next run; if the provider fails every call it is asked, the run stops
with ProviderUnavailable (a 502) and writes nothing.
"""

import hashlib
import json
import logging
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from scoring.core.exceptions import ApplicationError
from scoring.leads.assessment import (
    IntentAssessment,
    LeadProfile,
    OfferProfile,
    prompt_version,
)
from scoring.leads.buyer_profile import PROFILE_METADATA
from scoring.leads.models import AiStatus, Lead, Offer, Score
from scoring.leads.rules import (
    RULES_VERSION,
    ai_factor,
    combined_factors,
    intent_for_score,
    rule_score,
    score_reasoning,
)
from scoring.leads.selectors import valid_score_hashes
from scoring.llm.base import ProviderError

logger = logging.getLogger(__name__)

NO_LEADS_ERROR = "No leads found. Please upload leads first."
PROVIDER_FAILED_ERROR = "The {provider} provider failed on every lead it was asked: {error}"
AI_FAILED_REASONING = "AI assessment failed ({error}); the score is the rule score only."
# Stop dispatching when this many calls in a row failed before any succeeded: the provider
# is down or the key is wrong, and every further call would only wait out its retries.
CIRCUIT_BREAKER_MIN_FAILURES = 4
# Everything a re-score replaces; lead and offer identify the row.
_SCORE_FIELDS = [
    "rule_score", "role_points", "role_keyword", "industry_points", "industry_keyword",
    "completeness_points", "rule_set", "factors", "ai_status", "ai_error", "ai_label",
    "ai_score", "ai_factors",
    "score", "intent", "reasoning", "provider", "model", "prompt_version", "content_hash",
    "latency_ms", "input_tokens", "output_tokens", "scored_at",
]  # fmt: skip


class ProviderUnavailable(ApplicationError):
    status_code = 502


@dataclass
class ScoringSummary:
    offer: Offer
    scored: int = 0  # leads given a new score (including failed ones)
    skipped: int = 0  # leads whose stored score was still valid: no call
    failed: int = 0  # leads whose AI call failed (kept with their rule score)
    deferred: int = 0  # leads left for a later run by LLM_MAX_CALLS_PER_RUN
    calls: int = 0  # provider calls made (retries not counted)
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    failures: list[dict] = field(default_factory=list)  # [{"lead": id, "error": text}]


@dataclass(frozen=True)
class _Outcome:
    lead: Lead
    assessment: IntentAssessment | None
    error: str
    latency_ms: int


_LEAD_FIELDS = tuple(field.name for field in fields(LeadProfile))


@lru_cache(maxsize=64)
def _offer_part(offer: OfferProfile) -> str:
    """The offer's share of every content hash, as JSON: computed once per offer, not per
    lead (asdict of the offer and its profile was a third of a local run's time)."""
    offer_data = asdict(offer)
    for key in PROFILE_METADATA:  # how the profile was made does not change an answer
        offer_data["buyer_profile"].pop(key, None)
    return json.dumps(offer_data, sort_keys=True, ensure_ascii=False, default=list)


def content_hash(*, lead: LeadProfile, offer: OfferProfile, provider, version: str) -> str:
    """What a stored score depends on (the lead, the offer with its buyer profile and rule
    set, the rules' version, the provider, its model and prompt version): change any of it
    and the lead is scored again."""
    lead_part = json.dumps([getattr(lead, name) for name in _LEAD_FIELDS], ensure_ascii=False)
    parts = [lead_part, _offer_part(offer), RULES_VERSION, provider.name, provider.model, version]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _assess(provider, lead: Lead, offer_profile: OfferProfile) -> _Outcome:
    started = time.perf_counter()
    try:
        assessment = provider.assess(lead=LeadProfile.from_lead(lead), offer=offer_profile)
        error = ""
    except ProviderError as exc:
        assessment, error = None, exc.message
    latency_ms = round((time.perf_counter() - started) * 1000)
    return _Outcome(lead=lead, assessment=assessment, error=error, latency_ms=latency_ms)


def _assess_all(
    provider, leads: list[Lead], offer_profile: OfferProfile, *, nothing_scored_yet: bool
) -> list[_Outcome]:
    """Outcomes for leads: in this thread for the local provider, else concurrently. While
    nothing in the run has succeeded, raises ProviderUnavailable as soon as the first
    CIRCUIT_BREAKER_MIN_FAILURES calls have all failed."""
    if not provider.remote:
        return [_assess(provider, lead, offer_profile) for lead in leads]
    outcomes, pending = [], set()
    queue = iter(leads)
    with ThreadPoolExecutor(max_workers=settings.LLM_MAX_CONCURRENCY) as pool:
        # Submit only as many as may run, so a tripped breaker leaves nothing queued.
        for lead in queue:
            pending.add(pool.submit(_assess, provider, lead, offer_profile))
            if len(pending) >= settings.LLM_MAX_CONCURRENCY:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            outcomes += [future.result() for future in done]
            failures = [o for o in outcomes if o.assessment is None]
            if (
                nothing_scored_yet
                and len(failures) == len(outcomes) >= CIRCUIT_BREAKER_MIN_FAILURES
            ):
                for future in pending:
                    future.cancel()
                raise ProviderUnavailable(
                    PROVIDER_FAILED_ERROR.format(provider=provider.name, error=failures[0].error)
                )
            for lead in queue:
                pending.add(pool.submit(_assess, provider, lead, offer_profile))
                if len(pending) >= settings.LLM_MAX_CONCURRENCY:
                    break
    return outcomes


class ScoreRow(SimpleNamespace):
    """An unsaved score as its columns' values (account_id, lead_id, offer_id and
    _SCORE_FIELDS), for scores_upsert. Not a Score: building 500 model instances cost a
    fifth of a chunk's CPU time."""


def _score_build(
    *, outcome: _Outcome, offer: Offer, offer_profile: OfferProfile, provider, version: str,
    key: str, scored_at,
):  # fmt: skip
    """An unsaved score: the rules and the provider's judgement, combined into one label,
    with the factors that add up to it."""
    lead, assessment = outcome.lead, outcome.assessment
    rules = rule_score(lead, offer_profile)
    ai = ai_factor(assessment.label, assessment.reasoning) if assessment else None
    total, factors = combined_factors(rules, ai)
    parts = dict(
        account_id=offer.account_id,
        lead_id=lead.id,
        offer_id=offer.id,
        rule_score=rules.total,
        role_points=rules.role_points,
        role_keyword=rules.role_keyword,
        industry_points=rules.industry_points,
        industry_keyword=rules.industry_keyword,
        completeness_points=rules.completeness_points,
        rule_set=offer_profile.rule_set,
        factors=[factor.as_dict() for factor in factors],
        score=total,
        provider=provider.name,
        model=provider.model,
        prompt_version=version,
        content_hash=key,
        latency_ms=outcome.latency_ms,
        scored_at=scored_at,
    )
    if assessment is None:
        return ScoreRow(
            **parts,
            ai_status=AiStatus.FAILED,
            ai_error=outcome.error,
            ai_label="",
            ai_score=0,
            ai_factors=[],
            intent=None,
            reasoning=score_reasoning(
                rules, factors, AI_FAILED_REASONING.format(error=outcome.error)
            ),
            input_tokens=None,
            output_tokens=None,
        )
    return ScoreRow(
        **parts,
        ai_status=AiStatus.OK,
        ai_error="",
        ai_label=assessment.label,
        ai_score=ai.points,
        ai_factors=list(assessment.factors),
        intent=intent_for_score(total),
        reasoning=score_reasoning(rules, factors, assessment.reasoning),
        input_tokens=assessment.input_tokens,
        output_tokens=assessment.output_tokens,
    )


def _upsert_statement() -> tuple[str, list]:
    """INSERT ... ON CONFLICT (lead, offer) DO UPDATE. On PostgreSQL its one parameter is
    every row as a JSON array of objects: one statement for the whole batch. Elsewhere
    (SQLite) its parameters are one row, for executemany."""
    fields = [Score._meta.get_field(name) for name in ("account", "lead", "offer", *_SCORE_FIELDS)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    updates = ", ".join(
        f"{quote(field.column)} = EXCLUDED.{quote(field.column)}" for field in fields[3:]
    )
    if connection.vendor == "postgresql":
        record = ", ".join(f"{quote(field.column)} {field.db_type(connection)}" for field in fields)
        rows = f"SELECT * FROM json_to_recordset(%s::json) AS rows({record})"
    else:
        rows = f"VALUES ({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(Score._meta.db_table)} ({columns}) {rows} "
        f"ON CONFLICT ({quote('lead_id')}, {quote('offer_id')}) DO UPDATE SET {updates}"
    )
    return sql, fields


@transaction.atomic(savepoint=False)  # inside a chunk's transaction: no savepoint round trips
def scores_upsert(scores: list[ScoreRow | Score]) -> None:
    """Write scores keyed by (lead, offer): scoring a lead again replaces its score, never
    adds a second. One statement (PostgreSQL) or one executemany (SQLite) rather than
    bulk_create(update_conflicts=True): this is every run's hot path. On SQLite the ORM's
    per-value preparation and its 999-parameter statements made it over half of a local
    run's time; on PostgreSQL, an upsert per row took 80 ms per 500 leads, the JSON rows
    (encoded in C, no per-value adaptation) take 30."""
    if not scores:
        return
    sql, fields = _upsert_statement()
    if connection.vendor == "postgresql":
        columns = [(field.column, field.attname) for field in fields]
        rows = [{column: getattr(score, name) for column, name in columns} for score in scores]
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(rows, default=_json_value)])
        return
    # Only JSON and datetime values need the backend's preparation; the rest are plain.
    prepared = {
        f.attname for f in fields if f.get_internal_type() in ("JSONField", "DateTimeField")
    }
    rows = [
        [
            field.get_db_prep_save(getattr(score, field.attname), connection)
            if field.attname in prepared
            else getattr(score, field.attname)
            for field in fields
        ]
        for score in scores
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _json_value(value):
    """Datetimes in full (DjangoJSONEncoder would cut them to milliseconds)."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _leads_to_assess(
    *, leads, offer, offer_profile, provider, version, rescore, summary, call_budget
) -> tuple[list[Lead], dict[int, str]]:
    """Those of leads that need a score now, and every lead's content hash. A lead whose
    stored score has the same hash is skipped unless rescore; a remote provider's leads
    beyond the run's call budget are deferred to the next run."""
    stored = {} if rescore else valid_score_hashes(offer=offer, leads=leads)
    keys, to_assess = {}, []
    for lead in leads:
        profile = LeadProfile.from_lead(lead)
        keys[lead.id] = content_hash(
            lead=profile, offer=offer_profile, provider=provider, version=version
        )
        if not rescore and stored.get(lead.id) == keys[lead.id]:
            summary.skipped += 1
        else:
            to_assess.append(lead)
    if provider.remote and call_budget is not None:
        allowed = max(call_budget - summary.calls, 0)
        summary.deferred += len(to_assess[allowed:])
        to_assess = to_assess[:allowed]
    return to_assess, keys


def _summary_count(summary: ScoringSummary, outcomes: list[_Outcome], *, remote: bool) -> None:
    failed = [o for o in outcomes if o.assessment is None]
    summary.calls += len(outcomes) if remote else 0
    summary.scored += len(outcomes)
    summary.failed += len(failed)
    summary.failures += [{"lead": o.lead.id, "error": o.error} for o in failed]
    for o in outcomes:
        if o.assessment:
            summary.input_tokens += o.assessment.input_tokens or 0
            summary.output_tokens += o.assessment.output_tokens or 0


def score_batch(
    *,
    leads: list[Lead],
    offer: Offer,
    provider,
    rescore: bool,
    summary: ScoringSummary,
    call_budget: int | None = None,
    scored_at=None,
) -> list[ScoreRow]:
    """Unsaved scores for those of leads that need one (adding to summary's counts); a
    lead whose stored score is still valid is skipped unless rescore. Writes nothing:
    the caller upserts the scores in its own transaction."""
    offer_profile = OfferProfile.from_offer(offer, default_rule_set=settings.SCORING_RULE_SET)
    version = prompt_version() if provider.remote else ""
    to_assess, keys = _leads_to_assess(
        leads=leads, offer=offer, offer_profile=offer_profile, provider=provider,
        version=version, rescore=rescore, summary=summary, call_budget=call_budget,
    )  # fmt: skip
    if not to_assess:
        return []

    outcomes = _assess_all(
        provider, to_assess, offer_profile, nothing_scored_yet=summary.scored == summary.failed
    )
    failed = [o for o in outcomes if o.assessment is None]
    if provider.remote and len(failed) == len(outcomes) and summary.scored == summary.failed:
        raise ProviderUnavailable(
            PROVIDER_FAILED_ERROR.format(provider=provider.name, error=failed[0].error)
        )
    _summary_count(summary, outcomes, remote=provider.remote)
    scored_at = scored_at or timezone.now()
    return [
        _score_build(
            outcome=o,
            offer=offer,
            offer_profile=offer_profile,
            provider=provider,
            version=version,
            key=keys[o.lead.id] if o.assessment else "",
            scored_at=scored_at,
        )
        for o in outcomes
    ]
