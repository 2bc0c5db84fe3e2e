"""Feature groups: report attributions of derived columns (one-hot, splines, ...) per original feature.

Shapley values are additive over players, so the attribution of a group of columns that together encode
one original feature is the sum of theirs (the group then acts as one player only approximately for
sampled estimators, exactly for the exact methods this module is used with).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from explicable.core.errors import InvalidParameterError

__all__ = ["group_data", "group_matrix", "normalize_groups"]


def normalize_groups(
    groups: Mapping[str, Sequence[str]], feature_names: Sequence[str]
) -> list[tuple[str, list[int]]]:
    """Validate ``groups`` and return ``(name, member positions)`` in output order.

    Every feature ends up in exactly one output column: features named in no group stay on their own.
    Output order follows the first member of each group in ``feature_names``.
    """
    if not isinstance(groups, Mapping):
        raise InvalidParameterError(parameter="groups", expected="a mapping of group name to member features",
                                    got=groups)
    position = {name: j for j, name in enumerate(feature_names)}
    owner: dict[int, str] = {}
    for group, members in groups.items():
        if isinstance(members, str) or not isinstance(members, Sequence) or len(members) == 0:
            raise InvalidParameterError(parameter=f"groups[{group!r}]", expected="a non-empty list of feature names",
                                        got=members)
        for member in members:
            if member not in position:
                raise InvalidParameterError(parameter=f"groups[{group!r}]", expected="names of existing features",
                                            got=member)
            j = position[member]
            if j in owner:
                raise InvalidParameterError(
                    parameter=f"groups[{group!r}]", expected=f"features in one group only ('{member}' is also in "
                    f"group '{owner[j]}')", got=member)
            owner[j] = str(group)
    ungrouped = {name for j, name in enumerate(feature_names) if j not in owner}
    clash = sorted(ungrouped & {str(g) for g in groups})
    if clash:
        raise InvalidParameterError(parameter="groups", expected="group names distinct from ungrouped features",
                                    got=clash[0])
    out: list[tuple[str, list[int]]] = []
    seen: dict[str, int] = {}
    for j, name in enumerate(feature_names):
        label = owner.get(j, name)
        if label in seen:
            out[seen[label]][1].append(j)
        else:
            seen[label] = len(out)
            out.append((label, [j]))
    return out


def group_matrix(layout: Sequence[tuple[str, Sequence[int]]], n_features: int) -> np.ndarray:
    """The (n_features, n_groups) 0/1 matrix that sums member columns into their group."""
    matrix = np.zeros((n_features, len(layout)))
    for g, (_, members) in enumerate(layout):
        matrix[list(members), g] = 1.0
    return matrix


def group_data(data: np.ndarray, layout: Sequence[tuple[str, Sequence[int]]]) -> np.ndarray:
    """Data per group: a member's value for a one-feature group, the tuple of members' values otherwise."""
    out = np.empty((data.shape[0], len(layout)), dtype=object)
    for g, (_, members) in enumerate(layout):
        if len(members) == 1:
            out[:, g] = data[:, members[0]]
        else:
            for i in range(data.shape[0]):
                out[i, g] = tuple(data[i, j] for j in members)
    return out
