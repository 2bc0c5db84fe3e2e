"""The FastAPI app: ``create_app(settings)`` serves explanations and keeps the audit trail.

Endpoints: POST /v1/explain (role explain), GET /v1/decisions/{id}, POST /v1/decisions/{id}/replay and
GET /v1/audit/verify (role auditor), GET /healthz, /readyz and /metrics. Every /v1 request, rejected and failed
ones included, writes one audit record before its response leaves (see :mod:`._recording`).
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from explicable._version import __version__
from explicable.core.errors import ExplicableError
from explicable.service._checkpoints import CheckpointTimer
from explicable.service._compute import canonical, compute, plain_language, redact, sha256_of
from explicable.service._metrics import Metrics
from explicable.service._models import ServedModel, load_served
from explicable.service._recording import AuditMiddleware, note
from explicable.service.auth import AuthError, Caller, KeyRing
from explicable.service.schemas import (
    DecisionResponse,
    ErrorResponse,
    ExplainRequest,
    ExplainResponse,
    ReplayResponse,
    VerifyResponse,
)
from explicable.service.settings import ServiceSettings

__all__ = ["create_app", "openapi_document"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No or unknown API key."},
    403: {"model": ErrorResponse, "description": "The key's role may not use this endpoint."},
    503: {"model": ErrorResponse, "description": "Timed out, or the audit store could not record the request."},
}
_READ_ERRORS = {**_ERRORS, 404: {"model": ErrorResponse, "description": "No such decision."}}


def create_app(settings: ServiceSettings, *, store: Any = None,
               models: Mapping[str, ServedModel] | None = None) -> FastAPI:
    """The service app.

    Parameters
    ----------
    settings : ServiceSettings
    store : AuditStore, optional
        Default: ``explicable.audit.open_store(settings.audit_url)``.
    models : mapping of str to ServedModel, optional
        Default: every model of ``settings`` loaded (safe formats only unless trusted) and its explainer fitted.
    """
    if store is None:
        from explicable.audit import open_store

        store = open_store(settings.audit_url)
    served = dict(models) if models is not None else {m.name: load_served(m) for m in settings.models}
    keys, metrics = KeyRing(settings.api_keys), Metrics()
    timer = CheckpointTimer(store, float(getattr(store, "checkpoint_seconds", 60.0)))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        timer.start()
        try:
            yield
        finally:
            timer.stop()

    app = FastAPI(title="explicable", version=__version__, lifespan=lifespan,
                  description="Explanations of model decisions with a tamper-evident, replayable audit trail.")
    app.state.checkpoint_timer = timer
    app.state.store, app.state.models, app.state.metrics = store, served, metrics
    app.add_middleware(AuditMiddleware, store=store, metrics=metrics)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
                  for e in exc.errors()]
        note(request, error="; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        note(request, error=str(exc.detail))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    _health_routes(app, served, store, metrics)
    _explain_route(app, settings, served, _requirer(keys, "explain"))
    _audit_routes(app, served, store, _requirer(keys, "auditor"))
    return app


def _requirer(keys: KeyRing, role: str) -> Callable[[Request], Awaitable[Caller]]:
    async def require(request: Request) -> Caller:  # async: a digest lookup is not worth a thread hop
        header = request.headers.get("authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
        try:
            caller = keys.check(key, role)
        except AuthError as exc:
            raise HTTPException(exc.status, exc.message, headers={"WWW-Authenticate": "Bearer"}) from None
        note(request, caller={"name": caller.name, "role": caller.role})
        return caller

    return require


def _limit(request: Request, message: str) -> JSONResponse:
    note(request, error=message)
    return JSONResponse({"detail": [{"loc": ["body"], "msg": message, "type": "limit_exceeded"}]}, status_code=422)


def _health_routes(app: FastAPI, served: Mapping[str, ServedModel], store: Any, metrics: Metrics) -> None:
    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"model": ErrorResponse}})
    def readyz() -> Any:
        """Readiness: models loaded and the audit store open."""
        if not served or store is None:
            return JSONResponse({"detail": "No model is loaded."}, status_code=503)
        return {"status": "ready", "models": {name: m.fingerprint for name, m in served.items()}}

    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
    def prometheus() -> Response:
        """Prometheus metrics."""
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")


def _explain_route(app: FastAPI, settings: ServiceSettings, served: Mapping[str, ServedModel],
                   require: Callable[[Request], Awaitable[Caller]]) -> None:
    limits = settings.limits

    @app.post("/v1/explain", response_model=ExplainResponse, tags=["decisions"],
              responses={**_ERRORS, 404: {"model": ErrorResponse, "description": "No such model."}})
    async def explain(body: ExplainRequest, request: Request, caller: Annotated[Caller, Depends(require)]) -> Any:
        """Predict and explain one row or a batch; the decision is recorded before the answer."""
        name = body.model if body.model is not None else (next(iter(served)) if len(served) == 1 else None)
        if name is None or name not in served:
            raise HTTPException(404, f"No model named {body.model!r}; served: {sorted(served)}.")
        model = served[name]
        rows = body.batch()
        if len(rows) > limits.max_rows:
            return _limit(request, f"Too many rows: {len(rows)}; at most {limits.max_rows} per request.")
        if max(len(r) for r in rows) > limits.max_features:
            return _limit(request, f"Too many features: {max(len(r) for r in rows)}; at most {limits.max_features}.")
        if body.budget is not None and body.budget > limits.max_budget:
            return _limit(request, f"Explanation budget {body.budget} is over the limit of {limits.max_budget}.")
        budget = body.budget or model.settings.budget
        note(request, model=name, model_fingerprint=model.fingerprint, seed=model.settings.seed,
             explainer={"method": model.method, "budget": budget},
             input=redact(rows, settings.redact, settings.redaction_key), redacted=sorted(settings.redact))
        try:
            result = await asyncio.wait_for(run_in_threadpool(compute, model, rows, budget), settings.timeout_seconds)
        except TimeoutError:
            note(request, timed_out=True)
            raise HTTPException(503, f"The explanation took longer than {settings.timeout_seconds} s.") from None
        except ExplicableError as exc:
            return _limit(request, str(exc))
        note(request, output=result["output"], explanation=result["explanation"], reasons=result["reasons"])
        app.state.metrics.decisions.labels(name).inc(len(rows))
        return JSONResponse(_response(request.scope["explicable.audit"]["decision_id"], name, model, result))


def _response(decision_id: str, name: str, model: ServedModel, result: dict[str, Any]) -> dict[str, Any]:
    exp = result["explanation"]
    rows = []
    for i, prediction in enumerate(result["output"]):
        rows.append({"row": i, "prediction": dict(zip(exp["output_names"], prediction, strict=True)),
                     "explanation": {"feature_names": exp["feature_names"], "output_names": exp["output_names"],
                                     "base_values": exp["base_values"][i], "values": exp["values"][i],
                                     "stderr": None if exp["stderr"] is None else exp["stderr"][i],
                                     "output_space": exp["output_space"]},
                     "reasons": None if result["reasons"] is None else result["reasons"][i],
                     "reasons_note": result["reasons_note"]})
    return {"decision_id": decision_id, "model": name, "model_fingerprint": model.fingerprint,
            "method": model.method, "seed": model.settings.seed, "results": rows}


def _decision(store: Any, decision_id: str) -> dict[str, Any]:
    record = store.get(decision_id)
    if record is None:
        raise HTTPException(404, f"No decision with id {decision_id!r}.")
    return dict(record)


def _audit_routes(app: FastAPI, served: Mapping[str, ServedModel], store: Any,
                  require: Callable[[Request], Awaitable[Caller]]) -> None:
    @app.get("/v1/decisions/{decision_id}", response_model=DecisionResponse, tags=["audit"],
             responses=_READ_ERRORS)
    async def decision(decision_id: str, request: Request, caller: Annotated[Caller, Depends(require)]) -> Any:
        """A recorded decision, with a plain-language explanation of each row."""
        record = await run_in_threadpool(_decision, store, decision_id)
        note(request, subject=decision_id)
        model = served.get(str(record.get("model")))
        if record.get("explanation") is None or model is None or not model.binary or record.get("redacted"):
            return {"decision_id": decision_id, "record": record,
                    "note": "No plain-language text: the record has no explanation of a served binary classifier "
                            "with its full input."}
        try:
            texts = plain_language(model, record)
        except ExplicableError as exc:
            return {"decision_id": decision_id, "record": record, "note": f"No plain-language text: {exc}"}
        return {"decision_id": decision_id, "record": record, "plain_language": texts}

    @app.post("/v1/decisions/{decision_id}/replay", response_model=ReplayResponse, tags=["audit"],
              responses={**_READ_ERRORS, 409: {"model": ErrorResponse, "description": "Cannot be replayed."}})
    async def replay(decision_id: str, request: Request, caller: Annotated[Caller, Depends(require)]) -> Any:
        """Recompute a decision from its logged input, model fingerprint and seed; compare byte for byte."""
        record = await run_in_threadpool(_decision, store, decision_id)
        note(request, subject=decision_id)
        model = _replayable(served, record)
        budget = (record.get("explainer") or {}).get("budget")
        result = await run_in_threadpool(compute, model, record["input"], budget)
        same_output = canonical(result["output"]) == canonical(record["output"])
        same_exp = canonical(result["explanation"]) == canonical(record["explanation"])
        note(request, replay_identical=same_output and same_exp)
        return {"decision_id": decision_id, "identical": same_output and same_exp, "output_identical": same_output,
                "explanation_identical": same_exp, "model_fingerprint": model.fingerprint,
                "seed": model.settings.seed,
                "logged_sha256": sha256_of([record["output"], record["explanation"]]),
                "replayed_sha256": sha256_of([result["output"], result["explanation"]])}

    @app.get("/v1/audit/verify", response_model=VerifyResponse, tags=["audit"], responses=_ERRORS)
    async def verify(request: Request, caller: Annotated[Caller, Depends(require)]) -> Any:
        """Check the audit trail's hash chain and signed checkpoints."""
        report = await run_in_threadpool(store.verify)
        note(request, verify_ok=bool(report.ok))
        return {"ok": bool(report.ok), "records": int(report.records), "checkpoints": int(report.checkpoints),
                "first_bad": report.first_bad, "problem": report.problem or None}


def _replayable(served: Mapping[str, ServedModel], record: Mapping[str, Any]) -> ServedModel:
    if record.get("status") != "ok" or record.get("explanation") is None:
        raise HTTPException(409, "Only successful explain decisions can be replayed.")
    model = served.get(str(record.get("model")))
    if model is None:
        raise HTTPException(409, f"The model {record.get('model')!r} is not served any more.")
    if model.fingerprint != record.get("model_fingerprint"):
        raise HTTPException(409, f"The served model's fingerprint {model.fingerprint} differs from the logged "
                                 f"{record.get('model_fingerprint')}; the decision cannot be replayed on it.")
    if record.get("seed") != model.settings.seed:
        raise HTTPException(409, f"The logged seed {record.get('seed')} differs from the served model's "
                                 f"{model.settings.seed}.")
    if record.get("redacted"):
        raise HTTPException(409, f"The columns {record['redacted']} were redacted in the log; the decision "
                                 "cannot be recomputed from it.")
    return model


def openapi_document() -> str:
    """The service's OpenAPI schema as committed in ``docs/openapi.json`` (sorted keys, 2-space indent)."""
    import json

    schema = create_app(ServiceSettings(), store=_NO_STORE, models={}).openapi()
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


_NO_STORE = object()  # the schema needs no store
