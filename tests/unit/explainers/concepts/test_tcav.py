"""TCAV: significant for a concept a model provably uses, not for one it ignores; the lesion CNN's lesion concept."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError, NotFittedError, UnsupportedModelError

torch = pytest.importorskip("torch")

from explicable.explainers.concepts import TCAV, TCAVResult  # noqa: E402


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)


def colour_model() -> Any:
    """Output 0 = mean over pixels of relu(R - 0.5) ("redness"), output 1 = the same for blue.

    At the 1x1 convolution (the default layer), d output_0 / d activation is 1/HW on channel 0 where R > 0.5
    and 0 elsewhere: only the red channel of the layer matters for output 0, only the blue one for output 1.
    """
    conv = torch.nn.Conv2d(3, 2, 1)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0] = 1.0
        conv.weight[1, 2] = 1.0
        conv.bias.fill_(-0.5)
    return torch.nn.Sequential(OrderedDict([("conv", conv), ("relu", torch.nn.ReLU()),
                                            ("pool", torch.nn.AdaptiveAvgPool2d(1)), ("flatten", torch.nn.Flatten())]))


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform(0.0, 1.0, (n, 8, 8, 3)).astype("float32")


def _inputs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Dim images (R, B < 0.5) with one 2x2 red and one 2x2 blue square at random places: the gradient at the
    layer differs from input to input, as in a real network."""
    x = _noise(rng, n) * np.array([0.5, 1.0, 0.5], dtype="float32")
    for image in x:
        for channel in (0, 2):
            r, c = rng.integers(0, 7, 2)
            image[r:r + 2, c:c + 2, channel] = 0.9
    return x


@pytest.fixture(scope="module")
def colour_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "red": _noise(rng, 24) * [0.3, 1.0, 1.0] + [0.7, 0.0, 0.0],    # R in [0.7, 1]
        "blue": _noise(rng, 24) * [1.0, 1.0, 0.3] + [0.0, 0.0, 0.7],
        "green": _noise(rng, 24) * [1.0, 0.3, 1.0] + [0.0, 0.7, 0.0],  # invisible to the layer (no G weight)
        "random": _noise(rng, 60),
        "inputs": _inputs(rng, 40),
    }


@pytest.fixture(scope="module")
def colour_tcav(colour_data: dict[str, np.ndarray]) -> TCAV:
    concepts = {k: colour_data[k] for k in ("red", "blue", "green")}
    return TCAV(colour_model(), n_random=10, test="ttest", random_state=0).fit(concepts, colour_data["random"])


@pytest.mark.parametrize("test", ["ttest", "prediction"])
def test_the_concept_the_output_uses_is_significant(colour_data: dict[str, np.ndarray], test: str) -> None:
    concepts = {k: colour_data[k] for k in ("red", "blue", "green")}
    tcav = TCAV(colour_model(), n_random=10, test=test, random_state=0).fit(concepts, colour_data["random"])
    red = tcav.explain(colour_data["inputs"], target=0)
    assert red.concepts == ("red", "blue", "green") and red.layer == "conv"
    # Every input has a red square, and a red CAV raises the layer's red channel: derivative > 0 for all.
    assert red.mean[0] == 1.0 and red.std[0] == 0.0 and red.significant[0]
    blue = tcav.explain(colour_data["inputs"], target=1)
    assert blue.mean[1] == 1.0 and blue.significant[1]
    # The layer sees no green: green vs random is not separable there (held-out accuracy near chance).
    assert tcav.cav_accuracy_[2].mean() < 0.7 < tcav.cav_accuracy_[:2].min()


def test_irrelevant_concepts_are_not_significant_under_the_prediction_test(
        colour_data: dict[str, np.ndarray]) -> None:
    # Green is invisible to the layer; blue is visible but output 0 ignores it; red is ignored by output 1.
    concepts = {k: colour_data[k] for k in ("red", "blue", "green")}
    tcav = TCAV(colour_model(), n_random=10, test="prediction", random_state=0).fit(concepts, colour_data["random"])
    assert tcav.explain(colour_data["inputs"], target=0).significant.tolist() == [True, False, False]
    assert tcav.explain(colour_data["inputs"], target=1).significant.tolist() == [False, True, False]


def test_p_values_are_welch_t_tests_bonferroni_corrected(colour_tcav: TCAV,
                                                         colour_data: dict[str, np.ndarray]) -> None:
    from scipy.stats import t, ttest_1samp, ttest_ind

    result = colour_tcav.explain(colour_data["inputs"], target=0)
    for c in (1, 2):  # the red concept's scores have no spread: a t-test of a constant, tested separately
        expected = ttest_ind(result.scores[c], result.random_scores, equal_var=False).pvalue
        assert result.p_values[c] == pytest.approx(expected, rel=1e-10)
    assert np.array_equal(result.p_values_corrected, np.minimum(1.0, 3 * result.p_values))
    # a constant sample against one with spread: Welch reduces to a one-sample t-test of the random scores
    assert result.p_values[0] == pytest.approx(ttest_1samp(result.random_scores, 1.0).pvalue, rel=1e-10)
    # the prediction test, by hand: the concept's mean as one new draw from the random scores
    colour_tcav.test = "prediction"
    try:
        predicted = colour_tcav.explain(colour_data["inputs"], target=0)
    finally:
        colour_tcav.test = "ttest"
    random = result.random_scores
    statistic = abs(result.scores[1].mean() - random.mean()) / (random.std(ddof=1) * np.sqrt(1 + 1 / random.size))
    assert predicted.p_values[1] == pytest.approx(2 * t.sf(statistic, random.size - 1), rel=1e-10)
    assert np.array_equal(predicted.scores, result.scores)


def test_scores_are_shares_of_positive_directional_derivatives(colour_tcav: TCAV,
                                                               colour_data: dict[str, np.ndarray]) -> None:
    # Brute force: the directional derivative by finite differences of the layer activation along each CAV.
    model = colour_model()
    x = torch.as_tensor(colour_data["inputs"]).permute(0, 3, 1, 2)
    acts = model.conv(x)
    head = torch.nn.Sequential(model.relu, model.pool, model.flatten)
    eps = 1e-3
    result = colour_tcav.explain(colour_data["inputs"], target=0)
    for c in range(3):
        for r in range(0, 10, 3):
            cav = torch.as_tensor(colour_tcav.cavs_[c, r], dtype=torch.float32).view(1, *acts.shape[1:])
            with torch.no_grad():
                change = head(acts + eps * cav)[:, 0] - head(acts - eps * cav)[:, 0]
            assert result.scores[c, r] == pytest.approx(float((change > 0).double().mean()), abs=1.5 / 40)


def test_same_seed_same_result_and_layer_by_module(colour_data: dict[str, np.ndarray]) -> None:
    concepts = {"red": colour_data["red"], "green": colour_data["green"]}
    model = colour_model()
    a = TCAV(model, n_random=4, random_state=3).fit(concepts, colour_data["random"]).explain(
        colour_data["inputs"], target=0)
    b = TCAV(model, layer=model.conv, n_random=4, random_state=3).fit(concepts, colour_data["random"]).explain(
        colour_data["inputs"], target=0)
    assert np.array_equal(a.scores, b.scores) and np.array_equal(a.random_scores, b.random_scores)
    assert np.array_equal(a.cav_accuracy, b.cav_accuracy) and a.random_state == b.random_state == 3
    post_relu = TCAV(model, layer="relu", n_random=4, random_state=3).fit(concepts, colour_data["random"])
    assert post_relu.layer_name_ == "relu"


def test_a_torch_adapter_with_output_names_gives_the_same_scores(colour_data: dict[str, np.ndarray]) -> None:
    from explicable.models.torch import TorchAdapter

    model = colour_model()
    concepts = {"red": colour_data["red"]}
    plain = TCAV(model, n_random=4, random_state=1).fit(concepts, colour_data["random"])
    adapter = TorchAdapter(model, image_shape=(8, 8, 3), output_names=["redness", "blueness"])
    wrapped = TCAV(adapter, n_random=4, random_state=1).fit(concepts, colour_data["random"])
    a = plain.explain(colour_data["inputs"], target=0)
    b = wrapped.explain(colour_data["inputs"], target="redness")
    assert b.target == "redness" and a.target == 0
    assert np.allclose(a.scores, b.scores) and np.allclose(a.random_scores, b.random_scores)


def test_result_tables(colour_tcav: TCAV, colour_data: dict[str, np.ndarray]) -> None:
    result = colour_tcav.explain(colour_data["inputs"], target=0)
    assert isinstance(result, TCAVResult)
    frame = result.to_frame()
    assert frame["concept"].tolist() == ["red", "blue", "green"]
    assert frame["tcav_score"].tolist() == result.mean.tolist()
    assert frame["significant"].tolist() == result.significant.tolist() and (frame["n_cavs"] == 10).all()
    data = json.loads(json.dumps(result.to_dict()))
    assert data["significant"] == result.significant.tolist() and len(data["scores"][0]) == 10
    assert data["parameters"]["n_random"] == 10 and "red" in result.summary()
    with pytest.raises(AttributeError):
        result.alpha = 0.1  # type: ignore[misc]


def test_errors(colour_data: dict[str, np.ndarray]) -> None:
    model = colour_model()
    with pytest.raises(InvalidParameterError) as info:
        TCAV(model, layer="nope")
    assert info.value.parameter == "layer"
    with pytest.raises(InvalidParameterError):
        TCAV(model, n_random=1)
    with pytest.raises(InvalidParameterError):
        TCAV(model, classifier="svm")
    with pytest.raises(UnsupportedModelError):
        TCAV(lambda x: x)
    with pytest.raises(UnsupportedModelError):
        TCAV(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(192, 2)))  # no convolution to default to
    tcav = TCAV(model, n_random=2, random_state=0)
    with pytest.raises(NotFittedError):
        tcav.explain(colour_data["inputs"], target=0)
    with pytest.raises(InvalidDataError):
        tcav.fit({"red": colour_data["red"][:3]}, colour_data["random"])
    with pytest.raises(InvalidDataError):
        tcav.fit({"red": colour_data["red"][:, :4]}, colour_data["random"])  # another image size
    with pytest.raises(InvalidParameterError):
        tcav.fit({}, colour_data["random"])
    tcav.fit({"red": colour_data["red"]}, colour_data["random"])
    with pytest.raises(InvalidParameterError):
        tcav.explain(colour_data["inputs"], target="redness")  # a plain module has no output names
    with pytest.raises(InvalidParameterError):
        tcav.explain(colour_data["inputs"], target=5)


def test_sgd_classifier_also_finds_the_red_concept(colour_data: dict[str, np.ndarray]) -> None:
    tcav = TCAV(colour_model(), n_random=6, classifier="sgd", random_state=0)
    result = tcav.fit({"red": colour_data["red"]}, colour_data["random"]).explain(colour_data["inputs"], target=0)
    assert result.mean[0] == 1.0 and bool(result.significant[0])


def test_lesion_cnn_lesion_concept_is_significant_for_the_lesion_class() -> None:
    # Measured: lesion concept 0.79 +/- 0.06 vs random CAVs 0.48 +/- 0.10 (corrected Welch p ~ 6e-7); skin
    # patches of other images 0.56 (p 0.26). See bench/README.md, "lesion".
    from explicable.datasets._lesion_cnn import lesion_cnn
    from explicable.datasets.lesions import lesion_patches, make_lesions

    data = make_lesions(160, random_state=7)
    lesion = lesion_patches(data, lesion=True, max_patches=30, random_state=0)
    random_skin = lesion_patches(data, lesion=False, max_patches=60, random_state=1)
    other_skin = lesion_patches(make_lesions(60, random_state=8), lesion=False, max_patches=30, random_state=2)
    tcav = TCAV(lesion_cnn(), n_random=10, random_state=0).fit({"lesion": lesion, "skin": other_skin}, random_skin)
    result = tcav.explain(data.images[data.labels == 1][:40], target=1)
    assert result.layer == "conv3"
    assert result.significant.tolist() == [True, False]
    assert result.mean[0] > 0.7 and result.random_scores.mean() < 0.6
    assert result.p_values_corrected[0] < 0.05 and result.p_values_corrected[1] > 0.1
