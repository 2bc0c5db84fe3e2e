"""``explain_batch``: explain a Parquet dataset partition by partition on Dask, resumably, with bounded memory."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.fingerprint import digest_array, digest_bytes
from explicable.core.validation import check_int
from explicable.explainers.methods import REGISTRY
from explicable.explainers.shapley._sampling import DEFAULT_BUDGET
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap
from explicable.scale._client import connect
from explicable.scale._manifest import MANIFEST, prepare_out_dir, read_manifest, write_manifest
from explicable.scale._partition import run_partition
from explicable.scale._plan import DatasetInfo, describe_partition, inspect_dataset, plan_partitions

__all__ = ["BatchResult", "explain_batch"]

Progress = bool | Callable[[int, int], None]


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did. The attributions themselves are in ``files``, never in memory.

    Attributes
    ----------
    out_path : Path
        The output directory: ``part-00000.parquet`` ... and ``_manifest.json``.
    files : tuple of Path
        One Parquet file per partition, in row order; columns ``row``, ``phi_<feature>__<output>``,
        ``base__<output>`` (and ``stderr_<feature>__<output>`` for sampled methods).
    n_rows : int
    computed, skipped : tuple of int
        Partitions explained in this run, and those reused from an earlier run (resume).
    method : str
        The method that ran (resolved from "auto").
    elapsed_seconds : float
        Wall time of the whole run, connection and cluster start included.
    """

    out_path: Path
    files: tuple[Path, ...]
    n_rows: int
    computed: tuple[int, ...]
    skipped: tuple[int, ...]
    method: str
    elapsed_seconds: float

    @property
    def manifest_path(self) -> Path:
        return self.out_path / MANIFEST


def explain_batch(
    model: Any,
    dataset_path: str | Path,
    out_path: str | Path,
    *,
    method: str = "auto",
    background: Any = None,
    random_state: int = 0,
    scheduler: Any = None,
    n_workers: int | None = None,
    threads_per_worker: int = 1,
    partition_rows: int = 100_000,
    progress: Progress = True,
    resume: bool = True,
    **options: Any,
) -> BatchResult:
    """Explain every row of a Parquet file on a Dask cluster, one output Parquet file per partition.

    Each partition of ``partition_rows`` rows is read by a worker (only the row groups that hold it), explained
    with :func:`explicable.explain` and written by that worker: the client holds only the manifest, so memory
    stays bounded by a partition per worker thread. The model and background are sent to each worker once.

    Partition ``i`` is explained with seed ``partition_seed(random_state, i)`` (recorded in the manifest): its
    result is byte-identical to ``explicable.explain(model, rows_i, random_state=that_seed, ...)`` in one
    process, and for exact methods (TreeSHAP, linear) to explaining all rows at once.

    Parameters
    ----------
    model : model object or ModelAdapter
        Anything :func:`explicable.wrap` takes; it must pickle (it is shipped to the workers).
    dataset_path : str or Path
        A Parquet file with (at least) the model's feature columns.
    out_path : str or Path
        Output directory, created if needed.
    method : str, default "auto"
        As in :func:`explicable.explain`.
    background : array or DataFrame, optional
        Reference rows; required by every method but TreeSHAP.
    random_state : int, default 0
        Seed of sampled methods (each partition gets its own stream derived from it).
    scheduler : None, str or distributed.Client
        None starts a LocalCluster; ``"tcp://host:8786"`` connects to a running scheduler; a Client is used as is.
    n_workers : int, optional
        LocalCluster workers (processes); default one per CPU.
    threads_per_worker : int, default 1
        LocalCluster threads per worker, and the numba threads each partition's TreeSHAP uses.
    partition_rows : int, default 100_000
        Rows per partition (and per output file).
    progress : bool or callable, default True
        A progress bar on stderr, or a callable ``progress(done, total)`` called as partitions finish.
    resume : bool, default True
        Skip partitions whose output exists and whose manifest entry matches this run (same file, row range,
        rows' content, model, method, seed and options); False recomputes everything.
    **options
        Passed to :func:`explicable.explain` (``budget``, ``target``, method settings).

    Returns
    -------
    BatchResult

    Raises
    ------
    InvalidDataError
        ``dataset_path`` is missing, not Parquet, or lacks columns the model needs.
    InvalidParameterError
        A parameter is out of range, ``out_path`` is a file, ``background`` is missing for a method that needs it,
        or the scheduler cannot be reached.
    """
    started = time.perf_counter()
    adapter = wrap(model)
    rows = check_int(partition_rows, "partition_rows", low=1)
    threads = check_int(threads_per_worker, "threads_per_worker", low=1)
    seed = check_int(random_state, "random_state", low=0)
    if not isinstance(method, str):
        raise InvalidParameterError(parameter="method", expected="a method name (str)", got=method)
    info = inspect_dataset(dataset_path)
    features = _model_columns(adapter, info)
    spec = REGISTRY.resolve(method, adapter, n_players=len(features), budget=options.get("budget", DEFAULT_BUDGET))
    if spec.needs_background and background is None:
        raise InvalidParameterError(parameter="background", expected=f"reference rows for the method '{spec.name}'",
                                    got=None)
    parts = plan_partitions(info.n_rows, rows, seed)
    out = prepare_out_dir(out_path, {p.file_name for p in parts})
    settings = _settings(adapter, method, seed, features, background, options)
    previous = read_manifest(out) if resume else {}
    header = {"dataset": info.path, "n_rows": info.n_rows, "partition_rows": rows, **settings}
    entries = _run(adapter, background, info, parts, features, out, settings, previous,
                   {"method": method, **options}, threads, scheduler, n_workers, progress, header)
    return BatchResult(
        out_path=out,
        files=tuple(out / p.file_name for p in parts),
        n_rows=info.n_rows,
        computed=tuple(i for i in sorted(entries) if entries[i]["status"] == "computed"),
        skipped=tuple(i for i in sorted(entries) if entries[i]["status"] == "skipped"),
        method=str(entries[0].get("method_used", spec.name)),
        elapsed_seconds=time.perf_counter() - started,
    )


def _run(adapter: ModelAdapter, background: Any, info: DatasetInfo, parts: list[Any], features: list[str],
         out: Path, settings: dict[str, Any], previous: dict[int, dict[str, Any]], explain_kwargs: dict[str, Any],
         threads: int, scheduler: Any, n_workers: int | None, progress: Progress,
         header: dict[str, Any]) -> dict[int, dict[str, Any]]:
    entries: dict[int, dict[str, Any]] = {}
    with connect(scheduler, n_workers, threads) as client, _Reporter(progress, len(parts)) as report:
        from distributed import as_completed

        # scatter once: every task gets a reference, not its own pickled copy of the model
        model_ref = client.scatter(adapter, broadcast=True, hash=False)
        background_ref = client.scatter(background, broadcast=True, hash=False) if background is not None else None
        futures = {
            client.submit(run_partition, model_ref, background_ref, info, part, features, str(out),
                          describe_partition(info, part, settings), previous.get(part.index), explain_kwargs,
                          threads, pure=False): part.index
            for part in parts
        }
        try:
            for future in as_completed(futures):
                entries[futures[future]] = future.result()
                future.release()  # the entry is copied: let the scheduler forget the task
                # the manifest follows progress: a run killed midway resumes from the partitions already written
                write_manifest(out, header, entries)
                report(len(entries))
        except BaseException:
            client.cancel(list(futures))  # a caller's long-lived cluster must not go on with a failed job
            raise
    return entries


def _model_columns(adapter: ModelAdapter, info: DatasetInfo) -> list[str]:
    """The dataset's columns the model reads, in the model's order."""
    names = adapter.feature_names
    if names is None:
        n = adapter.n_features
        if n is not None and n != len(info.columns):
            raise InvalidDataError(parameter="dataset_path", expected=f"{n} columns (the model's features)",
                                   got=f"{len(info.columns)} columns")
        return list(info.columns)
    missing = [name for name in names if name not in info.columns]
    if missing:
        raise InvalidDataError(f"The dataset_path file '{Path(info.path).name}' lacks columns the model needs: "
                               f"{missing[:10]}{' ...' if len(missing) > 10 else ''}.", parameter="dataset_path",
                               expected="the model's feature columns", got=missing)
    return list(names)


def _settings(adapter: ModelAdapter, method: str, seed: int, features: list[str], background: Any,
              options: dict[str, Any]) -> dict[str, Any]:
    """What, besides the rows, decides a partition's result: compared on resume."""
    if background is None:
        background_digest = None
    else:
        table = background.to_numpy() if hasattr(background, "to_numpy") else background
        background_digest = digest_array(np.asarray(table))
    return {"model_fingerprint": adapter.fingerprint(), "method": method, "random_state": seed,
            "features": features, "background_fingerprint": background_digest,
            "options": digest_bytes(json.dumps(options, sort_keys=True, default=repr).encode())}


class _Reporter:
    """A context manager yielding ``report(done)``: a rich progress bar, the caller's callable, or nothing."""

    def __init__(self, progress: Progress, total: int) -> None:
        self._progress = progress
        self._total = total
        self._bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if callable(self._progress):
            callback = self._progress
            return lambda done: callback(done, self._total)
        if not self._progress:
            return lambda done: None
        from rich.console import Console
        from rich.progress import Progress as Bar

        self._bar = Bar(console=Console(stderr=True), transient=False).__enter__()
        task = self._bar.add_task("explaining partitions", total=self._total)
        return lambda done: self._bar.update(task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
