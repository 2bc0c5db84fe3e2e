"""PyTorch modules (install the ``deep`` extra): predictions in batches, input gradients, tabular or image inputs.

Rows in, rows out, as for every adapter: an image module's :meth:`TorchAdapter.predict` takes flattened
channels-last rows (n, H*W*C), so the evaluation checks that work on tables work on images unchanged. Gradient
explainers go one level down, through :meth:`TorchAdapter.module_input` (numpy in the public layout -> the
module's tensor on its device), :meth:`TorchAdapter.scores` (differentiable outputs) and
:meth:`TorchAdapter.to_public` (a tensor in the module's layout -> numpy in the public layout).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.validation import check_int
from explicable.models.base import ModelAdapter

__all__ = ["TorchAdapter"]


class TorchAdapter(ModelAdapter):
    """Adapter for a ``torch.nn.Module`` mapping a float tensor to (n, k) or (n,) outputs.

    The module is run in eval mode (its training flag is restored afterwards), under ``torch.no_grad()`` for
    :meth:`predict`.

    Parameters
    ----------
    model : torch.nn.Module
        Takes (n, m) rows, or with ``image_shape`` images (n, C, H, W) (``channels_first``) or (n, H, W, C).
    image_shape : (H, W, C), optional
        The module is an image model; :meth:`predict` then takes rows of H*W*C numbers in (row, column,
        channel) order, and explainers take images (n, H, W, C).
    channels_first : bool, default True
        Whether the module takes (n, C, H, W) (torch's convention) rather than (n, H, W, C).
    device : str or torch.device, optional
        Where inputs are put; default the device of the module's first parameter (or buffer), else the CPU.
    output_names : sequence of str, default ("output",)
    output_space : {"raw", "probability", "log-odds"}, default "raw"
    feature_names : sequence of str, optional
    n_features : int, optional
    batch_size : int, default 4096
        Rows per forward pass of :meth:`predict`, to bound memory.

    Examples
    --------
    >>> import numpy as np, torch
    >>> conv = torch.nn.Sequential(torch.nn.Conv2d(3, 1, 2), torch.nn.Flatten(), torch.nn.Linear(4, 2))
    >>> adapter = TorchAdapter(conv, image_shape=(3, 3, 3), output_names=["a", "b"])
    >>> images = np.zeros((5, 3, 3, 3))
    >>> tuple(adapter.module_input(images).shape), adapter.predict(images.reshape(5, -1)).shape
    ((5, 3, 3, 3), (5, 2))
    """

    def __init__(self, model: Any, *, image_shape: Sequence[int] | None = None, channels_first: bool = True,
                 device: Any = None, output_names: Sequence[str] = ("output",), output_space: str = "raw",
                 feature_names: Sequence[str] | None = None, n_features: int | None = None,
                 batch_size: int = 4096) -> None:
        self.image_shape = None if image_shape is None else _check_image_shape(image_shape)
        if self.image_shape is not None:
            size = int(np.prod(self.image_shape))
            if n_features is not None and n_features != size:
                raise InvalidParameterError(parameter="n_features", expected=f"H*W*C = {size} for image_shape "
                                            f"{self.image_shape}, or None", got=n_features)
            n_features = size
        super().__init__(model, output_names=output_names, output_space=output_space, feature_names=feature_names,
                         n_features=n_features, allows_nan=False)
        if not isinstance(channels_first, bool):
            raise InvalidParameterError(parameter="channels_first", expected="True or False", got=channels_first)
        self.channels_first = channels_first
        self._device = device
        self.batch_size = check_int(batch_size, "batch_size", low=1)

    # ---- where and how the module runs ----------------------------------------------------------------
    @property
    def device(self) -> Any:
        """The torch.device inputs are put on."""
        import torch

        if self._device is not None:
            return torch.device(self._device)
        for tensor in (*self.model.parameters(), *self.model.buffers()):
            return tensor.device
        return torch.device("cpu")

    def _dtype(self) -> Any:
        import torch

        for param in self.model.parameters():
            if param.dtype.is_floating_point:
                return param.dtype
        return torch.float32

    @contextlib.contextmanager
    def evaluating(self, *, freeze: bool = False) -> Iterator[None]:
        """Run the block with the module in eval mode (no dropout, batch-norm running statistics).

        With ``freeze``, parameters also stop requiring gradients, so autograd neither records nor keeps
        what weight gradients would need (less memory and time for input gradients). On a GPU, cuDNN is
        asked for deterministic algorithms (explanations are replayed byte for byte). All is restored.
        """
        import torch

        was_training = self.model.training
        params = [p for p in self.model.parameters() if p.requires_grad] if freeze else []
        cudnn = torch.backends.cudnn
        deterministic = cudnn.deterministic
        self.model.eval()
        try:
            for param in params:
                param.requires_grad_(False)
            if self.device.type == "cuda":
                cudnn.deterministic = True  # some cuDNN algorithms accumulate in a racy order: replay needs bytes
            yield
        finally:
            cudnn.deterministic = deterministic
            for param in params:
                param.requires_grad_(True)
            self.model.train(was_training)

    # ---- layouts --------------------------------------------------------------------------------------
    @property
    def input_shape(self) -> tuple[int, ...] | None:
        """Shape of one input in the public layout: (H, W, C) for images, (m,) for rows (None if unknown)."""
        if self.image_shape is not None:
            return self.image_shape
        return None if self.n_features is None else (int(self.n_features),)

    def module_input(self, X: np.ndarray) -> Any:
        """The module's input tensor (its dtype, on its device) for ``X`` in the public layout.

        Parameters
        ----------
        X : array of shape (n, H, W, C) or (n, H*W*C) for an image module, (n, m) otherwise

        Returns
        -------
        torch.Tensor of shape (n, C, H, W) (``channels_first``), (n, H, W, C), or (n, m); contiguous
        """
        import torch

        arr = np.asarray(X)
        if self.image_shape is not None:
            arr = arr.reshape((arr.shape[0], *self.image_shape))
        if not arr.flags.writeable:  # torch warns on read-only memory (an Explanation's arrays, a baseline)
            arr = arr.copy()
        tensor = torch.as_tensor(np.ascontiguousarray(arr), dtype=self._dtype(), device=self.device)
        if self.image_shape is not None and self.channels_first:
            tensor = tensor.permute(0, 3, 1, 2)
        return tensor.contiguous()

    def to_public(self, tensor: Any) -> np.ndarray:
        """Inverse of :meth:`module_input`: a tensor in the module's layout -> float64 numpy, public layout."""
        if self.image_shape is not None and self.channels_first:
            tensor = tensor.permute(0, 2, 3, 1)
        return np.asarray(tensor.detach().cpu().contiguous().numpy(), dtype="float64")

    def scores(self, inputs: Any) -> Any:
        """The module's outputs for a module-layout tensor, as (n, k), differentiable (no ``no_grad``)."""
        out = self.model(inputs)
        return out.reshape(out.shape[0], -1)

    # ---- the seam -------------------------------------------------------------------------------------
    def _predict(self, X: np.ndarray) -> Any:
        import torch

        with self.evaluating(), torch.no_grad():
            parts = [self.scores(self.module_input(X[i:i + self.batch_size])).cpu()
                     for i in range(0, X.shape[0], self.batch_size)]
        return torch.cat(parts).numpy()

    def gradient(self, X: np.ndarray, target: int) -> np.ndarray:
        """Gradient of output ``target`` with respect to the inputs, shape like ``X`` (rows (n, m))."""
        import torch

        arr = np.asarray(X, dtype="float64")
        if arr.ndim != 2 or (self.n_features is not None and arr.shape[1] != self.n_features):
            raise InvalidDataError(parameter="X", expected=f"a 2-D array with {self.n_features} columns", got=arr)
        inputs = self.module_input(arr).requires_grad_(True)
        with self.evaluating(), torch.enable_grad():  # the same function predict computes
            out = self.scores(inputs)[:, target].sum()
            (grad,) = torch.autograd.grad(out, inputs)
        return self.to_public(grad).reshape(arr.shape)

    def native_input(self, X: np.ndarray) -> Any:
        return X

    def fingerprint(self) -> str:
        h = hashlib.sha256(type(self.model).__qualname__.encode())
        if self.image_shape is not None:
            h.update(f"image{self.image_shape}first{self.channels_first}".encode())
        for name, tensor in self.model.state_dict().items():
            h.update(name.encode())
            h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        return "sha256:" + h.hexdigest()


def _check_image_shape(shape: Any) -> tuple[int, int, int]:
    ok = isinstance(shape, (tuple, list)) and len(shape) == 3 and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in shape)
    if not ok:
        raise InvalidParameterError(parameter="image_shape", expected="(H, W, C): three positive ints", got=shape)
    return int(shape[0]), int(shape[1]), int(shape[2])
