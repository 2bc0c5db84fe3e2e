"""Checks of explanations themselves: is the ranking stable, faithful to the model, dependent on it, shared by
other methods? Each check returns a typed result with a pass/fail against a threshold the caller can set."""

from explicable.evaluation._agreement import agreement
from explicable.evaluation._attention_report import (
    ATTENTION_METHODS,
    FAITHFUL,
    METHOD_LABELS,
    MIN_AGREEMENT,
    REPORT_METHODS,
    AttentionReport,
    attention_report,
)
from explicable.evaluation._consensus import consensus
from explicable.evaluation._curves import deletion_curve, insertion_curve
from explicable.evaluation._faithfulness import faithfulness_correlation, infidelity
from explicable.evaluation._localisation import attribution_iou, pointing_game
from explicable.evaluation._randomization import randomization_check
from explicable.evaluation._randomize import randomize_model
from explicable.evaluation._result import CheckResult, ConsensusResult, CurveResult
from explicable.evaluation._sensitivity import max_sensitivity
from explicable.evaluation._stability import stability
from explicable.evaluation.ranking import TopKStability, top_k_stable

__all__ = [
    "ATTENTION_METHODS",
    "FAITHFUL",
    "METHOD_LABELS",
    "MIN_AGREEMENT",
    "REPORT_METHODS",
    "AttentionReport",
    "CheckResult",
    "ConsensusResult",
    "CurveResult",
    "TopKStability",
    "agreement",
    "attention_report",
    "attribution_iou",
    "consensus",
    "deletion_curve",
    "faithfulness_correlation",
    "infidelity",
    "insertion_curve",
    "max_sensitivity",
    "pointing_game",
    "randomization_check",
    "randomize_model",
    "stability",
    "top_k_stable",
]
