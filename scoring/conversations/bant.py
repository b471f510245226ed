"""BANT from a visitor's own words: budget, authority, need, timeline.

Each is what the visitor said (`value`, the phrase) and the sentence they said it in
(`evidence`), or None when they did not say it. The grade keeps it (`qualification`), the
webhook body carries it as an optional object, and the reasoning sums it up.
"""

import re

from scoring.conversations import vocabulary
from scoring.conversations.criteria import BUDGET_PATTERN, is_negated, one_pattern

BANT_FIELDS = ("budget", "authority", "need", "timeline")
MAX_VALUE_CHARS = 120
MAX_EVIDENCE_CHARS = 240

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


_MONEY = re.compile(vocabulary.MONEY_PATTERN, re.IGNORECASE)
# Tried in this order: an amount names a budget better than the word "budget".
_PATTERNS = {
    "budget": (_MONEY, BUDGET_PATTERN),
    "authority": (one_pattern(vocabulary.AUTHORITY_PATTERNS),),
    "need": (one_pattern(vocabulary.NEED_PATTERNS),),
    "timeline": (one_pattern(vocabulary.TIMEFRAME_PATTERNS),),
}


def _clipped(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sentences(visitor_messages: list[str]):
    for message in visitor_messages:
        for match in _SENTENCE.finditer(message):
            if sentence := match.group(0).strip():
                yield sentence


_CLAUSE_END = re.compile(r"[.;!?,]")


def _found(patterns, sentences: list[str], *, to_clause_end: bool = False) -> dict | None:
    """The first sentence (in the visitor's order) where a pattern matches, not under a
    negation; the patterns are tried in order, the first finding anything wins."""
    for pattern in patterns:
        for sentence in sentences:
            for match in pattern.finditer(sentence):
                if not is_negated(sentence, match.start()):
                    end = match.end()
                    if to_clause_end:
                        stop = _CLAUSE_END.search(sentence, end)
                        end = stop.start() if stop else len(sentence)
                    return {
                        "value": _clipped(
                            sentence[match.start() : end].strip(" ,"), MAX_VALUE_CHARS
                        ),
                        "evidence": _clipped(sentence, MAX_EVIDENCE_CHARS),
                    }
    return None


def qualification(visitor_messages: list[str]) -> dict:
    """{"budget": {"value", "evidence"} or None, "authority": …, "need": …, "timeline": …}"""
    sentences = list(_sentences(visitor_messages))
    return {
        field: _found(_PATTERNS[field], sentences, to_clause_end=field == "timeline")
        for field in BANT_FIELDS
    }


def qualification_summary(found: dict) -> str:
    """'budget "70k a year"; timeline "mid-August"', or "" when nothing was found."""
    return "; ".join(
        f'{field} "{found[field]["value"]}"' for field in BANT_FIELDS if found.get(field)
    )
