"""What a channel is handed, and what it hands back."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    kind: str
    lang: str
    to_email: str | None
    subject: str
    text: str
    html: str
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    # A permanent failure will fail again on retry (bad address, bad credentials);
    # the dispatcher parks it instead of burning retries on it.
    permanent: bool = False
    error: str | None = None

    @classmethod
    def success(cls) -> "SendResult":
        return cls(ok=True, permanent=False, error=None)

    @classmethod
    def failed(cls, error: str, *, permanent: bool) -> "SendResult":
        return cls(ok=False, permanent=permanent, error=error)
