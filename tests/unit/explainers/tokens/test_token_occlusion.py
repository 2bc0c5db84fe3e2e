"""Token occlusion and the keep-mask model: brute force by hand, the mask model's ends, deletion curves."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from token_helpers import bag_model, tiny_bert

from explicable.core.errors import InvalidDataError, NotFittedError
from explicable.evaluation import deletion_curve
from explicable.explainers.tokens import TokenIntegratedGradients, TokenOcclusion, token_mask_model

TEXTS = ["the movie was not good", "a truly wonderful film"]


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def bert():
    return tiny_bert()


def test_occlusion_equals_masking_each_word_by_hand(bert):
    exp = TokenOcclusion(bert).fit().explain(TEXTS)
    for i, text in enumerate(TEXTS):
        words = text.split()  # every word here is one token: position j + 1 after [CLS]
        assert bert.tokens(text)[0][1:-1] == words
        fx = bert.predict(text)[0]
        masked = [" ".join(w if m != j else "[MASK]" for m, w in enumerate(words)) for j in range(len(words))]
        by_hand = fx - bert.predict(masked)
        np.testing.assert_allclose(exp.values[i, 1:len(words) + 1], by_hand, rtol=1e-5, atol=1e-5)
        assert (exp.values[i, [0, len(words) + 1]] == 0).all()
        np.testing.assert_allclose(exp.base_values[i], fx, rtol=1e-6, atol=1e-6)
    assert exp.provenance.budget_used == sum(len(t.split()) + 1 for t in TEXTS)
    assert exp.provenance.parameters["n_tokens"] == [7, 6]


def test_occlusion_equals_ig_from_mask_on_a_linear_model():
    # f linear in the embeddings: replacing token t by [MASK] drops W (e_t - e_mask), which is IG from [MASK]
    model = bag_model()
    occlusion = TokenOcclusion(model).fit().explain(TEXTS)
    ig = TokenIntegratedGradients(model, baseline="mask", n_steps=1).fit().explain(TEXTS)
    np.testing.assert_allclose(occlusion.values, ig.values, rtol=1e-5, atol=1e-5)


def test_occlusion_target_and_determinism(bert):
    full = TokenOcclusion(bert).fit().explain(TEXTS)
    one = TokenOcclusion(bert).fit().explain(TEXTS, target="LABEL_2")
    assert one.output_names == ("LABEL_2",)
    assert one.values[..., 0].tobytes() == full.values[..., 2].tobytes()
    with pytest.raises(NotFittedError):
        TokenOcclusion(bert).explain(TEXTS)
    with pytest.raises(InvalidDataError):
        TokenOcclusion(bert).fit().explain(["   "])


def test_mask_model_ends(bert):
    text = TEXTS[0]
    model = token_mask_model(bert, text)
    size = len(bert.tokens(text)[0])
    assert model.feature_names == tuple(f"t{j}" for j in range(size))
    assert model.output_names == bert.output_names and model.output_space == "log-odds"
    np.testing.assert_allclose(model.predict(np.ones((1, size))), bert.predict(text), rtol=1e-6, atol=1e-6)
    all_masked = bert.predict(" ".join(["[MASK]"] * len(text.split())))
    np.testing.assert_allclose(model.predict(np.zeros((1, size))), all_masked, rtol=1e-5, atol=1e-5)
    # special tokens are always kept, whatever their entry
    keep = np.zeros((1, size))
    keep[0, [0, -1]] = 1
    np.testing.assert_array_equal(model.predict(keep), model.predict(np.zeros((1, size))))
    # one token removed: the occlusion row
    keep = np.ones((1, size))
    keep[0, 4] = 0
    drop = bert.predict(text) - model.predict(keep)
    occlusion = TokenOcclusion(bert).fit().explain(text)
    np.testing.assert_allclose(drop[0], occlusion.values[0, 4], rtol=1e-6, atol=1e-6)
    with pytest.raises(InvalidDataError):
        model.predict(np.full((1, size), 0.5))
    with pytest.raises(InvalidDataError):
        token_mask_model(bert, ["a", "b"])


def test_deletion_curve_runs_on_token_masks(bert):
    text = TEXTS[0]
    size = len(bert.tokens(text)[0])
    exp = TokenOcclusion(bert).fit().explain(text, target="LABEL_0")
    result = deletion_curve(token_mask_model(bert, text), np.ones((1, size)), exp, background=np.zeros((1, size)),
                            output="LABEL_0", n_random=5, random_state=0)
    model = token_mask_model(bert, text)
    assert result.curve[0, 0] == pytest.approx(model.predict(np.ones((1, size)))[0, 0])
    assert result.curve[0, -1] == pytest.approx(model.predict(np.zeros((1, size)))[0, 0])
