"""MLflow logging: the artifacts and metrics land in a local tracking store and read back equal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

mlflow = pytest.importorskip("mlflow")

from explicable.core.errors import InvalidParameterError  # noqa: E402
from explicable.core.explanation import Explanation  # noqa: E402
from explicable.monitoring import attribution_drift, log_to_mlflow  # noqa: E402


def _explanation(seed: int, shift: float = 0.0) -> Explanation:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(300, 4, 1)) * np.array([3.0, 2.0, 1.0, 0.5])[None, :, None]
    values[:, 1] += shift
    return Explanation(values, np.zeros((300, 1)), ["a", "b", "c", "d"], ["y"])


def _store(tmp_path: Path) -> str:
    """A local SQLite tracking store whose experiment keeps its artifacts under tmp_path."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.MlflowClient(tracking_uri=uri).create_experiment("explicable", artifact_location=(tmp_path / "a").as_uri())
    return uri


def test_logged_artifacts_and_metrics_read_back(tmp_path: Path) -> None:
    uri = _store(tmp_path)
    reference, current = _explanation(0), _explanation(1, shift=4.0)
    drift = attribution_drift(reference, current, random_state=0)
    report = tmp_path / "drift.html"
    report.write_text("<html></html>", encoding="utf-8")
    run_id = log_to_mlflow(explanation=current, drift=drift, report=report, tracking_uri=uri,
                           experiment="explicable", run_name="t")
    run = mlflow.MlflowClient(tracking_uri=uri).get_run(run_id)
    assert run.data.metrics["drift_ndcg"] == pytest.approx(drift.ndcg)
    assert run.data.metrics["drift_alerts"] == len(drift.alerts) > 0
    assert run.data.metrics["drift_max_psi"] == pytest.approx(float(drift.per_feature["psi"].max()))
    assert run.data.tags["explicable.method"] == current.provenance.method
    folder = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="explicable", tracking_uri=uri))
    assert sorted(p.name for p in folder.iterdir()) == ["drift.html", "drift.json", "explanation.json"]
    assert json.loads((folder / "drift.json").read_text())["alerts"] == drift.alerts
    assert Explanation.from_json((folder / "explanation.json").read_text()).values.tobytes() == \
        current.values.tobytes()


def test_a_missing_report_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="report"):
        log_to_mlflow(report=tmp_path / "nope.html", tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
