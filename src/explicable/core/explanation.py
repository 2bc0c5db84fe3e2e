"""The one result type: attributions with fixed axes (rows, features, outputs), errors and provenance."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from explicable.core._arrays import readonly_float
from explicable.core._html import explanation_html
from explicable.core._index import axis_positions
from explicable.core._serialize import decode_array, encode_array
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.groups import group_data, group_matrix, normalize_groups
from explicable.core.provenance import Provenance

__all__ = ["SCHEMA", "Explanation"]

#: Identifier and version of the serialised form; bumped on any incompatible change.
SCHEMA = "explicable.explanation/1"


@dataclass(frozen=True, eq=False)
class Explanation:
    """Attributions of a model's outputs to its input features, for a set of rows.

    Every array keeps all three axes, whatever was selected: ``values[i, j, k]`` is the attribution of
    feature ``j`` to output ``k`` for row ``i``, and ``values.sum(axis=1) + base_values`` reconstructs the
    model's output in ``provenance.output_space`` for the additive methods.

    Parameters
    ----------
    values : array of shape (n_rows, n_features, n_outputs)
        Attributions. 2-D input is refused rather than guessed.
    base_values : array of shape (n_rows, n_outputs)
        The reference output the attributions are measured from.
    feature_names : sequence of str, length n_features
    output_names : sequence of str, length n_outputs
    data : array of shape (n_rows, n_features), optional
        The explained rows' feature values, as given (numbers or objects).
    stderr : array like ``values``, optional
        Standard error of each sampled attribution; None for exact methods.
    provenance : Provenance
        How the explanation was made.

    Examples
    --------
    >>> import numpy as np
    >>> exp = Explanation(np.ones((2, 3, 1)), np.zeros((2, 1)), ["a", "b", "c"], ["y"])
    >>> exp["b"].values.shape
    (2, 1, 1)
    >>> exp[0, :, "y"].shape
    (1, 3, 1)
    """

    values: np.ndarray
    base_values: np.ndarray
    feature_names: tuple[str, ...]
    output_names: tuple[str, ...]
    data: np.ndarray | None = None
    stderr: np.ndarray | None = None
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        values = readonly_float(self.values, "values", ndim=3)
        n, m, k = values.shape
        base = readonly_float(self.base_values, "base_values", ndim=2)
        if base.shape != (n, k):
            raise InvalidDataError(parameter="base_values", expected=f"shape {(n, k)}", got=base)
        features = _names(self.feature_names, "feature_names", m)
        outputs = _names(self.output_names, "output_names", k)
        stderr = None if self.stderr is None else readonly_float(self.stderr, "stderr", ndim=3)
        if stderr is not None and stderr.shape != values.shape:
            raise InvalidDataError(parameter="stderr", expected=f"shape {values.shape} like values", got=stderr)
        data = None if self.data is None else np.array(self.data, dtype=_data_dtype(self.data))
        if data is not None and data.shape != (n, m):
            raise InvalidDataError(parameter="data", expected=f"shape {(n, m)}", got=data)
        if not isinstance(self.provenance, Provenance):
            raise InvalidParameterError(parameter="provenance", expected="a Provenance", got=self.provenance)
        for name, arr in (("values", values), ("base_values", base), ("data", data), ("stderr", stderr)):
            if arr is not None:
                arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "feature_names", features)
        object.__setattr__(self, "output_names", outputs)

    # ---- shape and derived quantities -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int]:
        """(n_rows, n_features, n_outputs)."""
        n, m, k = self.values.shape
        return int(n), int(m), int(k)

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def output_totals(self) -> np.ndarray:
        """``base_values + values.sum(axis=1)``, shape (n_rows, n_outputs): the output the attributions add to."""
        return self.base_values + self.values.sum(axis=1)

    # ---- selection --------------------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Explanation:
        """Select rows, features and outputs; never drops an axis.

        ``exp[rows]``, ``exp[rows, features]``, ``exp[rows, features, outputs]``. Each part is an int, a
        name, a slice, a list of ints or names, or a boolean mask. A lone name (or list of names) selects
        features, or outputs if it names outputs only.
        """
        if isinstance(key, tuple):
            if len(key) > 3:
                raise InvalidParameterError(parameter="key", expected="at most 3 parts (rows, features, outputs)",
                                            got=key)
            return self.select(*key)
        if _is_names(key):
            names = [key] if isinstance(key, str) else list(key)
            if all(n in self.output_names for n in names) and not any(n in self.feature_names for n in names):
                return self.select(outputs=key)
            return self.select(features=key)
        return self.select(rows=key)

    def select(self, rows: Any = slice(None), features: Any = slice(None), outputs: Any = slice(None)) -> Explanation:
        """Keyword form of indexing: ``exp.select(features=["age"], outputs="bad")``."""
        n, m, k = self.shape
        r = axis_positions(rows, "rows", n, None)
        f = axis_positions(features, "features", m, self.feature_names)
        o = axis_positions(outputs, "outputs", k, self.output_names)
        cube = np.ix_(r, f, o)
        return replace(
            self,
            values=self.values[cube],
            base_values=self.base_values[np.ix_(r, o)],
            feature_names=tuple(self.feature_names[j] for j in f),
            output_names=tuple(self.output_names[j] for j in o),
            data=None if self.data is None else self.data[np.ix_(r, f)],
            stderr=None if self.stderr is None else self.stderr[cube],
        )

    def group(self, groups: Mapping[str, Sequence[str]], *, data: Any = None) -> Explanation:
        """Sum the attributions of derived features into their original feature.

        Parameters
        ----------
        groups : mapping of str to list of str
            Group name -> member feature names. Features in no group stay as they are.
        data : array of shape (n_rows, n_groups), optional
            The grouped features' values (typically the original, un-encoded columns). Without it, a group's
            data cell is the tuple of its members' values.

        Notes
        -----
        The stderr of a group is the sum of its members' stderr: an upper bound on the standard error of
        the sum whatever the estimates' correlation.
        """
        layout = normalize_groups(groups, self.feature_names)
        matrix = group_matrix(layout, self.shape[1])
        values = np.einsum("nmk,mg->ngk", self.values, matrix)
        stderr = None if self.stderr is None else np.einsum("nmk,mg->ngk", self.stderr, matrix)
        if data is None and self.data is not None:
            data = group_data(self.data, layout)
        elif data is not None:
            data = np.asarray(pd.DataFrame(data).to_numpy(dtype=object) if isinstance(data, pd.DataFrame) else data)
        return replace(self, values=values, stderr=stderr, data=data,
                       feature_names=tuple(name for name, _ in layout))

    # ---- conversion ---------------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Tidy frame with columns row, feature, output, value, stderr (NaN when there is none)."""
        n, m, k = self.shape
        rows, feats, outs = np.meshgrid(np.arange(n), np.arange(m), np.arange(k), indexing="ij")
        stderr = np.full(self.values.size, np.nan) if self.stderr is None else self.stderr.reshape(-1)
        return pd.DataFrame({
            "row": rows.reshape(-1),
            "feature": np.asarray(self.feature_names, dtype=object)[feats.reshape(-1)],
            "output": np.asarray(self.output_names, dtype=object)[outs.reshape(-1)],
            "value": self.values.reshape(-1),
            "stderr": stderr,
        })

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` restores an identical Explanation."""
        return {
            "schema": SCHEMA,
            "feature_names": list(self.feature_names),
            "output_names": list(self.output_names),
            "values": encode_array(self.values),
            "base_values": encode_array(self.base_values),
            "stderr": encode_array(self.stderr),
            "data": encode_array(self.data),
            "provenance": self.provenance.to_dict(),
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Explanation:
        """Rebuild an Explanation from :meth:`to_dict` output, checking the schema version."""
        if not isinstance(obj, Mapping) or obj.get("schema") != SCHEMA:
            got = obj.get("schema") if isinstance(obj, Mapping) else obj
            raise InvalidDataError(parameter="schema", expected=f"'{SCHEMA}'", got=got)
        return cls(
            values=decode_array(obj["values"], "values"),  # type: ignore[arg-type]
            base_values=decode_array(obj["base_values"], "base_values"),  # type: ignore[arg-type]
            feature_names=tuple(obj["feature_names"]),
            output_names=tuple(obj["output_names"]),
            data=decode_array(obj.get("data"), "data"),
            stderr=decode_array(obj.get("stderr"), "stderr"),
            provenance=Provenance.from_dict(obj.get("provenance", {})),
        )

    def to_json(self, path: str | Path | None = None, *, indent: int | None = None) -> str:
        """Serialise to standard JSON (written to ``path`` too when given)."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        """Inverse of :meth:`to_json` (pass the JSON text; read files with ``Path.read_text``)."""
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidDataError(parameter="text", expected="JSON of an Explanation", got=f"invalid JSON ({exc})")\
                from None
        return cls.from_dict(obj)

    def __eq__(self, other: object) -> bool:
        """Exact equality of every array (NaN equal to NaN), name and provenance field."""
        if not isinstance(other, Explanation):
            return NotImplemented
        return (
            self.feature_names == other.feature_names
            and self.output_names == other.output_names
            and self.provenance == other.provenance
            and all(_same(a, b) for a, b in ((self.values, other.values), (self.base_values, other.base_values),
                                             (self.stderr, other.stderr), (self.data, other.data)))
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        n, m, k = self.shape
        return (f"Explanation(rows={n}, features={m}, outputs={k}, method={self.provenance.method!r}, "
                f"output_space={self.provenance.output_space!r}, stderr={'yes' if self.stderr is not None else 'no'})")

    def _repr_html_(self) -> str:
        return explanation_html(self)


def _names(value: Any, name: str, size: int) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (Sequence, np.ndarray)):
        raise InvalidDataError(parameter=name, expected=f"a sequence of {size} names", got=value)
    names = tuple(str(v) for v in value)
    if len(names) != size:
        raise InvalidDataError(parameter=name, expected=f"{size} names", got=f"{len(names)} names")
    if len(set(names)) != size:
        raise InvalidDataError(parameter=name, expected="unique names", got=names)
    return names


def _data_dtype(data: Any) -> Any:
    arr = np.asarray(data.to_numpy(dtype=object) if isinstance(data, pd.DataFrame) else data)
    return "float64" if arr.dtype.kind in "biuf" else object


def _is_names(key: Any) -> bool:
    if isinstance(key, str):
        return True
    return isinstance(key, (list, tuple)) and len(key) > 0 and all(isinstance(k, str) for k in key)


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype == object:
        return bool(all(x == y or (x != x and y != y) for x, y in zip(a.reshape(-1), b.reshape(-1), strict=True)))
    return bool(np.array_equal(a, b, equal_nan=True))
