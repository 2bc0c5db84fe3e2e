"""Principal reasons for an adverse decision: the factors that pushed hardest toward it, in plain language.

US Regulation B (12 CFR 1002.9) asks a creditor to state the specific principal reasons for an adverse
action; CFPB Circular 2022-03 adds that they must be the factors actually scored, however complex the model.
So reasons here are the features with the largest positive attributions toward the adverse output, only
features the model scored (an exactly zero attribution is dropped), derived columns merged back into the
applicant's feature, and only when the ranking is statistically stable: an applicant explained again must
get the same reasons.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_choice, check_int
from explicable.evaluation.ranking import top_k_stable
from explicable.reasons._errors import UnstableRankingError
from explicable.reasons._grouping import merge_groups
from explicable.reasons._mapping import ReasonCodes, default_statement, load_reason_codes

__all__ = ["Reason", "ReasonList", "reasons"]


@dataclass(frozen=True)
class Reason:
    """One principal reason.

    Attributes
    ----------
    row : int
        Position of the row in the explanation.
    rank : int
        1 for the factor that pushed hardest toward the adverse outcome.
    feature : str
    value : object
        The applicant's value (the set category for a one-hot group; None without data).
    contribution : float
        Its push toward the adverse outcome (the attribution, sign-adjusted; always > 0).
    stderr : float or None
    code : str or None
        The lender's reason code, when the mapping gives one.
    statement : str
    """

    row: int
    rank: int
    feature: str
    value: Any
    contribution: float
    stderr: float | None
    code: str | None
    statement: str


@dataclass(frozen=True, eq=False)
class ReasonList:
    """Principal reasons for one or more rows.

    Attributes
    ----------
    reasons : tuple of Reason
        Row by row, strongest first.
    rows : tuple of int
        The rows covered (a row may have fewer than ``k`` reasons, or none, when few factors push toward
        the adverse outcome).
    stable : tuple of bool
        Per row of ``rows``: whether its top-k ranking is stable at ``confidence``.
    output : str
        The adverse output.
    toward : {"higher", "lower"}
    k : int
    confidence : float
    random_state : int or None
        The explanation's seed (the same applicant and seed give the same reasons).
    """

    reasons: tuple[Reason, ...]
    rows: tuple[int, ...]
    stable: tuple[bool, ...]
    output: str
    toward: str
    k: int
    confidence: float
    random_state: int | None

    def for_row(self, row: int) -> tuple[Reason, ...]:
        """The reasons of one row, strongest first."""
        if row not in self.rows:
            raise InvalidParameterError(parameter="row", expected=f"one of the rows {list(self.rows)[:12]}", got=row)
        return tuple(r for r in self.reasons if r.row == row)

    def __iter__(self) -> Iterator[Reason]:
        return iter(self.reasons)

    def __len__(self) -> int:
        return len(self.reasons)

    def to_frame(self) -> pd.DataFrame:
        """Columns row, rank, feature, value, contribution, stderr, code, statement."""
        columns = ["row", "rank", "feature", "value", "contribution", "stderr", "code", "statement"]
        return pd.DataFrame([[getattr(r, c) for c in columns] for r in self.reasons], columns=columns)

    def __str__(self) -> str:
        lines = []
        for row, stable in zip(self.rows, self.stable, strict=True):
            flag = "" if stable else f" (NOT stable at {self.confidence:.0%})"
            lines.append(f"Principal reasons for row {row} ({self.output} {self.toward}){flag}:")
            found = self.for_row(row)
            lines += [f"  {r.rank}. {f'[{r.code}] ' if r.code else ''}{r.statement}" for r in found]
            if not found:
                lines.append("  (no factor pushed toward the adverse outcome)")
        return "\n".join(lines)


def reasons(
    explanation: Explanation,
    k: int = 4,
    mapping: Mapping[str, Any] | ReasonCodes | str | None = None,
    *,
    adverse_output: int | str | None = None,
    toward: str = "higher",
    confidence: float = 0.95,
    require_stable: bool = True,
    row: int | Sequence[int] | None = None,
    groups: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
) -> ReasonList:
    """The ``k`` factors that pushed each row hardest toward the adverse outcome, in plain language.

    Parameters
    ----------
    explanation : Explanation
        Attributions of the decisions (ideally in the output the decision is taken on).
    k : int, default 4
        Most reasons per row (Regulation B's commentary: usually no more than four).
    mapping : mapping, ReasonCodes, or path to a .json / .csv file, optional
        The lender's reason codes (see :func:`load_reason_codes`); features it lacks get the default
        statement ``"<Readable name>: <value>"``.
    adverse_output : int or str, optional
        The output whose increase (``toward="higher"``) is adverse, e.g. ``"bad"``; needed when the
        explanation has several outputs.
    toward : {"higher", "lower"}, default "higher"
        "lower" when the output is a score whose decrease is adverse (e.g. P(approve)).
    confidence : float, default 0.95
        Of the stability test (:func:`explicable.top_k_stable`; exact explanations, with no stderr, pass).
    require_stable : bool, default True
        Raise :class:`UnstableRankingError` for an unstable row; when False, such rows are flagged in
        ``ReasonList.stable`` instead.
    row : int or list of int, optional
        Only these rows of the explanation.
    groups : mapping or list of str, optional
        Derived columns to merge: group -> members, or the original column names (one-hot columns named
        ``column_category``, with or without a ``transformer__`` prefix, are merged into ``column``).

    Returns
    -------
    ReasonList

    Raises
    ------
    UnstableRankingError
        When ``require_stable`` and a row's top-k is within the attributions' error.

    Examples
    --------
    >>> exp = Explanation(np.array([[[0.5], [-0.2], [0.0], [0.9]]]), np.zeros((1, 1)),
    ...                   ["income", "age", "sex", "duration"], ["bad"], data=np.array([[1200.0, 35, 1, 48]]))
    >>> print(reasons(exp, k=4, mapping={"duration": ("R07", "Loan term too long ({value} months)")}))
    Principal reasons for row 0 (bad higher):
      1. [R07] Loan term too long (48 months)
      2. Income: 1200
    """
    if not isinstance(explanation, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation", got=explanation)
    k = check_int(k, "k", low=1)
    check_choice(toward, "toward", ("higher", "lower"))
    if isinstance(confidence, bool) or not isinstance(confidence, float) or not 0 < confidence < 1:
        raise InvalidParameterError(parameter="confidence", expected="a float in (0, 1)", got=confidence)
    codes = None if mapping is None else load_reason_codes(mapping)
    output = _adverse_output(explanation, adverse_output)
    rows = _rows(row, len(explanation))
    exp = merge_groups(explanation.select(rows=list(rows), outputs=output), groups)
    sign = 1.0 if toward == "higher" else -1.0
    push = sign * exp.values[:, :, 0]
    chosen = [_top(push[i], k) for i in range(len(rows))]
    stable = _stability(exp, push, chosen, confidence)
    unstable = [i for i, ok in enumerate(stable) if not ok[0]]
    if require_stable and unstable:
        _raise_unstable(rows, unstable, stable, k, confidence)
    found = [_reason(exp, rows[i], i, rank, j, push[i, j], codes)
             for i, picks in enumerate(chosen) for rank, j in enumerate(picks, start=1)]
    return ReasonList(tuple(found), rows, tuple(s[0] for s in stable), output, toward, k, confidence,
                      explanation.provenance.random_state)


def _adverse_output(explanation: Explanation, adverse_output: int | str | None) -> str:
    names = explanation.output_names
    if adverse_output is None:
        if len(names) == 1:
            return names[0]
        raise InvalidParameterError(parameter="adverse_output", expected=f"the adverse output, one of {list(names)} "
                                    "(the explanation has several)", got=None)
    if isinstance(adverse_output, str) and adverse_output in names:
        return adverse_output
    if isinstance(adverse_output, (int, np.integer)) and not isinstance(adverse_output, bool) \
            and -len(names) <= adverse_output < len(names):
        return names[int(adverse_output)]
    raise InvalidParameterError(parameter="adverse_output", expected=f"an output name or index of {list(names)}",
                                got=adverse_output)


def _rows(row: int | Sequence[int] | None, n: int) -> tuple[int, ...]:
    if row is None:
        return tuple(range(n))
    picks = [row] if isinstance(row, (int, np.integer)) and not isinstance(row, bool) else row
    if not isinstance(picks, (list, tuple, np.ndarray)) or len(picks) == 0:
        raise InvalidParameterError(parameter="row", expected="an int or a non-empty list of ints", got=row)
    return tuple(check_int(r, "row", low=0, high=n - 1) for r in picks)


def _top(push: np.ndarray, k: int) -> list[int]:
    """Features with a positive push, largest first (ties in feature order), at most ``k``."""
    order = np.argsort(-push, kind="stable")
    return [int(j) for j in order if push[j] > 0][:k]


def _stability(exp: Explanation, push: np.ndarray, chosen: list[list[int]], confidence: float
               ) -> list[tuple[bool, float, float]]:
    """Per row: (stable, min z, threshold) of its chosen ranking; exact explanations are stable."""
    out: list[tuple[bool, float, float]] = []
    for i, picks in enumerate(chosen):
        if exp.stderr is None or not picks:
            out.append((True, float("inf"), float("nan")))
            continue
        oriented = Explanation(push[i][None, :, None], np.zeros((1, 1)), exp.feature_names, ("push",),
                               stderr=exp.stderr[i:i + 1])
        result = top_k_stable(oriented, k=len(picks), confidence=confidence)
        out.append((bool(result.stable[0]), float(result.min_z[0]), float(result.threshold)))
    return out


def _raise_unstable(rows: tuple[int, ...], unstable: list[int], stable: list[tuple[bool, float, float]], k: int,
                    confidence: float) -> None:
    bad = tuple(rows[i] for i in unstable)
    zs = tuple(stable[i][1] for i in unstable)
    threshold = stable[unstable[0]][2]
    shown = ", ".join(str(r) for r in bad[:10]) + (" ..." if len(bad) > 10 else "")
    raise UnstableRankingError(
        f"The top-{k} reasons of row(s) {shown} are not stable at {confidence:.0%} confidence: adjacent factors "
        f"are separated by {min(zs):.2f} standard errors, and {threshold:.2f} are needed. Explain again with a "
        "larger budget or an exact method, ask for fewer reasons (k), or pass require_stable=False to get them "
        "flagged as unstable.", parameter="explanation", rows=bad, min_z=zs, threshold=threshold)


def _reason(exp: Explanation, row: int, i: int, rank: int, j: int, push: float, codes: ReasonCodes | None
            ) -> Reason:
    feature = exp.feature_names[j]
    value = None if exp.data is None else exp.data[i, j]
    value = value.item() if isinstance(value, np.generic) else value
    entry = None if codes is None else codes.get(feature)
    statement = entry.statement(feature, value) if entry is not None else default_statement(feature, value)
    stderr = None if exp.stderr is None else float(exp.stderr[i, j, 0])
    return Reason(row, rank, feature, value, float(push), stderr, None if entry is None else entry.code, statement)
