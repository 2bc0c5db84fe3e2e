"""Entry point: the typer app and the error policy (exit 0 ok, 2 bad input, 1 internal error, 3 a gate breached)."""

from __future__ import annotations

import os
import sys
import warnings

import typer
from rich.console import Console

from explicable.cli import audit as audit_command
from explicable.cli import audit_trail as audit_trail_command
from explicable.cli import check as check_command
from explicable.cli import counterfactual as counterfactual_command
from explicable.cli import dashboard as dashboard_command
from explicable.cli import demo as demo_command
from explicable.cli import explain as explain_command
from explicable.cli import explain_batch as explain_batch_command
from explicable.cli import fairness as fairness_command
from explicable.cli import monitor as monitor_command
from explicable.cli import reasons as reasons_command
from explicable.cli import serve as serve_command
from explicable.core.errors import ExplicableError

__all__ = ["app", "main", "route"]

app = typer.Typer(
    name="explicable",
    help="Explain machine-learning models: attributions, checks, audits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("explain")(explain_command.explain)
app.command("explain-batch")(explain_batch_command.explain_batch)
app.command("demo")(demo_command.demo)
app.command("fairness")(fairness_command.fairness)
app.command("reasons")(reasons_command.reasons)
app.command("counterfactual")(counterfactual_command.counterfactual)
# `explicable audit MODEL DATA ...` writes the report; `explicable audit verify|export|prune STORE` reads the trail
audit_app = typer.Typer(help="The audit report (default) and the audit trail.", no_args_is_help=True)
audit_app.command("report")(audit_command.audit)
audit_app.command("verify")(audit_trail_command.verify)
audit_app.command("export")(audit_trail_command.export)
audit_app.command("prune")(audit_trail_command.prune)
app.add_typer(audit_app, name="audit")
AUDIT_COMMANDS = frozenset({"report", "verify", "export", "prune", "--help", "-h"})
app.command("dashboard")(dashboard_command.dashboard)
app.command("serve")(serve_command.serve)
app.command("check")(check_command.check)
app.command("monitor")(monitor_command.monitor)

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _warn(message: warnings.WarningMessage | Warning | str, *args: object, **kwargs: object) -> None:
    _err.print(f"warning: {message}")


def route(args: list[str]) -> list[str]:
    """``audit MODEL DATA ...`` means ``audit report MODEL DATA ...`` (the report came first)."""
    if len(args) >= 2 and args[0] == "audit" and args[1] not in AUDIT_COMMANDS:
        return ["audit", "report", *args[1:]]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and exits with) the exit code."""
    warnings.showwarning = _warn
    try:
        # without standalone mode, click returns a command's typer.Exit code instead of raising it
        result = app(args=route(sys.argv[1:] if argv is None else argv), standalone_mode=False)
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
