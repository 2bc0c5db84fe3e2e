"""``explicable serve MODEL... [--config explicable.yaml]``: the explanation service with its audit trail."""

from __future__ import annotations

import gc
import secrets
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from explicable.core.errors import InvalidParameterError
from explicable.service.settings import ApiKey, ModelSettings, ServiceSettings, hash_key, load_settings

__all__ = ["build_settings", "serve"]


def build_settings(models: list[str], config: Path | None, *, trust: bool, background: Path | None, method: str,
                   seed: int, budget: int | None, audit_url: str | None) -> ServiceSettings:
    """The settings of the config file plus the models named on the command line (``NAME=PATH`` or ``PATH``)."""
    settings = load_settings(config)
    extra = []
    for item in models:
        name, sep, path = item.partition("=")
        file = Path(path if sep else item)
        extra.append(ModelSettings(name=name if sep else file.stem, path=file, trust=trust, method=method, seed=seed,
                                   budget=budget, background=background))
    served = tuple(replace(m, trust=m.trust or trust) for m in settings.models) + tuple(extra)
    if not served:
        raise InvalidParameterError(parameter="model", expected="at least one model (argument or config 'models')",
                                    got="none")
    names = [m.name for m in served]
    if len(set(names)) != len(names):
        raise InvalidParameterError(parameter="model", expected="distinct model names", got=names)
    return replace(settings, models=served, audit_url=audit_url or settings.audit_url)


def serve(
    model: Annotated[list[str] | None, typer.Argument(help="Model files, as PATH or NAME=PATH (safe formats; pickle "
                                                      "only with --trust).")] = None,
    *,
    config: Annotated[Path | None, typer.Option(help="YAML/JSON config: models, limits, timeout, audit store, "
                                                "redaction, API keys (hashed).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8000,
    trust: Annotated[bool, typer.Option("--trust", help="Allow pickle/joblib files: loading them runs code.")] = False,
    background: Annotated[Path | None, typer.Option(help="Reference rows (CSV/Parquet) for the models given as "
                                                    "arguments (needed by every method but TreeSHAP).")] = None,
    method: Annotated[str, typer.Option(help="Explanation method of the models given as arguments.")] = "auto",
    seed: Annotated[int, typer.Option(help="Seed of sampled methods (recorded, and used by replay).")] = 0,
    budget: Annotated[int | None, typer.Option(help="Coalition evaluations per row for sampled methods.")] = None,
    audit_url: Annotated[str | None, typer.Option(help="Audit store URL (default sqlite:///explicable-audit.db; "
                                                  "or postgresql+psycopg://...).")] = None,
) -> None:
    """Serve explanations over HTTP; every request is recorded in a tamper-evident audit trail."""
    import uvicorn

    from explicable.service.app import create_app

    settings = build_settings(list(model or []), config, trust=trust, background=background, method=method,
                              seed=seed, budget=budget, audit_url=audit_url)
    if not settings.api_keys:
        # no key configured: an admin key for this run only, so the service is never open
        key = secrets.token_urlsafe(24)
        settings = replace(settings, api_keys=(ApiKey(hash_key(key), "admin", "generated-admin"),))
        print(f"No API keys configured; admin key for this run: {key}", file=sys.stderr, flush=True)
    app = create_app(settings)
    # the models and libraries loaded so far live as long as the process: keeping them out of the cyclic
    # collector's scans removes its long pauses from the latency tail
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":  # `python -m explicable.cli.serve`, for tests and benchmarks
    typer.run(serve)
