"""PyTorch modules on the CPU (install the ``deep`` extra): predictions in batches and input gradients."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.models.base import ModelAdapter

__all__ = ["TorchAdapter"]


class TorchAdapter(ModelAdapter):
    """Adapter for a ``torch.nn.Module`` mapping a (n, m) float tensor to (n, k) or (n,).

    The module is run in eval mode under ``torch.no_grad()`` (its training flag is restored afterwards).

    Parameters
    ----------
    model : torch.nn.Module
    output_names : sequence of str, default ("output",)
    output_space : {"raw", "probability", "log-odds"}, default "raw"
    feature_names : sequence of str, optional
    n_features : int, optional
    batch_size : int, default 4096
        Rows per forward pass, to bound memory.
    """

    def __init__(self, model: Any, *, output_names: Sequence[str] = ("output",), output_space: str = "raw",
                 feature_names: Sequence[str] | None = None, n_features: int | None = None,
                 batch_size: int = 4096) -> None:
        super().__init__(model, output_names=output_names, output_space=output_space, feature_names=feature_names,
                         n_features=n_features, allows_nan=False)
        self.batch_size = batch_size

    def _dtype(self) -> Any:
        params = list(self.model.parameters())
        import torch

        return params[0].dtype if params else torch.float32

    def _predict(self, X: np.ndarray) -> Any:
        import torch

        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                parts = [self.model(torch.as_tensor(X[i:i + self.batch_size], dtype=self._dtype()))
                         for i in range(0, X.shape[0], self.batch_size)]
        finally:
            self.model.train(was_training)
        return torch.cat(parts).detach().cpu().numpy()

    def gradient(self, X: np.ndarray, target: int) -> np.ndarray:
        """Gradient of output ``target`` with respect to the inputs, shape (n, m)."""
        import torch

        inputs = torch.as_tensor(np.asarray(X, dtype="float64"), dtype=self._dtype()).requires_grad_(True)
        was_training = self.model.training
        self.model.eval()  # the same function predict computes: no dropout, batch-norm running statistics
        try:
            out = self.model(inputs)
            out = out.reshape(out.shape[0], -1)[:, target].sum()
            (grad,) = torch.autograd.grad(out, inputs)
        finally:
            self.model.train(was_training)
        return grad.detach().cpu().numpy().astype("float64")

    def native_input(self, X: np.ndarray) -> Any:
        return X

    def fingerprint(self) -> str:
        h = hashlib.sha256(type(self.model).__qualname__.encode())
        for name, tensor in self.model.state_dict().items():
            h.update(name.encode())
            h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        return "sha256:" + h.hexdigest()
