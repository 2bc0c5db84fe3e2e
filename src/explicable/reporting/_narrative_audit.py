"""The fairness audit in words: scope, verdict, each attribute's selection rates, policy limits, flip tests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.fairness import FairnessAudit, FlipResult
from explicable.reporting._narrative_labels import format_amount, join_words

__all__ = ["METRIC_WORDS", "audit_narrative", "audit_paragraphs", "breach_sentences", "check_flips", "times"]

#: Each disparity's name and what it measures, for readers who do not know the term.
METRIC_WORDS = {
    "demographic_parity_difference": ("demographic parity difference",
                                      "the gap between the highest and lowest selection rates"),
    "demographic_parity_ratio": ("demographic parity ratio", "the lowest selection rate over the highest"),
    "equalized_odds_difference": ("equalized odds difference",
                                  "the largest gap in true or false positive rates between groups"),
    "equalized_odds_ratio": ("equalized odds ratio", "the smallest ratio of true or false positive rates"),
    "equal_opportunity_difference": ("equal opportunity difference", "the gap in true positive rates"),
    "disparate_impact_ratio": ("disparate impact ratio", "the lowest selection rate over the highest"),
}
_TESTS = {"z": "two-proportion z test", "fisher": "Fisher's exact test"}
#: Most groups listed by name per attribute; the rest are counted.
MAX_GROUPS = 8


def audit_narrative(audit: FairnessAudit, *, flips: FlipResult | Sequence[FlipResult] = ()) -> str:
    """The fairness audit in plain words, paragraph by paragraph (blank lines between them).

    Parameters
    ----------
    audit : FairnessAudit
        From :func:`explicable.fairness.fairness_audit`.
    flips : FlipResult or sequence of FlipResult, optional
        Flip tests (:func:`explicable.fairness.flip_test`) to report too.

    Returns
    -------
    str
        Scope, verdict, one paragraph per sensitive attribute (selection rates and the four-fifths rule), the
        policy's other limits, and the flip tests. Every number is the audit's, rounded.
    """
    return "\n\n".join(audit_paragraphs(audit, flips=flips))


def audit_paragraphs(audit: FairnessAudit, *, flips: FlipResult | Sequence[FlipResult] = ()) -> list[str]:
    """The paragraphs of :func:`audit_narrative`."""
    if not isinstance(audit, FairnessAudit):
        raise InvalidParameterError(parameter="audit", expected="a FairnessAudit from fairness_audit(...)", got=audit)
    tests = check_flips(flips)
    metrics = audit.metrics
    out = [f"The audit compares how often each group is selected. A decision counts as selected when the score for "
           f"'{audit.positive}' is {format_amount(audit.threshold)} or more. Intervals are {metrics.confidence:.0%} "
           f"bootstrap intervals from {metrics.n_bootstrap} resamples (seed {metrics.random_state})."]
    found = breach_sentences(audit)
    if found:
        out.append(f"The policy was breached {times(len(found))}. " + " ".join(found))
    else:
        out.append("The policy holds: no limit was breached.")
    table = metrics.four_fifths.table
    cut = metrics.four_fifths.threshold
    out += [_attribute(str(a), rows, cut) for a, rows in table.groupby("attribute", sort=False)]
    limits = _limits(audit)
    if limits:
        out.append(" ".join(limits))
    out += [_flip(t) for t in tests]
    return out


def check_flips(flips: Any) -> tuple[FlipResult, ...]:
    """A FlipResult or a sequence of them, as a tuple."""
    found = (flips,) if isinstance(flips, FlipResult) else flips
    if not isinstance(found, (list, tuple)) or not all(isinstance(f, FlipResult) for f in found):
        raise InvalidParameterError(parameter="flips", expected="a FlipResult or a list of them", got=flips)
    return tuple(found)


def breach_sentences(audit: FairnessAudit) -> list[str]:
    """One sentence per breached limit of the audit's policy (as :func:`fairness_audit` judges them)."""
    out = []
    rule = audit.policy.get("four_fifths")
    if rule is not None:
        cut = float(rule.get("threshold", 0.8))
        table = audit.metrics.four_fifths.table
        hit = table["impact_ratio"] < cut
        if bool(rule.get("require_significance", False)):
            hit &= table["significant"]
        out += [f"{_group(r)} was selected at {r.rate:.1%} ({r.selected} of {r.n}), against {r.reference_rate:.1%} "
                f"for {r.reference_group}: a ratio of {r.impact_ratio:.2f}, under the limit of {cut:g} "
                f"(p = {r.p_value:.3g})." for r in table[hit].itertuples()]
    for section, worse in (("max_difference", "above"), ("min_ratio", "below")):
        for metric, limit in audit.policy.get(section, {}).items():
            for r in _disparity(audit, metric):
                if (r.value > limit) if worse == "above" else (r.value < limit):
                    out.append(f"The {METRIC_WORDS.get(metric, (metric,))[0]} for {r.attribute} is {r.value:.3f}, "
                               f"{worse} the limit of {limit:g}.")
    return out


def _attribute(attribute: str, rows: pd.DataFrame, threshold: float) -> str:
    shown = [f"{r.group} {r.rate:.1%} ({r.selected} of {r.n})" for r in rows.head(MAX_GROUPS).itertuples()]
    if len(rows) > MAX_GROUPS:
        shown.append(f"{len(rows) - MAX_GROUPS} more groups")
    text = f"Selection rates by {attribute}: {join_words(shown)}."
    others = rows[rows["group"] != rows["reference_group"]]
    ratios = others["impact_ratio"].to_numpy(dtype=float)
    if others.empty or np.isnan(ratios).all():
        return text + " No other group can be compared with the highest."
    low = others.iloc[int(np.nanargmin(ratios))]
    if not bool(low["flagged"]):
        return (text + f" Every group is selected at four-fifths or more of the rate of {low['reference_group']}, "
                f"the highest (lowest ratio {low['impact_ratio']:.2f}, for {low['group']}).")
    verdict = "is" if bool(low["significant"]) else "is not"
    test = _TESTS.get(str(low["test"]), str(low["test"]))
    return (text + f" The lowest ratio is {low['impact_ratio']:.2f}, for {low['group']} against "
            f"{low['reference_group']}: under the four-fifths limit of {threshold:g}. The difference {verdict} "
            "statistically significant "
            f"(p = {low['p_value']:.3g}, {test}).")


def _limits(audit: FairnessAudit) -> list[str]:
    """The policy's limits on disparities, each with its value, interval and whether it holds."""
    out = []
    for section, word in (("max_difference", "at most"), ("min_ratio", "at least")):
        for metric, limit in audit.policy.get(section, {}).items():
            name, meaning = METRIC_WORDS.get(metric, (metric.replace("_", " "), ""))
            for r in _disparity(audit, metric):
                holds = r.value <= limit if word == "at most" else r.value >= limit
                interval = "" if math.isnan(r.ci_low) else f" (interval {r.ci_low:.3f} to {r.ci_high:.3f})"
                about = f" ({meaning})" if meaning else ""
                out.append(f"The {name}{about} for {r.attribute} is {r.value:.3f}{interval}. The policy allows "
                           f"{word} {limit:g}, so it {'holds' if holds else 'is breached'}.")
    return out


def _disparity(audit: FairnessAudit, metric: str) -> list[Any]:
    d = audit.metrics.disparities
    return list(d[d["metric"] == metric].itertuples())


def _flip(result: FlipResult) -> str:
    if result.flips == 0:
        return (f"Changing only {result.attribute}, and nothing else, changed none of {result.n} decisions "
                f"({result.confidence:.0%} interval {result.lower:.1%} to {result.upper:.1%}).")
    return (f"Changing only {result.attribute}, and nothing else, changed {result.flips} of {result.n} decisions "
            f"({result.rate:.1%}; {result.confidence:.0%} interval {result.lower:.1%} to {result.upper:.1%}).")


def _group(row: Any) -> str:
    return f"The group {row.group} ({row.attribute})"


def times(n: int) -> str:
    """"once", "twice", "3 times"."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")
