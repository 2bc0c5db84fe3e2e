"""The CLI: exit codes 0 / 2 / 1, one readable line on bad input, no traceback."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.linear_model import LinearRegression

from explicable import Explanation
from explicable.cli import explain as explain_cli
from explicable.cli.main import main


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = (frame.a + frame.b > 0).astype(int)
    model = xgboost.XGBClassifier(n_estimators=10, max_depth=3).fit(frame, y)
    model.save_model(root / "model.json")
    frame.to_csv(root / "data.csv", index=False)
    linear = LinearRegression().fit(frame, frame.a * 2 - frame.c)
    (root / "linear.pkl").write_bytes(pickle.dumps(linear))
    return {"model": root / "model.json", "data": root / "data.csv", "pickle": root / "linear.pkl", "root": root}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_table(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["explain", str(files["model"]), str(files["data"]), "--rows", "0:2"], capsys)
    assert code == 0, err
    assert "row 0" in out and "row 1" in out and "row 2" not in out and "log-odds" in out


def test_explain_json_is_an_explanation(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", str(files["model"]), str(files["data"]), "--rows", "3,5", "--format", "json"],
                       capsys)
    assert code == 0
    exp = Explanation.from_dict(json.loads(out))
    frame = pd.read_csv(files["data"])
    margin = xgboost.XGBClassifier()
    margin.load_model(files["model"])
    np.testing.assert_allclose(exp.output_totals[:, 1], margin.predict(frame.iloc[[3, 5]], output_margin=True),
                               atol=1e-6)


def test_pickle_needs_trust(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["explain", str(files["pickle"]), str(files["data"])], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: Refusing to load 'linear.pkl'") and "arbitrary code" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, out, err = run(["explain", str(files["pickle"]), str(files["data"]), "--trust", "--rows", "0"], capsys)
    assert code == 0, err
    assert "linear" in out  # default background (all of DATA) for the linear method


@pytest.mark.parametrize(("args", "match"), [
    (["explain", "{model}", "{data}", "--rows", "0:999x"], "--rows"),
    (["explain", "{model}", "{data}", "--rows", "70"], "rows within 0..59"),
    (["explain", "{model}", "{data}", "--format", "xml"], "--format"),
    (["explain", "{model}", "{data}", "--method", "gradcam"], "does not apply"),
    (["explain", "{root}/missing.json", "{data}"], "does not exist"),
    (["explain", "{model}", "{root}/missing.csv"], "does not exist"),
    (["explain", "{model}"], "Missing argument"),
    (["explain", "--nope"], "No such option"),
])
def test_bad_input_is_one_line_exit_2(args: list[str], match: str, files: dict[str, Path],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert match in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_data_with_extra_column_names_it(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.read_csv(files["data"]).assign(target=1)
    path = files["root"] / "extra.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(["explain", str(files["model"]), str(path)], capsys)
    assert code == 2 and "column 'target'" in err


def test_internal_error_exit_1(files: dict[str, Path], capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(explain_cli, "run_explain", boom)
    code, _, err = run(["explain", str(files["model"]), str(files["data"])], capsys)
    assert code == 1 and "internal error: RuntimeError: kaput" in err and "Traceback" not in err


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["explain", "--help"], ["demo", "--help"]):
        code, out, _ = run(args, capsys)
        assert code == 0 and "Usage" in out


def test_demo_writes_explanation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["demo", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "declined" in out and "Principal factors" in out
    exp = Explanation.from_json((tmp_path / "demo-explanation.json").read_text())
    assert exp.shape[0] == 1 and exp.output_names == ("bad",) and exp.provenance.method == "tree"
    assert "duration" in exp.feature_names and "status" in exp.feature_names
    report = tmp_path / "audit-report.html"
    assert str(report) in out.replace("\n", "") and 'data-section="fairness"' in report.read_text()


def test_sampled_method_with_budget_and_seed(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", str(files["model"]), str(files["data"]), "--rows", "0", "--method", "kernel", "--budget",
            "6", "--seed", "3"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "kernel" in out and "±" in out and "6 coalitions per row" in out and "seed 3" in out
    code, out, _ = run([*args, "--format", "json"], capsys)
    exp = Explanation.from_dict(json.loads(out))
    assert exp.provenance.random_state == 3 and exp.provenance.budget_used == 6 and exp.stderr is not None
