"""Checkpoints on a timer: records appended just before a quiet spell are covered within T seconds too.

The store checkpoints on append once N records or T seconds have passed; without a timer, the last records
before an idle period would wait for the next request, and truncating them would go unnoticed until then.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["CheckpointTimer"]


class CheckpointTimer:
    """A daemon thread that calls ``store.checkpoint()`` every ``seconds`` until stopped."""

    def __init__(self, store: Any, seconds: float) -> None:
        self.store = store
        self.seconds = seconds
        self.signed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="explicable-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            if self.store.checkpoint():
                self.signed += 1
