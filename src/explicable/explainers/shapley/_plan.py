"""Which coalitions the kernel estimator evaluates: a stratified, paired, without-replacement plan.

Coalition sizes are strata. A size level whose every coalition fits in its share of the budget is enumerated
and weighted exactly; the other levels get a fixed number of distinct coalitions, drawn uniformly within the
level and always with their complement (paired, antithetic sampling). A sampled coalition of size ``s`` then
stands for ``1 / n_s`` of its level's total kernel weight (a stratified Horvitz-Thompson weight), so the
estimator's normal equations are unbiased level by level.

How the budget is shared between levels is the size distribution: ``"shapley"`` gives level ``s`` a share
proportional to its Shapley-kernel mass ``1 / (s (p - s))`` (as KernelSHAP samples), ``"leverage"`` gives
every level the same share (the leverage scores of the Shapley regression, Musco & Witter, ICLR 2025).

Sampled pairs are interleaved across levels so every prefix of the plan is itself nearly stratified (rounds
of early stopping take prefixes), and dealt into groups for the delete-a-group jackknife error estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from explicable.core.validation import check_choice

__all__ = ["SIZE_WEIGHTS", "SamplingPlan", "kernel_weight", "level_mass", "make_plan"]

SIZE_WEIGHTS = ("leverage", "shapley")


def level_mass(p: int, s: int) -> float:
    """Total Shapley-kernel weight of all coalitions of size ``s`` among ``p`` players: ``(p-1)/(s(p-s))``."""
    return (p - 1) / (s * (p - s))


def kernel_weight(p: int, s: int) -> float:
    """Shapley-kernel weight of one coalition of size ``s`` (0 < s < p)."""
    return level_mass(p, s) / comb(p, s)


@dataclass(frozen=True)
class SamplingPlan:
    """The coalitions to evaluate.

    Attributes
    ----------
    enumerated : bool array (c_e, p)
        Every coalition of the enumerated sizes.
    enumerated_weights : array (c_e,)
        Their exact kernel weights.
    sampled : bool array (c_s, p)
        Sampled coalitions in plan order; a coalition and its complement are adjacent.
    sampled_groups : int array (c_s,)
        Jackknife group of each sampled coalition (a pair shares its group).
    n_groups : int
    """

    enumerated: np.ndarray
    enumerated_weights: np.ndarray
    sampled: np.ndarray
    sampled_groups: np.ndarray
    n_groups: int

    @property
    def size(self) -> int:
        return len(self.enumerated) + len(self.sampled)


def _pair_levels(p: int) -> list[int]:
    return list(range(1, p // 2 + 1))  # level s stands for sizes s and p - s


def _level_count(p: int, s: int) -> int:
    return comb(p, s) * (1 if 2 * s == p else 2)


def _share(p: int, s: int, size_weights: str) -> float:
    per_size = (lambda t: level_mass(p, t)) if size_weights == "shapley" else (lambda t: 1.0)
    return per_size(s) if 2 * s == p else per_size(s) + per_size(p - s)


def _enumerate_levels(p: int, budget: int, size_weights: str) -> tuple[list[int], list[int], int]:
    """Split pair-levels into enumerated and sampled; returns (enumerated, sampled, budget left)."""
    remaining = sorted(_pair_levels(p), key=lambda s: _level_count(p, s))
    enumerated: list[int] = []
    left = budget
    while remaining:
        if sum(_level_count(p, t) for t in remaining) <= left:  # everything left fits: enumerate it all
            enumerated += remaining
            left -= sum(_level_count(p, t) for t in remaining)
            return enumerated, [], left
        total = sum(_share(p, s, size_weights) for s in remaining)
        s = remaining[0]
        if _level_count(p, s) > left * _share(p, s, size_weights) / total:
            break
        enumerated.append(s)
        left -= _level_count(p, s)
        remaining.pop(0)
    return enumerated, remaining, left


def _all_of_size(p: int, s: int) -> np.ndarray:
    """Every coalition of size ``s``, built directly (never from all 2^p masks: p may be large)."""
    members = np.array(list(combinations(range(p), s)), dtype=np.int64).reshape(-1, s)
    rows = np.zeros((len(members), p), dtype=bool)
    np.put_along_axis(rows, members, True, axis=1)
    return rows


def _distinct_subsets(p: int, s: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct subsets of size ``s`` (as bool rows); for s = p/2 distinct up to complement."""
    found: dict[bytes, np.ndarray] = {}
    while len(found) < n:
        need = n - len(found)
        picks = np.argsort(rng.random((need + need // 4 + 4, p)), axis=1)[:, :s]
        rows = np.zeros((len(picks), p), dtype=bool)
        np.put_along_axis(rows, picks, True, axis=1)
        for row in rows:
            canonical = row if (2 * s != p or row[0]) else ~row
            found.setdefault(np.packbits(canonical).tobytes(), canonical)
            if len(found) == n:
                break
    return np.array(list(found.values()))


def _allocate(p: int, levels: list[int], pairs: int, size_weights: str) -> dict[int, int]:
    """Pairs per sampled level, proportional to its share (largest remainder), capped at what exists."""
    shares = np.array([_share(p, s, size_weights) for s in levels])
    exact = pairs * shares / shares.sum()
    counts = np.floor(exact).astype(int)
    for j in np.argsort(-(exact - counts), kind="stable")[: pairs - counts.sum()]:
        counts[j] += 1
    return {s: min(int(c), _level_count(p, s) // 2) for s, c in zip(levels, counts, strict=True)}


def make_plan(p: int, budget: int, rng: np.random.Generator, *, size_weights: str = "leverage",
              n_groups: int = 8) -> SamplingPlan:
    """The sampling plan for ``p`` players and ``budget`` coalitions (besides the empty and full ones).

    Parameters
    ----------
    p : int
        Players (>= 2).
    budget : int
        Coalitions to spend on sizes 1..p-1.
    rng : numpy Generator
    size_weights : {"leverage", "shapley"}
    n_groups : int
        Jackknife groups for the sampled pairs.
    """
    check_choice(size_weights, "size_weights", SIZE_WEIGHTS)
    enumerated, sampled_levels, left = _enumerate_levels(p, budget, size_weights)
    enum_rows = [_all_of_size(p, t) for s in enumerated for t in sorted({s, p - s})]
    enum = np.concatenate(enum_rows) if enum_rows else np.zeros((0, p), dtype=bool)
    enum_w = np.array([kernel_weight(p, int(k)) for k in enum.sum(axis=1)])
    allocation = _allocate(p, sampled_levels, left // 2, size_weights) if sampled_levels else {}
    keys, pairs = [], []
    for s, n in allocation.items():
        subsets = _distinct_subsets(p, s, n, rng)
        keys.append((np.arange(n) + rng.random(n)) / max(n, 1))  # stratified interleaving across levels
        pairs.append(subsets)
    if pairs:
        order = np.argsort(np.concatenate(keys), kind="stable")
        first = np.concatenate(pairs)[order]
        sampled = np.empty((2 * len(first), p), dtype=bool)
        sampled[0::2], sampled[1::2] = first, ~first
        groups = np.repeat(np.arange(len(first)) % n_groups, 2)
    else:
        sampled, groups = np.zeros((0, p), dtype=bool), np.zeros(0, dtype=np.int64)
    return SamplingPlan(enum, enum_w, sampled, groups, n_groups)
