"""explain_batch: identical to single-process explain, resumable, the documented schema, errors naming parameters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression

import explicable
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.scale import explain_batch, partition_seed

distributed = pytest.importorskip("distributed")

FEATURES = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # threads, not processes, keep the suite fast; test_cli_uses_real_processes covers processes
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cl, \
            distributed.Client(cl) as c:
        yield c


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(size=(700, 4)), columns=FEATURES)


@pytest.fixture(scope="module")
def forest(data: pd.DataFrame) -> RandomForestClassifier:
    y = (data.a + data.b * data.c > 0).astype(int)
    return RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0).fit(data, y)


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_parquet(path, row_group_size=128)  # row groups not aligned with partitions on purpose
    return path


def read_all(files: tuple[Path, ...]) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def phi(frame: pd.DataFrame, exp: explicable.Explanation) -> np.ndarray:
    """(n, m, k) attributions back from the ``phi_<feature>__<output>`` columns."""
    cols = [[f"phi_{f}__{o}" for o in exp.output_names] for f in exp.feature_names]
    return np.stack([frame[c].to_numpy() for c in cols], axis=1)


def test_tree_output_identical_to_single_process(client: Any, data: pd.DataFrame, forest: Any,
                                                  tmp_path: Path) -> None:
    dataset = write(data, tmp_path / "x.parquet")
    result = explain_batch(forest, dataset, tmp_path / "out", scheduler=client, partition_rows=200, progress=False)
    assert result.method == "tree" and result.computed == (0, 1, 2, 3) and result.n_rows == 700
    out = read_all(result.files)
    exp = explicable.explain(forest, data, method="tree")
    assert phi(out, exp).tobytes() == exp.values.tobytes()  # byte for byte, not close
    base = out[[f"base__{o}" for o in exp.output_names]].to_numpy()
    assert base.tobytes() == exp.base_values.tobytes()
    assert out["row"].tolist() == list(range(700))


def test_sampled_partition_identical_to_explain_with_its_seed(client: Any, data: pd.DataFrame,
                                                               tmp_path: Path) -> None:
    linear = LinearRegression().fit(data, data.a * 2 - data.c)
    dataset = write(data.iloc[:30], tmp_path / "x.parquet")
    background = data.iloc[100:120]
    result = explain_batch(linear, dataset, tmp_path / "out", method="kernel", background=background,
                           random_state=7, scheduler=client, partition_rows=12, progress=False, budget=10)
    for index, file in enumerate(result.files):
        rows = data.iloc[index * 12:min(index * 12 + 12, 30)]
        exp = explicable.explain(linear, rows, method="kernel", background=background,
                                 random_state=partition_seed(7, index), budget=10)
        out = pd.read_parquet(file)
        assert phi(out, exp).tobytes() == exp.values.tobytes()
        assert exp.stderr is not None
        assert out[[f"stderr_{f}__prediction" for f in FEATURES]].to_numpy().tobytes() == exp.stderr[..., 0].tobytes()


def test_resume_skips_finished_and_recomputes_changed(client: Any, data: pd.DataFrame, forest: Any,
                                                       tmp_path: Path) -> None:
    dataset = write(data, tmp_path / "x.parquet")
    out = tmp_path / "out"
    first = explain_batch(forest, dataset, out, scheduler=client, partition_rows=300, progress=False)
    stamps = {f.name: f.stat().st_mtime_ns for f in first.files}
    again = explain_batch(forest, dataset, out, scheduler=client, partition_rows=300, progress=False)
    assert again.computed == () and again.skipped == (0, 1, 2)
    assert {f.name: f.stat().st_mtime_ns for f in again.files} == stamps
    changed = data.copy()
    changed.iloc[350, 0] += 1.0  # a row of partition 1
    write(changed, dataset)
    third = explain_batch(forest, dataset, out, scheduler=client, partition_rows=300, progress=False)
    assert third.computed == (1,) and third.skipped == (0, 2)
    exp = explicable.explain(forest, changed, method="tree")
    assert phi(read_all(third.files), exp).tobytes() == exp.values.tobytes()
    assert explain_batch(forest, dataset, out, scheduler=client, partition_rows=300, progress=False,
                         resume=False).computed == (0, 1, 2)
    other = explain_batch(forest, dataset, out, scheduler=client, partition_rows=300, progress=False,
                          method="tree", random_state=1)
    assert other.computed == (0, 1, 2)  # the method and seed are part of a partition's identity


def test_resplit_removes_stale_parts(client: Any, data: pd.DataFrame, forest: Any, tmp_path: Path) -> None:
    dataset = write(data, tmp_path / "x.parquet")
    explain_batch(forest, dataset, tmp_path / "out", scheduler=client, partition_rows=100, progress=False)
    result = explain_batch(forest, dataset, tmp_path / "out", scheduler=client, partition_rows=350, progress=False)
    assert sorted(p.name for p in (tmp_path / "out").glob("part-*")) == ["part-00000.parquet", "part-00001.parquet"]
    assert result.computed == (0, 1)


def test_output_schema_and_manifest(client: Any, data: pd.DataFrame, forest: Any, tmp_path: Path) -> None:
    dataset = write(data.iloc[:250], tmp_path / "x.parquet")
    calls: list[tuple[int, int]] = []
    result = explain_batch(forest, dataset, tmp_path / "out", scheduler=client, partition_rows=100,
                           progress=lambda done, total: calls.append((done, total)))
    frame = pd.read_parquet(result.files[0])
    expected = ["row"] + [f"phi_{f}__{o}" for o in ("0", "1") for f in FEATURES] + ["base__0", "base__1"]
    assert list(frame.columns) == expected
    assert frame["row"].dtype == np.int64 and all(frame[c].dtype == np.float64 for c in expected[1:])
    assert calls[-1] == (3, 3) and [c[0] for c in calls] == [1, 2, 3]
    manifest = json.loads(result.manifest_path.read_text())
    entry = manifest["partitions"]["2"]
    assert (entry["start"], entry["stop"], entry["rows"], entry["output"]) == (200, 250, 50, "part-00002.parquet")
    assert entry["seed"] == partition_seed(0, 2) and entry["model_fingerprint"].startswith("sha256:")
    assert manifest["n_rows"] == 250 and manifest["partition_rows"] == 100


def test_bad_inputs_name_the_parameter(client: Any, data: pd.DataFrame, forest: Any, tmp_path: Path) -> None:
    dataset = write(data, tmp_path / "x.parquet")
    (tmp_path / "bad.parquet").write_text("not parquet")
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"dataset_path": tmp_path / "missing.parquet"}, InvalidDataError, "dataset_path"),
        ({"dataset_path": tmp_path / "bad.parquet"}, InvalidDataError, "dataset_path"),
        ({"dataset_path": write(data[["a", "b"]], tmp_path / "ab.parquet")}, InvalidDataError, "dataset_path"),
        ({"out_path": dataset}, InvalidParameterError, "out_path"),
        ({"partition_rows": 0}, InvalidParameterError, "partition_rows"),
        ({"random_state": -1}, InvalidParameterError, "random_state"),
        ({"method": "kernel"}, InvalidParameterError, "background"),
        ({"scheduler": 3}, InvalidParameterError, "scheduler"),
        ({"n_workers": 2}, InvalidParameterError, "n_workers"),
    ]
    for change, error, parameter in cases:
        kwargs: dict[str, Any] = {"dataset_path": dataset, "out_path": tmp_path / "out", "scheduler": client,
                                  "progress": False, **change}
        with pytest.raises(error) as info:
            explain_batch(forest, **kwargs)
        assert info.value.parameter == parameter, change
        assert parameter in str(info.value) or "dataset_path" in str(info.value)
    with pytest.raises(InvalidDataError, match=r"lacks columns the model needs: \['c', 'd'\]"):
        explain_batch(forest, tmp_path / "ab.parquet", tmp_path / "out", scheduler=client, progress=False)


def _fails_on_large_a(X: np.ndarray) -> np.ndarray:
    if (X[:, 0] > 100).any():
        raise RuntimeError("model failure on a partition")
    return X @ np.array([1.0, -2.0, 0.5, 0.0])


def test_failed_partition_raises_and_resume_keeps_finished(client: Any, data: pd.DataFrame,
                                                            tmp_path: Path) -> None:
    from explicable.models import FunctionModel

    model = FunctionModel(_fails_on_large_a, feature_names=FEATURES)
    broken = data.iloc[:300].copy()
    broken.iloc[250, 0] = 1000.0  # only partition 2 (rows 200-299) fails
    dataset = write(broken, tmp_path / "x.parquet")
    kwargs: dict[str, Any] = {"method": "exact", "background": data.iloc[:20], "scheduler": client,
                              "partition_rows": 100, "progress": False}
    with pytest.raises(RuntimeError, match="model failure"):
        explain_batch(model, dataset, tmp_path / "out", **kwargs)
    write(data.iloc[:300], dataset)  # fixed input: the finished partitions are reused, the failed one runs
    result = explain_batch(model, dataset, tmp_path / "out", **kwargs)
    assert 2 in result.computed and len(result.skipped) >= 1
