"""Merkle tree hash of RFC 6962 (Certificate Transparency), section 2.1.

Leaves are hashed as ``SHA-256(0x00 || leaf)`` and inner nodes as ``SHA-256(0x01 || left || right)``; the
two prefixes keep a leaf from ever being passed off as a node (second-preimage attacks). A tree of ``n``
leaves splits at the largest power of two below ``n``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["leaf_hash", "merkle_root", "node_hash"]


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of ``leaves``, each a byte string (here: a record hash).

    Examples
    --------
    >>> merkle_root([]).hex()[:16]          # SHA-256 of the empty string
    'e3b0c44298fc1c14'
    >>> merkle_root([b""]).hex()[:16]
    '6e340b9cffb37a98'
    """
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [leaf_hash(leaf) for leaf in leaves]
    return _root_of_hashes(level)


def _root_of_hashes(hashes: list[bytes]) -> bytes:
    # Iterative form of the recursive split at the largest power of two < n: pairing left to right and
    # carrying an odd last node up unchanged gives the same tree (RFC 6962 trees are left-full).
    while len(hashes) > 1:
        paired = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes) - 1, 2)]
        if len(hashes) % 2:
            paired.append(hashes[-1])
        hashes = paired
    return hashes[0]
