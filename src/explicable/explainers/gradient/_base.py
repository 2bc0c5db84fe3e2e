"""What every gradient explainer shares: the model, the inputs (images or rows), targets and the Explanation.

Images in the public API are channels-last numpy arrays (n, H, W, C) (or one (H, W, C), or flattened rows
(n, H*W*C) as the evaluation checks pass them); rows are (n, m). Inside, everything runs on the module's own
layout and device (:meth:`TorchAdapter.module_input`); results come back as one value per pixel (channels
summed, ``channels="sum"``) or per pixel and channel (``"keep"``), features named as
:func:`explicable.core.images.pixel_names` names them.
"""

from __future__ import annotations

import copy
import time
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import pandas as pd

from explicable._version import __version__
from explicable.core._index import axis_positions
from explicable.core.errors import (
    InvalidDataError,
    InvalidParameterError,
    ModelOutputError,
    NotFittedError,
    UnsupportedModelError,
)
from explicable.core.explanation import Explanation
from explicable.core.fingerprint import digest_array
from explicable.core.images import CHANNELS, pixel_names
from explicable.core.provenance import Provenance
from explicable.core.validation import Table, check_choice, check_int
from explicable.explainers.base import Attribution, Explainer
from explicable.explainers.gradient._chunking import auto_batch_size, balanced, input_bytes
from explicable.models.base import ModelAdapter

if TYPE_CHECKING:
    from explicable.models.torch import TorchAdapter

__all__ = ["Batch", "GradientExplainer", "Result", "as_torch_adapter"]

_INSTALL = "pip install explicable[deep]"


def as_torch_adapter(model: Any, output_names: Sequence[str] | None) -> tuple[Any, bool]:
    """A TorchAdapter for ``model`` (a torch.nn.Module or a TorchAdapter) and whether it was a bare module."""
    try:
        import torch
    except ImportError:
        raise UnsupportedModelError(f"Gradient methods need PyTorch: {_INSTALL}.", parameter="model",
                                    got=type(model).__name__) from None
    from explicable.models.torch import TorchAdapter

    if isinstance(model, TorchAdapter):
        if output_names is not None:
            raise InvalidParameterError(parameter="output_names", expected="None for a TorchAdapter (set them "
                                        "on the adapter)", got=output_names)
        return model, False
    if isinstance(model, torch.nn.Module):
        names = ("output",) if output_names is None else tuple(str(n) for n in output_names)
        return TorchAdapter(model, output_names=names), True
    raise UnsupportedModelError(parameter="model", expected="a torch.nn.Module or an "
                                "explicable.models.torch.TorchAdapter (gradient methods differentiate the model)",
                                got=type(model).__name__)


@dataclass
class Batch:
    """The validated inputs of one ``explain`` call and what the methods need to run on them."""

    adapter: Any
    x: np.ndarray                    # (n, H, W, C) or (n, m), float64, public layout
    inputs: Any                      # the module-layout tensor of x, on the module's device
    targets: list[int]
    image: bool
    channels: str
    batch_size: int | None
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.x.shape[0])

    def flat(self, tensor: Any) -> Any:
        """Per-input attributions in the module layout (c, ...) -> (c, n_features) in public feature order."""
        if self.image and self.adapter.channels_first:
            tensor = tensor.permute(0, 2, 3, 1)
        if self.image and self.channels == "sum":
            tensor = tensor.sum(dim=-1)
        return tensor.reshape(tensor.shape[0], -1)

    def chunk(self, total: int, *, backward: bool = True) -> int:
        """Inputs per pass for ``total`` inputs: the user's ``batch_size`` or the automatic choice (recorded)."""
        if self.batch_size is not None:
            size = balanced(total, self.batch_size)
        else:
            with self.adapter.evaluating(freeze=True):
                per_input = input_bytes(self.adapter.scores, self.inputs[:1], backward=backward,
                                        key=self.adapter.model)
            size = auto_batch_size(per_input, total, self.inputs.device)
        self.diagnostics["batch_size"] = max(size, int(self.diagnostics.get("batch_size", 0)))
        return size


@dataclass(frozen=True)
class Result:
    """What a method computes: values (n, n_features, n_targets), base values (n, n_targets), and extras."""

    values: np.ndarray
    base_values: np.ndarray
    budget_used: int
    stderr: np.ndarray | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)


class GradientExplainer(Explainer):
    """Base class of the explainers of differentiable (PyTorch) models.

    Parameters
    ----------
    model : torch.nn.Module or TorchAdapter
        A bare module takes rows (n, m), or images (n, C, H, W) when ``explain`` is given images; wrap it in
        a :class:`~explicable.models.torch.TorchAdapter` to set ``image_shape``, ``channels_first``, the
        device or the output space.
    channels : {"sum", "keep"}, default "sum"
        Images: one value per pixel (channels summed) or per pixel and channel.
    batch_size : int, optional
        Inputs per forward+backward pass; default chosen from the input size and free memory.
    output_names : sequence of str, optional
        Names of a bare module's outputs (default ``output`` for one, ``output_0, ...`` for several).
    """

    method: ClassVar[str]
    model: TorchAdapter
    #: Methods whose values are one per pixel whatever ``channels`` says (Grad-CAM, occlusion windows).
    per_pixel: ClassVar[bool] = False
    #: Methods that only make sense for images (Grad-CAM).
    images_only: ClassVar[bool] = False

    def __init__(self, model: Any, *, channels: str = "sum", batch_size: int | None = None,
                 output_names: Sequence[str] | None = None) -> None:
        self.model, self._bare = as_torch_adapter(model, output_names)
        self._names_given = output_names is not None
        self.channels = check_choice(channels, "channels", CHANNELS)
        self.batch_size = None if batch_size is None else check_int(batch_size, "batch_size", low=1)

    def get_params(self) -> dict[str, Any]:
        return {"channels": self.channels, "batch_size": self.batch_size}

    def fit(self, background: Any = None) -> Self:
        """Record the model's fingerprint; ``background`` (inputs like ``X``) is kept for methods that use it."""
        if background is not None:
            arr = np.asarray(background.to_numpy() if isinstance(background, pd.DataFrame) else background)
            if arr.ndim < 2 or arr.shape[0] == 0 or arr.dtype.kind not in "biuf" or not np.isfinite(arr).all():
                raise InvalidDataError(parameter="background", expected="finite inputs like X (at least one)",
                                       got=background)
            self.background_: np.ndarray | None = arr.astype("float64")
        else:
            self.background_ = None
        self.fingerprint_ = self.model.fingerprint()
        self._fit_extra()
        return self

    def _fit_extra(self) -> None:
        """Hook for subclasses (draw a seed, check a layer)."""

    @abstractmethod
    def _compute(self, batch: Batch) -> Result:
        """Attributions of ``batch``'s targets."""

    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        batch = self._batch(model, table.values.astype("float64"), None)
        result = self._compute(batch)
        return Attribution(result.values, result.base_values, table.columns, table.values, "raw",
                           result.stderr, result.budget_used)

    def explain(self, X: Any, *, target: Any = None) -> Explanation:
        """Explain images (n, H, W, C) / (H, W, C), or rows (n, m).

        Parameters
        ----------
        X : array
            Images for an image model (``image_shape`` on the adapter, or a bare module given images), else
            rows (an array or a DataFrame).
        target : int, str or list, optional
            The outputs to explain (names or positions); all by default, one backward pass each.

        Returns
        -------
        Explanation
            Features are pixels ``r{row}c{col}`` (or ``r{row}c{col}ch{c}``) for images, the columns for rows.
        """
        if not hasattr(self, "fingerprint_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit() first.", parameter="fit")
        start = time.perf_counter()
        adapter, x, data, features = self._inputs(X)
        if self.images_only and adapter.image_shape is None:
            raise InvalidDataError(parameter="X", expected=f"images (n, H, W, C): {type(self).__name__} needs an image "
                                   "model (a TorchAdapter with image_shape, or a module given images)", got=X)
        batch = self._batch(adapter, x, target)
        result = self._compute(batch)
        params = self.get_params()
        if batch.image:
            params["image_shape"] = list(adapter.image_shape)
            params["channels"] = "sum" if self.per_pixel else self.channels
            height, width, depth = adapter.image_shape
            features = pixel_names(height, width, None if self.per_pixel or self.channels == "sum" else depth)
        params["diagnostics"] = {**batch.diagnostics, **result.diagnostics}
        return Explanation(
            values=result.values, base_values=result.base_values, feature_names=features,
            output_names=tuple(batch.adapter.output_names[t] for t in batch.targets), data=data, stderr=result.stderr,
            provenance=Provenance(
                method=self.method, parameters=params, random_state=getattr(self, "seed_", None),
                budget_used=result.budget_used, elapsed_seconds=time.perf_counter() - start,
                model_fingerprint=self.fingerprint_, data_fingerprint=digest_array(x),
                library_version=__version__, output_space=adapter.output_space,
            ),
        )

    # ---- inputs -----------------------------------------------------------------------------------------
    def _inputs(self, X: Any) -> tuple[Any, np.ndarray, np.ndarray | None, tuple[str, ...]]:
        """(adapter, x in the public layout, data for the Explanation, feature names) for ``X``."""
        adapter: Any = self.model
        raw = X if isinstance(X, pd.DataFrame) else np.asarray(X)
        if adapter.image_shape is None and self._bare and not isinstance(raw, pd.DataFrame) and raw.ndim in (3, 4):
            from explicable.models.torch import TorchAdapter

            shape = raw.shape[-3:]
            adapter = TorchAdapter(adapter.model, image_shape=shape, output_names=adapter.output_names,
                                   batch_size=adapter.batch_size)
        if adapter.image_shape is None:
            table = adapter.check_data(X)
            if table.values.dtype.kind not in "biuf":
                raise InvalidDataError(parameter="X", expected="numeric rows", got=X)
            return adapter, np.asarray(table.values, dtype="float64"), table.values, table.columns
        return adapter, _images(raw, adapter.image_shape), None, ()

    def _batch(self, adapter: Any, x: np.ndarray, target: Any) -> Batch:
        inputs = adapter.module_input(x)
        try:
            with adapter.evaluating(), _no_grad():
                width = int(adapter.scores(inputs[:1]).shape[1])
        except (RuntimeError, ValueError, TypeError) as exc:
            raise InvalidDataError(f"The module failed on the 'X' parameter (one input, in the module's layout: "
                                   f"shape {tuple(inputs.shape[1:])}): {exc}", parameter="X", got=x) from exc
        if width != len(adapter.output_names):
            if not (self._bare and not self._names_given):
                raise ModelOutputError(f"The module returned {width} outputs per input; the 'output_names' parameter "
                                       f"(on the explainer or the adapter) names {len(adapter.output_names)}: "
                                       f"{list(adapter.output_names)}.",
                                       parameter="output_names", expected=str(len(adapter.output_names)), got=width)
            adapter = copy.copy(adapter)
            adapter.output_names = tuple(f"output_{j}" for j in range(width))
        positions = np.arange(width) if target is None else axis_positions(target, "target", width,
                                                                            adapter.output_names)
        if len(positions) == 0:
            raise InvalidParameterError(parameter="target", expected="at least one output", got=target)
        return Batch(adapter, x, inputs, [int(p) for p in positions], adapter.image_shape is not None,
                     self.channels, self.batch_size)


def _images(raw: Any, shape: tuple[int, int, int]) -> np.ndarray:
    arr = np.asarray(raw)
    size = int(np.prod(shape))
    if arr.ndim == 3 and arr.shape == shape:
        arr = arr[None]
    elif arr.ndim == 2 and arr.shape[1] == size:
        arr = arr.reshape((arr.shape[0], *shape))
    if arr.ndim != 4 or arr.shape[1:] != shape or arr.shape[0] == 0 or arr.dtype.kind not in "biuf" \
            or not np.isfinite(arr).all():
        h, w, c = shape
        raise InvalidDataError(parameter="X", expected=f"finite images of shape (n, {h}, {w}, {c}) or ({h}, {w}, "
                               f"{c}), or rows (n, {size})", got=raw)
    return arr.astype("float64")


def _no_grad() -> Any:
    import torch

    return torch.no_grad()
