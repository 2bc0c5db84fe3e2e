"""``load_model``: safe formats round-trip; pickle only with trust; corrupt, missing and unknown files fail clearly."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import catboost
import joblib
import lightgbm
import numpy as np
import pytest
import skops.io as sio
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from explicable import ExplicableError, ModelFileError, UnsafeModelError, load_model


@pytest.fixture(scope="module")
def models(numeric_data) -> dict[str, Any]:
    X, y = numeric_data.frame, numeric_data.binary
    return {
        "xgboost": xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1).fit(X, y),
        "xgboost-multiclass": xgboost.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1)
        .fit(X, numeric_data.multiclass),
        "lightgbm": lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, n_jobs=1, verbose=-1).fit(X, y),
        "catboost": catboost.CatBoostClassifier(iterations=5, depth=3, thread_count=1, verbose=0,
                                                allow_writing_files=False).fit(X, y),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),
    }


def _same_predictions(adapter: Any, model: Any, X: Any) -> None:
    np.testing.assert_allclose(adapter.predict(X), model.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("suffix", [".json", ".ubj"])
@pytest.mark.parametrize("name", ["xgboost", "xgboost-multiclass"])
def test_xgboost_round_trip(models, numeric_data, tmp_path, name, suffix):
    model = models[name]
    path = tmp_path / f"model{suffix}"
    model.get_booster().save_model(path)
    adapter = load_model(path)
    _same_predictions(adapter, model, numeric_data.frame)
    assert adapter.feature_names == tuple(numeric_data.frame.columns)
    assert adapter.output_names == tuple(str(c) for c in model.classes_)


def test_lightgbm_round_trip(models, numeric_data, tmp_path):
    model = models["lightgbm"]
    path = tmp_path / "model.txt"
    model.booster_.save_model(path)
    adapter = load_model(path)
    _same_predictions(adapter, model, numeric_data.frame)
    assert adapter.feature_names == tuple(numeric_data.frame.columns)
    np.testing.assert_allclose(load_model(path, output_space="log-odds").predict(numeric_data.frame)[:, 1],
                               model.predict(numeric_data.frame, raw_score=True), atol=1e-9)


def test_lightgbm_categorical_round_trip(mixed_data, tmp_path):
    model = lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, min_child_samples=5, n_jobs=1, verbose=-1)
    model.fit(mixed_data.categories, mixed_data.binary)
    path = tmp_path / "model.txt"
    model.booster_.save_model(path)
    adapter = load_model(path)
    expected = model.predict_proba(mixed_data.categories)
    np.testing.assert_allclose(adapter.predict(mixed_data.strings), expected, atol=1e-12)
    np.testing.assert_allclose(adapter.predict(mixed_data.categories), expected, atol=1e-12)


def test_catboost_round_trip(models, numeric_data, tmp_path):
    model = models["catboost"]
    path = tmp_path / "model.cbm"
    model.save_model(str(path))
    adapter = load_model(path)
    _same_predictions(adapter, model, numeric_data.frame)
    assert adapter.output_names == ("0", "1")


def test_skops_pipeline_round_trip(mixed_data, tmp_path):
    pre = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), ["city", "job"]),
                             ("scale", StandardScaler(), ["age", "income"])])
    model = Pipeline([("pre", pre), ("lr", LogisticRegression())]).fit(mixed_data.strings, mixed_data.binary)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    adapter = load_model(path)
    _same_predictions(adapter, model, mixed_data.strings)
    assert adapter.feature_names == tuple(mixed_data.strings.columns)


def test_onnx_round_trip(models, numeric_data, tmp_path):
    from skl2onnx import to_onnx

    model = models["pipeline"]
    X = numeric_data.array.astype(np.float32)
    path = tmp_path / "model.onnx"
    path.write_bytes(to_onnx(model, X[:1], options={"zipmap": False}, target_opset=17).SerializeToString())
    np.testing.assert_allclose(load_model(path).predict(X), model.predict_proba(numeric_data.frame), atol=1e-5)


def test_suffix_is_not_case_sensitive(models, numeric_data, tmp_path):
    path = tmp_path / "MODEL.JSON"
    models["xgboost"].get_booster().save_model(tmp_path / "model.json")
    path.write_bytes((tmp_path / "model.json").read_bytes())
    _same_predictions(load_model(path), models["xgboost"], numeric_data.frame)


# ---- content detection for unknown suffixes -------------------------------------------------------------
def test_formats_are_detected_by_content(models, numeric_data, tmp_path):
    xgb, ubj, lgb, cbm = tmp_path / "xgb.json", tmp_path / "xgb.ubj", tmp_path / "lgb.txt", tmp_path / "cb.cbm"
    models["xgboost"].get_booster().save_model(xgb)
    models["xgboost"].get_booster().save_model(ubj)
    models["lightgbm"].booster_.save_model(lgb)
    models["catboost"].save_model(str(cbm))
    sources = ((xgb, models["xgboost"]), (ubj, models["xgboost"]), (lgb, models["lightgbm"]),
               (cbm, models["catboost"]))
    for source, model in sources:
        renamed = tmp_path / f"{source.stem}-{source.suffix[1:]}.model"
        renamed.write_bytes(source.read_bytes())
        _same_predictions(load_model(renamed), model, numeric_data.frame)


# ---- pickle and joblib: code, so only with trust ------------------------------------------------------------
def _pickles(model: Any, tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "model.pkl", tmp_path / "model.joblib", tmp_path / "model.bin"]
    with paths[0].open("wb") as fh:
        pickle.dump(model, fh)
    joblib.dump(model, paths[1])
    with paths[2].open("wb") as fh:  # an unknown suffix: recognised as a pickle by its first byte
        pickle.dump(model, fh, protocol=4)
    return paths


def test_pickles_are_refused_without_trust(models, tmp_path):
    for path in _pickles(models["pipeline"], tmp_path):
        with pytest.raises(UnsafeModelError) as info:
            load_model(path)
        message = str(info.value)
        assert "arbitrary code" in message
        assert "--trust" in message
        assert path.name in message
        assert info.value.parameter == "trust"


def test_pickle_refusal_runs_nothing(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(UnsafeModelError):
        load_model(path)
    assert not marker.exists()


def test_pickles_load_with_trust(models, numeric_data, tmp_path):
    model = models["pipeline"]
    for path in _pickles(model, tmp_path):
        _same_predictions(load_model(path, trust=True), model, numeric_data.frame)


def test_skops_with_untrusted_types_needs_trust(models, numeric_data, tmp_path):
    model = make_pipeline(StandardScaler(), xgboost.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1))
    model.fit(numeric_data.frame, numeric_data.binary)
    path = tmp_path / "xgb.skops"
    sio.dump(model, path)
    with pytest.raises(UnsafeModelError, match="XGBClassifier") as info:
        load_model(path)
    assert "trust" in str(info.value)
    _same_predictions(load_model(path, trust=True), model, numeric_data.frame)


# ---- files that can't be read ----------------------------------------------------------------------------------
def _truncated_text(models: dict[str, Any], tmp_path: Path, name: str) -> Path:
    full = tmp_path / f"full-{name}"
    if name.endswith(".json"):
        models["xgboost"].get_booster().save_model(full)
    else:
        models["lightgbm"].booster_.save_model(full)
    text = full.read_text()
    path = tmp_path / name
    path.write_text(text[: len(text) // 2])
    return path


@pytest.mark.parametrize("name", ["random.onnx", "truncated.json", "truncated.txt", "garbage.ubj", "garbage.cbm",
                                  "garbage.skops", "empty.json", "empty.onnx", "binary.txt"])
def test_corrupt_files_name_the_file(models, tmp_path, name):
    rng = np.random.default_rng(0)
    if name.startswith("truncated"):
        path = _truncated_text(models, tmp_path, name)
    else:
        path = tmp_path / name
        path.write_bytes(b"" if name.startswith("empty") else rng.bytes(300))
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert f"'{name}'" in str(info.value)
    assert info.value.parameter == "path"
    assert isinstance(info.value, ExplicableError)


def test_missing_path(tmp_path):
    path = tmp_path / "nope.onnx"
    with pytest.raises(ModelFileError, match="does not exist") as info:
        load_model(path)
    assert "nope.onnx" in str(info.value)


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelFileError, match="directory"):
        load_model(tmp_path)


def test_unknown_format_lists_readable_formats(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n not a model we read")
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert "model.h5" in message
    for fmt in ("ONNX", "XGBoost", "LightGBM", "CatBoost", "skops", "trust=True"):
        assert fmt in message


def test_every_loading_error_is_an_explicable_error():
    for error in (ModelFileError, UnsafeModelError):
        assert issubclass(error, ExplicableError)
