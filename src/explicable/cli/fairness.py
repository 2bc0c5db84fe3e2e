"""``explicable fairness MODEL DATA --target y --sensitive sex,age_group``: a fairness audit and CI gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console

from explicable.cli._render import render_frame
from explicable.core.errors import InvalidParameterError
from explicable.fairness import fairness_audit
from explicable.io import read_table
from explicable.models import load_model
from explicable.models.base import ModelAdapter

__all__ = ["BREACH_EXIT", "fairness", "load_labelled", "split_columns"]

#: Exit status when the policy is breached (0 ok, 1 internal error, 2 bad input).
BREACH_EXIT = 3
#: The four-fifths columns shown (the full table is in the library's result).
FOUR_FIFTHS_COLUMNS = ("attribute", "group", "n", "selected", "rate", "reference_group", "impact_ratio", "flagged",
                       "test", "p_value")


def split_columns(spec: str, columns: list[str], option: str) -> list[str]:
    """``"a,b"`` as column names of the data, each checked."""
    names = [part.strip() for part in spec.split(",") if part.strip()]
    missing = [n for n in names if n not in columns]
    if not names or missing:
        raise InvalidParameterError(parameter=option, got=spec,
                                    expected=f"comma-separated columns of DATA ({', '.join(columns)})")
    return names


def load_labelled(model: Path, data: Path, target: str, sensitive: str | None, *, trust: bool
                  ) -> tuple[ModelAdapter, pd.DataFrame, str, list[str]]:
    """The model, the labelled rows, the target column and the sensitive columns, each checked."""
    adapter = load_model(model, trust=trust)
    table = read_table(data)
    columns = [str(c) for c in table.columns]
    (target_column,) = split_columns(target, columns, "--target")[:1]
    groups = split_columns(sensitive, columns, "--sensitive") if sensitive else []
    return adapter, table, target_column, groups


def fairness(
    model: Annotated[Path, typer.Argument(help="Model file (as for `explicable explain`).")],
    data: Annotated[Path, typer.Argument(help="Labelled rows: CSV or Parquet with the model's columns, the target "
                                         "and the sensitive attributes.")],
    target: Annotated[str, typer.Option(help="Column of DATA with the true outcome.")],
    sensitive: Annotated[str, typer.Option(help="Comma-separated sensitive columns (their intersection too).")],
    positive: Annotated[str | None, typer.Option(help="Outcome value counted as positive (default 1).")] = None,
    threshold: Annotated[float, typer.Option(help="Decision threshold on the positive output.")] = 0.5,
    policy: Annotated[Path | None, typer.Option(help="JSON policy of thresholds (default: the four-fifths "
                                                "rule).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the bootstrap intervals.")] = None,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
) -> None:
    """Group metrics with confidence intervals and the four-fifths table; exit 3 when the policy is breached."""
    adapter, table, target_column, groups = load_labelled(model, data, target, sensitive, trust=trust)
    if not groups:
        raise InvalidParameterError(parameter="--sensitive", expected="one or more columns of DATA", got=sensitive)
    features = list(adapter.feature_names) if adapter.feature_names else \
        [str(c) for c in table.columns if str(c) != target_column]
    audit = fairness_audit(adapter, table[features], table[target_column], table[groups], positive=positive,
                           threshold=threshold, policy=policy, random_state=seed)
    console = Console()
    console.print(f"[bold]decisions[/]: {audit.positive!r} when its score >= {audit.threshold:g} · "
                  f"{len(table)} rows · bootstrap seed {audit.metrics.random_state}")
    render_frame(console, "group metrics", audit.metrics.to_frame())
    render_frame(console, "disparities", audit.metrics.disparities)
    four_fifths = audit.metrics.four_fifths.table
    render_frame(console, "four-fifths rule", four_fifths[[c for c in FOUR_FIFTHS_COLUMNS if c in four_fifths]])
    if audit.passed:
        console.print("[green]policy holds[/]")
        return
    for line in audit.breaches:
        console.print(f"[red]breach[/]: {line}", markup=True, highlight=False)
    raise typer.Exit(BREACH_EXIT)
