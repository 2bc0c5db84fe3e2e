"""Mitigation with fairlearn, reported as a before/after table of accuracy and every disparity.

Two of fairlearn's methods: post-processing with a :class:`~fairlearn.postprocessing.ThresholdOptimizer`
(group-specific thresholds on the model's scores; a fitted model is used as is) and the reductions approach
of :class:`~fairlearn.reductions.ExponentiatedGradient` (Agarwal et al. 2018: a randomized mixture of models
refitted with reweighted rows; the estimator must accept ``sample_weight``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_int
from explicable.fairness._group_inputs import as_binary, sensitive_frame
from explicable.fairness._metrics import group_metrics
from explicable.fairness._mitigation_model import MitigatedModel, fairlearn_frame
from explicable.fairness._results import GroupMetrics, MitigationResult

__all__ = ["mitigate"]

METHODS = ("threshold", "exponentiated_gradient")
CONSTRAINTS = ("demographic_parity", "equalized_odds")


def _sensitive(sensitive: Any, X: Any) -> tuple[pd.DataFrame, list[str] | None]:
    """The sensitive attributes and, when they were named as columns of ``X``, those names."""
    names = [sensitive] if isinstance(sensitive, str) else sensitive
    if isinstance(names, list) and names and all(isinstance(c, str) for c in names):
        if not isinstance(X, pd.DataFrame) or any(c not in X.columns for c in names):
            raise InvalidParameterError(parameter="sensitive", expected="columns of X (X must be a DataFrame) or "
                                        "the attributes' values", got=sensitive)
        return X[names].reset_index(drop=True), list(names)
    return pd.DataFrame(sensitive_frame(sensitive, len(X))), None


def _fairlearn_sensitive(frame: pd.DataFrame) -> Any:
    return frame.iloc[:, 0].astype(str) if frame.shape[1] == 1 else frame.astype(str)


def _is_fitted(estimator: Any) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _fit_mitigator(estimator: Any, X: Any, y: np.ndarray, sensitive: pd.DataFrame, method: str,
                   constraint: str, options: dict[str, Any]) -> Any:
    from sklearn.pipeline import Pipeline

    Xf = fairlearn_frame(X)
    if method == "threshold":
        from fairlearn.postprocessing import ThresholdOptimizer

        mitigator = ThresholdOptimizer(estimator=estimator, constraints=constraint, prefit=_is_fitted(estimator),
                                       predict_method="auto", grid_size=options["grid_size"])
    else:
        from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient

        moment = DemographicParity() if constraint == "demographic_parity" else EqualizedOdds()
        # a Pipeline routes sample weights to its last step by name
        weight = f"{estimator.steps[-1][0]}__sample_weight" if isinstance(estimator, Pipeline) else "sample_weight"
        mitigator = ExponentiatedGradient(estimator, moment, eps=options["eps"], max_iter=options["max_iter"],
                                          sample_weight_name=weight)
    return mitigator.fit(Xf, y, sensitive_features=_fairlearn_sensitive(sensitive))


def _baseline(estimator: Any, X: Any, y: np.ndarray) -> Any:
    if _is_fitted(estimator):
        return estimator
    from sklearn.base import clone

    return clone(estimator).fit(X, y)


def _comparison(before: GroupMetrics, after: GroupMetrics, accuracy: tuple[float, float],
                selection: tuple[float, float]) -> pd.DataFrame:
    rows = [{"attribute": "all", "metric": "accuracy", "before": accuracy[0], "after": accuracy[1]},
            {"attribute": "all", "metric": "selection_rate", "before": selection[0], "after": selection[1]}]
    merged = before.disparities.merge(after.disparities, on=["attribute", "metric"], suffixes=("_before", "_after"))
    rows += [{"attribute": r.attribute, "metric": r.metric, "before": r.value_before, "after": r.value_after}
             for r in merged.itertuples()]
    table = pd.DataFrame(rows)
    table["change"] = table["after"] - table["before"]
    return table


def mitigate(estimator: Any, X: Any, y: Any, sensitive: Any, *, method: str = "threshold",
             constraint: str = "demographic_parity", X_eval: Any = None, y_eval: Any = None,
             sensitive_eval: Any = None, grid_size: int = 1000, eps: float = 0.01, max_iter: int = 50,
             random_state: int | None = None) -> MitigationResult:
    """Mitigate a binary classifier's disparities with fairlearn, and compare before with after.

    Parameters
    ----------
    estimator : scikit-learn classifier or Pipeline
        For ``"threshold"`` a fitted model is used as is (an unfitted one is fitted); for
        ``"exponentiated_gradient"`` it is refitted with weights and must accept ``sample_weight``.
    X : DataFrame or array of shape (n, m)
    y : array-like of shape (n,)
        0/1 outcomes (1 = favourable).
    sensitive : str, list of str, or values of shape (n,) / (n, a)
        Column name(s) of ``X`` (the mitigated model then reads them from ``X``: ``explicable.wrap`` works for
        both methods) or the attributes' values (a ThresholdOptimizer then needs them at every prediction).
    method : {"threshold", "exponentiated_gradient"}, default "threshold"
    constraint : {"demographic_parity", "equalized_odds"}, default "demographic_parity"
    X_eval, y_eval, sensitive_eval : optional
        Evaluation data of the before/after table (default: the training data, which flatters the mitigated
        model). ``sensitive_eval`` is needed only when ``sensitive`` was given as values.
    grid_size : int, default 1000
        ThresholdOptimizer's grid of thresholds.
    eps, max_iter : float, int
        ExponentiatedGradient's allowed constraint violation and iterations.
    random_state : int, optional
        Seed of the randomized decisions (drawn and recorded when None).

    Returns
    -------
    MitigationResult
        ``model`` (a :class:`MitigatedModel`), ``comparison`` (``to_frame()``), ``before`` and ``after``
        group metrics (no bootstrap) in ``details``.
    """
    method = check_choice(method, "method", METHODS)
    constraint = check_choice(constraint, "constraint", CONSTRAINTS)
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) or not 0 < eps < 1:
        raise InvalidParameterError(parameter="eps", expected="a number in (0, 1)", got=eps)
    options = {"grid_size": check_int(grid_size, "grid_size", low=2), "eps": float(eps),
               "max_iter": check_int(max_iter, "max_iter", low=1)}
    _, seed = make_rng(random_state)
    yt = as_binary(y, "y", len(X))
    sens, columns = _sensitive(sensitive, X)
    mitigator = _fit_mitigator(estimator, X, yt, sens, method, constraint, options)
    is_frame = isinstance(X, pd.DataFrame)
    categorical = [not pd.api.types.is_numeric_dtype(X[c]) or X[c].dtype == bool for c in X.columns] \
        if is_frame else None
    model = MitigatedModel(mitigator, sensitive_columns=columns, needs_sensitive=method == "threshold",
                           random_state=seed, feature_names=list(map(str, X.columns)) if is_frame else None,
                           categorical=categorical)
    baseline = _baseline(estimator, X, yt)
    return _evaluate(model, baseline, (X, yt, sens, columns), (X_eval, y_eval, sensitive_eval),
                     method, constraint, seed, options)


def _eval_data(train: tuple, given: tuple) -> tuple[Any, np.ndarray, pd.DataFrame]:
    X, yt, sens, columns = train
    X_eval, y_eval, sensitive_eval = given
    if X_eval is None:
        return X, yt, sens
    y_e = as_binary(y_eval, "y_eval", len(X_eval))
    if columns is not None:
        return X_eval, y_e, X_eval[columns].reset_index(drop=True)
    if sensitive_eval is None:
        raise InvalidDataError(parameter="sensitive_eval", expected="the evaluation rows' sensitive attributes "
                               "(sensitive was given as values, not as columns of X)", got=None)
    return X_eval, y_e, sensitive_frame(sensitive_eval, len(X_eval), "sensitive_eval")


def _evaluate(model: MitigatedModel, baseline: Any, train: tuple, given: tuple, method: str, constraint: str,
              seed: int, options: dict[str, Any]) -> MitigationResult:
    Xe, ye, se = _eval_data(train, given)
    pred_before = as_binary(baseline.predict(Xe), "estimator.predict(X)")
    pred_after = model.predict(Xe, sensitive_features=None if model.sensitive_columns is not None or
                               not model.needs_sensitive else _fairlearn_sensitive(se))
    before = group_metrics(ye, pred_before, se, n_bootstrap=0, random_state=0)
    after = group_metrics(ye, pred_after, se, n_bootstrap=0, random_state=0)
    table = _comparison(before, after, (float(np.mean(pred_before == ye)), float(np.mean(pred_after == ye))),
                        (float(pred_before.mean()), float(pred_after.mean())))
    details = {**options, "before": before, "after": after, "n_eval": int(ye.shape[0]),
               "evaluated_on": "training data" if given[0] is None else "X_eval"}
    return MitigationResult(model, table, method, constraint, seed, details)
