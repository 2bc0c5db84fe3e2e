"""Which original feature each output column of a fitted scikit-learn preprocessor comes from.

Walks the steps of a preprocessing Pipeline. A ColumnTransformer maps each transformer's output columns to
its input columns: one input -> all its outputs; several inputs -> by name (``city_Paris`` comes from
``city``, a scaled ``age`` from ``age``); otherwise the outputs depend on all the inputs jointly (PCA,
polynomial features). Any other step is read the same way through its ``get_feature_names_out``; a step
that can't name its outputs leaves the mapping unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["derive_groups", "derived_names"]

# Transformers that keep their input names but compute each output from the whole row.
_ROW_MIXING = ("Normalizer",)


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
    names = [str(n) for n in input_names]
    steps = [s for _, s in pre.steps] if isinstance(pre, Pipeline) else [pre]
    for step in steps:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        try:
            if isinstance(step, ColumnTransformer):
                mapped = _column_transformer(step, current)
            else:
                mapped = _step(step, current, names)
        except (AttributeError, ValueError, TypeError, KeyError, IndexError):  # a step that can't name its outputs
            return None
        if mapped is None:
            return None
        current, names = mapped
    return current if len(current) == n_out else None


def _step(step: Any, current: list[frozenset[int]], names: list[str]) -> tuple[list[frozenset[int]], list[str]]:
    try:
        outs = [str(n) for n in step.get_feature_names_out(names)]
    except ValueError:  # fitted on a frame with other column names: let the step name its inputs itself
        outs = [str(n) for n in step.get_feature_names_out()]
        names = [str(n) for n in getattr(step, "feature_names_in_", names)]
    positions = list(range(len(names)))
    sources = [positions for _ in outs] if type(step).__name__ in _ROW_MIXING else _match(outs, positions, names)
    return [frozenset().union(*(current[i] for i in src)) for src in sources], outs


def _column_transformer(ct: Any, current: list[frozenset[int]]) -> tuple[list[frozenset[int]], list[str]] | None:
    n_in = len(current)
    names_in = [str(c) for c in getattr(ct, "feature_names_in_", [f"x{j}" for j in range(n_in)])]
    out: dict[int, frozenset[int]] = {}
    all_names = [str(n) for n in ct.get_feature_names_out()]
    for name, trans, cols in ct.transformers_:
        if (isinstance(trans, str) and trans == "drop") or name not in ct.output_indices_:
            continue
        span = ct.output_indices_[name]
        inputs = _positions(cols, names_in)
        outs = [n.split("__", 1)[1] if n.startswith(f"{name}__") else n for n in all_names[span]]
        sources = [inputs for _ in outs] if type(trans).__name__ in _ROW_MIXING else _match(outs, inputs, names_in)
        for offset, src in enumerate(sources):
            out[span.start + offset] = frozenset().union(*(current[i] for i in src))
    total = len(all_names)
    return ([out[j] for j in range(total)], all_names) if len(out) == total else None


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
    """Each output's source inputs: the one it is named after (``city_Paris`` from ``city``), else all of them.

    Outputs not named after an input (``pca0``, ``age income``) are taken to depend on all the inputs jointly,
    even when there are as many as inputs: a rotation such as PCA keeps the count but mixes every column.
    """
    if len(inputs) == 1:
        return [list(inputs) for _ in outs]
    by_name: list[list[int]] = []
    for o in outs:
        hits = [i for i in inputs if o == names_in[i] or o.startswith(names_in[i] + "_")]
        if not hits:
            return [list(inputs) for _ in outs]
        by_name.append([max(hits, key=lambda i: len(names_in[i]))])
    return by_name
