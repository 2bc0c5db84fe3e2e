"""Model-parameter randomisation for the sanity check of Adebayo et al. (2018): a copy of a model with its
top layers re-initialised, the original left untouched.

Supported: scikit-learn linear models (``coef_`` redrawn from a normal with the original coefficients'
spread), multi-layer perceptrons (``coefs_`` and ``intercepts_`` re-initialised as scikit-learn initialises
them), Pipelines (their final step), PyTorch modules (each parameterised layer's ``reset_parameters``), and
explicable adapters of these. Anything else: randomise it yourself and pass it as ``randomized``.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from explicable.core.errors import UnsupportedModelError
from explicable.core.random import make_rng
from explicable.core.validation import check_int
from explicable.models.base import ModelAdapter
from explicable.models.function import FunctionModel

__all__ = ["n_layers", "randomize_model"]

_UNSUPPORTED = ("scikit-learn linear models and MLPs (or Pipelines ending in one), PyTorch modules, or their "
                "adapters; for other models pass a randomised copy as 'randomized'")


def n_layers(model: Any) -> int:
    """How many layers :func:`randomize_model` can randomise, top down."""
    inner = _unwrap(model)
    if _is_torch(inner):
        return len(_torch_layers(inner))
    final = _final(inner)
    if hasattr(final, "coefs_"):
        return len(final.coefs_)
    if hasattr(final, "coef_"):
        return 1
    raise UnsupportedModelError(parameter="model", expected=_UNSUPPORTED, got=type(inner).__name__)


def randomize_model(model: Any, *, layers: int | None = None, random_state: int | None = None) -> Any:
    """A copy of ``model`` whose top ``layers`` layers (all by default) have fresh random parameters.

    Parameters
    ----------
    model : scikit-learn estimator or Pipeline, torch.nn.Module, or a ModelAdapter of one
    layers : int, optional
        Randomise this many layers from the output down (cascading randomisation); default all.
    random_state : int, optional
        Seed (same seed, same randomised model).

    Returns
    -------
    The same kind of object as ``model`` (an adapter gives an adapter over the randomised copy).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> lr = LinearRegression().fit(np.eye(3), [1.0, 2.0, 3.0])
    >>> bool(np.array_equal(randomize_model(lr, random_state=0).coef_, lr.coef_))
    False
    """
    total = n_layers(model)
    count = total if layers is None else check_int(layers, "layers", low=1, high=total)
    rng, seed = make_rng(random_state)
    if isinstance(model, ModelAdapter):
        clone = copy.copy(model)
        clone.model = _randomized(model.model, count, rng, seed)
        return clone
    return _randomized(model, count, rng, seed)


def _unwrap(model: Any) -> Any:
    if isinstance(model, FunctionModel):
        raise UnsupportedModelError(parameter="model", expected=_UNSUPPORTED, got="a FunctionModel (a plain function)")
    return model.model if isinstance(model, ModelAdapter) else model


def _final(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return steps[-1][1] if isinstance(steps, list) and steps else model


def _is_torch(model: Any) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def _torch_layers(model: Any) -> list[Any]:
    return [m for m in model.modules() if any(True for _ in m.parameters(recurse=False))]


def _randomized(model: Any, count: int, rng: np.random.Generator, seed: int) -> Any:
    clone = copy.deepcopy(model)
    if _is_torch(clone):
        _reset_torch(clone, count, seed)
        return clone
    final = _final(clone)
    if hasattr(final, "coefs_"):
        _reset_mlp(final, count, rng)
    else:
        coef = np.asarray(final.coef_, dtype="float64")
        spread = float(coef.std()) or float(np.abs(coef).max()) or 1.0
        final.coef_ = rng.normal(0.0, spread, size=coef.shape).astype(coef.dtype)
    return clone


def _reset_mlp(mlp: Any, count: int, rng: np.random.Generator) -> None:
    # scikit-learn's own initialisation (Glorot uniform; factor 2 for the logistic activation)
    factor = 2.0 if getattr(mlp, "activation", "") == "logistic" else 6.0
    for i in range(len(mlp.coefs_) - count, len(mlp.coefs_)):
        fan_in, fan_out = mlp.coefs_[i].shape
        bound = np.sqrt(factor / (fan_in + fan_out))
        mlp.coefs_[i] = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(mlp.coefs_[i].dtype)
        mlp.intercepts_[i] = rng.uniform(-bound, bound, fan_out).astype(mlp.intercepts_[i].dtype)


def _reset_torch(module: Any, count: int, seed: int) -> None:
    import torch

    layers = _torch_layers(module)[-count:]
    # the layers' own initialisers draw from torch's global generator: fork it so the caller's stream is untouched
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        for layer in layers:
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
            else:
                for param in layer.parameters(recurse=False):
                    param.normal_(0.0, 0.02)
