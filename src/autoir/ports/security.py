"""Security primitives services need."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    """Slow, salted password hashing."""

    def hash(self, password: str) -> str:
        """Hash a password."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when the password matches the hash."""
        ...
