"""The attention report on a real (tiny, random) BERT with explicable's token attributions."""

from __future__ import annotations

import json

import numpy as np
import pytest
from attention_helpers import hf_attentions, text_classifier

from explicable.evaluation import ATTENTION_METHODS, attention_report
from explicable.explainers.attention import attention_rollout

TEXT = "the movie was not good"


@pytest.fixture(scope="module")
def report():
    model = text_classifier(output_names=("negative", "positive"))
    return model, attention_report(model, TEXT, target="negative", steps=16, random_state=0)


def test_scores_are_those_of_each_method(report):
    from explicable.explainers.tokens import TokenIntegratedGradients, TokenOcclusion

    model, rep = report
    assert rep.tokens == ("[CLS]", "the", "movie", "was", "not", "good", "[SEP]")
    np.testing.assert_allclose(rep.scores["rollout"], attention_rollout(hf_attentions(TEXT))[-1][0], atol=1e-12)
    ig = TokenIntegratedGradients(model, n_steps=16).fit().explain([TEXT], target="negative")
    np.testing.assert_allclose(rep.scores["integrated_gradients"], ig.values[0, :, 0], atol=1e-9)
    occlusion = TokenOcclusion(model).fit().explain([TEXT], target="negative")
    np.testing.assert_allclose(rep.scores["occlusion"], occlusion.values[0, :, 0], atol=1e-9)
    np.testing.assert_allclose(np.diag(rep.spearman), 1.0)
    np.testing.assert_allclose(rep.spearman, rep.spearman.T)


def test_deletion_curves_start_at_the_text_and_end_fully_masked(report):
    model, rep = report
    masked = " ".join(["[MASK]"] * 5)  # every content token masked (each word is one token here)
    start, end = model.predict([TEXT])[0, 0], model.predict([masked])[0, 0]
    for method, curve in rep.deletion.items():
        assert curve.curve.shape == (1, 6), method
        assert curve.curve[0, 0] == pytest.approx(start, abs=1e-6)
        assert curve.curve[0, -1] == pytest.approx(end, abs=1e-5)
    assert rep.prediction == pytest.approx(start, abs=1e-9)


def test_report_is_complete_and_json_ready(report):
    _, rep = report
    assert set(rep.verdicts) == set(ATTENTION_METHODS)
    data = json.loads(json.dumps(rep.to_dict(), allow_nan=False))
    assert data["target"] == "negative" and data["reference"] == "integrated_gradients"
    assert data["parameters"]["random_state"] == 0
    text = rep.summary()
    assert text.startswith("On \"the movie was not good\" the model's negative output is")
    for label in ("Raw attention", "Attention rollout", "Attention flow"):
        assert label in text
