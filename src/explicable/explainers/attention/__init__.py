"""Attention of transformers as explanations: extraction, rollout and flow (Abnar & Zuidema 2020). The report that
checks them against gradient and occlusion attributions on each input is
:func:`explicable.evaluation.attention_report`.

The array functions (:func:`attention_rollout`, :func:`attention_flow`, :func:`raw_attention`) need only numpy
and scipy; extraction and the explainer take a text classifier (``explicable[text]``).
"""

from explicable.explainers.attention._explainer import KINDS, AttentionExplainer, attention_scores
from explicable.explainers.attention._extract import AttentionMaps, extract_attention
from explicable.explainers.attention._flow import FLOW_SCALE, MAX_FLOW_EDGES, attention_flow
from explicable.explainers.attention._rollout import (
    HEAD_FUSIONS,
    attention_rollout,
    augmented_attention,
    fuse_heads,
    raw_attention,
)

__all__ = [
    "FLOW_SCALE",
    "HEAD_FUSIONS",
    "KINDS",
    "MAX_FLOW_EDGES",
    "AttentionExplainer",
    "AttentionMaps",
    "attention_flow",
    "attention_rollout",
    "attention_scores",
    "augmented_attention",
    "extract_attention",
    "fuse_heads",
    "raw_attention",
]
