"""Explicit randomness: every sampled method takes a seed, makes its generator here and records the seed."""

from __future__ import annotations

import numpy as np

from explicable.core.validation import check_random_state

__all__ = ["make_rng"]


def make_rng(random_state: int | None) -> tuple[np.random.Generator, int]:
    """A generator and the seed it was made from (a fresh seed is drawn, and returned, when None).

    Returning the seed lets provenance record it, so even an unseeded run can be replayed exactly.
    """
    seed = check_random_state(random_state)
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    return np.random.default_rng(seed), seed
