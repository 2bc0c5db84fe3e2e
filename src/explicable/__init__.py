"""explicable: explain any model's decisions, with an honest error bar and an audit trail.

>>> import numpy as np, explicable
>>> model = explicable.FunctionModel(lambda X: X.sum(axis=1), feature_names=["a", "b"])
>>> model.predict(np.array([[1.0, 2.0]])).shape
(1, 1)
"""

from explicable._version import __version__
from explicable.core import (
    BudgetExceededError,
    DependenceData,
    Explanation,
    ExplicableError,
    FeatureEffect,
    FeatureImportance,
    InvalidDataError,
    InvalidParameterError,
    LowFidelityWarning,
    MethodNotAvailableError,
    ModelFileError,
    ModelOutputError,
    NotFittedError,
    Provenance,
    UnsafeModelError,
    UnsupportedModelError,
)
from explicable.evaluation import TopKStability, attention_report, top_k_stable
from explicable.explainers import (
    TCAV,
    Counterfactuals,
    GradCAM,
    IntegratedGradients,
    Occlusion,
    Saliency,
    SmoothGrad,
    TokenIntegratedGradients,
    TokenOcclusion,
    ale,
    attention_rollout,
    distill,
    explain,
    partial_dependence,
    permutation_importance,
    shapley_dependence,
    shapley_importance,
)
from explicable.models import FunctionModel, ModelAdapter, TextClassifier, TorchAdapter, load_model, wrap
from explicable.reasons import UnstableRankingError, reasons
from explicable.reporting import audit_report

__all__ = [
    "TCAV",
    "BudgetExceededError",
    "Counterfactuals",
    "DependenceData",
    "Explanation",
    "ExplicableError",
    "FeatureEffect",
    "FeatureImportance",
    "FunctionModel",
    "GradCAM",
    "IntegratedGradients",
    "InvalidDataError",
    "InvalidParameterError",
    "LowFidelityWarning",
    "MethodNotAvailableError",
    "ModelAdapter",
    "ModelFileError",
    "ModelOutputError",
    "NotFittedError",
    "Occlusion",
    "Provenance",
    "Saliency",
    "SmoothGrad",
    "TextClassifier",
    "TokenIntegratedGradients",
    "TokenOcclusion",
    "TopKStability",
    "TorchAdapter",
    "UnsafeModelError",
    "UnstableRankingError",
    "UnsupportedModelError",
    "__version__",
    "ale",
    "attention_report",
    "attention_rollout",
    "audit_report",
    "distill",
    "explain",
    "load_model",
    "partial_dependence",
    "permutation_importance",
    "reasons",
    "shapley_dependence",
    "shapley_importance",
    "top_k_stable",
    "wrap",
]
