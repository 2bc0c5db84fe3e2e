"""The explanation service: ``explicable serve`` (FastAPI), API keys with roles, limits, and an audit record of
every request (see :mod:`explicable.audit`).

The application itself is :func:`explicable.service.app.create_app`; it needs the ``service`` extra (FastAPI,
uvicorn, prometheus-client), so this package only exports the settings, which the CLI reads without it.
"""

from explicable.service.settings import ApiKey, Limits, ModelSettings, ServiceSettings, hash_key, load_settings

__all__ = ["ApiKey", "Limits", "ModelSettings", "ServiceSettings", "hash_key", "load_settings"]
