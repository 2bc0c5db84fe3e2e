"""CSV and Parquet files to pandas frames, refusing truncated or malformed files."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from explicable.core.errors import InvalidDataError

__all__ = ["read_table"]


def read_table(path: str | Path, *, name: str = "data") -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.txt``) or Parquet (``.parquet``, ``.pq``) file.

    Parameters
    ----------
    path : str or Path
    name : str
        The parameter's name in error messages.

    Raises
    ------
    InvalidDataError
        The file is missing, empty, malformed, or a CSV whose last line is cut short (truncated).
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidDataError(f"The {name} file '{file}' does not exist.", parameter=name, got=str(file))
    if file.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(file)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for corrupt files
            raise InvalidDataError(f"Could not read '{file.name}' as Parquet: {str(exc).splitlines()[0]}",
                                   parameter=name, got=str(file)) from None
    return _read_csv(file, name)


def _read_csv(file: Path, name: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(file)
    except pd.errors.EmptyDataError:
        raise InvalidDataError(f"The {name} file '{file.name}' is empty.", parameter=name, got=str(file)) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidDataError(f"Could not parse '{file.name}' as CSV: {str(exc).splitlines()[0]}",
                               parameter=name, got=str(file)) from None
    _check_last_line(file, frame, name)
    if frame.empty:
        raise InvalidDataError(f"The {name} file '{file.name}' has a header but no rows.", parameter=name,
                               got=str(file))
    return frame


def _check_last_line(file: Path, frame: pd.DataFrame, name: str) -> None:
    # pandas pads a short last line with NaN; a file cut off mid-row must not pass as data with gaps.
    with file.open("rb") as fh:
        fh.seek(max(0, file.stat().st_size - 65536))
        tail = fh.read().decode("utf-8", errors="replace")
    lines = [ln for ln in tail.splitlines() if ln.strip()]
    if not lines or len(frame) == 0:
        return
    fields = next(csv.reader([lines[-1]]))
    if len(fields) < frame.shape[1]:
        raise InvalidDataError(
            f"The {name} file '{file.name}' looks truncated: its last line has {len(fields)} of "
            f"{frame.shape[1]} fields.", parameter=name, got=str(file))
