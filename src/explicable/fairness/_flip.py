"""The flip test: change only the protected attribute of each row and count the decisions that change.

It asks the model directly, with no explainer in between, whether the protected attribute decides outcomes:
a direct test of disparate treatment that an explainer fooled by the model (see ``scaffolding_check``)
cannot hide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from explicable.core.errors import InvalidDataError, InvalidParameterError, ModelOutputError
from explicable.core.random import make_rng
from explicable.core.validation import Table, check_fraction, check_int
from explicable.fairness._protected import label, wilson_interval
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap

__all__ = ["FlipResult", "Decision", "flip_test"]

#: A decision rule: a threshold on one output, or a function of the predictions (n, k) -> decisions (n,).
Decision = float | Callable[[np.ndarray], Any]
#: Most rows per model call.
BATCH_ROWS = 65536


@dataclass(frozen=True, eq=False)
class FlipResult:
    """How often the decision changes when only the protected attribute does.

    Attributes
    ----------
    attribute : str
    rate : float
        Share of rows whose decision changes for at least one other value of the attribute.
    lower, upper : float
        Wilson interval of ``rate`` at ``confidence``.
    n, flips : int
        Rows tested, rows whose decision changed.
    table : DataFrame
        Per original value (``from``) and counterpart (``to``; ``"any"`` for at least one): ``n``, ``flips``,
        ``rate``, ``lower``, ``upper``; the last row (``from`` = ``to`` = ``"all"``) is the overall rate.
    flipped : bool array (n,)
        Which tested rows flipped.
    rows : int array (n,)
        Positions of the tested rows in ``X``.
    mean_shift : float
        Mean over tested rows of the largest change of the decision output (the thresholded output, or the
        first output for a decision function): how far the attribute moves the score even without a flip.
    confidence : float
    random_state : int or None
        Seed of the row subsample (None when every row was tested).
    """

    attribute: str
    rate: float
    lower: float
    upper: float
    n: int
    flips: int
    table: pd.DataFrame
    flipped: np.ndarray
    rows: np.ndarray
    mean_shift: float
    confidence: float
    random_state: int | None

    def to_frame(self) -> pd.DataFrame:
        """The per-group table (a copy)."""
        return self.table.copy()

    def __str__(self) -> str:
        return (f"Flip test on '{self.attribute}': {self.flips} of {self.n} decisions change "
                f"({self.rate:.1%}, {self.confidence:.0%} CI [{self.lower:.1%}, {self.upper:.1%}]) when only "
                f"'{self.attribute}' changes; mean output shift {self.mean_shift:.3g}.")


def flip_test(
    model: Any,
    X: Any,
    attribute: str,
    *,
    values: Sequence[Any] | Mapping[Any, Any] | None = None,
    threshold: Decision = 0.5,
    output: int | str = -1,
    confidence: float = 0.95,
    max_rows: int | None = None,
    random_state: int | None = None,
) -> FlipResult:
    """Share of decisions that flip when only ``attribute`` changes, with a Wilson CI, overall and per group.

    Parameters
    ----------
    model : model object or ModelAdapter
    X : DataFrame or array (n_rows, n_features)
        Rows as the model takes them; ``attribute`` must be one of the model's columns.
    attribute : str
        The protected attribute's column.
    values : sequence or mapping, optional
        A sequence: each row is set to every other value in it. A mapping: each value to its counterpart
        (or list of counterparts), e.g. ``{"male : single": "female : single"}`` for an attribute mixed with
        another one; rows with an unmapped value are not tested. Default: the values seen in ``X``.
    threshold : float or callable, default 0.5
        The decision: ``predict(X)[:, output] >= threshold``, or a function of the predictions (n, k)
        returning one decision per row.
    output : int or str, default -1
        The output thresholded (default the last: the positive class of a binary classifier).
    confidence : float, default 0.95
    max_rows : int, optional
        Test a random subsample of this many rows.
    random_state : int, optional
        Seed of the subsample.

    Examples
    --------
    >>> from explicable import FunctionModel
    >>> model = FunctionModel(lambda A: A[:, 0] + A[:, 1], feature_names=["sex", "x"])
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.8], [1.0, 0.8]])
    >>> flip_test(model, X, "sex").flips
    2
    """
    adapter = wrap(model)
    table, fitted = _checked_data(adapter, X)
    j = _column(attribute, table)
    level = check_fraction(confidence, "confidence")
    out = _output_index(output, adapter)
    rows, seed = _rows(table.n_rows, max_rows, random_state)
    data = table.values[rows]
    pairs = _pairs(data[:, j], values)
    if not pairs:
        raise InvalidDataError(parameter="values", expected="at least one row with a different value to set",
                               got=values)
    base = fitted.predict(data)
    decided = _decide(base, threshold, out)
    changed, shift = _changes(fitted, data, j, pairs, threshold, out, decided, base)
    flipped = np.zeros(rows.size, dtype=bool)
    tested = np.zeros(rows.size, dtype=bool)
    for mask, flips in changed:
        flipped[mask] |= flips
        tested |= mask
    table_ = _table(data[:, j], pairs, changed, flipped, tested, level)
    n, k = int(tested.sum()), int(flipped[tested].sum())
    lower, upper = wilson_interval(k, n, float(norm.ppf(0.5 + level / 2)))
    return FlipResult(str(table.columns[j]), k / n, float(lower), float(upper), n, k, table_, flipped[tested],
                      rows[tested], float(shift[tested].mean()), level, seed)


def _checked_data(adapter: ModelAdapter, X: Any) -> tuple[Table, ModelAdapter]:
    table = adapter.check_data(X)
    fitted = adapter
    if adapter.schema is None and isinstance(X, pd.DataFrame):
        fitted = adapter.with_schema(table.schema)
    return table, fitted


def _column(attribute: Any, table: Table) -> int:
    if not isinstance(attribute, str) or attribute not in table.columns:
        shown = ", ".join(table.columns[:12])
        raise InvalidParameterError(parameter="attribute", expected=f"a column the model takes ({shown})",
                                    got=attribute)
    return table.columns.index(attribute)


def _output_index(output: int | str, adapter: ModelAdapter) -> int:
    names = adapter.output_names
    if isinstance(output, str) and output in names:
        return names.index(output)
    if isinstance(output, (int, np.integer)) and not isinstance(output, bool) and -len(names) <= output < len(names):
        return int(output) % len(names)
    raise InvalidParameterError(parameter="output", expected=f"an output name or index of {list(names)}", got=output)


def _rows(n: int, max_rows: int | None, random_state: int | None) -> tuple[np.ndarray, int | None]:
    if max_rows is None or check_int(max_rows, "max_rows", low=1) >= n:
        return np.arange(n), None
    rng, seed = make_rng(random_state)
    return np.sort(rng.choice(n, size=max_rows, replace=False)), seed


def _same(column: np.ndarray, value: Any) -> np.ndarray:
    return np.array([c == value for c in column], dtype=bool)


def _pairs(column: np.ndarray, values: Sequence[Any] | Mapping[Any, Any] | None) -> list[tuple[Any, Any]]:
    """(original value, counterpart) pairs to test, in a fixed order."""
    if values is None:
        present = pd.unique(pd.Series(column).dropna())
        values = sorted(present.tolist(), key=str)
    if isinstance(values, Mapping):
        pairs = []
        for source, targets in values.items():
            for target in (targets if isinstance(targets, (list, tuple)) else [targets]):
                pairs.append((source, target))
    elif isinstance(values, (Sequence, np.ndarray)) and not isinstance(values, str):
        pairs = [(a, b) for a in values for b in values if a != b]
    else:
        raise InvalidParameterError(parameter="values", expected="a sequence of values or a mapping of value to "
                                    "counterpart", got=values)
    return [(a, b) for a, b in pairs if _same(column, a).any()]


def _decide(pred: np.ndarray, threshold: Decision, out: int) -> np.ndarray:
    if callable(threshold):
        decided = np.asarray(threshold(pred))
        if decided.shape != (pred.shape[0],):
            raise ModelOutputError(parameter="threshold", expected=f"a decision function returning "
                                   f"{pred.shape[0]} decisions", got=decided)
        return decided
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not np.isfinite(threshold):
        raise InvalidParameterError(parameter="threshold", expected="a finite number or a decision function",
                                    got=threshold)
    return pred[:, out] >= threshold


def _changes(model: ModelAdapter, data: np.ndarray, j: int, pairs: list[tuple[Any, Any]], threshold: Decision,
             out: int, decided: np.ndarray, base: np.ndarray) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Per pair: (rows with the original value, whether each flipped); and each row's largest output shift."""
    masks = [_same(data[:, j], source) for source, _ in pairs]
    edited = []
    for (_, target), mask in zip(pairs, masks, strict=True):
        block = data[mask].copy()
        block[:, j] = target
        edited.append(block)
    stacked = np.concatenate(edited)
    # Every counterfactual row goes through the model in a few large calls, not one call per pair.
    pred = np.concatenate([model.predict(stacked[s:s + BATCH_ROWS]) for s in range(0, len(stacked), BATCH_ROWS)])
    shift = np.zeros(data.shape[0])
    col = out if not callable(threshold) else 0
    results, start = [], 0
    for mask in masks:
        part = pred[start:start + int(mask.sum())]
        start += part.shape[0]
        results.append((mask, _decide(part, threshold, out) != decided[mask]))
        shift[mask] = np.maximum(shift[mask], np.abs(part[:, col] - base[mask, col]))
    return results, shift


def _table(column: np.ndarray, pairs: list[tuple[Any, Any]], changed: list[tuple[np.ndarray, np.ndarray]],
           flipped: np.ndarray, tested: np.ndarray, level: float) -> pd.DataFrame:
    records = []
    for (source, target), (mask, flips) in zip(pairs, changed, strict=True):
        records.append((label(source), label(target), int(mask.sum()), int(flips.sum())))
    for source in dict.fromkeys(source for source, _ in pairs):
        mask = _same(column, source)
        records.append((label(source), "any", int(mask.sum()), int(flipped[mask].sum())))
    records.append(("all", "all", int(tested.sum()), int(flipped[tested].sum())))
    frame = pd.DataFrame(records, columns=["from", "to", "n", "flips"])
    frame["rate"] = frame["flips"] / frame["n"]
    lower, upper = wilson_interval(frame["flips"].to_numpy(), frame["n"].to_numpy(), float(norm.ppf(0.5 + level / 2)))
    frame["lower"], frame["upper"] = lower, upper
    return frame
