"""The shipped sentiment model's probes (golden), and agreement of IG with LIME and occlusion on it."""

from __future__ import annotations

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.datasets.sentiment import SENTIMENT_PROBES, SentimentProbe, sentiment_model
from explicable.explainers.surrogate import LimeText
from explicable.explainers.tokens import TokenIntegratedGradients, key_word_positions, probe, run_probes

# Computed once from the shipped weights (data/sentiment_head.npz) with the default TokenIntegratedGradients
# ([MASK] reference, Gauss-Legendre refined to completeness 1e-3) and TokenOcclusion: text, predicted label,
# probability of it, attribution of the key word toward the expected label (IG, occlusion), log-odds.
GOLDEN = (
    ("the movie was good", "positive", 0.9125, 2.9696, -0.3556),
    ("the movie was not good", "negative", 0.9746, 1.3646, 7.3017),
    ("the food was bad", "negative", 0.9436, 2.3521, 4.5373),
    ("the food was never bad", "positive", 0.9553, 3.0113, 5.6044),
    ("the acting was not terrible", "positive", 0.9534, 4.9427, 4.9078),
    ("i did not enjoy the film", "negative", 0.9736, 2.8043, 6.4802),
    ("the staff were hardly friendly", "negative", 0.7730, 0.7237, 2.4541),
    ("oh great, another two hours of my life wasted", "negative", 0.9225, 0.1732, 0.5425),
    ("just what i needed, the phone died again", "negative", 0.9056, -0.2213, 0.3197),
    ("oh wonderful, the waiter forgot our order again", "negative", 0.9047, 0.1331, 0.8329),
    ("the plot was dull but the acting was brilliant", "positive", 0.9675, -0.3108, -0.1185),
    ("the food was great but the service was terrible", "negative", 0.9799, 0.0186, 0.1331),
)


@pytest.fixture(scope="module")
def model():
    return sentiment_model()  # loaded once per process


@pytest.fixture(scope="module")
def probes(model):
    return run_probes()


def test_probe_results_of_the_shipped_model_are_golden(probes):
    assert [q.text for q in probes.probes] == [g[0] for g in GOLDEN]
    assert list(probes.predicted) == [g[1] for g in GOLDEN]
    np.testing.assert_allclose(probes.probability, [g[2] for g in GOLDEN], atol=2e-3)
    ig, occlusion = np.array([g[3] for g in GOLDEN]), np.array([g[4] for g in GOLDEN])
    assert (np.sign(probes.ig_key) == np.sign(ig)).all()
    assert (np.sign(probes.occlusion_key) == np.sign(occlusion)).all()
    np.testing.assert_allclose(probes.ig_key, ig, rtol=1e-2, atol=1e-2)
    np.testing.assert_allclose(probes.occlusion_key, occlusion, rtol=1e-3, atol=2e-3)
    assert probes.accuracy == 1.0


def test_not_pushes_toward_negative(probes):
    row = probes.to_frame().set_index("text").loc["the movie was not good"]
    assert row["key_word"] == "not" and row["predicted"] == "negative"
    assert row["ig_key"] > 0 and row["occlusion_key"] > 0 and row["signs_agree"]
    position = probes.key_positions[1]
    assert position == (4,)
    exp = probes.integrated_gradients[1]
    assert exp.output_names == ("negative",) and exp.data[0, 4] == "not"
    assert exp.values[0, 4, 0] == pytest.approx(row["ig_key"])


def test_probe_frame_and_flags(probes):
    frame = probes.to_frame()
    assert list(frame.columns) == ["text", "kind", "expected", "predicted", "probability", "correct", "key_word",
                                   "ig_key", "occlusion_key", "signs_agree"]
    assert len(frame) == len(SENTIMENT_PROBES)
    np.testing.assert_array_equal(frame["signs_agree"], np.sign(frame["ig_key"]) == np.sign(frame["occlusion_key"]))
    for exp, q in zip(probes.integrated_gradients, probes.probes, strict=True):
        diagnostics = exp.provenance.parameters["diagnostics"]
        assert diagnostics["converged"] == [True]
        assert exp.output_names == (q.expected,)


def test_probe_input_checks(model):
    with pytest.raises(InvalidParameterError):
        probe(model, [])
    with pytest.raises(InvalidParameterError):
        probe(model, ["the movie was good"])
    with pytest.raises(InvalidParameterError):
        probe(model, [SentimentProbe("the movie was good", "plain", "neutral", "good")])
    with pytest.raises(InvalidDataError):
        key_word_positions(model, "the movie was good", "bad")
    assert key_word_positions(model, "I didn't like it", "didn't") == (2, 3, 4)


@pytest.mark.filterwarnings("ignore::explicable.core.errors.LowFidelityWarning")  # only the sign is checked
@pytest.mark.parametrize("text", ["the food was wonderful", "the acting was terrible", "i loved this film"])
def test_lime_over_words_agrees_in_sign_with_ig_on_the_dominant_word(model, text):
    # only the sign of the dominant word is compared: a fixed 32-point rule is plenty and keeps the test cheap
    ig = TokenIntegratedGradients(model, tol=None).fit().explain(text, target="positive")
    tokens = list(ig.data[0, 1:-1])
    assert tokens == text.split()  # one token per word, so token and word attributions line up
    values = ig.values[0, 1:-1, 0]
    dominant = int(np.argmax(np.abs(values)))
    lime = LimeText(model.predict, n_samples=200, output_names=model.output_names, random_state=0).fit()
    exp = lime.explain([text], target="positive")
    coefficient = exp.values[0, exp.feature_names.index(tokens[dominant]), 0]
    assert np.sign(coefficient) == np.sign(values[dominant]) != 0
