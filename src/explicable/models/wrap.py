"""``wrap(obj)``: choose the adapter for any supported model object.

Optional libraries are never imported here just to test a type: an object can only be, say, an XGBoost
model if ``xgboost`` is already imported, so the checks look in ``sys.modules``.
"""

from __future__ import annotations

import sys
from typing import Any

from explicable.core.errors import UnsupportedModelError
from explicable.models.base import ModelAdapter
from explicable.models.function import FunctionModel

__all__ = ["SUPPORTED", "wrap"]

SUPPORTED = (
    "scikit-learn estimators and Pipelines",
    "XGBoost (XGBClassifier, XGBRegressor, Booster)",
    "LightGBM (LGBMClassifier, LGBMRegressor, Booster)",
    "CatBoost (CatBoostClassifier, CatBoostRegressor)",
    "ONNX (onnxruntime.InferenceSession or onnx.ModelProto)",
    "PyTorch modules (torch.nn.Module, with the 'deep' extra; images with image_shape=(H, W, C))",
    "Hugging Face sequence classifiers with their tokenizer (tokenizer=..., with the 'text' extra)",
    "plain Python callables f(X) -> (n, k)",
    "an explicable ModelAdapter",
)


def _type(module: str, name: str) -> type | None:
    mod = sys.modules.get(module)
    found = getattr(mod, name, None) if mod is not None else None
    return found if isinstance(found, type) else None


def _isinstance(obj: Any, module: str, *names: str) -> bool:
    return any((t := _type(module, n)) is not None and isinstance(obj, t) for n in names)


def wrap(obj: Any, **options: Any) -> ModelAdapter:
    """Return a :class:`~explicable.models.base.ModelAdapter` for ``obj``.

    Parameters
    ----------
    obj : model object
        Any of :data:`SUPPORTED`.
    **options
        Passed to the adapter: ``output_space``, ``output_names``, ``feature_names`` and adapter-specific ones
        (``output`` for ONNX, ``n_features`` for callables and PyTorch, ``image_shape`` for PyTorch image
        models, ``tokenizer`` for text classifiers).

    Raises
    ------
    UnsupportedModelError
        Listing what is supported.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> import numpy as np
    >>> wrap(LinearRegression().fit(np.eye(3), [1.0, 2.0, 3.0])).output_names
    ('prediction',)
    """
    if isinstance(obj, ModelAdapter):
        if options:
            raise UnsupportedModelError(
                f"wrap() got options {sorted(options)} for an object that is already an adapter; set them when "
                "creating the adapter.", parameter="options", got=sorted(options))
        return obj
    if _isinstance(obj, "xgboost", "XGBModel", "Booster"):
        from explicable.models.xgboost import XGBoostAdapter

        return XGBoostAdapter(obj, **options)
    if _isinstance(obj, "lightgbm", "LGBMModel", "Booster"):
        from explicable.models.lightgbm import LightGBMAdapter

        return LightGBMAdapter(obj, **options)
    if _isinstance(obj, "catboost", "CatBoost"):
        from explicable.models.catboost import CatBoostAdapter

        return CatBoostAdapter(obj, **options)
    if _isinstance(obj, "onnxruntime", "InferenceSession") or _isinstance(obj, "onnx", "ModelProto"):
        from explicable.models.onnx import OnnxAdapter

        return OnnxAdapter(obj, **options)
    if _isinstance(obj, "torch.nn", "Module") and "tokenizer" in options:
        from explicable.models.transformers import TextClassifier

        return TextClassifier(obj, **options)
    if _isinstance(obj, "torch.nn", "Module"):
        from explicable.models.torch import TorchAdapter

        return TorchAdapter(obj, **options)
    if _isinstance(obj, "sklearn.base", "BaseEstimator") and hasattr(obj, "predict"):
        from explicable.models.sklearn import (
            SklearnAdapter,
            SklearnLinearAdapter,
            SklearnTreeAdapter,
            is_linear_estimator,
            is_tree_estimator,
        )

        if is_linear_estimator(obj):
            return SklearnLinearAdapter(obj, **options)
        # a Pipeline ending in a tree model gets a SklearnAdapter whose decompose() wraps that model here
        return (SklearnTreeAdapter if is_tree_estimator(obj) else SklearnAdapter)(obj, **options)
    if callable(obj) and not isinstance(obj, type):
        return FunctionModel(obj, **options)
    raise UnsupportedModelError(
        f"No adapter for an object of type {type(obj).__module__}.{type(obj).__qualname__}. Supported: "
        + "; ".join(SUPPORTED) + ".",
        parameter="model", got=obj,
    )
