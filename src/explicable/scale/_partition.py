"""One partition's work, run on a Dask worker: read its rows, skip it if finished, else explain and write it.

Only a small manifest entry goes back to the client; attributions go straight from the worker to disk, so the
client's memory does not grow with the dataset.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.explanation import Explanation
from explicable.core.fingerprint import digest_array
from explicable.scale._plan import DatasetInfo, Partition, row_groups_for

__all__ = ["attribution_frame", "read_rows", "run_partition"]


def read_rows(info: DatasetInfo, part: Partition, features: list[str]) -> pd.DataFrame:
    """Rows ``[part.start, part.stop)`` of the model's columns, reading only the row groups that hold them."""
    import pyarrow.parquet as pq

    groups, offset = row_groups_for(info.row_group_rows, part.start, part.stop)
    table = pq.ParquetFile(info.path).read_row_groups(groups, columns=features)
    frame = table.slice(offset, part.stop - part.start).to_pandas()
    frame.index = pd.RangeIndex(part.start, part.stop)
    return frame


def attribution_frame(exp: Explanation, start: int) -> pd.DataFrame:
    """The Explanation as columns ``row``, ``phi_<feature>__<output>``, ``base__<output>`` (and ``stderr_...``).

    Shapes: ``exp.values`` (n, m, k) becomes m * k columns, feature-major; ``exp.base_values`` (n, k) k columns.
    """
    n = exp.values.shape[0]
    columns: dict[str, np.ndarray] = {"row": np.arange(start, start + n, dtype=np.int64)}
    for k, output in enumerate(exp.output_names):
        for j, feature in enumerate(exp.feature_names):
            columns[f"phi_{feature}__{output}"] = exp.values[:, j, k]
    for k, output in enumerate(exp.output_names):
        columns[f"base__{output}"] = exp.base_values[:, k]
    if exp.stderr is not None:
        for k, output in enumerate(exp.output_names):
            for j, feature in enumerate(exp.feature_names):
                columns[f"stderr_{feature}__{output}"] = exp.stderr[:, j, k]
    return pd.DataFrame(columns)


def run_partition(model: Any, background: Any, info: DatasetInfo, part: Partition, features: list[str],
                  out_dir: str, identity: dict[str, Any], previous: dict[str, Any] | None,
                  explain_kwargs: dict[str, Any], threads: int) -> dict[str, Any]:
    """Explain one partition unless ``previous`` (its manifest entry) shows the same work already on disk.

    Returns the partition's manifest entry: ``identity`` plus the rows' digest, the output file and
    ``status`` ("computed" or "skipped").
    """
    import numba

    from explicable.explainers.api import explain

    frame = read_rows(info, part, features)
    entry = {**identity, "data_fingerprint": digest_array(frame.to_numpy()), "output": part.file_name,
             "rows": part.stop - part.start}
    target = Path(out_dir) / part.file_name
    if previous is not None and target.is_file() and _same_work(previous, entry):
        return {**previous, "status": "skipped"}
    # numba's thread count is per calling thread: set it here, in the thread that runs the kernels
    numba.set_num_threads(max(1, min(threads, int(getattr(numba.config, "NUMBA_NUM_THREADS", 1)))))
    started = time.perf_counter()
    exp = explain(model, frame, background=background, random_state=part.seed, **explain_kwargs)
    elapsed = time.perf_counter() - started
    table = attribution_frame(exp, part.start)
    # write then rename: a killed worker never leaves a complete-looking, half-written part file
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    table.to_parquet(partial, index=False)
    os.replace(partial, target)
    return {**entry, "method_used": exp.provenance.method, "elapsed_s": round(elapsed, 6), "status": "computed"}


def _same_work(previous: dict[str, Any], entry: dict[str, Any]) -> bool:
    keys = set(entry)
    return all(previous.get(key) == entry[key] for key in keys)
