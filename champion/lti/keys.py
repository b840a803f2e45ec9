"""Keys: the tool's own RS256 key pair (signs deep-linking responses and client
assertions), and each platform's published keys (verify its launches), cached.

Built on joserfc: maintained, typed, and strict by default (an algorithm must be named,
claims are checked by a registry), where PyLTI1p3 has had no release since 2022.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from flask import current_app
from joserfc.jwk import KeySet, RSAKey

from champion.errors import OperationError
from champion.keyfiles import read_or_create

JWKS_LIFETIME = 3600  # seconds a platform's key set is trusted before it is read again
JWKS_REFRESH_GAP = 10  # at most one refetch this often for an unknown kid (no flood)
FETCH_TIMEOUT = 10


class PlatformKeysError(OperationError):
    """A platform's key set can't be read or doesn't hold the key a token names."""


def key_path() -> Path:
    configured = current_app.config.get("CHAMPION_LTI_KEY_FILE")
    if configured:
        return Path(configured)
    return Path(current_app.instance_path) / "lti-tool-rs256.pem"


def _load(path: Path) -> RSAKey:
    key = RSAKey.import_key(path.read_bytes())
    key.ensure_kid()  # RFC 7638 thumbprint: stable, and anyone can recompute it
    return key


def tool_key() -> RSAKey:
    """The tool's signing key, made once (atomically across workers) and kept."""
    cached = current_app.extensions.get("champion.lti_key")
    if cached is not None:
        return cached
    path = key_path()
    read_or_create(path, lambda: RSAKey.generate_key(2048, private=True).as_pem(private=True))
    key = _load(path)
    current_app.extensions["champion.lti_key"] = key
    return key


def tool_jwks() -> dict[str, list[dict[str, Any]]]:
    """The public keys platforms verify the tool with: the current key, and the previous
    one while it is being retired (``<key file>.previous``, see docs/deployment.md)."""
    keys = [tool_key()]
    previous = key_path().with_name(key_path().name + ".previous")
    if previous.exists():
        keys.append(_load(previous))
    return {"keys": [{**key.as_dict(private=False), "kid": key.kid, "alg": "RS256",
                      "use": "sig"} for key in keys]}


class PlatformKeyCache:
    """Each platform's key set by URL, shared by the worker's threads: read once an hour,
    and again (at most every few seconds) when a token names a key not in it, which is
    how a platform's key rotation reaches us."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sets: dict[str, tuple[float, KeySet]] = {}

    def key_set(self, url: str, kid: str | None) -> KeySet:
        now = time.monotonic()
        with self._lock:
            cached = self._sets.get(url)
        if cached is not None:
            fetched_at, keys = cached
            fresh = now - fetched_at < JWKS_LIFETIME
            if fresh and (kid is None or _has(keys, kid)):
                return keys
            if fresh and now - fetched_at < JWKS_REFRESH_GAP:
                return keys  # just read: the kid is unknown, not late
        keys = fetch_key_set(url)
        with self._lock:
            self._sets[url] = (now, keys)
        return keys

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()


def _has(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


def fetch_key_set(url: str) -> KeySet:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
            document = json.loads(response.read(1_000_000))
        return KeySet.import_key_set(document)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PlatformKeysError(
            f"the platform's key set at {url} could not be read ({exc})") from exc


platform_keys = PlatformKeyCache()
