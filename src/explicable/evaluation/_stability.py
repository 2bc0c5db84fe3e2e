"""Top-k stability: do the features an explanation ranks first stay the same across seeds and small noise?"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_int, check_number, check_random_state
from explicable.evaluation._common import ExplainerLike, call_explainer, default_k, jaccard, top_k_sets
from explicable.evaluation._noise import Rows
from explicable.evaluation._result import CheckResult
from explicable.explainers.base import Explainer

__all__ = ["stability"]


def stability(explainer: Explainer | Callable[[int], ExplainerLike], X: Any, *, seeds: int | Sequence[int] = 10,
              noise: float = 0.0, k: int | None = None, background: Any = None, output: Any = None,
              by: str = "abs", threshold: float = 0.9, random_state: int | None = None) -> CheckResult:
    """Share of rows whose top-k features are the same in every run, across seeds and under input noise.

    Run ``r`` explains X with seed ``seeds[r]``; with ``noise > 0`` every run but the first explains X plus
    Gaussian noise of ``noise`` standard deviations per column. A row is stable when its top-k set (by
    ``by``) is identical in all runs; ``details["mean_jaccard"]`` is the mean pairwise Jaccard index of the
    sets, a softer measure.

    Parameters
    ----------
    explainer : Explainer or callable
        A factory ``seed -> fitted Explainer or callable X -> Explanation``, or an Explainer, which is
        copied, given ``random_state=seed`` and fitted on ``background`` for each run.
    X : array (n, m), numeric DataFrame, or images (n, H, W, C)
    seeds : int or sequence of int, default 10
        The seeds, or how many to draw from ``random_state``. At least 2 runs.
    noise : float, default 0.0
        Gaussian input noise in units of each column's standard deviation over X (0: seeds only).
    k : int, optional
        Size of the compared sets; default 5, or one less than the number of features when fewer.
    background : array or DataFrame, optional
        Needed when ``explainer`` is an Explainer (its ``fit`` argument).
    output : str or int, optional
    by : {"abs", "value"}, default "abs"
        Rank features by magnitude or by signed value.
    threshold : float, default 0.9
        Pass when at least this share of rows is stable. Principal reasons that change when the same
        applicant is explained again cannot be given to them; 0.9 tolerates one row in ten whose k-th and
        (k+1)-th features are within sampling noise of each other (which :func:`top_k_stable` can flag).
    random_state : int, optional
        Seed of the drawn seeds and of the noise (drawn and recorded in ``details`` when None).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])
    >>> r = stability(lambda seed: (lambda Z: Z * np.array([1.0, 1.0, 1.0])), X, seeds=3, k=1, noise=0.01,
    ...               random_state=0)
    >>> r.value, r.passed
    (1.0, True)
    """
    threshold = check_number(threshold, "threshold")
    check_choice(by, "by", ("abs", "value"))
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < np.inf:
        raise InvalidParameterError(parameter="noise", expected="a finite number >= 0", got=noise)
    rng, seed = make_rng(random_state)
    run_seeds = _seeds(seeds, rng)
    rows = Rows(X) if noise > 0 else None
    runs = []
    for r, run_seed in enumerate(run_seeds):
        data = X if rows is None or r == 0 else rows.gaussian(rng, noise)
        runs.append(call_explainer(_for_seed(explainer, run_seed, background), data, output))
    m = runs[0].shape[1]
    size = default_k(k, m)
    sets = [top_k_sets(phi, size, by) for phi in runs]
    identical = np.all(np.stack([(s == sets[0]).all(axis=1) for s in sets]), axis=0)
    pairs = [jaccard(sets[a], sets[b], m) for a in range(len(sets)) for b in range(a + 1, len(sets))]
    mean_jaccard = np.mean(pairs, axis=0)
    per_row = identical.astype("float64")
    details = {"statistic": "share of rows with identical top-k sets", "k": size, "by": by, "noise": noise,
               "seeds": list(run_seeds), "random_state": seed, "mean_jaccard": float(mean_jaccard.mean()),
               "jaccard": mean_jaccard}
    return CheckResult("stability", float(per_row.mean()), threshold, True, per_row, details)


def _seeds(seeds: Any, rng: np.random.Generator) -> list[int]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        count = check_int(seeds, "seeds", low=2)
        return [int(s) for s in rng.integers(0, 2**31 - 1, size=count)]
    if isinstance(seeds, Sequence) and not isinstance(seeds, str) and len(seeds) >= 2:
        return [int(check_random_state(s, "seeds")) for s in seeds]  # type: ignore[arg-type]
    raise InvalidParameterError(parameter="seeds", expected="an int >= 2 or a sequence of at least 2 seeds",
                                got=seeds)


def _for_seed(explainer: Any, seed: int, background: Any) -> Any:
    if isinstance(explainer, Explainer):
        if background is None:
            raise InvalidParameterError(
                "The 'background' parameter is required when 'explainer' is an Explainer: each run refits a copy "
                "with its own seed.", parameter="background", got=None)
        clone = copy.copy(explainer)
        if hasattr(clone, "random_state"):
            clone.random_state = seed
        return clone.fit(background)
    if not callable(explainer):
        raise InvalidParameterError(parameter="explainer", expected="an Explainer or a factory seed -> explainer",
                                    got=explainer)
    made = explainer(seed)
    if not (isinstance(made, Explainer) or callable(made)):
        raise InvalidParameterError(parameter="explainer", expected="a factory returning a fitted Explainer or a "
                                    "callable X -> Explanation", got=made)
    return made
