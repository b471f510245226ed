"""scores_upsert writes every field as given, on SQLite (executemany) and on PostgreSQL (one
statement over JSON rows), and replaces rather than adds."""

from datetime import UTC, datetime

import pytest
from django.forms.models import model_to_dict

from scoring.leads.models import AiStatus, Score
from scoring.leads.services.scoring import scores_upsert
from tests.factories import LeadFactory, ScoreFactory

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = 'It\'s "quoted", back\\slashed,\nmultiline, {braced}, ümlaut, 日本, 🚀'


def unsaved_score(lead, offer, **fields):
    return ScoreFactory.build(account=offer.account, lead=lead, offer=offer, **fields)


def stored(score):
    return model_to_dict(Score.objects.get(lead=score.lead, offer=score.offer), exclude=["id"])


def test_every_field_is_written_as_given(seed_offer):
    lead = LeadFactory()
    score = unsaved_score(
        lead,
        seed_offer,
        reasoning=AWKWARD_TEXT,
        ai_factors=[AWKWARD_TEXT, "bio: data"],
        input_tokens=None,
        latency_ms=1234,
        content_hash="f" * 64,
        scored_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )
    failed = unsaved_score(
        LeadFactory(),
        seed_offer,
        ai_status=AiStatus.FAILED,
        ai_error="HTTP 503",
        ai_label="",
        ai_score=0,
        ai_factors=[],
        intent=None,
    )

    scores_upsert([score, failed])

    assert stored(score) == model_to_dict(score, exclude=["id"])
    assert stored(failed) == model_to_dict(failed, exclude=["id"])


def test_writing_a_score_again_replaces_it(seed_offer):
    lead = LeadFactory()
    scores_upsert([unsaved_score(lead, seed_offer, score=10, reasoning="first")])
    again = unsaved_score(lead, seed_offer, score=90, reasoning="second", ai_factors=["x"])

    scores_upsert([again])

    assert Score.objects.count() == 1
    assert stored(again) == model_to_dict(again, exclude=["id"])
