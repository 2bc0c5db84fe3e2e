"""``explicable demo``: the main job on the embedded German credit data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli._render import render_demo
from explicable.jobs import run_demo

__all__ = ["demo"]


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the explanation JSON.")] = Path("explicable-out"),
    seed: Annotated[int, typer.Option(help="Seed of the data split and the model.")] = 0,
) -> None:
    """Train a credit model on German credit data, explain the first declined applicant."""
    result = run_demo(random_state=seed)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo-explanation.json"
    result.explanation.to_json(path, indent=2)
    render_demo(Console(), result, str(path))
