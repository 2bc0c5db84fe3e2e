"""A real ``explicable serve`` process on loopback, for the crash test and the load benchmark."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ServerProcess", "free_port", "write_xgboost_model"]


def free_port() -> int:
    """A port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_xgboost_model(directory: Path, *, n_features: int, n_trees: int = 50, seed: int = 0) -> tuple[Path, Path]:
    """A binary XGBoost model in JSON (a safe format) and 100 background rows as CSV; returns both paths."""
    import xgboost

    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(500, n_features)), columns=[f"f{j}" for j in range(n_features)])
    y = (X.iloc[:, 0] + X.iloc[:, 1] ** 2 - X.iloc[:, -1] + rng.normal(size=500) > 1).astype(int)
    model = xgboost.XGBClassifier(n_estimators=n_trees, max_depth=3, random_state=seed, n_jobs=1).fit(X, y)
    directory.mkdir(parents=True, exist_ok=True)
    path, background = directory / f"xgb{n_features}.json", directory / f"bg{n_features}.csv"
    model.save_model(path)
    X.iloc[:100].to_csv(background, index=False)
    return path, background


class ServerProcess:
    """``python -m explicable.cli.serve`` as a child process; ``start`` waits until /readyz answers."""

    def __init__(self, args: list[str], *, api_key: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = args
        env = dict(os.environ, EXPLICABLE_API_KEYS=f"admin:{api_key}", OMP_NUM_THREADS="1")
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ServerProcess:
        cmd = [sys.executable, "-m", "explicable.cli.serve", *self.args, "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1.0) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("serve did not become ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
