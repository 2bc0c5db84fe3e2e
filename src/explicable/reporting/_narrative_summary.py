"""A one-page summary of a model for people who decide about it: what it does, what drives it, how far its
explanations can be trusted, what the fairness audit found, and what all this does not show."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.importance import FeatureImportance
from explicable.core.validation import check_int
from explicable.evaluation import CheckResult
from explicable.fairness import FairnessAudit, FlipResult
from explicable.reporting._narrative_audit import breach_sentences, check_flips, times
from explicable.reporting._narrative_document import Document, Section
from explicable.reporting._narrative_labels import Labels, format_number, make_labels

__all__ = ["stakeholder_summary"]

_COMPARISONS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}
#: Always true of what this summary reports, so always said.
GENERAL_LIMITATIONS = (
    "Importance shows what the model relies on. It does not show what causes good or bad outcomes in the world.",
    "All numbers come from the data the model was checked on. They may not hold for new kinds of cases.",
)


def stakeholder_summary(
    *,
    purpose: str,
    importance: FeatureImportance | None = None,
    quality: Sequence[CheckResult] = (),
    audit: FairnessAudit | None = None,
    flips: FlipResult | Sequence[FlipResult] = (),
    performance: Mapping[str, float] | None = None,
    limitations: Sequence[str] = (),
    output: int | str = 0,
    top: int = 5,
    labels: Mapping[str, Any] | None = None,
    title: str = "Model summary",
) -> Document:
    """One page on a model for a manager, counsel or a reviewer.

    Parameters
    ----------
    purpose : str
        What the model does, in a sentence or two ("It estimates the risk that a loan is not repaid.").
    importance : FeatureImportance, optional
        What drives the model overall; the ``top`` factors are listed with their intervals.
    quality : sequence of CheckResult, optional
        Checks of the explanations (``explicable.evaluation``), each reported as passed or failed.
    audit : FairnessAudit, optional
        The fairness audit; its breaches are stated with their numbers.
    flips : FlipResult or sequence of FlipResult, optional
        Flip tests of protected attributes.
    performance : mapping of str to float, optional
        Held-out scores by name, e.g. ``{"accuracy": 0.76, "ROC AUC": 0.79}``.
    limitations : sequence of str, optional
        Known limits, listed before the general ones.
    output : int or str, default 0
        The output of ``importance`` to rank.
    top : int, default 5
    labels : mapping, optional
        Feature -> readable label or (label, unit).
    title : str, default "Model summary"

    Returns
    -------
    Document
        Sections "What the model does", "What drives it overall", "How far the explanations can be trusted",
        "Fairness" and "Limitations".
    """
    for name, value in (("purpose", purpose), ("title", title)):
        if not isinstance(value, str) or not value.strip():
            raise InvalidParameterError(parameter=name, expected="a non-empty string", got=value)
    if importance is not None and not isinstance(importance, FeatureImportance):
        raise InvalidParameterError(parameter="importance", expected="a FeatureImportance", got=importance)
    if audit is not None and not isinstance(audit, FairnessAudit):
        raise InvalidParameterError(parameter="audit", expected="a FairnessAudit", got=audit)
    checks = _checks(quality)
    tests = check_flips(flips)
    top = check_int(top, "top", low=1)
    extra = [str(x) for x in limitations] if isinstance(limitations, (list, tuple)) else None
    if extra is None or not all(x.strip() for x in extra):
        raise InvalidParameterError(parameter="limitations", expected="a list of sentences", got=limitations)
    sections = (
        Section("What the model does", (purpose.strip(), *_performance(performance))),
        _drivers(importance, output, top, labels),
        _trust(checks),
        _fairness(audit, tests),
        Section("Limitations", (), tuple(extra) + _missing(importance, checks, audit) + GENERAL_LIMITATIONS,
                ordered=False),
    )
    return Document(title, sections)


def _checks(quality: Any) -> tuple[CheckResult, ...]:
    if isinstance(quality, CheckResult):
        return (quality,)
    if not isinstance(quality, (list, tuple)) or not all(isinstance(q, CheckResult) for q in quality):
        raise InvalidParameterError(parameter="quality", expected="a list of CheckResult", got=quality)
    return tuple(quality)


def _performance(performance: Mapping[str, float] | None) -> tuple[str, ...]:
    if not performance:
        return ()
    if not isinstance(performance, Mapping):
        raise InvalidParameterError(parameter="performance", expected="a mapping of score name to value",
                                    got=performance)
    scores = "; ".join(f"{name} {format_number(float(value))}" for name, value in performance.items())
    return (f"On data it was not trained on, it scored: {scores}.",)


def _drivers(importance: FeatureImportance | None, output: int | str, top: int, labels: Mapping[str, Any] | None
             ) -> Section:
    heading = "What drives it overall"
    if importance is None:
        return Section(heading, ("Overall importance was not measured.",))
    names = list(importance.ranking(output))
    k = importance.output_names.index(output) if isinstance(output, str) else int(output)
    words = make_labels(labels, importance.feature_names)
    position = {n: j for j, n in enumerate(importance.feature_names)}
    items = tuple(_importance_item(importance, position[n], k, words) for n in names[:top])
    method = importance.provenance.method.replace("_", " ")
    intro = (f"The factors that matter most, with {importance.confidence:.0%} intervals "
             f"(measured by the {method} method):")
    low = importance.ci_low[:, k]
    unclear = int(np.sum(~(low > 0) & ~np.isnan(low)))
    closing = () if not unclear else (
        f"For {unclear} of {len(names)} factors the interval includes zero: their effect cannot be told apart "
        "from none.",)
    return Section(heading, (intro,), items, closing=closing)


def _importance_item(importance: FeatureImportance, j: int, k: int, words: Labels) -> str:
    label = words.label(importance.feature_names[j])
    value, low, high = (float(a[j, k]) for a in (importance.importances, importance.ci_low, importance.ci_high))
    interval = "no interval" if math.isnan(low) else f"{format_number(low)} to {format_number(high)}"
    return f"{label[:1].upper()}{label[1:]}: {format_number(value)} ({interval})"


def _trust(checks: tuple[CheckResult, ...]) -> Section:
    heading = "How far the explanations can be trusted"
    if not checks:
        return Section(heading, ("The explanations were not checked.",))
    passed = sum(c.passed for c in checks)
    items = tuple(f"{c.name.replace('_', ' ').capitalize()}: {'passed' if c.passed else 'FAILED'} (value "
                  f"{format_number(c.value)}, needs {_COMPARISONS[c.comparison]} {format_number(c.threshold)})"
                  for c in checks)
    closing = () if passed == len(checks) else (
        "Where a check failed, treat the explanations it covers with care.",)
    return Section(heading, (f"{passed} of {len(checks)} checks passed.",), items, ordered=False, closing=closing)


def _fairness(audit: FairnessAudit | None, flips: tuple[FlipResult, ...]) -> Section:
    heading = "Fairness"
    if audit is None:
        return Section(heading, ("Fairness was not audited.",))
    attributes = list(dict.fromkeys(audit.metrics.four_fifths.table["attribute"].astype(str)))
    scope = f"The audit compared selection rates across groups of {', '.join(attributes)}."
    found = breach_sentences(audit)
    verdict = "The policy holds: no limit was breached." if not found else \
        f"The policy was breached {times(len(found))}:"
    lines = [f"Changing only {f.attribute} changed {f.flips} of {f.n} decisions ({f.rate:.1%})." for f in flips]
    return Section(heading, (scope, verdict), tuple(found), ordered=False, closing=tuple(lines))


def _missing(importance: FeatureImportance | None, checks: tuple[CheckResult, ...], audit: FairnessAudit | None
             ) -> tuple[str, ...]:
    out = []
    if importance is not None and bool(np.isnan(importance.ci_low).any()):
        out.append("Some importances have no interval, so their uncertainty is unknown.")
    if not checks:
        out.append("The explanations' quality was not checked.")
    if audit is None:
        out.append("Fairness was not audited.")
    return tuple(out)
