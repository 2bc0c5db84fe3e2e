"""Plain-language narratives: why one decision was made, an adverse action notice, a one-page summary, the audit.

Every text here is built by rule from the numbers it is given: the same inputs give the same words (no
randomness, no language model), and every number printed is an input (or a sum of inputs), rounded.
Applicant-facing texts (:func:`explain_decision`, :func:`adverse_action_notice`) avoid technical terms and aim
at a Flesch reading ease of 60 or more (:func:`flesch_reading_ease`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_int
from explicable.reasons import Reason, merge_groups, reasons
from explicable.reporting._narrative_audit import audit_narrative
from explicable.reporting._narrative_document import Document, Section
from explicable.reporting._narrative_labels import Labels, format_amount, join_words, make_labels
from explicable.reporting._narrative_notice import Notice, adverse_action_notice
from explicable.reporting._narrative_summary import stakeholder_summary
from explicable.reporting._readability import APPLICANT_JARGON, find_jargon, flesch_reading_ease

__all__ = [
    "APPLICANT_JARGON",
    "Document",
    "Notice",
    "Section",
    "adverse_action_notice",
    "audit_narrative",
    "explain_decision",
    "find_jargon",
    "flesch_reading_ease",
    "stakeholder_summary",
]

_DEFAULT_THRESHOLDS = {"probability": 0.5, "log-odds": 0.0}


def explain_decision(
    explanation: Explanation,
    row: int = 0,
    *,
    output: int | str = -1,
    threshold: float | None = None,
    outcome_labels: tuple[str, str] = ("approved", "declined"),
    subject: str = "application",
    k: int = 3,
    labels: Mapping[str, Any] | None = None,
    groups: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
) -> str:
    """Why one row got its decision, in a few plain sentences.

    The decision is ``outcome_labels[1]`` when the row's score (``base_values + values.sum()`` for
    ``output``) is at least ``threshold``, else ``outcome_labels[0]``. The main reasons are the ``k``
    factors that pushed the score hardest toward the side it ended on (as :func:`explicable.reasons` ranks
    them); the strongest factors that pulled the other way follow.

    Parameters
    ----------
    explanation : Explanation
        Additive attributions of the score the decision is taken on.
    row : int, default 0
        Position of the row in ``explanation``.
    output : int or str, default -1
        The output scored (default the last: the positive class, e.g. ``"bad"`` for credit risk).
    threshold : float, optional
        The decision threshold; default 0.5 for probabilities and 0 for log-odds (required for raw scores).
    outcome_labels : (str, str), default ("approved", "declined")
        The decision below the threshold and at or above it, as past participles.
    subject : str, default "application"
        What was decided on ("candidate", "claim").
    k : int, default 3
        Most main reasons named.
    labels : mapping, optional
        Feature -> readable label, or (label, unit). German credit columns get their codebook labels.
    groups : mapping or list of str, optional
        Derived columns to merge into the applicant's feature (see :func:`explicable.reasons`).

    Returns
    -------
    str

    Examples
    --------
    >>> exp = Explanation(np.array([[[0.3], [-0.1]]]), np.array([[0.4]]), ["debt_ratio", "income"], ["risk"],
    ...                   data=np.array([[0.62, 4100.0]]))
    >>> print(explain_decision(exp, threshold=0.5, k=1))  # doctest: +NORMALIZE_WHITESPACE
    The application was declined mainly because of debt ratio (0.62). An application that scores 0.50 or more
    is declined. This one scored 0.60, from a starting point of 0.40 for a typical application. Debt ratio
    counted the most: it raised the score by 0.30. Pulling the other way, income (4,100) lowered the score by 0.10.
    """
    if not isinstance(explanation, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation", got=explanation)
    row = check_int(row, "row", low=0, high=len(explanation) - 1)
    k = check_int(k, "k", low=1)
    _check_words(outcome_labels, subject)
    name = _output(explanation, output)
    cut = _threshold(explanation, threshold)
    one = explanation.select(rows=[row], outputs=name)
    score, start = float(one.output_totals[0, 0]), float(one.base_values[0, 0])
    high = score >= cut
    words = make_labels(labels, merge_groups(one, groups).feature_names)
    toward, away = ("higher", "lower") if high else ("lower", "higher")
    main = reasons(one, k, toward=toward, require_stable=False, groups=groups)
    other = reasons(one, 2, toward=away, require_stable=False, groups=groups)
    decision = outcome_labels[int(high)]
    article = "An" if subject[:1].lower() in "aeiou" else "A"
    lines = [_headline(subject, decision, main.for_row(0), words),
             f"{article} {subject} that scores {format_amount(cut)} or more is {outcome_labels[1]}.",
             f"This one scored {format_amount(score)}, from a starting point of {format_amount(start)} for a typical "
             f"{subject}."]
    lines += _pushes(main.for_row(0), other.for_row(0), "raised" if high else "lowered",
                     "lowered" if high else "raised", words)
    if not main.stable[0]:
        lines.append(f"These reasons are estimates: their order could change if the {subject} were checked again.")
    return " ".join(lines)


def _check_words(outcome_labels: Any, subject: Any) -> None:
    if not (isinstance(outcome_labels, (tuple, list)) and len(outcome_labels) == 2
            and all(isinstance(w, str) and w.strip() for w in outcome_labels)):
        raise InvalidParameterError(parameter="outcome_labels", expected="two words: the decision below and at or "
                                    "above the threshold, e.g. ('approved', 'declined')", got=outcome_labels)
    if not isinstance(subject, str) or not subject.strip():
        raise InvalidParameterError(parameter="subject", expected="a non-empty word such as 'application'",
                                    got=subject)


def _output(explanation: Explanation, output: int | str) -> str:
    names = explanation.output_names
    if isinstance(output, str) and output in names:
        return output
    if isinstance(output, (int, np.integer)) and not isinstance(output, bool) and -len(names) <= output < len(names):
        return names[int(output)]
    raise InvalidParameterError(parameter="output", expected=f"an output name or position of {list(names)}",
                                got=output)


def _threshold(explanation: Explanation, threshold: float | None) -> float:
    space = explanation.provenance.output_space
    if threshold is None:
        if space not in _DEFAULT_THRESHOLDS:
            raise InvalidParameterError(parameter="threshold", expected="the decision threshold (the explanation's "
                                        f"outputs are '{space}' scores, which have no default)", got=None)
        return _DEFAULT_THRESHOLDS[space]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) \
            or not np.isfinite(threshold):
        raise InvalidParameterError(parameter="threshold", expected="a finite number", got=threshold)
    return float(threshold)


def _headline(subject: str, decision: str, main: tuple[Reason, ...], words: Labels) -> str:
    if not main:
        return f"The {subject} was {decision}. No single detail of it pushed the score toward this result."
    phrases = join_words([words.phrase(r.feature, r.value) for r in main])
    return f"The {subject} was {decision} mainly because of {phrases}."


def _pushes(main: tuple[Reason, ...], other: tuple[Reason, ...], verb: str, counter: str, words: Labels) -> list[str]:
    """How much each main reason moved the score, then what pulled the other way."""
    lines = []
    if main:
        first = _capital(words.label(main[0].feature))
        lines.append(f"{first} counted the most: it {verb} the score by {format_amount(main[0].contribution)}.")
    rest = [f"{words.label(r.feature)} by {format_amount(r.contribution)}" for r in main[1:]]
    if rest:
        rest[0] = f"{_capital(words.label(main[1].feature))} {verb} it by {format_amount(main[1].contribution)}"
        lines.append(rest[0] + "." if len(rest) == 1 else ", ".join(rest[:-1]) + f", and {rest[-1]}.")
    if other:
        parts = [f"{words.phrase(r.feature, r.value)} by {format_amount(r.contribution)}" for r in other]
        parts[0] = f"{words.phrase(other[0].feature, other[0].value)} {counter} the score by " \
                   f"{format_amount(other[0].contribution)}"
        lines.append(f"Pulling the other way, {join_words(parts)}.")
    return lines


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
