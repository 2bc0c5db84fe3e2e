"""NYC Local Law 144 tables against counts and ratios worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.fairness import ll144_table

# (sex, race, applicants, selected); 200 rows in all
CELLS = [
    ("male", "White", 60, 36),
    ("male", "Black", 40, 16),
    ("female", "White", 50, 20),
    ("female", "Black", 40, 18),
    ("female", "Asian", 3, 3),     # 1.5% of the data: may be excluded from the impact ratios
    ("unknown", "White", 7, 2),    # sex unknown
]


def _applicants() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sex, race, selected = [], [], []
    for s, r, n, k in CELLS:
        sex += [s] * n
        race += [r] * n
        selected += [1] * k + [0] * (n - k)
    return np.array(selected), np.array(sex), np.array(race)


def test_intersectional_selection_table_by_hand():
    selected, sex, race = _applicants()
    result = ll144_table(selected, sex=sex, race=race)
    assert result.kind == "selection"
    t = result.to_frame().set_index(["dimension", "category"])
    # by sex: male 100 applicants, 52 selected; female 93, 41; unknown 7 (in no rate)
    assert t.loc[("sex", "male"), "n"] == 100 and t.loc[("sex", "male"), "n_positive"] == 52
    assert t.loc[("sex", "female"), "rate"] == pytest.approx(41 / 93)
    assert t.loc[("sex", "female"), "impact_ratio"] == pytest.approx((41 / 93) / 0.52)
    assert t.loc[("sex", "male"), "impact_ratio"] == 1.0
    # by race: White 117 (58 selected, including the 7 of unknown sex), Black 80 (34), Asian 3 (excluded)
    assert t.loc[("race", "White"), "rate"] == pytest.approx(58 / 117)
    assert t.loc[("race", "Black"), "impact_ratio"] == pytest.approx((34 / 80) / (58 / 117))
    assert t.loc[("race", "Asian"), "excluded"]
    assert np.isnan(t.loc[("race", "Asian"), "impact_ratio"])
    assert t.loc[("race", "Asian"), "share"] == pytest.approx(3 / 200)
    # intersection: highest included rate is male & White, 36/60 = 0.6; female & Asian (rate 1.0) is excluded
    inter = t.loc["sex & race"]
    assert set(inter.index) == {"male & White", "male & Black", "female & White", "female & Black", "female & Asian"}
    assert inter.loc["male & Black", "impact_ratio"] == pytest.approx(0.4 / 0.6)
    assert inter.loc["female & White", "impact_ratio"] == pytest.approx(0.4 / 0.6)
    assert inter.loc["female & Black", "impact_ratio"] == pytest.approx(0.45 / 0.6)
    assert inter.loc["female & Asian", "excluded"]
    assert result.unknown == {"sex": 7, "race": 0, "sex & race": 7}
    assert result.unknown_frame()["n_unknown"].tolist() == [7, 0, 7]
    assert any("female & Asian (1.5%)" in note for note in result.notes)
    assert any("7 individual(s) of unknown sex" in note for note in result.notes)
    assert result.breached(0.8)  # 0.4 / 0.6 < 0.8


def test_without_exclusion_the_small_category_sets_the_highest_rate():
    selected, sex, race = _applicants()
    t = ll144_table(selected, sex=sex, race=race, exclude_under=0).to_frame().set_index(["dimension", "category"])
    assert not t["excluded"].any()
    assert t.loc[("sex & race", "female & Asian"), "impact_ratio"] == 1.0
    assert t.loc[("sex & race", "male & White"), "impact_ratio"] == pytest.approx(0.6)


def test_scoring_rate_is_share_above_the_full_sample_median():
    scores = np.arange(1.0, 11.0)  # median 5.5: rows scoring 6..10 count
    sex = np.array(["f", "m", "f", "m", "f", "m", "f", "m", "f", "NaN"], dtype=object)
    sex[-1] = np.nan  # unknown, but its score still counts for the median
    result = ll144_table(scores, sex=sex, exclude_under=None)
    assert result.kind == "scoring"
    assert result.median == 5.5
    t = result.to_frame().set_index("category")
    # f: scores 1, 3, 5, 7, 9 -> 2 above; m: 2, 4, 6, 8 -> 2 above
    assert t.loc["f", "rate"] == pytest.approx(2 / 5)
    assert t.loc["m", "rate"] == pytest.approx(2 / 4)
    assert t.loc["f", "impact_ratio"] == pytest.approx((2 / 5) / (2 / 4))
    assert result.unknown == {"sex": 1}
    assert any("median" in note for note in result.notes)


def test_kind_can_be_forced_and_series_are_accepted():
    scores = pd.Series([0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    race = pd.Series(["a", "a", "a", "b", "b", "b"], index=range(10, 16))
    selection = ll144_table(scores, race=race)
    scoring = ll144_table(scores, race=race, kind="scoring")
    assert selection.kind == "selection" and scoring.kind == "scoring"
    assert selection.to_frame()["rate"].tolist() == pytest.approx([2 / 3, 2 / 3])
    assert scoring.median == 1.0
    assert scoring.to_frame()["n_positive"].tolist() == [0, 0]  # nobody scores strictly above the median


def test_errors_name_the_parameter():
    with pytest.raises(InvalidParameterError):
        ll144_table([1, 0])
    with pytest.raises(InvalidParameterError) as err:
        ll144_table([1, 0], sex=["a", "b"], exclude_under=2)
    assert err.value.parameter == "exclude_under"
    with pytest.raises(InvalidDataError) as err:
        ll144_table([1, 0, 1], sex=["a", "b"])
    assert err.value.parameter == "sex"
    with pytest.raises(InvalidParameterError):
        ll144_table([1, 0], sex=["a", "b"], kind="hiring")
