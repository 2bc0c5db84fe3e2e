"""The front door: ``explicable.explain(model, X)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.groups import normalize_groups
from explicable.core.validation import check_int, check_random_state
from explicable.explainers.methods import REGISTRY
from explicable.explainers.shapley._sampling import DEFAULT_BUDGET
from explicable.models.torch import TorchAdapter
from explicable.models.wrap import wrap

__all__ = ["explain"]


def explain(
    model: Any,
    X: Any,
    *,
    background: Any = None,
    method: str = "auto",
    random_state: int | None = None,
    budget: int | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    target: Any = None,
    **options: Any,
) -> Explanation:
    """Explain the predictions of ``model`` for the rows of ``X``.

    Parameters
    ----------
    model : model object or ModelAdapter
        Anything :func:`explicable.wrap` takes.
    X : array of shape (n_rows, n_features) or DataFrame, or images (n, H, W, C), or texts
        The rows to explain; images for a PyTorch image model (a bare module is given them channels first),
        a list of strings for a text classifier.
    background : array or DataFrame, optional
        Reference rows the attributions are measured against (needed by every method but native TreeSHAP).
    method : str, default "auto"
        "auto" picks "integrated_gradients" for PyTorch image models and text classifiers; for tables it tries,
        in order: "tree" (exact TreeSHAP), "linear" (exact linear attributions), "exact" (all
        coalitions, when ``2^players <= budget``), then "kernel" (Kernel SHAP with error bars). Or name one
        of those, or "permutation".
    random_state : int, optional
        Seed for sampled methods; drawn and recorded in provenance when None.
    budget : int, optional
        Hard cap on coalition evaluations per explained row for game-based methods (default 4096).
    groups : mapping of str to list of str, optional
        Features that act together: players of the game for game-based methods; for exact tree and linear
        attributions, the members' values are summed (see :meth:`Explanation.group`). Pipelines with a
        ColumnTransformer are reported per original feature automatically.
    target : int, str or list, optional
        Keep only these outputs.
    **options
        Settings of the chosen method (``tol``, ``size_weights``, ``background_size``, ...).

    Returns
    -------
    Explanation
        The method that ran and the coalitions it spent are in ``explanation.provenance``.

    Examples
    --------
    >>> import numpy as np, explicable
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 2.0]])
    >>> exp = explicable.explain(LinearRegression().fit(X, X @ [2.0, -1.0]), X, background=X)
    >>> exp.provenance.method, exp.shape
    ('linear', (3, 2, 1))
    """
    adapter = wrap(model)
    explained: Any = adapter
    if isinstance(adapter, TorchAdapter) and adapter.image_shape is None and adapter.model is model \
            and np.ndim(X) in (3, 4):
        # a bare PyTorch module given images (n, H, W, C): choose among the image methods; the explainer wraps
        # the module itself (channels first, outputs named output_0, output_1, ...)
        adapter = TorchAdapter(model, image_shape=tuple(np.shape(X)[-3:]))
        explained = model
    if not isinstance(method, str):
        raise InvalidParameterError(parameter="method", expected="a method name (str)", got=method)
    coalitions = DEFAULT_BUDGET if budget is None else check_int(budget, "budget", low=1)
    settings = {"random_state": check_random_state(random_state), "budget": coalitions, "groups": groups}
    n_features = np.shape(X)[1] if np.ndim(X) == 2 else 0
    names = adapter.feature_names or tuple(getattr(X, "columns", [f"x{j}" for j in range(n_features)]))
    n_players = len(normalize_groups(groups, names)) if groups else n_features
    spec = REGISTRY.resolve(method, adapter, n_players=n_players, budget=coalitions)
    chosen = {k: v for k, v in settings.items() if k in spec.settings and v is not None}
    try:
        explainer = spec.factory(explained, **chosen, **options)
    except TypeError as exc:
        if "unexpected keyword" not in str(exc):
            raise
        raise InvalidParameterError(f"The method '{spec.name}' does not take the option(s) {sorted(options)}.",
                                    parameter="options", got=sorted(options)) from None
    result = explainer.fit(background).explain(X, target=target)
    return result if groups is None or "groups" in spec.settings else result.group(groups)
