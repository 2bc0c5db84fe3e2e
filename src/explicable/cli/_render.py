"""Rendering library results for the terminal (rich tables)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from explicable.core.explanation import Explanation
from explicable.jobs.demo import DemoResult

__all__ = ["render_demo", "render_explanation", "render_frame"]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render_explanation(console: Console, exp: Explanation, rows: list[int]) -> None:
    """One table per explained row: feature, value and the attribution to each output."""
    prov = exp.provenance
    spent = f" · {prov.budget_used} coalitions per row · seed {prov.random_state}" if prov.budget_used else ""
    console.print(f"[bold]method[/] {prov.method} · values in {prov.output_space} space · "
                  f"{prov.elapsed_seconds:.3f} s{spent}")
    for i, row in enumerate(rows):
        table = Table(title=f"row {row}", title_justify="left")
        table.add_column("feature")
        table.add_column("value")
        for name in exp.output_names:
            table.add_column(f"→ {name}", justify="right")
        for j, feature in enumerate(exp.feature_names):
            value = _fmt(exp.data[i, j]) if exp.data is not None else ""
            cells = [f"{exp.values[i, j, k]:+.4f}" + (f" ± {exp.stderr[i, j, k]:.4f}" if exp.stderr is not None else "")
                     for k in range(exp.shape[2])]
            table.add_row(feature, value, *cells)
        totals = exp.output_totals[i]
        table.add_row("[dim]base[/]", "", *[f"{b:+.4f}" for b in exp.base_values[i]])
        table.add_row("[bold]output[/]", "", *[f"[bold]{t:+.4f}[/]" for t in totals])
        console.print(table)


def render_demo(console: Console, result: DemoResult, path: str) -> None:
    """The declined applicant, the score and the principal factors."""
    console.print(f"German credit model (XGBoost in a scikit-learn Pipeline), held-out accuracy "
                  f"{result.test_accuracy:.1%}.")
    console.print(f"Applicant {result.applicant} is declined: P(bad credit) = {result.probability_bad:.1%} "
                  f"(threshold {result.threshold:.0%}).")
    table = Table(title="Principal factors toward the decline (exact TreeSHAP, log-odds of 'bad')",
                  title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("feature")
    table.add_column("applicant's value")
    table.add_column("contribution", justify="right")
    for rank, factor in enumerate(result.factors, start=1):
        table.add_row(str(rank), factor.feature, _fmt(factor.value), f"{factor.contribution:+.3f}")
    console.print(table)
    exp = result.explanation
    console.print(f"base log-odds {exp.base_values[0, 0]:+.3f} + sum of contributions "
                  f"{exp.values[0, :, 0].sum():+.3f} = {exp.output_totals[0, 0]:+.3f}")
    console.print(f"Explanation written to {path}")


def render_frame(console: Console, title: str, frame: pd.DataFrame) -> None:
    """A data frame as a rich table (numbers to 4 significant digits)."""
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(str(column), justify="right" if pd.api.types.is_numeric_dtype(frame[column]) else "left")
    for values in frame.itertuples(index=False):
        table.add_row(*[_fmt(v) for v in values])
    console.print(table)
