"""``explicable explain MODEL DATA``: explain rows of a table with a saved model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli._render import render_explanation
from explicable.core.errors import InvalidParameterError
from explicable.explainers import REGISTRY
from explicable.explainers import explain as run_explain
from explicable.io import read_table
from explicable.models import load_model

__all__ = ["check_row", "explain", "parse_rows"]


def parse_rows(spec: str, n: int) -> list[int]:
    """Row selection: ``"0:5"`` (a slice), ``"3"``, or ``"1,4,7"``, checked against ``n`` rows."""
    try:
        if ":" in spec:
            start, _, stop = spec.partition(":")
            rows = list(range(n))[slice(int(start) if start else None, int(stop) if stop else None)]
        else:
            rows = [int(part) for part in spec.split(",")]
    except ValueError:
        raise InvalidParameterError(parameter="--rows", expected="START:STOP, N or N,M,...", got=spec) from None
    bad = [r for r in rows if not 0 <= r < n]
    if bad or not rows:
        raise InvalidParameterError(parameter="--rows", expected=f"rows within 0..{n - 1}", got=spec)
    return rows


def check_row(row: int, n: int) -> int:
    """One row position (``--row``), checked against ``n`` rows."""
    if not 0 <= row < n:
        raise InvalidParameterError(parameter="--row", expected=f"a row within 0..{n - 1}", got=row)
    return row


def explain(
    model: Annotated[Path, typer.Argument(help="Model file: .onnx, XGBoost .json/.ubj, LightGBM .txt, .cbm, "
                                          ".skops; .pkl/.joblib only with --trust.")],
    data: Annotated[Path, typer.Argument(help="Rows to explain: CSV or Parquet with the model's columns.")],
    rows: Annotated[str, typer.Option(help="Rows of DATA to explain: START:STOP, N or N,M,...")] = "0:5",
    method: Annotated[str, typer.Option(help="'auto' or a method name: " + ", ".join(REGISTRY.names()))] = "auto",
    background: Annotated[Path | None, typer.Option(help="Reference rows (default: all of DATA, for methods "
                                                    "that need them).")] = None,
    budget: Annotated[int | None, typer.Option(help="Most coalition evaluations per row (sampled methods).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (sampled methods); recorded either way.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
) -> None:
    """Explain rows of DATA with the model in MODEL."""
    if output_format not in ("table", "json"):
        raise InvalidParameterError(parameter="--format", expected="'table' or 'json'", got=output_format)
    adapter = load_model(model, trust=trust)
    table = read_table(data)
    selected = parse_rows(rows, len(table))
    reference = read_table(background, name="background") if background is not None else None
    if reference is None and REGISTRY.resolve(method, adapter).needs_background:
        reference = table
    exp = run_explain(adapter, table.iloc[selected], background=reference, method=method, budget=budget,
                      random_state=seed)
    if output_format == "json":
        typer.echo(exp.to_json(indent=2))
    else:
        render_explanation(Console(), exp, selected)
