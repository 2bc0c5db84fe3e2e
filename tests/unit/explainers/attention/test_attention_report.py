"""The attention validation report on a linear stand-in whose attributions are known exactly.

The stand-in text model scores a text as the sum of its words' weights (a removed word contributes 0), so
occlusion and Integrated Gradients both equal the weights. Its attention is built so that rollout follows
the weights while the last layer's raw attention goes against them: the report must call rollout faithful
and raw attention not.
"""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr

import explicable.explainers
from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.evaluation import FAITHFUL, AttentionReport, attention_report, deletion_curve
from explicable.models.function import FunctionModel

WEIGHTS = {"the": 0.1, "movie": 0.3, "was": 0.05, "not": -2.0, "good": 1.0}
TEXT = "the movie was not good"


class Linear:
    """Output "pos" = sum of the present words' weights; "neg" = its negation. Specials: [CLS], [SEP]."""

    output_names = ("neg", "pos")
    output_space = "raw"

    def tokens(self, texts):
        return [["[CLS]", *t.split(), "[SEP]"] for t in texts]

    def special_positions(self, text):
        return [0, len(text.split()) + 1]

    def weights(self, text):
        return np.array([0.0, *(WEIGHTS[w] for w in text.split()), 0.0])

    def masked(self, text, keep):
        pos = np.asarray(keep, dtype=float) @ self.weights(text)
        return np.stack([-pos, pos], axis=1)

    def predict(self, texts):
        return np.concatenate([self.masked(t, np.ones((1, len(t.split()) + 2))) for t in texts])

    def attentions(self, text):
        # layer 1: every position attends by |weight| (p); layer 2: against it (q). Rollout of [CLS] is
        # 1/4 e_0 + 1/2 p + 1/4 q: it follows p. Raw attention of the last layer is q.
        w = np.abs(self.weights(text))
        p = (w + 0.01) / (w + 0.01).sum()
        q = (w.max() - w + 0.01) / (w.max() - w + 0.01).sum()
        size = w.size
        return np.stack([np.broadcast_to(p, (1, size, size)), np.broadcast_to(q, (1, size, size))])

    def fingerprint(self):
        return "linear"


def _exact(model, texts, target):
    """Attributions of the linear model toward ``target``: the weights (their negation for "neg")."""
    sign = 1.0 if target in ("pos", 1) else -1.0
    w = sign * model.weights(texts[0])
    return Explanation(w[None, :, None], np.zeros((1, 1)), [f"t{j}" for j in range(w.size)],
                       ["pos" if sign > 0 else "neg"])


class _Exact:
    def __init__(self, model, **options):
        self.model, self.options = model, options

    def fit(self, background=None):
        return self

    def explain(self, texts, *, target=None):
        return _exact(self.model, texts, target)


@pytest.fixture
def fake_tokens(monkeypatch):
    """The tokens module of explicable, replaced by exact stand-ins for the linear model."""
    module = types.ModuleType("explicable.explainers.tokens")
    module.TokenIntegratedGradients = _Exact
    module.TokenOcclusion = _Exact
    module.models = []

    def token_mask_model(model, text):
        module.models.append(FunctionModel(lambda keep: model.masked(text, keep), output_names=model.output_names))
        return module.models[-1]

    module.token_mask_model = token_mask_model
    monkeypatch.setitem(sys.modules, "explicable.explainers.tokens", module)
    monkeypatch.setattr(explicable.explainers, "tokens", module, raising=False)
    return module


def test_rollout_is_faithful_and_raw_attention_is_not(fake_tokens):
    report = attention_report(Linear(), TEXT, random_state=0)
    assert isinstance(report, AttentionReport)
    assert report.tokens == ("[CLS]", "the", "movie", "was", "not", "good", "[SEP]")
    assert report.reference == "integrated_gradients"
    assert report.verdicts["rollout"] == FAITHFUL
    assert report.faithful("rollout") and not report.faithful("raw")
    assert "disagrees with Integrated Gradients" in report.verdicts["raw"]


def test_default_target_is_the_prediction_and_matrices_match_scipy(fake_tokens):
    report = attention_report(Linear(), TEXT, random_state=0)
    # "pos" = -0.55 < "neg" = 0.55: the prediction is "neg"
    assert report.target == "neg"
    assert report.prediction == pytest.approx(0.55)
    content = [1, 2, 3, 4, 5]
    for i, a in enumerate(report.methods):
        for j, b in enumerate(report.methods):
            x, y = np.abs(report.scores[a][content]), np.abs(report.scores[b][content])
            assert report.spearman[i, j] == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)
            assert report.kendall[i, j] == pytest.approx(kendalltau(x, y).statistic, abs=1e-12)
    rollout = report.methods.index("rollout")
    assert report.spearman[rollout, report.methods.index("integrated_gradients")] == pytest.approx(1.0)
    # Kendall's exact one-sided p-value of a perfect ranking of 5 tokens: 1 / 5!
    assert report.kendall_pvalue["rollout"] == pytest.approx(1 / 120)


def test_deletion_curves_run_over_the_content_tokens_only(fake_tokens):
    report = attention_report(Linear(), TEXT, target="neg", random_state=3)
    ig = report.deletion["integrated_gradients"]
    # removing "not" (the largest push toward neg, 2.0) first drops neg from 0.55 to -1.45
    assert ig.fractions.size == 6
    np.testing.assert_allclose(ig.curve[0][:2], [0.55, -1.45])
    assert ig.curve[0][-1] == pytest.approx(0.0)
    # the same curve as evaluation.deletion_curve on the content tokens directly
    model = Linear()
    inner = FunctionModel(lambda keep: model.masked(TEXT, np.hstack([np.ones((len(keep), 1)), keep,
                                                                     np.ones((len(keep), 1))])),
                          output_names=model.output_names)
    exp = Explanation(-model.weights(TEXT)[1:6][None, :, None], np.zeros((1, 1)), [f"t{j}" for j in range(1, 6)],
                      ["neg"])
    direct = deletion_curve(inner, np.ones((1, 5)), exp, background=np.zeros((1, 5)), output="neg", random_state=3)
    np.testing.assert_allclose(ig.curve, direct.curve)
    np.testing.assert_allclose(ig.random_curve, direct.random_curve)
    assert ig.passed


def test_report_renders_and_serialises(fake_tokens):
    report = attention_report(Linear(), TEXT, target="neg", random_state=0)
    frame = report.to_frame()
    assert list(frame["token"]) == list(report.tokens)
    assert frame.loc[4, "integrated_gradients_rank"] == 1  # "not"
    assert np.isnan(frame.loc[0, "rollout_rank"])  # [CLS] is not ranked
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verdicts"]["rollout"] == FAITHFUL
    assert len(data["deletion"]["flow"]["curve"]) == 6
    text = report.summary()
    assert 'Integrated Gradients ranks "not" first' in text
    assert "Attention rollout agrees with Integrated Gradients (Spearman 1.00" in text
    assert "Raw attention does not agree" in text
    assert report.agreement_frame("kendall").loc["rollout", "occlusion"] == pytest.approx(1.0)
    # the same seed gives the same report
    again = attention_report(Linear(), TEXT, target="neg", random_state=0)
    assert again.summary() == text


def test_without_a_reference_the_verdict_rests_on_deletion(fake_tokens):
    report = attention_report(Linear(), TEXT, target="neg", methods=("raw", "rollout"), random_state=0)
    assert report.reference is None
    assert report.kendall_pvalue == {}
    assert report.verdicts["rollout"] == FAITHFUL
    assert "Attention rollout: its deletion curve beats random orderings" in report.summary()


@pytest.mark.parametrize("methods", [(), ("integrated_gradients", "occlusion"), ("raw", "raw"), ("raw", "lime")])
def test_bad_methods_are_refused(fake_tokens, methods):
    with pytest.raises(InvalidParameterError, match="methods"):
        attention_report(Linear(), TEXT, methods=methods)


def test_bad_target_is_refused(fake_tokens):
    with pytest.raises(InvalidParameterError, match="target"):
        attention_report(Linear(), TEXT, target="neutral")
    with pytest.raises(InvalidParameterError, match="target"):
        attention_report(Linear(), TEXT, target=2)


def test_each_distinct_mask_runs_once(fake_tokens):
    attention_report(Linear(), TEXT, target="neg", random_state=0)
    (model,) = fake_tokens.models
    # 5 methods x 6 points x (1 + 10 random orderings) = 330 masks asked; the random orderings are shared
    # and at most 2**5 = 32 distinct masks exist over 5 tokens
    assert model.n_rows <= 32


def test_report_plot_carries_every_methods_verdict_and_curve(fake_tokens):
    from explicable.reporting import plot_attention_report, text_alternative, to_svg

    report = attention_report(Linear(), TEXT, target="neg", random_state=0)
    ax = plot_attention_report(report)
    table = text_alternative(ax).table
    assert list(table["method"]) == list(report.methods)
    assert list(table["verdict"].loc[table["method"] == "rollout"]) == [FAITHFUL]
    np.testing.assert_allclose(table["deletion_margin"], [report.deletion[m].value for m in report.methods])
    ig = report.methods.index("integrated_gradients")
    np.testing.assert_allclose(table["spearman"], report.spearman[:, ig])
    svg = to_svg(ax)
    assert all(f"curve-{m}" in svg for m in report.methods)
    with pytest.raises(InvalidParameterError, match="report"):
        plot_attention_report("not a report")
