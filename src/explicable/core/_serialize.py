"""Exact, standard-JSON encoding of arrays (no NaN literals; floats round-trip through repr)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError

__all__ = ["decode_array", "encode_array"]

_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _float_token(x: float) -> Any:
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _encode_cell(v: Any) -> Any:
    if v is None or isinstance(v, (bool, np.bool_)):
        return None if v is None else bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        x = float(v)
        return x if math.isfinite(x) else {"$float": _float_token(x)}
    return str(v)


def _decode_cell(v: Any) -> Any:
    if isinstance(v, dict):
        return _NONFINITE[v["$float"]]
    return v


def encode_array(arr: np.ndarray | None) -> dict[str, Any] | None:
    """Encode a float64 or object array as ``{"dtype", "shape", "values"}`` (flat, row-major)."""
    if arr is None:
        return None
    flat = arr.reshape(-1)
    if arr.dtype == object:
        values = [_encode_cell(v) for v in flat.tolist()]
        return {"dtype": "object", "shape": list(arr.shape), "values": values}
    as_float = flat.astype("float64")
    values = as_float.tolist()
    if not np.isfinite(as_float).all():
        values = [_float_token(x) for x in values]
    return {"dtype": "float64", "shape": list(arr.shape), "values": values}


def decode_array(obj: dict[str, Any] | None, name: str) -> np.ndarray | None:
    """Inverse of :func:`encode_array`."""
    if obj is None:
        return None
    try:
        shape = tuple(int(s) for s in obj["shape"])
        if obj["dtype"] == "object":
            flat = np.empty(len(obj["values"]), dtype=object)
            flat[:] = [_decode_cell(v) for v in obj["values"]]
            return flat.reshape(shape)
        values = [_NONFINITE[v] if isinstance(v, str) else v for v in obj["values"]]
        return np.asarray(values, dtype="float64").reshape(shape)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidDataError(
            parameter=name, expected="an encoded array {dtype, shape, values}", got=f"a malformed entry ({exc})"
        ) from None
