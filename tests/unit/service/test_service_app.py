"""The service end to end in process (TestClient): auth, limits, one durable record per request, replay."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import explicable
from explicable.service import ApiKey, Limits, ModelSettings, ServiceSettings, hash_key
from explicable.service._models import ServedModel
from explicable.service.app import create_app

FEATURES = ["income", "debt", "age"]
KEYS = {"explain": "k-explain", "auditor": "k-auditor", "admin": "k-admin"}


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    return X, (X[:, 1] - X[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(int)


def _served(kind: str = "tree") -> ServedModel:
    X, y = _data()
    import pandas as pd

    frame = pd.DataFrame(X, columns=FEATURES)
    if kind == "tree":
        model: Any = DecisionTreeClassifier(max_depth=3, random_state=0).fit(frame, y)
        return ServedModel(ModelSettings(name="tree", path=Path("m")), explicable.wrap(model))
    model = LogisticRegression().fit(frame, y)
    return ServedModel(ModelSettings(name="kernel", path=Path("m"), method="kernel", budget=256, seed=7),
                       explicable.wrap(model), frame.iloc[:40])


def _store(tmp_path: Path) -> Any:
    from explicable.audit import open_store

    return open_store(f"sqlite:///{tmp_path / 'audit.db'}", checkpoint_every=5)


def _client(tmp_path: Path, store: Any = None, **settings: Any) -> tuple[TestClient, Any]:
    store = store if store is not None else _store(tmp_path)
    config = ServiceSettings(api_keys=tuple(ApiKey(hash_key(k), role, role) for role, k in KEYS.items()),
                             limits=Limits(max_rows=5, max_features=10, max_budget=1024), **settings)
    app = create_app(config, store=store, models={"tree": _served("tree"), "kernel": _served("kernel")})
    return TestClient(app), store


def _auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}


ROW = {"income": 0.2, "debt": 1.5, "age": -0.3}


def test_explain_matches_library_and_records_once(tmp_path: Path) -> None:
    client, store = _client(tmp_path)
    rows = [ROW, ROW | {"debt": -2.0}]
    r = client.post("/v1/explain", json={"model": "tree", "rows": rows}, headers=_auth("explain"))
    assert r.status_code == 200, r.text
    body = r.json()
    served = _served("tree")
    X = np.array([[ROW[f] for f in FEATURES], [0.2, -2.0, -0.3]])
    peer = served.explainer(None).explain(X)
    for i, res in enumerate(body["results"]):
        np.testing.assert_allclose(res["explanation"]["values"], peer.values[i], rtol=0, atol=1e-12)
        proba = served.adapter.predict(X)[i]
        assert res["prediction"] == dict(zip(peer.output_names, proba.tolist(), strict=True))
        # additivity: base + sum(values) == prediction, per output
        total = np.add(res["explanation"]["base_values"], np.sum(res["explanation"]["values"], axis=0))
        np.testing.assert_allclose(total, proba, atol=1e-9)
        push = peer.values[i, :, -1]  # toward the last output (class 1, the adverse one by default)
        expected = [FEATURES[j] for j in np.argsort(-push, kind="stable") if push[j] > 0]
        assert [x["feature"] for x in res["reasons"]] == expected
    record = store.get(body["decision_id"])
    assert record["status"] == "ok" and record["input"] == [ROW, ROW | {"debt": -2.0}]
    assert record["caller"] == {"name": "explain", "role": "explain"}
    assert r.headers["X-Decision-Id"] == body["decision_id"]
    assert store.verify().records == 1


@pytest.mark.parametrize(("headers", "path", "status"), [
    ({}, "/v1/explain", 401),
    ({"Authorization": "Bearer nope"}, "/v1/explain", 401),
    ({"X-API-Key": KEYS["auditor"]}, "/v1/explain", 403),
    ({"X-API-Key": KEYS["explain"]}, "/v1/audit/verify", 403),
])
def test_auth_rejections_are_recorded(tmp_path: Path, headers: dict[str, str], path: str, status: int) -> None:
    client, store = _client(tmp_path)
    method = client.post if path == "/v1/explain" else client.get
    kwargs: dict[str, Any] = {"json": {"row": ROW}} if path == "/v1/explain" else {}
    r = method(path, headers=headers, **kwargs)
    assert r.status_code == status
    record = store.get(r.headers["X-Decision-Id"])
    assert record["status"] == "rejected" and record["http_status"] == status
    assert "input" not in record  # nothing of a rejected caller's data is computed on


@pytest.mark.parametrize(("body", "word"), [
    ({"rows": [ROW] * 6}, "Too many rows"),
    ({"row": ROW | {f"x{i}": 0 for i in range(10)}}, "Too many features"),
    ({"row": ROW, "budget": 5000}, "budget"),
    ({"row": {"income": 1.0}}, "missing"),
    ({"row": ROW | {"age": "old"}}, "must be a number"),
    ({"row": ROW, "rows": [ROW]}, "exactly one"),
])
def test_limits_and_bad_input_give_422_with_a_clear_message(tmp_path: Path, body: dict[str, Any], word: str) -> None:
    client, store = _client(tmp_path)
    r = client.post("/v1/explain", json={"model": "tree", **body}, headers=_auth("admin"))
    assert r.status_code == 422
    assert word in str(r.json()["detail"])
    assert store.get(r.headers["X-Decision-Id"])["status"] == "rejected"


def test_timeout_gives_503_and_is_recorded(tmp_path: Path) -> None:
    client, store = _client(tmp_path, timeout_seconds=0.01)
    model = client.app.state.models["tree"]  # type: ignore[attr-defined]
    release = threading.Event()
    original = model.explain

    def slow(*args: Any) -> Any:
        release.wait(2.0)
        return original(*args)

    model.explain = slow
    r = client.post("/v1/explain", json={"model": "tree", "row": ROW}, headers=_auth("explain"))
    release.set()
    assert r.status_code == 503
    assert store.get(r.headers["X-Decision-Id"])["status"] == "timeout"


def test_replay_is_byte_identical_and_refuses_another_model(tmp_path: Path) -> None:
    client, _ = _client(tmp_path)
    r = client.post("/v1/explain", json={"model": "kernel", "rows": [ROW, ROW | {"age": 2.0}]},
                    headers=_auth("explain"))
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["explanation"]["stderr"] is not None
    did = r.json()["decision_id"]
    replay = client.post(f"/v1/decisions/{did}/replay", headers=_auth("auditor"))
    assert replay.status_code == 200 and replay.json()["identical"] is True
    assert replay.json()["logged_sha256"] == replay.json()["replayed_sha256"]
    client.app.state.models["kernel"].fingerprint = "sha256:other"  # type: ignore[attr-defined]
    refused = client.post(f"/v1/decisions/{did}/replay", headers=_auth("auditor"))
    assert refused.status_code == 409 and "fingerprint" in refused.json()["detail"]


def test_replay_detects_a_changed_logged_output(tmp_path: Path) -> None:
    client, store = _client(tmp_path)
    did = client.post("/v1/explain", json={"model": "tree", "row": ROW}, headers=_auth("explain")).json()["decision_id"]
    record = store.get(did)

    class Edited:  # a store whose copy of the decision was altered (the chain would flag it too)
        def get(self, decision_id: str) -> Any:
            changed = dict(record)
            changed["output"] = [[record["output"][0][0] + 1e-16 + 1e-9, record["output"][0][1]]]
            return changed

        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

    client2, _ = _client(tmp_path / "b", store=Edited())
    client2.app.state.models["tree"] = client.app.state.models["tree"]  # type: ignore[attr-defined]
    assert client2.post(f"/v1/decisions/{did}/replay", headers=_auth("auditor")).json()["identical"] is False


def test_decision_read_plain_language_verify_and_metrics(tmp_path: Path) -> None:
    client, _ = _client(tmp_path)
    did = client.post("/v1/explain", json={"row": ROW, "model": "tree"}, headers=_auth("explain")).json()["decision_id"]
    got = client.get(f"/v1/decisions/{did}", headers=_auth("auditor"))
    assert got.status_code == 200
    assert got.json()["plain_language"][0].startswith("The application was")
    assert client.get("/v1/decisions/nope", headers=_auth("auditor")).status_code == 404
    verified = client.get("/v1/audit/verify", headers=_auth("auditor")).json()
    assert verified["ok"] is True and verified["records"] == 3  # explain, read, failed read (verify is after)
    metrics = client.get("/metrics").text
    assert 'explicable_decisions_total{model="tree"} 1.0' in metrics
    assert client.get("/healthz").json() == {"status": "ok"} and client.get("/readyz").status_code == 200


def test_failed_audit_write_withholds_the_result(tmp_path: Path) -> None:
    class Broken:
        def append(self, record: Any) -> Any:
            raise OSError("disk full")

    client, _ = _client(tmp_path, store=Broken())
    r = client.post("/v1/explain", json={"model": "tree", "row": ROW}, headers=_auth("explain"))
    assert r.status_code == 503 and "results" not in r.json()


def test_concurrent_requests_each_write_one_record(tmp_path: Path) -> None:
    client, store = _client(tmp_path)
    ids: list[str] = []

    def call() -> None:
        ids.append(client.post("/v1/explain", json={"model": "tree", "row": ROW}, headers=_auth("explain"))
                   .json()["decision_id"])

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 8 and all(store.get(i) is not None for i in ids)
    report = store.verify()
    assert report.ok and report.records == 8
