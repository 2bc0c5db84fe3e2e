"""`explicable fairness` (exit 3 on a policy breach), `reasons` and `counterfactual`, on a model with a planted bias."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost

import explicable
from explicable.cli.main import main


@pytest.fixture(scope="module")
def biased(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Group 1 is selected at about 2/3, group 0 at about 1/3, through the model's feature g."""
    root = tmp_path_factory.mktemp("fair")
    rng = np.random.default_rng(4)
    n = 600
    frame = pd.DataFrame({"g": rng.integers(0, 2, n).astype(float), "x": rng.normal(size=n)})
    y = (frame.x + 0.9 * (frame.g - 0.5) + rng.normal(0, 0.3, n) > 0).astype(int)
    model = xgboost.XGBClassifier(n_estimators=30, max_depth=3).fit(frame, y)
    model.save_model(root / "model.json")
    frame.assign(y=y).to_csv(root / "data.csv", index=False)
    fair = frame.assign(g=0.0)
    xgboost.XGBClassifier(n_estimators=30, max_depth=3).fit(fair, y).save_model(root / "fair.json")
    (root / "loose.json").write_text(json.dumps({"four_fifths": {"threshold": 0.2}}))
    (root / "strict.json").write_text(json.dumps({"max_difference": {"demographic_parity_difference": 0.05}}))
    return {"model": root / "model.json", "fair": root / "fair.json", "data": root / "data.csv",
            "loose": root / "loose.json", "strict": root / "strict.json"}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_breach_of_the_four_fifths_rule_exits_3(biased: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["fairness", str(biased["model"]), str(biased["data"]), "--target", "y", "--sensitive", "g", "--seed", "0"]
    code, out, _ = run(args, capsys)
    frame = pd.read_csv(biased["data"])
    model = xgboost.XGBClassifier()
    model.load_model(biased["model"])
    rates = pd.Series(model.predict(frame[["g", "x"]])).groupby(frame.g).mean()
    assert rates[0.0] / rates[1.0] < 0.8  # the planted bias, measured directly
    assert code == 3 and "four-fifths" in out and "breach" in out and f"{rates[0.0]:.3f}" in out
    assert run([*args, "--policy", str(biased["loose"])], capsys)[0] == 0
    assert run([*args, "--policy", str(biased["strict"])], capsys)[0] == 3


def test_a_model_blind_to_the_group_passes(biased: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    # a model without g can still differ by group through x, but not four-fold here: x is independent of g
    args = ["fairness", str(biased["fair"]), str(biased["data"]), "--target", "y", "--sensitive", "g", "--seed", "0"]
    code, out, err = run(args, capsys)
    assert code == 0, out + err
    assert "policy holds" in out


@pytest.mark.parametrize(("extra", "parameter"), [(["--sensitive", "nope"], "--sensitive"),
                                                   (["--sensitive", "g", "--positive", "7"], "positive")])
def test_bad_input_is_one_line(biased: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: list[str],
                               parameter: str) -> None:
    code, out, err = run(["fairness", str(biased["model"]), str(biased["data"]), "--target", "y", *extra], capsys)
    assert code == 2 and out == "" and parameter in err and len(err.strip().splitlines()) == 1


def test_reasons_for_one_row(biased: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.read_csv(biased["data"]).drop(columns=["y"])
    data = biased["data"].with_name("rows.csv")
    frame.to_csv(data, index=False)
    model = xgboost.XGBClassifier()
    model.load_model(biased["model"])
    row = int(np.argmax(model.predict_proba(frame)[:, 1]))
    code, out, err = run(["reasons", str(biased["model"]), str(data), "--row", str(row), "--k", "2"], capsys)
    assert code == 0, err
    exp = explicable.explain(model, frame.iloc[[row]])
    pushing = [f for f, v in zip(exp.feature_names, exp.values[0, :, -1], strict=True) if v > 0]
    assert pushing and all(f"{f.upper()}: " in out.upper() for f in pushing)
    code, _, err = run(["reasons", str(biased["model"]), str(data), "--row", "9999"], capsys)
    assert code == 2 and "--row" in err


def test_counterfactual_for_one_row_keeps_immutable_features(biased: dict[str, Path],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.read_csv(biased["data"]).drop(columns=["y"])
    data = biased["data"].with_name("cf.csv")
    frame.to_csv(data, index=False)
    model = xgboost.XGBClassifier()
    model.load_model(biased["model"])
    row = int(np.argmin(model.predict_proba(frame)[:, 1]))
    args = ["counterfactual", str(biased["model"]), str(data), "--row", str(row), "--immutable", "g", "--seed", "0"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    found = explicable.Counterfactuals(model, immutable=["g"], random_state=0).fit(frame).explain(frame.iloc[[row]])[0]
    assert found.n_found > 0 and set(found.changes()["feature"]) == {"x"}  # only x may move, and it must
    assert (model.predict(found.counterfactuals[["g", "x"]]) == 1).all()
    assert "changes for row" in out and " x " in out
    assert run([*args[:-4], "--immutable", "nope"], capsys)[0] == 2
