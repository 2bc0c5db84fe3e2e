"""Integrated Gradients over token embeddings: completeness, a closed form, targets, layout, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from token_helpers import bag_model, tiny_bert

from explicable.core.errors import InvalidDataError, InvalidParameterError, NotFittedError, UnsupportedModelError
from explicable.explainers.tokens import TokenIntegratedGradients

TEXTS = ["the movie was not good", "oh great, another two hours of my life wasted", "fine"]


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def bert():
    return tiny_bert()


def _reference_ids(model, text, token_id):
    ids = np.array(model.token_ids(text))
    special = np.zeros(ids.size, dtype=bool)
    special[model.special_positions(text)] = True
    return np.where(special, ids, token_id)


@pytest.mark.parametrize("baseline", ["mask", "pad"])
def test_completeness_per_text_and_output(bert, baseline):
    exp = TokenIntegratedGradients(bert, baseline=baseline).fit().explain(TEXTS)
    fx = bert.predict(TEXTS)  # through input_ids, not the explainer's embedding path
    token = bert.mask_token_id if baseline == "mask" else bert.pad_token_id
    fb = np.vstack([bert.predict_ids(_reference_ids(bert, t, token)[None]) for t in TEXTS])
    np.testing.assert_allclose(exp.base_values, fb, rtol=1e-5, atol=1e-6)
    change = fx - fb
    error = np.abs(exp.values.sum(axis=1) - change)
    assert (error <= 1e-3 * np.abs(change) + 1e-5).all(), error
    diagnostics = exp.provenance.parameters["diagnostics"]
    assert all(diagnostics["converged"])
    np.testing.assert_allclose(np.array(diagnostics["delta"]), exp.values.sum(axis=1) - (fx - fb), atol=1e-5)


def test_linear_model_closed_form():
    # logits = W sum_t e_t + c: IG of token t toward k is exactly W_k . (e_t - e_[MASK]), with any number of steps
    model = bag_model()
    text = "a wonderful film"
    exp = TokenIntegratedGradients(model, n_steps=1).fit().explain(text)
    ids = torch.tensor(model.token_ids(text))
    with torch.no_grad():
        emb = model.model.embeddings(ids)
        mask = model.model.embeddings(torch.tensor(model.mask_token_id))
        expected = ((emb - mask) @ model.model.out.weight.T).double().numpy()
    expected[[0, -1]] = 0.0  # [CLS] and [SEP] are kept in the reference
    np.testing.assert_allclose(exp.values[0], expected, rtol=1e-5, atol=1e-6)
    assert exp.provenance.parameters["diagnostics"]["n_steps"] == [1]


def test_layout_of_a_batch_of_texts(bert):
    exp = TokenIntegratedGradients(bert).fit().explain(TEXTS)
    n_tokens = [len(t) for t in bert.tokens(TEXTS)]
    assert exp.provenance.parameters["n_tokens"] == n_tokens
    assert exp.feature_names == tuple(f"t{j}" for j in range(max(n_tokens)))
    assert exp.output_names == bert.output_names
    assert exp.provenance.output_space == "log-odds"
    for i, tokens in enumerate(bert.tokens(TEXTS)):
        assert list(exp.data[i, :len(tokens)]) == tokens
        assert (exp.data[i, len(tokens):] == "").all()
        assert (exp.values[i, len(tokens):] == 0).all()
        assert (exp.values[i, [0, len(tokens) - 1]] == 0).all()  # special tokens: no change along the path


def test_target_selects_outputs_and_spends_less(bert):
    full = TokenIntegratedGradients(bert, tol=None).fit().explain(TEXTS[:1])
    one = TokenIntegratedGradients(bert, tol=None).fit().explain(TEXTS[:1], target="LABEL_1")
    assert one.output_names == ("LABEL_1",)
    np.testing.assert_allclose(one.values[..., 0], full.values[..., 1], rtol=1e-6, atol=1e-7)
    by_index = TokenIntegratedGradients(bert, tol=None).fit().explain(TEXTS[:1], target=[2, 0])
    assert by_index.output_names == ("LABEL_2", "LABEL_0")


def test_refinement_doubles_steps_until_complete(bert):
    coarse = TokenIntegratedGradients(bert, n_steps=1, tol=None).fit().explain(TEXTS[1])
    refined = TokenIntegratedGradients(bert, n_steps=1, tol=1e-6, max_steps=64).fit().explain(TEXTS[1])
    assert coarse.provenance.parameters["diagnostics"]["n_steps"] == [1]
    used = refined.provenance.parameters["diagnostics"]["n_steps"][0]
    assert used > 1 and used & (used - 1) == 0 and used <= 64
    assert refined.provenance.budget_used == 2 + sum(2 ** j for j in range(used.bit_length()))


def test_deterministic(bert):
    a = TokenIntegratedGradients(bert).fit().explain(TEXTS)
    b = TokenIntegratedGradients(bert).fit().explain(TEXTS)
    assert a.values.tobytes() == b.values.tobytes()
    assert a.provenance.model_fingerprint == b.provenance.model_fingerprint
    assert a.provenance.data_fingerprint == b.provenance.data_fingerprint


@pytest.mark.parametrize(("texts", "target", "error"), [
    ("", None, InvalidDataError),
    ([""], None, InvalidDataError),
    ([], None, InvalidDataError),
    ([1], None, InvalidDataError),
    (["good"], 3, InvalidParameterError),
    (["good"], "nope", InvalidParameterError),
])
def test_bad_input(bert, texts, target, error):
    with pytest.raises(error):
        TokenIntegratedGradients(bert).fit().explain(texts, target=target)


def test_bad_settings(bert):
    with pytest.raises(InvalidParameterError, match="baseline"):
        TokenIntegratedGradients(bert, baseline="zeros")
    with pytest.raises(InvalidParameterError, match="max_steps"):
        TokenIntegratedGradients(bert, n_steps=64, max_steps=32)
    with pytest.raises(UnsupportedModelError):
        TokenIntegratedGradients(bert.model)
    with pytest.raises(NotFittedError):
        TokenIntegratedGradients(bert).explain("good")
