"""Text classifiers (Hugging Face sequence classifiers and the like) as models: texts in, (n, k) out.

Install the ``text`` extra (torch and transformers). torch is imported only when a method needs it, so this
module can be imported, and its errors raised, without it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError, UnsupportedModelError
from explicable.core.validation import check_choice, check_int
from explicable.models.base import ModelAdapter

if TYPE_CHECKING:
    import torch

__all__ = ["TextClassifier", "check_texts"]

_SPACES = ("log-odds", "probability", "raw")


def _torch() -> Any:
    try:
        import torch
    except ImportError:  # pragma: no cover - the text extra brings torch
        raise UnsupportedModelError("Text models need PyTorch: pip install explicable[text].",
                                    parameter="model") from None
    return torch


def check_texts(texts: Any, name: str = "texts") -> list[str]:
    """``texts`` as a non-empty list of strings (a lone string is one text)."""
    docs = [texts] if isinstance(texts, str) else texts
    if not isinstance(docs, (list, tuple, np.ndarray)) or len(docs) == 0 or \
            not all(isinstance(t, str) for t in docs):
        raise InvalidDataError(parameter=name, expected="a string or a non-empty sequence of strings", got=texts)
    return list(docs)


class TextClassifier(ModelAdapter):
    """Adapter for a sequence classifier over token ids: texts in, one row of k outputs per text.

    The model is any ``torch.nn.Module`` with the forward contract of Hugging Face's
    ``AutoModelForSequenceClassification``: ``model(input_ids=..., attention_mask=..., inputs_embeds=...,
    output_attentions=...)`` returns an object with ``.logits`` (n, k) and ``.attentions`` (a tuple of one
    (n, heads, T, T) tensor per layer), and ``model.get_input_embeddings()`` is the word-embedding module.
    explicable's shipped sentiment model (:func:`explicable.datasets.sentiment.sentiment_model`) has the
    same contract. The model runs in eval mode (its training flag is restored after each call).

    Parameters
    ----------
    model : torch.nn.Module
    tokenizer : Hugging Face tokenizer
        Callable on a list of strings (``padding``, ``truncation``, ``max_length``, ``return_tensors="pt"``),
        with ``convert_ids_to_tokens``, ``mask_token_id``, ``pad_token_id`` and ``all_special_ids``.
    output_names : sequence of str, optional
        Default: the model config's ``id2label`` in id order.
    output_space : {"log-odds", "probability", "raw"}, default "log-odds"
        ``"log-odds"``: ``log p_k / (1 - p_k)`` of the softmax of the logits (``z_k - logsumexp_{j != k} z_j``);
        ``"probability"``: the softmax; ``"raw"``: the logits.
    max_length : int, default 128
        Tokens per text, special tokens included; longer texts are truncated.
    batch_size : int, default 32
        Texts (or token rows) per forward pass.
    device : str or torch.device, optional
        Where inputs are placed; default the device of the model's first parameter (the model must be there).

    Examples
    --------
    >>> TextClassifier(object(), object())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    explicable.core.errors.UnsupportedModelError: ...
    """

    def __init__(self, model: Any, tokenizer: Any, *, output_names: Sequence[str] | None = None,
                 output_space: str = "log-odds", max_length: int = 128, batch_size: int = 32,
                 device: Any = None) -> None:
        torch = _torch()
        if not isinstance(model, torch.nn.Module) or not hasattr(model, "get_input_embeddings"):
            raise UnsupportedModelError(parameter="model", expected="a torch.nn.Module sequence classifier with "
                                        "get_input_embeddings()", got=model)
        for attribute in ("convert_ids_to_tokens", "mask_token_id", "pad_token_id", "all_special_ids"):
            if not callable(tokenizer) or not hasattr(tokenizer, attribute):
                raise UnsupportedModelError(parameter="tokenizer", expected=f"a Hugging Face tokenizer (with "
                                            f"{attribute})", got=tokenizer)
        names = _output_names(model, output_names)
        space = check_choice(output_space, "output_space", _SPACES)
        if space != "raw" and len(names) < 2:
            raise InvalidParameterError(parameter="output_space", expected="'raw' for a model with one output "
                                        "(a softmax over one class is constant)", got=output_space)
        super().__init__(model, output_names=names, output_space=space, accepts_strings=True)
        self.tokenizer = tokenizer
        self.max_length = check_int(max_length, "max_length", low=3)
        self.batch_size = check_int(batch_size, "batch_size", low=1)
        params = list(model.parameters())
        self.device = torch.device(device) if device is not None else \
            (params[0].device if params else torch.device("cpu"))
        self._digest_key: tuple[Any, ...] | None = None
        self._digest = ""

    # ---- tokens -------------------------------------------------------------------------------------------
    @property
    def mask_token_id(self) -> int:
        """Id of the tokenizer's mask token (what occlusion puts in place of a token)."""
        return _token_id(self.tokenizer, "mask_token_id")

    @property
    def pad_token_id(self) -> int:
        """Id of the tokenizer's padding token."""
        return _token_id(self.tokenizer, "pad_token_id")

    @property
    def embedding_layer(self) -> Any:
        """The word-embedding module (``model.get_input_embeddings()``), for layer attributions."""
        return self.model.get_input_embeddings()

    @property
    def n_layers(self) -> int:
        """Number of transformer layers (from the model's config)."""
        return int(self._config("num_hidden_layers"))

    @property
    def n_heads(self) -> int:
        """Attention heads per layer (from the model's config)."""
        return int(self._config("num_attention_heads"))

    def encode(self, texts: str | Sequence[str]) -> dict[str, torch.Tensor]:
        """Token ids and attention mask of ``texts``, padded to the longest, on the model's device.

        Returns
        -------
        dict with "input_ids" (n, T) LongTensor and "attention_mask" (n, T) LongTensor
        """
        docs = check_texts(texts)
        batch = self.tokenizer(docs, padding=True, truncation=True, max_length=self.max_length,
                               return_tensors="pt")
        return {"input_ids": batch["input_ids"].to(self.device),
                "attention_mask": batch["attention_mask"].to(self.device)}

    def token_ids(self, text: str) -> list[int]:
        """Token ids of one text, special tokens included, unpadded (truncated to ``max_length``)."""
        doc = check_texts(text, "text")
        if len(doc) != 1:
            raise InvalidDataError(parameter="text", expected="one string", got=text)
        ids = self.tokenizer(doc, truncation=True, max_length=self.max_length)["input_ids"][0]
        return [int(i) for i in ids]

    def tokens(self, texts: str | Sequence[str]) -> list[list[str]]:
        """Tokenizer tokens of each text, special tokens included, unpadded."""
        return [list(self.tokenizer.convert_ids_to_tokens(self.token_ids(t))) for t in check_texts(texts)]

    def special_positions(self, text: str) -> list[int]:
        """Positions of special tokens ([CLS], [SEP], ...) in the tokens of ``text``."""
        specials = {int(i) for i in self.tokenizer.all_special_ids}
        return [t for t, i in enumerate(self.token_ids(text)) if i in specials]

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character span ``(start, end)`` of each token of ``text`` ((0, 0) for special tokens).

        Needs a fast tokenizer (offset mapping).
        """
        try:
            enc = self.tokenizer([text], truncation=True, max_length=self.max_length, return_offsets_mapping=True)
        except (NotImplementedError, TypeError, ValueError) as exc:
            raise UnsupportedModelError(parameter="tokenizer", expected="a fast tokenizer with offset mappings",
                                        got=self.tokenizer) from exc
        return [(int(a), int(b)) for a, b in enc["offset_mapping"][0]]

    # ---- outputs ------------------------------------------------------------------------------------------
    def scores(self, input_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None,
               inputs_embeds: torch.Tensor | None = None) -> torch.Tensor:
        """Outputs (n, k) in ``output_space`` as a differentiable tensor (no ``torch.no_grad``).

        Give ``input_ids`` or ``inputs_embeds`` (n, T, d), the word embeddings the model adds positions to.
        The model is put in eval mode for the call.
        """
        if (input_ids is None) == (inputs_embeds is None):
            raise InvalidParameterError(parameter="input_ids", expected="exactly one of input_ids and inputs_embeds",
                                        got="both" if input_ids is not None else "neither")
        with self._eval():
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, inputs_embeds=inputs_embeds)
        return self._transform(out.logits)

    def predict(self, X: Any) -> np.ndarray:
        """Outputs for ``X`` (a string or a sequence of strings): (n, k) float64 in ``output_space``."""
        docs = check_texts(X, "X")
        parts = []
        for i in range(0, len(docs), self.batch_size):
            batch = self.encode(docs[i:i + self.batch_size])
            parts.append(self._no_grad_scores(batch["input_ids"], batch["attention_mask"]))
        return self._check_output(np.concatenate(parts), len(docs))

    def probabilities(self, texts: str | Sequence[str]) -> np.ndarray:
        """Softmax of the logits (n, k) float64, whatever ``output_space`` is."""
        torch = _torch()
        docs = check_texts(texts)
        parts = []
        for i in range(0, len(docs), self.batch_size):
            batch = self.encode(docs[i:i + self.batch_size])
            with torch.no_grad(), self._eval():
                out = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
            parts.append(torch.softmax(out.logits.double(), dim=-1).cpu().numpy())
        return np.concatenate(parts)

    def _predict(self, X: np.ndarray) -> Any:
        # The base class's path (a 2-D array): one text per row, in the first column.
        return self.predict([str(t) for t in np.asarray(X, dtype=object)[:, 0]])

    def predict_ids(self, input_ids: Any) -> np.ndarray:
        """Outputs (r, k) float64 for rows of token ids of one length T (no padding: every token attended)."""
        torch = _torch()
        ids = np.asarray(input_ids)
        if ids.ndim != 2 or ids.shape[1] == 0 or ids.dtype.kind not in "iu":
            raise InvalidDataError(parameter="input_ids", expected="a 2-D array of integer token ids", got=ids)
        parts = []
        for i in range(0, ids.shape[0], self.batch_size):
            chunk = torch.as_tensor(ids[i:i + self.batch_size], dtype=torch.long, device=self.device)
            parts.append(self._no_grad_scores(chunk, torch.ones_like(chunk)))
        return self._check_output(np.concatenate(parts), ids.shape[0])

    def attentions(self, text: str) -> np.ndarray:
        """Every layer's and head's attention for one text: (layers, heads, T, T) float64, rows summing to 1.

        The model must compute attention explicitly (Hugging Face: load with ``attn_implementation="eager"``).
        """
        torch = _torch()
        ids = torch.as_tensor([self.token_ids(text)], dtype=torch.long, device=self.device)
        with torch.no_grad(), self._eval():
            out = self.model(input_ids=ids, attention_mask=torch.ones_like(ids), output_attentions=True)
        found = getattr(out, "attentions", None)
        if not found or any(a is None for a in found):
            raise UnsupportedModelError(
                "The model returned no attention weights; load it with attn_implementation='eager' "
                "(fused attention kernels do not expose them).", parameter="model")
        return np.stack([a[0].detach().cpu().double().numpy() for a in found])

    def fingerprint(self) -> str:
        """Digest of the model class, its weights and the tokenizer's vocabulary."""
        # Hashing ~100 MB of weights costs ~0.2 s; the digest is kept until a parameter changes (torch bumps
        # a tensor's version counter on any in-place change, as the randomisation checks make).
        key = tuple((name, t.data_ptr(), t._version) for name, t in self.model.state_dict().items())
        if key != self._digest_key:
            h = hashlib.sha256(type(self.model).__qualname__.encode())
            for name, tensor in self.model.state_dict().items():
                h.update(name.encode())
                h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
            vocab: dict[str, int] = getattr(self.tokenizer, "get_vocab", dict)()
            h.update(repr(sorted(vocab.items())).encode())
            self._digest_key, self._digest = key, "sha256:" + h.hexdigest()
        return self._digest

    # ---- internals ----------------------------------------------------------------------------------------
    def _no_grad_scores(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> np.ndarray:
        torch = _torch()
        with torch.no_grad():
            out = self.scores(input_ids=input_ids, attention_mask=attention_mask)
        return np.asarray(out.detach().cpu().double().numpy())

    def _transform(self, logits: torch.Tensor) -> torch.Tensor:
        torch = _torch()
        if self.output_space == "raw":
            return logits
        if self.output_space == "probability":
            return torch.softmax(logits, dim=-1)
        # log p_k/(1 - p_k) = z_k - logsumexp_{j != k} z_j, stable where p_k is near 0 or 1
        k = logits.shape[-1]
        others = logits.unsqueeze(-2).expand(*logits.shape[:-1], k, k)
        eye = torch.eye(k, dtype=torch.bool, device=logits.device)
        return logits - torch.logsumexp(others.masked_fill(eye, float("-inf")), dim=-1)

    @contextmanager
    def _eval(self) -> Iterator[None]:
        was_training = self.model.training
        self.model.eval()
        try:
            yield
        finally:
            self.model.train(was_training)

    def _config(self, name: str) -> Any:
        value = getattr(getattr(self.model, "config", None), name, None)
        if value is None:
            raise UnsupportedModelError(parameter="model", expected=f"a model whose config has {name}",
                                        got=self.model)
        return value


def _output_names(model: Any, output_names: Sequence[str] | None) -> tuple[str, ...]:
    if output_names is not None:
        if isinstance(output_names, str) or len(output_names) == 0:
            raise InvalidParameterError(parameter="output_names", expected="a non-empty sequence of names",
                                        got=output_names)
        return tuple(str(n) for n in output_names)
    labels = getattr(getattr(model, "config", None), "id2label", None)
    if not labels:
        raise InvalidParameterError(parameter="output_names", expected="the names of the model's outputs (its "
                                    "config has no id2label)", got=None)
    return tuple(str(labels[i]) for i in sorted(labels))


def _token_id(tokenizer: Any, name: str) -> int:
    value = getattr(tokenizer, name, None)
    if value is None:
        raise UnsupportedModelError(parameter="tokenizer", expected=f"a tokenizer with a {name}", got=tokenizer)
    return int(value)
