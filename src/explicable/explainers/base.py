"""The explainer contract: settings in ``__init__``, learned state in ``fit``, one ``explain``."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from explicable._version import __version__
from explicable.core.errors import NotFittedError
from explicable.core.explanation import Explanation
from explicable.core.fingerprint import digest_array
from explicable.core.provenance import Provenance
from explicable.core.validation import Table
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap

__all__ = ["Attribution", "Explainer"]


@dataclass(frozen=True)
class Attribution:
    """What an explainer computes for a table, before it becomes an Explanation."""

    values: np.ndarray
    base_values: np.ndarray
    feature_names: tuple[str, ...]
    data: np.ndarray | None
    output_space: str
    stderr: np.ndarray | None = None
    budget_used: int | None = None


class Explainer(ABC):
    """Base class of every explainer.

    Subclasses set :attr:`method`, store settings in ``__init__`` (keyword-only after the model), learn in
    :meth:`fit` (attributes ending in ``_``) and compute in :meth:`_attribute`.

    Parameters
    ----------
    model : model object or ModelAdapter
        Anything :func:`explicable.wrap` takes.
    """

    method: ClassVar[str]

    def __init__(self, model: Any) -> None:
        self.model = wrap(model)

    def get_params(self) -> dict[str, Any]:
        """The settings, JSON-ready, as recorded in provenance."""
        return {}

    @abstractmethod
    def fit(self, background: Any = None) -> Self:
        """Learn what the method needs from ``background`` (reference rows); returns self."""

    @abstractmethod
    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        """Attributions for the validated rows ``table``."""

    def explain(self, X: Any, *, target: Any = None) -> Explanation:
        """Explain the rows of ``X``.

        Parameters
        ----------
        X : array of shape (n_rows, n_features) or DataFrame
        target : int, str or list, optional
            Keep only these outputs (names or positions); all outputs by default.

        Returns
        -------
        Explanation
        """
        if not hasattr(self, "fingerprint_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit(background) first.",
                                 parameter="fit")
        start = time.perf_counter()
        table = self.model.check_data(X)
        model = self.model
        if model.schema is None and isinstance(X, pd.DataFrame):
            model = model.with_schema(table.schema)
        result = self._attribute(model, table)
        exp = Explanation(
            values=result.values, base_values=result.base_values, feature_names=result.feature_names,
            output_names=model.output_names, data=result.data, stderr=result.stderr,
            provenance=Provenance(
                method=self.method, parameters=self.get_params(), random_state=getattr(self, "seed_", None),
                budget_used=result.budget_used, elapsed_seconds=time.perf_counter() - start,
                model_fingerprint=self.fingerprint_, data_fingerprint=digest_array(table.values),
                library_version=__version__, output_space=result.output_space,
            ),
        )
        return exp if target is None else exp.select(outputs=target)
