"""Model-agnostic Shapley explainers: exact, Kernel SHAP and permutation sampling over a coalition game."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.groups import group_data, normalize_groups
from explicable.core.random import make_rng
from explicable.core.validation import Table, check_int, check_random_state
from explicable.explainers.base import Attribution, Explainer
from explicable.explainers.shapley._background import summarise_background, warn_if_large
from explicable.explainers.shapley._estimate import Estimate
from explicable.explainers.shapley._exact import exact_shapley
from explicable.explainers.shapley._game import CoalitionGame
from explicable.explainers.shapley._kernel import kernel_shap
from explicable.explainers.shapley._permutation import permutation_shap
from explicable.explainers.shapley._plan import SIZE_WEIGHTS
from explicable.models.base import ModelAdapter

__all__ = ["DEFAULT_BUDGET", "ExactShap", "KernelShap", "PermutationShap"]

#: Coalition evaluations per explained row when no budget is given (exact below 13 players).
DEFAULT_BUDGET = 4096
#: Rows estimated together; bounds the estimators' per-row sums (about 70 KiB a row at 30 players).
BLOCK_ROWS = 256


class _GameExplainer(Explainer):
    """Shared settings and fitting of the game-based explainers.

    Parameters
    ----------
    model : model object or ModelAdapter
    budget : int, default 4096
        Hard cap on coalition evaluations per explained row (each costs one model call per background row).
    random_state : int, optional
        Seed; drawn and recorded when None.
    groups : mapping of str to list of str, optional
        Players made of several features (e.g. one-hot columns); other features are players of their own.
    background_size : int or None, default 100
        Summarise a larger background into this many weighted rows (k-means medoids); None keeps all.
    max_batch_rows : int, default 65536
        Most model rows per predict call.
    """

    def __init__(self, model: Any, *, budget: int | None = None, random_state: int | None = None,
                 groups: Mapping[str, Sequence[str]] | None = None, background_size: int | None = 100,
                 max_batch_rows: int = 65536) -> None:
        super().__init__(model)
        self.budget = DEFAULT_BUDGET if budget is None else check_int(budget, "budget", low=1)
        self.random_state = check_random_state(random_state)
        self.groups = groups
        self.background_size = None if background_size is None else check_int(background_size, "background_size",
                                                                                 low=1)
        self.max_batch_rows = check_int(max_batch_rows, "max_batch_rows", low=1)

    def get_params(self) -> dict[str, Any]:
        return {"budget": self.budget, "background_size": self.background_size,
                "background_rows": getattr(self, "background_rows_", None),
                "groups": {k: list(v) for k, v in self.groups.items()} if self.groups else None}

    def fit(self, background: Any = None) -> Self:
        if background is None:
            raise InvalidParameterError(
                f"The 'background' parameter is required for {self.method} Shapley values: absent features take "
                "the background's values (pass a sample of training rows).", parameter="background", got=None)
        table = self.model.check_data(background, name="background")
        _, self.seed_ = make_rng(self.random_state)
        self.background_, self.background_weights_ = summarise_background(table, self.background_size, self.seed_)
        self.background_rows_ = table.n_rows
        if self.background_size is None:
            warn_if_large(self.model, self.background_, self.budget)
        names = self.model.feature_names or table.columns
        self.players_ = normalize_groups(self.groups or {}, names)
        self.fingerprint_ = self.model.fingerprint()
        return self

    def _estimate(self, game: CoalitionGame, rng: np.random.Generator) -> Estimate:
        raise NotImplementedError

    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        # Rows are explained in blocks, each with the same seed and so the same coalitions: a row's result does
        # not depend on its block, and the estimators' per-row sums stay bounded in memory.
        parts = []
        for start in range(0, table.n_rows, BLOCK_ROWS):
            game = CoalitionGame(model, table.values[start:start + BLOCK_ROWS], self.background_,
                                 weights=self.background_weights_, players=[m for _, m in self.players_],
                                 max_batch_rows=self.max_batch_rows)
            parts.append(self._estimate(game, np.random.default_rng(self.seed_)))
        values = np.concatenate([e.values for e in parts])
        errors = [e.stderr for e in parts if e.stderr is not None]
        stderr = np.concatenate(errors) if errors else None
        names = tuple(name for name, _ in self.players_)
        data = table.values if len(names) == table.values.shape[1] else group_data(table.values, self.players_)
        return Attribution(values, np.concatenate([e.base_values for e in parts]), names, data, model.output_space,
                           stderr=stderr, budget_used=max(int(e.evaluations.max()) for e in parts))


class ExactShap(_GameExplainer):
    """Exact Shapley values of the interventional game: all ``2^p`` coalitions (``budget`` must cover them).

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import FunctionModel
    >>> model = FunctionModel(lambda X: X[:, 0] * X[:, 1], feature_names=["a", "b"])
    >>> exp = ExactShap(model).fit(np.zeros((1, 2))).explain(np.array([[1.0, 1.0]]))
    >>> exp.values[0, :, 0].tolist()
    [0.5, 0.5]
    """

    method = "exact"

    def _estimate(self, game: CoalitionGame, rng: np.random.Generator) -> Estimate:
        return exact_shapley(game, self.budget)


class KernelShap(_GameExplainer):
    """Kernel SHAP: stratified, paired, without-replacement sampling; exact efficiency; jackknife stderr.

    Parameters
    ----------
    tol : float, optional
        Stop a row early once ``max stderr / (max phi - min phi) < tol``.
    size_weights : {"leverage", "shapley"}, default "leverage"
        How the budget is shared between coalition sizes.
    **kwargs
        See :class:`_GameExplainer`.
    """

    method = "kernel"

    def __init__(self, model: Any, *, tol: float | None = None, size_weights: str = "leverage",
                 **kwargs: Any) -> None:
        super().__init__(model, **kwargs)
        self.tol = _check_tol(tol)
        if size_weights not in SIZE_WEIGHTS:
            raise InvalidParameterError(parameter="size_weights", expected=f"one of {SIZE_WEIGHTS}", got=size_weights)
        self.size_weights = size_weights

    def get_params(self) -> dict[str, Any]:
        return {**super().get_params(), "tol": self.tol, "size_weights": self.size_weights}

    def _estimate(self, game: CoalitionGame, rng: np.random.Generator) -> Estimate:
        return kernel_shap(game, self.budget, rng, tol=self.tol, size_weights=self.size_weights)


class PermutationShap(_GameExplainer):
    """Antithetic permutation sampling with stderr from the spread of pair averages.

    Parameters
    ----------
    tol : float, optional
        Early-stopping threshold as for :class:`KernelShap`.
    **kwargs
        See :class:`_GameExplainer`.
    """

    method = "permutation"

    def __init__(self, model: Any, *, tol: float | None = None, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)
        self.tol = _check_tol(tol)

    def get_params(self) -> dict[str, Any]:
        return {**super().get_params(), "tol": self.tol}

    def _estimate(self, game: CoalitionGame, rng: np.random.Generator) -> Estimate:
        return permutation_shap(game, self.budget, rng, tol=self.tol)


def _check_tol(tol: Any) -> float | None:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise InvalidParameterError(parameter="tol", expected="a float in (0, 1) or None", got=tol)
    return float(tol)
