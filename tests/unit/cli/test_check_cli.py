"""`explicable check MODEL DATA --policy policy.yaml`: exit 0 when the gate passes, 3 when a check fails, 2 on bad
input (a bad policy is one line naming key and line); the JUnit XML it writes parses with one case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import xgboost

from explicable.cli.check import check
from explicable.cli.main import app, main
from explicable.datasets import load_german_credit

POLICY = """\
rows: 30
quality:
  deletion_margin_min: 0.05
  top_k: {k: 3, min_stable_fraction: 0.9}
fairness:
  sensitive: [sex]
  impact_ratio_min: IMPACT
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not any(c.name == "check" for c in app.registered_commands):  # until main.py registers the command
        app.command("check")(check)
    root = tmp_path_factory.mktemp("check")
    frame = load_german_credit()
    y = (frame.pop("credit") == "good").astype(int)
    sex = frame.pop("sex")
    X = pd.get_dummies(frame, dtype=float)
    X.columns = [f"f{i}" for i in range(X.shape[1])]
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    model.save_model(root / "model.json")
    X.assign(credit=y, sex=sex).to_csv(root / "data.csv", index=False)
    (root / "pass.yaml").write_text(POLICY.replace("IMPACT", "0.5"))
    (root / "fail.yaml").write_text(POLICY.replace("IMPACT", "0.999"))
    (root / "bad.yaml").write_text(POLICY.replace("IMPACT", "0.8").replace("sensitive", "sensitve"))
    return {"model": root / "model.json", "data": root / "data.csv", "pass": root / "pass.yaml",
            "fail": root / "fail.yaml", "bad": root / "bad.yaml", "root": root}


def run(files: dict[str, Path], policy: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["check", str(files["model"]), str(files["data"]), "--policy", str(files[policy]), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_passing_gate_exits_0_and_writes_junit(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    junit = files["root"] / "reports" / "pass.xml"
    code, out, err = run(files, "pass", capsys, "--target", "credit", "--junit", str(junit))
    assert code == 0, out + err
    lines = [line for line in out.splitlines() if ": PASS" in line]
    assert [line.split(":")[0] for line in lines] == ["quality.deletion_margin", "quality.top_k_stability",
                                                      "fairness.impact_ratio"]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "0"
    assert len(suite.findall("testcase")) == 3


def test_a_failing_check_exits_3(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    junit = files["root"] / "fail.xml"
    code, out, _ = run(files, "fail", capsys, "--target", "credit", "--junit", str(junit))
    assert code == 3 and "fairness.impact_ratio: FAIL" in out and "1 failed" in out
    failures = ET.parse(junit).getroot().findall("./testsuite/testcase/failure")
    assert len(failures) == 1 and "four-fifths" in failures[0].get("message", "")


def test_a_bad_policy_is_one_line_naming_key_and_line(files: dict[str, Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(files, "bad", capsys, "--target", "credit")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "line 6: unknown key 'fairness.sensitve' (did you mean 'fairness.sensitive'?)" in err


@pytest.mark.parametrize("extra", [["--target", "nope"], []])
def test_bad_target_exits_2(files: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    code, out, err = run(files, "pass", capsys, *extra)
    assert code == 2 and "target" in err and out == ""
