"""CatBoost models, with CatBoost's own exact TreeSHAP (``get_feature_importance(type="ShapValues")``)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from explicable.core.errors import UnsupportedModelError
from explicable.core.fingerprint import digest_bytes
from explicable.models._boosted import BoostedTreesAdapter

__all__ = ["CatBoostAdapter"]

_LINKS = {"RMSE": "identity", "MAE": "identity", "Quantile": "identity", "MAPE": "identity", "Huber": "identity",
          "Logloss": "logistic", "CrossEntropy": "logistic", "MultiClass": "softmax"}


class CatBoostAdapter(BoostedTreesAdapter):
    """Adapter for ``CatBoostClassifier``, ``CatBoostRegressor`` and ``CatBoost`` models.

    Parameters
    ----------
    model : fitted CatBoost model
    output_space, output_names, feature_names
        As for :class:`~explicable.models.xgboost.XGBoostAdapter`.
    """

    def __init__(self, model: Any, *, output_space: str | None = None, output_names: Any = None,
                 feature_names: Any = None) -> None:
        loss = str(model.get_all_params().get("loss_function", "")).split(":", 1)[0]
        if loss not in _LINKS:
            raise UnsupportedModelError(
                f"CatBoost loss '{loss}' is not supported yet; supported: {', '.join(_LINKS)}.",
                parameter="model", got=loss)
        link = _LINKS[loss]
        self.cat_features = list(model.get_cat_feature_indices())
        classes = getattr(model, "classes_", None)
        default = [str(c) for c in classes] if link != "identity" and classes is not None else ["prediction"]
        super().__init__(model, link=link, output_space=output_space, output_names=output_names or default,
                         feature_names=feature_names or model.feature_names_, accepts_strings=bool(self.cat_features))

    def _pool(self, Z: Any) -> Any:
        from catboost import Pool

        return Pool(Z, cat_features=self.cat_features or None)

    def native_input(self, X: np.ndarray) -> Any:
        if self.schema is not None:
            return self.schema.to_frame(X)
        import pandas as pd

        return pd.DataFrame(X, columns=list(self.feature_names or [])) if self.cat_features else X

    def margin(self, Z: Any) -> np.ndarray:
        return np.asarray(self.model.predict(self._pool(Z), prediction_type="RawFormulaVal"), dtype="float64")

    def contributions(self, Z: Any) -> tuple[np.ndarray, np.ndarray]:
        raw = np.asarray(self.model.get_feature_importance(data=self._pool(Z), type="ShapValues"), dtype="float64")
        if raw.ndim == 2:
            raw = raw[:, None, :]
        return np.transpose(raw[:, :, :-1], (0, 2, 1)), raw[:, :, -1]

    def fingerprint(self) -> str:
        # The .cbm bytes carry a random model GUID, the training time and re-serialised parameters, so the same
        # trees saved and loaded again would get another digest. The JSON export's trees, features, CTR
        # tables, scale and bias, class labels and loss are what predictions depend on.
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.json"
            try:
                self.model.save_model(str(path), format="json")
            except Exception:  # features JSON can't hold (text, embeddings): digest the binary model
                self.model.save_model(str(path.with_suffix(".cbm")))
                return digest_bytes(path.with_suffix(".cbm").read_bytes())
            content = json.loads(path.read_text(encoding="utf-8"))
        info = content.pop("model_info", {})
        content["class_params"] = info.get("class_params")
        content["loss_function"] = (info.get("params") or {}).get("loss_function")
        return digest_bytes(json.dumps(content, sort_keys=True, separators=(",", ":")).encode())
