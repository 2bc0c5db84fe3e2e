"""A small static HTML table for notebooks (no JavaScript): the top attributions of the first row."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from explicable.core.explanation import Explanation

__all__ = ["explanation_html"]


def _cell(value: object) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return html.escape(str(value))


def explanation_html(exp: Explanation, *, top: int = 10) -> str:
    """Render the first row's largest attributions for the first output as an HTML table."""
    n, m, k = exp.shape
    title = (
        f"<b>Explanation</b> &middot; {n} row(s) &times; {m} feature(s) &times; {k} output(s) &middot; "
        f"method {html.escape(exp.provenance.method)} &middot; {html.escape(exp.provenance.output_space)} space"
    )
    values = exp.values[0, :, 0]
    order = np.argsort(-np.abs(values), kind="stable")[:top]
    head = "<tr><th>feature</th><th>value</th><th>attribution</th>" + (
        "<th>&plusmn; stderr</th>" if exp.stderr is not None else "") + "</tr>"
    rows = []
    for j in order:
        data = _cell(exp.data[0, j]) if exp.data is not None else ""
        err = f"<td>{_cell(exp.stderr[0, j, 0])}</td>" if exp.stderr is not None else ""
        rows.append(f"<tr><td>{html.escape(exp.feature_names[j])}</td><td>{data}</td>"
                    f"<td>{_cell(values[j])}</td>{err}</tr>")
    foot = (f"<p>row 0, output {html.escape(exp.output_names[0])}: base {_cell(exp.base_values[0, 0])}"
            f" + sum of attributions = {_cell(exp.base_values[0, 0] + values.sum())}</p>")
    return f"<div><p>{title}</p><table>{head}{''.join(rows)}</table>{foot}</div>"
