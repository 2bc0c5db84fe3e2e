"""The served models: loaded once, fingerprinted once, their explainers fitted once (one per budget asked)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.explainers.base import Explainer
from explicable.explainers.methods import REGISTRY
from explicable.explainers.shapley._sampling import DEFAULT_BUDGET
from explicable.io import read_table
from explicable.models import ModelAdapter, load_model
from explicable.service.settings import ModelSettings

__all__ = ["ServedModel", "load_served"]


class ServedModel:
    """One model of the service with its fitted explainer(s).

    Parameters
    ----------
    settings : ModelSettings
    adapter : ModelAdapter
        The loaded model.
    background : DataFrame, optional
        Reference rows (needed by every method but native TreeSHAP).
    """

    def __init__(self, settings: ModelSettings, adapter: ModelAdapter, background: pd.DataFrame | None = None) -> None:
        self.settings = settings
        self.adapter = adapter
        self.fingerprint = adapter.fingerprint()
        self.background = background
        if adapter.feature_names is None and background is None:
            raise InvalidParameterError(f"The model '{settings.name}' has no feature names; give a background file "
                                        "with named columns.", parameter=f"models.{settings.name}.background")
        names = adapter.feature_names or tuple(str(c) for c in background.columns)  # type: ignore[union-attr]
        self.feature_names: tuple[str, ...] = tuple(names)
        self._lock = threading.Lock()
        self._explainers: dict[int, Explainer] = {}
        self.method = self.explainer(settings.budget).method

    @property
    def binary(self) -> bool:
        """Whether principal reasons apply: a classifier with a probability or log-odds score."""
        return self.adapter.output_space in ("probability", "log-odds") and len(self.adapter.output_names) <= 2

    def explainer(self, budget: int | None) -> Explainer:
        """The explainer for ``budget`` coalitions per row, fitted on first use."""
        coalitions = budget or self.settings.budget or DEFAULT_BUDGET
        with self._lock:
            if coalitions not in self._explainers:
                self._explainers[coalitions] = self._fit(coalitions)
            return self._explainers[coalitions]

    def _fit(self, budget: int) -> Explainer:
        spec = REGISTRY.resolve(self.settings.method, self.adapter, n_players=len(self.feature_names), budget=budget)
        chosen = {"random_state": self.settings.seed, "budget": budget}
        explainer = spec.factory(self.adapter, **{k: v for k, v in chosen.items() if k in spec.settings})
        return explainer.fit(self.background)

    def frame(self, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame | np.ndarray:
        """The request rows in the model's column order: an array for numeric models, else a frame.

        Raises :class:`InvalidDataError` (naming the row) for missing or unexpected features or non-numbers.
        """
        expected = set(self.feature_names)
        for i, row in enumerate(rows):
            missing, extra = expected - set(row), set(row) - expected
            if missing or extra:
                raise InvalidDataError(f"Row {i} does not match the model's features: missing {sorted(missing)}, "
                                       f"unexpected {sorted(extra)}.", parameter="rows", got=sorted(row))
        cells = [[row[c] for c in self.feature_names] for row in rows]
        if self.adapter.schema is not None or self.adapter.accepts_strings:
            return pd.DataFrame(cells, columns=list(self.feature_names)).infer_objects()
        try:  # a plain array: building a frame per request costs more than explaining a small tree model
            return np.array([[np.nan if v is None else v for v in r] for r in cells], dtype="float64")
        except (TypeError, ValueError):
            raise InvalidDataError("Every feature of this model must be a number (or null).", parameter="rows",
                                   got=[type(v).__name__ for r in cells for v in r if isinstance(v, str)][:5]) from None

    def explain(self, data: pd.DataFrame | np.ndarray, budget: int | None) -> tuple[np.ndarray, Explanation]:
        """Predictions (n_rows, n_outputs) and the explanation of the rows of ``data``."""
        return self.adapter.predict(data), self.explainer(budget).explain(data)


def load_served(settings: ModelSettings) -> ServedModel:
    """Load the model file (safe formats only unless ``trust``) and its background, and fit the explainer."""
    adapter = load_model(settings.path, trust=settings.trust)
    background = read_table(settings.background, name="background") if settings.background is not None else None
    if background is not None and adapter.feature_names is not None:
        background = background[list(adapter.feature_names)]
    return ServedModel(settings, adapter, background)
