"""The bias-audit tables of NYC Local Law 144 (automated employment decision tools), per the DCWP rules (6 RCNY
5-300, 5-301).

- Selection rate: the share of a category selected to move forward. Impact ratio: a category's selection rate
  over the highest category's.
- Scoring rate (tools that score rather than select): the share of a category that scores above the median
  score of the full sample. Impact ratio: a category's scoring rate over the highest category's.
- Rates and ratios by sex, by race/ethnicity and by their intersection (e.g. "Hispanic or Latino female").
- "An independent auditor may exclude a category that represents less than 2% of the data being used for the
  bias audit from the required calculations for impact ratio" -- and the audit must say so: such categories
  are kept in the table with their counts, marked ``excluded``, without a ratio, and are not candidates for
  the highest rate.
- The number of individuals in an unknown category is reported separately; they are in no rate or ratio.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.validation import check_choice, check_fraction
from explicable.fairness._group_inputs import INTERSECTION_SEP, as_binary, as_scores
from explicable.fairness._results import LL144Table

__all__ = ["ll144_table"]

_UNKNOWN = ("unknown", "Unknown", "UNKNOWN", "")


def _labels(values: Any, name: str, n: int, unknown: frozenset[str]) -> tuple[pd.Series, np.ndarray]:
    arr = pd.Series(np.asarray(values, dtype=object).reshape(-1) if not isinstance(values, pd.Series)
                    else values.to_numpy(dtype=object))
    if arr.shape[0] != n:
        raise InvalidDataError(parameter=name, expected=f"{n} values (one per row)", got=values)
    missing = arr.isna().to_numpy()
    labels = arr.astype(str).str.strip()
    return labels, missing | labels.isin(unknown).to_numpy()


def _outcome(outcome: Any, kind: str) -> tuple[str, np.ndarray, float | None]:
    values = np.asarray(outcome.to_numpy() if isinstance(outcome, pd.Series) else outcome).reshape(-1)
    if kind == "auto":
        binary = values.dtype == bool or (values.dtype.kind in "iuf" and np.isin(values, (0, 1)).all())
        kind = "selection" if binary else "scoring"
    if kind == "selection":
        return kind, as_binary(values, "outcome"), None
    scores = as_scores(values, "outcome", values.shape[0])
    median = float(np.median(scores))
    return kind, (scores > median).astype(np.int64), median


def _dimension_rows(dimension: str, labels: pd.Series, unknown: np.ndarray, positive: np.ndarray,
                    exclude_under: float) -> list[dict[str, Any]]:
    total = labels.shape[0]
    known = labels[~unknown]
    rows = []
    for category in sorted(known.unique()):
        mask = (labels == category).to_numpy() & ~unknown
        n = int(mask.sum())
        rows.append({"dimension": dimension, "category": category, "n": n, "n_positive": int(positive[mask].sum()),
                     "rate": positive[mask].mean(), "share": n / total, "excluded": n / total < exclude_under})
    included = [r["rate"] for r in rows if not r["excluded"]]
    highest = max(included) if included else math.nan
    for r in rows:
        r["impact_ratio"] = math.nan if r["excluded"] or not highest > 0 else r["rate"] / highest
    return rows


def _notes(kind: str, table: pd.DataFrame, unknown: dict[str, int], median: float | None,
           exclude_under: float) -> tuple[str, ...]:
    notes = [f"{kind.capitalize()} rates and impact ratios over {int(table.groupby('dimension')['n'].sum().max())} "
             "individuals of known category (NYC Local Law 144, 6 RCNY 5-301)."]
    if median is not None:
        notes.append(f"Scoring rate: the share of a category scoring above the full sample's median score "
                     f"({median:.6g}).")
    excluded = table[table["excluded"]]
    if exclude_under > 0:
        listed = ", ".join(f"{r.dimension}={r.category} ({r.share:.1%})" for r in excluded.itertuples()) or "none"
        notes.append(f"Categories under {exclude_under:.0%} of the data are excluded from the impact ratios: "
                     f"{listed}.")
    for dimension, count in unknown.items():
        if count:
            notes.append(f"{count} individual(s) of unknown {dimension} are not in the {dimension} rates or ratios.")
    return tuple(notes)


def ll144_table(outcome: Any, sex: Any = None, race: Any = None, *, kind: str = "auto",
                exclude_under: float | None = 0.02, unknown: Iterable[str] = _UNKNOWN) -> LL144Table:
    """The LL144 impact-ratio table by sex, race/ethnicity and their intersection.

    Parameters
    ----------
    outcome : array-like of shape (n,)
        1/True for selected (a selection table) or the tool's scores (a scoring table).
    sex, race : array-like of shape (n,), optional
        Each individual's category; at least one is needed. NaN and the ``unknown`` labels count as unknown.
    kind : {"auto", "selection", "scoring"}, default "auto"
        "auto": a selection table when ``outcome`` is 0/1 or bool, else a scoring table.
    exclude_under : float or None, default 0.02
        Categories with less than this share of all rows (unknowns included) are excluded from the impact
        ratios (and listed as such); 0 or None excludes none.
    unknown : iterable of str
        Labels meaning "unknown category" (default: "unknown" in any case, and the empty string).

    Returns
    -------
    LL144Table

    Examples
    --------
    >>> import numpy as np
    >>> sex = np.repeat(["female", "male"], 50)
    >>> selected = np.r_[np.ones(20), np.zeros(30), np.ones(40), np.zeros(10)]
    >>> ll144_table(selected, sex=sex).to_frame()[["category", "rate", "impact_ratio"]]
      category  rate  impact_ratio
    0   female   0.4           0.5
    1     male   0.8           1.0
    """
    check_choice(kind, "kind", ("auto", "selection", "scoring"))
    exclude_under = 0.0 if exclude_under is None or exclude_under == 0 else check_fraction(exclude_under,
                                                                                       "exclude_under")
    if sex is None and race is None:
        raise InvalidParameterError(parameter="sex, race", expected="at least one of them", got=None)
    kind, positive, median = _outcome(outcome, kind)
    n = positive.shape[0]
    unknown_set = frozenset(str(u) for u in unknown)
    dims = {name: _labels(v, name, n, unknown_set) for name, v in (("sex", sex), ("race", race)) if v is not None}
    if len(dims) == 2:
        (s, s_unknown), (r, r_unknown) = dims["sex"], dims["race"]
        dims["sex" + INTERSECTION_SEP + "race"] = (s + INTERSECTION_SEP + r, s_unknown | r_unknown)
    rows = []
    for dimension, (labels, is_unknown) in dims.items():
        rows += _dimension_rows(dimension, labels, is_unknown, positive, exclude_under)
    columns = ["dimension", "category", "n", "n_positive", "rate", "share", "impact_ratio", "excluded"]
    table = pd.DataFrame(rows, columns=columns)
    unknown_counts = {dimension: int(flags.sum()) for dimension, (_, flags) in dims.items()}
    return LL144Table(kind, table, unknown_counts, median, exclude_under,
                      _notes(kind, table, unknown_counts, median, exclude_under))
