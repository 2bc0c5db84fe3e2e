"""`explicable monitor`: exit 0 without drift, 3 with (alerts printed, report written), 2 for bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import typer

from explicable.audit import open_store
from explicable.cli.monitor import monitor
from explicable.core.errors import ExplicableError
from explicable.core.explanation import Explanation


def run(args: list[str]) -> int:
    """The command as main.py runs a registered one: ExplicableError -> 2, typer.Exit -> its code."""
    app = typer.Typer()
    app.command()(monitor)
    app.command("unused")(lambda: None)  # two commands: typer keeps the subcommand name
    try:
        result = app(args=["monitor", *args], standalone_mode=False)
    except ExplicableError:
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    return result if isinstance(result, int) else 0


def window(seed: int, scale: list[float], n: int = 300) -> Explanation:
    values = np.random.default_rng(seed).normal(size=(n, 3, 1)) * np.array(scale)[None, :, None]
    return Explanation(values, np.zeros((n, 1)), ["a", "b", "c"], ["y"])


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    window(0, [3, 2, 1]).to_json(tmp_path / "ref.json")
    window(1, [3, 2, 1]).to_json(tmp_path / "same.json")
    window(2, [0.5, 2, 3]).to_json(tmp_path / "moved.json")
    return {"ref": tmp_path / "ref.json", "same": tmp_path / "same.json", "moved": tmp_path / "moved.json",
            "out": tmp_path / "drift.html"}


def test_no_drift_exits_0_and_writes_the_report(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--reference", str(files["ref"]), "--current", str(files["same"]), "--out", str(files["out"])])
    assert code == 0
    assert "no alert" in capsys.readouterr().out
    assert "<svg" in files["out"].read_text(encoding="utf-8")


def test_drift_exits_3_and_prints_the_alerts(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--reference", str(files["ref"]), "--current", str(files["moved"]), "--out", str(files["out"])])
    assert code == 3
    out = capsys.readouterr().out
    assert "ALERT: ndcg" in out and "'a'" in out


def test_options_override_defaults(files: dict[str, Path]) -> None:
    args = ["--reference", str(files["ref"]), "--current", str(files["moved"]), "--out", str(files["out"])]
    assert run([*args, "--ndcg-min", "0.1", "--psi-max", "1000", "--ks-alpha", "1e-300"]) == 0


def test_policy_thresholds_are_read(files: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("explicable.monitoring.policy")
    policy = tmp_path / "policy.yaml"
    policy.write_text("drift:\n  ndcg_min: 0.1\n  psi_max: 1000\n  ks_alpha: 1.0e-300\n")
    args = ["--reference", str(files["ref"]), "--current", str(files["moved"]), "--out", str(files["out"])]
    assert run([*args, "--policy", str(policy)]) == 0
    assert run([*args, "--policy", str(policy), "--ndcg-min", "0.99"]) == 3  # an option beats the policy


def test_bad_input_exits_2(files: dict[str, Path], tmp_path: Path) -> None:
    assert run(["--reference", str(files["ref"])]) == 2
    assert run(["--reference", str(tmp_path / "none.json"), "--current", str(files["same"])]) == 2
    assert run(["--audit-db", "sqlite:///" + str(tmp_path / "none.db")]) == 2
    assert run(["--audit-db", "sqlite://", "--window", "soon"]) == 2


def test_audit_db_windows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    end = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    store = open_store(url)
    for i, (hours, exp) in enumerate([(30, window(0, [3, 2, 1])), (3, window(2, [0.5, 2, 3]))]):
        store.append({"decision_id": f"d{i}", "time": (end - dt.timedelta(hours=hours)).isoformat(), "status": "ok",
                      "model": "m", "explanation": {"feature_names": list(exp.feature_names),
                                                    "output_names": list(exp.output_names),
                                                    "values": exp.values.tolist(),
                                                    "base_values": exp.base_values.tolist()}})
    store.close()
    code = run(["--audit-db", url, "--window", "1d", "--end", end.isoformat(), "--out", str(tmp_path / "d.html")])
    assert code == 3
    assert "300 reference rows, 300 current rows" in capsys.readouterr().out


def test_mlflow_uri_logs_the_drift_and_the_report(files: dict[str, Path], tmp_path: Path) -> None:
    mlflow = pytest.importorskip("mlflow")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=uri)
    client.create_experiment("drift", artifact_location=(tmp_path / "artifacts").as_uri())
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("drift")
    code = run(["--reference", str(files["ref"]), "--current", str(files["moved"]), "--out", str(files["out"]),
                "--mlflow-uri", uri])
    assert code == 3
    (run_info,) = client.search_runs([client.get_experiment_by_name("drift").experiment_id])
    assert run_info.data.metrics["drift_alerts"] > 0
    names = {a.path for a in client.list_artifacts(run_info.info.run_id, "explicable")}
    assert names == {"explicable/drift.json", f"explicable/{files['out'].name}"}
