"""Surrogate explanations: local (LIME) and global (a glassbox model distilled from the black box)."""

# LIME (local surrogates): imports below this line
from explicable.explainers.surrogate._lime import LimeTabular
from explicable.explainers.surrogate._lime_image import LimeImage
from explicable.explainers.surrogate._lime_text import LimeText

# global surrogates: imports below this line
# isort: split
from explicable.explainers.surrogate._global_surrogate import GlobalSurrogate, distill

__all__: list[str] = ["LimeImage", "LimeTabular", "LimeText"]
__all__ += ["GlobalSurrogate", "distill"]
