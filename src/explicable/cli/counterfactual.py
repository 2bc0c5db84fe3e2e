"""``explicable counterfactual MODEL DATA --row N``: what would have to change for the other decision."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli._render import render_frame
from explicable.cli.explain import check_row
from explicable.cli.fairness import split_columns
from explicable.explainers.counterfactual import Counterfactuals
from explicable.io import read_table
from explicable.models import load_model

__all__ = ["counterfactual"]


def counterfactual(
    model: Annotated[Path, typer.Argument(help="Model file (as for `explicable explain`).")],
    data: Annotated[Path, typer.Argument(help="Rows: CSV or Parquet with the model's columns; all of them define "
                                         "the values, scales and ranges the search uses.")],
    row: Annotated[int, typer.Option(help="Row of DATA to find counterfactuals for.")],
    k: Annotated[int, typer.Option(help="Diverse counterfactuals wanted.")] = 3,
    immutable: Annotated[str | None, typer.Option(help="Comma-separated columns that must not change.")] = None,
    desired: Annotated[str, typer.Option(help="'opposite', or the class (output name) wanted.")] = "opposite",
    seed: Annotated[int | None, typer.Option(help="Random seed; recorded either way.")] = None,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
) -> None:
    """Counterfactuals for ROW: the changes, their validity, proximity, sparsity and plausibility."""
    adapter = load_model(model, trust=trust)
    table = read_table(data)
    check_row(row, len(table))
    fixed = split_columns(immutable, [str(c) for c in table.columns], "--immutable") if immutable else ()
    search = Counterfactuals(adapter, k=k, immutable=fixed, desired=desired, random_state=seed).fit(table)
    result = search.explain(table.iloc[[row]])
    console = Console(highlight=False)
    console.print(result.summary(), markup=False)
    render_frame(console, f"changes for row {row}", result.changes())
