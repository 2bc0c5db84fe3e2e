"""Explanation: construction checks, indexing that never drops an axis, conversions, exact JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from explicable import Explanation, InvalidDataError, InvalidParameterError, Provenance


def make(n: int = 4, m: int = 3, k: int = 2, *, stderr: bool = True, data: bool = True) -> Explanation:
    rng = np.random.default_rng(0)
    return Explanation(
        values=rng.normal(size=(n, m, k)),
        base_values=rng.normal(size=(n, k)),
        feature_names=[f"f{j}" for j in range(m)],
        output_names=[f"o{j}" for j in range(k)],
        data=rng.normal(size=(n, m)) if data else None,
        stderr=np.abs(rng.normal(size=(n, m, k))) if stderr else None,
        provenance=Provenance(method="test", parameters={"a": 1, "b": [1, 2]}, random_state=3, budget_used=10,
                              output_space="log-odds"),
    )


class TestConstruction:
    def test_values_must_be_3d(self) -> None:
        with pytest.raises(InvalidDataError, match="values"):
            Explanation(np.zeros((2, 3)), np.zeros((2, 1)), ["a", "b", "c"], ["y"])

    def test_base_values_shape(self) -> None:
        with pytest.raises(InvalidDataError, match=r"base_values.*\(2, 1\)"):
            Explanation(np.zeros((2, 3, 1)), np.zeros((3, 1)), ["a", "b", "c"], ["y"])

    @pytest.mark.parametrize("names", [["a", "b"], ["a", "a", "b"], "abc"])
    def test_feature_names_count_and_unique(self, names: object) -> None:
        with pytest.raises(InvalidDataError, match="feature_names"):
            Explanation(np.zeros((2, 3, 1)), np.zeros((2, 1)), names, ["y"])  # type: ignore[arg-type]

    def test_stderr_and_data_shapes(self) -> None:
        with pytest.raises(InvalidDataError, match="stderr"):
            Explanation(np.zeros((2, 3, 1)), np.zeros((2, 1)), ["a", "b", "c"], ["y"], stderr=np.zeros((2, 3, 2)))
        with pytest.raises(InvalidDataError, match="data"):
            Explanation(np.zeros((2, 3, 1)), np.zeros((2, 1)), ["a", "b", "c"], ["y"], data=np.zeros((2, 2)))

    def test_arrays_are_read_only_and_copied(self) -> None:
        values = np.zeros((1, 2, 1))
        exp = Explanation(values, np.zeros((1, 1)), ["a", "b"], ["y"])
        values[0, 0, 0] = 5.0
        assert exp.values[0, 0, 0] == 0.0
        with pytest.raises(ValueError):
            exp.values[0, 0, 0] = 1.0

    def test_output_totals(self) -> None:
        exp = make()
        np.testing.assert_allclose(exp.output_totals, exp.base_values + exp.values.sum(axis=1))


KEYS = [
    (0, (1, 3, 2)),
    (-1, (1, 3, 2)),
    (slice(1, 3), (2, 3, 2)),
    ([0, 2], (2, 3, 2)),
    (np.array([True, False, True, True]), (3, 3, 2)),
    ("f1", (4, 1, 2)),
    (["f2", "f0"], (4, 2, 2)),
    ("o1", (4, 3, 1)),
    ((0, 1), (1, 1, 2)),
    ((0, "f1", "o0"), (1, 1, 1)),
    ((slice(None), [0, 1], 1), (4, 2, 1)),
    ((1, slice(None), ["o1", "o0"]), (1, 3, 2)),
]


class TestIndexing:
    @pytest.mark.parametrize(("key", "shape"), KEYS)
    def test_never_drops_an_axis(self, key: object, shape: tuple[int, int, int]) -> None:
        sub = make()[key]
        assert sub.values.shape == shape
        assert sub.base_values.shape == (shape[0], shape[2])
        assert sub.stderr is not None and sub.stderr.shape == shape
        assert sub.data is not None and sub.data.shape == shape[:2]
        assert len(sub.feature_names) == shape[1] and len(sub.output_names) == shape[2]

    def test_selects_the_right_cells(self) -> None:
        exp = make()
        sub = exp[[2, 0], ["f2", "f0"], "o1"]
        assert sub.feature_names == ("f2", "f0") and sub.output_names == ("o1",)
        np.testing.assert_array_equal(sub.values[:, :, 0], exp.values[np.ix_([2, 0], [2, 0], [1])][:, :, 0])
        np.testing.assert_array_equal(sub.data, exp.data[np.ix_([2, 0], [2, 0])])
        np.testing.assert_array_equal(sub.base_values, exp.base_values[[2, 0]][:, [1]])

    def test_provenance_kept(self) -> None:
        exp = make()
        assert exp[0].provenance == exp.provenance

    @pytest.mark.parametrize(("key", "match"), [
        (4, "rows"), ("nope", "features"), ((0, 0, "nope"), "outputs"), (np.array([True]), "rows"),
        ((0, 0, 0, 0), "key"), (1.5, "rows"),
    ])
    def test_bad_keys(self, key: object, match: str) -> None:
        with pytest.raises(InvalidParameterError, match=match):
            make()[key]


class TestConversion:
    def test_to_frame_is_tidy(self) -> None:
        exp = make(n=2, m=3, k=2)
        frame = exp.to_frame()
        assert list(frame.columns) == ["row", "feature", "output", "value", "stderr"]
        assert len(frame) == 12
        row = frame[(frame.row == 1) & (frame.feature == "f2") & (frame.output == "o0")]
        assert row.value.item() == exp.values[1, 2, 0] and row.stderr.item() == exp.stderr[1, 2, 0]
        assert make(stderr=False).to_frame().stderr.isna().all()

    @pytest.mark.parametrize("stderr", [True, False])
    @pytest.mark.parametrize("data", [True, False])
    def test_json_round_trip_exact(self, stderr: bool, data: bool) -> None:
        exp = make(stderr=stderr, data=data)
        back = Explanation.from_json(exp.to_json())
        assert back == exp
        assert back.values.tobytes() == exp.values.tobytes()

    def test_json_is_standard_and_keeps_non_finite(self) -> None:
        values = np.array([[[np.nan], [np.inf], [-np.inf], [1e-310]]])
        data = np.array([["a", 1, np.nan, None]], dtype=object)
        exp = Explanation(values, np.zeros((1, 1)), list("abcd"), ["y"], data=data)
        text = exp.to_json()
        json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
        back = Explanation.from_json(text)
        assert back == exp
        assert back.data is not None and back.data[0, 0] == "a" and back.data[0, 1] == 1 and back.data[0, 3] is None
        assert np.isnan(back.data[0, 2]) and back.values[0, 3, 0] == 1e-310

    def test_schema_version_checked(self) -> None:
        obj = make().to_dict()
        obj["schema"] = "explicable.explanation/999"
        with pytest.raises(InvalidDataError, match="schema"):
            Explanation.from_dict(obj)
        with pytest.raises(InvalidDataError, match="JSON"):
            Explanation.from_json("{not json")

    def test_written_file(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        exp = make()
        path = tmp_path / "e.json"
        exp.to_json(path)
        assert Explanation.from_json(path.read_text()) == exp

    def test_data_from_frame(self) -> None:
        frame = pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "y"]})
        exp = Explanation(np.zeros((2, 2, 1)), np.zeros((2, 1)), ["a", "b"], ["y"], data=frame)
        assert exp.data is not None and exp.data.dtype == object and exp.data[1, 1] == "y"
        assert Explanation.from_json(exp.to_json()) == exp

    def test_repr_html_is_static(self) -> None:
        html = make()._repr_html_()
        assert "<table>" in html and "<script" not in html and "f0" in html
        assert "method test" in html and "log-odds" in html

    def test_equality_detects_differences(self) -> None:
        a = make()
        b = Explanation(a.values + 1e-15, a.base_values, a.feature_names, a.output_names, a.data, a.stderr,
                        a.provenance)
        assert a != b


@settings(max_examples=60, deadline=None)
@given(
    values=hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 2)),
                      elements=st.floats(allow_nan=True, allow_infinity=True, width=64)),
)
def test_json_round_trip_any_floats(values: np.ndarray) -> None:
    n, m, k = values.shape
    exp = Explanation(values, np.zeros((n, k)), [f"f{j}" for j in range(m)], [f"o{j}" for j in range(k)])
    back = Explanation.from_json(exp.to_json())
    assert back == exp
    assert np.array_equal(back.values, values, equal_nan=True)
    # negative zero and every bit pattern of finite floats survive
    finite = np.isfinite(values)
    assert back.values[finite].tobytes() == values[finite].tobytes()


class TestGroup:
    def test_sums_members_and_keeps_order(self) -> None:
        exp = make(n=2, m=3, k=2)
        grouped = exp.group({"g": ["f2", "f0"]})
        assert grouped.feature_names == ("g", "f1")
        np.testing.assert_allclose(grouped.values[:, 0], exp.values[:, 0] + exp.values[:, 2])
        np.testing.assert_allclose(grouped.output_totals, exp.output_totals)
        np.testing.assert_allclose(grouped.stderr[:, 0], exp.stderr[:, 0] + exp.stderr[:, 2])  # type: ignore[index]
        assert grouped.data is not None and grouped.data[0, 0] == (exp.data[0, 0], exp.data[0, 2])  # type: ignore[index]

    def test_explicit_data(self) -> None:
        exp = make(n=2, m=3, k=1)
        grouped = exp.group({"g": ["f0", "f1"]}, data=np.array([["a", 1.0], ["b", 2.0]], dtype=object))
        assert grouped.data is not None and grouped.data[1, 0] == "b"

    @pytest.mark.parametrize(("groups", "match"), [
        ({"g": ["nope"]}, "existing"),
        ({"g": ["f0"], "h": ["f0"]}, "one group"),
        ({"f1": ["f0"]}, "distinct"),
        ({"g": []}, "non-empty"),
        ({"g": "f0"}, "non-empty"),
    ])
    def test_bad_groups(self, groups: dict, match: str) -> None:
        with pytest.raises(InvalidParameterError, match=match):
            make().group(groups)
