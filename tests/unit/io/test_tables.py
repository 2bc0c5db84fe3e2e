"""read_table: CSV and Parquet, with one clear error per way a file can be wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from explicable import InvalidDataError
from explicable.io import read_table


def test_csv_and_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"], "c": [1, 2]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.csv"), frame, check_dtype=False)
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet"), frame)


def test_truncated_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=list("abc")).to_csv(path, index=False)
    text = path.read_text()
    path.write_text(text[: text.rindex(",")])  # cut inside the last row
    with pytest.raises(InvalidDataError, match="truncated: its last line has 2 of 3 fields"):
        read_table(path)


@pytest.mark.parametrize(("content", "match"), [
    ("", "empty"),
    ("a,b\n", "no rows"),
    ('a,b\n1,"unterminated\n', "parse"),
])
def test_bad_csv(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(content)
    with pytest.raises(InvalidDataError, match=match):
        read_table(path)


def test_missing_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    bad = tmp_path / "t.parquet"
    bad.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(InvalidDataError, match="Parquet"):
        read_table(bad)
