"""LightGBM models (scikit-learn API and raw Boosters), with native TreeSHAP (``pred_contrib``)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import UnsupportedModelError
from explicable.core.fingerprint import digest_bytes
from explicable.core.schema import Schema
from explicable.models._boosted import BoostedTreesAdapter

__all__ = ["LightGBMAdapter"]

_LINKS = {"regression": "identity", "regression_l1": "identity", "huber": "identity", "fair": "identity",
          "quantile": "identity", "mape": "identity", "lambdarank": "identity", "rank_xendcg": "identity",
          "binary": "logistic", "multiclass": "softmax"}
_UNNAMED = re.compile(r"Column_\d+")


class LightGBMAdapter(BoostedTreesAdapter):
    """Adapter for ``lightgbm.LGBMModel`` estimators and ``lightgbm.Booster``.

    Binary models with ``sigmoid != 1`` are handled: LightGBM's raw score times ``sigmoid`` is the log-odds,
    and contributions are scaled the same way so they still add up.

    Parameters
    ----------
    model : LGBMClassifier, LGBMRegressor, LGBMRanker or Booster
    output_space, output_names, feature_names
        As for :class:`~explicable.models.xgboost.XGBoostAdapter`.
    """

    def __init__(self, model: Any, *, output_space: str | None = None, output_names: Any = None,
                 feature_names: Any = None) -> None:
        import lightgbm

        self.booster = model if isinstance(model, lightgbm.Booster) else model.booster_
        header = _header(self.booster)
        objective, self.scale = _objective(header)
        if objective not in _LINKS:
            raise UnsupportedModelError(
                f"LightGBM objective '{objective}' is not supported yet; supported: {', '.join(_LINKS)}.",
                parameter="model", got=objective)
        link = _LINKS[objective]
        n_class = self.booster.num_model_per_iteration()
        names = self.booster.feature_name()
        if all(_UNNAMED.fullmatch(n) for n in names):
            names = None
        classes = getattr(model, "classes_", None)
        default = ([str(c) for c in classes] if classes is not None else [str(c) for c in range(max(n_class, 2))]) \
            if link != "identity" else ["prediction"]
        categories = getattr(self.booster, "pandas_categorical", None)
        super().__init__(
            model, link=link, output_space=output_space,
            output_names=list(output_names) if output_names is not None else default,
            feature_names=list(feature_names) if feature_names is not None else names,
            n_features=self.booster.num_feature(), accepts_strings=bool(categories),
            schema=_category_schema(header, self.booster.feature_name(), categories) if categories else None,
        )

    def margin(self, Z: Any) -> np.ndarray:
        return np.asarray(self.booster.predict(Z, raw_score=True), dtype="float64") * self.scale

    def contributions(self, Z: Any) -> tuple[np.ndarray, np.ndarray]:
        raw = np.asarray(self.booster.predict(Z, pred_contrib=True), dtype="float64") * self.scale
        if hasattr(raw, "toarray"):  # sparse input gives sparse contributions
            raw = raw.toarray()
        t = self.booster.num_model_per_iteration()
        per_output = raw.reshape(raw.shape[0], t, -1)  # multiclass concatenates (d + 1) blocks per class
        return np.transpose(per_output[:, :, :-1], (0, 2, 1)), per_output[:, :, -1]

    def fingerprint(self) -> str:
        return digest_bytes(self.booster.model_to_string().encode())


def _header(booster: Any) -> str:
    return str(booster.model_to_string(num_iteration=1).split("\nTree=", 1)[0])


def _objective(header: str) -> tuple[str, float]:
    # The model text's header names the objective canonically ("objective=binary sigmoid:1"), aliases resolved.
    line = next((ln for ln in header.splitlines() if ln.startswith("objective=")), "objective=unknown")
    parts = line.removeprefix("objective=").split()
    name = parts[0] if parts else "unknown"
    sigmoid = 1.0
    for part in parts[1:]:
        if part.startswith("sigmoid:"):
            sigmoid = float(part.split(":", 1)[1])
    return name, sigmoid if name == "binary" else 1.0


def _category_schema(header: str, names: list[str], categories: list[list[Any]]) -> Schema | None:
    """Column dtypes of a model trained on a frame with pandas categoricals, or None when they can't be told.

    LightGBM matches the categorical columns of a frame to its stored categories by order, so the frame must
    have exactly the training's categorical columns. ``feature_infos`` marks categorical features (their
    values listed, ``a:b:c``) apart from numeric ones (``[min:max]``); when integer-coded categorical
    features make the count differ from the stored categories, the mapping is ambiguous.
    """
    line = next((ln for ln in header.splitlines() if ln.startswith("feature_infos=")), "")
    infos = line.removeprefix("feature_infos=").split()
    if len(infos) != len(names):
        return None
    positions = [j for j, info in enumerate(infos) if not info.startswith("[") and info != "none"]
    if len(positions) != len(categories):
        return None
    # Categories are left to each batch: LightGBM re-maps them to the stored ones by value (unseen -> missing).
    dtypes: list[Any] = [np.dtype("float64")] * len(names)
    for j in positions:
        dtypes[j] = pd.CategoricalDtype()
    return Schema(tuple(names), tuple(dtypes))
