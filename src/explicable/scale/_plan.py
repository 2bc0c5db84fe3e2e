"""Splitting a Parquet dataset into row ranges (partitions) and describing each for the manifest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError

__all__ = ["DatasetInfo", "Partition", "describe_partition", "inspect_dataset", "partition_seed", "plan_partitions",
           "row_groups_for"]


@dataclass(frozen=True)
class DatasetInfo:
    """What the client knows about the input without reading its rows: path, row count, row groups, columns."""

    path: str
    n_rows: int
    row_group_rows: tuple[int, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Partition:
    """Rows ``[start, stop)`` of the dataset, explained as one task and written as ``part-<index>.parquet``."""

    index: int
    start: int
    stop: int
    seed: int

    @property
    def file_name(self) -> str:
        return f"part-{self.index:05d}.parquet"


def inspect_dataset(path: str | Path) -> DatasetInfo:
    """Read the Parquet footer only (row counts per row group, column names).

    Raises
    ------
    InvalidDataError
        The file is missing, a directory, or not Parquet; the error names ``dataset_path``.
    """
    import pyarrow.parquet as pq

    file = Path(path)
    if not file.is_file():
        what = "is a directory, not a Parquet file" if file.is_dir() else "does not exist"
        raise InvalidDataError(f"The dataset_path file '{file}' {what}.", parameter="dataset_path", got=str(file))
    try:
        meta = pq.ParquetFile(file).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for files that are not Parquet
        raise InvalidDataError(f"Could not read '{file.name}' as Parquet (dataset_path): "
                               f"{str(exc).splitlines()[0]}", parameter="dataset_path", got=str(file)) from None
    if meta.num_rows == 0:
        raise InvalidDataError(f"The dataset_path file '{file.name}' has no rows.", parameter="dataset_path",
                               got=str(file))
    groups = tuple(int(meta.row_group(i).num_rows) for i in range(meta.num_row_groups))
    columns = tuple(str(meta.schema.column(i).name) for i in range(meta.num_columns))
    return DatasetInfo(str(file.resolve()), int(meta.num_rows), groups, columns)


def partition_seed(random_state: int, index: int) -> int:
    """The seed partition ``index`` is explained with: independent streams per partition, fixed by the seed.

    Sampled methods would otherwise draw the same coalitions for row ``i`` of every partition.

    >>> partition_seed(0, 0) == partition_seed(0, 0) != partition_seed(0, 1)
    True
    """
    sequence = np.random.SeedSequence(random_state, spawn_key=(index,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def plan_partitions(n_rows: int, partition_rows: int, random_state: int) -> list[Partition]:
    """Consecutive row ranges of at most ``partition_rows`` rows covering ``range(n_rows)``.

    >>> [(p.start, p.stop) for p in plan_partitions(5, 2, 0)]
    [(0, 2), (2, 4), (4, 5)]
    """
    return [Partition(i, start, min(start + partition_rows, n_rows), partition_seed(random_state, i))
            for i, start in enumerate(range(0, n_rows, partition_rows))]


def row_groups_for(row_group_rows: tuple[int, ...], start: int, stop: int) -> tuple[list[int], int]:
    """The row groups overlapping ``[start, stop)`` and the offset of ``start`` in the first of them.

    >>> row_groups_for((3, 3, 3), 4, 7)
    ([1, 2], 1)
    """
    bounds = np.concatenate([[0], np.cumsum(row_group_rows)])
    first = int(np.searchsorted(bounds, start, side="right") - 1)
    last = int(np.searchsorted(bounds, stop, side="left"))
    return list(range(first, last)), start - int(bounds[first])


def describe_partition(info: DatasetInfo, part: Partition, settings: dict[str, Any]) -> dict[str, Any]:
    """The manifest entry's identity: what must match for a finished partition to be reused."""
    return {"file": info.path, "start": part.start, "stop": part.stop, "seed": part.seed, **settings}
