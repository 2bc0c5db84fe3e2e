"""``explicable dashboard MODEL DATA``: an interactive page over a model and its data, served on this machine."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli.fairness import split_columns
from explicable.core.errors import InvalidParameterError
from explicable.dashboard import DashboardServer, DashboardState
from explicable.io import read_table
from explicable.models import load_model

__all__ = ["dashboard"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def dashboard(
    model: Annotated[Path, typer.Argument(help="Model file (as for `explicable explain`).")],
    data: Annotated[Path, typer.Argument(help="Rows: CSV or Parquet with the model's columns (and, for the "
                                         "fairness tab, the true outcome and the sensitive columns).")],
    *,
    port: Annotated[int, typer.Option(help="Port to serve on (0: any free port).")] = 8050,
    host: Annotated[str, typer.Option(help="Interface to listen on; the default keeps the page on this "
                                      "machine.")] = "127.0.0.1",
    target: Annotated[str | None, typer.Option(help="Column of DATA with the true outcome (fairness tab).")] = None,
    sensitive: Annotated[str | None, typer.Option(help="Comma-separated sensitive columns (fairness tab; never "
                                                  "changed by counterfactuals).")] = None,
    positive: Annotated[str | None, typer.Option(help="Outcome value counted as positive in the fairness audit "
                                                 "(default 1).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the samples and sampled methods.")] = 0,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
    open_browser: Annotated[bool, typer.Option("--open-browser", help="Open the page in the default "
                                               "browser.")] = False,
) -> None:
    """Serve a local, offline web page: data overview, global importance, a row's explanation, reasons and
    counterfactuals, what-if edits with live re-scoring, and the fairness audit. Ctrl-C stops it."""
    adapter = load_model(model, trust=trust)
    table = read_table(data)
    columns = [str(c) for c in table.columns]
    target_column = split_columns(target, columns, "--target")[0] if target is not None else None
    groups = split_columns(sensitive, columns, "--sensitive") if sensitive is not None else []
    state = DashboardState(adapter, table, target=target_column, sensitive=groups, positive=positive,
                           random_state=seed)
    try:
        server = DashboardServer(state, host=host, port=port)
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        raise InvalidParameterError(parameter="--port", expected="a free port on an address of this machine",
                                    got=f"{host}:{port} ({exc.strerror or exc})") from None
    console = Console(highlight=False)
    if host not in _LOOPBACK:
        console.print(f"warning: listening on {host}: anyone who can reach this machine can see the data.",
                      markup=False)
    console.print(f"Dashboard for {model.name} on {data.name} ({len(table)} rows): {server.url}  (Ctrl-C stops it)",
                  markup=False)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("Stopped.", markup=False)
