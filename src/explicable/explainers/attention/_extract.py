"""Every layer's and head's attention of a text classifier on one text, with the tokens it attended over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError, UnsupportedModelError
from explicable.explainers.attention._flow import attention_flow
from explicable.explainers.attention._rollout import attention_rollout, check_attention, fuse_heads, raw_attention

__all__ = ["AttentionMaps", "extract_attention", "text_model"]

#: How far a row of extracted attention may sum from 1 (float32 softmax rounding over a few hundred tokens).
ROW_SUM_TOLERANCE = 1e-4


@dataclass(frozen=True)
class AttentionMaps:
    """The attention of every layer and head over one tokenised text.

    Attributes
    ----------
    tokens : tuple of str, length T
        The tokenizer's tokens, special tokens ([CLS], [SEP]) included.
    attention : ndarray of shape (layers, heads, T, T), read-only
        ``attention[l, h, i, j]``: the weight position ``i`` gives position ``j`` in head ``h`` of layer ``l``;
        each row sums to 1.
    special_positions : tuple of int
        Positions of the special tokens (empty when unknown).

    Examples
    --------
    >>> maps = AttentionMaps(("[CLS]", "hi", "[SEP]"), np.full((1, 1, 3, 3), 1 / 3), (0, 2))
    >>> maps.shape, maps.content_positions, maps.rollout(residual=0.0)[-1][0].round(3).tolist()
    ((1, 1, 3), (1,), [0.333, 0.333, 0.333])
    """

    tokens: tuple[str, ...]
    attention: np.ndarray
    special_positions: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        if isinstance(self.tokens, str) or not isinstance(self.tokens, Sequence):
            raise InvalidDataError(parameter="tokens", expected="a sequence of str", got=self.tokens)
        tokens = tuple(str(t) for t in self.tokens)
        arr = np.array(check_attention(self.attention), dtype="float64")
        if arr.shape[-1] != len(tokens):
            raise InvalidDataError(parameter="attention", expected=f"maps over the {len(tokens)} tokens",
                                   got=arr)
        specials = tuple(sorted({int(p) % len(tokens) for p in self.special_positions}))
        if any(not -len(tokens) <= int(p) < len(tokens) for p in self.special_positions):
            raise InvalidDataError(parameter="special_positions", expected=f"positions below {len(tokens)}",
                                   got=self.special_positions)
        arr.setflags(write=False)
        object.__setattr__(self, "tokens", tokens)
        object.__setattr__(self, "attention", arr)
        object.__setattr__(self, "special_positions", specials)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(layers, heads, T)."""
        layers, heads, size, _ = self.attention.shape
        return int(layers), int(heads), int(size)

    @property
    def content_positions(self) -> tuple[int, ...]:
        """Positions of the non-special tokens."""
        return tuple(p for p in range(len(self.tokens)) if p not in self.special_positions)

    def fused(self, head_fusion: str = "mean") -> np.ndarray:
        """Each layer's heads combined, shape (layers, T, T) (see :func:`fuse_heads`)."""
        return fuse_heads(self.attention, head_fusion)

    def raw(self, **options: Any) -> np.ndarray:
        """One layer's attention from the target position, shape (T,) (options of :func:`raw_attention`)."""
        return raw_attention(self.attention, **options)

    def rollout(self, **options: Any) -> np.ndarray:
        """Cumulative rollout after each layer, shape (layers, T, T) (options of :func:`attention_rollout`)."""
        return attention_rollout(self.attention, **options)

    def flow(self, **options: Any) -> np.ndarray:
        """Attention flow from each token, shape (T,) (options of :func:`attention_flow`)."""
        return attention_flow(self.attention, **options)


def extract_attention(model: Any, text: str, *, tokenizer: Any = None) -> AttentionMaps:
    """Every layer's and head's attention of a text classifier over ``text`` (one forward pass).

    Parameters
    ----------
    model : TextClassifier, or a Hugging Face sequence classifier with ``tokenizer``
        An :class:`explicable.models.transformers.TextClassifier` (or any object with its ``attentions(text)``
        and ``tokens(texts)`` methods). A Hugging Face model given with its tokenizer is wrapped in one;
        attention is read with eager attention, since fused kernels (sdpa, flash) do not return weights.
    text : str
    tokenizer : tokenizer, optional
        Only with a Hugging Face model.

    Returns
    -------
    AttentionMaps
        Tokens (special tokens included, no padding) and attention (layers, heads, T, T), rows summing to 1.

    Raises
    ------
    UnsupportedModelError
        When the model cannot return attention weights.
    InvalidDataError
        When the weights are not per-token probability rows.
    """
    if not isinstance(text, str):
        raise InvalidDataError(parameter="text", expected="one text (a str)", got=text)
    adapter = text_model(model, tokenizer)
    tokens = list(adapter.tokens([text])[0])
    attention = check_attention(adapter.attentions(text))
    rows = attention.sum(axis=-1)
    if attention.shape[-1] != len(tokens) or not np.allclose(rows, 1.0, atol=ROW_SUM_TOLERANCE):
        raise InvalidDataError(parameter="model", expected=f"attention rows over the {len(tokens)} tokens, each "
                               "summing to 1", got=f"shape {attention.shape}, row sums in "
                               f"[{rows.min():.4g}, {rows.max():.4g}]")
    specials = getattr(adapter, "special_positions", None)
    return AttentionMaps(tuple(tokens), attention, tuple(specials(text)) if callable(specials) else ())


def text_model(model: Any, tokenizer: Any = None) -> Any:
    """``model`` if it has the TextClassifier methods attention needs, else a TextClassifier around it."""
    if all(callable(getattr(model, name, None)) for name in ("attentions", "tokens")):
        if tokenizer is not None:
            raise InvalidParameterError(parameter="tokenizer", expected="None for a model that tokenizes itself",
                                        got=tokenizer)
        return model
    if tokenizer is None:
        raise UnsupportedModelError(
            f"Attention needs a text classifier with attentions(text) and tokens(texts) (explicable.models."
            f"transformers.TextClassifier), or a Hugging Face model with its tokenizer. Got {type(model).__name__}.",
            parameter="model", got=model)
    try:
        from explicable.models.transformers import TextClassifier
    except ImportError as err:
        raise UnsupportedModelError("Attention on Hugging Face models needs torch and transformers: "
                                    "pip install explicable[text]", parameter="model", got=model) from err
    return TextClassifier(model, tokenizer)
