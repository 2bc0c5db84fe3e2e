"""What makes a counterfactual valid: the desired class, or a range of one model output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError

__all__ = ["Target", "resolve_target"]


@dataclass(frozen=True)
class Target:
    """The outcome a counterfactual must reach.

    Attributes
    ----------
    kind : {"class", "range"}
    output_names : tuple of str
    desired : int or None
        The wanted class position; None means "any class but the query's own" (``"opposite"``).
    output : int
        The output a range applies to (and, for a one-column binary model, its score).
    low, high : float
        The wanted range of ``output`` (``kind == "range"``).
    threshold : float or None
        For a one-column classifier: the score from which the predicted class is 1.
    """

    kind: str
    output_names: tuple[str, ...]
    desired: int | None = None
    output: int = 0
    low: float = -np.inf
    high: float = np.inf
    threshold: float | None = None

    def predicted_class(self, outputs: np.ndarray) -> np.ndarray:
        """Class positions (n,) from model outputs (n, k)."""
        if self.threshold is not None:
            return (outputs[:, 0] >= self.threshold).astype(np.intp)
        return np.argmax(outputs, axis=1)

    def valid(self, outputs: np.ndarray, query_class: np.ndarray) -> np.ndarray:
        """Whether each row's outputs (n, k) reach the target; ``query_class`` (n,) is each row's query's class."""
        if self.kind == "range":
            score = outputs[:, self.output]
            return np.asarray((score >= self.low) & (score <= self.high))
        predicted = self.predicted_class(outputs)
        if self.desired is None:
            return np.asarray(predicted != query_class)
        return np.asarray(predicted == self.desired)

    def describe(self) -> str:
        """In words, for results and reports."""
        if self.kind == "range":
            return f"{self.output_names[self.output]} in [{self.low:g}, {self.high:g}]"
        if self.desired is None:
            return "the opposite class"
        names = ("0", "1") if self.threshold is not None else self.output_names
        return f"class {names[self.desired]}"


def resolve_target(desired: Any, output: Any, output_names: Sequence[str], output_space: str) -> Target:
    """Check ``desired`` (and ``output``) against the model's outputs and return the :class:`Target`.

    ``desired`` is ``"opposite"``, a class name or position, or a ``(low, high)`` range of the output
    ``output`` (a name or position; needed when the model has several outputs).
    """
    names = tuple(output_names)
    classifier = output_space in ("probability", "log-odds")
    if isinstance(desired, (tuple, list)):
        return _range_target(desired, output, names)
    if not classifier:
        raise InvalidParameterError(parameter="desired", expected="a (low, high) range of the output for a model "
                                    f"whose outputs are '{output_space}'", got=desired)
    threshold = None
    if len(names) == 1:
        threshold = 0.5 if output_space == "probability" else 0.0
    classes = ("0", "1") if threshold is not None else names
    if isinstance(desired, str) and desired == "opposite":
        if len(classes) < 2:
            raise InvalidParameterError(parameter="desired", expected="a model with at least two classes",
                                        got=desired)
        return Target("class", names, None, threshold=threshold)
    position = _position(desired, classes, "desired")
    return Target("class", names, position, threshold=threshold)


def _position(value: Any, names: Sequence[str], parameter: str) -> int:
    if isinstance(value, str) and value in names:
        return list(names).index(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value < len(names):
        return int(value)
    raise InvalidParameterError(parameter=parameter, expected=f"'opposite', one of {list(names)} or a position "
                                f"below {len(names)}" if parameter == "desired" else
                                f"one of {list(names)} or a position below {len(names)}", got=value)


def _range_target(desired: Sequence[Any], output: Any, names: tuple[str, ...]) -> Target:
    try:
        low, high = (float(v) for v in desired)
    except (TypeError, ValueError):
        raise InvalidParameterError(parameter="desired", expected="a (low, high) pair of numbers",
                                    got=desired) from None
    if np.isnan(low) or np.isnan(high) or low > high:
        raise InvalidParameterError(parameter="desired", expected="a range with low <= high", got=desired)
    if output is None and len(names) > 1:
        raise InvalidParameterError(parameter="output", expected=f"the output the range applies to, one of "
                                    f"{list(names)}", got=None)
    position = 0 if output is None else _position(output, names, "output")
    return Target("range", names, output=position, low=low, high=high)
