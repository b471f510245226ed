"""Matching vocabulary in free text: whole words, case-insensitively."""

import re


def whole_word_pattern(*phrases: str) -> re.Pattern:
    """Any of the phrases, as whole words, case-insensitively. A space in a phrase matches
    any run of whitespace, a `*` any word ending ("integrat*": integrate, integration).
    Longest first, so "vice president" is reported rather than "president"."""
    alternatives = []
    for phrase in sorted(phrases, key=len, reverse=True):
        escaped = r"\s+".join(map(re.escape, phrase.split()))
        alternatives.append(escaped.replace(r"\*", r"\w*"))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
