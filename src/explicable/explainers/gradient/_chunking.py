"""How many inputs go through one forward (and backward) pass: chosen from measured sizes, not left to the user.

Gradient methods evaluate many inputs per explained row (an integral's steps, noisy copies, occluded
copies). One pass over all of them at once runs out of memory or, on a CPU, out of cache: captum's default
(one pass) ran Integrated Gradients at a third of the forward+backward throughput at 32 images. One input
per pass wastes the vectorisation. The chunk size here comes from

- the memory one input costs: measured by a probe pass over one input, counting the bytes autograd saves
  for the backward pass (``torch.autograd.graph.saved_tensors_hooks``) plus the input, its scaled copy and
  its gradient; without gradients, the outputs of every module (forward hooks) stand in;
- free memory: ``torch.cuda.mem_get_info`` on a GPU, ``os.sysconf`` available pages on the CPU; a chunk
  takes at most a quarter of it;
- throughput: a GPU is fastest with the largest chunk memory allows; a CPU with a chunk whose saved
  activations about fill its last-level cache, at most 64 MiB (measured on a 3-conv CNN, about 1 MB of
  activations per 3x64x64 image, 2 cores and a 32 MB L3: 25 to 67 images per pass ran at the same speed
  per image, 80 at 1.3x and 160 at 2x its time; on 16 cores of a server 32-64 were fastest), and at least
  ``PER_THREAD`` inputs for each of torch's threads, so every core has work.

The size depends on the machine, never on timings, so a run is reproducible on it (chunk sizes can change
the last bits of a convolution's result); explainers record the size used.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = ["auto_batch_size", "balanced", "cache_bytes", "free_bytes", "input_bytes"]

#: Last-level cache assumed where the machine does not say (bytes).
DEFAULT_CACHE = 32 * 2**20
#: Most activation bytes per pass aimed at on a CPU.
MAX_TARGET = 64 * 2**20
#: Most inputs per pass on a GPU, where Python overhead stops mattering long before this.
MAX_GPU_CHUNK = 4096
#: Most inputs per pass on a CPU (small tabular models: beyond this, gains are nil).
MAX_CPU_CHUNK = 8192
#: Fewest inputs per pass for each of torch's CPU threads.
PER_THREAD = 4

_PROBES: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], int]] = weakref.WeakKeyDictionary()


@lru_cache(maxsize=1)
def cache_bytes() -> int:
    """Size of the CPU's largest cache (Linux sysfs), or 32 MiB where unknown.

    A virtual machine may report its host's whole L3 (300 MB on a 16-core slice of a server), hence the cap
    of the chunk target at ``MAX_TARGET``.
    """
    sizes = []
    root = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = os.listdir(root)
    except OSError:
        return DEFAULT_CACHE
    for entry in entries:
        try:
            with open(os.path.join(root, entry, "size")) as fh:
                text = fh.read().strip().upper()
            scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
            sizes.append(int(text.rstrip("KMG")) * scale)
        except (OSError, ValueError):
            continue  # an index without a size (or an odd one): skip it
    return max(sizes, default=DEFAULT_CACHE) or DEFAULT_CACHE


def free_bytes(device: Any) -> int:
    """Free memory on ``device``: the GPU's free memory, or the machine's available RAM."""
    if getattr(device, "type", "cpu") == "cuda":
        import torch

        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return 2**31  # unknown: assume 2 GiB, a modest machine


def input_bytes(forward: Callable[[Any], Any], example: Any, *, backward: bool, key: Any = None) -> int:
    """Memory one input costs in a pass, measured on ``example`` (a batch of one input, module layout).

    With ``backward``, the bytes autograd saves for the backward pass (each storage counted once) plus three
    copies of the input (the input, its gradient, and the tensor it was built from); otherwise the bytes of
    every tensor the forward pass allocates as a module output. Cached per ``key`` (the module) and shape.
    """
    import torch

    cache_key = (tuple(example.shape), example.dtype, example.device, backward)
    if key is not None:
        try:
            known = _PROBES.setdefault(key, {})
        except TypeError:
            known = {}
        if cache_key in known:
            return known[cache_key]
    seen: dict[Any, int] = {}
    # weights and buffers are saved too, but they are paid once per pass, not per input
    shared = {t.untyped_storage().data_ptr() for t in (*key.parameters(), *key.buffers())} \
        if isinstance(key, torch.nn.Module) else set()

    def pack(tensor: Any) -> Any:
        if isinstance(tensor, torch.Tensor) and tensor.layout == torch.strided:
            storage = tensor.untyped_storage()
            if storage.data_ptr() not in shared:
                seen[storage.data_ptr()] = max(seen.get(storage.data_ptr(), 0), storage.nbytes())
        return tensor

    if backward:
        with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            forward(example.detach().clone().requires_grad_(True))
    else:
        seen[-1] = _forward_bytes(forward, example, key)
    per_input = sum(seen.values()) + 3 * int(example.numel() * example.element_size())
    if key is not None:
        known[cache_key] = per_input
    return per_input


def auto_batch_size(per_input: int, total: int, device: Any) -> int:
    """Inputs per pass for ``total`` inputs costing ``per_input`` bytes each on ``device`` (see the module doc).

    Examples
    --------
    >>> import torch
    >>> 1 <= auto_batch_size(10**6, 1600, torch.device("cpu")) <= 1600
    True
    """
    per_input = max(int(per_input), 1)
    fits = max(1, free_bytes(device) // 4 // per_input)
    if getattr(device, "type", "cpu") == "cuda":
        best = min(fits, MAX_GPU_CHUNK)
    else:
        import torch

        target = min(cache_bytes(), MAX_TARGET)
        best = min(fits, max(target // per_input, PER_THREAD * torch.get_num_threads(), 1), MAX_CPU_CHUNK)
    return balanced(total, best)


def balanced(total: int, most: int) -> int:
    """The smallest chunk size giving as few chunks as chunks of ``most`` do (equal chunks, no small tail).

    >>> balanced(50, 32), balanced(1600, 32), balanced(7, 100)
    (25, 32, 7)
    """
    most = max(1, min(int(most), int(total)))
    n_chunks = -(-int(total) // most)
    return max(1, -(-int(total) // n_chunks))


def _forward_bytes(forward: Callable[[Any], Any], example: Any, module: Any) -> int:
    # Without autograd a pass frees each activation once used, so the sum of the leaf modules' outputs
    # over-estimates its peak: a safe bound.
    import torch

    sizes: list[int] = []

    def hook(_module: Any, _inputs: Any, output: Any) -> None:
        if isinstance(output, torch.Tensor):
            sizes.append(int(output.numel() * output.element_size()))

    leaves = [m for m in module.modules() if not any(True for _ in m.children())] \
        if isinstance(module, torch.nn.Module) else []
    handles = [m.register_forward_hook(hook) for m in leaves]
    try:
        with torch.no_grad():
            out = forward(example)
    finally:
        for handle in handles:
            handle.remove()
    return sum(sizes) + int(out.numel() * out.element_size())
