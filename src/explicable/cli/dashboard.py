"""``explicable dashboard MODEL DATA``: an interactive page over a model and its data, served on this machine.

``explicable dashboard --example lesions`` (the shipped lesion CNN on held-out generated images with their
masks: Grad-CAM, Integrated Gradients, SmoothGrad and TCAV side by side) or ``--example sentiment`` (the
shipped sentiment transformer on the probe sentences: token heat-text, attention and its validation) serves a
shipped image or text model instead; MODEL and DATA are then not given.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable.cli.fairness import split_columns
from explicable.core.errors import InvalidParameterError
from explicable.dashboard import DashboardServer, DashboardState, DeepDashboardState
from explicable.dashboard._deep import EXAMPLES, example_state
from explicable.io import read_table
from explicable.models import load_model

__all__ = ["dashboard"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def dashboard(
    model: Annotated[Path | None, typer.Argument(help="Model file (as for `explicable explain`).")] = None,
    data: Annotated[Path | None, typer.Argument(help="Rows: CSV or Parquet with the model's columns (and, for the "
                                                "fairness tab, the true outcome and the sensitive columns).")] = None,
    *,
    example: Annotated[str | None, typer.Option(help="Serve a shipped image or text model instead of MODEL and "
                                                "DATA: 'lesions' (a CNN on generated skin images with lesion masks) "
                                                "or 'sentiment' (a MiniLM sentiment classifier on probe "
                                                "sentences).")] = None,
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
    counterfactuals, what-if edits with live re-scoring, and the fairness audit; or, with --example, an image
    or text model's explanations side by side. Ctrl-C stops it."""
    state: DashboardState | DeepDashboardState
    if example is not None:
        state = _example(example, model, data, {"--target": target, "--sensitive": sensitive,
                                                "--positive": positive}, seed)
        label = f"the {example} example ({state.n_items} {'images' if state.kind == 'image' else 'texts'})"
    elif model is None or data is None:
        raise InvalidParameterError(f"Give MODEL and DATA (a model file and a data file), or --example "
                                    f"{'|'.join(EXAMPLES)}.", parameter="MODEL" if model is None else "DATA")
    else:
        adapter = load_model(model, trust=trust)
        table = read_table(data)
        columns = [str(c) for c in table.columns]
        target_column = split_columns(target, columns, "--target")[0] if target is not None else None
        groups = split_columns(sensitive, columns, "--sensitive") if sensitive is not None else []
        state = DashboardState(adapter, table, target=target_column, sensitive=groups, positive=positive,
                               random_state=seed)
        label = f"{model.name} on {data.name} ({len(table)} rows)"
    try:
        server = DashboardServer(state, host=host, port=port)
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        raise InvalidParameterError(parameter="--port", expected="a free port on an address of this machine",
                                    got=f"{host}:{port} ({exc.strerror or exc})") from None
    console = Console(highlight=False)
    if host not in _LOOPBACK:
        console.print(f"warning: listening on {host}: anyone who can reach this machine can see the data.",
                      markup=False)
    console.print(f"Dashboard for {label}: {server.url}  (Ctrl-C stops it)", markup=False)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("Stopped.", markup=False)


def _example(name: str, model: Path | None, data: Path | None, tabular: dict[str, str | None],
             seed: int) -> DeepDashboardState:
    """The shipped example's state, after refusing what does not go with it (one readable line, exit 2)."""
    if name not in EXAMPLES:
        raise InvalidParameterError(parameter="--example", expected=" or ".join(EXAMPLES), got=name)
    if model is not None or data is not None:
        raise InvalidParameterError(f"--example serves a shipped model on its own inputs: give no MODEL or DATA "
                                    f"with it (got {model if model is not None else data}).", parameter="--example")
    given = [option for option, value in tabular.items() if value is not None]
    if given:
        raise InvalidParameterError(f"{given[0]} is for tabular data: it cannot be used with --example.",
                                    parameter=given[0])
    return example_state(name, random_state=seed)
