"""Log explanations, drift results, gate results and reports to MLflow (the ``mlflow`` extra: mlflow-skinny)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation

__all__ = ["log_to_mlflow"]


def log_to_mlflow(*, explanation: Explanation | None = None, drift: Any = None, checks: Any = None,
                  report: str | Path | None = None, tracking_uri: str | None = None, experiment: str | None = None,
                  run_name: str | None = None) -> str:
    """Log what explicable produced to the active MLflow run (or a new one), and return the run id.

    Artifacts go under ``explicable/``: the Explanation as JSON, the drift result as JSON, the gate's JUnit
    XML, and a report file (HTML). Metrics: ``drift_ndcg``, ``drift_alerts``, ``drift_max_psi``,
    ``checks_passed`` and ``checks_failed``; the explanation's method and output space become tags.

    Parameters
    ----------
    explanation : Explanation, optional
    drift : DriftResult, optional
        From :func:`explicable.monitoring.attribution_drift`.
    checks : CheckReport, optional
        From :func:`explicable.monitoring.run_checks`.
    report : path, optional
        A report file to attach (the audit or drift report).
    tracking_uri : str, optional
        Where runs are recorded, e.g. ``"sqlite:///mlflow.db"`` (MLflow 3 keeps its file store for old
        folders only); default MLflow's own (``$MLFLOW_TRACKING_URI``). Nothing leaves the machine unless it
        names a server.
    experiment : str, optional
        The experiment's name (created when missing); default the active one.
    run_name : str, optional
        Name of the run started when none is active.

    Returns
    -------
    str
        The run id.
    """
    try:
        import mlflow
    except ImportError:
        raise InvalidParameterError("Logging to MLflow needs mlflow: pip install explicable[mlflow].",
                                    parameter="mlflow", got=None) from None
    if report is not None and not Path(report).is_file():
        raise InvalidParameterError(parameter="report", expected="an existing report file", got=str(report))
    if tracking_uri is not None:
        mlflow.set_tracking_uri(tracking_uri)
    if experiment is not None:
        mlflow.set_experiment(experiment)
    active = mlflow.active_run()
    run = active if active is not None else mlflow.start_run(run_name=run_name)
    try:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            if explanation is not None:
                explanation.to_json(out / "explanation.json")
                mlflow.set_tags({"explicable.method": explanation.provenance.method,
                                 "explicable.output_space": explanation.provenance.output_space})
            if drift is not None:
                (out / "drift.json").write_text(json.dumps(drift.to_dict(), indent=1), encoding="utf-8")
                psi = drift.per_feature["psi"].to_numpy(dtype="float64")
                metrics = {"drift_ndcg": float(drift.ndcg), "drift_alerts": float(len(drift.alerts))}
                if np.isfinite(psi).any():
                    metrics["drift_max_psi"] = float(np.nanmax(psi))
                mlflow.log_metrics(metrics)
            if checks is not None:
                (out / "checks.xml").write_text(checks.to_junit_xml(), encoding="utf-8")
                failed = len(checks.failures)
                mlflow.log_metrics({"checks_passed": float(sum(c.passed for c in checks.checks)),
                                    "checks_failed": float(failed)})
            if report is not None:
                mlflow.log_artifact(str(report), artifact_path="explicable")
            if any(out.iterdir()):
                mlflow.log_artifacts(str(out), artifact_path="explicable")
        return str(run.info.run_id)
    finally:
        if active is None:
            mlflow.end_run()
