"""Concept-based explanations: does a human concept, given by example images, drive a model's output?"""

from explicable.explainers.concepts._result import TCAVResult
from explicable.explainers.concepts._tcav import TCAV

__all__ = ["TCAV", "TCAVResult"]
