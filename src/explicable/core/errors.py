"""The exception tree of explicable.

Every error a user can cause derives from :class:`ExplicableError`. Where a built-in exception is the
natural one, the subclass also derives from it (``except ValueError`` keeps working). Errors about a
parameter carry it as structured fields: ``err.parameter``, ``err.expected`` and ``err.got``.

::

    ExplicableError
    ├── InvalidParameterError (ValueError)   a parameter of a public call is wrong
    ├── InvalidDataError (ValueError)        the data's shape, columns, dtypes or values are wrong
    ├── ModelOutputError (ValueError)        the model returned something that is not (n, k) numbers
    ├── UnsupportedModelError (TypeError)    no adapter for this object, or a method that can't run on it
    ├── UnsafeModelError                     refusing to load a file that would run code (pickle)
    ├── ModelFileError (ValueError)          the model file is missing, corrupt or of unknown format
    ├── NotFittedError (AttributeError)      ``explain`` called before ``fit``
    ├── BudgetExceededError                  the method needs more model evaluations than allowed
    └── MethodNotAvailableError (ValueError) a method that is unknown, or planned but not yet built

Warnings: :class:`LowFidelityWarning` (UserWarning), a surrogate (LIME, a distilled model) that follows the
model poorly where it is meant to explain it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BudgetExceededError",
    "ExplicableError",
    "InvalidDataError",
    "InvalidParameterError",
    "LowFidelityWarning",
    "MethodNotAvailableError",
    "ModelFileError",
    "ModelOutputError",
    "NotFittedError",
    "UnsafeModelError",
    "UnsupportedModelError",
    "describe",
]


def describe(value: Any) -> str:
    """A short, readable description of ``value`` for error messages (never its whole content)."""
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, (str, bytes)):
        return f"{type(value).__name__} of shape {tuple(shape)}"
    if isinstance(value, (list, tuple)) and len(value) > 6:
        return f"{type(value).__name__} of length {len(value)}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ExplicableError(Exception):
    """Root of every error explicable raises on purpose.

    Parameters
    ----------
    message : str
        The whole message. Subclasses that know the parameter build it from ``parameter``,
        ``expected`` and ``got``.
    parameter, expected, got : optional
        Structured fields, kept on the instance for programs that handle the error.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        parameter: str | None = None,
        expected: str | None = None,
        got: Any = None,
    ) -> None:
        self.parameter = parameter
        self.expected = expected
        self.got = got
        if message is None:
            message = self._compose(parameter, expected, got)
        super().__init__(message)

    @staticmethod
    def _compose(parameter: str | None, expected: str | None, got: Any) -> str:
        subject = f"The '{parameter}' parameter" if parameter else "The input"
        return f"{subject} must be {expected}. Got {describe(got)} instead."

    @property
    def message(self) -> str:
        """The message, as one line."""
        return str(self.args[0]) if self.args else ""


class InvalidParameterError(ExplicableError, ValueError):
    """A parameter of a public call has a wrong type or value."""


class InvalidDataError(ExplicableError, ValueError):
    """Data (X, background) has the wrong shape, columns, dtypes or non-finite values."""


class ModelOutputError(ExplicableError, ValueError):
    """The model's prediction is not an (n, k) array of finite numbers."""


class UnsupportedModelError(ExplicableError, TypeError):
    """No adapter takes this object, or the requested method can't run on this model."""


class UnsafeModelError(ExplicableError):
    """Loading this file would execute code (pickle, joblib) and ``trust`` was not given."""


class ModelFileError(ExplicableError, ValueError):
    """A model file is missing, truncated, corrupt or of a format explicable does not read."""


class NotFittedError(ExplicableError, AttributeError):
    """An explainer was used before ``fit``."""


class BudgetExceededError(ExplicableError):
    """The method needs more model evaluations than the budget allows."""


class MethodNotAvailableError(ExplicableError, ValueError):
    """The requested method is unknown, does not apply to this model, or is planned for a later release."""


class LowFidelityWarning(UserWarning):
    """A surrogate (LIME's local ridge, a distilled tree or EBM) fits the model under its ``min_fidelity``.

    Its attributions or rules describe a simpler model than the one explained: read them with care.
    """
