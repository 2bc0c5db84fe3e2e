"""A fairness audit of a model's decisions on labelled data, checked against a policy (a CI gate).

The audit turns the model's outputs into decisions (the positive class's score at a threshold), computes
:func:`~explicable.fairness.group_metrics` per sensitive attribute and their intersection, and compares the
findings with a policy. A policy is a mapping (or a JSON file) with any of::

    {"four_fifths": {"threshold": 0.8, "require_significance": false},
     "max_difference": {"demographic_parity_difference": 0.1, "equalized_odds_difference": 0.1},
     "min_ratio": {"demographic_parity_ratio": 0.8}}

Without a policy the four-fifths rule applies (29 CFR 1607.4(D): a selection rate under 0.8 of the highest
group's is evidence of adverse impact), with no significance requirement, as the regulation states it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.fairness._metrics import group_metrics
from explicable.fairness._results import GroupMetrics
from explicable.models.wrap import wrap

__all__ = ["DEFAULT_POLICY", "FairnessAudit", "fairness_audit", "load_policy"]

DEFAULT_POLICY: Mapping[str, Any] = {"four_fifths": {"threshold": 0.8, "require_significance": False}}
_SECTIONS = ("four_fifths", "max_difference", "min_ratio")


@dataclass(frozen=True)
class FairnessAudit:
    """Group metrics of a model's decisions and the policy breaches found.

    Attributes
    ----------
    metrics : GroupMetrics
    policy : mapping
        The policy applied.
    breaches : tuple of str
        One readable line per breached threshold; empty when the policy holds.
    positive : str
        The outcome counted as positive (selected), and the model output scored for it.
    threshold : float
        Decision threshold on that output.
    """

    metrics: GroupMetrics
    policy: Mapping[str, Any]
    breaches: tuple[str, ...]
    positive: str
    threshold: float

    @property
    def passed(self) -> bool:
        """True when no threshold of the policy is breached."""
        return not self.breaches


def load_policy(source: str | Path | Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A policy from a mapping or a JSON file, checked; the default policy for None."""
    if source is None:
        return DEFAULT_POLICY
    if isinstance(source, (str, Path)):
        try:
            policy = json.loads(Path(source).read_text())
        except (OSError, ValueError) as exc:
            raise InvalidParameterError(parameter="policy", expected="a readable JSON file",
                                        got=f"{source} ({exc})") from None
    else:
        policy = source
    if not isinstance(policy, Mapping) or not set(policy) <= set(_SECTIONS) or not policy:
        raise InvalidParameterError(parameter="policy", expected=f"a mapping with some of {', '.join(_SECTIONS)}",
                                    got=policy)
    for section in ("max_difference", "min_ratio"):
        limits = policy.get(section, {})
        if not isinstance(limits, Mapping) or not all(isinstance(v, (int, float)) for v in limits.values()):
            raise InvalidParameterError(parameter=f"policy['{section}']", expected="a mapping of metric -> number",
                                        got=limits)
    return policy


def fairness_audit(model: Any, X: Any, y: Any, sensitive: Any, *, positive: Any = None, threshold: float = 0.5,
                   policy: str | Path | Mapping[str, Any] | None = None, n_bootstrap: int = 1000,
                   random_state: int | None = None) -> FairnessAudit:
    """Audit a classifier's decisions on ``X`` for the groups in ``sensitive``, against ``policy``.

    Parameters
    ----------
    model : model object or ModelAdapter
        A classifier; its output for the ``positive`` outcome, at ``threshold``, is the decision.
    X : DataFrame or array (n, m)
        The model's input rows.
    y : array-like (n,)
        True outcomes.
    sensitive : Series, DataFrame or array
        Group labels per row (several columns: each attribute and their intersection).
    positive : optional
        The outcome value counted as positive (selected). Default: 1 for 0/1 or boolean outcomes; required
        otherwise. The model output of that name is scored (its last output if none has the name).
    threshold : float, default 0.5
    policy : mapping or path to a JSON file, optional
        See the module docstring; the four-fifths rule by default.
    n_bootstrap : int, default 1000
    random_state : int, optional

    Returns
    -------
    FairnessAudit
    """
    rules = load_policy(policy)
    adapter = wrap(model)
    truth = pd.Series(np.asarray(y).reshape(-1))
    label = _positive_label(truth, positive)
    outputs = adapter.output_names
    column = outputs.index(str(label)) if str(label) in outputs else len(outputs) - 1
    scores = adapter.predict(adapter.check_data(X).values)[:, column]
    decisions = (scores >= threshold).astype(int)
    metrics = group_metrics((truth == label).to_numpy().astype(int), decisions, sensitive, n_bootstrap=n_bootstrap,
                            random_state=random_state)
    return FairnessAudit(metrics, rules, tuple(_breaches(metrics, rules)), str(label), float(threshold))


def _positive_label(truth: pd.Series, positive: Any) -> Any:
    values = set(truth.dropna().unique().tolist())
    if positive is not None:
        matches = [v for v in values if v == positive or str(v) == str(positive)]
        if not matches:
            raise InvalidParameterError(parameter="positive", got=positive,
                                        expected=f"one of the outcomes {sorted(map(str, values))}")
        return matches[0]
    if values <= {0, 1} or values <= {False, True}:
        return 1
    raise InvalidDataError(parameter="positive", expected="the outcome counted as positive, since the outcomes are "
                           f"not 0/1: {sorted(map(str, values))[:10]}", got=None)


def _breaches(metrics: GroupMetrics, policy: Mapping[str, Any]) -> list[str]:
    found = []
    rule = policy.get("four_fifths")
    if rule is not None:
        ff = metrics.four_fifths
        cut = float(rule.get("threshold", 0.8))
        significant = bool(rule.get("require_significance", False))
        table = ff.table
        hit = table["impact_ratio"] < cut
        if significant:
            hit &= table["significant"]
        for r in table[hit].itertuples():
            found.append(f"four-fifths: {r.attribute}={r.group} selection rate {r.rate:.3f} is {r.impact_ratio:.2f} "
                         f"of {r.reference_group}'s (n={r.n}, p={r.p_value:.3g}; limit {cut:g})")
    d = metrics.disparities
    for metric, limit in policy.get("max_difference", {}).items():
        found += [f"{metric} for {r.attribute} is {r.value:.3f} (limit {limit:g})"
                  for r in _rows(d, metric) if r.value > limit]
    for metric, limit in policy.get("min_ratio", {}).items():
        found += [f"{metric} for {r.attribute} is {r.value:.3f} (limit {limit:g})"
                  for r in _rows(d, metric) if r.value < limit]
    return found


def _rows(disparities: pd.DataFrame, metric: str) -> Sequence[Any]:
    rows = disparities[disparities["metric"] == metric]
    if rows.empty:
        raise InvalidParameterError(parameter="policy", expected="metrics among "
                                    f"{sorted(disparities['metric'].unique())}", got=metric)
    return list(rows.itertuples())
