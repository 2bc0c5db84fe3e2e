"""Deletion and insertion curves, faithfulness correlation and infidelity against closed forms.

On an additive model ``f(x) = sum_j g_j(x_j)`` with absent features averaged over background rows, the
output with the set A absent is ``f(x) - sum_{j in A} phi_j`` where ``phi_j = g_j(x_j) - mean_b g_j(b_j)``
(the exact interventional Shapley values): every curve and removal effect below has that closed form.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from sklearn.linear_model import LinearRegression

import explicable
from explicable import Explanation, FunctionModel, InvalidDataError, InvalidParameterError
from explicable.evaluation import deletion_curve, faithfulness_correlation, infidelity, insertion_curve

W = np.array([3.0, -2.0, 1.5, 0.5, -1.0, 2.5])


def g(X: np.ndarray) -> np.ndarray:
    """Per-feature terms of a non-linear additive model."""
    return W * np.sin(X) + 0.3 * X**2


def additive() -> tuple[FunctionModel, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X, background = rng.normal(size=(12, 6)), rng.normal(size=(30, 6))
    model = FunctionModel(lambda Z: g(Z).sum(axis=1), feature_names=list("abcdef"))
    phi = g(X) - g(background).mean(axis=0)
    return model, X, background, phi


def explanation(phi: np.ndarray, names: str = "abcdef") -> Explanation:
    return Explanation(phi[:, :, None], np.zeros((phi.shape[0], 1)), list(names), ["output"])


def test_deletion_curve_of_the_true_ordering_matches_the_closed_form_and_beats_random() -> None:
    model, X, background, phi = additive()
    result = deletion_curve(model, X, explanation(phi), background=background, random_state=0)
    full = g(X).sum(axis=1)
    expected = full[:, None] - np.concatenate([np.zeros((12, 1)), np.cumsum(-np.sort(-phi, axis=1), axis=1)], axis=1)
    np.testing.assert_allclose(result.curve, expected, atol=1e-10)
    np.testing.assert_allclose(result.fractions, np.arange(7) / 6)
    np.testing.assert_allclose(result.auc, np.trapezoid(expected, result.fractions, axis=1), atol=1e-10)
    # the sorted order removes the most at every step, so no ordering has a lower curve
    assert np.all(result.curve <= result.random_curve + 1e-10)
    assert np.all(result.auc < result.random_auc) and result.passed and result.value > 0.1


def test_deletion_fails_for_the_reversed_ordering() -> None:
    model, X, background, phi = additive()
    result = deletion_curve(model, X, explanation(-phi), background=background, random_state=0)
    assert not result.passed and result.value < -0.1
    assert np.all(result.auc > result.random_auc)


def test_random_attributions_on_few_rows_must_beat_chance_significantly() -> None:
    """Random orderings on 4 rows pass the 0.05 margin by luck about half the time; the significance bound
    (1.645 standard errors of the margin over rows) keeps the false passes near the 5% a one-sided test allows."""
    model, X, background, _ = additive()
    rng = np.random.default_rng(5)
    lucky, passed = 0, 0
    for seed in range(40):
        result = deletion_curve(model, X[:4], explanation(rng.normal(size=(4, 6))), background=background,
                                random_state=seed)
        bound = 1.645 * result.details["margin_stderr"]
        assert result.threshold == max(0.05, bound) and result.details["requested_threshold"] == 0.05
        assert result.passed == (result.value > result.threshold)
        lucky += result.value > 0.05
        passed += result.passed
    assert lucky >= 8 and passed <= 4  # without the bound, the lucky ones would all pass


def test_insertion_closed_form_and_verdicts() -> None:
    model, X, background, phi = additive()
    result = insertion_curve(model, X, explanation(phi), background=background, random_state=0)
    empty = g(background).mean(axis=0).sum()
    expected = empty + np.concatenate([np.zeros((12, 1)), np.cumsum(-np.sort(-phi, axis=1), axis=1)], axis=1)
    np.testing.assert_allclose(result.curve, expected, atol=1e-10)
    assert result.passed and np.all(result.auc > result.random_auc)
    assert not insertion_curve(model, X, explanation(-phi), background=background, random_state=0).passed


def test_curves_match_features_by_name_and_are_reproducible() -> None:
    model, X, background, phi = additive()
    shuffled = explanation(phi[:, ::-1], "fedcba")
    first = deletion_curve(model, X, shuffled, background=background, random_state=3, steps=3)
    same = deletion_curve(model, X, explanation(phi), background=background, random_state=3, steps=3)
    np.testing.assert_array_equal(first.curve, same.curve)
    np.testing.assert_array_equal(first.random_curve, same.random_curve)
    assert first.curve.shape == (12, 4) and first.details["random_state"] == 3


def test_image_deletion_with_mean_and_blur_references() -> None:
    rng = np.random.default_rng(2)
    images = rng.random((3, 6, 6, 2))
    weights = rng.normal(size=6 * 6 * 2)
    model = FunctionModel(lambda Z: Z @ weights)
    reference = np.broadcast_to(images.mean(axis=(1, 2), keepdims=True), images.shape)
    per_column = (weights * (images - reference).reshape(3, -1)).reshape(3, 36, 2)
    pixel_phi = per_column.sum(axis=2)  # one attribution per pixel, shared by its two channels
    result = deletion_curve(model, images, explanation(pixel_phi, [f"p{i}" for i in range(36)]), background="mean",
                            steps=36, random_state=0)
    full = images.reshape(3, -1) @ weights
    expected = full[:, None] - np.concatenate([np.zeros((3, 1)), np.cumsum(-np.sort(-pixel_phi, axis=1), axis=1)], 1)
    np.testing.assert_allclose(result.curve, expected, atol=1e-10)
    assert result.passed
    blurred = gaussian_filter(images, sigma=(0, 1.0, 1.0, 0), mode="nearest").reshape(3, -1) @ weights
    channel_phi = explanation(per_column.reshape(3, -1), [f"c{i}" for i in range(72)])
    blur = deletion_curve(model, images, channel_phi, sigma=1.0, steps=4, random_state=0)
    np.testing.assert_allclose(blur.curve[:, -1], blurred, atol=1e-10)
    np.testing.assert_allclose(blur.curve[:, 0], full, atol=1e-10)


def test_faithfulness_correlation_is_one_for_exact_linear_attributions() -> None:
    rng = np.random.default_rng(3)
    X, background = rng.normal(size=(10, 6)), rng.normal(size=(40, 6))
    lr = LinearRegression().fit(background, background @ W + 1.0)
    exp = explicable.explain(lr, X, background=background, method="linear")
    result = faithfulness_correlation(lr, X, exp, background=background, random_state=0)
    np.testing.assert_allclose(result.per_row, 1.0, atol=1e-10)
    assert result.passed and result.details["subset_size"] == 1
    noise = explanation(rng.normal(size=(10, 6)))
    assert faithfulness_correlation(lr, X, noise, background=background, subset_size=2, random_state=0).value < 0.5


def test_faithfulness_correlation_of_constant_attributions_is_undefined() -> None:
    model, X, background, _ = additive()
    result = faithfulness_correlation(model, X, explanation(np.zeros((12, 6))), background=background, random_state=0)
    assert np.isnan(result.value) and not result.passed and result.details["undefined_rows"] == 12


def test_infidelity_closed_forms() -> None:
    model, X, background, phi = additive()
    exact = infidelity(model, X, explanation(phi), background=background, subset_size=3, random_state=0)
    assert exact.value == pytest.approx(0.0, abs=1e-20) and exact.passed
    # removing every feature at once: raw infidelity of 2 phi is (2 sum phi - sum phi)^2; normalised it is 0
    doubled = infidelity(model, X, explanation(2 * phi), background=background, subset_size=6, normalize=False,
                         threshold=1e9, random_state=0)
    np.testing.assert_allclose(doubled.per_row, phi.sum(axis=1) ** 2, rtol=1e-10)
    scaled = infidelity(model, X, explanation(2 * phi), background=background, subset_size=6, random_state=0)
    assert scaled.value == pytest.approx(0.0, abs=1e-20) and scaled.details["mean_beta"] == pytest.approx(0.5)
    wrong = infidelity(model, X, explanation(phi[:, ::-1].copy()), background=background, random_state=0)
    assert wrong.value > 0.1 and not wrong.passed


def test_gaussian_infidelity_is_zero_for_a_linear_models_gradient() -> None:
    rng = np.random.default_rng(4)
    X, background = rng.normal(size=(5, 6)), rng.normal(size=(20, 6))
    model = FunctionModel(lambda Z: Z @ W)
    gradient = explanation(np.broadcast_to(W, (5, 6)).copy())
    result = infidelity(model, X, gradient, background=background, perturbation="gaussian", random_state=0)
    assert result.value == pytest.approx(0.0, abs=1e-20)
    shap_like = infidelity(model, X, explanation(W * (X - background.mean(axis=0))), background=background,
                           perturbation="gaussian", random_state=0)
    assert shap_like.value > 0.1


def test_infidelity_of_square_removal_on_images() -> None:
    rng = np.random.default_rng(5)
    images = rng.random((2, 8, 8, 1))
    weights = rng.normal(size=64)
    model = FunctionModel(lambda Z: Z @ weights)
    reference = np.broadcast_to(images.mean(axis=(1, 2), keepdims=True), images.shape).reshape(2, -1)
    phi = weights * (images.reshape(2, -1) - reference)
    result = infidelity(model, images, explanation(phi, [f"p{i}" for i in range(64)]), background="mean", patch=3,
                        random_state=0)
    assert result.value == pytest.approx(0.0, abs=1e-20) and result.details["patch"] == 3


@pytest.mark.parametrize(("call", "match"), [
    (lambda m, X, e, b: deletion_curve(m, X, e), "background"),
    (lambda m, X, e, b: deletion_curve(m, X, e, background=b, steps=7), "steps"),
    (lambda m, X, e, b: deletion_curve(m, X, e, background=b, output="nope"), "output"),
    (lambda m, X, e, b: deletion_curve(m, X, e, background=b, by="rank"), "by"),
    (lambda m, X, e, b: faithfulness_correlation(m, X, e, background=b, subset_size=0), "subset_size"),
    (lambda m, X, e, b: infidelity(m, X, e, background=b, perturbation="blur"), "perturbation"),
    (lambda m, X, e, b: infidelity(m, X, e, background=b, perturbation="gaussian", noise=-1.0), "noise"),
])
def test_bad_parameters(call: object, match: str) -> None:
    model, X, background, phi = additive()
    with pytest.raises(InvalidParameterError, match=match):
        call(model, X, explanation(phi), background)  # type: ignore[operator]


def test_explanation_must_fit_the_rows() -> None:
    model, X, background, phi = additive()
    with pytest.raises(InvalidDataError, match="explanation"):
        deletion_curve(model, X, explanation(phi[:5]), background=background)
    with pytest.raises(InvalidDataError, match="explanation"):
        deletion_curve(model, np.zeros((2, 4, 4, 3)), explanation(np.zeros((2, 5)), "abcde"))


def test_memory_bound_splits_batches_without_changing_the_curve(monkeypatch: pytest.MonkeyPatch) -> None:
    _, X, background, phi = additive()
    sizes: list[int] = []

    def fn(Z: np.ndarray) -> np.ndarray:
        sizes.append(Z.shape[0])
        return g(Z).sum(axis=1)

    model = FunctionModel(fn, feature_names=list("abcdef"))
    whole = deletion_curve(model, X, explanation(phi), background=background, random_state=0)
    monkeypatch.setattr("explicable.evaluation._perturb.MAX_BATCH_ELEMENTS", 600)
    sizes.clear()
    split = deletion_curve(model, X, explanation(phi), background=background, random_state=0)
    np.testing.assert_allclose(split.curve, whole.curve, atol=1e-12)
    assert max(sizes) * 6 <= 600 and len(sizes) > 12
    gauss = infidelity(model, X, explanation(phi), background=background, perturbation="gaussian", random_state=0)
    assert np.isfinite(gauss.value) and max(sizes) * 6 <= 600
