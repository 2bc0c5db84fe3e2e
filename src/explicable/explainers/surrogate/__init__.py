"""Surrogate explanations: local (LIME) and global (a glassbox model distilled from the black box)."""

# LIME (local surrogates): imports below this line

# global surrogates: imports below this line

__all__: list[str] = []
