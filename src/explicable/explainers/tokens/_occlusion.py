"""Token occlusion: the output drop when one token is replaced by the mask token, for every token."""

from __future__ import annotations

import time
from typing import Any, Self

import numpy as np

from explicable.core.explanation import Explanation
from explicable.explainers.tokens._common import (
    check_text_model,
    prepare,
    require_fitted,
    resolve_targets,
    text_explanation,
)

__all__ = ["TokenOcclusion"]


class TokenOcclusion:
    """Occlusion of single tokens (Zeiler & Fergus, 2014, on text): exact, one model row per token.

    ``values[i, t, k] = f_k(text) - f_k(text with token t replaced by [MASK])`` for every non-special token;
    special tokens ([CLS], [SEP]) are never replaced and get 0. ``base_values`` is f(text), as for image
    occlusion. The values do not add up to anything: a token's drop is measured with all others present.

    Parameters
    ----------
    model : TextClassifier

    Examples
    --------
    >>> TokenOcclusion(object())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    explicable.core.errors.UnsupportedModelError: ...
    """

    method = "token_occlusion"

    def __init__(self, model: Any) -> None:
        self.model = check_text_model(model)

    def get_params(self) -> dict[str, Any]:
        return {"replacement": "mask"}

    def fit(self, background: Any = None) -> Self:
        """Nothing to learn; ``background`` is ignored."""
        self.fitted_ = True
        return self

    def explain(self, X: Any, *, target: Any = None) -> Explanation:
        """Occlude each token of each text of ``X`` (a string or strings); outputs ``target`` (all by default)."""
        start = time.perf_counter()
        require_fitted(self)
        docs = prepare(self.model, X)
        targets = resolve_targets(self.model, target)
        values, base, budget = [], [], 0
        for doc in docs:
            content = doc.content
            rows = np.repeat(doc.ids[None, :], content.size + 1, axis=0)
            rows[np.arange(1, content.size + 1), content] = self.model.mask_token_id
            out = self.model.predict_ids(rows)[:, targets]
            v = np.zeros((doc.ids.size, targets.size))
            v[content] = out[0] - out[1:]
            values.append(v)
            base.append(out[0])
            budget += rows.shape[0]
        return text_explanation(self.model, docs, values, np.array(base), targets, method=self.method,
                                parameters=self.get_params(), budget_used=budget, start=start)
