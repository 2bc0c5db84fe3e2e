"""Bring attributions over a pipeline's derived columns back to the original features.

Exact Shapley values are additive over players, so a feature's attribution is the sum over the columns
derived from it alone. Columns derived from several features jointly form one joint feature named
``"a+b"``. Original features the pipeline drops get exactly zero (the model does not depend on them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.groups import group_data, group_matrix
from explicable.core.validation import Table
from explicable.models.base import Decomposition

__all__ = ["to_original_features"]


def to_original_features(values: np.ndarray, d: Decomposition, table: Table, Z: Any
                         ) -> tuple[np.ndarray, tuple[str, ...], np.ndarray | None]:
    """Map derived-space ``values`` (n, d, k) to ``(values (n, g, k), feature names, data)``.

    Without a known mapping the explanation stays in the derived space, with the derived data as ``data``.
    """
    if d.groups is None:
        derived = Z.toarray() if hasattr(Z, "toarray") else np.asarray(Z)
        data = derived if derived.shape == values.shape[:2] else None
        return values, d.derived_names, data
    columns = list(table.columns)
    derived_pos = {name: j for j, name in enumerate(d.derived_names)}
    key_of = {name: key for key in d.groups for name in key}
    keys: list[tuple[str, ...]] = []  # output features in original order; dropped features keep a zero column
    for name in columns:
        key = key_of.get(name, (name,))
        if key not in keys:
            keys.append(key)
    labels = ["+".join(key) for key in keys]
    members = [[columns.index(p) for p in key] for key in keys]
    derived_layout = [(label, [derived_pos[name] for name in d.groups.get(key, [])])
                      for label, key in zip(labels, keys, strict=True)]
    matrix = group_matrix(derived_layout, len(d.derived_names))
    grouped = np.einsum("ndk,dg->ngk", values, matrix)
    data = group_data(table.values, list(zip(labels, members, strict=True)))
    if table.values.dtype != object and all(len(m) == 1 for m in members):
        data = data.astype("float64")
    return grouped, tuple(labels), data
