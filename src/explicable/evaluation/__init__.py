"""Checks of explanations themselves: today, whether a top-k ranking is statistically stable."""

from explicable.evaluation.ranking import TopKStability, top_k_stable

__all__ = ["TopKStability", "top_k_stable"]
