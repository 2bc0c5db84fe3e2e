"""API keys, stored hashed, with roles: ``explain`` < ``auditor``; ``admin`` may do everything.

A missing or unknown key gives 401, a known key with the wrong role 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from explicable.service.settings import ApiKey, hash_key

__all__ = ["AuthError", "Caller", "KeyRing"]

# which roles may use an endpoint that needs a role
_GRANTS = {"explain": ("explain", "admin"), "auditor": ("auditor", "admin"), "admin": ("admin",)}


class AuthError(Exception):
    """Authentication (401) or authorisation (403) failed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Caller:
    """Who called: the key's name and role."""

    __slots__ = ("name", "role")

    def __init__(self, name: str, role: str) -> None:
        self.name = name
        self.role = role


class KeyRing:
    """The configured keys, looked up by digest.

    Examples
    --------
    >>> from explicable.service.settings import ApiKey, hash_key
    >>> ring = KeyRing([ApiKey(hash_key("s3cret"), "auditor", "ann")])
    >>> ring.check("s3cret", "auditor").name
    'ann'
    >>> ring.check("s3cret", "explain")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    explicable.service.auth.AuthError: This key (ann, role auditor) may not use this endpoint; ...
    """

    def __init__(self, keys: Sequence[ApiKey]) -> None:
        self._keys = {k.sha256: k for k in keys}

    def __len__(self) -> int:
        return len(self._keys)

    def identify(self, key: str | None) -> Caller:
        """The caller of ``key``; :class:`AuthError` 401 when it is missing or unknown."""
        if not key:
            raise AuthError(401, "An API key is required: send it as 'Authorization: Bearer <key>' or 'X-API-Key'.")
        digest = hash_key(key)
        found = None
        for known, entry in self._keys.items():  # constant-time comparison against every key
            if hmac.compare_digest(known, digest):
                found = entry
        if found is None:
            raise AuthError(401, "The API key is not valid.")
        return Caller(found.name, found.role)

    def check(self, key: str | None, role: str) -> Caller:
        """The caller of ``key`` if it holds ``role``; :class:`AuthError` 401 or 403 otherwise."""
        caller = self.identify(key)
        if caller.role not in _GRANTS[role]:
            raise AuthError(403, f"This key ({caller.name}, role {caller.role}) may not use this endpoint; "
                                 f"it needs the role '{role}'.")
        return caller
