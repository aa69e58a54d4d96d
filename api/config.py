"""Configuration from environment variables; ``create_app(config)`` may override any key (tests do)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def from_environment(instance_path: str) -> dict[str, Any]:
    """Read the documented environment variables (see README "Configuration")."""
    default_db = f"sqlite:///{Path(instance_path) / 'bpjs.sqlite3'}"
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "DATABASE_CONNECT_TIMEOUT": float(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2")),
        "DATABASE_STATEMENT_TIMEOUT": float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "20")),
        "DATABASE_BUSY_TIMEOUT": float(os.environ.get("DATABASE_BUSY_TIMEOUT", "10")),
        "DATABASE_FLUSH_AFTER_UNLOCK": os.environ.get("DATABASE_FLUSH_AFTER_UNLOCK", "1") != "0",
        "RULES_DIR": os.environ.get("RULES_DIR", str(ROOT / "rules")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_BODY_BYTES", str(4 * 1024 * 1024))),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # per token (or client address without one) over the whole API; generous: normal use and bench/ stay under it
        "RATE_LIMIT": os.environ.get("RATE_LIMIT", "5000 per second"),
        "RATE_LIMIT_STORAGE_URI": os.environ.get("RATE_LIMIT_STORAGE_URI", "memory://"),
        "AUDIT_SIGNING_KEY": os.environ.get("AUDIT_SIGNING_KEY", str(Path(instance_path) / "audit-signing-key.pem")),
        "AUDIT_CHECKPOINT_EVERY": int(os.environ.get("AUDIT_CHECKPOINT_EVERY", "1000")),
        "AUDIT_CHECKPOINT_SECONDS": float(os.environ.get("AUDIT_CHECKPOINT_SECONDS", "60")),
        # impact analysis: windows up to REPLAY_INLINE_MAX decisions are answered at once, larger ones run as jobs
        "REPLAY_INLINE_MAX": int(os.environ.get("REPLAY_INLINE_MAX", "2000")),
        "REPLAY_WORKERS": int(os.environ.get("REPLAY_WORKERS", str(os.cpu_count() or 1))),
        "REPLAY_CHUNK": int(os.environ.get("REPLAY_CHUNK", "1000")),
        "REPLAY_QUEUE": os.environ.get("REPLAY_QUEUE", str(Path(instance_path) / "replay-queue.sqlite3")),
    }
