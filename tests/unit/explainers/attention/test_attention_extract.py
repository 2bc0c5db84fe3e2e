"""Attention extracted from a tiny BERT through TextClassifier equals the model's own output_attentions."""

from __future__ import annotations

import numpy as np
import pytest
from attention_helpers import hf_attentions, text_classifier, tiny_bert

from explicable.explainers.attention import AttentionExplainer, attention_rollout, extract_attention

TEXT = "the movie was not good"


def test_extracted_attention_is_the_models_own():
    model = text_classifier(output_names=("negative", "positive"))
    maps = extract_attention(model, TEXT)
    assert maps.tokens == ("[CLS]", "the", "movie", "was", "not", "good", "[SEP]")
    assert maps.shape == (2, 2, 7)
    assert maps.special_positions == (0, 6)
    assert maps.attention.dtype == np.float64
    np.testing.assert_allclose(maps.attention.sum(axis=-1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(maps.attention, hf_attentions(TEXT))
    # not uniform: the heads weigh tokens differently (so the tests below can tell methods apart)
    assert maps.attention.std() > 0.02


def test_a_hugging_face_model_with_its_tokenizer_is_wrapped():
    model, tokenizer = tiny_bert()
    maps = extract_attention(model, TEXT, tokenizer=tokenizer)
    np.testing.assert_array_equal(maps.attention, hf_attentions(TEXT))


def test_explainer_on_a_text_classifier():
    model = text_classifier(output_names=("negative", "positive"))
    texts = [TEXT, "fine"]
    exp = AttentionExplainer(model).fit().explain(texts, target="negative")
    assert exp.shape == (2, 7, 1)
    assert exp.data[1, :3].tolist() == ["[CLS]", "fine", "[SEP]"]
    assert exp.provenance.output_space == "log-odds"
    assert exp.provenance.model_fingerprint == model.fingerprint()
    np.testing.assert_allclose(exp.base_values[:, 0], model.predict(texts)[:, 0])
    np.testing.assert_allclose(exp.values[0, :, 0], attention_rollout(hf_attentions(TEXT))[-1][0], atol=1e-12)
    assert exp.values[0].sum() == pytest.approx(1.0)
