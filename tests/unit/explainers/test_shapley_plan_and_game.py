"""The sampling plan and the coalition game, checked piece by piece."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest

from explicable import FunctionModel, InvalidParameterError
from explicable.core.validation import as_table
from explicable.explainers.shapley._background import summarise_background
from explicable.explainers.shapley._game import CoalitionGame
from explicable.explainers.shapley._plan import kernel_weight, level_mass, make_plan


@pytest.mark.parametrize(("p", "budget"), [(6, 20), (12, 510), (16, 2046), (20, 510)])
@pytest.mark.parametrize("size_weights", ["leverage", "shapley"])
def test_plan_is_paired_distinct_and_within_budget(p: int, budget: int, size_weights: str) -> None:
    plan = make_plan(p, budget, np.random.default_rng(0), size_weights=size_weights)
    assert plan.size <= budget
    assert np.array_equal(plan.sampled[1::2], ~plan.sampled[0::2])  # every sample with its complement
    keys = {np.packbits(row).tobytes() for row in np.vstack([plan.enumerated, plan.sampled])}
    assert len(keys) == plan.size  # without replacement
    sizes = plan.sampled.sum(axis=1)
    assert sizes.min(initial=1) >= 1 and sizes.max(initial=p - 1) <= p - 1
    for s in set(plan.enumerated.sum(axis=1).tolist()):  # enumerated levels are complete
        assert (plan.enumerated.sum(axis=1) == s).sum() == comb(p, s)
        assert not (sizes == s).any()
    np.testing.assert_allclose(plan.enumerated_weights, [kernel_weight(p, s) for s in plan.enumerated.sum(axis=1)])
    assert np.all(plan.sampled_groups[0::2] == plan.sampled_groups[1::2])


def test_plan_size_shares() -> None:
    """Leverage: sampled levels get equal numbers; Shapley weights: proportional to the level's kernel mass."""
    p = 16
    lev = make_plan(p, 2046, np.random.default_rng(0), size_weights="leverage").sampled.sum(axis=1)
    counts = np.bincount(lev, minlength=p)[3:14]
    assert counts.max() - counts.min() <= 1
    shap = make_plan(p, 2046, np.random.default_rng(0), size_weights="shapley").sampled.sum(axis=1)
    c = np.bincount(shap, minlength=p)
    assert c[3] > c[8]
    ratio = c[3] / c[8]
    assert abs(ratio - (level_mass(p, 3) + level_mass(p, 13)) / (2 * level_mass(p, 8))) < 0.2


def test_plan_enumerates_all_when_budget_covers_it() -> None:
    plan = make_plan(5, 30, np.random.default_rng(0))
    assert len(plan.enumerated) == 30 and len(plan.sampled) == 0


def test_game_matches_direct_computation() -> None:
    rng = np.random.default_rng(0)
    f = lambda A: np.column_stack([A[:, 0] * A[:, 1], np.exp(A[:, 2])])  # noqa: E731
    model = FunctionModel(f, output_names=["a", "b"], n_features=3)
    X, bg = rng.normal(size=(4, 3)), rng.normal(size=(7, 3))
    w = rng.random(7)
    coalitions = np.array([[False, False, False], [True, False, True], [True, True, True]])
    game = CoalitionGame(model, X, bg, weights=w, max_batch_rows=10)  # tiny batches: many predict calls
    values = game(coalitions, np.array([2, 0]))
    for out_row, row in enumerate([2, 0]):
        for c, mask in enumerate(coalitions):
            data = np.where(mask, X[row], bg)
            np.testing.assert_allclose(values[out_row, c], (w / w.sum()) @ f(data), atol=1e-12)
    assert game.evaluations.tolist() == [3, 0, 3, 0]
    assert model.n_calls > 1 and max(model.n_rows, 0) > 0


def test_game_players_are_groups() -> None:
    model = FunctionModel(lambda A: A.sum(axis=1), n_features=4)
    game = CoalitionGame(model, np.ones((1, 4)), np.zeros((1, 4)), players=[[0, 2], [1], [3]])
    np.testing.assert_allclose(game(np.array([[True, False, False]]), np.array([0]))[0, 0, 0], 2.0)


def test_game_weights_checked() -> None:
    model = FunctionModel(lambda A: A.sum(axis=1), n_features=2)
    with pytest.raises(InvalidParameterError, match="background_weights"):
        CoalitionGame(model, np.ones((1, 2)), np.zeros((3, 2)), weights=np.array([1.0, -1.0, 1.0]))


def test_background_summary_is_real_rows_with_weights() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b", "c"], size=500),
                          "n": rng.integers(0, 5, size=500)})
    table = as_table(frame)
    rows, weights = summarise_background(table, 20, seed=0)
    assert rows.shape == (20, 3) and weights.shape == (20,)
    assert abs(weights.sum() - 1.0) < 1e-12 and (weights > 0).all()
    originals = {tuple(r) for r in table.values.tolist()}
    assert all(tuple(r) in originals for r in rows.tolist())  # medoids: rows that exist, categories intact
    again = summarise_background(table, 20, seed=0)
    assert np.array_equal(again[0], rows) and np.array_equal(again[1], weights)
    small, w = summarise_background(table, None, seed=0)
    assert small.shape == (500, 3) and np.allclose(w, 1 / 500)
