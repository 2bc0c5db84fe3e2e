"""Shapley-value explainers: exact native TreeSHAP and exact linear attributions."""

from explicable.explainers.shapley._linear import LinearShap
from explicable.explainers.shapley._tree import TreeShap

__all__ = ["LinearShap", "TreeShap"]
