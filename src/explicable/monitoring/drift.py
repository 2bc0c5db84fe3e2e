"""Attribution drift: has what drives the model changed between a reference window and a current one?

Global importance is the mean |phi| per feature over a window's rows. The checks, each with an alert:

- the nDCG of the current importance ranking graded by the reference's importance (SageMaker Clarify's
  feature-attribution drift; alert below 0.9);
- per feature, the PSI of the attribution distribution on the reference's quantile bins (alert above 0.2);
- per feature, the two-sample KS test of the attributions, Bonferroni-corrected over the features (alert
  when ``p < alpha / n_features``), with the Wasserstein distance for scale;
- per feature, the change of mean |phi| with a bootstrap interval (alert only when a relative limit is set
  and the interval excludes zero).

When the rows' feature values are known, the input data's PSI and KS per feature are reported for context
(did the data move, or the model?), without alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import check_fraction, check_int, check_number
from explicable.monitoring._drift_stats import bootstrap_mean_change, categorical_psi, ks_wasserstein, ndcg, psi
from explicable.monitoring._fairness_drift import FairnessDrift, fairness_drift

__all__ = ["DriftResult", "attribution_drift", "combine_explanations"]


@dataclass(frozen=True)
class DriftResult:
    """The outcome of :func:`attribution_drift`.

    Attributes
    ----------
    ndcg : float
        nDCG of the current global ranking against the reference's importance.
    per_feature : DataFrame
        One row per feature (see :meth:`to_frame`).
    alerts : list of str
        One plain sentence per breached threshold, naming the metric, the feature, the value and the limit.
    thresholds : dict
        The limits used: ndcg_min, psi_max, ks_alpha, mean_abs_change_max (None: not checked).
    output : str
        The output whose attributions were compared.
    n_reference, n_current : int
        Rows in each window.
    random_state : int
        Seed of the bootstrap (recorded so the intervals replay).
    fairness : FairnessDrift or None
        The impact-ratio comparison, when ``sensitive`` was given.
    """

    ndcg: float
    per_feature: pd.DataFrame
    alerts: list[str]
    thresholds: dict[str, float | None]
    output: str
    n_reference: int
    n_current: int
    random_state: int
    top_k: int | None = None
    notes: list[str] = field(default_factory=list)
    fairness: FairnessDrift | None = None

    @property
    def breached(self) -> bool:
        """True when any alert was raised."""
        return bool(self.alerts)

    def to_frame(self) -> pd.DataFrame:
        """Per feature: ranks, mean |phi| and its change with CI, PSI, KS (stat, p), Wasserstein, input drift."""
        return self.per_feature.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN written as None)."""
        frame = self.per_feature.astype(object).where(self.per_feature.notna(), None)
        return {"ndcg": self.ndcg, "breached": self.breached, "alerts": list(self.alerts),
                "thresholds": dict(self.thresholds), "output": self.output, "top_k": self.top_k,
                "n_reference": self.n_reference, "n_current": self.n_current, "random_state": self.random_state,
                "notes": list(self.notes), "features": [_plain_row(r) for r in frame.to_dict(orient="records")],
                "fairness": None if self.fairness is None else self.fairness.to_dict()}

    def summary(self) -> str:
        """A few lines: the verdict, nDCG, the most drifted feature, and the alerts."""
        worst = self.per_feature.sort_values("psi", ascending=False, kind="stable").iloc[0]
        lines = [f"Attribution drift on output {self.output!r}: {self.n_reference} reference rows, "
                 f"{self.n_current} current rows; {'BREACHED' if self.breached else 'no alert'}.",
                 f"nDCG of the global ranking: {self.ndcg:.3f} (minimum {self.thresholds['ndcg_min']}).",
                 f"Largest attribution PSI: {worst['feature']} {worst['psi']:.3f}."]
        lines += [f"ALERT: {a}" for a in self.alerts]
        return "\n".join(lines)


def _plain_row(row: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}


def combine_explanations(explanations: Explanation | Sequence[Explanation], name: str) -> Explanation:
    """One Explanation of all the rows of ``explanations`` (same features and outputs, in the same order)."""
    if isinstance(explanations, Explanation):
        return explanations
    items = list(explanations) if isinstance(explanations, Sequence) and not isinstance(explanations, str) else None
    if not items or not all(isinstance(e, Explanation) for e in items):
        raise InvalidParameterError(parameter=name, expected="an Explanation or a non-empty list of them",
                                    got=explanations)
    first = items[0]
    for e in items[1:]:
        if e.feature_names != first.feature_names or e.output_names != first.output_names:
            raise InvalidDataError(parameter=name, expected=f"features {list(first.feature_names)} and outputs "
                                   f"{list(first.output_names)} in every explanation",
                                   got=f"features {list(e.feature_names)}, outputs {list(e.output_names)}")
    if len(items) == 1:
        return first
    data = None
    if all(e.data is not None for e in items):
        data = np.concatenate([np.asarray(e.data, dtype=object) for e in items])
    return Explanation(np.concatenate([e.values for e in items]), np.concatenate([e.base_values for e in items]),
                       first.feature_names, first.output_names, data=data, provenance=first.provenance)


def _output_index(exp: Explanation, output: str | None) -> int:
    names = exp.output_names
    if output is None:
        if len(names) > 2:
            raise InvalidParameterError(parameter="output", expected=f"one of {list(names)} (several outputs)",
                                        got=None)
        return len(names) - 1  # a binary classifier's positive class; its two outputs mirror each other
    if output not in names:
        raise InvalidParameterError(parameter="output", expected=f"one of {list(names)}", got=output)
    return names.index(output)


def _numeric(column: np.ndarray) -> np.ndarray | None:
    try:
        values = np.asarray(column, dtype="float64")
    except (TypeError, ValueError):
        return None
    return values if np.isfinite(values).all() else None


def _data_drift(ref: np.ndarray | None, cur: np.ndarray | None, m: int) -> dict[str, np.ndarray]:
    """Input drift per feature (PSI, KS, p); NaN where the data is unknown."""
    out = {"data_psi": np.full(m, np.nan), "data_ks": np.full(m, np.nan), "data_ks_p": np.full(m, np.nan)}
    if ref is None or cur is None:
        return out
    for j in range(m):
        r, c = _numeric(ref[:, j]), _numeric(cur[:, j])
        if r is not None and c is not None:
            out["data_psi"][j] = psi(r[:, None], c[:, None])[0]
            stat, pval, _ = ks_wasserstein(r[:, None], c[:, None])
            out["data_ks"][j], out["data_ks_p"][j] = stat[0], pval[0]
        else:
            out["data_psi"][j] = categorical_psi(ref[:, j], cur[:, j])
    return out


def _rows_data(exp: Explanation, given: Any, name: str) -> np.ndarray | None:
    if given is None:
        return None if exp.data is None else np.asarray(exp.data)
    data = np.asarray(given.to_numpy(dtype=object) if isinstance(given, pd.DataFrame) else given)
    if data.shape != exp.shape[:2]:
        raise InvalidDataError(parameter=name, expected=f"shape {exp.shape[:2]} (rows, features)", got=data)
    return data


def _thresholds(ndcg_threshold: float, psi_threshold: float, alpha: float,
                mean_abs_change_max: float | None) -> dict[str, float | None]:
    return {"ndcg_min": check_number(ndcg_threshold, "ndcg_threshold", low=0, high=1),
            "psi_max": check_number(psi_threshold, "psi_threshold", low=0, low_open=True),
            "ks_alpha": check_fraction(alpha, "alpha"),
            "mean_abs_change_max": None if mean_abs_change_max is None else
            check_number(mean_abs_change_max, "mean_abs_change_max", low=0, low_open=True)}


def _alerts(score: float, frame: pd.DataFrame, limits: dict[str, float | None], min_importance: float) -> list[str]:
    out = []
    if score < float(limits["ndcg_min"] or 0.0):
        out.append(f"ndcg = {score:.4f} < {limits['ndcg_min']}: the global importance ranking changed")
    m = len(frame)
    # a feature the model hardly uses in either window has tiny attributions whose distribution can move a lot
    # (a retrained model splits on noise differently): material features only raise distribution alerts
    weight = np.maximum(frame["reference_mean_abs"].to_numpy(), frame["current_mean_abs"].to_numpy())
    material = weight >= min_importance * weight.max() if weight.max() > 0 else np.zeros(m, dtype=bool)
    col = {c: frame[c].to_numpy() for c in ("psi", "ks", "ks_p", "change_ci_low", "change_ci_high", "rel_change")}
    for j, name in enumerate(frame["feature"].tolist()):
        if material[j]:
            out += _feature_alerts(str(name), {c: float(v[j]) for c, v in col.items()}, limits, m)
    return out


def _feature_alerts(name: str, row: dict[str, float], limits: dict[str, float | None], m: int) -> list[str]:
    out = []
    psi_max, alpha, cap = limits["psi_max"], limits["ks_alpha"], limits["mean_abs_change_max"]
    if psi_max is not None and row["psi"] > psi_max:
        out.append(f"psi of attributions of feature {name!r} = {row['psi']:.4f} > {psi_max}")
    if alpha is not None and row["ks_p"] < alpha / m:
        out.append(f"ks of attributions of feature {name!r} = {row['ks']:.4f}, p = {row['ks_p']:.3g} < "
                   f"{alpha}/{m} (Bonferroni over {m} features)")
    low, high, rel = row["change_ci_low"], row["change_ci_high"], row["rel_change"]
    if cap is not None and (low > 0 or high < 0) and abs(rel) > cap:
        out.append(f"mean |phi| of feature {name!r} changed by {rel:+.1%} (95% CI of the change {low:.4g} to "
                   f"{high:.4g}) > {cap:.0%}")
    return out


def attribution_drift(
    reference: Explanation | Sequence[Explanation],
    current: Explanation | Sequence[Explanation],
    *,
    output: str | None = None,
    top_k: int | None = None,
    ndcg_threshold: float = 0.9,
    psi_threshold: float = 0.2,
    alpha: float = 0.01,
    mean_abs_change_max: float | None = None,
    min_importance: float = 0.02,
    n_bins: int = 10,
    n_bootstrap: int = 200,
    random_state: int | None = None,
    reference_data: Any = None,
    current_data: Any = None,
    sensitive: Any = None,
    decision_threshold: float = 0.5,
    impact_ratio_min: float = 0.8,
) -> DriftResult:
    """Compare the attributions of a current window of explanations with a reference window.

    Parameters
    ----------
    reference, current : Explanation or list of Explanation
        The two windows (same features and outputs); lists are concatenated row-wise.
    output : str, optional
        The output compared; default the only one, or the last (positive class) of two.
    top_k : int, optional
        nDCG over the top ``top_k`` ranks only (default all features).
    ndcg_threshold : float, default 0.9
        Alert when nDCG is below it (SageMaker Clarify's default).
    psi_threshold : float, default 0.2
        Alert when a feature's attribution PSI is above it (0.1-0.2: moderate, > 0.2: significant shift).
    alpha : float, default 0.01
        Family-wise level of the KS tests: a feature alerts when ``p < alpha / n_features`` (Bonferroni).
    mean_abs_change_max : float, optional
        Alert when a feature's mean |phi| changed by more than this fraction of its reference value and the
        bootstrap interval of the change excludes zero. None: reported, never alerted.
    min_importance : float, default 0.02
        Per-feature alerts only for features whose mean |phi| reaches this share of the largest mean |phi|
        (in either window): a feature the model hardly uses has tiny attributions whose shape is noise.
        Every feature is still reported.
    n_bins : int, default 10
        Quantile bins of the PSI.
    n_bootstrap : int, default 200
        Resamples of each window for the 95% interval of the change of mean |phi|.
    random_state : int, optional
        Seed of the bootstrap; the seed used is in the result.
    reference_data, current_data : array of shape (n_rows, n_features), optional
        The rows' feature values for input-drift context (default: the explanations' ``data``).
    sensitive : str or (array, array), optional
        Fairness-metric drift: a feature whose values (in the explanations' ``data``) are the groups, or the
        groups of the reference and current rows. Decisions are ``output >= decision_threshold``, the output
        being what the attributions add up to (``output_totals``, in the explanation's output space); see
        :func:`explicable.monitoring.fairness_drift` for the alerts.
    decision_threshold : float, default 0.5
    impact_ratio_min : float, default 0.8

    Returns
    -------
    DriftResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> def window(scale):
    ...     values = rng.normal(size=(300, 3, 1)) * np.array([3.0, 2.0, 1.0])[None, :, None] * scale
    ...     return Explanation(values, np.zeros((300, 1)), ["a", "b", "c"], ["y"])
    >>> attribution_drift(window(1.0), window(1.0), random_state=0).breached
    False
    >>> moved = attribution_drift(window(1.0), window(np.array([0.2, 1.0, 4.0])[None, :, None]), random_state=0)
    >>> moved.breached, round(moved.ndcg, 3) < 0.9
    (True, True)
    """
    ref = combine_explanations(reference, "reference")
    cur = combine_explanations(current, "current")
    if ref.feature_names != cur.feature_names or ref.output_names != cur.output_names:
        raise InvalidDataError(parameter="current", expected=f"the reference's features {list(ref.feature_names)} "
                               f"and outputs {list(ref.output_names)}",
                               got=f"features {list(cur.feature_names)}, outputs {list(cur.output_names)}")
    limits = _thresholds(ndcg_threshold, psi_threshold, alpha, mean_abs_change_max)
    m = ref.shape[1]
    k = None if top_k is None else check_int(top_k, "top_k", low=1, high=m)
    bins = check_int(n_bins, "n_bins", low=2)
    n_boot = check_int(n_bootstrap, "n_bootstrap", low=10)
    rng, seed = make_rng(random_state)
    j = _output_index(ref, output)
    a, b = ref.values[:, :, j], cur.values[:, :, j]
    abs_a, abs_b = np.abs(a), np.abs(b)
    imp_a, imp_b = abs_a.mean(axis=0), abs_b.mean(axis=0)
    score = ndcg(imp_a, imp_b, k)
    low, high = bootstrap_mean_change(abs_a, abs_b, n_bootstrap=n_boot, rng=rng)
    ks, ks_p, dist = ks_wasserstein(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(imp_a > 0, (imp_b - imp_a) / imp_a, np.where(imp_b > 0, np.inf, 0.0))
    frame = pd.DataFrame({
        "feature": list(ref.feature_names),
        "reference_rank": _ranks(imp_a), "current_rank": _ranks(imp_b),
        "reference_mean_abs": imp_a, "current_mean_abs": imp_b, "change": imp_b - imp_a,
        "change_ci_low": low, "change_ci_high": high, "rel_change": rel,
        "psi": psi(a, b, n_bins=bins), "ks": ks, "ks_p": ks_p, "wasserstein": dist,
        **_data_drift(_rows_data(ref, reference_data, "reference_data"),
                      _rows_data(cur, current_data, "current_data"), m),
    })
    alerts = _alerts(score, frame, limits, check_number(min_importance, "min_importance", low=0, high=1))
    fairness = None
    if sensitive is not None:
        groups = _groups(sensitive, ref, cur)
        threshold = check_number(decision_threshold, "decision_threshold")
        fairness = fairness_drift((ref.output_totals[:, j] >= threshold).astype(int), groups[0],
                                  (cur.output_totals[:, j] >= threshold).astype(int), groups[1],
                                  impact_ratio_min=impact_ratio_min, random_state=seed)
        alerts += [f"fairness: {line}" for line in fairness.alerts]
    frame["alert"] = [any(f"feature {name!r}" in line for line in alerts) for name in frame["feature"]]
    notes = [] if ref.shape[0] >= 100 and cur.shape[0] >= 100 else \
        ["A window has fewer than 100 rows: PSI and the intervals are noisy at this size."]
    return DriftResult(score, frame, alerts, limits, ref.output_names[j], ref.shape[0], cur.shape[0], seed, k, notes,
                       fairness)


def _groups(sensitive: Any, ref: Explanation, cur: Explanation) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(sensitive, str):
        if sensitive not in ref.feature_names or ref.data is None or cur.data is None:
            raise InvalidParameterError(parameter="sensitive", expected="a feature of the explanations, with their "
                                        "data", got=sensitive)
        j = ref.feature_names.index(sensitive)
        return np.asarray(ref.data[:, j]), np.asarray(cur.data[:, j])
    if isinstance(sensitive, tuple) and len(sensitive) == 2:
        return np.asarray(sensitive[0]), np.asarray(sensitive[1])
    raise InvalidParameterError(parameter="sensitive", expected="a feature name, or (reference groups, current "
                                "groups)", got=sensitive)


def _ranks(importance: np.ndarray) -> np.ndarray:
    """1 for the most important feature; ties keep feature order."""
    order = np.argsort(-importance, kind="stable")
    ranks = np.empty(importance.size, dtype=int)
    ranks[order] = np.arange(1, importance.size + 1)
    return ranks
