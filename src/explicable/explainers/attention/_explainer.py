"""Attention as an explainer: raw attention, rollout or flow from the [CLS] position, one text at a time."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from explicable._version import __version__
from explicable.core.errors import InvalidDataError, NotFittedError
from explicable.core.explanation import Explanation
from explicable.core.fingerprint import digest_array
from explicable.core.provenance import Provenance
from explicable.core.validation import check_choice, check_int, check_number
from explicable.explainers.attention._extract import AttentionMaps, extract_attention, text_model
from explicable.explainers.attention._flow import attention_flow
from explicable.explainers.attention._rollout import (
    HEAD_FUSIONS,
    attention_rollout,
    check_attention,
    raw_attention,
    target_row,
)

__all__ = ["KINDS", "AttentionExplainer", "attention_scores", "check_texts", "digest_texts"]

#: What an attention score is: one layer's attention ("raw"), its rollout through the layers, or the flow.
KINDS = ("raw", "rollout", "flow")


class AttentionExplainer:
    """Token scores from a transformer's attention: raw attention, attention rollout or attention flow.

    For each text, the attention of every layer and head is read in one forward pass
    (:func:`extract_attention`) and reduced to one score per token: how much the target position ([CLS] by
    default) attends to it at one layer (``kind="raw"``), how much of it reaches the target through the
    layers (``"rollout"``, :func:`attention_rollout`) or the maximum flow from it to the target
    (``"flow"``, :func:`attention_flow`) (Abnar & Zuidema 2020).

    These scores are **not additive attributions**: they are non-negative weights over the tokens, the same
    for every output (attention does not know which class is explained) and they do not add up to the
    model's output. ``values[i, j, k]`` is the score of token ``j`` of text ``i`` (0 past the text's end),
    repeated for every output ``k``; ``base_values`` is the model's output for the text (for reference, not a
    baseline the values add to); ``provenance.parameters["additive"]`` is False. Whether the scores say
    what the model relies on is an empirical question per input: :func:`attention_report` compares them
    with Integrated Gradients and occlusion and runs deletion curves.

    Parameters
    ----------
    model : TextClassifier
        An :class:`explicable.models.transformers.TextClassifier` (or any object with its ``tokens``,
        ``attentions``, ``predict``, ``output_names``, ``output_space`` and ``fingerprint``).
    kind : {"rollout", "flow", "raw"}, default "rollout"
    head_fusion : {"mean", "max", "min"}, default "mean"
        How the heads of a layer are combined.
    residual : float in [0, 1], default 0.5
        Weight of the residual connection in rollout and flow (ignored by "raw").
    layer : int, optional
        The layer whose output is explained: raw attention of that layer, rollout or flow up to it (negative
        counts from the last); default the last layer.
    target_position : int or "mean", default 0
        The position whose representation the classifier reads: 0 for [CLS]-pooled models, "mean" for
        mean-pooled ones.

    Examples
    --------
    >>> import numpy as np
    >>> class Uniform:  # a stand-in classifier: every head attends uniformly
    ...     output_names, output_space = ("score",), "raw"
    ...     def tokens(self, texts): return [["[CLS]", *t.split(), "[SEP]"] for t in texts]
    ...     def attentions(self, text):
    ...         size = len(text.split()) + 2
    ...         return np.full((2, 1, size, size), 1 / size)
    ...     def predict(self, texts): return np.zeros((len(texts), 1))
    ...     def fingerprint(self): return "uniform"
    >>> exp = AttentionExplainer(Uniform(), kind="raw").fit().explain(["a b", "c"])
    >>> exp.feature_names, exp.values[1, :, 0].round(3).tolist(), exp.data[1].tolist()
    (('t0', 't1', 't2', 't3'), [0.333, 0.333, 0.333, 0.0], ['[CLS]', 'c', '[SEP]', ''])
    """

    method = "attention"

    def __init__(self, model: Any, *, kind: str = "rollout", head_fusion: str = "mean", residual: float = 0.5,
                 layer: int | None = None, target_position: int | str = 0) -> None:
        self.model = text_model(model)
        self.kind = check_choice(kind, "kind", KINDS)
        self.head_fusion = check_choice(head_fusion, "head_fusion", HEAD_FUSIONS)
        self.residual = check_number(residual, "residual", low=0, high=1)
        self.layer = None if layer is None else check_int(layer, "layer")
        if not (isinstance(target_position, str) and target_position == "mean"):
            target_position = check_int(target_position, "target_position")
        self.target_position = target_position

    def get_params(self) -> dict[str, Any]:
        return {"kind": self.kind, "head_fusion": self.head_fusion, "residual": self.residual,
                "layer": self.layer, "target_position": self.target_position}

    def fit(self, background: Any = None) -> Self:
        """Record the model's fingerprint (attention learns nothing from data; ``background`` is ignored)."""
        self.fingerprint_ = str(self.model.fingerprint())
        return self

    def scores(self, maps: AttentionMaps) -> np.ndarray:
        """The token scores (T,) of one text's attention maps under this explainer's settings."""
        return attention_scores(maps.attention, kind=self.kind, head_fusion=self.head_fusion,
                                residual=self.residual, layer=self.layer, target_position=self.target_position)

    def explain(self, X: str | Sequence[str], *, target: Any = None) -> Explanation:
        """Score the tokens of each text of ``X`` (one string or a sequence of them).

        Returns
        -------
        Explanation
            Features ``t0, t1, ...`` (token positions, special tokens included, up to the longest text);
            ``data`` the token strings ("" past a text's end); ``provenance.parameters["n_tokens"]`` each
            text's number of tokens. Not additive (see the class description).
        """
        if not hasattr(self, "fingerprint_"):
            raise NotFittedError("This AttentionExplainer is not fitted yet; call fit() first.", parameter="fit")
        start = time.perf_counter()
        batch = check_texts(X, "X")
        maps = [extract_attention(self.model, text) for text in batch]
        outputs = np.asarray(self.model.predict(batch), dtype="float64").reshape(len(batch), -1)
        size = max(len(m.tokens) for m in maps)
        k = outputs.shape[1]
        values = np.zeros((len(batch), size, k))
        data = np.full((len(batch), size), "", dtype=object)
        for i, m in enumerate(maps):
            values[i, :len(m.tokens)] = self.scores(m)[:, None]
            data[i, :len(m.tokens)] = m.tokens
        parameters = {**self.get_params(), "n_tokens": [len(m.tokens) for m in maps], "additive": False}
        exp = Explanation(
            values=values, base_values=outputs, feature_names=tuple(f"t{j}" for j in range(size)),
            output_names=tuple(self.model.output_names), data=data,
            provenance=Provenance(
                method=self.method, parameters=parameters, random_state=None,
                # one forward pass per text for the attention, one row per text for the outputs
                budget_used=2 * len(batch), elapsed_seconds=time.perf_counter() - start,
                model_fingerprint=self.fingerprint_, data_fingerprint=digest_texts(batch),
                library_version=__version__, output_space=str(self.model.output_space)))
        return exp if target is None else exp.select(outputs=target)


def attention_scores(attention: np.ndarray, *, kind: str = "rollout", head_fusion: str = "mean",
                     residual: float = 0.5, layer: int | None = None, target_position: int | str = 0) -> np.ndarray:
    """One score per token (T,) from attention maps (layers, heads, T, T): raw, rollout or flow to the target.

    ``layer`` (default the last) is the layer read by "raw", or the top layer of rollout and flow.

    >>> a = np.array([[[0.5, 0.5], [0.0, 1.0]], [[1.0, 0.0], [0.5, 0.5]]])
    >>> [attention_scores(a, kind=k, residual=0.0).round(3).tolist() for k in KINDS]
    [[1.0, 0.0], [0.5, 0.5], [0.5, 0.5]]
    """
    check_choice(kind, "kind", KINDS)
    attention = check_attention(attention)
    layers = attention.shape[0]
    top = layers - 1 if layer is None else check_int(layer, "layer", low=-layers, high=layers - 1) % layers
    if kind == "raw":
        return raw_attention(attention, layer=top, head_fusion=head_fusion, target_position=target_position)
    if kind == "rollout":
        rolled = attention_rollout(attention[:top + 1], head_fusion=head_fusion, residual=residual)
        return target_row(rolled[-1], target_position)
    return attention_flow(attention[:top + 1], head_fusion=head_fusion, residual=residual,
                          target_position=target_position)


def check_texts(texts: Any, name: str = "texts") -> list[str]:
    """One text or a non-empty sequence of texts, as a list of str."""
    batch = [texts] if isinstance(texts, str) else texts
    if not isinstance(batch, Sequence) or len(batch) == 0 or not all(isinstance(t, str) for t in batch):
        raise InvalidDataError(parameter=name, expected="a str or a non-empty sequence of str", got=texts)
    return list(batch)


def digest_texts(texts: Sequence[str]) -> str:
    """Fingerprint of the explained texts (their UTF-8 bytes, NUL-separated)."""
    return digest_array(np.frombuffer("\x00".join(texts).encode("utf-8"), dtype=np.uint8))
