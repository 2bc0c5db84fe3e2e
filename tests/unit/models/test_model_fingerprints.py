"""Model fingerprints: the same model gives the same digest (also saved and loaded again), another model another."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import catboost
import lightgbm
import numpy as np
import pytest
import torch
import xgboost
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from explicable import FunctionModel, load_model, wrap

BUILDERS: dict[str, Callable[[int], Any]] = {
    # seed -> model; models with the same seed and data are identical, another seed changes them
    "sklearn": lambda seed: LogisticRegression(C=1.0 + seed),
    "pipeline": lambda seed: make_pipeline(StandardScaler(), LogisticRegression(C=1.0 + seed)),
    "xgboost": lambda seed: xgboost.XGBClassifier(n_estimators=3 + seed, max_depth=2, n_jobs=1),
    "lightgbm": lambda seed: lightgbm.LGBMClassifier(n_estimators=3 + seed, num_leaves=4, n_jobs=1, verbose=-1),
    "catboost": lambda seed: catboost.CatBoostClassifier(iterations=3 + seed, depth=2, random_seed=0, thread_count=1,
                                                         verbose=0, allow_writing_files=False),
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_same_model_same_fingerprint_other_model_other(numeric_data, name):
    X, y = numeric_data.frame, numeric_data.binary
    first = BUILDERS[name](0).fit(X, y)
    twin = BUILDERS[name](0).fit(X, y)
    other = BUILDERS[name](1).fit(X, y)
    digest = wrap(first).fingerprint()
    assert digest.startswith("sha256:")
    assert wrap(first).fingerprint() == digest
    assert wrap(twin).fingerprint() == digest
    assert wrap(other).fingerprint() != digest


def test_output_space_does_not_change_the_model_fingerprint(numeric_data):
    model = BUILDERS["xgboost"](0).fit(numeric_data.frame, numeric_data.binary)
    assert wrap(model).fingerprint() == wrap(model, output_space="log-odds").fingerprint()


@pytest.mark.parametrize("name", ["xgboost", "lightgbm", "catboost"])
def test_fingerprint_survives_save_and_load(numeric_data, tmp_path, name):
    model = BUILDERS[name](0).fit(numeric_data.frame, numeric_data.binary)
    path = tmp_path / {"xgboost": "m.json", "lightgbm": "m.txt", "catboost": "m.cbm"}[name]
    if name == "xgboost":
        model.get_booster().save_model(path)
    elif name == "lightgbm":
        model.booster_.save_model(path)
    else:
        model.save_model(str(path))
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(numeric_data.frame), wrap(model).predict(numeric_data.frame),
                               atol=1e-6)
    assert loaded.fingerprint() == wrap(model).fingerprint()
    assert load_model(path).fingerprint() == loaded.fingerprint()


def test_pipeline_holding_a_lambda_has_a_fingerprint(numeric_data):
    X, y = numeric_data.frame, numeric_data.binary
    double = make_pipeline(FunctionTransformer(lambda Z: Z * 2), LogisticRegression()).fit(X, y)
    triple = make_pipeline(FunctionTransformer(lambda Z: Z * 3), LogisticRegression()).fit(X, y)
    assert wrap(double).fingerprint() == wrap(double).fingerprint()
    assert wrap(double).fingerprint() != wrap(triple).fingerprint()


def test_torch_fingerprint_follows_the_weights():
    torch.manual_seed(0)
    a = torch.nn.Linear(3, 1)
    torch.manual_seed(0)
    b = torch.nn.Linear(3, 1)
    torch.manual_seed(1)
    c = torch.nn.Linear(3, 1)
    assert wrap(a).fingerprint() == wrap(b).fingerprint()
    assert wrap(a).fingerprint() != wrap(c).fingerprint()


# ---- plain callables ---------------------------------------------------------------------------------------------
def _weighted(w: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda X: X @ w


def test_function_fingerprint_sees_captured_values():
    same = FunctionModel(_weighted(np.array([1.0, 2.0])))
    again = FunctionModel(_weighted(np.array([1.0, 2.0])))
    other = FunctionModel(_weighted(np.array([2.0, 1.0])))
    assert same.fingerprint() == again.fingerprint()
    assert same.fingerprint() != other.fingerprint()


def test_function_fingerprint_sees_the_model_behind_a_bound_method(numeric_data):
    X, y = numeric_data.frame, numeric_data.binary
    weak = LogisticRegression(C=0.01).fit(X, y)
    strong = LogisticRegression(C=100.0).fit(X, y)
    weak_fp = FunctionModel(weak.predict_proba, output_names=["0", "1"]).fingerprint()
    assert FunctionModel(weak.predict_proba, output_names=["0", "1"]).fingerprint() == weak_fp
    assert FunctionModel(strong.predict_proba, output_names=["0", "1"]).fingerprint() != weak_fp


def test_function_fingerprint_sees_the_code():
    assert FunctionModel(lambda X: X.sum(axis=1)).fingerprint() != FunctionModel(lambda X: X.max(axis=1)).fingerprint()
    assert FunctionModel(lambda X: X[:, 0] + 1.0).fingerprint() != FunctionModel(lambda X: X[:, 0] + 2.0).fingerprint()


def test_function_fingerprint_is_the_same_in_another_process(tmp_path):
    """No addresses or hash-ordered sets in the digest: audit replay compares fingerprints across processes."""
    script = tmp_path / "fp.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        from explicable import FunctionModel

        W = np.array([0.5, -1.0, 2.0])

        def outer(scale):
            inner = lambda X: X * scale
            return lambda X: inner(X) @ W + (1.0 if "a" in {"a", "b", "c"} else 0.0)

        print(FunctionModel(outer(3.0)).fingerprint())
    """))
    runs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, check=True,
                              timeout=120)
        runs.add(done.stdout.strip())
    assert len(runs) == 1
    assert next(iter(runs)).startswith("sha256:")
