"""``explicable explain-batch``: output identical to explain on real worker processes, exit 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost

import explicable
from explicable.cli import main as cli_main
from explicable.cli.explain_batch import explain_batch

pytest.importorskip("distributed")

# main.py registers the command (its owner's change); register it here when that has not landed yet
if "explain-batch" not in {c.name for c in cli_main.app.registered_commands}:
    cli_main.app.command("explain-batch")(explain_batch)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("batch_cli")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    model = xgboost.XGBClassifier(n_estimators=10, max_depth=3).fit(frame, (frame.a + frame.b > 0).astype(int))
    model.save_model(root / "model.json")
    frame.to_parquet(root / "data.parquet")
    frame[["a"]].to_parquet(root / "narrow.parquet")
    (root / "data.csv").write_text("a,b,c\n1,2,3\n")
    return {"model": root / "model.json", "data": root / "data.parquet", "narrow": root / "narrow.parquet",
            "csv": root / "data.csv", "root": root}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli_main.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_uses_real_processes(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = files["root"] / "out"
    code, out, err = run(["explain-batch", str(files["model"]), str(files["data"]), "--out", str(out_dir),
                          "--workers", "2", "--partition-rows", "100", "--method", "tree"], capsys)
    assert code == 0, err
    assert "300 rows in 3 partitions (3 computed, 0 skipped)" in out
    frame = pd.concat([pd.read_parquet(p) for p in sorted(out_dir.glob("part-*.parquet"))], ignore_index=True)
    exp = explicable.explain(explicable.load_model(files["model"]), pd.read_parquet(files["data"]), method="tree")
    values = np.stack([frame[[f"phi_{f}__{o}" for o in exp.output_names]].to_numpy() for f in exp.feature_names],
                      axis=1)
    assert values.tobytes() == exp.values.tobytes()


@pytest.mark.parametrize(("case", "needle"), [
    (["DATA_MISSING"], "dataset_path"),
    (["CSV"], "Parquet"),
    (["NARROW"], "lacks columns"),
    (["--partition-rows", "0"], "partition_rows"),
    (["--scheduler", "nope://127.0.0.1:1"], "scheduler"),  # a refused tcp address costs the 10 s timeout
])
def test_bad_input_exits_2_with_one_line(files: dict[str, Path], capsys: pytest.CaptureFixture[str],
                                         case: list[str], needle: str) -> None:
    data = {"DATA_MISSING": files["root"] / "nope.parquet", "CSV": files["csv"], "NARROW": files["narrow"]}
    dataset = data.get(case[0], files["data"])
    extra = [] if case[0] in data else case
    code, out, err = run(["explain-batch", str(files["model"]), str(dataset), "--out",
                          str(files["root"] / "bad"), *extra], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error:") and needle in err and len(err.strip().splitlines()) == 1, err

