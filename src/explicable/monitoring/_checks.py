"""Run a policy's checks on a model and labelled data: explanation quality, fairness (the CI gate's engine)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError, UnsupportedModelError
from explicable.core.explanation import Explanation
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap
from explicable.monitoring._gate_result import CheckReport, GateCheck, timed
from explicable.monitoring.policy import Policy, load_policy

__all__ = ["run_checks"]

#: Background rows the explanations and the deletion curve measure against (the first rows of the data).
BACKGROUND_ROWS = 100
#: Bootstrap replicates of the fairness intervals (the gate judges point estimates; intervals are context).
N_BOOTSTRAP = 200


def run_checks(model: Any, data: Any, policy: Policy | str | Any, *, target: str | None = None) -> CheckReport:
    """Run every check ``policy`` sets a threshold for and judge each against it.

    Parameters
    ----------
    model : model object or ModelAdapter
        A classifier or regressor :func:`explicable.wrap` takes.
    data : DataFrame (n, columns)
        The model's feature columns, plus the ``target`` column and the sensitive columns for fairness.
        Quality checks explain the first ``policy.rows`` rows; fairness checks use every row.
    policy : Policy, or a path or YAML text for :func:`load_policy`
    target : str, optional
        Column of ``data`` with the true outcome; required by the fairness checks.

    Returns
    -------
    CheckReport
        Quality checks (``deletion_margin``, ``top_k_stability``, ``randomization``), fairness checks
        (``impact_ratio``, ``equalized_odds_difference``, ``demographic_parity_difference``) and one skipped
        ``drift`` check when drift thresholds are set (the drift monitor applies them).
    """
    rules = load_policy(policy)
    adapter = wrap(model)
    table = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    if target is not None and target not in table.columns:
        raise InvalidParameterError(parameter="target", expected=f"a column of data ({', '.join(map(str, table))})",
                                    got=target)
    features = list(adapter.feature_names) if adapter.feature_names else \
        [c for c in table.columns if c != target and c not in rules.fairness.sensitive]
    start = time.perf_counter()
    checks = _quality(adapter, table[features], rules) + _fairness(adapter, table, features, target, rules)
    if any(v is not None for v in vars(rules.drift).values()):
        checks.append(GateCheck("drift", "drift", "skipped", message="drift thresholds are applied by `explicable "
                                "monitor` to a reference and a current window of explanations"))
    return CheckReport(tuple(checks), time.perf_counter() - start)


def _output(adapter: ModelAdapter, rules: Policy) -> str:
    # the favourable outcome's score when named, else the last output (a binary classifier's positive class)
    names = list(adapter.output_names)
    positive = rules.fairness.positive
    return str(positive) if positive is not None and str(positive) in names else names[-1]


def _quality(adapter: ModelAdapter, X: pd.DataFrame, rules: Policy) -> list[GateCheck]:
    from explicable.evaluation import deletion_curve, top_k_stable
    from explicable.explainers import explain

    q = rules.quality
    if q.deletion_margin_min is None and q.top_k is None and q.randomization_max_similarity is None:
        return []
    rows, background = X.iloc[: rules.rows], X.iloc[:BACKGROUND_ROWS]
    output, seed = _output(adapter, rules), rules.random_state

    def explainer(model: Any) -> Callable[[Any], Explanation]:
        def run(Z: Any) -> Explanation:
            with warnings.catch_warnings():  # a gate passes one background to every method; TreeSHAP ignores it
                warnings.filterwarnings("ignore", message="Native TreeSHAP is path-dependent")
                return explain(model, Z, background=background, method=rules.method, random_state=seed)
        return run

    explained: list[Explanation] = []

    def explanation() -> Explanation:  # explained once, on first use, and shared by the checks
        if not explained:
            explained.append(explainer(adapter)(rows))
        return explained[0]

    checks = []
    if q.deletion_margin_min is not None:
        margin = q.deletion_margin_min

        def deletion() -> tuple[float, float, str, bool, str]:
            r = deletion_curve(adapter, rows, explanation(), background=background.iloc[:20], output=output,
                               threshold=margin, random_state=seed)
            return r.value, r.threshold, r.comparison, r.passed, (
                f"deletion-curve margin over random orders toward '{output}', {r.per_row.size} rows")
        checks.append(timed("deletion_margin", "quality", deletion))
    if q.top_k is not None:
        top_k = q.top_k

        def stable() -> tuple[float, float, str, bool, str]:
            r = top_k_stable(explanation(), k=top_k.k, output=output)
            share = float(np.mean(r.stable))
            return share, top_k.min_stable_fraction, ">=", share >= top_k.min_stable_fraction, (
                f"share of rows whose top-{top_k.k} ranking toward '{output}' is stable at 95%")
        checks.append(timed("top_k_stability", "quality", stable))
    if q.randomization_max_similarity is not None:
        checks.append(_randomization(adapter, rows.iloc[:50], explainer, q.randomization_max_similarity, output,
                                     seed))
    return checks


def _randomization(adapter: ModelAdapter, rows: pd.DataFrame, explainer: Callable[[Any], Any], limit: float,
                   output: str, seed: int | None) -> GateCheck:
    from explicable.evaluation import randomization_check
    from explicable.evaluation._randomize import n_layers

    try:
        n_layers(adapter)
    except UnsupportedModelError:
        return GateCheck("randomization", "quality", "skipped", message="the model's parameters cannot be "
                         "randomised (scikit-learn linear models and MLPs, PyTorch modules can)")

    def run() -> tuple[float, float, str, bool, str]:
        r = randomization_check(explainer, adapter, rows, output=output, threshold=limit, random_state=seed)
        return r.value, r.threshold, r.comparison, r.passed, "rank correlation of attributions, trained vs " \
            "randomised model"
    return timed("randomization", "quality", run)


def _fairness(adapter: ModelAdapter, table: pd.DataFrame, features: list[str], target: str | None,
              rules: Policy) -> list[GateCheck]:
    from explicable.fairness import fairness_audit

    f = rules.fairness
    limits = {"impact_ratio": f.impact_ratio_min, "equalized_odds_difference": f.equalized_odds_difference_max,
              "demographic_parity_difference": f.demographic_parity_difference_max}
    if all(v is None for v in limits.values()):
        return []
    if target is None:
        raise InvalidParameterError(parameter="target", expected="the column with the true outcome (the fairness "
                                    "checks compare decisions with it)", got=None)
    missing = [c for c in f.sensitive if c not in table.columns]
    if missing:
        raise InvalidParameterError(parameter="fairness.sensitive", got=missing,
                                    expected=f"columns of data ({', '.join(map(str, table.columns))})")
    policy = {"four_fifths": {"threshold": f.impact_ratio_min if f.impact_ratio_min is not None else 0.0},
              "max_difference": {k: v for k, v in limits.items() if k != "impact_ratio" and v is not None}}
    audit = fairness_audit(adapter, table[features], table[target], table[list(f.sensitive)], positive=f.positive,
                           threshold=f.threshold, policy=policy, n_bootstrap=N_BOOTSTRAP,
                           random_state=rules.random_state)
    checks = []
    for name, limit in limits.items():
        if limit is None:
            continue
        if name == "impact_ratio":
            value = float(np.nanmin(audit.metrics.four_fifths.table["impact_ratio"].to_numpy(dtype=float)))
            breaches = [b for b in audit.breaches if b.startswith("four-fifths")]
            comparison, passed = ">=", not breaches
        else:
            d = audit.metrics.disparities
            value = float(d.loc[d["metric"] == name, "value"].max())
            breaches = [b for b in audit.breaches if b.startswith(name)]
            comparison, passed = "<=", not breaches
        message = "; ".join(breaches) or f"worst over {', '.join(f.sensitive)} (decisions: '{audit.positive}' at " \
            f"score >= {audit.threshold:g})"
        checks.append(GateCheck(name, "fairness", "passed" if passed else "failed", value, limit, comparison,
                                message))
    return checks
