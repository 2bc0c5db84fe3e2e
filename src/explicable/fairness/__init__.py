"""Fairness audit: group metrics with confidence intervals, regulatory tables, attributions by group, mitigation."""

# group metrics and regulatory tables: imports below this line
from explicable.fairness._metrics import METRICS, group_metrics
from explicable.fairness._mitigation import mitigate
from explicable.fairness._mitigation_model import MitigatedModel
from explicable.fairness._results import FourFifths, GroupMetrics, LL144Table, MitigationResult
from explicable.fairness._tables_four_fifths import four_fifths
from explicable.fairness._tables_ll144 import ll144_table

# isort: split

# attributions by group, flip test, proxies, scaffolding: imports below this line
from explicable.fairness._attribution import GroupAttributions, attributions_by_group
from explicable.fairness._flip import FlipResult, flip_test
from explicable.fairness._proxy import ProxyResult, proxies
from explicable.fairness._scaffolding import ScaffoldingResult, scaffolding_check

# the audit against a policy (composes the above)
# isort: split
from explicable.fairness._audit import DEFAULT_POLICY, FairnessAudit, fairness_audit, load_policy

__all__: list[str] = ["DEFAULT_POLICY", "FairnessAudit", "fairness_audit", "load_policy"]
__all__ += ["METRICS", "FourFifths", "GroupMetrics", "LL144Table", "MitigatedModel", "MitigationResult",
            "four_fifths", "group_metrics", "ll144_table", "mitigate"]
__all__ += ["FlipResult", "GroupAttributions", "ProxyResult", "ScaffoldingResult", "attributions_by_group",
            "flip_test", "proxies", "scaffolding_check"]
