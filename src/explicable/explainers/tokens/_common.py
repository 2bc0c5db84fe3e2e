"""What the token explainers share: the model and text checks, target selection and the text Explanation."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from explicable._version import __version__
from explicable.core._index import axis_positions
from explicable.core.errors import InvalidDataError, NotFittedError, UnsupportedModelError
from explicable.core.explanation import Explanation
from explicable.core.fingerprint import digest_array
from explicable.core.provenance import Provenance
from explicable.models.transformers import TextClassifier, check_texts

__all__ = ["TokenizedText", "check_text_model", "prepare", "resolve_targets", "text_explanation"]


@dataclass(frozen=True)
class TokenizedText:
    """One text as the model sees it: ids (T,), tokens, and which positions are special ([CLS], [SEP])."""

    text: str
    ids: np.ndarray
    tokens: tuple[str, ...]
    special: np.ndarray

    @property
    def content(self) -> np.ndarray:
        """Positions of the non-special tokens."""
        return np.flatnonzero(~self.special)

    def replaced(self, token_id: int) -> np.ndarray:
        """The ids with every non-special token replaced by ``token_id`` (the reference text)."""
        return np.where(self.special, self.ids, token_id)


def check_text_model(model: Any) -> TextClassifier:
    """``model`` if it is a :class:`TextClassifier`, else an error saying how to make one."""
    if not isinstance(model, TextClassifier):
        raise UnsupportedModelError(parameter="model", expected="an explicable.models.transformers.TextClassifier "
                                    "(TextClassifier(hf_model, tokenizer))", got=model)
    return model


def prepare(model: TextClassifier, texts: Any) -> list[TokenizedText]:
    """Tokenize each text; a text with no token besides the special ones is refused."""
    out = []
    for text in check_texts(texts):
        ids = np.asarray(model.token_ids(text), dtype=np.int64)
        special = np.zeros(ids.size, dtype=bool)
        special[model.special_positions(text)] = True
        if special.all():
            raise InvalidDataError(parameter="texts", expected="texts with at least one token besides the special "
                                   "tokens", got=text)
        tokens = tuple(model.tokenizer.convert_ids_to_tokens(ids.tolist()))
        out.append(TokenizedText(text, ids, tokens, special))
    return out


def resolve_targets(model: TextClassifier, target: Any) -> np.ndarray:
    """Positions of the outputs to explain: all for None, else an output name, index or list of them."""
    k = len(model.output_names)
    return np.arange(k) if target is None else axis_positions(target, "target", k, model.output_names)


def require_fitted(explainer: Any) -> None:
    if not getattr(explainer, "fitted_", False):
        raise NotFittedError(f"This {type(explainer).__name__} is not fitted yet; call fit() first.",
                             parameter="fit")


def text_explanation(model: TextClassifier, docs: Sequence[TokenizedText], values: Sequence[np.ndarray],
                     base_values: np.ndarray, targets: np.ndarray, *, method: str, parameters: Mapping[str, Any],
                     budget_used: int, start: float) -> Explanation:
    """The text Explanation: features ``t0, t1, ...`` up to the longest text, zero (and "" in data) past an end.

    ``values[i]`` is (T_i, k) for text i; ``parameters`` gets ``n_tokens``.
    """
    width = max(d.ids.size for d in docs)
    cube = np.zeros((len(docs), width, targets.size))
    data = np.full((len(docs), width), "", dtype=object)
    for i, (doc, v) in enumerate(zip(docs, values, strict=True)):
        cube[i, :doc.ids.size] = v
        data[i, :doc.ids.size] = doc.tokens
    provenance = Provenance(
        method=method, parameters={**parameters, "n_tokens": [int(d.ids.size) for d in docs]}, random_state=None,
        budget_used=int(budget_used), elapsed_seconds=time.perf_counter() - start,
        model_fingerprint=model.fingerprint(),
        data_fingerprint=digest_array(np.asarray([d.text for d in docs], dtype=object)),
        library_version=__version__, output_space=model.output_space)
    return Explanation(cube, base_values, tuple(f"t{j}" for j in range(width)),
                       tuple(model.output_names[j] for j in targets), data=data, provenance=provenance)
