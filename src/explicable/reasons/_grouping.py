"""Merge one-hot and other derived columns into the feature an applicant knows.

A denial must cite "Status of checking account", not "onehot__status_A11". Attributions are additive, so
a group's attribution is the sum of its columns' (:meth:`Explanation.group`); its value, for a one-hot
group, is the category whose column is set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.groups import normalize_groups

__all__ = ["merge_groups", "prefix_groups"]


def prefix_groups(feature_names: Sequence[str], columns: Sequence[str]) -> dict[str, list[str]]:
    """Group derived feature names under the original ``columns`` they start with.

    A derived name belongs to column ``c`` when, after any ``transformer__`` prefix (scikit-learn's
    ``get_feature_names_out``), it is ``c`` or starts with ``c_``; the longest such ``c`` wins (so
    ``credit_amount`` is not taken by ``credit``).

    >>> prefix_groups(["onehot__status_A11", "onehot__status_A12", "remainder__age"], ["status", "age"])
    {'status': ['onehot__status_A11', 'onehot__status_A12'], 'age': ['remainder__age']}
    """
    out: dict[str, list[str]] = {}
    ordered = sorted({str(c) for c in columns}, key=len, reverse=True)
    for name in feature_names:
        bare = name.split("__", 1)[1] if "__" in name else name
        owner = next((c for c in ordered if bare == c or bare.startswith(c + "_")), None)
        if owner is not None:
            out.setdefault(owner, []).append(name)
    # A column whose only member is itself under its own name needs no group.
    return {c: members for c, members in out.items() if members != [c]}


def merge_groups(explanation: Explanation, groups: Mapping[str, Sequence[str]] | Sequence[str] | None
                 ) -> Explanation:
    """The explanation with each group of derived columns summed into one feature.

    Parameters
    ----------
    explanation : Explanation
    groups : mapping of str to list of str, sequence of str, or None
        Group name -> member features; or the original column names, matched by :func:`prefix_groups`;
        None leaves the explanation as it is.
    """
    if groups is None:
        return explanation
    if isinstance(groups, str):
        raise InvalidParameterError(parameter="groups", expected="a mapping of group to members or a list of "
                                    "original column names", got=groups)
    layout_groups = groups if isinstance(groups, Mapping) else prefix_groups(explanation.feature_names, groups)
    if not layout_groups:
        return explanation
    layout = normalize_groups(layout_groups, explanation.feature_names)
    data = None if explanation.data is None else _group_values(explanation, layout)
    return explanation.group(layout_groups, data=data)


def _group_values(explanation: Explanation, layout: list[tuple[str, list[int]]]) -> np.ndarray:
    """Per group: a lone member's value; the set category of a one-hot group; else the members' values."""
    data = np.asarray(explanation.data)
    out = np.empty((data.shape[0], len(layout)), dtype=object)
    for g, (name, members) in enumerate(layout):
        for i in range(data.shape[0]):
            cells = [data[i, j] for j in members]
            out[i, g] = cells[0] if len(members) == 1 else _category(name, [explanation.feature_names[j]
                                                                            for j in members], cells)
    return out


def _category(group: str, names: list[str], cells: list[Any]) -> Any:
    numeric = all(isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, bool) for c in cells)
    if not numeric or sorted(float(c) for c in cells) != [0.0] * (len(cells) - 1) + [1.0]:
        return tuple(cells)
    active = names[[float(c) for c in cells].index(1.0)]
    bare = active.split("__", 1)[1] if "__" in active else active
    return bare[len(group) + 1:] if bare.startswith(group + "_") else bare
