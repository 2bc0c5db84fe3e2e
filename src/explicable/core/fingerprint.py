"""Content digests for provenance: the same model and rows give the same fingerprint on any machine."""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["digest_array", "digest_bytes"]


def digest_bytes(payload: bytes) -> str:
    """``sha256:<hex>`` of ``payload``."""
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def digest_array(arr: np.ndarray) -> str:
    """Digest of an array's dtype, shape and contents (object cells by their type and repr)."""
    h = hashlib.sha256()
    h.update(f"{arr.dtype.str}|{arr.shape}|".encode())
    if arr.dtype == object:
        for cell in arr.reshape(-1).tolist():
            h.update(f"{type(cell).__name__}:{cell!r};".encode())
    else:
        h.update(np.ascontiguousarray(arr).tobytes())
    return "sha256:" + h.hexdigest()
