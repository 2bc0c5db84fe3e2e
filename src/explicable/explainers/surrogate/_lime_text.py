"""LIME for text: which words does a text classifier's output rest on?"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError, NotFittedError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import check_int, check_random_state
from explicable.explainers.surrogate._lime_fit import SurrogateFit
from explicable.explainers.surrogate._lime_masks import (
    ItemModel,
    digest_items,
    fit_masks,
    item_explanation,
    random_masks,
)

__all__ = ["LimeText"]


class LimeText:
    """LIME on text (Ribeiro et al., 2016): masks that remove words, a kernel-weighted ridge on them.

    A text is split into words by ``token_pattern``; the features of a text are its distinct words, and
    removing a word removes every occurrence of it (the separators stay), as lime does with ``bow=True``.
    Each sample removes a uniform number of words (1 to d - 1) at random; its weight is lime's kernel on
    the cosine distance to the full text, ``100 * (1 - sqrt(kept / d))``, of width 25. Several texts are
    explained into one Explanation whose features are the distinct words of all of them (first seen first):
    ``values[i, j, k]`` is the surrogate's coefficient of the presence of word ``j`` in text ``i`` (what
    keeping the word adds to output ``k``), 0 when text ``i`` lacks the word; ``data``
    holds the number of occurrences; ``base_values`` is the intercept, so ``values.sum(axis=1) +
    base_values`` is the surrogate's prediction for the whole text. Stderr and fidelity are as in
    :class:`LimeTabular`.

    Parameters
    ----------
    model : callable or estimator
        Takes a list of strings and returns (n, k) numbers; an estimator (such as a scikit-learn pipeline
        starting with a vectoriser) is called through ``predict_proba`` when it has one, else ``predict``.
    n_samples : int, default 5000
        Samples per text (rounded up to a multiple of ``n_resamples``).
    kernel_width : float, default 25.0
    alpha : float, default 1.0
    n_resamples : int, default 10
    min_fidelity : float, default 0.5
    token_pattern : str, default r"\\w+"
    output_names : sequence of str, optional
    batch_size : int, default 1000
        Texts per model call.
    random_state : int, optional

    Examples
    --------
    >>> def model(texts):
    ...     return [[1.0 if "good" in t.split() else 0.0] for t in texts]
    >>> exp = LimeText(model, n_samples=200, random_state=0).fit().explain(["a good film"])
    >>> exp.feature_names, int(abs(exp.values[0, :, 0]).argmax())
    (('a', 'good', 'film'), 1)
    """

    method = "lime_text"

    def __init__(self, model: Any, *, n_samples: int = 5000, kernel_width: float = 25.0, alpha: float = 1.0,
                 n_resamples: int = 10, min_fidelity: float = 0.5, token_pattern: str = r"\w+",
                 output_names: Sequence[str] | None = None, batch_size: int = 1000,
                 random_state: int | None = None) -> None:
        self.model = ItemModel(model, output_names, check_int(batch_size, "batch_size", low=1))
        self.n_resamples = check_int(n_resamples, "n_resamples", low=2)
        samples = check_int(n_samples, "n_samples", low=self.n_resamples)
        self.n_samples = -(-samples // self.n_resamples) * self.n_resamples
        self.kernel_width = _number(kernel_width, "kernel_width", low=0.0, strict=True)
        self.alpha = _number(alpha, "alpha", low=0.0)
        self.min_fidelity = _number(min_fidelity, "min_fidelity", low=0.0)
        try:
            self.token_pattern = re.compile(token_pattern)
        except (TypeError, re.error):
            raise InvalidParameterError(parameter="token_pattern", expected="a regular expression",
                                        got=token_pattern) from None
        self.random_state = check_random_state(random_state)

    def get_params(self) -> dict[str, Any]:
        return {"n_samples": self.n_samples, "kernel_width": self.kernel_width, "alpha": self.alpha,
                "n_resamples": self.n_resamples, "min_fidelity": self.min_fidelity,
                "token_pattern": self.token_pattern.pattern}

    def fit(self, background: Any = None) -> Self:
        """Draw the seed (text LIME learns nothing from data; ``background`` is ignored)."""
        _, self.seed_ = make_rng(self.random_state)
        return self

    def explain(self, texts: Sequence[str], *, target: Any = None) -> Explanation:
        """Explain each text of ``texts`` (a string or a sequence of strings)."""
        start = time.perf_counter()
        if not hasattr(self, "seed_"):
            raise NotFittedError("This LimeText is not fitted yet; call fit() first.", parameter="fit")
        docs = _check_texts(texts)
        model_output = self.model.predict(docs)
        vocab: dict[str, int] = {}
        fits: list[SurrogateFit] = []
        features: list[list[int]] = []
        counts: list[np.ndarray] = []
        for doc in docs:
            parts, token_ids, words = self._tokens(doc)
            cols = [vocab.setdefault(w, len(vocab)) for w in words]
            masks = random_masks(np.random.default_rng(self.seed_), self.n_samples, len(words))
            outputs = self.model.predict(_masked_texts(parts, token_ids, masks))
            kept = masks.sum(axis=1)
            sq = (100 * (1 - np.sqrt(kept / len(words)))) ** 2
            fits.append(fit_masks(masks, outputs, sq, self.kernel_width, self.alpha, self.n_resamples,
                                  model_output[len(fits)]))
            features.append(cols)
            counts.append(np.bincount(token_ids[token_ids >= 0], minlength=len(words)))
        data = np.zeros((len(docs), len(vocab)))
        for i, (cols, c) in enumerate(zip(features, counts, strict=True)):
            data[i, cols] = c
        exp = item_explanation(fits, features, list(vocab), self.model, model_output, data, method=self.method,
                               parameters=self.get_params(), seed=self.seed_, min_fidelity=self.min_fidelity,
                               start=start, data_digest=digest_items(np.asarray(docs, dtype=object)))
        return exp if target is None else exp.select(outputs=target)

    def _tokens(self, doc: str) -> tuple[list[str], np.ndarray, list[str]]:
        # parts alternate separator, word, separator, ...; token_ids gives each part's word id (-1: separator)
        parts: list[str] = []
        ids: list[int] = []
        words: dict[str, int] = {}
        end = 0
        for match in self.token_pattern.finditer(doc):
            if match.end() == match.start():
                continue
            parts.append(doc[end:match.start()])
            ids.append(-1)
            parts.append(match.group())
            ids.append(words.setdefault(match.group(), len(words)))
            end = match.end()
        parts.append(doc[end:])
        ids.append(-1)
        if not words:
            raise InvalidDataError(parameter="texts", expected=f"texts with at least one token of "
                                   f"{self.token_pattern.pattern!r}", got=doc)
        return parts, np.array(ids), list(words)


def _masked_texts(parts: list[str], token_ids: np.ndarray, masks: np.ndarray) -> list[str]:
    keep = np.ones((masks.shape[0], len(parts)), dtype=bool)
    words = token_ids >= 0
    keep[:, words] = masks[:, token_ids[words]] > 0
    pieces = np.array(parts, dtype=object)
    return ["".join(pieces[row]) for row in keep]


def _check_texts(texts: Any) -> list[str]:
    docs = [texts] if isinstance(texts, str) else texts
    if not isinstance(docs, (list, tuple, np.ndarray)) or len(docs) == 0 or \
            not all(isinstance(t, str) for t in docs):
        raise InvalidDataError(parameter="texts", expected="a string or a non-empty sequence of strings", got=texts)
    return list(docs)


def _number(value: Any, name: str, *, low: float, strict: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) \
        and (value > low if strict else value >= low)
    if not ok:
        raise InvalidParameterError(parameter=name, expected=f"a number {'>' if strict else '>='} {low}", got=value)
    return float(value)
