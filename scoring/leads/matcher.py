"""The embedded, offline lead assessor (LLM_PROVIDER=local): deterministic, fast, and it
says what it matched.

It judges what a person would read in the bio: does the lead need what the offer does? It
compares the words of the lead's role, industry and bio with the offer's name, value
propositions and use cases (scoring/leads/term_overlap.py: stemmed, abbreviations expanded), looks
for a stated need in the bio (an active search, a pain or a change: scoring/leads/lead_signals.py)
and weighs both against the offer's buyer profile: relevant words from a department that
does not buy this are not a need.
"""

import re

from scoring.leads.assessment import IntentAssessment, LeadProfile, OfferProfile
from scoring.leads.buyer_profile import BuyerProfile, buyer_profile_infer
from scoring.leads.lead_signals import bio_signals
from scoring.leads.models import Intent
from scoring.leads.rules import FIT_NONE, FIT_PRIMARY, department_fit, in_target_industry
from scoring.leads.term_overlap import offer_terms, tokens
from scoring.leads.term_overlap import terms as term_pairs
from scoring.leads.titles import normalise_title

# Points of overlap with the offer's terms (distinct stems, plus one per two-word phrase)
# that make the relevance weak, clear or broad.
MEDIUM_FIT_POINTS = 2
HIGH_FIT_POINTS = 4
STRONG_FIT_POINTS = 6

NO_OVERLAP_REASONING = (
    "Nothing in the lead's role, industry or bio matches the offer's value propositions or "
    "use cases"
)
NOTHING_MATCHES_REASONING = f"{NO_OVERLAP_REASONING}, and the bio states no need."
_RUN_BREAK = re.compile(r"[.,;:!?()]")
FIELD_LABELS = (("linkedin_bio", "Bio"), ("role", "Role"), ("industry", "Industry"))


def _matched_runs(text: str, tokens, offer_stems: frozenset[str]) -> list[str]:
    """Runs of consecutive words in text (whose tokens) that hit offer terms, as written;
    punctuation between two words ends a run ("yield. Applications" is two)."""
    runs, start, end = [], None, None
    for match, stems in tokens:
        if start is not None and _RUN_BREAK.search(text, end, match.start()):
            runs.append(text[start:end])
            start = None
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


class LocalAssessor:
    """The offline lead assessor (LLM_PROVIDER=local), and the buyer-profile reader that
    stands in when a remote model fails."""

    name = "local"
    model = "local-keyword-v2"
    remote = False

    @classmethod
    def from_settings(cls) -> "LocalAssessor":
        return cls()

    def infer_buyer_profile(self, *, offer: OfferProfile) -> BuyerProfile:
        return buyer_profile_infer(
            name=offer.name, value_props=offer.value_props, ideal_use_cases=offer.ideal_use_cases
        )

    def assess(self, *, lead: LeadProfile, offer: OfferProfile) -> IntentAssessment:
        terms = offer_terms(offer)
        texts = {field: getattr(lead, field) or "" for field, _ in FIELD_LABELS}
        field_tokens = {field: tokens(text) for field, text in texts.items()}  # once: hot path
        field_terms = {field: term_pairs(texts[field], field_tokens[field]) for field in texts}
        # Field by field: no phrase spans two fields.
        matched_stems = set().union(*(stems for stems, _ in field_terms.values())) & terms.stems
        matched_pairs = set().union(*(pairs for _, pairs in field_terms.values())) & terms.pairs
        # The bio's overlap is the evidence of need; the role's words are the rules' to score.
        bio_stems, bio_pairs = field_terms["linkedin_bio"]
        overlap = len(bio_stems & terms.stems) + len(bio_pairs & terms.pairs)
        signals = bio_signals(lead.linkedin_bio or "")
        profile = offer.buyer_profile
        insider = in_target_industry(lead, profile)
        fit = department_fit(normalise_title(lead.role or ""), profile, insider=insider)
        label = _label(overlap=overlap, signals=signals, fit=fit)

        mentions = [
            (label_text, runs)
            for field, label_text in FIELD_LABELS
            if (runs := _matched_runs(texts[field], field_tokens[field], terms.stems))
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
        if signals.active_search:
            factors.append(f"buying signal: {signals.active_search.lower()}")
        elif signals.pain:
            factors.append(f"need: {signals.pain.lower()}")
        return IntentAssessment(
            label=label,
            reasoning=self._reasoning(label, mentions, best_phrases, signals, fit),
            factors=tuple(factors),
        )

    @staticmethod
    def _reasoning(label, mentions, best_phrases, signals, fit) -> str:
        if signals.already_bought:
            need = f"'{signals.already_bought}' in the bio: it already has something like it"
        elif signals.active_search:
            need = f"'{signals.active_search}' in the bio signals an active search"
        elif signals.pain:
            need = f"'{signals.pain}' in the bio states a need"
        else:
            need = ""
        if not mentions:
            return f"{NO_OVERLAP_REASONING}; {need}." if need else NOTHING_MATCHES_REASONING
        said = "; ".join(f"{who.lower()} mentions {_join(runs)}" for who, runs in mentions)
        quoted = _join([f"'{p.text}'" for p in best_phrases])
        first = f"{said[0].upper()}{said[1:]}, matching {quoted}."
        if need:
            second = f"{need[0].upper()}{need[1:]}."
        elif fit == FIT_NONE:
            second = "Relevant words, but from a department that does not buy this."
        elif label == Intent.HIGH:
            second = "The overlap with the offer is broad."
        elif label == Intent.MEDIUM:
            second = "Relevant, but with no stated need."
        else:
            second = "Little evidence of a need for the offer."
        return f"{first} {second}"


def _label(*, overlap: int, signals, fit: str) -> Intent:
    """High for a need (a search or a pain) that concerns the offer, or a broad overlap;
    Medium for some overlap or a need alone; Low otherwise. A lead whose department does
    not buy this needs both a need and a broad overlap for even Medium."""
    search, pain = bool(signals.active_search), bool(signals.pain)
    if fit == FIT_NONE:
        return Intent.MEDIUM if (search or pain) and overlap >= STRONG_FIT_POINTS else Intent.LOW
    if overlap >= STRONG_FIT_POINTS and (search or pain):
        return Intent.HIGH
    if search and overlap >= 1 or pain and overlap >= HIGH_FIT_POINTS:
        return Intent.HIGH
    if pain and overlap >= MEDIUM_FIT_POINTS and fit == FIT_PRIMARY:  # the buyer's own pain
        return Intent.HIGH
    if overlap >= MEDIUM_FIT_POINTS or (search or pain) and (overlap or fit == FIT_PRIMARY):
        return Intent.MEDIUM
    return Intent.LOW
