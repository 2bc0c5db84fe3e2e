"""Connecting to Dask: a LocalCluster by default, a scheduler address, or a Client the caller already holds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from explicable.core.errors import InvalidParameterError
from explicable.core.validation import check_int

__all__ = ["connect", "import_distributed"]


def import_distributed() -> Any:
    """``dask.distributed``, or an error that says which extra installs it."""
    try:
        import distributed
    except ImportError:
        raise InvalidParameterError(parameter="scheduler", expected="dask.distributed installed "
                                    "(pip install explicable[scale])", got="not installed") from None
    return distributed


@contextmanager
def connect(scheduler: Any, n_workers: int | None, threads_per_worker: int) -> Iterator[Any]:
    """Yield a ``distributed.Client``; close what this call opened, and only that.

    Parameters
    ----------
    scheduler : None, str or distributed.Client
        None starts a LocalCluster of ``n_workers`` processes (default: one per CPU); a string is a scheduler
        address (``tcp://host:8786``); a Client is used as is and left open.
    n_workers : int, optional
        Workers of the LocalCluster; refused with a scheduler, whose cluster is already sized.
    threads_per_worker : int
        Threads of each LocalCluster worker.
    """
    distributed = import_distributed()
    if isinstance(scheduler, distributed.Client):
        if n_workers is not None:
            raise InvalidParameterError(parameter="n_workers", expected="None when a scheduler is given "
                                        "(its cluster has its own workers)", got=n_workers)
        yield scheduler
        return
    if scheduler is None:
        workers = (os.cpu_count() or 1) if n_workers is None else check_int(n_workers, "n_workers", low=1)
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                                      dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
            yield client
        return
    if not isinstance(scheduler, str):
        raise InvalidParameterError(parameter="scheduler", expected="None, an address such as "
                                    "'tcp://host:8786', or a distributed.Client", got=scheduler)
    if n_workers is not None:
        raise InvalidParameterError(parameter="n_workers", expected="None when a scheduler is given", got=n_workers)
    try:
        client = distributed.Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidParameterError(f"Could not connect to the scheduler '{scheduler}': {exc}",
                                    parameter="scheduler", got=scheduler) from None
    with client:
        yield client
