"""``explicable check MODEL DATA --policy policy.yaml [--target y] [--junit out.xml]``: the interpretability CI gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli.fairness import BREACH_EXIT, split_columns
from explicable.io import read_table
from explicable.models import load_model
from explicable.monitoring._checks import run_checks
from explicable.monitoring.policy import load_policy

__all__ = ["check"]

def check(
    model: Annotated[Path, typer.Argument(help="Model file (as for `explicable explain`).")],
    data: Annotated[Path, typer.Argument(help="Rows to check: CSV or Parquet with the model's columns (and the "
                                         "target and sensitive columns for fairness checks).")],
    policy: Annotated[Path, typer.Option(help="YAML policy of thresholds (see docs/ci-gate.md).")],
    target: Annotated[str | None, typer.Option(help="Column of DATA with the true outcome.")] = None,
    junit: Annotated[Path | None, typer.Option(help="Write the checks as JUnit XML here.")] = None,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
    mlflow_uri: Annotated[str | None, typer.Option(help="Also log the results to this MLflow tracking store (e.g. "
                                                   "sqlite:///mlflow.db).")] = None,
) -> None:
    """Run the policy's checks; one line per check; exit 0 when all pass, 3 when any fails, 2 on bad input."""
    rules = load_policy(policy)  # a bad policy stops here, before the model is loaded
    adapter = load_model(model, trust=trust)
    table = read_table(data)
    target_column = split_columns(target, [str(c) for c in table.columns], "--target")[0] if target else None
    report = run_checks(adapter, table, rules, target=target_column)
    console = Console(highlight=False, soft_wrap=True)
    for line in report.lines():
        console.print(line, markup=False)  # messages may hold brackets rich would read as markup
    if junit is not None:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_text(report.to_junit_xml(), encoding="utf-8")
        console.print(f"JUnit XML written to {junit}", markup=False)
    if mlflow_uri is not None:
        from explicable.monitoring import log_to_mlflow

        run_id = log_to_mlflow(checks=report, tracking_uri=mlflow_uri, run_name="explicable check")
        console.print(f"MLflow run: {run_id}", markup=False)
    failed = len(report.failures)
    console.print(f"{len(report.checks)} checks, {failed} failed ({report.seconds:.1f} s)", markup=False)
    if failed:
        raise typer.Exit(BREACH_EXIT)
