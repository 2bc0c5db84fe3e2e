"""Feature effects over the whole model: partial dependence, ICE and ALE curves, and dependence data.

The axes are fixed by the request, never by the data: one feature gives a curve ``average`` of shape
(n_grid, n_outputs), two features a surface (n_grid_0, n_grid_1, n_outputs); ICE adds a leading rows axis.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from explicable.core._arrays import readonly_float
from explicable.core._serialize import decode_array, encode_array
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.importance import check_schema, load_json, same_array, unique_names
from explicable.core.provenance import Provenance

__all__ = ["DEPENDENCE_SCHEMA", "EFFECT_KINDS", "EFFECT_SCHEMA", "DependenceData", "FeatureEffect"]

EFFECT_SCHEMA = "explicable.effect/1"
DEPENDENCE_SCHEMA = "explicable.dependence/1"
#: "pdp": partial dependence (average only); "ice": individual curves and their average; "ale": accumulated
#: local effects (grid = bin edges).
EFFECT_KINDS = ("pdp", "ice", "ale")
_ARRAYS = ("average", "individual", "stderr", "counts")


@dataclass(frozen=True, eq=False)
class FeatureEffect:
    """The effect of one feature (a curve) or two (a surface) on the model's outputs.

    Parameters
    ----------
    kind : {"pdp", "ice", "ale"}
    features : sequence of 1 or 2 str
        The features varied; ``d = len(features)``.
    grid : sequence of d 1-D arrays
        The values each feature takes: PD/ICE grid points, or ALE bin edges. Numbers (float64) or, for
        categorical features, objects.
    average : array of shape (g_0, [g_1,] n_outputs)
        Partial dependence (the mean of the ICE curves), or the ALE main effect (d=1) or second-order effect
        (d=2), at the grid points.
    output_names : sequence of str, length n_outputs
    individual : array of shape (n_rows, g_0, [g_1,] n_outputs), optional
        ICE curves, one per row of the data (kind "ice" only).
    stderr : array like ``average``, optional
        Standard error of ``average``: over the rows for PD (the spread of the ICE curves), bootstrap over
        rows for ALE. None when not estimated.
    counts : array of shape (g_0 - 1, [g_1 - 1]), optional
        ALE only: the rows in each bin (d=1) or cell (d=2).
    centered : bool
        PD/ICE: whether the curves were shifted to start at 0 at the first grid point. ALE is always centred
        (its mean over the rows is 0), and says so.
    provenance : Provenance

    Examples
    --------
    >>> import numpy as np
    >>> eff = FeatureEffect("pdp", ["a"], [np.array([0.0, 1.0])], np.array([[1.0], [3.0]]), ["y"])
    >>> eff.average.shape, eff.ndim
    ((2, 1), 1)
    >>> eff.to_frame().columns.tolist()
    ['a', 'output', 'value', 'stderr']
    """

    kind: str
    features: tuple[str, ...]
    grid: tuple[np.ndarray, ...]
    average: np.ndarray
    output_names: tuple[str, ...]
    individual: np.ndarray | None = None
    stderr: np.ndarray | None = None
    counts: np.ndarray | None = None
    centered: bool = False
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        if self.kind not in EFFECT_KINDS:
            raise InvalidParameterError(parameter="kind", expected=f"one of {EFFECT_KINDS}", got=self.kind)
        if isinstance(self.features, str) or not isinstance(self.features, Sequence) or \
                len(self.features) not in (1, 2):
            raise InvalidDataError(parameter="features", expected="1 or 2 feature names", got=self.features)
        d = len(self.features)
        object.__setattr__(self, "features", unique_names(self.features, "features", d))
        grid = tuple(_grid_axis(g) for g in self.grid) if isinstance(self.grid, Sequence) else ()
        if len(grid) != d:
            raise InvalidDataError(parameter="grid", expected=f"{d} 1-D arrays, one per feature", got=self.grid)
        object.__setattr__(self, "grid", grid)
        average = readonly_float(self.average, "average", ndim=d + 1)
        sizes = tuple(len(g) for g in grid)
        if average.shape[:d] != sizes:
            raise InvalidDataError(parameter="average", expected=f"shape {sizes} + (n_outputs,)", got=average)
        k = average.shape[-1]
        object.__setattr__(self, "average", average)
        object.__setattr__(self, "output_names", unique_names(self.output_names, "output_names", k))
        self._check_optional(d, sizes, k)
        object.__setattr__(self, "centered", bool(self.centered))
        if not isinstance(self.provenance, Provenance):
            raise InvalidParameterError(parameter="provenance", expected="a Provenance", got=self.provenance)

    def _check_optional(self, d: int, sizes: tuple[int, ...], k: int) -> None:
        if self.individual is not None:
            individual = readonly_float(self.individual, "individual", ndim=d + 2)
            if individual.shape[1:] != (*sizes, k):
                raise InvalidDataError(parameter="individual", expected=f"shape (n_rows, {sizes}, {k})",
                                       got=individual)
            object.__setattr__(self, "individual", individual)
        if self.stderr is not None:
            stderr = readonly_float(self.stderr, "stderr", ndim=d + 1)
            if stderr.shape != self.average.shape:
                raise InvalidDataError(parameter="stderr", expected=f"shape {self.average.shape}", got=stderr)
            object.__setattr__(self, "stderr", stderr)
        if self.counts is not None:
            counts = readonly_float(self.counts, "counts", ndim=d)
            if counts.shape != tuple(s - 1 for s in sizes):
                raise InvalidDataError(parameter="counts", expected="one count per bin (grid size - 1)", got=counts)
            object.__setattr__(self, "counts", counts)

    @property
    def ndim(self) -> int:
        """The number of features varied (1 or 2)."""
        return len(self.features)

    @property
    def n_outputs(self) -> int:
        return int(self.average.shape[-1])

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame of ``average``: one column per feature (its grid value), output, value, stderr."""
        axes = [*[np.arange(len(g)) for g in self.grid], np.arange(self.n_outputs)]
        index = [a.reshape(-1) for a in np.meshgrid(*axes, indexing="ij")]
        columns: dict[str, Any] = {name: self.grid[i][index[i]] for i, name in enumerate(self.features)}
        columns["output"] = np.asarray(self.output_names, dtype=object)[index[-1]]
        columns["value"] = self.average.reshape(-1)
        columns["stderr"] = np.full(self.average.size, np.nan) if self.stderr is None else self.stderr.reshape(-1)
        return pd.DataFrame(columns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` restores an equal result."""
        return {
            "schema": EFFECT_SCHEMA, "kind": self.kind, "features": list(self.features),
            "grid": [encode_array(g) for g in self.grid], "output_names": list(self.output_names),
            **{name: encode_array(getattr(self, name)) for name in _ARRAYS},
            "centered": self.centered, "provenance": self.provenance.to_dict(),
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> FeatureEffect:
        """Inverse of :meth:`to_dict`, checking the schema version."""
        check_schema(obj, EFFECT_SCHEMA)
        arrays = {name: decode_array(obj.get(name), name) for name in _ARRAYS}
        grid = tuple(decode_array(g, "grid") for g in obj["grid"])
        return cls(kind=obj["kind"], features=tuple(obj["features"]), grid=grid,  # type: ignore[arg-type]
                   output_names=tuple(obj["output_names"]), centered=obj.get("centered", False),
                   provenance=Provenance.from_dict(obj.get("provenance", {})), **arrays)  # type: ignore[arg-type]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> FeatureEffect:
        return cls.from_dict(load_json(text))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureEffect):
            return NotImplemented
        return (self.kind == other.kind and self.features == other.features
                and self.output_names == other.output_names and self.centered == other.centered
                and self.provenance == other.provenance and len(self.grid) == len(other.grid)
                and all(same_array(a, b) for a, b in zip(self.grid, other.grid, strict=True))
                and all(same_array(getattr(self, n), getattr(other, n)) for n in _ARRAYS))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        sizes = "x".join(str(len(g)) for g in self.grid)
        return (f"FeatureEffect(kind={self.kind!r}, features={list(self.features)}, grid={sizes}, "
                f"outputs={self.n_outputs}, individual={'yes' if self.individual is not None else 'no'})")


@dataclass(frozen=True, eq=False)
class DependenceData:
    """One feature's values against its attributions, row by row: the data of a dependence plot.

    Parameters
    ----------
    feature : str
    values : array of shape (n_rows,)
        The feature's value in each row (float64, or objects for categorical features).
    attributions : array of shape (n_rows, n_outputs)
    output_names : sequence of str
    stderr : array of shape (n_rows, n_outputs), optional
        The attributions' standard errors, where the method estimated them.
    provenance : Provenance
        The provenance of the Explanation the data came from.
    """

    feature: str
    values: np.ndarray
    attributions: np.ndarray
    output_names: tuple[str, ...]
    stderr: np.ndarray | None = None
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        values = _grid_axis(self.values)
        attributions = readonly_float(self.attributions, "attributions", ndim=2)
        if attributions.shape[0] != values.shape[0]:
            raise InvalidDataError(parameter="attributions", expected=f"{values.shape[0]} rows like values",
                                   got=attributions)
        object.__setattr__(self, "feature", str(self.feature))
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "attributions", attributions)
        names = unique_names(self.output_names, "output_names", attributions.shape[1])
        object.__setattr__(self, "output_names", names)
        if self.stderr is not None:
            stderr = readonly_float(self.stderr, "stderr", ndim=2)
            if stderr.shape != attributions.shape:
                raise InvalidDataError(parameter="stderr", expected=f"shape {attributions.shape}", got=stderr)
            object.__setattr__(self, "stderr", stderr)

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: row, the feature's value, output, attribution, stderr."""
        n, k = self.attributions.shape
        rows, outs = np.meshgrid(np.arange(n), np.arange(k), indexing="ij")
        stderr = np.full(n * k, np.nan) if self.stderr is None else self.stderr.reshape(-1)
        return pd.DataFrame({"row": rows.reshape(-1), self.feature: self.values[rows.reshape(-1)],
                             "output": np.asarray(self.output_names, dtype=object)[outs.reshape(-1)],
                             "attribution": self.attributions.reshape(-1), "stderr": stderr})

    def to_dict(self) -> dict[str, Any]:
        return {"schema": DEPENDENCE_SCHEMA, "feature": self.feature, "values": encode_array(self.values),
                "attributions": encode_array(self.attributions), "output_names": list(self.output_names),
                "stderr": encode_array(self.stderr), "provenance": self.provenance.to_dict()}

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> DependenceData:
        check_schema(obj, DEPENDENCE_SCHEMA)
        return cls(feature=obj["feature"], values=decode_array(obj["values"], "values"),  # type: ignore[arg-type]
                   attributions=decode_array(obj["attributions"], "attributions"),  # type: ignore[arg-type]
                   output_names=tuple(obj["output_names"]), stderr=decode_array(obj.get("stderr"), "stderr"),
                   provenance=Provenance.from_dict(obj.get("provenance", {})))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DependenceData):
            return NotImplemented
        return (self.feature == other.feature and self.output_names == other.output_names
                and self.provenance == other.provenance
                and all(same_array(getattr(self, n), getattr(other, n)) for n in ("values", "attributions", "stderr")))

    __hash__ = None  # type: ignore[assignment]


def _grid_axis(value: Any) -> np.ndarray:
    arr = np.asarray(value)
    arr = arr.astype("float64") if arr.dtype.kind in "biuf" else arr.astype(object)
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidDataError(parameter="grid", expected="non-empty 1-D arrays", got=arr)
    arr = arr.copy()
    arr.setflags(write=False)
    return arr
