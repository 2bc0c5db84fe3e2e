"""LimeText: one word decides the class of a TF-IDF + logistic regression pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from explicable import Explanation
from explicable.core.errors import InvalidDataError, ModelOutputError, NotFittedError
from explicable.explainers.surrogate import LimeText

WORDS = ["the", "a", "film", "movie", "plot", "actor", "scene", "long", "short", "story", "music"]


@pytest.fixture(scope="module")
def pipeline() -> object:
    rng = np.random.default_rng(0)
    docs, labels = [], []
    for i in range(200):
        words = list(rng.choice(WORDS, 6))
        if i % 2:
            words.insert(int(rng.integers(0, 6)), "excellent")
        docs.append(" ".join(words))
        labels.append(i % 2)
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=10.0)).fit(docs, labels)


def test_the_deciding_word_comes_first(pipeline: object) -> None:
    texts = ["the film had excellent music, the plot", "a long story about a film"]
    exp = LimeText(pipeline, n_samples=1000, random_state=0).fit().explain(texts)
    assert exp.output_names == ("0", "1") and exp.provenance.output_space == "probability"
    assert exp.feature_names == ("the", "film", "had", "excellent", "music", "plot", "a", "long", "story", "about")
    v = exp.values[:, :, 1]
    assert int(np.abs(v[0]).argmax()) == 3 and v[0, 3] > 0.5
    assert np.abs(np.delete(v[0], 3)).max() < 0.2 * v[0, 3]
    np.testing.assert_array_equal(v[1, :6][[2, 3, 4, 5]], 0.0)  # words the second text lacks
    np.testing.assert_array_equal(exp.data[0, :3], [2, 1, 1])  # "the" twice
    # two complementary probabilities: the surrogates mirror each other
    np.testing.assert_allclose(exp.values[:, :, 0], -exp.values[:, :, 1], atol=1e-9)
    assert exp.stderr is not None and exp.stderr[0, 3, 1] > 0
    assert Explanation.from_json(exp.to_json()) == exp


def test_masked_texts_drop_every_occurrence_and_keep_separators() -> None:
    seen: list[str] = []

    def model(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return np.array([[t.count("b")] for t in texts], dtype=float)

    exp = LimeText(model, n_samples=40, alpha=0.0, n_resamples=4, random_state=1).fit().explain("a b, a c")
    # removing a subset of {a, b, c} (1 or 2 of the 3 words), every "a" at once; the first call is the text itself
    allowed = {" b,  c", "a , a c", "a b, a ", " ,  c", " b,  ", "a , a "}
    assert set(seen[1:]) == allowed
    # the output counts "b": coefficient 1 on "b", 0 on the others, exactly
    np.testing.assert_allclose(exp.values[0, :, 0], [0.0, 1.0, 0.0], atol=1e-9)


def test_same_seed_same_output_and_errors(pipeline: object) -> None:
    a = LimeText(pipeline, n_samples=200, random_state=3).fit().explain(["an excellent film"])
    b = LimeText(pipeline, n_samples=200, random_state=3).fit().explain(["an excellent film"])
    assert a == b or a.values.tobytes() == b.values.tobytes()
    with pytest.raises(NotFittedError):
        LimeText(pipeline).explain(["x"])
    with pytest.raises(InvalidDataError, match="'texts'"):
        LimeText(pipeline).fit().explain([1, 2])
    with pytest.raises(InvalidDataError, match="token"):
        LimeText(pipeline).fit().explain(["!!!"])
    with pytest.raises(ModelOutputError):
        LimeText(lambda t: [[np.nan]] * len(t), n_samples=20).fit().explain(["a b"])
