"""Entry point: the typer app and the error policy (exit 0 ok, 2 bad input, 1 internal error, 3 a gate breached)."""

from __future__ import annotations

import os
import sys
import warnings

import typer
from rich.console import Console

from explicable.cli import audit as audit_command
from explicable.cli import counterfactual as counterfactual_command
from explicable.cli import dashboard as dashboard_command
from explicable.cli import demo as demo_command
from explicable.cli import explain as explain_command
from explicable.cli import fairness as fairness_command
from explicable.cli import reasons as reasons_command
from explicable.core.errors import ExplicableError

__all__ = ["app", "main"]

app = typer.Typer(
    name="explicable",
    help="Explain machine-learning models: attributions, checks, audits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("explain")(explain_command.explain)
app.command("demo")(demo_command.demo)
app.command("fairness")(fairness_command.fairness)
app.command("reasons")(reasons_command.reasons)
app.command("counterfactual")(counterfactual_command.counterfactual)
app.command("audit")(audit_command.audit)
app.command("dashboard")(dashboard_command.dashboard)

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _warn(message: warnings.WarningMessage | Warning | str, *args: object, **kwargs: object) -> None:
    _err.print(f"warning: {message}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and exits with) the exit code."""
    warnings.showwarning = _warn
    try:
        # without standalone mode, click returns a command's typer.Exit code instead of raising it
        result = app(args=argv, standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except ExplicableError as exc:
        _err.print(f"error: {exc}", markup=False)
        code = 2
    except typer.Abort:
        code = 130
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument (exit code 2)
        message = exc.format_message()
        if message:  # a bare `explicable` has already printed the help
            _err.print(f"error: {message}", markup=False)
        code = int(exc.exit_code)
    except typer.Exit as exc:
        code = int(exc.exit_code or 0)
    except Exception as exc:
        if os.environ.get("EXPLICABLE_DEBUG"):
            raise
        _err.print(f"internal error: {type(exc).__name__}: {exc} (set EXPLICABLE_DEBUG=1 for the traceback)",
                   markup=False)
        code = 1
    if argv is None:
        sys.exit(code)
    return code
