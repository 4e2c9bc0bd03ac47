"""PESEL at rest: encrypted (Fernet, AES-128-CBC + HMAC) and found through a keyed hash (blind index).

A database dump alone reveals neither: the ciphertext needs PERSONAL_DATA_KEY and the index is an HMAC-SHA256 under
PERSONAL_DATA_INDEX_KEY. Without those settings both keys are derived from SECRET_KEY (fine for the demo; production
sets its own keys, kept apart from the database backups).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"kooperacja:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = [Fernet(key.encode() if isinstance(key, str) else key) for key in keys]
    return MultiFernet(fernets)


def _encryption_keys() -> tuple[str, ...]:
    configured = [k for k in getattr(settings, "PERSONAL_DATA_KEYS", []) if k]
    if configured:
        return tuple(configured)
    return (base64.urlsafe_b64encode(_derived("pesel-encryption")).decode(),)


def _index_key() -> bytes:
    configured = getattr(settings, "PERSONAL_DATA_INDEX_KEY", "")
    return configured.encode() if configured else _derived("pesel-index")


def encrypt(value: str) -> str:
    """The Fernet token of `value` (a fresh IV each time: equal values give different tokens)."""
    return _fernet(_encryption_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plaintext of a token made by `encrypt` with the current or an older key; '' for an empty token."""
    if not token:
        return ""
    try:
        return _fernet(_encryption_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("The PESEL cannot be decrypted with the configured keys.") from exc


def rotate(token: str) -> str:
    """The token re-encrypted under the newest key (PERSONAL_DATA_KEYS[0]); '' stays ''.

    Key rotation: put the new key first in PERSONAL_DATA_KEYS (older keys after it still decrypt), run
    `manage.py rotate_personal_data_keys`, then drop the old key from the setting.
    """
    if not token:
        return ""
    try:
        return _fernet(_encryption_keys()).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("The PESEL cannot be decrypted with the configured keys.") from exc


def is_current(token: str) -> bool:
    """Whether `token` is encrypted under the newest key (no rotation needed)."""
    if not token:
        return True
    newest = _fernet((_encryption_keys()[0],))
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(value: str) -> str:
    """HMAC-SHA256 of the normalised value: equal values give equal indexes, the value cannot be read back."""
    normalised = "".join(ch for ch in value if ch.isdigit())
    return hmac.new(_index_key(), normalised.encode(), hashlib.sha256).hexdigest()
