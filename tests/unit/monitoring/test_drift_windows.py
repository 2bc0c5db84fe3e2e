"""Windows of explanations: Explanation JSON files and folders, and a real SQLite audit store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from explicable.audit import open_store
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.monitoring import attribution_drift, audit_windows, load_explanations, parse_window

END = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def explanation(seed: int, n: int = 4, scale: float = 1.0) -> Explanation:
    rng = np.random.default_rng(seed)
    return Explanation(rng.normal(size=(n, 2, 1)) * scale, np.zeros((n, 1)), ["age", "income"], ["score"],
                       data=rng.normal(size=(n, 2)))


def test_files_and_folders_round_trip(tmp_path: Path) -> None:
    a, b = explanation(0), explanation(1)
    a.to_json(tmp_path / "one.json")
    folder = tmp_path / "win"
    folder.mkdir()
    b.to_json(folder / "2.json")
    a.to_json(folder / "1.json")
    assert load_explanations(tmp_path / "one.json") == [a]
    assert load_explanations(folder) == [a, b]  # name order
    with pytest.raises(InvalidParameterError, match="path"):
        load_explanations(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InvalidDataError, match=r"bad\.json"):
        load_explanations(tmp_path / "bad.json")


def test_parse_window() -> None:
    assert parse_window("12h") == dt.timedelta(hours=12)
    assert parse_window("30m") == dt.timedelta(minutes=30)
    with pytest.raises(InvalidParameterError, match="window"):
        parse_window("yesterday")


def record(i: int, when: dt.datetime, exp: Explanation, model: str = "credit") -> dict[str, object]:
    """What the service's audit middleware and /v1/explain write for one decision (see service/_compute.py)."""
    assert exp.data is not None
    return {"decision_id": f"d-{i}", "time": when.isoformat(), "status": "ok", "endpoint": "POST /v1/explain",
            "model": model, "input": [dict(zip(exp.feature_names, map(float, r), strict=True)) for r in exp.data],
            "output": exp.output_totals.tolist(),
            "explanation": {"feature_names": list(exp.feature_names), "output_names": list(exp.output_names),
                            "values": exp.values.tolist(), "base_values": exp.base_values.tolist(), "stderr": None,
                            "output_space": "raw"}}


def test_audit_store_windows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    store = open_store(url)
    i = 0
    for hours, scale in ((47, 1.0), (30, 1.0), (20, 5.0), (2, 5.0), (1, 5.0)):  # before END: 2 old, 3 recent
        store.append(record(i, END - dt.timedelta(hours=hours), explanation(i, scale=scale)))
        i += 1
    store.append(record(i, END - dt.timedelta(hours=3), explanation(i), model="other"))
    store.append({"decision_id": "x", "time": (END - dt.timedelta(hours=4)).isoformat(), "status": "rejected"})
    store.append(record(99, END + dt.timedelta(hours=1), explanation(99)))  # after the window: ignored
    store.close()
    reference, current = audit_windows(url, "1d", end=END, model="credit")
    assert [len(reference), len(current)] == [2, 3]
    logged = explanation(2, scale=5.0)
    assert np.array_equal(current[0].values, logged.values) and current[0].feature_names == logged.feature_names
    assert np.array_equal(current[0].data.astype(float), logged.data)  # type: ignore[union-attr]
    result = attribution_drift(reference, current, random_state=0)
    assert result.n_reference == 8 and result.n_current == 12
    assert not np.isnan(result.to_frame()["data_psi"]).any()  # the logged inputs came along
    with pytest.raises(InvalidDataError, match="current window"):
        audit_windows(url, "30m", end=END, model="credit")
    with pytest.raises(InvalidParameterError, match="url"):
        audit_windows(f"sqlite:///{tmp_path / 'nope.db'}", "1d")
