"""An interactive dashboard: a local web page, fully offline, over a model and its data.

:class:`DashboardState` computes every view of a tabular model as a plain dict (the data overview, global
importance, a row's explanation, principal reasons and counterfactuals, what-if edits, the fairness audit);
:class:`DeepDashboardState` does the same for an image model (Grad-CAM, Integrated Gradients and SmoothGrad side
by side, localisation, TCAV) or a text model (token heat-text, attention heads and rollout, the attention
validation report); :class:`DashboardServer` serves either and its page (standard library HTTP server, bundled
assets, no network) on 127.0.0.1.
"""

from explicable.dashboard._deep import DeepDashboardState
from explicable.dashboard._server import DashboardServer
from explicable.dashboard._state import DashboardState

__all__ = ["DashboardServer", "DashboardState", "DeepDashboardState"]
