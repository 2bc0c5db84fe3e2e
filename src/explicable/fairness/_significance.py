"""Is a difference between two groups' rates more than chance? Two-proportion z test and Fisher's exact test.

A four-fifths flag on a handful of applicants says little: the Uniform Guidelines (29 CFR 1607.4(D)) themselves
note that smaller differences may be significant in large samples and larger ones not in small samples. Each
flag therefore carries a two-sided p-value. The z test (pooled variance) is the usual large-sample test; when
any expected count of the 2x2 table (selected / not selected by group) is under 5 (Cochran's rule) its normal
approximation is poor and Fisher's exact test is used instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import fisher_exact, norm

from explicable.core.errors import InvalidParameterError
from explicable.core.validation import check_choice

__all__ = ["TESTS", "ProportionTest", "compare_proportions", "fisher_exact_test", "two_proportion_z"]

TESTS = ("auto", "z", "fisher")
_MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class ProportionTest:
    """The outcome of comparing two proportions ``x1 / n1`` and ``x2 / n2``.

    Attributes
    ----------
    test : {"z", "fisher"}
        The test used.
    statistic : float
        The z statistic (group 1 minus group 2, pooled standard error) or Fisher's sample odds ratio.
    p_value : float
        Two-sided; NaN when a group is empty or nobody / everybody was selected (nothing to test).
    """

    test: str
    statistic: float
    p_value: float


def _check_counts(x: int, n: int, name: str) -> None:
    if n < 0 or x < 0 or x > n:
        raise InvalidParameterError(parameter=name, expected="counts with 0 <= selected <= n", got=(x, n))


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> ProportionTest:
    """Two-sided two-proportion z test with pooled variance.

    Examples
    --------
    >>> r = two_proportion_z(60, 100, 30, 100)
    >>> round(r.statistic, 3), r.p_value < 1e-4
    (4.264, True)
    """
    _check_counts(x1, n1, "group 1")
    _check_counts(x2, n2, "group 2")
    if n1 == 0 or n2 == 0:
        return ProportionTest("z", math.nan, math.nan)
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return ProportionTest("z", math.nan, math.nan)
    z = (x1 / n1 - x2 / n2) / se
    return ProportionTest("z", z, float(2.0 * norm.sf(abs(z))))


def fisher_exact_test(x1: int, n1: int, x2: int, n2: int) -> ProportionTest:
    """Two-sided Fisher's exact test of the 2x2 table ``[[x1, n1 - x1], [x2, n2 - x2]]``.

    Examples
    --------
    >>> round(fisher_exact_test(3, 4, 0, 4).p_value, 4)
    0.1429
    """
    _check_counts(x1, n1, "group 1")
    _check_counts(x2, n2, "group 2")
    if n1 == 0 or n2 == 0:
        return ProportionTest("fisher", math.nan, math.nan)
    result = fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative="two-sided")
    return ProportionTest("fisher", float(result.statistic), float(result.pvalue))


def compare_proportions(x1: int, n1: int, x2: int, n2: int, *, test: str = "auto") -> ProportionTest:
    """Compare two proportions with the test named, or with ``"auto"``: Fisher when an expected count is < 5.

    Parameters
    ----------
    x1, n1, x2, n2 : int
        Selected and total counts of the two groups.
    test : {"auto", "z", "fisher"}, default "auto"
    """
    check_choice(test, "test", TESTS)
    if test == "auto":
        total = n1 + n2
        selected = x1 + x2
        expected = [n * share / total for n in (n1, n2) for share in (selected, total - selected)] if total else [0.0]
        test = "fisher" if min(expected) < _MIN_EXPECTED else "z"
    return fisher_exact_test(x1, n1, x2, n2) if test == "fisher" else two_proportion_z(x1, n1, x2, n2)
