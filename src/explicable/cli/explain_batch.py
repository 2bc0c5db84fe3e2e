"""``explicable explain-batch MODEL DATASET.parquet --out OUT``: explain a whole dataset on Dask, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from explicable.explainers import REGISTRY
from explicable.io import read_table
from explicable.models import load_model

__all__ = ["explain_batch"]


def explain_batch(
    model: Annotated[Path, typer.Argument(help="Model file: .onnx, XGBoost .json/.ubj, LightGBM .txt, .cbm, "
                                          ".skops; .pkl/.joblib only with --trust.")],
    dataset: Annotated[Path, typer.Argument(help="Parquet file with the model's columns.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory: part-NNNNN.parquet files and "
                                      "_manifest.json.")],
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786); default: a "
                                                  "local cluster.")] = None,
    workers: Annotated[int | None, typer.Option(help="Workers of the local cluster (default: one per CPU).")] = None,
    method: Annotated[str, typer.Option(help="'auto' or a method name: " + ", ".join(REGISTRY.names()))] = "auto",
    background: Annotated[Path | None, typer.Option(help="Reference rows (CSV or Parquet), for methods that "
                                                    "need them.")] = None,
    partition_rows: Annotated[int, typer.Option(help="Rows per partition and per output file.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed (sampled methods); each partition derives its own.")] = 0,
    resume: Annotated[bool, typer.Option(help="Skip partitions already written by an identical run.")] = True,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
) -> None:
    """Explain every row of DATASET with the model in MODEL, partition by partition on Dask."""
    from explicable.scale import explain_batch as run_batch

    adapter = load_model(model, trust=trust)
    reference = read_table(background, name="background") if background is not None else None
    result = run_batch(adapter, dataset, out, method=method, background=reference, random_state=seed,
                       scheduler=scheduler, n_workers=workers, partition_rows=partition_rows, resume=resume)
    typer.echo(f"{result.n_rows} rows in {len(result.files)} partitions ({len(result.computed)} computed, "
               f"{len(result.skipped)} skipped) with '{result.method}' in {result.elapsed_seconds:.1f} s -> "
               f"{result.out_path}")
