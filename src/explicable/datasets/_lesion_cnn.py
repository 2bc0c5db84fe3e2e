"""A small CNN that detects the synthetic lesions of :func:`explicable.datasets.lesions.make_lesions`.

Three 3x3 convolutions (8, 16 and 32 channels; ReLU; 2x2 max pooling after the first two), global max
pooling and a linear layer to two logits, ``("no_lesion", "lesion")``. It takes torch's channels-first
images (n, 3, H, W) in [0, 1]; with 64x64 inputs the last convolution (``conv3``, the Grad-CAM layer) is
16x16. The shipped weights (``data/lesion_cnn.npz``, plain float32 arrays keyed by ``state_dict`` name; no
pickle) were made, on CPU with one thread, by::

    python -c "from explicable.datasets._lesion_cnn import save_lesion_cnn; save_lesion_cnn()"

which calls ``train_lesion_cnn(make_lesions(TRAIN_SIZE, random_state=TRAIN_SEED), epochs=EPOCHS,
random_state=TRAIN_SEED)`` and writes the npz into the package. Held-out figures are measured on
``make_lesions(HELD_OUT_SIZE, random_state=HELD_OUT_SEED)``, a set the training never sees.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.validation import check_int, check_number, check_random_state

__all__ = ["EPOCHS", "HELD_OUT_SEED", "HELD_OUT_SIZE", "LESION_CNN_OUTPUTS", "TRAIN_SEED", "TRAIN_SIZE",
           "lesion_cnn", "lesion_cnn_accuracy", "save_lesion_cnn", "train_lesion_cnn"]

#: Output names, in logit order.
LESION_CNN_OUTPUTS = ("no_lesion", "lesion")
#: The recipe of the shipped weights.
TRAIN_SEED, TRAIN_SIZE, EPOCHS = 0, 2000, 30
#: The held-out set the shipped weights are judged on.
HELD_OUT_SEED, HELD_OUT_SIZE = 1, 500
_WEIGHTS = "lesion_cnn.npz"
_BATCH = 64


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise InvalidParameterError("the lesion CNN needs PyTorch: pip install explicable[deep]") from exc
    return torch


def _architecture() -> Any:
    torch = _torch()
    nn = torch.nn
    # Global max pooling: a lesion is a local object, and its presence is the strongest local response
    # (average pooling diluted a small lesion among skin: it trained to 0.59 held-out accuracy where max reached 0.99).
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 8, 3, padding=1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(8, 16, 3, padding=1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(16, 32, 3, padding=1)), ("relu3", nn.ReLU()),
        ("pool", nn.AdaptiveMaxPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(32, 2)),
    ]))


@contextmanager
def _seeded(seed: int, threads: int | None) -> Iterator[None]:
    """Run with torch's global generator seeded (restored afterwards) and, optionally, a fixed thread count
    (float sums in convolutions depend on how work is split between threads)."""
    torch = _torch()
    previous = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if threads is not None:
            torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.set_num_threads(previous)


def lesion_cnn(*, trained: bool = True, random_state: int | None = 0) -> Any:
    """The lesion CNN, with the shipped weights or freshly initialised.

    Parameters
    ----------
    trained : bool, default True
        Load the shipped weights (see the module docstring for how they were made); else PyTorch's default
        initialisation, seeded with ``random_state``.
    random_state : int, optional, default 0
        Seed of the initialisation when ``trained=False`` (torch's global generator is left as it was).

    Returns
    -------
    torch.nn.Sequential
        In eval mode, on the CPU; takes (n, 3, H, W) float32 in [0, 1], returns logits (n, 2) in the order
        ``LESION_CNN_OUTPUTS``.

    Examples
    --------
    >>> import torch
    >>> from explicable.datasets.lesions import make_lesions
    >>> data = make_lesions(4, random_state=5)
    >>> logits = lesion_cnn()(torch.as_tensor(data.images).permute(0, 3, 1, 2))
    >>> logits.argmax(dim=1).tolist() == data.labels.tolist()
    True
    """
    seed = check_random_state(random_state)
    with _seeded(0 if seed is None else seed, None):
        model = _architecture()
    if trained:
        model.load_state_dict(_load_weights())
    return model.eval()


def _load_weights() -> dict[str, Any]:
    torch = _torch()
    data = resources.files("explicable.datasets").joinpath("data", _WEIGHTS).read_bytes()
    import io

    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {name: torch.from_numpy(arrays[name].copy()) for name in arrays.files}


def train_lesion_cnn(images: np.ndarray, labels: np.ndarray, *, epochs: int = EPOCHS, learning_rate: float = 2e-3,
                     random_state: int = TRAIN_SEED) -> Any:
    """Train the lesion CNN on CPU, deterministically.

    Adam with a learning rate decayed linearly to zero, batches of 64, cross-entropy, and random flips and
    quarter turns of each batch (a lesion is a lesion whichever way up). The initialisation, the order of
    the batches and the augmentations all come from torch's generator seeded with ``random_state``, and the
    work runs on one thread, so the same call gives the same weights on the same machine.

    Parameters
    ----------
    images : array of shape (n, H, W, 3)
        Channels-last images in [0, 1] (as :func:`make_lesions` returns them).
    labels : array of shape (n,)
        0 (no lesion) or 1 (lesion).
    epochs : int, default EPOCHS
    learning_rate : float, default 2e-3
    random_state : int, default TRAIN_SEED

    Returns
    -------
    torch.nn.Sequential
        The trained model in eval mode.
    """
    torch = _torch()
    x, y = _training_tensors(images, labels)
    epochs = check_int(epochs, "epochs", low=1)
    learning_rate = check_number(learning_rate, "learning_rate", low=0, low_open=True)
    seed = check_int(random_state, "random_state", low=0)
    with _seeded(seed, 1):
        model = _architecture()
        optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
        steps = epochs * -(-x.shape[0] // _BATCH)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1.0 - step / steps)
        loss_fn = torch.nn.CrossEntropyLoss()
        model.train()
        for _ in range(epochs):
            order = torch.randperm(x.shape[0])
            for start in range(0, x.shape[0], _BATCH):
                batch = order[start:start + _BATCH]
                optimiser.zero_grad()
                loss_fn(model(_augment(torch, x[batch])), y[batch]).backward()
                optimiser.step()
                schedule.step()
    return model.eval()


def _training_tensors(images: np.ndarray, labels: np.ndarray) -> tuple[Any, Any]:
    torch = _torch()
    images = np.asarray(images, dtype="float32")
    labels = np.asarray(labels)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise InvalidDataError(parameter="images", expected="an array (n, H, W, 3)", got=images)
    if labels.shape != images.shape[:1] or not np.isin(labels, (0, 1)).all():
        raise InvalidDataError(parameter="labels", expected=f"0/1 labels of shape ({images.shape[0]},)", got=labels)
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    return x, torch.from_numpy(labels.astype("int64"))


def _augment(torch: Any, batch: Any) -> Any:
    """Random flip and quarter turn of the whole batch (square images), drawn from torch's generator."""
    turns, flip = (int(v) for v in torch.randint(0, 4, (2,)))
    batch = torch.rot90(batch, turns, dims=(2, 3))
    return torch.flip(batch, dims=(3,)) if flip % 2 else batch


def lesion_cnn_accuracy(model: Any, images: np.ndarray, labels: np.ndarray) -> float:
    """Share of ``images`` (n, H, W, 3) whose arg-max logit is ``labels``."""
    torch = _torch()
    x, y = _training_tensors(images, labels)
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + 256]).argmax(dim=1) for i in range(0, x.shape[0], 256)])
    return float((predicted == y).double().mean())


def save_lesion_cnn(path: str | Path | None = None) -> float:
    """Retrain the shipped model from its recipe, write its weights (npz) and return its held-out accuracy.

    Parameters
    ----------
    path : path, optional
        Where to write; default: the package's ``datasets/data/lesion_cnn.npz``.
    """
    from explicable.datasets.lesions import make_lesions

    train = make_lesions(TRAIN_SIZE, random_state=TRAIN_SEED)
    model = train_lesion_cnn(train.images, train.labels, epochs=EPOCHS, random_state=TRAIN_SEED)
    target = Path(path) if path is not None else Path(__file__).with_name("data") / _WEIGHTS
    arrays = {name: t.detach().cpu().numpy().astype("float32") for name, t in model.state_dict().items()}
    np.savez_compressed(target, **arrays)
    held_out = make_lesions(HELD_OUT_SIZE, random_state=HELD_OUT_SEED)
    return lesion_cnn_accuracy(model, held_out.images, held_out.labels)
