"""Content digests of Python objects that may not pickle: fitted estimators holding lambdas, plain callables.

A fingerprint must be stable across processes (audit replay compares them) and must differ between models
that predict differently. Pickle gives both for most fitted models; where it fails (a lambda inside a
``FunctionTransformer``) or says too little (a closure's captured weights, the estimator behind a bound
``predict_proba``), the object is walked: arrays by content, callables by code, captured values and owner.
Memory addresses never enter a digest.
"""

from __future__ import annotations

import hashlib
import pickle
import types
from typing import Any

import numpy as np

from explicable.core.fingerprint import digest_array

__all__ = ["digest_callable", "digest_object"]

_MAX_DEPTH = 6


def digest_object(obj: Any) -> str:
    """``sha256:<hex>`` of ``obj``'s content: its pickle, or a structural walk when it does not pickle."""
    h = hashlib.sha256()
    _feed(h, obj, 0)
    return "sha256:" + h.hexdigest()


def digest_callable(fn: Any) -> str:
    """``sha256:<hex>`` of a callable: its code and everything its result depends on that can be reached."""
    h = hashlib.sha256()
    _feed_callable(h, fn, 0)
    return "sha256:" + h.hexdigest()


def _feed(h: Any, obj: Any, depth: int) -> None:
    if isinstance(obj, np.ndarray):
        h.update(digest_array(obj).encode())
        return
    if isinstance(obj, (types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
        _feed_callable(h, obj, depth)
        return
    try:
        h.update(pickle.dumps(obj, protocol=5))
        return
    except Exception:  # any object may refuse to pickle in its own way
        pass
    h.update(f"<{type(obj).__module__}.{type(obj).__qualname__}>".encode())
    if depth >= _MAX_DEPTH:
        return
    if isinstance(obj, dict):
        for key in sorted(obj, key=repr):
            h.update(repr(key).encode())
            _feed(h, obj[key], depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj
        for item in items:
            _feed(h, item, depth + 1)
    elif hasattr(obj, "__dict__"):
        _feed(h, vars(obj), depth + 1)
    if callable(obj) and not isinstance(obj, type):
        _feed_callable(h, type(obj).__call__, depth + 1)


def _feed_callable(h: Any, fn: Any, depth: int) -> None:
    if fn is None:
        return
    h.update(f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__qualname__)}".encode())
    if depth >= _MAX_DEPTH:
        return
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):  # a bound method: the model behind it
        _feed(h, owner, depth + 1)
    func = getattr(fn, "__func__", fn)
    code = getattr(func, "__code__", None)
    if code is None:
        if not isinstance(fn, (types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
            _feed(h, fn, depth + 1)  # a callable object: its state and its __call__
        return
    _feed_code(h, code)
    for value in func.__defaults__ or ():
        _feed(h, value, depth + 1)
    for cell in func.__closure__ or ():
        try:
            _feed(h, cell.cell_contents, depth + 1)
        except ValueError:  # an empty cell
            h.update(b"<empty>")
    globals_ = getattr(func, "__globals__", {})
    for name in code.co_names:
        value = globals_.get(name)
        if value is None or isinstance(value, (types.ModuleType, type)):
            continue
        h.update(name.encode())
        if isinstance(value, types.FunctionType):  # a helper: its code, not what it reaches (no fan-out)
            _feed_code(h, value.__code__)
        else:
            _feed(h, value, depth + 1)


def _feed_code(h: Any, code: types.CodeType) -> None:
    # Nested code objects and sets of constants have no stable repr (addresses, hash order): spell them out.
    h.update(code.co_code)
    h.update(repr(code.co_names).encode())  # attribute and global names: X.sum and X.max differ only here
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(h, const)
        elif isinstance(const, frozenset):
            h.update(repr(sorted(map(repr, const))).encode())
        else:
            h.update(repr(const).encode())
