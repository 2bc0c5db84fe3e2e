"""``Counterfactuals``: what would have to change for the model to decide otherwise, for any model adapter."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from typing import Any, Self

import numpy as np

from explicable._version import __version__
from explicable.core.errors import InvalidParameterError, NotFittedError
from explicable.core.fingerprint import digest_array
from explicable.core.provenance import Provenance
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_int, check_random_state
from explicable.explainers.counterfactual._constraints import Constraints, FeatureSpace, build_space, changed_mask
from explicable.explainers.counterfactual._metrics import Plausibility, mean_pairwise, proximity, sparsity
from explicable.explainers.counterfactual._oracle import Oracle
from explicable.explainers.counterfactual._refine import select, shortlist, sparsify, tighten
from explicable.explainers.counterfactual._result import CounterfactualResult, CounterfactualSet
from explicable.explainers.counterfactual._search import SearchSettings, candidates, grids_of
from explicable.explainers.counterfactual._target import resolve_target
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap

__all__ = ["Counterfactuals"]


class Counterfactuals:
    """Diverse, sparse counterfactual explanations under constraints, for any model.

    The search is model-agnostic and batched: every single-feature change (values from each feature's grid
    of data values), then random rows changing 2, 3, ... features; valid rows are sparsified (changes the
    outcome does not need are reverted), their numeric changes tightened toward the query by binary search,
    and ``k`` diverse ones picked by a greedy max-min rule. Every returned row was checked on the model.

    Parameters
    ----------
    model : model object or ModelAdapter
        Anything :func:`explicable.wrap` takes.
    desired : "opposite", class name or position, or (low, high), default "opposite"
        The outcome sought: any class but the query's own, a given class (argmax of the outputs; a
        one-column classifier thresholds its score at 0.5, or 0 for log-odds), or a range of one output.
    output : str or int, optional
        The output a ``(low, high)`` range applies to (needed when the model has several).
    k : int, default 3
        Counterfactuals per query.
    immutable : sequence of str, default ()
        Features never changed (age, sex, ...).
    monotone : mapping of str to {"increase", "decrease"}, optional
        Features that may only rise or only fall (numeric or ordered categorical).
    ranges : mapping of str to (low, high), optional
        Values a numeric feature may take when changed (either end None: the data's). Default: the data's range.
    allowed : mapping of str to sequence, optional
        Values (levels) a feature may take when changed.
    costs : mapping of str to float, optional
        Weights of the features' distances in the objective (default 1): a costly feature is changed less.
    diversity : float, default 0.5
        Trade-off of cost against distance to the counterfactuals already chosen (0: the k cheapest).
    max_changes : int, optional
        Most features one counterfactual may change (default: all).
    n_samples : int, default 1000
        Random rows per query for each number of changed features tried.
    scale : {"mad", "std"}, default "mad"
        Divisor of numeric changes in the normalised L1 distance (the other when it is 0).
    max_grid : int, default 64
        Most candidate values of a numeric feature (the data's quantiles beyond that).
    batch_rows : int, default 20000
        Most rows per model call.
    random_state : int, optional
        Seed; drawn and recorded when None. A query's counterfactuals depend only on the seed and the query.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import FunctionModel
    >>> X = np.random.default_rng(0).uniform(0, 10, size=(200, 2))
    >>> model = FunctionModel(lambda X: (X[:, 0] + X[:, 1] > 10).astype(float), feature_names=["income", "age"],
    ...                       output_space="probability", output_names=["approved"])
    >>> cf = Counterfactuals(model, immutable=["age"], k=1, random_state=0).fit(X)
    >>> result = cf.explain(np.array([[2.0, 5.0]]))[0]
    >>> bool(result.valid.all()), result.counterfactuals["age"].tolist()
    (True, [5.0])

    References
    ----------
    Wachter, Mittelstadt & Russell (2018), Counterfactual explanations without opening the black box.
    Mothilal, Sharma & Tan (2020), Explaining ML classifiers through diverse counterfactual explanations (DiCE).
    """

    method = "counterfactual"

    def __init__(self, model: Any, *, desired: Any = "opposite", output: Any = None, k: int = 3,
                 immutable: Iterable[str] = (), monotone: Mapping[str, str] | None = None,
                 ranges: Mapping[str, Any] | None = None, allowed: Mapping[str, Iterable[Any]] | None = None,
                 costs: Mapping[str, float] | None = None, diversity: float = 0.5, max_changes: int | None = None,
                 n_samples: int = 1000, scale: str = "mad", max_grid: int = 64, batch_rows: int = 20000,
                 random_state: int | None = None) -> None:
        self.model = wrap(model)
        self.target = resolve_target(desired, output, self.model.output_names, self.model.output_space)
        self.desired, self.output = desired, output
        self.k = check_int(k, "k", low=1)
        if isinstance(immutable, str) or not all(isinstance(f, str) for f in immutable):
            raise InvalidParameterError(parameter="immutable", expected="a sequence of feature names", got=immutable)
        self.constraints = Constraints(tuple(immutable), monotone, ranges, allowed, costs)
        self.diversity = _non_negative(diversity, "diversity")
        self.max_changes = None if max_changes is None else check_int(max_changes, "max_changes", low=1)
        self.n_samples = check_int(n_samples, "n_samples", low=1)
        self.scale = check_choice(scale, "scale", ("mad", "std"))
        self.max_grid = check_int(max_grid, "max_grid", low=2)
        self.batch_rows = check_int(batch_rows, "batch_rows", low=1)
        self.random_state = check_random_state(random_state)
        if self.model.feature_names is not None:
            self.constraints.check(self.model.feature_names)

    def get_params(self) -> dict[str, Any]:
        """The settings, JSON-ready, as recorded in provenance."""
        c = self.constraints
        return {"desired": list(self.desired) if isinstance(self.desired, tuple) else self.desired,
                "output": self.output, "k": self.k, "immutable": list(c.immutable),
                "monotone": dict(c.monotone or {}), "ranges": {f: list(r) for f, r in (c.ranges or {}).items()},
                "allowed": {f: [_plain(v) for v in vs] for f, vs in (c.allowed or {}).items()},
                "costs": dict(c.costs or {}), "diversity": self.diversity, "max_changes": self.max_changes,
                "n_samples": self.n_samples, "scale": self.scale, "max_grid": self.max_grid}

    def fit(self, data: Any) -> Self:
        """Learn feature scales, levels, grids, default ranges and the rows plausibility is measured against.

        Parameters
        ----------
        data : array of shape (n_rows, n_features) or DataFrame
            Representative rows (the training data), in the model's columns.
        """
        table = self.model.check_data(data, name="data")
        self.space_: FeatureSpace = build_space(table, self.constraints, scale=self.scale, max_grid=self.max_grid)
        self.adapter_: ModelAdapter = self.model if self.model.schema is not None else \
            self.model.with_schema(table.schema)
        self.object_rows_ = table.values.dtype == object
        self.plausibility_ = Plausibility(self.space_, self.space_.encode(table.values))
        _, self.seed_ = make_rng(self.random_state)
        self.fingerprint_ = self.model.fingerprint()
        return self

    def explain(self, X: Any) -> CounterfactualSet:
        """Counterfactuals for each row of ``X``.

        Parameters
        ----------
        X : array of shape (n_queries, n_features) or DataFrame

        Returns
        -------
        CounterfactualSet
            One :class:`CounterfactualResult` per row, in order, with provenance.
        """
        if not hasattr(self, "fingerprint_"):
            raise NotFittedError("This Counterfactuals is not fitted yet; call fit(data) first.", parameter="fit")
        start = time.perf_counter()
        table = self.adapter_.check_data(X)
        originals = table.values.astype(object) if self.object_rows_ else table.values
        space = self.space_
        Z0 = space.encode(originals)
        oracle = Oracle(self._predict, space, self.target, originals)
        chosen = self._search(Z0, oracle)
        results = self._results(chosen, Z0, oracle)
        provenance = Provenance(
            method=self.method, parameters=self.get_params(), random_state=self.seed_, budget_used=oracle.spent,
            elapsed_seconds=time.perf_counter() - start, model_fingerprint=self.fingerprint_,
            data_fingerprint=digest_array(table.values), library_version=__version__,
            output_space=self.model.output_space)
        return CounterfactualSet(tuple(results), provenance)

    def _predict(self, rows: np.ndarray) -> np.ndarray:
        parts = [self.adapter_.predict(rows[i:i + self.batch_rows]) for i in range(0, len(rows), self.batch_rows)]
        return np.concatenate(parts) if parts else np.empty((0, len(self.model.output_names)))

    def _search(self, Z0: np.ndarray, evaluate: Oracle) -> list[np.ndarray]:
        space = self.space_
        m = Z0.shape[1]
        settings = SearchSettings(n_samples=self.n_samples, max_changes=self.max_changes or m, enough=4 * self.k)
        rows, qid, _ = candidates(space, Z0, [self._query_rng(z) for z in Z0], evaluate, settings)
        rows, qid = shortlist(space, rows, qid, Z0, max(50, 10 * self.k))
        rows = sparsify(space, rows, qid, Z0, evaluate)
        rows, qid = shortlist(space, rows, qid, Z0, max(20, 5 * self.k))
        tight = tighten(space, grids_of(space), rows, qid, Z0, evaluate)
        # tightened rows tend to meet at the same boundary point: the untightened ones keep the choice diverse
        rows, qid = np.concatenate([tight, rows]), np.concatenate([qid, qid])
        return [select(space, rows[qid == q], Z0[q], self.k, self.diversity) for q in range(len(Z0))]

    def _query_rng(self, z: np.ndarray) -> np.random.Generator:
        # the query's own content seeds its generator: its result does not depend on the rest of the batch
        words = np.frombuffer(hashlib.sha256(np.ascontiguousarray(z).tobytes()).digest()[:16], dtype=np.uint32)
        return np.random.default_rng(np.random.SeedSequence([self.seed_, *words.tolist()]))

    def _results(self, chosen: list[np.ndarray], Z0: np.ndarray, oracle: Oracle) -> list[CounterfactualResult]:
        space, schema = self.space_, self.space_.schema
        sizes = [len(c) for c in chosen]
        qid = np.repeat(np.arange(len(Z0)), sizes)
        Z = np.concatenate(chosen) if chosen else np.empty((0, Z0.shape[1]))
        originals = oracle.originals
        values = space.decode(Z, originals[qid])
        outputs = oracle.outputs(Z, qid)
        valid = self.target.valid(outputs, oracle.query_class[qid])
        plausible = self.plausibility_(Z)
        # one frame for all rows, sliced per query: building frames is what costs here
        frame, queries = schema.to_frame(values), schema.to_frame(originals)
        results = []
        for q in range(len(Z0)):
            rows = np.flatnonzero(qid == q)
            Zq = Z[rows]
            results.append(CounterfactualResult(
                query=queries.iloc[q:q + 1].reset_index(drop=True),
                counterfactuals=frame.iloc[rows].reset_index(drop=True),
                changed=changed_mask(Zq, Z0[q]), outputs=outputs[rows], query_outputs=oracle.query_outputs[q],
                valid=valid[rows], proximity=proximity(space, Zq, Z0[q]),
                cost=(space.distances(Zq, Z0[q]) * space.costs).sum(axis=1), sparsity=sparsity(Zq, Z0[q]),
                plausibility=plausible[rows], k=self.k, desired=self.target.describe(),
                output_names=self.model.output_names, diversity=mean_pairwise(space, Zq)))
        return results


def _non_negative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or \
            not np.isfinite(value) or value < 0:
        raise InvalidParameterError(parameter=name, expected="a finite number >= 0", got=value)
    return float(value)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value

