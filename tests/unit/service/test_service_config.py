"""Service settings, API keys, the committed OpenAPI schema and the `serve` command's settings."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from explicable.cli.serve import build_settings
from explicable.core.errors import InvalidParameterError
from explicable.service._compute import redact
from explicable.service.app import openapi_document
from explicable.service.auth import AuthError, KeyRing
from explicable.service.settings import ApiKey, hash_key, load_settings

DOCS = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_committed_openapi_schema_is_the_generated_one() -> None:
    assert DOCS.read_text(encoding="utf-8") == openapi_document(), \
        "docs/openapi.json is stale: regenerate it with explicable.service.app.openapi_document()"
    paths = json.loads(DOCS.read_text())["paths"]
    assert {"/v1/explain", "/v1/decisions/{decision_id}", "/v1/decisions/{decision_id}/replay", "/v1/audit/verify",
            "/healthz", "/readyz", "/metrics"} <= set(paths)


def test_config_file_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "explicable.yaml"
    config.write_text(f"""
models:
  credit: {{path: models/credit.json, method: kernel, budget: 512, seed: 3, background: bg.csv}}
  fraud: fraud.onnx
limits: {{max_rows: 7}}
timeout_seconds: 2.5
redact: {{name: hash, ssn: drop}}
api_keys:
  - {{name: ann, role: auditor, sha256: {hash_key("ann-key").upper()}}}
""")
    env = {"EXPLICABLE_API_KEYS": "explain:k1", "EXPLICABLE_AUDIT_URL": "sqlite:///x.db",
           "EXPLICABLE_REDACTION_KEY": "pepper"}
    s = load_settings(config, env=env)
    credit, fraud = s.models
    assert (credit.path, credit.background, credit.budget, credit.seed) == (
        tmp_path / "models/credit.json", tmp_path / "bg.csv", 512, 3)
    assert fraud.path == tmp_path / "fraud.onnx" and fraud.method == "auto" and not fraud.trust
    assert (s.limits.max_rows, s.limits.max_features, s.timeout_seconds, s.audit_url) == (7, 500, 2.5, "sqlite:///x.db")
    assert s.redact == {"name": "hash", "ssn": "drop"}
    ring = KeyRing(s.api_keys)
    assert ring.check("ann-key", "auditor").name == "ann"
    assert ring.check("k1", "explain").role == "explain"
    assert "k1" not in repr(s) and "pepper" not in repr(s)  # keys are kept hashed only; the secret never shown
    assert s.redaction_key == b"pepper"
    with pytest.raises(InvalidParameterError) as info:  # "hash" without a secret would be a guessable plain hash
        load_settings(config, env={k: v for k, v in env.items() if k != "EXPLICABLE_REDACTION_KEY"})
    assert info.value.parameter == "redact"
    row = redact([{"name": "Ann", "age": 40, "ssn": "1"}], s.redact, s.redaction_key)[0]
    assert row == {"name": "hmac-sha256:" + hmac.new(b"pepper", b'"Ann"', hashlib.sha256).hexdigest(), "age": 40}


@pytest.mark.parametrize("text", ["limits: {max_rows: 0}", "redact: {name: encrypt}", "timeout_seconds: -1",
                                  "models: {m: {file: x}}", "api_keys: [{role: root, sha256: ab}]"])
def test_bad_config_names_the_parameter(tmp_path: Path, text: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(text)
    with pytest.raises(InvalidParameterError) as info:
        load_settings(config, env={})
    assert info.value.parameter.split(".")[0] in text


def test_keys_roles() -> None:
    ring = KeyRing([ApiKey(hash_key("a"), "admin", "root"), ApiKey(hash_key("e"), "explain", "app")])
    assert ring.check("a", "auditor").name == "root" and ring.check("a", "explain").name == "root"
    for key, role, status in [(None, "explain", 401), ("zzz", "explain", 401), ("e", "auditor", 403)]:
        with pytest.raises(AuthError) as info:
            ring.check(key, role)
        assert info.value.status == status


def test_serve_settings_from_arguments(tmp_path: Path) -> None:
    s = build_settings(["a=one.json", "two.onnx"], None, trust=True, background=None, method="kernel", seed=5,
                       budget=None, audit_url="sqlite:///a.db")
    assert [(m.name, str(m.path), m.trust, m.seed) for m in s.models] == [("a", "one.json", True, 5),
                                                                          ("two", "two.onnx", True, 5)]
    with pytest.raises(InvalidParameterError):
        build_settings(["a=x.json", "a=y.json"], None, trust=False, background=None, method="auto", seed=0,
                       budget=None, audit_url=None)


def test_pickled_models_load_only_with_trust(tmp_path: Path) -> None:
    import pickle

    from sklearn.tree import DecisionTreeRegressor

    from explicable.core.errors import UnsafeModelError
    from explicable.service._models import load_served
    from explicable.service.settings import ModelSettings

    file = tmp_path / "m.pkl"
    import pandas as pd

    X = pd.DataFrame({"x": [0.0, 1.0]})
    file.write_bytes(pickle.dumps(DecisionTreeRegressor(max_depth=1).fit(X, [0.0, 1.0])))
    with pytest.raises(UnsafeModelError):
        load_served(ModelSettings(name="m", path=file))
    served = load_served(ModelSettings(name="m", path=file, trust=True))
    assert served.method == "tree" and served.fingerprint.startswith("sha256:")
