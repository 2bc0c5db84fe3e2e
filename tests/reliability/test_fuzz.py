"""Fuzzing: schemathesis against the committed OpenAPI schema (0 server errors, 0 schema violations), and
hypothesis on the request parsing and the CSV reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sklearn.tree import DecisionTreeRegressor

import explicable
from explicable.core.errors import InvalidDataError
from explicable.io import read_table
from explicable.service import ApiKey, ModelSettings, ServiceSettings, hash_key
from explicable.service._models import ServedModel
from explicable.service.app import create_app
from explicable.service.schemas import ExplainRequest

FEATURES = ("a", "b")
KEY = "fuzz-admin"
CASES = {"POST /v1/explain": 900}  # others: 300 each (operations without parameters run once); with the valid
VALID = 300  # explains and the reads of their decisions below, about 2,300 cases in all


def _served() -> ServedModel:
    X = np.random.default_rng(0).normal(size=(60, 2))
    model = DecisionTreeRegressor(max_depth=2, random_state=0).fit(pd.DataFrame(X, columns=list(FEATURES)), X[:, 0])
    return ServedModel(ModelSettings(name="m", path=Path("m")), explicable.wrap(model))


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from explicable.audit import open_store

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'audit.db'}")
    app = create_app(ServiceSettings(api_keys=(ApiKey(hash_key(KEY), "admin", "fuzzer"),)), store=store,
                     models={"m": _served()})
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_api_answers_within_its_schema(api: Any) -> None:
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
              response_headers_conformance]
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 7
    statuses: dict[str, list[int]] = {}
    for operation in operations:
        _fuzz(operation, checks, statuses)
    by_label = {op.label: op for op in operations}
    _valid_cases(by_label, checks, statuses)
    cases = sum(len(v) for v in statuses.values())
    print({label: (len(v), sorted(set(v))) for label, v in statuses.items()}, cases)
    # the generator reached the explain operation's success and rejection paths, not only the auth wall
    assert {200, 422} <= set(statuses["POST /v1/explain"])
    assert 200 in statuses["GET /v1/decisions/{decision_id}"] and 200 in statuses[
        "POST /v1/decisions/{decision_id}/replay"]
    assert cases >= 2000


def _fuzz(operation: Any, checks: list[Any], statuses: dict[str, list[int]]) -> None:
    """Schemathesis' generated cases of one operation (the pytest plugin does not run on our pytest)."""

    @given(case=operation.as_strategy())
    @settings(max_examples=CASES.get(operation.label, 300), deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def run(case: Any) -> None:
        response = case.call_and_validate(headers={"X-API-Key": KEY}, checks=checks)
        statuses.setdefault(operation.label, []).append(response.status_code)

    run()


def _valid_cases(operations: dict[str, Any], checks: list[Any], statuses: dict[str, list[int]]) -> None:
    """Well-formed explains (random numbers), then a read and a replay of every second decision."""
    explain, read, replay = (operations[k] for k in ("POST /v1/explain", "GET /v1/decisions/{decision_id}",
                                                      "POST /v1/decisions/{decision_id}/replay"))
    rng = np.random.default_rng(1)
    headers = {"X-API-Key": KEY}
    for i in range(VALID):
        draws = [rng.normal(scale=10.0 ** rng.integers(-3, 4), size=2) for _ in range(int(rng.integers(1, 4)))]
        rows = [{f: float(v) for f, v in zip(FEATURES, d, strict=True)} for d in draws]
        body = {"rows": rows, "model": "m"} if i % 2 else {"row": rows[0]}
        response = explain.Case(body=body, media_type="application/json").call_and_validate(headers=headers,
                                                                                            checks=checks)
        statuses[explain.label].append(response.status_code)
        if i % 2 == 0:
            continue
        for operation in (read, replay):
            path = {"decision_id": response.json()["decision_id"]}
            answer = operation.Case(path_parameters=path).call_and_validate(headers=headers, checks=checks)
            statuses[operation.label].append(answer.status_code)
            assert answer.status_code == 200 and (operation is read or answer.json()["identical"] is True)


_cells = st.floats(allow_nan=False, allow_infinity=False, width=64) | st.integers(-10**9, 10**9)


@given(st.lists(st.fixed_dictionaries({f: _cells for f in FEATURES}), min_size=1, max_size=5))
@settings(max_examples=100, deadline=None)
def test_rows_parse_into_the_models_column_order(rows: list[dict[str, Any]]) -> None:
    request = ExplainRequest.model_validate({"rows": [dict(reversed(list(r.items()))) for r in rows]})
    frame = _SERVED.frame(request.batch())
    expected = np.array([[float(r[f]) for f in FEATURES] for r in rows])
    np.testing.assert_array_equal(np.asarray(frame, dtype="float64"), expected)


@given(st.dictionaries(st.text(max_size=3), _cells, max_size=4).filter(lambda d: set(d) != set(FEATURES)))
@settings(max_examples=100, deadline=None)
def test_rows_with_other_features_are_refused_by_name(row: dict[str, Any]) -> None:
    with pytest.raises(InvalidDataError) as info:
        _SERVED.frame(ExplainRequest.model_validate({"row": row}).batch())
    assert "missing" in str(info.value) and info.value.parameter == "rows"


@given(st.lists(st.tuples(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(-10**6, 10**6),
                          st.sampled_from(["x", "y z", "ä"])), min_size=1, max_size=20))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_csv_reader_round_trips_what_pandas_writes(tmp_path: Path, cells: list[tuple[float, int, str]]) -> None:
    frame = pd.DataFrame(cells, columns=["num", "int", "text"])
    file = tmp_path / "rows.csv"
    frame.to_csv(file, index=False)
    back = read_table(file)
    np.testing.assert_array_equal(back["int"].to_numpy(), frame["int"].to_numpy())
    np.testing.assert_array_equal(back["num"].to_numpy(dtype="float64"), frame["num"].to_numpy())
    assert list(back["text"]) == list(frame["text"])


_SERVED = _served()
