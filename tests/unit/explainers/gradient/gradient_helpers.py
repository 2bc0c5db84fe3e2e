"""Small PyTorch models for the gradient-explainer tests: closed-form functions, tiny CNNs, trained nets."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from explicable.models.torch import TorchAdapter

SIDE = 12  # trained CNN: 12 x 12 x 3 images


class SinModel(torch.nn.Module):
    """f(x) = sin(x @ a) + (x * x) @ b: gradient a cos(x @ a) + 2 b x, in float64."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        super().__init__()
        self.a = torch.nn.Parameter(torch.as_tensor(a, dtype=torch.float64))
        self.b = torch.nn.Parameter(torch.as_tensor(b, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (torch.sin(x @ self.a) + (x * x) @ self.b)[:, None]


def tiny_cnn(seed: int = 0, channels: int = 3, classes: int = 3, width: int = 6,
             dtype: torch.dtype = torch.float64) -> torch.nn.Sequential:
    """Conv(3x3, pad 1) -> ReLU -> MaxPool(2) -> Conv(3x3) -> ReLU -> global mean -> Linear."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Conv2d(channels, width, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(width, width, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(), torch.nn.Linear(width, classes)).to(dtype)


class ChannelsLast(torch.nn.Module):
    """The same network taking (n, H, W, C)."""

    def __init__(self, inner: torch.nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x.permute(0, 3, 1, 2))


def images(n: int, side: int = 8, channels: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, side, side, channels))


def lesion_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy 12x12x3 images; class 1 has a bright 3x3 square at a random place."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, SIDE, SIDE, 3)) * 0.5
    y = rng.integers(0, 2, n)
    for i in np.flatnonzero(y):
        r, c = rng.integers(0, SIDE - 3, 2)
        x[i, r:r + 3, c:c + 3, :] += 0.8
    return x, y


@lru_cache(maxsize=1)
def trained_cnn() -> TorchAdapter:
    """A tiny CNN trained (about a second) to find the bright square; outputs the two class logits."""
    torch.manual_seed(0)
    net = tiny_cnn(seed=1, classes=2, width=8, dtype=torch.float32)
    x, y = lesion_images(96, seed=1)
    inputs = torch.as_tensor(x.transpose(0, 3, 1, 2), dtype=torch.float32)
    labels = torch.as_tensor(y)
    opt = torch.optim.Adam(net.parameters(), lr=0.02)
    for _ in range(25):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(inputs), labels)
        loss.backward()
        opt.step()
    net.eval()
    return TorchAdapter(net, image_shape=(SIDE, SIDE, 3), output_names=["clear", "lesion"])


@lru_cache(maxsize=1)
def trained_mlp() -> tuple[TorchAdapter, np.ndarray]:
    """An MLP trained on 8 features of which 0, 1 and 2 matter (log-odds of class 1), and its data."""
    torch.manual_seed(0)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(512, 8))
    y = (2 * X[:, 0] - 1.5 * X[:, 1] + X[:, 2] ** 2 - 1 > 0).astype(np.float64)
    net = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1)).double()
    opt = torch.optim.Adam(net.parameters(), lr=0.03)
    inputs, labels = torch.as_tensor(X), torch.as_tensor(y)[:, None]
    for _ in range(150):
        opt.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(net(inputs), labels).backward()
        opt.step()
    return TorchAdapter(net, output_names=["class_1"], output_space="log-odds"), X
