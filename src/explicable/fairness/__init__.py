"""Fairness audit: group metrics with confidence intervals, regulatory tables, attributions by group, mitigation."""

# group metrics and regulatory tables: imports below this line

# attributions by group, flip test, proxies, scaffolding: imports below this line

__all__: list[str] = []
