"""The canonical encoding and the RFC 6962 Merkle tree hash."""

from __future__ import annotations

import hashlib
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explicable.audit._canonical import canonical_bytes
from explicable.audit._merkle import merkle_root
from explicable.core.errors import InvalidDataError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_canonical_is_a_fixed_point_of_reading_back(value):
    # verify re-encodes what it reads: that must give the very bytes that were hashed.
    data = canonical_bytes(value)
    assert canonical_bytes(json.loads(data)) == data
    assert json.loads(data) == json.loads(json.dumps(value))


def test_canonical_form_sorted_compact_utf8_and_float_repr():
    value = {"z": 0.1, "a": {"y": [1, 2.5e-300], "b": "ü"}, "m": None}
    expected = '{"a":{"b":"ü","y":[1,' + repr(2.5e-300) + ']},"m":null,"z":' + repr(0.1) + "}"
    assert canonical_bytes(value) == expected.encode("utf-8")
    assert float(json.loads(canonical_bytes({"x": 1 / 3}))["x"]) == 1 / 3


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"a": math.nan}, "record.a"),
        ({"a": [1, math.inf]}, "record.a[1]"),
        ({1: 2}, "record"),
        ({"a": {1, 2}}, "record.a"),
        ({"a": b"x"}, "record.a"),
    ],
)
def test_canonical_refuses_what_json_cannot_round_trip(value, where):
    with pytest.raises(InvalidDataError) as info:
        canonical_bytes(value)
    assert info.value.parameter == where


# Certificate Transparency's reference vectors (certificate-transparency, merkle_tree_test.cc) for RFC 6962.
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("n", range(1, 9))
def test_merkle_root_matches_certificate_transparency_vectors(n):
    assert merkle_root([bytes.fromhex(h) for h in CT_LEAVES[:n]]).hex() == CT_ROOTS[n - 1]


def _mth(leaves):
    """RFC 6962 section 2.1, written as the recursion in the text."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << (len(leaves) - 1).bit_length() - 1
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def test_merkle_root_equals_the_recursive_definition():
    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(70)]
    for n in range(71):
        assert merkle_root(leaves[:n]) == _mth(leaves[:n])
