"""The embedded, offline intent provider: deterministic, fast, and it says what it matched.

It compares the words of the lead's role, industry and bio with the words of the offer's
name, value propositions and ideal use cases. Words are lower-cased, stemmed (Snowball
English) and abbreviations are expanded ("ML" → "machine learning"), so "Looking for
advanced ML platforms" meets "Advanced Machine Learning Analytics". It counts the distinct
offer terms the lead mentions, adds one per two-word offer phrase it mentions whole, and
looks for explicit buying signals in the bio ("looking for", "evaluating"...).
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import snowballstemmer

from scoring import conversation_rules
from scoring.conversation_schemas import GradingTask
from scoring.models import Intent
from scoring.providers.base import (
    ConversationAssessment,
    IntentAssessment,
    LeadProfile,
    OfferProfile,
)

# Abbreviations expanded in both the offer and the lead, so either side may use either form.
SYNONYMS = {
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "bi": "business intelligence",
    "crm": "customer relationship management",
    "erp": "enterprise resource planning",
    "kpi": "key performance indicator",
    "kpis": "key performance indicators",
    "saas": "software as a service",
    "nlp": "natural language processing",
    "etl": "data pipeline",
    "realtime": "real time",
}
# Stems that mean the same thing to a buyer.
STEM_ALIASES = {"analysi": "analyt", "analyz": "analyt", "analys": "analyt"}
# Words the stemmer would conflate with a different one ("customer" is not "custom").
WORD_STEMS = {"customer": "customer", "customers": "customer"}
# Words too common in bios and offers to be evidence of fit.
STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our over the
    their this to with we you your i my me us about through across per via than that who
    year years experience experienced plus passionate focus focused focusing professional
    leading leader strong background expertise expert team teams new based help helping
    company companies inc corp llc ltd solution solutions pro""".split()
)
BUYING_SIGNALS = (
    "looking for", "evaluating", "exploring", "seeking", "searching for", "in the market for",
    "shopping for", "need", "needs", "interested in", "planning to", "budget for",
    "migrating", "replacing", "adopting", "implementing", "rolling out", "scale our",
    "scaling our", "modernize", "modernizing",
)  # fmt: skip
# A lead needs this many points of fit for Medium, and for High either this many with a
# buying signal, or STRONG_FIT_POINTS with none.
MEDIUM_FIT_POINTS = 2
HIGH_FIT_POINTS = 4
STRONG_FIT_POINTS = 6

_WORD = re.compile(r"[^\W_]+")
_SIGNAL = re.compile(
    r"\b(?:" + "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in BUYING_SIGNALS) + r")\b",
    re.IGNORECASE,
)
_stemmer = snowballstemmer.stemmer("english")
FIELD_LABELS = (("linkedin_bio", "Bio"), ("role", "Role"), ("industry", "Industry"))


@lru_cache(maxsize=50_000)
def _stems_of_word(word: str) -> tuple[str, ...]:
    """Content stems one word stands for: none for a stopword, several for an abbreviation."""
    words = SYNONYMS.get(word, word).split()
    stems = []
    for part in words:
        if part in STOPWORDS:
            continue
        stem = WORD_STEMS.get(part) or _stemmer.stemWord(part)
        stems.append(STEM_ALIASES.get(stem, stem))
    return tuple(stems)


def _tokens(text: str) -> list[tuple[re.Match, tuple[str, ...]]]:
    """(match, stems) for each word of text, stopwords included with no stems."""
    return [(m, _stems_of_word(m.group(0).lower())) for m in _WORD.finditer(text)]


def _terms(text: str, tokens=None) -> tuple[set[str], set[tuple[str, str]]]:
    """Stems and adjacent stem pairs (two-word phrases) of text (whose _tokens, if given)."""
    tokens = _tokens(text) if tokens is None else tokens
    stems = [stem for _, word_stems in tokens for stem in word_stems]
    return set(stems), set(pairwise(stems))


@dataclass(frozen=True)
class _OfferPhrase:
    text: str
    stems: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    is_offer_name: bool = False


@dataclass(frozen=True)
class _OfferTerms:
    phrases: tuple[_OfferPhrase, ...]
    stems: frozenset[str]
    pairs: frozenset[tuple[str, str]]


@lru_cache(maxsize=64)
def _offer_terms(offer: OfferProfile) -> _OfferTerms:
    phrases = []
    for position, text in enumerate((offer.name, *offer.value_props, *offer.ideal_use_cases)):
        stems, pairs = _terms(text)
        if stems:
            phrases.append(
                _OfferPhrase(
                    text=text,
                    stems=frozenset(stems),
                    pairs=frozenset(pairs),
                    is_offer_name=position == 0,
                )
            )
    return _OfferTerms(
        phrases=tuple(phrases),
        stems=frozenset().union(*(p.stems for p in phrases)),
        pairs=frozenset().union(*(p.pairs for p in phrases)),
    )


def _matched_runs(text: str, tokens, offer_stems: frozenset[str]) -> list[str]:
    """Runs of consecutive words in text (whose _tokens) that hit offer terms, as written."""
    runs, start, end = [], None, None
    for match, stems in tokens:
        if any(stem in offer_stems for stem in stems):
            start = match.start() if start is None else start
            end = match.end()
        elif start is not None:
            runs.append(text[start:end])
            start = None
    if start is not None:
        runs.append(text[start:end])
    return list(dict.fromkeys(runs))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class LocalProvider:
    name = "local"
    model = "local-keyword-v1"
    conversation_model = "local-conversation-criteria-v1"
    remote = False

    @classmethod
    def from_settings(cls) -> "LocalProvider":
        return cls()

    def grade_conversation(self, *, task: GradingTask) -> ConversationAssessment:
        messages = task.visitor_messages
        grade = conversation_rules.criteria_grade(messages)
        return ConversationAssessment(
            score=grade.score,
            intent_signals=tuple(c.signal for c in grade.met),
            key_interests=tuple(conversation_rules.key_interests(messages)),
            recommended_actions=tuple(conversation_rules.recommended_actions(grade)),
            reasoning=conversation_rules.reasoning(grade),
            model_used=self.conversation_model,
        )

    def assess(self, *, lead: LeadProfile, offer: OfferProfile) -> IntentAssessment:
        terms = _offer_terms(offer)
        texts = {field: getattr(lead, field) or "" for field, _ in FIELD_LABELS}
        tokens = {field: _tokens(text) for field, text in texts.items()}  # once: a hot path
        lead_stems, lead_pairs = set(), set()
        for field, _ in FIELD_LABELS:  # field by field: no phrase spans two fields
            stems, pairs = _terms(texts[field], tokens[field])
            lead_stems |= stems
            lead_pairs |= pairs
        matched_stems = lead_stems & terms.stems
        matched_pairs = lead_pairs & terms.pairs
        fit_points = len(matched_stems) + len(matched_pairs)
        signal = _SIGNAL.search(lead.linkedin_bio or "")

        if fit_points >= STRONG_FIT_POINTS or (fit_points >= HIGH_FIT_POINTS and signal):
            label = Intent.HIGH
        elif fit_points >= MEDIUM_FIT_POINTS or (fit_points and signal):
            label = Intent.MEDIUM
        else:
            label = Intent.LOW

        mentions = [
            (label_text, runs)
            for field, label_text in FIELD_LABELS
            if (runs := _matched_runs(texts[field], tokens[field], terms.stems))
        ]
        # The value propositions and use cases the lead overlaps most, the offer's own name
        # last: "matching 'Real-time Data Processing'" says more than the product's name.
        best_phrases = sorted(
            (p for p in terms.phrases if p.stems & matched_stems),
            key=lambda p: (
                not p.is_offer_name,
                len(p.stems & matched_stems) + len(p.pairs & matched_pairs),
            ),
            reverse=True,
        )[:2]
        factors = [f"{label_text.lower()}: {run}" for label_text, runs in mentions for run in runs]
        factors += [f"matches: {p.text}" for p in best_phrases]
        if signal:
            factors.append(f"buying signal: {signal.group(0).lower()}")
        return IntentAssessment(
            label=label,
            reasoning=self._reasoning(label, mentions, best_phrases, signal),
            factors=tuple(factors),
        )

    @staticmethod
    def _reasoning(label, mentions, best_phrases, signal) -> str:
        if not mentions:
            return (
                "Nothing in the lead's role, industry or bio matches the offer's value "
                "propositions or use cases."
            )
        said = "; ".join(f"{who.lower()} mentions {_join(runs)}" for who, runs in mentions)
        quoted = _join([f"'{p.text}'" for p in best_phrases])
        first = f"{said[0].upper()}{said[1:]}, matching {quoted}."
        if signal:
            second = f"'{signal.group(0)}' in the bio signals an active search."
        elif label == Intent.HIGH:
            second = "The overlap with the offer is broad."
        elif label == Intent.MEDIUM:
            second = "Relevant, but with no explicit buying signal."
        else:
            second = "A single overlap is weak evidence of fit."
        return f"{first} {second}"
