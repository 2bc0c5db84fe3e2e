"""Property tests of the CSV reader: what pandas writes comes back; anything else is data or a clear error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from explicable import InvalidDataError
from explicable.io import read_table

names = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=5, unique=True)
numbers = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    columns = draw(names)
    n = draw(st.integers(1, 12))
    data = {}
    for column in columns:
        values = st.lists(numbers if draw(st.booleans()) else words, min_size=n, max_size=n)
        data[column] = draw(values)
    return pd.DataFrame(data)


def _read(content: bytes) -> pd.DataFrame:
    """``read_table`` of a CSV file holding ``content`` (removed afterwards)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_bytes(content)
        return read_table(path)


@settings(max_examples=150, deadline=None)
@given(frames())
def test_what_pandas_writes_comes_back(frame: pd.DataFrame) -> None:
    back = _read(frame.to_csv(index=False).encode())
    assert list(back.columns) == list(frame.columns) and len(back) == len(frame)
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            np.testing.assert_allclose(back[column].to_numpy(dtype=float), frame[column].to_numpy(dtype=float),
                                       rtol=1e-12)


@settings(max_examples=150, deadline=None)
@given(frames(), st.data())
def test_a_file_cut_mid_row_is_refused(frame: pd.DataFrame, data: st.DataObject) -> None:
    text = frame.to_csv(index=False)
    last = text.rstrip("\n").rsplit("\n", 1)[-1]
    if frame.shape[1] < 2 or "\n" not in text.rstrip("\n") or '"' in last:
        return  # a one-column file has no field to lose; quoted fields may hold commas
    cut = text.rstrip("\n")[: len(text.rstrip("\n")) - len(last) + last.index(",")]
    try:
        _read(cut.encode())
    except InvalidDataError as err:
        assert err.parameter == "data"
    else:
        raise AssertionError("a truncated file was read as data")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_frame_or_a_clear_error(content: bytes) -> None:
    try:
        frame = _read(content)
    except InvalidDataError as err:
        assert err.parameter == "data" and str(err)
    else:
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0
