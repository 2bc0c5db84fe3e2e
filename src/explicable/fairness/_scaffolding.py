"""Scaffolding check: does the model decide on the protected attribute while its explanation says otherwise?

Slack et al. (2020) showed that a model can hide its use of a protected attribute from LIME and SHAP: an
out-of-distribution detector tells the explainer's perturbed rows from real ones, and the model uses the
attribute on real rows and an innocuous feature on perturbed ones. The explanations then give the
attribute almost nothing. The flip test asks the model on real rows (with only the attribute changed, which
keeps them looking real), so comparing the two exposes the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.explainers.base import Explainer
from explicable.fairness._flip import Decision, FlipResult, flip_test
from explicable.models.wrap import wrap

__all__ = ["ScaffoldingResult", "scaffolding_check"]


@dataclass(frozen=True, eq=False)
class ScaffoldingResult:
    """The flip test beside the attribute's share of the explanation, and the verdict.

    Attributes
    ----------
    warning : bool
        True when the flip rate is material but the attribute's attribution share is small.
    attribute : str
    flip : FlipResult
    attribution_share : float
        ``mean |attribution of attribute| / mean sum over features of |attribution|`` over the explained rows.
    attribute_rank : int
        Rank of the attribute by mean |attribution| (1 = largest).
    min_flip_rate, ratio : float
        The thresholds used (see :func:`scaffolding_check`).
    message : str
    """

    warning: bool
    attribute: str
    flip: FlipResult
    attribution_share: float
    attribute_rank: int
    min_flip_rate: float
    ratio: float
    message: str

    def to_frame(self) -> pd.DataFrame:
        """One row: the verdict and the numbers behind it."""
        return pd.DataFrame([{
            "attribute": self.attribute, "warning": self.warning, "flip_rate": self.flip.rate,
            "flip_lower": self.flip.lower, "flip_upper": self.flip.upper, "n": self.flip.n,
            "attribution_share": self.attribution_share, "attribute_rank": self.attribute_rank,
            "min_flip_rate": self.min_flip_rate, "ratio": self.ratio,
        }])

    def __str__(self) -> str:
        return self.message


def scaffolding_check(
    model: Any,
    X: Any,
    attribute: str,
    explanation: Explanation | Explainer,
    *,
    threshold: Decision = 0.5,
    output: int | str = -1,
    values: Any = None,
    min_flip_rate: float = 0.05,
    ratio: float = 0.25,
    confidence: float = 0.95,
) -> ScaffoldingResult:
    """Warn when the decisions depend on ``attribute`` more than its attributions admit.

    The warning fires when both hold:

    1. the flip rate is material: the lower end of its Wilson interval is at least ``min_flip_rate``
       (default 5%: at least one applicant in twenty would get another decision with only the protected
       attribute changed, and not by chance of the sample);
    2. the attribute's share of the attributions is under ``ratio`` times the flip rate (default 1/4).

    Why ``ratio * flip rate``: for a model whose score moves by ``d`` when a binary attribute (share ``p``)
    changes, its SHAP value has mean magnitude ``2 p (1 - p) d`` (about ``d / 2``), while the flip rate is
    about ``d`` times the density of scores at the threshold, i.e. about ``d`` over the scores' spread,
    which is of the order of the total attribution. So an honest explanation gives the attribute a share
    of the same order as its flip rate; a quarter leaves room for unbalanced groups and interactions, while
    a scaffolded model drives the share to about zero (Slack et al. report the attribute absent from the
    top features in most explanations). The test can misfire on a model whose scores crowd at the threshold
    (small pushes flip many decisions): read the warning as "look closer", the numbers are in the result.

    Parameters
    ----------
    model : model object or ModelAdapter
    X : DataFrame or array (n_rows, n_features)
        Real rows (the audit sample): the flip test runs on them.
    attribute : str
        The protected attribute's column (a model input).
    explanation : Explanation or fitted Explainer
        Attributions of (a sample of) the same rows; a fitted explainer is asked to explain ``X``.
    threshold, output, values
        The decision rule and the counterpart values, as in :func:`flip_test`.
    min_flip_rate : float, default 0.05
    ratio : float, default 0.25
    confidence : float, default 0.95
        Of the flip rate's interval.

    References
    ----------
    Slack, D., Hilgard, S., Jia, E., Singh, S., Lakkaraju, H. (2020). Fooling LIME and SHAP: Adversarial
    attacks on post hoc explanation methods. AIES '20.
    """
    for name, value in (("min_flip_rate", min_flip_rate), ("ratio", ratio)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise InvalidParameterError(parameter=name, expected="a number in [0, 1]", got=value)
    flip = flip_test(model, X, attribute, values=values, threshold=threshold, output=output, confidence=confidence)
    exp = explanation.explain(X) if isinstance(explanation, Explainer) else explanation
    if not isinstance(exp, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation or a fitted Explainer",
                                    got=explanation)
    if attribute not in exp.feature_names:
        raise InvalidParameterError(parameter="explanation", expected=f"attributions that include '{attribute}'",
                                    got=exp.feature_names)
    mass = np.abs(_one_output(exp, model, output)).mean(axis=0)
    j = exp.feature_names.index(attribute)
    total = float(mass.sum())
    share = float(mass[j] / total) if total > 0 else 0.0
    rank = int((mass > mass[j]).sum()) + 1
    warning = bool(flip.lower >= min_flip_rate and share < ratio * flip.rate)
    verdict = ("WARNING: the decisions depend on it more than the explanation shows (possible scaffolding: "
               "an explainer fooled by the model); do not rely on these attributions for this attribute"
               if warning else "consistent")
    message = (f"Scaffolding check on '{attribute}': {verdict}. Flip rate {flip.rate:.1%} "
               f"[{flip.lower:.1%}, {flip.upper:.1%}] over {flip.n} rows; attribution share {share:.1%} "
               f"(rank {rank} of {len(mass)}).")
    return ScaffoldingResult(warning, attribute, flip, share, rank, float(min_flip_rate), float(ratio), message)


def _one_output(exp: Explanation, model: Any, output: int | str) -> np.ndarray:
    """The explanation's values (n, m) for the output the decision is taken on."""
    if exp.shape[2] == 1:
        return exp.values[:, :, 0]
    names = wrap(model).output_names
    name = output if isinstance(output, str) else names[int(output)] if -len(names) <= int(output) < len(names) \
        else None
    if name not in exp.output_names:
        raise InvalidParameterError(parameter="output", expected=f"an output of the explanation "
                                    f"({list(exp.output_names)})", got=output)
    return exp.select(outputs=name).values[:, :, 0]
