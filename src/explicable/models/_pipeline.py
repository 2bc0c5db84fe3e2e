"""Which original feature each output column of a fitted scikit-learn preprocessor comes from.

Walks the steps of a preprocessing Pipeline. A ColumnTransformer maps each transformer's output columns to
its input columns: one input -> all its outputs; several inputs -> by name (``city_Paris`` comes from
``city``) or, failing that, by position when the counts agree; otherwise the outputs depend on all the
inputs jointly. Any other step must keep the number of columns (scalers, imputers) or the mapping is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["derive_groups", "derived_names"]


def derived_names(pre: Any, n_out: int) -> tuple[str, ...]:
    """The preprocessor's output column names (``z0, z1, ...`` when it cannot say)."""
    try:
        names = [str(n) for n in pre.get_feature_names_out()]
    except (AttributeError, ValueError, TypeError):
        names = []
    return tuple(names) if len(names) == n_out else tuple(f"z{j}" for j in range(n_out))


def derive_groups(pre: Any, input_names: Sequence[str], n_out: int) -> list[frozenset[int]] | None:
    """For each output column of ``pre``, the set of original input positions it derives from.

    Returns None when the mapping can't be established.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    current = [frozenset([j]) for j in range(len(input_names))]
    steps = [s for _, s in pre.steps] if isinstance(pre, Pipeline) else [pre]
    for step in steps:
        if step is None or step == "passthrough":
            continue
        if isinstance(step, ColumnTransformer):
            mapped = _column_transformer(step, current)
            if mapped is None:
                return None
            current = mapped
            continue
        try:
            width = len(step.get_feature_names_out())
        except (AttributeError, ValueError, TypeError):
            return None
        if width != len(current):
            return None
    return current if len(current) == n_out else None


def _column_transformer(ct: Any, current: list[frozenset[int]]) -> list[frozenset[int]] | None:
    n_in = len(current)
    names_in = [str(c) for c in getattr(ct, "feature_names_in_", [f"x{j}" for j in range(n_in)])]
    out: dict[int, frozenset[int]] = {}
    all_names = [str(n) for n in ct.get_feature_names_out()]
    for name, trans, cols in ct.transformers_:
        if trans == "drop" or name not in ct.output_indices_:
            continue
        span = ct.output_indices_[name]
        inputs = _positions(cols, names_in)
        outs = [n.split("__", 1)[1] if n.startswith(f"{name}__") else n for n in all_names[span]]
        sources = _match(outs, inputs, names_in)
        for offset, src in enumerate(sources):
            out[span.start + offset] = frozenset().union(*(current[i] for i in src))
    total = len(all_names)
    return [out[j] for j in range(total)] if len(out) == total else None


def _positions(cols: Any, names_in: Sequence[str]) -> list[int]:
    arr = np.asarray(cols) if not isinstance(cols, slice) else None
    if isinstance(cols, slice):
        return list(range(len(names_in)))[cols]
    if isinstance(cols, str):
        return [list(names_in).index(cols)]
    if arr is not None and arr.dtype == bool:
        return [int(i) for i in np.flatnonzero(arr)]
    if arr is not None and arr.ndim == 0:
        return [int(arr)] if arr.dtype.kind in "iu" else [list(names_in).index(str(arr))]
    return [int(c) if not isinstance(c, str) else list(names_in).index(c) for c in list(cols)]


def _match(outs: Sequence[str], inputs: Sequence[int], names_in: Sequence[str]) -> list[list[int]]:
    if len(inputs) == 1:
        return [list(inputs) for _ in outs]
    by_name: list[list[int]] = []
    for o in outs:
        hits = [i for i in inputs if o == names_in[i] or o.startswith(names_in[i] + "_")]
        if not hits:
            break
        by_name.append([max(hits, key=lambda i: len(names_in[i]))])
    if len(by_name) == len(outs):
        return by_name
    if len(outs) == len(inputs):
        return [[i] for i in inputs]
    return [list(inputs) for _ in outs]
