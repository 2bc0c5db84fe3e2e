"""Model adapters: anything -> ``predict(X) -> (n, k) float64``, and safe loading of model files."""

from explicable.models.base import Decomposition, Differentiable, LinearTerms, ModelAdapter, TreeContributions
from explicable.models.function import FunctionModel
from explicable.models.loading import load_model
from explicable.models.torch import TorchAdapter
from explicable.models.transformers import TextClassifier
from explicable.models.wrap import SUPPORTED, wrap

__all__ = [
    "SUPPORTED",
    "Decomposition",
    "Differentiable",
    "FunctionModel",
    "LinearTerms",
    "ModelAdapter",
    "TextClassifier",
    "TorchAdapter",
    "TreeContributions",
    "load_model",
    "wrap",
]
