"""Ed25519 keys and checkpoint signatures: the service signs with them, the offline verifier checks with them.

Standard library and ``cryptography`` only, like ``chain``: the verifier imports this module and nothing of the
engine. A key is named by its id, the sha256 (hex) of its raw 32-byte public key, so checkpoints signed by a key
that was rotated out stay verifiable with that key's public half.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .chain import checkpoint_message

ALGORITHM = "Ed25519"


def key_id(public: Ed25519PublicKey) -> str:
    """sha256 (hex) of the raw public key: the name checkpoints give their signing key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    """The public key as PEM text (SubjectPublicKeyInfo), as served and exported."""
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_pem(text: str | bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM text; ValueError for anything else."""
    key = serialization.load_pem_public_key(text.encode() if isinstance(text, str) else text)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def write_private_key(path: str | Path) -> str:
    """Create a new private key file (PKCS#8 PEM, mode 0600, never overwritten); returns its key id."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    # O_EXCL: an existing key is never replaced by accident; the mode is set before the key is written
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key_id(private.public_key())


class Signer:
    """The service's signing key, loaded from its PEM file."""

    def __init__(self, path: str | Path):
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        self._private = key
        self.public_key = key.public_key()
        self.key_id = key_id(self.public_key)
        self.public_pem = public_pem(self.public_key)

    def sign(self, checkpoint: Mapping[str, Any]) -> str:
        """Base64 signature over ``chain.checkpoint_message(checkpoint)``."""
        return base64.b64encode(self._private.sign(checkpoint_message(checkpoint))).decode()


def signature_valid(public: Ed25519PublicKey, checkpoint: Mapping[str, Any]) -> bool:
    """Whether the checkpoint's ``signature`` is ``public``'s over its seq, head hash, time and key id."""
    try:
        signature = base64.b64decode(str(checkpoint.get("signature") or ""), validate=True)
        public.verify(signature, checkpoint_message(checkpoint))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
