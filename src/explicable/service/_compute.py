"""What the service computes and records: per-row results, redacted input, canonical digests, plain language."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import ExplicableError
from explicable.core.explanation import Explanation
from explicable.reasons import reasons
from explicable.reporting.narrative import explain_decision
from explicable.service._models import ServedModel

__all__ = ["canonical", "compute", "plain_language", "redact", "sha256_of"]


def _num(x: Any) -> float | None:
    value = float(x)
    return value if math.isfinite(value) else None


def _nested(arr: np.ndarray) -> Any:
    if arr.ndim == 0:
        return _num(arr)
    return [_nested(a) for a in arr]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def compute(served: ServedModel, rows: Sequence[Mapping[str, Any]], budget: int | None) -> dict[str, Any]:
    """Predict and explain ``rows``; returns the JSON-ready ``output``, ``explanation`` and ``reasons``.

    ``explanation`` holds the whole batch: ``values`` (n_rows, n_features, n_outputs), ``base_values``
    (n_rows, n_outputs), ``stderr`` like values or None.
    """
    frame = served.frame(rows)
    predictions, exp = served.explain(frame, budget)
    explanation = {"feature_names": list(exp.feature_names), "output_names": list(exp.output_names),
                   "values": _nested(exp.values), "base_values": _nested(exp.base_values),
                   "stderr": None if exp.stderr is None else _nested(exp.stderr),
                   "output_space": exp.provenance.output_space}
    found, note = _reasons(served, exp)
    return {"output": _nested(np.asarray(predictions)), "explanation": explanation, "reasons": found,
            "reasons_note": note}


def _reasons(served: ServedModel, exp: Explanation) -> tuple[list[list[dict[str, Any]]] | None, str | None]:
    if not served.binary:
        return None, "Principal reasons are given for binary classifiers only."
    adverse = served.settings.adverse_output or exp.output_names[-1]
    try:
        found = reasons(exp, served.settings.reasons_k, adverse_output=adverse, require_stable=False)
    except ExplicableError as exc:
        return None, f"No principal reasons: {exc}"
    per_row = [[{"rank": r.rank, "feature": r.feature, "value": _plain(r.value), "contribution": _num(r.contribution),
                 "code": r.code, "statement": r.statement} for r in found.for_row(i)] for i in range(len(exp))]
    unstable = [i for i, ok in enumerate(found.stable) if not ok]
    note = f"The order of the reasons of rows {unstable} is within the estimate's error." if unstable else None
    return per_row, note


def redact(rows: Sequence[Mapping[str, Any]], rules: Mapping[str, str], key: bytes | None = None
           ) -> list[dict[str, Any]]:
    """The rows as recorded: columns ruled "hash" replaced by an HMAC-SHA256 of their value under ``key``,
    "drop" removed."""
    out = []
    for row in rows:
        kept = {}
        for column, value in row.items():
            rule = rules.get(column)
            if rule == "hash":
                if not key:
                    raise ValueError("a 'hash' redaction needs the redaction key")
                digest = hmac.new(key, json.dumps(value).encode(), hashlib.sha256).hexdigest()
                kept[column] = "hmac-sha256:" + digest
            elif rule != "drop":
                kept[column] = value
        out.append(kept)
    return out


def canonical(obj: Any) -> bytes:
    """Sorted-key, compact, NaN-free JSON bytes: equal bytes mean equal results."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def sha256_of(obj: Any) -> str:
    """SHA-256 hex of :func:`canonical` of ``obj``."""
    return hashlib.sha256(canonical(obj)).hexdigest()


def plain_language(served: ServedModel, record: Mapping[str, Any]) -> list[str]:
    """One plain-language text per row of a recorded decision, rebuilt from its logged explanation."""
    logged = record["explanation"]
    values = np.array(logged["values"], dtype="float64")
    data = np.array([[row.get(f) for f in logged["feature_names"]] for row in record["input"]], dtype=object)
    exp = Explanation(values, np.array(logged["base_values"], dtype="float64"), logged["feature_names"],
                      logged["output_names"], data=data)
    cut = served.settings.threshold
    if cut is None:
        cut = 0.5 if served.adapter.output_space == "probability" else 0.0
    output = served.settings.adverse_output or logged["output_names"][-1]
    return [explain_decision(exp, i, output=output, threshold=cut) for i in range(len(exp))]
