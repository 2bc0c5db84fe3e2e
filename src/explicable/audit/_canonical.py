"""Canonical encoding of an audit record: the exact bytes that are hashed and signed.

JSON with sorted keys, no whitespace, UTF-8 (not ASCII-escaped), floats by ``repr`` (shortest round-trip),
NaN and infinities refused. Only JSON types are accepted, so that reading a record back and encoding it
again gives the same bytes: that is what lets ``verify`` recompute every hash from the stored text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from explicable.core.errors import InvalidDataError

__all__ = ["canonical_bytes", "check_json"]


def check_json(value: Any, path: str = "record") -> None:
    """Raise :class:`InvalidDataError` unless ``value`` is plain JSON (dict/list/str/int/float/bool/None)."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidDataError(parameter=path, expected="a finite number (NaN and infinity are refused)", got=value)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidDataError(parameter=path, expected="a mapping with string keys", got=key)
            check_json(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_json(item, f"{path}[{i}]")
        return
    raise InvalidDataError(
        parameter=path, expected="a JSON value (dict, list, str, int, float, bool or None)", got=type(value).__name__
    )


def canonical_bytes(value: Any) -> bytes:
    """The canonical encoding of a JSON value.

    Examples
    --------
    >>> canonical_bytes({"b": 1.5, "a": [True, None, "é"]})
    b'{"a":[true,null,"\\xc3\\xa9"],"b":1.5}'
    """
    check_json(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
