"""scikit-learn estimators and Pipelines (ColumnTransformer, one-hot encoders, pandas categoricals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.models._digest import digest_object
from explicable.models._pipeline import derive_groups, derived_names
from explicable.models.base import Decomposition, ModelAdapter, binary_columns, check_option

__all__ = ["SklearnAdapter", "SklearnLinearAdapter", "SklearnTreeAdapter", "is_linear_estimator", "is_tree_estimator"]

_LOGISTIC = ("LogisticRegression", "LogisticRegressionCV")
_NONLINEAR_GLM = ("PoissonRegressor", "GammaRegressor", "TweedieRegressor", "RANSACRegressor")
_TREE_MODELS = (
    "DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier", "ExtraTreeRegressor",
    "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor",
    "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor",
)


def is_linear_estimator(est: Any) -> bool:
    """True for fitted linear models whose prediction (or decision function) is ``X @ coef_.T + intercept_``."""
    module = type(est).__module__
    linear_module = module.startswith("sklearn.linear_model") or type(est).__name__ in ("LinearSVC", "LinearSVR")
    return linear_module and type(est).__name__ not in _NONLINEAR_GLM and hasattr(est, "coef_") \
        and hasattr(est, "intercept_")


def is_tree_estimator(est: Any) -> bool:
    """True for scikit-learn's decision trees, forests and gradient boosting (and their subclasses)."""
    return any(cls.__name__ in _TREE_MODELS and cls.__module__.startswith("sklearn.") for cls in type(est).__mro__)


class SklearnAdapter(ModelAdapter):
    """Adapter for scikit-learn estimators and Pipelines.

    Parameters
    ----------
    model : estimator or Pipeline, fitted
    output_space : {"probability", "log-odds", "raw"}, optional
        Classifiers: "probability" (``predict_proba``, the default) or their decision function ("log-odds"
        for logistic models, "raw" otherwise). Regressors: "raw".
    output_names : sequence of str, optional
        Defaults to ``classes_`` for classifiers, "prediction" for regressors.
    feature_names : sequence of str, optional
        Defaults to ``feature_names_in_``.
    """

    def __init__(self, model: Any, *, output_space: str | None = None, output_names: Sequence[str] | None = None,
                 feature_names: Sequence[str] | None = None) -> None:
        from sklearn.base import is_classifier
        from sklearn.pipeline import Pipeline
        from sklearn.utils import get_tags

        final = model[-1] if isinstance(model, Pipeline) else model
        self.is_classifier = bool(is_classifier(model))
        binary = self.is_classifier and len(getattr(model, "classes_", ())) == 2
        self.decision_space = "log-odds" if binary and _is_logistic(final) else "raw"
        spaces = self._spaces(model)
        self._final_adapter: Any = None
        if isinstance(model, Pipeline) and len(model.steps) > 1 and output_space not in (None, *spaces):
            # a space only the final model has (an XGBoost margin): the pipeline's steps, then that model
            from explicable.models.wrap import wrap

            self._final_adapter = wrap(final, output_space=output_space)
            spaces = [str(output_space)]
        space = check_option(output_space if output_space is not None else spaces[0], "output_space", spaces)
        super().__init__(
            model, output_space=space,
            output_names=list(output_names) if output_names is not None else self._outputs(model, final),
            feature_names=feature_names if feature_names is not None else getattr(model, "feature_names_in_", None),
            n_features=getattr(model, "n_features_in_", None),
            accepts_strings=isinstance(model, Pipeline) or _encodes_categories(model),
            allows_nan=bool(get_tags(model).input_tags.allow_nan),
        )

    def _spaces(self, model: Any) -> list[str]:
        if not self.is_classifier:
            return ["raw"]
        spaces = ["probability"] if hasattr(model, "predict_proba") else []
        return spaces + ([self.decision_space] if hasattr(model, "decision_function") else [])

    def _outputs(self, model: Any, final: Any) -> list[str]:
        if self.is_classifier:
            return [str(c) for c in model.classes_]
        coef = getattr(final, "coef_", None)
        n_targets = int(getattr(final, "n_outputs_", 1)) if coef is None or np.ndim(coef) < 2 else coef.shape[0]
        return ["prediction"] if n_targets == 1 else [f"prediction_{t}" for t in range(n_targets)]

    def _predict(self, X: np.ndarray) -> Any:
        native = self.native_input(X)
        if self._final_adapter is not None:
            return self._final_adapter.predict_native(self.model[:-1].transform(native))
        if self.output_space == "probability":
            return self.model.predict_proba(native)
        if self.is_classifier:
            scores = np.asarray(self.model.decision_function(native), dtype="float64")
            return binary_columns(scores) if scores.ndim == 1 else scores
        return self.model.predict(native)

    def decompose(self) -> Decomposition:
        """For a Pipeline: the preprocessing steps and an adapter of the final estimator, with feature groups."""
        from sklearn.pipeline import Pipeline

        from explicable.models.wrap import wrap

        if not isinstance(self.model, Pipeline) or len(self.model.steps) < 2:
            return super().decompose()
        pre, final = self.model[:-1], self.model[-1]
        n_out = int(getattr(final, "n_features_in_", 0))
        names = derived_names(pre, n_out)
        inner_space = self.output_space if self.output_space != "probability" else None
        inner = wrap(final, output_space=inner_space, output_names=self.output_names)
        inputs = self.feature_names or tuple(f"x{j}" for j in range(self.n_features or 0))
        origins = derive_groups(pre, inputs, n_out)
        groups: dict[tuple[str, ...], list[str]] | None = None
        if origins is not None:
            groups = {}
            for name, origin in zip(names, origins, strict=True):
                groups.setdefault(tuple(inputs[i] for i in sorted(origin)), []).append(name)
        return Decomposition(lambda X: pre.transform(self.native_input(X)), inner, names, groups)

    def fingerprint(self) -> str:
        # Pickle where it works; a pipeline holding a lambda (FunctionTransformer) is digested structurally.
        return digest_object(self.model)


class SklearnLinearAdapter(SklearnAdapter):
    """A linear scikit-learn model: adds its exact linear terms in the decision (or prediction) space."""

    def linear_terms(self) -> tuple[np.ndarray, np.ndarray, str]:
        coef = np.atleast_2d(np.asarray(self.model.coef_, dtype="float64"))
        intercept = np.atleast_1d(np.asarray(self.model.intercept_, dtype="float64"))
        intercept = np.broadcast_to(intercept, (coef.shape[0],)).copy()
        if self.is_classifier and coef.shape[0] == 1:  # binary: one score, two classes
            return np.vstack([-coef, coef]), np.array([-intercept[0], intercept[0]]), self.decision_space
        return coef, intercept, self.decision_space if self.is_classifier else "raw"


class SklearnTreeAdapter(SklearnAdapter):
    """A scikit-learn tree model: adds exact TreeSHAP, computed by explicable's own kernels.

    Decision trees, random forests and extra trees are explained in probability space (classifiers) or raw
    space (regressors); gradient boosting in its decision function's space, "log-odds" for binary log-loss
    classifiers (which this adapter also offers as ``output_space="log-odds"``) and "raw" otherwise. Path-dependent
    TreeSHAP without a background; interventional TreeSHAP against a background.
    """

    def _spaces(self, model: Any) -> list[str]:
        # GradientBoosting/HistGradientBoosting binary classifiers with log-loss: the decision function is the
        # log-odds of the positive class
        if self.is_classifier and len(getattr(model, "classes_", ())) == 2 and \
                "GradientBoosting" in type(model).__name__ and getattr(model, "loss", "log_loss") == "log_loss":
            self.decision_space = "log-odds"
        return super()._spaces(model)

    def predict_native(self, Z: Any) -> np.ndarray:
        """Outputs, in this adapter's space, for the model's own input ``Z`` (for pipelines ending in this model)."""
        if self.output_space == "probability":
            return np.asarray(self.model.predict_proba(Z), dtype="float64")
        if self.is_classifier:
            scores = np.asarray(self.model.decision_function(Z), dtype="float64")
            return binary_columns(scores) if scores.ndim == 1 else scores
        return np.asarray(self.model.predict(Z), dtype="float64")

    def tree_ensemble(self) -> Any:
        """The model's trees as flat arrays (extracted once per adapter)."""
        trees = self.__dict__.get("_trees")
        if trees is None:
            # the kernels live with the explainers; imported on use so that wrapping a model stays cheap
            from explicable.models._sktrees import extract_trees

            trees = self._trees = extract_trees(self.model)
        return trees

    def tree_contributions(self, Z: Any, background: Any = None) -> tuple[np.ndarray, np.ndarray, str]:
        """Exact TreeSHAP: path-dependent, or interventional against the ``background`` rows.

        ``background`` is native input rows or, to reuse across calls, :meth:`prepare_background` of them.
        Returns ``(values (n, d, k), base_values (n, k), output_space)``; ``values.sum(axis=1) + base_values`` is
        the model's output in ``output_space``.
        """
        from explicable.models._sktrees import Background, tree_shap

        if background is not None and not isinstance(background, Background):
            background = self.prepare_background(background)
        trees = self.tree_ensemble()
        values, base = tree_shap(trees, Z, background)
        return values, base, trees.output_space

    def prepare_background(self, background: Any) -> Any:
        """Background rows (native input) made ready for interventional TreeSHAP: their bitsets and mean output."""
        from explicable.models._sktrees import prepare_background

        trees = self.tree_ensemble()
        return prepare_background(trees, background, self._tree_outputs(background, trees))

    def _tree_outputs(self, Z: Any, trees: Any) -> np.ndarray:
        """What the trees add up to for native input ``Z``, one column per output the kernels compute."""
        if trees.output_space == "probability":
            proba = np.asarray(self.model.predict_proba(Z), dtype="float64")
            return proba[:, 1:] if trees.layout == "binary_probability" else proba
        raw = np.asarray(self.model.decision_function(Z) if self.is_classifier else self.model.predict(Z), "float64")
        return raw.reshape(raw.shape[0], -1)


def _encodes_categories(est: Any) -> bool:
    """True for estimators that encode categorical columns of a frame themselves (HistGradientBoosting)."""
    is_categorical = getattr(est, "is_categorical_", None)
    setting = getattr(est, "categorical_features", None)
    return isinstance(setting, str) and setting == "from_dtype" and is_categorical is not None \
        and bool(np.any(is_categorical))


def _is_logistic(est: Any) -> bool:
    name = type(est).__name__
    return name in _LOGISTIC or (name == "SGDClassifier" and getattr(est, "loss", "") == "log_loss")
