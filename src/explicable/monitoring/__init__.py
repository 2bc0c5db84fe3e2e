"""Monitoring: attribution drift between windows of explanations, policies and CI gates."""

from __future__ import annotations

from explicable.monitoring._checks import run_checks
from explicable.monitoring._drift_report import drift_report, write_drift_report
from explicable.monitoring._fairness_drift import FairnessDrift, fairness_drift
from explicable.monitoring._gate_result import CheckReport, GateCheck
from explicable.monitoring._mlflow import log_to_mlflow
from explicable.monitoring._windows import audit_windows, load_explanations, parse_window
from explicable.monitoring.drift import DriftResult, attribution_drift, combine_explanations
from explicable.monitoring.policy import DriftPolicy, FairnessPolicy, Policy, QualityPolicy, TopKPolicy, load_policy

__all__ = [
    "CheckReport",
    "DriftPolicy",
    "DriftResult",
    "FairnessDrift",
    "FairnessPolicy",
    "GateCheck",
    "Policy",
    "QualityPolicy",
    "TopKPolicy",
    "attribution_drift",
    "audit_windows",
    "combine_explanations",
    "drift_report",
    "fairness_drift",
    "load_explanations",
    "load_policy",
    "log_to_mlflow",
    "parse_window",
    "run_checks",
    "write_drift_report",
]
