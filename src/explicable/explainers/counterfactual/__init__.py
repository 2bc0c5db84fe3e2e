"""Counterfactual explanations: what would have to change for the model to decide otherwise.

:class:`Counterfactuals` searches, for any model adapter, ``k`` diverse counterfactuals that respect
immutable features, monotone directions, ranges, allowed values and per-feature costs, and reports their
validity, proximity, sparsity and plausibility (:class:`CounterfactualSet`, :class:`CounterfactualResult`).
"""

from explicable.explainers.counterfactual._explainer import Counterfactuals
from explicable.explainers.counterfactual._result import CounterfactualResult, CounterfactualSet

__all__ = ["CounterfactualResult", "CounterfactualSet", "Counterfactuals"]
