"""An interactive dashboard: a local web page, fully offline, over a model and its data.

:class:`DashboardState` computes every view as a plain dict (the data overview, global importance, a row's
explanation, principal reasons and counterfactuals, what-if edits, the fairness audit); :class:`DashboardServer`
serves them and the page (standard library HTTP server, bundled assets, no network) on 127.0.0.1.
"""

from explicable.dashboard._server import DashboardServer
from explicable.dashboard._state import DashboardState

__all__ = ["DashboardServer", "DashboardState"]
