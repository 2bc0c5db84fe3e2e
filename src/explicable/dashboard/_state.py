"""What the dashboard computes: a model and its data, and plain dicts for each view.

The HTTP layer only parses requests and sends these dicts back as JSON, so every view (the data overview,
global importance, one row's explanation, reasons and counterfactuals, a what-if edit, the fairness audit)
is a method here and is tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import ExplicableError, InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_int
from explicable.dashboard._features import apply_changes, describe_features
from explicable.dashboard._jsonable import jsonable
from explicable.dashboard._summaries import column_summary, fairness_summary, score_summary
from explicable.explainers import REGISTRY, Counterfactuals, explain, shapley_importance
from explicable.fairness import fairness_audit
from explicable.models.wrap import wrap
from explicable.reasons import reasons

__all__ = ["DashboardState"]

#: Rows listed in the overview, to pick from.
PREVIEW_ROWS = 20
#: Methods whose attributions are exact and cheap: importance over many rows costs little with them.
_EXACT = ("tree", "linear")


class DashboardState:
    """A model, its data, and each dashboard view as a plain, JSON-ready dict.

    Not thread-safe: the server serialises calls (model libraries are not all safe to call concurrently).

    Parameters
    ----------
    model : model object or ModelAdapter
        Anything :func:`explicable.wrap` takes.
    data : DataFrame
        Rows in the model's columns, and optionally the true outcome (``target``) and sensitive attributes.
        The model's features are its own feature names, or every column but ``target`` when it has none.
    target : str, optional
        Column with the true outcome (needed for the fairness audit).
    sensitive : sequence of str, default ()
        Sensitive columns: audited for fairness, and never changed by counterfactuals.
    positive : optional
        The outcome counted as positive (selected) in the audit (default: 1 for 0/1 outcomes).
    output : str, optional
        The model output shown, explained and audited (default: the last one, e.g. the positive class).
    threshold : float, default 0.5
        Decision threshold on ``output`` (used for probability outputs).
    k_reasons : int, default 4
        Most principal reasons per row.
    n_counterfactuals : int, default 3
    importance_rows : int, default 200
        Rows (a seeded sample) explained for global importance; a tenth of them when the attributions are
        sampled (Kernel SHAP), which costs far more per row.
    background_rows : int, default 100
        Reference rows (a seeded sample) for methods that need them.
    random_state : int, optional
        Seed of every sample and sampled method; drawn and recorded (``random_state_``) when None.

    Examples
    --------
    >>> from explicable import FunctionModel
    >>> frame = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 1.0, 0.0]})
    >>> model = FunctionModel(lambda X: X[:, :1] + 2 * X[:, 1:], feature_names=["a", "b"])
    >>> state = DashboardState(model, frame, random_state=0)
    >>> state.what_if(0, {"a": 5})["prediction"]["value"]
    7.0
    """

    def __init__(self, model: Any, data: Any, *, target: str | None = None, sensitive: Sequence[str] = (),
                 positive: Any = None, output: str | None = None, threshold: float = 0.5, k_reasons: int = 4,
                 n_counterfactuals: int = 3, importance_rows: int = 200, background_rows: int = 100,
                 random_state: int | None = None) -> None:
        self.adapter = wrap(model)
        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(parameter="data", expected="a pandas DataFrame", got=data)
        self.data = data.rename(columns=str).reset_index(drop=True)
        columns = list(self.data.columns)
        self.target = None if target is None else check_choice(target, "target", columns)
        if isinstance(sensitive, str):
            sensitive = [sensitive]
        self.sensitive = tuple(check_choice(c, "sensitive", columns) for c in sensitive)
        self.features = self._features(columns)
        self.X = self.data[list(self.features)]
        self.output = self.adapter.output_names[-1] if output is None else \
            check_choice(output, "output", self.adapter.output_names)
        self.column = self.adapter.output_names.index(self.output)
        self.threshold = _threshold(threshold)
        self.positive = positive
        self.k_reasons = check_int(k_reasons, "k_reasons", low=1)
        self.n_counterfactuals = check_int(n_counterfactuals, "n_counterfactuals", low=1)
        self.importance_rows = check_int(importance_rows, "importance_rows", low=2)
        self.random_state_ = make_rng(random_state)[1]
        self.feature_info = {f.name: f for f in describe_features(self.X)}
        self.predictions_ = self.adapter.predict(self.X)
        self.method_ = REGISTRY.resolve("auto", self.adapter, n_players=len(self.features), budget=4096)
        n_reference = min(check_int(background_rows, "background_rows", low=1), len(self.X))
        self.background_ = self.X.iloc[self._sample(n_reference)] if self.method_.needs_background else None
        self._importance: dict[str, Any] | None = None
        self._counterfactuals: Counterfactuals | None = None
        self._fairness: dict[str, Any] | None = None

    # ---- the views ----------------------------------------------------------------------------------------
    def overview(self) -> dict[str, Any]:
        """The data (rows, columns, a summary of each) and the model (outputs, its scores over the rows)."""
        roles = {c: self._role(c) for c in self.data.columns}
        scores = self.predictions_[:, self.column]
        preview = [{"row": i, "score": scores[i], "values": self.X.iloc[i].to_dict()}
                   for i in range(min(PREVIEW_ROWS, len(self.X)))]
        model = {"type": type(self.adapter.model).__name__, "outputs": list(self.adapter.output_names),
                 "output": self.output, "output_space": self.adapter.output_space, "n_features": len(self.features),
                 "method": self.method_.name}
        return jsonable({"n_rows": len(self.data), "n_columns": self.data.shape[1], "features": list(self.features),
                         "target": self.target, "sensitive": list(self.sensitive), "model": model,
                         "columns": [column_summary(c, self.data[c], roles[c]) for c in self.data.columns],
                         "scores": score_summary(scores, self._decision_threshold()), "preview": preview,
                         "random_state": self.random_state_})

    def schema(self) -> dict[str, Any]:
        """The editable features (kind, levels, range), for the what-if form."""
        return {"features": [info.to_dict() for info in self.feature_info.values()], "output": self.output,
                "n_rows": len(self.X)}

    def importance(self) -> dict[str, Any]:
        """Mean absolute attribution of each feature over a seeded sample of rows, with its confidence interval."""
        if self._importance is None:
            exact = self.method_.name in _EXACT
            n = min(self.importance_rows if exact else max(2, self.importance_rows // 10), len(self.X))
            rows = np.sort(self._sample(n))
            exp = self._explain(self.X.iloc[rows])
            imp = shapley_importance(exp)
            order = np.argsort(-imp.importances[:, 0], kind="stable")
            items = [{"feature": imp.feature_names[j], "importance": imp.importances[j, 0],
                      "ci_low": imp.ci_low[j, 0], "ci_high": imp.ci_high[j, 0], "stderr": imp.stderr[j, 0]}
                     for j in order]
            self._importance = jsonable({"output": self.output, "method": exp.provenance.method, "n_rows": n,
                                         "confidence": imp.confidence, "random_state": exp.provenance.random_state,
                                         "output_space": exp.provenance.output_space, "items": items})
        return self._importance

    def row(self, row: int) -> dict[str, Any]:
        """One row: its values, the model's outputs, their explanation and the principal reasons."""
        i = self._row(row)
        return {"row": i, **self._describe(self.X.iloc[[i]])}

    def what_if(self, row: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Row ``row`` with ``changes`` (feature -> new value) applied: re-predicted and re-explained.

        The result is :meth:`row`'s for the edited row, with ``changed`` (the features whose value differs),
        ``original`` (the unedited score) and ``delta`` (the edited score minus the original).
        """
        i = self._row(row)
        edited, changed = apply_changes(self.X.iloc[[i]], self.feature_info, changes)
        result = self._describe(edited)
        original = float(self.predictions_[i, self.column])
        return {"row": i, "changed": changed, "original": original,
                "delta": result["prediction"]["value"] - original, **result}

    def counterfactuals(self, row: int) -> dict[str, Any]:
        """Diverse changes to row ``row`` that flip the model's decision (sensitive columns never change)."""
        i = self._row(row)
        try:
            search = self._counterfactual_search()
        except ExplicableError as exc:  # e.g. a regression model: no decision to flip
            return {"row": i, "available": False, "reason": str(exc)}
        result = search.explain(self.X.iloc[[i]])[0]
        names = result.feature_names
        items = []
        for c in range(result.n_found):
            changes = [{"feature": names[j], "from": result.query.iat[0, j], "to": result.counterfactuals.iat[c, j]}
                       for j in map(int, np.flatnonzero(result.changed[c]))]
            items.append({"score": result.outputs[c, self.column], "valid": result.valid[c], "changes": changes,
                          "proximity": result.proximity[c], "sparsity": result.sparsity[c]})
        return jsonable({"row": i, "available": True, "desired": result.desired, "k": result.k,
                         "query_score": result.query_outputs[self.column], "items": items,
                         "immutable": [s for s in self.sensitive if s in self.features]})

    def fairness(self) -> dict[str, Any]:
        """The fairness audit of the model's decisions by sensitive group (needs ``target`` and ``sensitive``)."""
        if self.target is None or not self.sensitive:
            return {"available": False, "reason": "Give the true outcome (--target) and the sensitive columns "
                    "(--sensitive) to audit the model's decisions by group."}
        if self._fairness is None:
            try:
                audit = fairness_audit(self.adapter, self.X, self.data[self.target], self.data[list(self.sensitive)],
                                       positive=self.positive, threshold=self.threshold, n_bootstrap=200,
                                       random_state=self.random_state_)
                self._fairness = jsonable(fairness_summary(audit, self.sensitive))
            except ExplicableError as exc:
                self._fairness = {"available": False, "reason": str(exc)}
        return self._fairness

    # ---- helpers -------------------------------------------------------------------------------------------
    def _describe(self, frame: pd.DataFrame) -> dict[str, Any]:
        outputs = self.adapter.predict(frame)[0]
        exp = self._explain(frame)
        return jsonable({"values": frame.iloc[0].to_dict(), "prediction": self._prediction(outputs),
                         "explanation": _contributions(exp), "reasons": self._reasons(exp)})

    def _explain(self, frame: pd.DataFrame) -> Explanation:
        return explain(self.adapter, frame, background=self.background_, random_state=self.random_state_,
                       target=self.output)

    def _prediction(self, outputs: np.ndarray) -> dict[str, Any]:
        value = float(outputs[self.column])
        cut = self._decision_threshold()
        return {"output": self.output, "value": value, "outputs": dict(zip(self.adapter.output_names, outputs,
                                                                         strict=True)),
                "output_space": self.adapter.output_space, "threshold": cut,
                "at_or_above_threshold": None if cut is None else value >= cut}

    def _reasons(self, exp: Explanation) -> dict[str, Any]:
        found = reasons(exp, self.k_reasons, adverse_output=self.output, require_stable=False)
        return {"output": self.output, "stable": found.stable[0],
                "items": [{"rank": r.rank, "feature": r.feature, "value": r.value, "statement": r.statement,
                           "contribution": r.contribution, "code": r.code} for r in found]}

    def _counterfactual_search(self) -> Counterfactuals:
        if self._counterfactuals is None:
            fixed = [s for s in self.sensitive if s in self.features]
            self._counterfactuals = Counterfactuals(self.adapter, k=self.n_counterfactuals, immutable=fixed,
                                                    random_state=self.random_state_).fit(self.X)
        return self._counterfactuals

    def _decision_threshold(self) -> float | None:
        return self.threshold if self.adapter.output_space == "probability" else None

    def _features(self, columns: list[str]) -> tuple[str, ...]:
        names = self.adapter.feature_names
        if names is None:
            return tuple(c for c in columns if c != self.target)
        missing = [f for f in names if f not in columns]
        if missing:
            raise InvalidDataError(parameter="data", expected="the model's feature columns",
                                   got=f"a table without {', '.join(missing[:5])}")
        return tuple(names)

    def _role(self, column: str) -> str:
        roles = [r for r, hit in (("target", column == self.target), ("feature", column in self.features),
                                  ("sensitive", column in self.sensitive)) if hit]
        return ", ".join(roles) or "unused"

    def _row(self, row: Any) -> int:
        return check_int(row, "row", low=0, high=len(self.X) - 1)

    def _sample(self, n: int) -> np.ndarray:
        # a fresh generator per sample, from the recorded seed, so the views do not depend on the call order
        return np.random.default_rng(self.random_state_).choice(len(self.X), size=n, replace=False)


def _contributions(exp: Explanation) -> dict[str, Any]:
    values = exp.values[0, :, 0]
    stderr = None if exp.stderr is None else exp.stderr[0, :, 0]
    data = exp.data[0] if exp.data is not None else [None] * len(values)
    order = np.argsort(-np.abs(values), kind="stable")
    items = [{"feature": exp.feature_names[j], "value": data[j], "contribution": values[j],
              "stderr": None if stderr is None else stderr[j]} for j in order]
    return {"method": exp.provenance.method, "base_value": exp.base_values[0, 0], "output": exp.output_names[0],
            "output_space": exp.provenance.output_space, "random_state": exp.provenance.random_state,
            "items": items}


def _threshold(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise InvalidParameterError(parameter="threshold", expected="a number in [0, 1]", got=value)
    return float(value)
