"""``explicable audit MODEL DATA --target y --sensitive sex,age --out report.html``: the audit report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli.fairness import load_labelled
from explicable.reporting.report import audit_report

__all__ = ["audit"]


def audit(
    model: Annotated[Path, typer.Argument(help="Model file (as for `explicable explain`): a binary classifier.")],
    data: Annotated[Path, typer.Argument(help="Labelled rows: CSV or Parquet with the model's columns, the target "
                                         "and the sensitive attributes.")],
    target: Annotated[str, typer.Option(help="Column of DATA with the true outcome.")],
    sensitive: Annotated[str | None, typer.Option(help="Comma-separated sensitive columns.")] = None,
    favorable: Annotated[str | None, typer.Option(help="The favourable outcome value (default 1).")] = None,
    threshold: Annotated[float, typer.Option(help="Decision threshold on the favourable score.")] = 0.5,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("explicable-out/audit-report.html"),
    seed: Annotated[int, typer.Option(help="Seed of every sampled step.")] = 0,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print it to PDF beside the HTML (needs Chromium).")] = False,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
) -> None:
    """Write one self-contained HTML audit report (opens offline) and print its path."""
    adapter, table, target_column, groups = load_labelled(model, data, target, sensitive, trust=trust)
    report = audit_report(adapter, table, target=target_column, sensitive=groups, favorable=favorable,
                          threshold=threshold, random_state=seed)
    path = report.write(out)
    console = Console(highlight=False)
    console.print(f"audit report written to {path} ({len(report.sections)} sections, {report.seconds:.1f} s)",
                  markup=False)
    if pdf:
        console.print(f"PDF written to {report.write_pdf(path.with_suffix('.pdf'))}", markup=False)
