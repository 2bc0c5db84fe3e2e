"""Ed25519 keys for signing checkpoints and retention anchors (the ``cryptography`` package)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from explicable.core.errors import InvalidParameterError

__all__ = ["load_signing_key", "public_hex", "sign", "verify_signature"]

_EXPECTED = "an Ed25519 private key: 32 raw bytes, PEM bytes, or the path of a PEM file"


def load_signing_key(spec: Any, default_path: Path | None = None) -> Ed25519PrivateKey:
    """Resolve ``spec`` to a private key; with ``spec=None`` load or create the PEM file ``default_path``."""
    if isinstance(spec, Ed25519PrivateKey):
        return spec
    if spec is None:
        if default_path is None:
            return Ed25519PrivateKey.generate()
        if not default_path.exists():
            _write_new_key(default_path)
        return _from_pem(default_path.read_bytes(), default_path)
    if isinstance(spec, bytes):
        if len(spec) == 32:
            return Ed25519PrivateKey.from_private_bytes(spec)
        return _from_pem(spec, spec)
    if isinstance(spec, (str, os.PathLike)):
        path = Path(spec)
        if not path.is_file():
            raise InvalidParameterError(parameter="signing_key", expected=_EXPECTED, got=str(spec))
        return _from_pem(path.read_bytes(), spec)
    raise InvalidParameterError(parameter="signing_key", expected=_EXPECTED, got=type(spec).__name__)


def _from_pem(data: bytes, shown: Any) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(parameter="signing_key", expected=_EXPECTED, got=shown) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidParameterError(parameter="signing_key", expected=_EXPECTED, got=type(key).__name__)
    return key


def _write_new_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created 0600 from the start: the key must never be readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())


def public_hex(key: Ed25519PrivateKey) -> str:
    """The raw public key, hex."""
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """The signature of ``message``, hex."""
    return key.sign(message).hex()


def verify_signature(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is a valid signature of ``message`` by the given public key."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def read_public_key(spec: str | os.PathLike[str]) -> str:
    """An Ed25519 public key as raw hex, from hex text or a PEM file (public or private: its public part)."""
    text = str(spec)
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    path = Path(text)
    if not path.is_file():
        raise InvalidParameterError(parameter="public_key", expected="64 hex digits or a PEM file", got=text)
    data = path.read_bytes()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            return public_hex(_from_pem(data, path))
        except Exception:
            raise InvalidParameterError(parameter="public_key", expected="an Ed25519 key in PEM", got=text) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidParameterError(parameter="public_key", expected="an Ed25519 public key", got=text)
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
