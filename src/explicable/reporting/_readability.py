"""How easy a text is to read: Flesch reading ease with a syllable-counting heuristic, and a jargon check.

Flesch (1948): ``206.835 - 1.015 * words / sentences - 84.6 * syllables / words``. 60-70 is plain English
(about age 13-15), 50-60 fairly difficult, below 30 academic. Applicant-facing text should score 60 or more.

No dictionary ships with the package, so syllables are counted by rule: groups of vowels, less a silent
final ``e``, ``-es`` or ``-ed``, plus the vowel pairs that English splits (``Austral-i-an``, ``be-ing``). The
rule gets most common words right and errs by one syllable on some others; the score is a guide, not a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["APPLICANT_JARGON", "count_syllables", "find_jargon", "flesch_reading_ease", "sentences", "words"]

#: Terms an applicant cannot be expected to know; applicant-facing text must contain none of them.
APPLICANT_JARGON: tuple[str, ...] = (
    "SHAP", "Shapley", "attribution", "log-odds", "logit", "feature", "coefficient", "model output", "classifier",
    "counterfactual", "probability", "threshold", "baseline", "base value", "stderr", "standard error",
    "algorithm", "explainer", "perturbation", "gradient", "one-hot", "LIME",
)

#: A number counts as one word of this many syllables (short numbers are read as two or three syllables).
NUMBER_SYLLABLES = 2

_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*|\d+(?:,\d{3})*(?:\.\d+)?%?")
_VOWELS = re.compile(r"[aeiouy]+")
_LIST_MARKER = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022])\s+")
# A sentence ends at . ! ? (or a line-final colon) followed by space: "0.50" does not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Vowel pairs English says as two syllables, except after the letters that merge them (spe-cial, ques-tion).
_SPLIT_PAIRS = re.compile(r"(?<![cgqst])ia|(?<![cgqst])io|(?<![gq])ua|(?<![gq])uo|ii|[aeiou]ing$|ism$")
_SILENT_INSIDE = re.compile(r"[^aeiouy]e(?:ly|ment|ful|ness|less)$")


def words(text: str) -> list[str]:
    """The words and numbers of ``text``.

    >>> words("The score was 0.72, over 1,000 points.")
    ['The', 'score', 'was', '0.72', 'over', '1,000', 'points']
    """
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``; a heading, a list item or a line ending in a colon counts as one.

    >>> sentences("Reasons:\\n1. Loan term: 48 months\\n2. Savings. It was 0.72.")
    ['Reasons:', 'Loan term: 48 months', 'Savings.', 'It was 0.72.']
    """
    out: list[str] = []
    for line in text.splitlines():
        line = _LIST_MARKER.sub("", line).strip()
        if not line or set(line) <= set("=-_#*"):
            continue
        out += [s.strip() for s in _SENTENCE_END.split(line) if words(s)]
    return out


def count_syllables(word: str) -> int:
    """Syllables of one English word, by rule (at least 1; a number counts :data:`NUMBER_SYLLABLES`).

    >>> [count_syllables(w) for w in ("the", "declined", "Australian", "being", "table", "statement")]
    [1, 2, 4, 2, 2, 2]
    """
    w = word.lower().replace("\u2019", "'").split("'")[0]
    if not w:
        return 1
    if w[0].isdigit():
        return NUMBER_SYLLABLES
    # y is a consonant at the start of a word and before a vowel (yes, saying).
    w = ("Y" + w[1:] if w[0] == "y" else w)
    w = re.sub(r"y(?=[aeiou])", "Y", w)
    count = len(_VOWELS.findall(w))
    count += len(_SPLIT_PAIRS.findall(w))
    if _silent_ending(w):
        count -= 1
    if _SILENT_INSIDE.search(w):
        count -= 1
    return max(count, 1)


def _silent_ending(w: str) -> bool:
    """A final e, es or ed that is not said: make, makes, based; not table, passes, wanted, free."""
    if len(w) > 2 and w.endswith("e") and w[-2] not in "aeiouy":
        return not (w.endswith("le") and len(w) > 3 and w[-3] not in "aeiouy")
    if len(w) > 3 and w.endswith("es") and w[-3] not in "aeiouy":
        return not (re.search(r"(?:[sxzcg]|ch|sh|[^aeiouy]l)es$", w))
    if len(w) > 3 and w.endswith("ed") and w[-3] not in "aeiouy":
        return w[-3] not in "td"
    return False


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease of ``text`` (higher is easier; NaN for a text without words).

    Parameters
    ----------
    text : str
        Lines are sentences of their own when they do not end in punctuation (headings, list items).

    Returns
    -------
    float

    Examples
    --------
    >>> round(flesch_reading_ease("The cat sat on the mat."), 1)
    116.1
    """
    found = sentences(text)
    tokens = [w for s in found for w in words(s)]
    if not tokens:
        return float("nan")
    syllables = sum(count_syllables(w) for w in tokens)
    return 206.835 - 1.015 * len(tokens) / len(found) - 84.6 * syllables / len(tokens)


def find_jargon(text: str, terms: Iterable[str] = APPLICANT_JARGON) -> list[str]:
    """The ``terms`` that occur in ``text`` as words (case-insensitive; plurals count).

    >>> find_jargon("Each feature's SHAP value is shown.")
    ['SHAP', 'feature']
    """
    return [t for t in terms if re.search(rf"(?<![A-Za-z]){re.escape(t)}(?:s|'s)?(?![A-Za-z])", text, re.I)]
