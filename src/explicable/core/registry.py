"""The method registry: ``method="auto"`` and named methods resolve here, and only here.

A method registers a factory, a test of whether it applies to a model, and an ``auto`` priority. Methods
that are planned but not yet built are listed so the error can say so instead of "unknown".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from explicable.core.errors import MethodNotAvailableError

__all__ = ["MethodSpec", "Registry"]


@dataclass(frozen=True)
class MethodSpec:
    """One registered explanation method.

    Attributes
    ----------
    name : str
        The name users pass as ``method=``.
    factory : callable
        ``factory(model, **options)`` returning an unfitted explainer.
    applies : callable
        ``applies(model, n_players=..., budget=...) -> bool``: can the method run on this model adapter with
        this many players within this budget of coalition evaluations?
    summary : str
        One line for listings and error messages.
    auto_priority : int or None
        Lower runs first under ``method="auto"``; None means never chosen automatically.
    needs_background : bool
        Whether ``fit`` requires reference rows.
    settings : frozenset of str
        Which of the front door's settings (``budget``, ``random_state``, ``groups``, ``tol``) the factory takes.
    auto_when : callable, optional
        An extra condition, same signature as ``applies``, for choosing it under ``method="auto"``.
    """

    name: str
    factory: Callable[..., Any]
    applies: Callable[[Any], bool]
    summary: str
    auto_priority: int | None = None
    needs_background: bool = False
    settings: frozenset[str] = frozenset()
    auto_when: Callable[..., bool] | None = None


class Registry:
    """Named methods, in registration order, with the planned ones for clear errors."""

    def __init__(self, planned: dict[str, str] | None = None) -> None:
        self._methods: dict[str, MethodSpec] = {}
        self._planned = dict(planned or {})

    def register(self, spec: MethodSpec) -> MethodSpec:
        """Add ``spec``; a name can be registered once."""
        if spec.name in self._methods:
            raise ValueError(f"method {spec.name!r} is registered twice")
        self._methods[spec.name] = spec
        self._planned.pop(spec.name, None)
        return spec

    def names(self) -> list[str]:
        """Registered method names."""
        return list(self._methods)

    def resolve(self, method: str, model: Any, *, n_players: int = 0, budget: int = 0) -> MethodSpec:
        """The spec to run for ``method`` on ``model``, or an error that says what is possible."""
        context = {"n_players": n_players, "budget": budget}
        if method == "auto":
            return self._auto(model, context)
        if method in self._methods:
            spec = self._methods[method]
            if not spec.applies(model, **context):
                usable = [s.name for s in self._methods.values() if s.applies(model, **context)]
                raise MethodNotAvailableError(
                    f"The method '{method}' ({spec.summary}) does not apply to {_model_name(model)}; "
                    f"methods that do: {', '.join(usable) or 'none yet'}.",
                    parameter="method", got=method,
                )
            return spec
        if method in self._planned:
            raise MethodNotAvailableError(
                f"The method '{method}' ({self._planned[method]}) is planned but not available in this version; "
                f"available now: {', '.join(self._methods)}.",
                parameter="method", got=method,
            )
        raise MethodNotAvailableError(
            parameter="method", expected="'auto' or one of " + ", ".join(repr(n) for n in self._methods), got=method
        )

    def _auto(self, model: Any, context: dict[str, int]) -> MethodSpec:
        ranked = sorted((s for s in self._methods.values() if s.auto_priority is not None),
                        key=lambda s: s.auto_priority or 0)
        for spec in ranked:
            if spec.applies(model, **context) and (spec.auto_when is None or spec.auto_when(model, **context)):
                return spec
        later = ", ".join(f"'{n}' ({s})" for n, s in self._planned.items())
        raise MethodNotAvailableError(
            f"method='auto' has no method for {_model_name(model)} in this version; planned: {later}.",
            parameter="method", got="auto",
        )


def _model_name(model: Any) -> str:
    inner = getattr(model, "model", model)
    return f"a {type(inner).__name__}"
