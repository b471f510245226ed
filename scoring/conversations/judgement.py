"""What a sales manager sees in a chat beyond the seed's points (criteria.py): who the visitor
is and where they stand, and what that does to the score.

In this order, the first that applies:

- **not a buyer** (a student or researcher, a job seeker, press, a vendor pitching its own
  services, a competitor, an existing customer's support or billing issue, a consumer or
  hobbyist, spam or gibberish): cold, at most NON_BUYER_MAX, the reason named;
- **a partner or reseller**: warm, within PARTNER_RANGE;
- **saying no** (too expensive, staying with what they have, chose another vendor) without
  a buying step: cold, at most REJECTION_MAX;
- **wanting it later** ("no rush", "not ready", "reach out in July"): warm, within
  DEFERRAL_RANGE, when they showed any interest, left contact details or talked it through
  (ENGAGED_MESSAGES); else as scored, at most cold;
- **a buying step** (a quote, a purchase order, a contract, procurement paperwork, seats with
  a date soon, an approved budget, asking sales to call, a yes to the quote or call the bot
  offered, or budget, authority and need all stated with a timeline soon): hot, at least
  COMMITMENT_MIN, however few their messages;
- **contact details left** (an email or a phone number): at least warm (CONTACT_MIN).

Vocabulary: vocabulary.py. Each finding keeps the visitor's words as its evidence.
"""

import re
from dataclasses import dataclass

from scoring.conversations import criteria, vocabulary
from scoring.conversations.criteria import (
    HOT_MIN_SCORE,
    WARM_MIN_SCORE,
    has_negation,
    is_negated,
    one_pattern,
)

NON_BUYER_MAX = 15
PARTNER_RANGE = (45, 65)
REJECTION_MAX = 30
DEFERRAL_RANGE = (WARM_MIN_SCORE, HOT_MIN_SCORE - 5)
COMMITMENT_MIN = 80
CONTACT_MIN = WARM_MIN_SCORE
# Visitor messages that make a conversation rather than a passing line.
ENGAGED_MESSAGES = 3
# Gibberish: too few of the visitor's words look like words of any language.
MIN_WORDLIKE_SHARE = 0.5
MIN_WORDS_FOR_GIBBERISH = 3
MAX_EVIDENCE_CHARS = 80


_COMMITMENT = one_pattern(vocabulary.COMMITMENT_PATTERNS)
_QUANTITY = re.compile(vocabulary.QUANTITY_PATTERN, re.IGNORECASE)
_SOON = one_pattern(vocabulary.SOON_PATTERNS)
_DEFERRAL = one_pattern(vocabulary.DEFERRAL_PATTERNS)
_REJECTION = one_pattern(vocabulary.REJECTION_PATTERNS)
_PARTNER = one_pattern(vocabulary.PARTNER_PATTERNS)
_NON_BUYERS = {
    key: (label, action, one_pattern(sources))
    for key, (label, action, sources) in vocabulary.NON_BUYERS.items()
}
# Any class's phrase: most visitors have none, and one scan tells them apart.
_ANY_NON_BUYER = one_pattern(
    source for _, _, sources in vocabulary.NON_BUYERS.values() for source in sources
)
_CONTACT = re.compile(f"{vocabulary.EMAIL_PATTERN}|{vocabulary.PHONE_PATTERN}")
_TOKEN = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"^[a-zA-Z\u00C0-\u024F]+$")
# A word-like token: has a vowel (of any of the five languages), no letter three times in a
# row, and is not absurdly long.
_WORDLIKE = re.compile(r"^(?=.*[aeiouyàáâãäåèéêëìíîïòóôõöùúûüæœ])(?!.*(.)\1\1).{1,20}$", re.I)


@dataclass(frozen=True)
class Finding:
    key: str
    label: str  # how it reads after "the visitor" in the reasoning
    signal: str  # how it reads in the intent signals
    evidence: str  # the visitor's words


@dataclass(frozen=True)
class Situation:
    """Who the visitor is and where they stand, as their messages show it."""

    non_buyer: Finding | None = None
    partner: Finding | None = None
    rejection: Finding | None = None
    deferral: Finding | None = None
    commitment: Finding | None = None
    contact: bool = False

    # The buying step came with a date soon ("a quote by Friday"): it outweighs a deferral
    # of something else ("no rush on the demo").
    urgent_commitment: bool = False

    @property
    def band(self) -> str | None:
        """Which finding sets the score's band, if any, in the order of the module doc:
        "non_buyer", "partner", "rejection", "deferral" or "commitment"."""
        if self.non_buyer:
            return "non_buyer"
        if self.partner:
            return "partner"
        if self.rejection and not self.commitment:
            return "rejection"
        if self.deferral and not self.urgent_commitment:
            return "deferral"
        return "commitment" if self.commitment else None

    @property
    def deciding(self) -> Finding | None:
        """The finding that sets the score's band, if any."""
        return getattr(self, self.band) if self.band else None


_CLAUSE_END = re.compile(r"[.;!?\n]|,\s")


def _evidence(match: re.Match, *, to_clause_end: bool = False) -> str:
    """The matched words; with `to_clause_end`, up to the end of their clause ("budget
    opens up in Q3", not "budget opens")."""
    end = match.end()
    if to_clause_end:
        stop = _CLAUSE_END.search(match.string, end)
        end = stop.start() if stop else len(match.string)
    words = " ".join(match.string[match.start() : end].split())
    return words if len(words) <= MAX_EVIDENCE_CHARS else words[: MAX_EVIDENCE_CHARS - 1] + "…"


def _first(pattern: re.Pattern, text: str, *, affirmed: bool = False) -> re.Match | None:
    """The earliest match (not negated, with `affirmed`)."""
    if not affirmed:
        return pattern.search(text)
    return next((m for m in pattern.finditer(text) if not is_negated(text, m.start())), None)


def _line_of(match: re.Match) -> str:
    """The line (a message) the match is in."""
    text = match.string
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    return text[start : end if end != -1 else len(text)]


def _is_wordlike(token: str) -> bool:
    """A Latin-script word with a vowel, an acronym (CRM), or a word of another script
    (whose vowels this does not know)."""
    return bool(_WORDLIKE.match(token)) or token.isupper() or not _LATIN.match(token)


def _gibberish(text: str) -> re.Match | None:
    tokens = _TOKEN.findall(text)
    if len(tokens) < MIN_WORDS_FOR_GIBBERISH:
        return None
    wordlike = sum(1 for token in tokens if _is_wordlike(token))
    if wordlike / len(tokens) >= MIN_WORDLIKE_SHARE:
        return None
    return re.match(r".{0,40}", text.strip(), re.DOTALL)


def _commitment(text: str) -> re.Match | None:
    if match := _first(_COMMITMENT, text, affirmed=True):
        return match
    # "<n> seats" and a date soon, in the same message: a purchase being sized.
    for message in text.split("\n"):
        quantity = _QUANTITY.search(message)
        if quantity and _first(_SOON, message) and not is_negated(message, quantity.start()):
            return quantity
    return None


_AFFIRMATIVE = re.compile(vocabulary.AFFIRMATIVE_PATTERN, re.IGNORECASE)
_BOT_OFFER = one_pattern(vocabulary.BOT_OFFER_PATTERNS)
# An answer this short is an answer to the bot's question, not a statement of its own.
MAX_SHORT_ANSWER_WORDS = 5


def accepted_offer(exchanges) -> re.Match | None:
    """A short yes to a buying step the bot offered ("Would you like a quote for 4
    locations?" "yes"): the visitor's yes. `exchanges` are (the bot's last message before
    it, the visitor's message)."""
    for bot_said, visitor_said in exchanges:
        short = len(visitor_said.split()) <= MAX_SHORT_ANSWER_WORDS
        if (
            short
            and (yes := _AFFIRMATIVE.search(visitor_said))
            and not has_negation(visitor_said)  # "please, no calls"
            and _first(_BOT_OFFER, bot_said)
        ):
            return yes
    return None


def _qualified_soon(found: dict | None) -> re.Match | None:
    """Budget, authority and need all stated, and a timeline soon: a buyer in all but the
    asking. The timeline's words."""
    if not found or not all(found.get(field) for field in ("budget", "authority", "need")):
        return None
    timeline = found.get("timeline")
    return _first(_SOON, timeline["value"]) if timeline else None


def visitor_situation(
    visitor_messages: list[str], exchanges=(), qualification: dict | None = None
) -> Situation:
    """`exchanges`: each visitor message with the bot's message before it (for a short
    yes to what the bot offered); `qualification`: their BANT (bant.py)."""
    text = "\n".join(visitor_messages)
    found = {}
    classes = _NON_BUYERS.items() if _ANY_NON_BUYER.search(text) else ()
    if gibberish := _gibberish(text):
        classes = [("spam", _NON_BUYERS["spam"])]
    for key, (label, _, patterns) in classes:
        if match := (gibberish if key == "spam" else None) or _first(patterns, text):
            found["non_buyer"] = Finding(
                key, f"is {label}, not a buyer", f"Not a buyer: {label}", _evidence(match)
            )
            break
    urgent = False
    for name, label, signal, match, to_clause_end in (
        ("partner", "asks about partnering or reselling", "Partner or reseller enquiry",
         _first(_PARTNER, text), False),
        ("rejection", "said no", "Said no", _first(_REJECTION, text, affirmed=True), True),
        ("deferral", "wants it later", "Wants it later", _first(_DEFERRAL, text), True),
        ("commitment", "took a buying step", "Took a buying step",
         _commitment(text) or _qualified_soon(qualification), True),
    ):  # fmt: skip
        if match is not None:
            found[name] = Finding(
                name, label, signal, _evidence(match, to_clause_end=to_clause_end)
            )
            if name == "commitment":
                # Dated in any message that takes a step ("responses are due next Friday").
                urgent = _first(_SOON, _line_of(match)) is not None or any(
                    _first(_SOON, line) and _commitment(line) for line in visitor_messages
                )
    if "commitment" not in found and (yes := accepted_offer(exchanges)):
        found["commitment"] = Finding(
            "commitment",
            "said yes to the quote or call the bot offered",
            "Said yes to the quote or call the bot offered",
            _evidence(yes, to_clause_end=True),
        )
    return Situation(**found, contact=bool(_CONTACT.search(text)), urgent_commitment=urgent)


def judged_score(
    score: int, situation: Situation, *, showed_interest: bool, engaged: bool = False
) -> int:
    """The criteria's score moved into the band the situation calls for (module doc).
    `showed_interest`: a criterion met; `engaged`: a conversation, not a line or two."""
    band = situation.band
    if band == "non_buyer":
        return min(score, NON_BUYER_MAX)
    if band == "partner":
        return max(PARTNER_RANGE[0], min(score, PARTNER_RANGE[1]))
    if band == "rejection":
        return min(score, REJECTION_MAX)
    if band == "deferral":
        if showed_interest or situation.contact or situation.commitment or engaged:
            return max(DEFERRAL_RANGE[0], min(score, DEFERRAL_RANGE[1]))
        return min(score, WARM_MIN_SCORE - 1)
    if band == "commitment":
        return max(score, COMMITMENT_MIN)
    if situation.contact:
        return max(score, CONTACT_MIN)
    return score


# --- what the grade says: signals, next steps, reasoning -------------------------------------

PARTNER_ACTIONS = ("Hand over to the partnerships team", "Send the partner programme terms")
REJECTION_ACTION = "Mark as lost for now and add to a long-term nurture list"
DEFERRAL_ACTION = "Schedule a follow-up for the time they named ('{evidence}')"
DEFERRAL_MATERIAL_ACTION = "Send material they can keep: a case study and the pricing guide"
COMMITMENT_ACTION = "Have sales contact the visitor today to take the next step ('{evidence}')"
# Too eager for a visitor who asked for time.
_URGENT_ACTIONS = frozenset({criteria.ACTIONS_BY_CRITERION["demo"]})


def signals(grade: criteria.CriteriaGrade, situation: Situation) -> tuple[str, ...]:
    """The criteria met, then what the judgement found, each with its evidence."""
    found = [
        f"{finding.signal} ('{finding.evidence}')"
        for finding in (
            situation.non_buyer,
            situation.partner,
            situation.rejection,
            situation.deferral,
            situation.commitment,
        )  # fmt: skip
        if finding is not None
    ]
    if situation.contact:
        found.append("Left contact details")
    return (*(c.signal for c in grade.met), *found)


def actions(grade: criteria.CriteriaGrade, situation: Situation, category) -> list[str]:
    band = situation.band
    if band == "non_buyer":
        return [_NON_BUYERS[situation.non_buyer.key][1]]
    if band == "partner":
        return list(PARTNER_ACTIONS)
    if band == "rejection":
        return [REJECTION_ACTION]
    by_criteria = criteria.recommended_actions(grade, category)
    if band == "deferral":
        follow_up = DEFERRAL_ACTION.format(evidence=situation.deferral.evidence)
        kept = [action for action in by_criteria if action not in _URGENT_ACTIONS]
        return [follow_up, DEFERRAL_MATERIAL_ACTION, *kept]
    if band == "commitment":
        first = COMMITMENT_ACTION.format(evidence=situation.commitment.evidence)
        default = criteria.DEFAULT_ACTIONS[category]
        return [first, *(action for action in by_criteria if action != default)]
    return by_criteria


def reasoning(
    grade: criteria.CriteriaGrade, situation: Situation, score: int, category, bant: str
) -> str:
    """Why the score: what moved it into its band (if anything did), the seed's points,
    then BANT."""
    points = criteria.points_breakdown(grade)
    deciding = situation.deciding
    if deciding is not None and score != grade.score:
        why = f"the visitor {deciding.label} ('{deciding.evidence}')"
    elif deciding is None and situation.contact and score != grade.score:
        why = "the visitor left contact details"
    else:
        why = ""
    if why:
        text = (
            f"Score {score} ({category.value}): {why}; by the criteria alone "
            f"{grade.score}: {points}."
        )
    else:
        text = f"Score {score} ({category.value}): {points}."
        if deciding is not None:
            text += f" The visitor {deciding.label} ('{deciding.evidence}')."
    return f"{text} BANT: {bant}." if bant else text
