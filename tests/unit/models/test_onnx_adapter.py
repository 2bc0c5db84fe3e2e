"""ONNX models (skl2onnx conversions, with and without ZipMap) through onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression

from explicable import InvalidParameterError, ModelFileError, load_model, wrap
from explicable.models.onnx import OnnxAdapter


def _convert(model: Any, n_features: int, *, zipmap: bool = True) -> Any:
    options = None if zipmap else {id(model): {"zipmap": False}}
    return convert_sklearn(model, initial_types=[("X", FloatTensorType([None, n_features]))], options=options,
                           target_opset=17)


@pytest.fixture(scope="module")
def data(numeric_data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = numeric_data.array.astype(np.float32)
    return X, numeric_data.binary, numeric_data.multiclass


MODELS = {
    "logistic-binary": (lambda: LogisticRegression(max_iter=1000), "binary"),
    "logistic-multiclass": (lambda: LogisticRegression(max_iter=1000), "multiclass"),
    "forest-binary": (lambda: RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0), "binary"),
    "forest-multiclass": (lambda: RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0),
                          "multiclass"),
}


@pytest.fixture(scope="module")
def fitted(data) -> dict[str, Any]:
    X, binary, multiclass = data
    return {name: build().fit(X, binary if target == "binary" else multiclass)
            for name, (build, target) in MODELS.items()}


@pytest.mark.parametrize("zipmap", [True, False], ids=["zipmap", "tensor"])
@pytest.mark.parametrize("name", list(MODELS))
def test_bytes_predict_like_sklearn(fitted, data, name, zipmap):
    model = fitted[name]
    X = data[0]
    adapter = OnnxAdapter(_convert(model, 4, zipmap=zipmap).SerializeToString())
    out = adapter.predict(X)
    assert out.dtype == np.float64
    assert out.shape == (len(X), len(model.classes_))
    np.testing.assert_allclose(out, model.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)
    assert adapter.output_names == tuple(str(c) for c in model.classes_)
    assert adapter.output_space == "probability"
    assert adapter.n_features == 4


@pytest.mark.parametrize("zipmap", [True, False], ids=["zipmap", "tensor"])
@pytest.mark.parametrize("name", ["logistic-binary", "forest-multiclass"])
def test_load_model_reads_onnx_files(fitted, data, tmp_path, name, zipmap):
    model = fitted[name]
    path = tmp_path / "model.onnx"
    path.write_bytes(_convert(model, 4, zipmap=zipmap).SerializeToString())
    adapter = load_model(path)
    assert isinstance(adapter, OnnxAdapter)
    np.testing.assert_allclose(adapter.predict(data[0]), model.predict_proba(data[0]), atol=1e-5)
    assert adapter.output_names == tuple(str(c) for c in model.classes_)


def test_string_class_labels(data):
    X, binary, _ = data
    labels = np.array(["approve", "deny"])[binary]
    model = LogisticRegression().fit(X, labels)
    for zipmap in (True, False):
        adapter = OnnxAdapter(_convert(model, 4, zipmap=zipmap).SerializeToString())
        assert adapter.output_names == ("approve", "deny")
        np.testing.assert_allclose(adapter.predict(X), model.predict_proba(X), atol=1e-5)


def test_wrap_takes_a_model_proto_and_a_session(fitted, data):
    model = fitted["forest-binary"]
    proto = _convert(model, 4)
    from_proto = wrap(proto)
    assert from_proto.output_names == ("0", "1")
    np.testing.assert_allclose(from_proto.predict(data[0]), model.predict_proba(data[0]), atol=1e-5)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    from_session = wrap(session, output_names=["no", "yes"])
    assert from_session.output_names == ("no", "yes")
    np.testing.assert_allclose(from_session.predict(data[0]), model.predict_proba(data[0]), atol=1e-5)


def test_float64_input_is_cast_for_the_graph(fitted, data, numeric_data):
    model = fitted["logistic-binary"]
    adapter = OnnxAdapter(_convert(model, 4).SerializeToString())
    np.testing.assert_allclose(adapter.predict(numeric_data.array), model.predict_proba(data[0]), atol=1e-5)
    np.testing.assert_allclose(adapter.predict(numeric_data.frame), model.predict_proba(data[0]), atol=1e-5)


def test_regressor_output_is_raw(data, numeric_data):
    X = data[0]
    model = LinearRegression().fit(X, numeric_data.regression)
    adapter = OnnxAdapter(_convert(model, 4).SerializeToString())
    out = adapter.predict(X)
    assert out.shape == (len(X), 1)
    assert adapter.output_space == "raw"
    np.testing.assert_allclose(out[:, 0], model.predict(X), rtol=1e-4, atol=1e-4)


def test_choosing_a_missing_output_lists_the_outputs(fitted):
    payload = _convert(fitted["logistic-binary"], 4).SerializeToString()
    with pytest.raises(InvalidParameterError, match="output_probability") as info:
        OnnxAdapter(payload, output="scores")
    assert info.value.parameter == "output"


def test_wrong_width_is_refused(fitted):
    adapter = OnnxAdapter(_convert(fitted["logistic-binary"], 4).SerializeToString())
    from explicable import InvalidDataError

    with pytest.raises(InvalidDataError, match="4 columns"):
        adapter.predict(np.zeros((2, 3)))


def test_corrupt_bytes_are_a_model_file_error():
    with pytest.raises(ModelFileError, match="onnxruntime"):
        OnnxAdapter(np.random.default_rng(0).bytes(64))


def test_fingerprint_is_the_payload_digest(fitted):
    payload = _convert(fitted["logistic-binary"], 4).SerializeToString()
    other = _convert(fitted["forest-binary"], 4).SerializeToString()
    assert OnnxAdapter(payload).fingerprint() == OnnxAdapter(payload).fingerprint()
    assert OnnxAdapter(payload).fingerprint() != OnnxAdapter(other).fingerprint()
