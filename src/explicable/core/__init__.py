"""Core: the Explanation type, errors, validation, randomness, the method registry and fingerprints."""

from explicable.core.errors import (
    BudgetExceededError,
    ExplicableError,
    InvalidDataError,
    InvalidParameterError,
    MethodNotAvailableError,
    ModelFileError,
    ModelOutputError,
    NotFittedError,
    UnsafeModelError,
    UnsupportedModelError,
)
from explicable.core.explanation import Explanation
from explicable.core.provenance import Provenance

__all__ = [
    "BudgetExceededError",
    "ExplicableError",
    "Explanation",
    "InvalidDataError",
    "InvalidParameterError",
    "MethodNotAvailableError",
    "ModelFileError",
    "ModelOutputError",
    "NotFittedError",
    "Provenance",
    "UnsafeModelError",
    "UnsupportedModelError",
]
