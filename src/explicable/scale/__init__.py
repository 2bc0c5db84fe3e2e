"""Batch explanation at scale: a Parquet dataset explained partition by partition on Dask.

``dask.distributed`` is the ``scale`` extra (``pip install explicable[scale]``); it is imported only when a
batch runs.
"""

from explicable.scale._batch import BatchResult, explain_batch
from explicable.scale._plan import partition_seed

__all__ = ["BatchResult", "explain_batch", "partition_seed"]
