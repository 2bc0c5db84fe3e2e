"""``explicable monitor``: attribution drift between two windows of explanations; exit 3 on a breach.

Windows come from Explanation JSON files (``--reference REF --current CUR``, a file or a folder each) or from
the service's audit store (``--audit-db URL --window 1d``: the current window ends now, the reference is the
window before it). Thresholds: an option given here, else the policy file's ``drift`` section, else the
defaults of :func:`explicable.monitoring.attribution_drift`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from explicable.core.errors import InvalidParameterError
from explicable.monitoring import attribution_drift, audit_windows, load_explanations, write_drift_report

__all__ = ["BREACH_EXIT", "monitor"]

#: Exit status when a drift threshold is breached (0 ok, 1 internal error, 2 bad input).
BREACH_EXIT = 3
_DEFAULTS: dict[str, float | None] = {"ndcg_min": 0.9, "psi_max": 0.2, "ks_alpha": 0.01, "mean_abs_change_max": None}


def _policy_thresholds(policy: Path | None) -> dict[str, float | None]:
    """The ``drift`` thresholds of the policy file (empty without one)."""
    if policy is None:
        return {}
    try:
        from explicable.monitoring.policy import load_policy
    except ImportError:
        raise InvalidParameterError(parameter="--policy", expected="a version of explicable with policy files",
                                    got=str(policy)) from None
    drift = load_policy(policy).drift
    return {name: getattr(drift, name, None) for name in _DEFAULTS}


def _thresholds(options: dict[str, float | None], policy: Path | None) -> dict[str, float | None]:
    from_policy = _policy_thresholds(policy)
    out = dict(_DEFAULTS)
    for name in _DEFAULTS:
        for source in (options, from_policy):
            if source.get(name) is not None:
                out[name] = source[name]
                break
    return out


def _impact_ratio_min(policy: Path | None) -> float:
    if policy is None:
        return 0.8
    from explicable.monitoring.policy import load_policy

    fairness = load_policy(policy).fairness
    value = getattr(fairness, "impact_ratio_min", None) if fairness is not None else None
    return 0.8 if value is None else float(value)


def _windows(reference: Path | None, current: Path | None, audit_db: str | None, window: str, end: str | None,
             model: str | None) -> tuple[list[Any], list[Any]]:
    if audit_db is not None:
        if reference is not None or current is not None:
            raise InvalidParameterError(parameter="--audit-db", expected="either --audit-db or --reference and "
                                        "--current, not both", got=audit_db)
        stop = None
        if end is not None:
            try:
                stop = _dt.datetime.fromisoformat(end)
            except ValueError:
                raise InvalidParameterError(parameter="--end", expected="an ISO-8601 time", got=end) from None
        return audit_windows(audit_db, window, end=stop, model=model)
    if reference is None or current is None:
        raise InvalidParameterError(parameter="--reference/--current", expected="both (or --audit-db URL)",
                                    got=f"reference={reference}, current={current}")
    return load_explanations(reference), load_explanations(current)


def monitor(
    reference: Annotated[Path | None, typer.Option(help="Reference window: an Explanation JSON file or a folder "
                                                   "of them.")] = None,
    current: Annotated[Path | None, typer.Option(help="Current window: a file or a folder, as --reference.")] = None,
    audit_db: Annotated[str | None, typer.Option(help="Read both windows from the service's audit store "
                                                 "(sqlite:///audit.db) instead of files.")] = None,
    window: Annotated[str, typer.Option(help="With --audit-db: each window's length (30m, 12h, 1d, 2w).")] = "1d",
    end: Annotated[str | None, typer.Option(help="With --audit-db: end of the current window, ISO-8601 "
                                            "(default now).")] = None,
    model: Annotated[str | None, typer.Option(help="With --audit-db: only this served model's decisions.")] = None,
    policy: Annotated[Path | None, typer.Option(help="Policy YAML whose `drift` section sets the "
                                                "thresholds.")] = None,
    out: Annotated[Path, typer.Option(help="The HTML drift report to write.")] = Path("drift.html"),
    output: Annotated[str | None, typer.Option(help="Output (class) compared; default the only one, or the "
                                               "last of two.")] = None,
    top_k: Annotated[int | None, typer.Option(help="nDCG over the top K ranks only.")] = None,
    ndcg_min: Annotated[float | None, typer.Option(help="Alert when nDCG is below (default 0.9).")] = None,
    psi_max: Annotated[float | None, typer.Option(help="Alert when an attribution PSI is above (default "
                                                  "0.2).")] = None,
    ks_alpha: Annotated[float | None, typer.Option(help="Family-wise level of the KS tests (default "
                                                   "0.01).")] = None,
    mean_abs_change_max: Annotated[float | None, typer.Option(help="Alert when mean |phi| changes by more than "
                                                              "this fraction (default: not checked).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap intervals.")] = 0,
    sensitive: Annotated[str | None, typer.Option(help="Fairness drift: the feature (in the explanations' data) "
                                                  "holding each row's group; decisions are output >= "
                                                  "--decision-threshold.")] = None,
    decision_threshold: Annotated[float, typer.Option(help="With --sensitive: the decision threshold on the "
                                                      "explained output, in its output space.")] = 0.5,
    mlflow_uri: Annotated[str | None, typer.Option(help="Also log the result and the report to this MLflow "
                                                   "tracking store (e.g. sqlite:///mlflow.db).")] = None,
) -> None:
    """Compare the current window's attributions with the reference's; write the report; exit 3 on a breach."""
    limits = _thresholds({"ndcg_min": ndcg_min, "psi_max": psi_max, "ks_alpha": ks_alpha,
                          "mean_abs_change_max": mean_abs_change_max}, policy)
    ref, cur = _windows(reference, current, audit_db, window, end, model)
    result = attribution_drift(ref, cur, output=output, top_k=top_k, ndcg_threshold=float(limits["ndcg_min"] or 0.9),
                               psi_threshold=float(limits["psi_max"] or 0.2), alpha=float(limits["ks_alpha"] or 0.01),
                               mean_abs_change_max=limits["mean_abs_change_max"], random_state=seed,
                               sensitive=sensitive, decision_threshold=decision_threshold,
                               impact_ratio_min=_impact_ratio_min(policy))
    written = write_drift_report(result, out)
    console = Console(highlight=False)
    console.print(result.summary(), markup=False)
    console.print(f"report: {written}", markup=False)
    if mlflow_uri is not None:
        from explicable.monitoring import log_to_mlflow

        run_id = log_to_mlflow(drift=result, report=written, tracking_uri=mlflow_uri, run_name="explicable monitor")
        console.print(f"MLflow run: {run_id}", markup=False)
    if result.breached:
        raise typer.Exit(BREACH_EXIT)
