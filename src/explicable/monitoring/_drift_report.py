"""The drift report: one self-contained HTML file (the audit report's template; figures inline as SVG)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from explicable._version import __version__
from explicable.monitoring.drift import DriftResult
from explicable.reporting._audit_data import Section
from explicable.reporting.report import _table_html

__all__ = ["drift_report", "write_drift_report"]

#: Features drawn in the figure (the most important in either window); the table has them all.
_FIGURE_FEATURES = 6


def _verdict(result: DriftResult) -> Section:
    section = Section("verdict", "Verdict")
    section.paragraphs.append(result.summary().splitlines()[0])
    limits = result.thresholds
    section.paragraphs.append(
        f"Thresholds: nDCG >= {limits['ndcg_min']}, attribution PSI <= {limits['psi_max']}, KS family-wise "
        f"level {limits['ks_alpha']} (Bonferroni over {len(result.per_feature)} features), change of mean |phi| "
        + ("not checked." if limits["mean_abs_change_max"] is None else f"<= {limits['mean_abs_change_max']:.0%}."))
    section.paragraphs += [f"ALERT: {a}" for a in result.alerts] or ["No threshold was breached."]
    section.paragraphs += result.notes
    return section


def _importance(result: DriftResult) -> Section:
    section = Section("importance", "Global importance: reference and current")
    frame = result.per_feature
    section.paragraphs.append(
        f"nDCG of the current ranking, graded by the reference's mean |phi|: {result.ndcg:.4f}"
        + ("" if result.top_k is None else f" (top {result.top_k} ranks)") + ". 1 means the same order.")
    cols = ["feature", "reference_rank", "current_rank", "reference_mean_abs", "current_mean_abs", "change",
            "change_ci_low", "change_ci_high", "rel_change"]
    section.tables.append(("Mean |phi| per feature, change with a 95% bootstrap interval",
                           frame.sort_values("reference_rank")[cols]))
    return section


def _distribution(result: DriftResult) -> Section:
    section = Section("distribution", "Attribution distributions")
    section.paragraphs.append("PSI on the reference's decile bins (> 0.2: a significant shift); two-sample KS "
                              "statistic and p-value; Wasserstein distance in attribution units.")
    cols = ["feature", "psi", "ks", "ks_p", "wasserstein", "alert"]
    section.tables.append(("Shift of each feature's attributions",
                           result.per_feature.sort_values("psi", ascending=False, kind="stable")[cols]))
    return section


def _inputs(result: DriftResult) -> Section:
    section = Section("inputs", "Input data drift (context)")
    frame = result.per_feature
    if frame["data_psi"].isna().all():
        section.paragraphs.append("Not computed: the rows' feature values were not given with the explanations.")
        return section
    section.paragraphs.append("Did the data move, or the model? Input PSI and KS per feature; not an alert.")
    section.tables.append(("Input drift per feature", frame[["feature", "data_psi", "data_ks", "data_ks_p"]]))
    return section


def _fairness(result: DriftResult) -> Section:
    section = Section("fairness", "Fairness-metric drift")
    fair = result.fairness
    if fair is None:
        section.paragraphs.append("Not computed: no sensitive attribute was given (--sensitive).")
        return section
    section.paragraphs.append(
        f"Lowest impact ratio (four-fifths rule): {fair.reference_ratio:.3f} in the reference window, "
        f"{fair.current_ratio:.3f} in the current one; change {fair.change:+.3f} (95% bootstrap interval "
        f"[{fair.ci_low:.3f}, {fair.ci_high:.3f}]).")
    section.paragraphs += [f"ALERT: {a}" for a in fair.alerts]
    section.tables += [("Reference window: selection rates by group", fair.reference),
                       ("Current window: selection rates by group", fair.current)]
    return section


def _figure(result: DriftResult) -> list[dict[str, str]]:
    """Mean |phi| of the most important features in both windows, with the current interval as a band."""
    try:
        from explicable.reporting import plots
    except ImportError:  # matplotlib is optional: tables only
        return []
    frame = result.per_feature
    ranks = np.minimum(frame["reference_rank"].to_numpy(), frame["current_rank"].to_numpy())
    best = pd.Series(ranks, index=frame.index)
    top = frame.loc[best.sort_values(kind="stable").index]
    top = top.head(_FIGURE_FEATURES)
    ref = top["reference_mean_abs"].to_numpy()
    values = pd.DataFrame([ref, top["current_mean_abs"].to_numpy()], index=["reference", "current"],
                          columns=list(top["feature"]))
    lower = np.vstack([ref, ref + top["change_ci_low"].to_numpy()])
    upper = np.vstack([ref, ref + top["change_ci_high"].to_numpy()])
    ax = plots.plot_drift(values, lower=lower, upper=upper, label="mean |phi|")
    text = plots.text_alternative(ax)
    svg = plots.to_svg(ax)
    import matplotlib.pyplot as plt

    plt.close(ax.get_figure())  # type: ignore[arg-type]
    return [{"svg": svg, "alt": f"{text.title}. {text.alt}"}]


def drift_report(result: DriftResult, *, title: str = "Attribution drift report") -> str:
    """The whole HTML document for ``result``: verdict, importance (with a figure), distributions, inputs."""
    from jinja2 import Environment

    sections = [_verdict(result), _importance(result), _distribution(result), _inputs(result), _fairness(result)]
    views: list[dict[str, Any]] = [
        {"id": s.id, "title": s.title, "paragraphs": s.paragraphs, "checks": [],
         "tables_html": [(c, _table_html(c, f)) for c, f in s.tables], "figures_html": []} for s in sections]
    views[1]["figures_html"] = _figure(result)
    template = files("explicable.reporting").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    page = Environment(autoescape=True, keep_trailing_newline=True).from_string(template)
    return page.render(title=title, sections=views, version=__version__, seed=result.random_state,
                       n_rows=result.n_reference + result.n_current)


def write_drift_report(result: DriftResult, path: str | Path, *, title: str = "Attribution drift report") -> Path:
    """Write :func:`drift_report` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(drift_report(result, title=title), encoding="utf-8")
    return out
