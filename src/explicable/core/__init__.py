"""Core: the Explanation type, errors, validation, randomness, the method registry and fingerprints."""

from explicable.core.effects import DependenceData, FeatureEffect
from explicable.core.errors import (
    BudgetExceededError,
    ExplicableError,
    InvalidDataError,
    InvalidParameterError,
    LowFidelityWarning,
    MethodNotAvailableError,
    ModelFileError,
    ModelOutputError,
    NotFittedError,
    UnsafeModelError,
    UnsupportedModelError,
)
from explicable.core.explanation import Explanation
from explicable.core.importance import FeatureImportance
from explicable.core.provenance import Provenance

__all__ = [
    "BudgetExceededError",
    "DependenceData",
    "ExplicableError",
    "Explanation",
    "FeatureEffect",
    "FeatureImportance",
    "InvalidDataError",
    "InvalidParameterError",
    "LowFidelityWarning",
    "MethodNotAvailableError",
    "ModelFileError",
    "ModelOutputError",
    "NotFittedError",
    "Provenance",
    "UnsafeModelError",
    "UnsupportedModelError",
]
