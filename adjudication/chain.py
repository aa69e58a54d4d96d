"""The hash chain of the decision log: what a record's hash covers, in the standard library only.

The service (``api.decision_log``) and the offline verifier hash records with these functions, so a record
checks the same in the database and in an export. A record is a plain mapping with the log's fields.

Two record formats are in the log. Format 1 (before actor, inputs and trace were recorded) hashes
``decision_id, seq, kind, subject, ruleset_version, facts, result, decided_at``. Format 2 adds ``format``,
``inputs`` (the raw case and registry records the facts were derived from), ``trace``, ``actor``,
``request_id`` and ``service_version``. A record's format is part of what its hash covers, so a record cannot
be passed off as the older format to escape the newer fields.

A checkpoint is the service's Ed25519 signature over ``checkpoint_message``: the sequence number and hash of the
record at the head of the log, the time of signing and the signing key's id. Whoever kept a checkpoint can later
prove that the log up to that record has not been rewritten since, even by someone who can recompute every hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64
FORMAT_1_FIELDS = ("decision_id", "seq", "kind", "subject", "ruleset_version", "facts", "result", "decided_at")
FORMAT_2_FIELDS = (*FORMAT_1_FIELDS, "format", "inputs", "trace", "actor", "request_id", "service_version")
CURRENT_FORMAT = 2
CHECKPOINT_FIELDS = ("seq", "head_hash", "signed_at", "key_id")
# names what is signed, so a checkpoint signature cannot be taken for a signature over anything else
CHECKPOINT_CONTEXT = "bpjs-adjudication/decision-log-checkpoint/1"


# what json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str) builds per call
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the form every hash in this service is taken over."""
    return _CANONICAL.encode(value)


def record_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """sha256 over the previous hash and the canonical content of one record."""
    return hashlib.sha256((prev_hash + canonical_json(content)).encode()).hexdigest()


def hashed_content(record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a record's hash covers, by its format (``decided_at`` as ISO text, as stored and exported)."""
    fields = FORMAT_2_FIELDS if (record.get("format") or 1) >= 2 else FORMAT_1_FIELDS
    return {name: record.get(name) for name in fields}


def check_link(prev_hash: str, record: Mapping[str, Any]) -> str | None:
    """Why a record does not follow ``prev_hash`` (a broken link or a hash its content does not give), or None."""
    if record.get("prev_hash") != prev_hash:
        return "its prev_hash is not the previous record's hash"
    if record_hash(prev_hash, hashed_content(record)) != record.get("hash"):
        return "its hash does not match its content"
    return None


def checkpoint_message(checkpoint: Mapping[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: its context, seq, head hash, signing time and key id."""
    signed = {name: checkpoint.get(name) for name in CHECKPOINT_FIELDS}
    return canonical_json({"context": CHECKPOINT_CONTEXT, **signed}).encode()
