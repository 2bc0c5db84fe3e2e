"""ONNX models through onnxruntime (CPU): one tensor input, or one input per column (skl2onnx pipelines)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError, ModelFileError
from explicable.core.fingerprint import digest_bytes
from explicable.models.base import ModelAdapter

__all__ = ["OnnxAdapter"]

_NUMPY = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
          "tensor(int32)": np.int32, "tensor(string)": object, "tensor(bool)": np.bool_}


class OnnxAdapter(ModelAdapter):
    """Adapter for ONNX models.

    Parameters
    ----------
    model : bytes, onnx.ModelProto or onnxruntime.InferenceSession
        The model (``load_model`` passes the file's bytes).
    output : str, optional
        Which graph output to explain. Default: a probability output if there is one, else the first
        numeric tensor output.
    output_space : {"probability", "log-odds", "raw"}, optional
        Default "probability" for a probability output, else "raw".
    output_names : sequence of str, optional
        Default: the class labels recorded in the graph, else ``output_0, ...``.
    feature_names : sequence of str, optional
        Column names for a single-tensor input (one-input-per-column models name their own).
    """

    def __init__(self, model: Any, *, output: str | None = None, output_space: str | None = None,
                 output_names: Sequence[str] | None = None, feature_names: Sequence[str] | None = None) -> None:
        self.payload, self.session = _session(model)
        inputs = self.session.get_inputs()
        self.per_column = len(inputs) > 1
        n_features: int | None = None
        if self.per_column:
            feature_names, n_features = [i.name for i in inputs], len(inputs)
        else:
            width = inputs[0].shape[1] if len(inputs[0].shape) == 2 else None
            n_features = width if isinstance(width, int) else None
        self.input_types = [_NUMPY.get(i.type, np.float32) for i in inputs]
        self.output = _pick_output(self.session, output)
        labels = _class_labels(self.payload)
        self.class_labels = labels
        is_prob = self.output.type.startswith("seq(map") or "prob" in self.output.name.lower()
        space = output_space if output_space is not None else ("probability" if is_prob else "raw")
        width = self.output.shape[1] if getattr(self.output, "shape", None) and len(self.output.shape) == 2 else None
        default = labels if labels and (is_prob or width == len(labels)) else \
            ([f"output_{i}" for i in range(width)] if isinstance(width, int) and width > 1 else ["output"])
        super().__init__(self.session, output_names=output_names or default, output_space=space,
                         feature_names=feature_names, n_features=n_features,
                         accepts_strings=object in self.input_types, allows_nan=True)

    def _predict(self, X: np.ndarray) -> Any:
        inputs = self.session.get_inputs()
        if self.per_column:
            pairs = zip(inputs, self.input_types, strict=True)
            feed: dict[str, np.ndarray] = {i.name: X[:, [j]].astype(t) for j, (i, t) in enumerate(pairs)}
        else:
            feed = {inputs[0].name: X.astype(self.input_types[0])}
        out = self.session.run([self.output.name], feed)[0]
        if isinstance(out, list):  # ZipMap: one {label: probability} per row
            keys = _zipmap_keys(out[0], self.class_labels) if out else []
            return np.array([[row[k] for k in keys] for row in out])
        return out

    def native_input(self, X: np.ndarray) -> Any:
        return X

    def fingerprint(self) -> str:
        return digest_bytes(self.payload) if self.payload else "unknown:onnxruntime-session"


def _session(model: Any) -> tuple[bytes, Any]:
    import onnxruntime as ort

    if isinstance(model, ort.InferenceSession):
        return b"", model
    payload = model if isinstance(model, bytes) else model.SerializeToString()
    try:
        return payload, ort.InferenceSession(payload, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for corrupt graphs
        raise ModelFileError(f"onnxruntime could not load the model: {str(exc).splitlines()[0]}",
                             parameter="model") from None


def _pick_output(session: Any, name: str | None) -> Any:
    outputs = session.get_outputs()
    if name is not None:
        for o in outputs:
            if o.name == name:
                return o
        raise InvalidParameterError(parameter="output", expected="one of " + ", ".join(o.name for o in outputs),
                                    got=name)
    for o in outputs:
        if o.type.startswith("seq(map") or "prob" in o.name.lower():
            return o
    numeric = [o for o in outputs if o.type in ("tensor(float)", "tensor(double)")]
    return numeric[0] if numeric else outputs[0]


def _class_labels(payload: bytes) -> list[str] | None:
    if not payload:
        return None
    try:
        import onnx
    except ImportError:
        return None
    graph = onnx.load_from_string(payload).graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.name == "classlabels_strings" and attr.strings:
                return [s.decode() for s in attr.strings]
            if attr.name in ("classlabels_int64s", "classlabels_ints") and attr.ints:
                return [str(i) for i in attr.ints]
    return None


def _zipmap_keys(row: dict[Any, float], labels: list[str] | None) -> list[Any]:
    """The row's keys in the graph's class order (output_names only name these columns, they don't pick them)."""
    if not labels:
        return list(row)
    by_text = {str(k): k for k in row}
    return [by_text[label] for label in labels if label in by_text]
