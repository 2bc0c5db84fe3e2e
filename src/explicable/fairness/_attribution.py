"""Attributions by demographic group: what drives the model's outputs for each group, with bootstrap CIs.

Auditing a credit model by aggregating SHAP values by group shows whether the same features weigh on every
group, and how much weight lands on the protected attribute itself when the model takes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import check_fraction, check_int
from explicable.fairness._protected import group_rows

__all__ = ["GroupAttributions", "attributions_by_group"]

COLUMNS = ("group", "feature", "output", "n", "mean", "mean_lower", "mean_upper", "mean_abs", "mean_abs_lower",
           "mean_abs_upper")


@dataclass(frozen=True, eq=False)
class GroupAttributions:
    """Mean attributions and mean absolute attributions per group, with percentile-bootstrap intervals.

    Attributes
    ----------
    table : DataFrame
        One row per (group, feature, output): ``n`` rows in the group, ``mean`` and ``mean_abs`` of the
        attributions with their ``_lower`` / ``_upper`` bounds at ``confidence``.
    attributes : tuple of str
        The protected attribute(s) the groups are made of.
    protected_features : tuple of str
        Model features that are (or encode) the protected attribute: their rows of ``table`` are the
        attribute's own attribution (see :meth:`protected`).
    confidence : float
    n_bootstrap : int
    random_state : int
        The seed the bootstrap used (drawn when none was given, so every run can be replayed).
    """

    table: pd.DataFrame
    attributes: tuple[str, ...]
    protected_features: tuple[str, ...]
    confidence: float
    n_bootstrap: int
    random_state: int

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.table.copy()

    def protected(self) -> pd.DataFrame:
        """Rows of the table for the protected attribute's own feature(s); empty when the model does not take it."""
        return self.table[self.table["feature"].isin(self.protected_features)].reset_index(drop=True)

    def __str__(self) -> str:
        lines = [f"Attributions by {' & '.join(self.attributes)} (mean |attribution|, "
                 f"{self.confidence:.0%} bootstrap CI):"]
        for (group, output), part in self.table.groupby(["group", "output"], sort=False):
            top = part.sort_values("mean_abs", ascending=False, kind="stable").head(5)
            shown = ", ".join(f"{r.feature} {r.mean_abs:.3g} [{r.mean_abs_lower:.3g}, {r.mean_abs_upper:.3g}]"
                              for r in top.itertuples())
            lines.append(f"  {group} (n={int(part['n'].iloc[0])}, output {output}): {shown}")
        for feature in self.protected_features:
            lines.append(f"  protected feature '{feature}' is a model input: see .protected()")
        return "\n".join(lines)


def attributions_by_group(
    explanation: Explanation,
    sensitive: Any,
    *,
    protected: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    n_bootstrap: int = 1000,
    random_state: int | None = None,
) -> GroupAttributions:
    """Mean attribution and mean |attribution| of every feature, per group of the protected attribute.

    Parameters
    ----------
    explanation : Explanation
        Attributions of the rows to audit, shape (n_rows, n_features, n_outputs).
    sensitive : str, list of str, array-like (n_rows,), Series or DataFrame
        The protected attribute: feature name(s) of the explanation (values taken from ``explanation.data``)
        or the values per row. Several columns form intersectional groups ("female & <25").
    protected : str or list of str, optional
        Model features that encode the protected attribute (e.g. ``"status_sex"``). By default, the
        attribute names that are features of the explanation.
    confidence : float, default 0.95
        Of the percentile bootstrap intervals.
    n_bootstrap : int, default 1000
        Resamples of each group's rows (drawn within the group, so its size stays fixed).
    random_state : int, optional

    Returns
    -------
    GroupAttributions

    Examples
    --------
    >>> exp = Explanation(np.array([[[1.0], [0.0]], [[3.0], [-2.0]]]), np.zeros((2, 1)), ["a", "b"], ["y"])
    >>> res = attributions_by_group(exp, ["f", "m"], n_bootstrap=10, random_state=0)
    >>> res.to_frame()[["group", "feature", "mean", "mean_abs"]].values.tolist()
    [['f', 'a', 1.0, 1.0], ['f', 'b', 0.0, 0.0], ['m', 'a', 3.0, 3.0], ['m', 'b', -2.0, 2.0]]
    """
    if not isinstance(explanation, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation", got=explanation)
    level = check_fraction(confidence, "confidence")
    draws = check_int(n_bootstrap, "n_bootstrap", low=1)
    rng, seed = make_rng(random_state)
    n, m, k = explanation.shape
    groups = group_rows(sensitive, n, columns=explanation.feature_names, data=explanation.data)
    own = _protected_features(protected, groups.attributes, explanation.feature_names)
    flat = explanation.values.reshape(n, m * k)
    alpha = (1 - level) / 2
    parts = []
    for name in groups.names:
        rows = np.flatnonzero(groups.labels == name)
        # Multinomial counts resample the group's rows: the bootstrap means are one (B, n_g) @ (n_g, m*k)
        # product instead of B gathered copies of the rows.
        counts = rng.multinomial(rows.size, np.full(rows.size, 1.0 / rows.size), size=draws) / rows.size
        stats = []
        for block in (flat[rows], np.abs(flat[rows])):
            boot = counts @ block
            lower, upper = np.quantile(boot, [alpha, 1 - alpha], axis=0)
            stats += [block.mean(axis=0), lower, upper]
        feature, output = np.divmod(np.arange(m * k), k)
        parts.append(pd.DataFrame({
            "group": name, "feature": np.asarray(explanation.feature_names, dtype=object)[feature],
            "output": np.asarray(explanation.output_names, dtype=object)[output], "n": rows.size,
            **dict(zip(COLUMNS[4:], stats, strict=True)),
        }))
    table = pd.concat(parts, ignore_index=True)
    return GroupAttributions(table, groups.attributes, own, level, draws, seed)


def _protected_features(protected: str | Sequence[str] | None, attributes: tuple[str, ...],
                        features: tuple[str, ...]) -> tuple[str, ...]:
    if protected is None:
        return tuple(a for a in attributes if a in features)
    names = [protected] if isinstance(protected, str) else list(protected)
    unknown = [p for p in names if p not in features]
    if unknown:
        raise InvalidParameterError(parameter="protected", expected="feature names of the explanation",
                                    got=unknown[0])
    return tuple(names)
