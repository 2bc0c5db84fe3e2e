"""``explicable demo``: the main job on the embedded German credit data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli._render import render_demo
from explicable.jobs import run_demo
from explicable.reporting.report import audit_report

__all__ = ["demo"]


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the explanation JSON and the audit report.")] = Path(
        "explicable-out"),
    seed: Annotated[int, typer.Option(help="Seed of the data split and the model.")] = 0,
) -> None:
    """Train a credit model on German credit data, explain the first declined applicant, write the audit report."""
    result = run_demo(random_state=seed)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo-explanation.json"
    result.explanation.to_json(path, indent=2)
    console = Console()
    render_demo(console, result, str(path))
    report = audit_report(result.model, result.audit_data, target="credit", sensitive=["sex"], favorable="good",
                          random_state=seed, title="German credit model: audit report")
    console.print(f"Audit report written to {report.write(out / 'audit-report.html')} ({report.seconds:.1f} s)",
                  highlight=False)
