"""The shape of an API key: `qg_<prefix>_<secret>`. The prefix (10 characters) finds the key's
row by index; only the SHA-256 of the secret (32 random bytes, base32) is stored."""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX_LENGTH = 10
_KEY = re.compile(rf"^qg_([a-z0-9]{{{PREFIX_LENGTH}}})_([A-Z2-7]{{52}})$")


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret: str

    @property
    def token(self) -> str:
        return f"qg_{self.prefix}_{self.secret}"

    @property
    def secret_sha256(self) -> str:
        return digest(self.secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def generate() -> NewKey:
    prefix = "".join(
        secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(PREFIX_LENGTH)
    )
    secret = base64.b32encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    return NewKey(prefix, secret)


def parse(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key; None otherwise."""
    match = _KEY.match(token or "")
    return (match.group(1), match.group(2)) if match else None


def matches(secret: str, stored_sha256: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_sha256)
