"""``explicable reasons MODEL DATA --row N``: the principal reasons for an adverse decision."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli.explain import check_row
from explicable.explainers import REGISTRY, explain
from explicable.io import read_table
from explicable.models import load_model
from explicable.reasons import reasons as principal_reasons

__all__ = ["reasons"]


def reasons(
    model: Annotated[Path, typer.Argument(help="Model file (as for `explicable explain`).")],
    data: Annotated[Path, typer.Argument(help="Rows: CSV or Parquet with the model's columns.")],
    row: Annotated[int, typer.Option(help="Row of DATA whose decision is explained.")],
    adverse: Annotated[str | None, typer.Option(help="Output whose increase is adverse (default: the last).")] = None,
    k: Annotated[int, typer.Option(help="Most reasons (Regulation B: usually no more than four).")] = 4,
    mapping: Annotated[Path | None, typer.Option(help="Reason codes: a JSON or CSV file.")] = None,
    background: Annotated[Path | None, typer.Option(help="Reference rows (default: all of DATA).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (sampled methods); recorded either way.")] = None,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
) -> None:
    """The factors that pushed the decision on ROW hardest toward the adverse outcome, in plain language."""
    adapter = load_model(model, trust=trust)
    table = read_table(data)
    selected = check_row(row, len(table))
    reference = read_table(background, name="background") if background is not None else None
    if reference is None and REGISTRY.resolve("auto", adapter).needs_background:
        reference = table
    exp = explain(adapter, table.iloc[[selected]], background=reference, random_state=seed)
    output = adverse if adverse is not None else exp.output_names[-1]
    result = principal_reasons(exp, k, str(mapping) if mapping is not None else None, adverse_output=output)
    Console(highlight=False).print(str(result), markup=False)
