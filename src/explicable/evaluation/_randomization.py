"""The model-parameter randomisation test (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_number
from explicable.evaluation._common import ExplainerLike, call_explainer, rank_correlation
from explicable.evaluation._randomize import n_layers, randomize_model
from explicable.evaluation._result import CheckResult

__all__ = ["randomization_check"]


def randomization_check(explainer_factory: Callable[[Any], ExplainerLike], model: Any, X: Any, *,
                        randomized: Any = None, cascade: bool = False, output: Any = None, by: str = "abs",
                        method: str = "spearman", threshold: float = 0.5,
                        random_state: int | None = None) -> CheckResult:
    """Does the explanation change when the model's parameters are replaced by random ones?

    An explanation meant to describe the model must depend on it: explaining a model with randomised
    parameters should give a different ranking of features. Methods that mostly reflect the input (edge
    detectors, some saliency variants) keep their ranking and fail. The similarity of a row is the rank
    correlation of its attributions under the trained and the randomised model.

    Parameters
    ----------
    explainer_factory : callable
        ``model -> fitted Explainer or callable X -> Explanation``; called with ``model`` and with each
        randomised model (the same kind of object).
    model : model object or ModelAdapter
    X : array (n, m), DataFrame or images
        The rows explained.
    randomized : model or sequence of models, optional
        Randomised copies to compare with (a sequence is a cascade, judged on its last). Default: made by
        :func:`randomize_model` (scikit-learn linear models and MLPs, PyTorch modules).
    cascade : bool, default False
        With ``randomized=None``, randomise 1, 2, ... layers from the top (Adebayo et al.'s cascading test)
        and report each stage in ``details["cascade"]``; the verdict is on the fully randomised model.
    output : str or int, optional
    by : {"abs", "value"}, default "abs"
        Compare the rankings of magnitudes (Adebayo et al. report both; sign flips are common under
        randomisation and carry no meaning alone) or of signed values.
    method : {"spearman", "kendall"}, default "spearman"
    threshold : float, default 0.5
        Pass when the mean rank correlation is at most this. Above 0.5 the randomised model's explanation
        still orders features much as the trained one's does, so the ranking owes more to the input than
        to what the model learned; a model-dependent explanation of a re-initialised model is close to 0.
    random_state : int, optional
        Seed of the randomisation (drawn and recorded in ``details`` when None).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 12))
    >>> lr = LinearRegression().fit(X, X @ np.arange(1.0, 13.0))
    >>> coef_explainer = lambda model: (lambda Z: np.broadcast_to(model.coef_, Z.shape))
    >>> randomization_check(coef_explainer, lr, X, random_state=0).passed
    True
    >>> randomization_check(lambda model: (lambda Z: np.abs(Z)), lr, X, random_state=0).passed
    False
    """
    threshold = check_number(threshold, "threshold")
    check_choice(by, "by", ("abs", "value"))
    check_choice(method, "method", ("spearman", "kendall"))
    if not callable(explainer_factory):
        raise InvalidParameterError(parameter="explainer_factory", expected="a callable model -> explainer",
                                    got=explainer_factory)
    _, seed = make_rng(random_state)
    stages = _stages(model, randomized, cascade, seed)
    original = _key(call_explainer(explainer_factory(model), X, output), by)
    similarities = []
    for _, stage_model in stages:
        changed = _key(call_explainer(explainer_factory(stage_model), X, output), by)
        if changed.shape != original.shape:
            raise InvalidDataError(parameter="explainer_factory", expected=f"attributions of shape {original.shape} "
                                   "for every model", got=changed)
        similarities.append(rank_correlation(original, changed, method))
    per_row = similarities[-1]
    undefined = int(np.isnan(per_row).sum())
    value = float(np.nanmean(per_row)) if undefined < per_row.size else float("nan")
    details: dict[str, Any] = {"statistic": f"mean {method} correlation, trained vs randomised", "by": by,
                               "random_state": seed, "undefined_rows": undefined,
                               "cascade": [(label, float(np.nanmean(s)) if not np.isnan(s).all() else None)
                                           for (label, _), s in zip(stages, similarities, strict=True)]}
    return CheckResult("randomization_check", value, threshold, False, per_row, details)


def _stages(model: Any, randomized: Any, cascade: bool, seed: int) -> list[tuple[str, Any]]:
    if randomized is not None:
        if isinstance(randomized, Sequence) and not isinstance(randomized, str):
            if not randomized:
                raise InvalidParameterError(parameter="randomized", expected="a model or a non-empty sequence",
                                            got=randomized)
            return [(f"given {i + 1}", m) for i, m in enumerate(randomized)]
        return [("given", randomized)]
    if not cascade:
        return [("all layers", randomize_model(model, random_state=seed))]
    total = n_layers(model)
    return [(f"top {count} of {total} layers", randomize_model(model, layers=count, random_state=seed))
            for count in range(1, total + 1)]


def _key(values: np.ndarray, by: str) -> np.ndarray:
    return np.abs(values) if by == "abs" else values
