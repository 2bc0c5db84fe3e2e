"""AttentionExplainer: text Explanation conventions, scores equal to the array functions, validation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError, NotFittedError, UnsupportedModelError
from explicable.core.explanation import Explanation
from explicable.explainers.attention import (
    AttentionExplainer,
    AttentionMaps,
    attention_flow,
    attention_rollout,
    attention_scores,
    extract_attention,
)


class Scripted:
    """A stand-in text classifier: fixed pseudo-random attention per text, output = number of words."""

    output_names = ("neg", "pos")
    output_space = "raw"

    def __init__(self, layers: int = 3, heads: int = 2) -> None:
        self.layers, self.heads, self.calls = layers, heads, 0

    def tokens(self, texts):
        return [["[CLS]", *t.split(), "[SEP]"] for t in texts]

    def special_positions(self, text):
        return [0, len(text.split()) + 1]

    def attentions(self, text):
        self.calls += 1
        size = len(text.split()) + 2
        rng = np.random.default_rng(len(text))
        return rng.dirichlet(np.ones(size), size=(self.layers, self.heads, size))

    def predict(self, texts):
        n = np.array([len(t.split()) for t in texts], dtype=float)
        return np.stack([-n, n], axis=1)

    def fingerprint(self):
        return "scripted"


TEXTS = ["the movie was not good", "fine"]


@pytest.mark.parametrize("kind", ["raw", "rollout", "flow"])
def test_explanation_follows_the_text_conventions(kind):
    model = Scripted()
    exp = AttentionExplainer(model, kind=kind).fit().explain(TEXTS)
    assert isinstance(exp, Explanation)
    assert exp.shape == (2, 7, 2)
    assert exp.feature_names == tuple(f"t{j}" for j in range(7))
    assert exp.data[1].tolist() == ["[CLS]", "fine", "[SEP]", "", "", "", ""]
    assert exp.provenance.parameters["n_tokens"] == [7, 3]
    assert exp.provenance.parameters["additive"] is False
    assert exp.provenance.method == "attention"
    assert exp.provenance.budget_used == 4
    assert exp.provenance.model_fingerprint == "scripted"
    np.testing.assert_array_equal(exp.base_values, model.predict(TEXTS))
    # the same scores for every output, 0 past a text's end
    np.testing.assert_array_equal(exp.values[:, :, 0], exp.values[:, :, 1])
    np.testing.assert_array_equal(exp.values[1, 3:], 0.0)
    back = Explanation.from_json(exp.to_json())
    np.testing.assert_array_equal(back.values, exp.values)
    assert json.loads(exp.to_json())["provenance"]["parameters"]["kind"] == kind


def test_scores_equal_the_array_functions():
    model = Scripted()
    attention = model.attentions(TEXTS[0])
    rollout = AttentionExplainer(model, kind="rollout", residual=0.3).fit().explain(TEXTS[0])
    np.testing.assert_allclose(rollout.values[0, :, 0], attention_rollout(attention, residual=0.3)[-1][0], atol=0)
    flow = AttentionExplainer(model, kind="flow", head_fusion="max", target_position=2).fit().explain(TEXTS[0])
    np.testing.assert_allclose(flow.values[0, :, 0], attention_flow(attention, head_fusion="max", target_position=2),
                               atol=0)
    raw = AttentionExplainer(model, kind="raw", layer=1).fit().explain(TEXTS[0])
    np.testing.assert_allclose(raw.values[0, :, 0], attention[1].mean(axis=0)[0], atol=0)
    # rollout up to a layer uses only the layers below it
    early = AttentionExplainer(model, kind="rollout", layer=-2).fit().explain(TEXTS[0])
    np.testing.assert_allclose(early.values[0, :, 0], attention_rollout(attention[:2])[-1][0], atol=0)
    mean = AttentionExplainer(model, kind="rollout", target_position="mean").fit().explain(TEXTS[0])
    np.testing.assert_allclose(mean.values[0, :, 0], attention_rollout(attention)[-1].mean(axis=0), atol=1e-15)


def test_target_selects_outputs_and_results_repeat():
    explainer = AttentionExplainer(Scripted()).fit()
    exp = explainer.explain(TEXTS, target="pos")
    assert exp.output_names == ("pos",)
    again = explainer.explain(TEXTS, target="pos")
    np.testing.assert_array_equal(exp.values, again.values)
    assert exp.provenance.data_fingerprint == again.provenance.data_fingerprint
    assert exp.provenance.data_fingerprint != explainer.explain(TEXTS[::-1]).provenance.data_fingerprint


def test_attention_scores_checks_the_layer():
    attention = Scripted().attentions("a b")
    with pytest.raises(InvalidParameterError, match="layer"):
        attention_scores(attention, layer=3)
    with pytest.raises(InvalidParameterError, match="kind"):
        attention_scores(attention, kind="gradient")


def test_explainer_validation():
    with pytest.raises(NotFittedError):
        AttentionExplainer(Scripted()).explain("a")
    with pytest.raises(InvalidParameterError, match="kind"):
        AttentionExplainer(Scripted(), kind="lrp")
    with pytest.raises(InvalidParameterError, match="residual"):
        AttentionExplainer(Scripted(), residual=1.2)
    with pytest.raises(InvalidParameterError, match="target_position"):
        AttentionExplainer(Scripted(), target_position="cls")
    with pytest.raises(UnsupportedModelError, match="attentions"):
        AttentionExplainer(lambda texts: texts)
    for bad in ([], [1, 2], None):
        with pytest.raises(InvalidDataError, match="X"):
            AttentionExplainer(Scripted()).fit().explain(bad)


def test_extract_attention_checks_the_maps():
    model = Scripted()
    maps = extract_attention(model, "a b c")
    assert maps.tokens == ("[CLS]", "a", "b", "c", "[SEP]")
    assert maps.shape == (3, 2, 5)
    assert maps.special_positions == (0, 4)
    assert maps.content_positions == (1, 2, 3)
    assert not maps.attention.flags.writeable
    np.testing.assert_allclose(maps.rollout()[-1], attention_rollout(model.attentions("a b c"))[-1])

    class Unnormalised(Scripted):
        def attentions(self, text):
            return 2 * super().attentions(text)

    with pytest.raises(InvalidDataError, match="summing to 1"):
        extract_attention(Unnormalised(), "a b")
    with pytest.raises(InvalidDataError, match="text"):
        extract_attention(model, ["a"])
    with pytest.raises(InvalidParameterError, match="tokenizer"):
        extract_attention(model, "a", tokenizer=object())
    with pytest.raises(InvalidDataError, match="tokens"):
        AttentionMaps(("a", "b"), np.full((1, 1, 3, 3), 1 / 3))
