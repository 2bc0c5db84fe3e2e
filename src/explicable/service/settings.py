"""Service configuration: served models, limits, timeout, audit store, redaction and API keys.

Read from a YAML or JSON file (``explicable serve --config``) and the environment: ``EXPLICABLE_AUDIT_URL``
overrides the store, ``EXPLICABLE_API_KEYS`` adds keys as ``role:key,role:key`` (hashed at once, never kept).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from explicable.core.errors import InvalidParameterError
from explicable.core.validation import check_number

__all__ = ["ROLES", "ApiKey", "Limits", "ModelSettings", "ServiceSettings", "hash_key", "load_settings"]

ROLES = ("explain", "auditor", "admin")
_REDACTIONS = ("hash", "drop")


def hash_key(key: str) -> str:
    """SHA-256 hex digest of an API key (keys are long random strings, so a plain digest is enough).

    >>> hash_key("k")[:12]
    '8254c329a928'
    """
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """One API key, by its SHA-256 digest, with its role and a name for the audit trail."""

    sha256: str
    role: str
    name: str


@dataclass(frozen=True)
class Limits:
    """Per-request limits; a request beyond any of them gets 422."""

    max_rows: int = 100
    max_features: int = 500
    max_budget: int = 8192


@dataclass(frozen=True)
class ModelSettings:
    """A served model: its file and its explainer settings."""

    name: str
    path: Path
    trust: bool = False
    method: str = "auto"
    budget: int | None = None
    seed: int = 0
    background: Path | None = None
    threshold: float | None = None
    adverse_output: str | None = None
    reasons_k: int = 4


@dataclass(frozen=True)
class ServiceSettings:
    """Everything ``create_app`` needs."""

    models: tuple[ModelSettings, ...] = ()
    limits: Limits = field(default_factory=Limits)
    timeout_seconds: float = 10.0
    audit_url: str = "sqlite:///explicable-audit.db"
    redact: Mapping[str, str] = field(default_factory=dict)
    api_keys: tuple[ApiKey, ...] = ()
    #: Secret of the keyed hash (HMAC-SHA256) of "hash"-redacted columns; from $EXPLICABLE_REDACTION_KEY only.
    redaction_key: bytes | None = field(default=None, repr=False)


def load_settings(path: str | Path | None = None, *, env: Mapping[str, str] | None = None,
                  **overrides: Any) -> ServiceSettings:
    """Settings from a YAML/JSON file (optional), the environment, then keyword overrides.

    Parameters
    ----------
    path : str or Path, optional
        YAML or JSON file with keys ``models`` (name -> path or mapping), ``limits``, ``timeout_seconds``,
        ``audit_url``, ``redact`` (column -> "hash" | "drop"; "hash" is HMAC-SHA256 with the secret in
        ``$EXPLICABLE_REDACTION_KEY``, required then) and ``api_keys`` (list of name, role, sha256).
    env : mapping, optional
        Environment (default ``os.environ``).

    Examples
    --------
    >>> s = load_settings(env={"EXPLICABLE_API_KEYS": "auditor:secret"})
    >>> s.api_keys[0].role, s.api_keys[0].sha256 == hash_key("secret")
    ('auditor', True)
    """
    raw = _read(Path(path)) if path is not None else {}
    if not isinstance(raw, Mapping):
        raise InvalidParameterError(parameter="config", expected="a mapping at the top level", got=type(raw).__name__)
    base = Path(path).parent if path is not None else Path(".")
    environ = os.environ if env is None else env
    settings = ServiceSettings(
        models=tuple(_model(name, spec, base) for name, spec in dict(raw.get("models") or {}).items()),
        limits=_limits(raw.get("limits") or {}),
        timeout_seconds=check_number(raw.get("timeout_seconds", 10.0), "timeout_seconds", low=0, low_open=True),
        audit_url=str(environ.get("EXPLICABLE_AUDIT_URL") or raw.get("audit_url") or ServiceSettings.audit_url),
        redact=_redact(raw.get("redact") or {}),
        api_keys=tuple(_key(k) for k in raw.get("api_keys") or ()) + _env_keys(environ.get("EXPLICABLE_API_KEYS", "")),
        redaction_key=environ["EXPLICABLE_REDACTION_KEY"].encode() if environ.get("EXPLICABLE_REDACTION_KEY") else None,
    )
    settings = replace(settings, **overrides)
    if "hash" in settings.redact.values() and not settings.redaction_key:
        # a plain hash of a birth date or a name is recovered by trying every value: only a keyed hash hides it
        raise InvalidParameterError(parameter="redact", got="no EXPLICABLE_REDACTION_KEY",
                                    expected="$EXPLICABLE_REDACTION_KEY set, the secret of the keyed hash of the "
                                    "columns redacted by 'hash'")
    return settings


def _read(file: Path) -> Any:
    if not file.is_file():
        raise InvalidParameterError(f"The config file '{file}' does not exist.", parameter="config", got=str(file))
    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def _model(name: Any, spec: Any, base: Path) -> ModelSettings:
    if isinstance(spec, (str, Path)):
        spec = {"path": spec}
    if not isinstance(spec, Mapping) or "path" not in spec:
        raise InvalidParameterError(parameter=f"models.{name}", expected="a path or a mapping with 'path'", got=spec)
    known = set(ModelSettings.__dataclass_fields__) - {"name"}
    unknown = set(spec) - known
    if unknown:
        raise InvalidParameterError(parameter=f"models.{name}", expected=f"keys among {sorted(known)}",
                                    got=sorted(unknown))
    values = dict(spec)
    values["path"] = base / Path(values["path"])
    if values.get("background") is not None:
        values["background"] = base / Path(values["background"])
    return ModelSettings(name=str(name), **values)


def _limits(raw: Any) -> Limits:
    if not isinstance(raw, Mapping) or set(raw) - set(Limits.__dataclass_fields__):
        raise InvalidParameterError(parameter="limits", expected=f"a mapping with keys among "
                                    f"{sorted(Limits.__dataclass_fields__)}", got=raw)
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidParameterError(parameter=f"limits.{key}", expected="a positive int", got=value)
    return Limits(**raw)


def _redact(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping) or any(v not in _REDACTIONS for v in raw.values()):
        raise InvalidParameterError(parameter="redact", expected="a mapping column -> 'hash' or 'drop'", got=raw)
    return {str(k): str(v) for k, v in raw.items()}


def _key(raw: Any) -> ApiKey:
    if not isinstance(raw, Mapping) or raw.get("role") not in ROLES or not isinstance(raw.get("sha256"), str):
        raise InvalidParameterError(parameter="api_keys", expected=f"entries with 'sha256' and a role in {ROLES}",
                                    got=raw)
    return ApiKey(sha256=raw["sha256"].lower(), role=raw["role"], name=str(raw.get("name", raw["sha256"][:8])))


def _env_keys(text: str) -> tuple[ApiKey, ...]:
    keys = []
    for i, item in enumerate(part.strip() for part in text.split(",") if part.strip()):
        role, _, key = item.partition(":")
        if role not in ROLES or not key:
            raise InvalidParameterError(parameter="EXPLICABLE_API_KEYS", expected=f"role:key pairs, role in {ROLES}",
                                        got=f"entry {i} with role {role!r}")
        keys.append(ApiKey(sha256=hash_key(key), role=role, name=f"env-{role}-{i}"))
    return tuple(keys)
