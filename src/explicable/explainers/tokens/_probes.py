"""Probes of a sentiment model: negation, sarcasm and contrast sentences, with their key words' attributions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.datasets.sentiment import SENTIMENT_PROBES, SentimentProbe
from explicable.explainers.tokens._common import check_text_model
from explicable.explainers.tokens._integrated_gradients import TokenIntegratedGradients
from explicable.explainers.tokens._occlusion import TokenOcclusion

__all__ = ["ProbeResult", "key_word_positions", "probe", "run_probes"]


@dataclass(frozen=True, eq=False)
class ProbeResult:
    """What a model makes of each probe sentence, and what IG and occlusion say its key word does.

    Attributes
    ----------
    probes : tuple of SentimentProbe
    predicted : tuple of str
        The model's label (its largest output) per probe.
    probability : ndarray (n,)
        Softmax probability of the predicted label.
    key_positions : tuple of tuple of int
        Token positions of each probe's key word (several when the tokenizer splits it).
    ig_key, occlusion_key : ndarray (n,)
        Attribution of the key word (summed over its tokens) toward the probe's expected label, in the model's
        output space: Integrated Gradients and occlusion.
    integrated_gradients, occlusion : tuple of Explanation
        Per probe, the token attributions toward its expected label (one row, one output).
    """

    probes: tuple[SentimentProbe, ...]
    predicted: tuple[str, ...]
    probability: np.ndarray
    key_positions: tuple[tuple[int, ...], ...]
    ig_key: np.ndarray
    occlusion_key: np.ndarray
    integrated_gradients: tuple[Explanation, ...]
    occlusion: tuple[Explanation, ...]

    @property
    def correct(self) -> np.ndarray:
        """Whether each prediction is the expected label."""
        return np.array([p == q.expected for p, q in zip(self.predicted, self.probes, strict=True)])

    @property
    def accuracy(self) -> float:
        """Share of probes predicted as expected."""
        return float(self.correct.mean())

    @property
    def signs_agree(self) -> np.ndarray:
        """Whether IG and occlusion give the key word the same (non-zero) sign."""
        return np.asarray((np.sign(self.ig_key) == np.sign(self.occlusion_key)) & (self.ig_key != 0))

    def to_frame(self) -> pd.DataFrame:
        """One row per probe: text, kind, expected, predicted, probability, correct, key word, its IG and
        occlusion attribution toward the expected label, and whether their signs agree."""
        return pd.DataFrame({
            "text": [q.text for q in self.probes], "kind": [q.kind for q in self.probes],
            "expected": [q.expected for q in self.probes], "predicted": list(self.predicted),
            "probability": self.probability, "correct": self.correct,
            "key_word": [q.key_word for q in self.probes], "ig_key": self.ig_key,
            "occlusion_key": self.occlusion_key, "signs_agree": self.signs_agree,
        })


def key_word_positions(model: Any, text: str, word: str) -> tuple[int, ...]:
    """Token positions of the first occurrence of ``word`` (a whole word, any case) in ``text``.

    >>> key_word_positions(object(), "a text", "b")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    explicable.core.errors.InvalidDataError: ...
    """
    found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE) if word else None
    if found is None:
        raise InvalidDataError(parameter="word", expected=f"a word of the text {text!r}", got=word)
    spans = check_text_model(model).token_spans(text)
    positions = tuple(t for t, (a, b) in enumerate(spans) if b > a and a < found.end() and b > found.start())
    if not positions:
        raise InvalidDataError(parameter="word", expected="a word within the model's max_length tokens", got=word)
    return positions


def probe(model: Any, probes: Sequence[SentimentProbe] = SENTIMENT_PROBES, *, n_steps: int = 32) -> ProbeResult:
    """Run ``model`` (a TextClassifier with outputs named like the probes' labels) on ``probes``.

    Parameters
    ----------
    model : TextClassifier
    probes : sequence of SentimentProbe, default SENTIMENT_PROBES
    n_steps : int, default 32
        Initial Gauss-Legendre steps of Integrated Gradients (refined until complete to 1e-3).

    Returns
    -------
    ProbeResult
    """
    adapter = check_text_model(model)
    if isinstance(probes, SentimentProbe) or not isinstance(probes, Sequence) or len(probes) == 0 or \
            not all(isinstance(q, SentimentProbe) for q in probes):
        raise InvalidParameterError(parameter="probes", expected="a non-empty sequence of SentimentProbe",
                                    got=probes)
    names = adapter.output_names
    for q in probes:
        if q.expected not in names:
            raise InvalidParameterError(parameter="probes", expected=f"expected labels among {list(names)}",
                                        got=q.expected)
    texts = [q.text for q in probes]
    positions = tuple(key_word_positions(adapter, q.text, q.key_word) for q in probes)
    # one text at a time, toward its expected label only: half the backward passes of explaining all outputs
    integrated = TokenIntegratedGradients(adapter, n_steps=n_steps).fit()
    occluding = TokenOcclusion(adapter).fit()
    ig = tuple(integrated.explain([q.text], target=q.expected) for q in probes)
    occlusion = tuple(occluding.explain([q.text], target=q.expected) for q in probes)
    ig_key = np.array([e.values[0, list(p), 0].sum() for e, p in zip(ig, positions, strict=True)])
    occ_key = np.array([e.values[0, list(p), 0].sum() for e, p in zip(occlusion, positions, strict=True)])
    probability = adapter.probabilities(texts)
    best = probability.argmax(axis=1)
    return ProbeResult(tuple(probes), tuple(names[j] for j in best), probability[np.arange(len(texts)), best],
                       positions, ig_key, occ_key, ig, occlusion)


def run_probes(model: Any = None) -> ProbeResult:
    """The fixed probe set :data:`~explicable.datasets.sentiment.SENTIMENT_PROBES` on ``model``.

    ``model`` defaults to the shipped sentiment model (:func:`explicable.datasets.sentiment.sentiment_model`).
    For "the movie was not good" the result holds the attribution of "not" toward "negative".
    """
    if model is None:
        from explicable.datasets.sentiment import sentiment_model

        model = sentiment_model()
    return probe(model, SENTIMENT_PROBES)

