"""Proxy detection: how well each feature predicts the protected attribute, beside its attribution mass.

Dropping the protected attribute from a model does not stop it from using the attribute through features
that encode it (a postcode for race, a marital status mixed with sex). A feature that both predicts the
attribute and carries much of the attributions deserves a look.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_selection import mutual_info_classif
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import as_table, check_int
from explicable.fairness._protected import group_rows

__all__ = ["ProxyResult", "proxies"]


@dataclass(frozen=True, eq=False)
class ProxyResult:
    """Per feature: mutual information with the protected attribute, a cross-validated AUC, attribution mass.

    Attributes
    ----------
    table : DataFrame
        One row per feature, strongest proxy first: ``mutual_information`` (nats), ``auc`` (cross-validated,
        one-vs-rest macro average for more than two groups; 0.5 = no information), ``attribution_share``
        (share of the explanation's mean |attribution|, NaN without an explanation or for a feature it
        lacks) and ``proxy`` (``auc >= auc_threshold``).
    attributes : tuple of str
    auc_threshold : float
    random_state : int
    """

    table: pd.DataFrame
    attributes: tuple[str, ...]
    auc_threshold: float
    random_state: int

    def to_frame(self) -> pd.DataFrame:
        """The per-feature table (a copy)."""
        return self.table.copy()

    def __str__(self) -> str:
        flagged = self.table[self.table["proxy"]]
        head = f"Proxies for {' & '.join(self.attributes)} (AUC >= {self.auc_threshold:g}): "
        if flagged.empty:
            return head + "none."
        return head + ", ".join(f"{r.feature} (AUC {r.auc:.2f}, MI {r.mutual_information:.3f}, attribution share "
                                f"{r.attribution_share:.1%})" for r in flagged.itertuples()) + "."


def proxies(
    X: Any,
    sensitive: Any,
    *,
    explanation: Explanation | None = None,
    auc_threshold: float = 0.7,
    cv: int = 3,
    random_state: int | None = None,
) -> ProxyResult:
    """How well each feature of ``X`` alone predicts the protected attribute.

    Parameters
    ----------
    X : DataFrame or array (n_rows, n_features)
        The features (a column named in ``sensitive`` is not scored against itself).
    sensitive : str, list of str, array-like (n_rows,), Series or DataFrame
        Column name(s) of ``X`` or values per row (several columns: their intersection).
    explanation : Explanation, optional
        Attributions of (any sample of) the same model: each feature's share of the mean |attribution|
        is shown beside its proxy strength.
    auc_threshold : float, default 0.7
        AUC from which a feature is flagged as a proxy: 0.7 is the conventional floor of "acceptable
        discrimination" (Hosmer & Lemeshow, Applied Logistic Regression, 2000).
    cv : int, default 3
        Folds of the cross-validation of each one-feature classifier.
    random_state : int, optional
        Seeds the folds and the nearest-neighbour mutual information estimate of numeric features.

    Notes
    -----
    One small model per feature keeps it fast: a categorical feature predicts the attribute by the
    group shares of its category in the training folds (with one pseudo-count per group, the optimal
    classifier on one categorical feature); a numeric one by a depth-3 tree, which also catches
    non-monotone relations. Mutual information is exact for categorical features and the Kraskov
    nearest-neighbour estimate for numeric ones (``sklearn.feature_selection.mutual_info_classif``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sex = rng.integers(0, 2, 300)
    >>> X = pd.DataFrame({"height": 165 + 12 * sex + rng.normal(0, 6, 300), "noise": rng.normal(size=300)})
    >>> res = proxies(X, sex, random_state=0)
    >>> res.to_frame()["feature"].tolist(), res.to_frame()["proxy"].tolist()
    (['height', 'noise'], [True, False])
    """
    if isinstance(auc_threshold, bool) or not isinstance(auc_threshold, (int, float)) \
            or not 0.5 <= auc_threshold <= 1:
        raise InvalidParameterError(parameter="auc_threshold", expected="a number in [0.5, 1]", got=auc_threshold)
    folds = check_int(cv, "cv", low=2)
    rng, seed = make_rng(random_state)
    table = as_table(X, name="X")
    groups = group_rows(sensitive, table.n_rows, columns=table.columns, data=table.values)
    codes = pd.Categorical(groups.labels, categories=groups.names).codes
    if len(groups.names) < 2 or np.bincount(codes).min() < folds:
        raise InvalidDataError(parameter="sensitive", expected=f"at least two groups of {folds} rows or more",
                               got=dict(zip(*np.unique(groups.labels, return_counts=True), strict=True)))
    frame = table.frame()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=int(rng.integers(2**31)))
    splits = list(splitter.split(np.zeros(codes.size), codes))
    records = []
    for feature in (c for c in table.columns if c not in groups.attributes):
        column, categorical = _encode(frame[feature])
        mi = mutual_info_classif(column.reshape(-1, 1), codes, discrete_features=categorical,
                                 random_state=int(rng.integers(2**31)))[0]
        proba = _out_of_fold(column, codes, categorical, splits, len(groups.names))
        records.append((feature, float(mi), _auc(codes, proba)))
    result = pd.DataFrame(records, columns=["feature", "mutual_information", "auc"])
    result["attribution_share"] = _shares(explanation, result["feature"])
    result["proxy"] = result["auc"] >= auc_threshold
    result = result.sort_values(["auc", "mutual_information"], ascending=False, kind="stable").reset_index(drop=True)
    return ProxyResult(result, groups.attributes, float(auc_threshold), seed)


def _encode(series: pd.Series) -> tuple[np.ndarray, bool]:
    """A column as numbers and whether it is categorical (category codes; missing as its own code)."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype="float64")
        if np.isnan(values).any():
            values = np.where(np.isnan(values), np.nanmin(values) - 1.0, values)
        return values, False
    codes = pd.Categorical(series.astype(object).where(series.notna(), "missing").astype(str)).codes
    return codes.astype("float64"), True


def _out_of_fold(column: np.ndarray, codes: np.ndarray, categorical: bool, splits: list[tuple[np.ndarray, ...]],
                 n_groups: int) -> np.ndarray:
    proba = np.zeros((codes.size, n_groups))
    for train, test in splits:
        if categorical:
            levels = int(column.max()) + 1
            counts = np.ones((levels, n_groups))
            np.add.at(counts, (column[train].astype(int), codes[train]), 1.0)
            proba[test] = (counts / counts.sum(axis=1, keepdims=True))[column[test].astype(int)]
        else:
            tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=max(5, train.size // 50), random_state=0)
            tree.fit(column[train].reshape(-1, 1), codes[train])
            proba[np.ix_(test, tree.classes_)] = tree.predict_proba(column[test].reshape(-1, 1))
    return proba


def _auc(codes: np.ndarray, proba: np.ndarray) -> float:
    if proba.shape[1] == 2:
        return float(roc_auc_score(codes, proba[:, 1]))
    return float(roc_auc_score(codes, proba, multi_class="ovr", average="macro"))


def _shares(explanation: Explanation | None, features: pd.Series) -> np.ndarray:
    if explanation is None:
        return np.full(len(features), np.nan)
    if not isinstance(explanation, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation", got=explanation)
    mass = np.abs(explanation.values).mean(axis=(0, 2))
    total = mass.sum()
    share = dict(zip(explanation.feature_names, mass / total if total > 0 else mass, strict=True))
    return np.array([share.get(f, np.nan) for f in features], dtype="float64")
