"""XGBoost models (scikit-learn API and raw Boosters), with native TreeSHAP (``pred_contribs``)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import UnsupportedModelError
from explicable.core.fingerprint import digest_bytes
from explicable.core.schema import Schema
from explicable.models._boosted import BoostedTreesAdapter

__all__ = ["XGBoostAdapter"]

_IDENTITY = ("reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror",
             "reg:quantileerror", "rank:pairwise", "rank:ndcg", "rank:map")
_LINKS = {**dict.fromkeys(_IDENTITY, "identity"), "binary:logistic": "logistic", "binary:logitraw": "logistic",
          "multi:softprob": "softmax", "multi:softmax": "softmax"}


class XGBoostAdapter(BoostedTreesAdapter):
    """Adapter for ``xgboost.XGBModel`` estimators and ``xgboost.Booster``.

    Parameters
    ----------
    model : XGBClassifier, XGBRegressor, XGBRanker or Booster
    output_space : {"probability", "log-odds", "raw"}, optional
        Default "probability" for classifiers, "raw" for regressors.
    output_names : sequence of str, optional
        Defaults to the classifier's ``classes_`` (or ``0..k-1``), or "prediction" for a regressor.
    feature_names : sequence of str, optional
        Defaults to the names the model was trained with.
    """

    def __init__(self, model: Any, *, output_space: str | None = None, output_names: Any = None,
                 feature_names: Any = None) -> None:
        import xgboost

        self.booster = model if isinstance(model, xgboost.Booster) else model.get_booster()
        config = json.loads(self.booster.save_config())
        objective = config["learner"]["objective"]["name"]
        if objective not in _LINKS:
            raise UnsupportedModelError(
                f"XGBoost objective '{objective}' is not supported yet; supported: {', '.join(_LINKS)}.",
                parameter="model", got=objective)
        link = _LINKS[objective]
        params = config["learner"]["learner_model_param"]
        n_out = int(params.get("num_class", "0")) if link == "softmax" else int(params.get("num_target", "1"))
        best = getattr(self.booster, "best_iteration", None)
        self.iteration_range = (0, int(best) + 1) if best is not None else (0, 0)
        has_categories = "c" in (self.booster.feature_types or [])
        super().__init__(
            model, link=link, output_space=output_space,
            output_names=list(output_names) if output_names is not None else _default_outputs(model, link, n_out),
            feature_names=list(feature_names) if feature_names is not None else self.booster.feature_names,
            n_features=self.booster.num_features(), accepts_strings=has_categories,
            schema=_category_schema(self.booster) if has_categories else None,
        )

    def _dmatrix(self, Z: Any) -> Any:
        import xgboost

        if hasattr(Z, "columns"):
            return xgboost.DMatrix(Z, enable_categorical=True)
        return xgboost.DMatrix(Z, feature_names=self.booster.feature_names, feature_types=self.booster.feature_types)

    def margin(self, Z: Any) -> np.ndarray:
        if isinstance(Z, np.ndarray) and Z.dtype.kind == "f":  # no DMatrix to build: the hot path of sampling
            out = self.booster.inplace_predict(Z, predict_type="margin", iteration_range=self.iteration_range,
                                               validate_features=False)
        else:
            out = self.booster.predict(self._dmatrix(Z), output_margin=True, iteration_range=self.iteration_range)
        return np.asarray(out, dtype="float64")

    def contributions(self, Z: Any) -> tuple[np.ndarray, np.ndarray]:
        """``pred_contribs`` as values (n, d, t); the bias is the margin minus their sum.

        XGBoost accumulates both contributions and margins in float32, so its own bias column misses the
        margin by up to a few float32 ulps (about 2e-6 at a margin of 7). The values are kept bit for bit; the
        rounding residual goes into the per-row base value so the explanation adds up to the model's margin.
        """
        dmatrix = self._dmatrix(Z)
        raw = self.booster.predict(dmatrix, pred_contribs=True, iteration_range=self.iteration_range)
        raw = np.asarray(raw, dtype="float64")
        if raw.ndim == 2:
            raw = raw[:, None, :]
        values = np.transpose(raw[:, :, :-1], (0, 2, 1))  # (n, t, d + 1) -> (n, d, t)
        margin = self.margin(Z).reshape(raw.shape[0], raw.shape[1])  # the margin predict() uses
        return values, margin - values.sum(axis=1)

    def fingerprint(self) -> str:
        return digest_bytes(bytes(self.booster.save_raw("ubj")))


def _default_outputs(model: Any, link: str, n_out: int) -> list[str]:
    classes = getattr(model, "classes_", None)
    if link != "identity":
        return [str(c) for c in classes] if classes is not None else [str(c) for c in range(max(n_out, 2))]
    return ["prediction"] if n_out <= 1 else [f"prediction_{t}" for t in range(n_out)]


def _category_schema(booster: Any) -> Schema | None:
    """Column dtypes of a model trained on a frame with categories (XGBoost >= 3.1 stores them in the model).

    With it, string columns and object arrays are turned back into the categorical frame the model expects.
    """
    names = booster.feature_names
    try:
        stored = booster.get_categories(export_to_arrow=True).to_arrow()
    except (AttributeError, TypeError, ValueError):  # older XGBoost, or a model without stored categories
        return None
    if not names or not stored or all(arr is None for _, arr in stored):
        return None
    # Categories are left to each batch: XGBoost re-codes them to the stored ones by value.
    dtypes = [np.dtype("float64") if arr is None else pd.CategoricalDtype() for _, arr in stored]
    return Schema(tuple(str(n) for n in names), tuple(dtypes))
