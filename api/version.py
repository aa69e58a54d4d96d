"""The service version stored with every decision: the package version and a digest of the engine's code.

A replay made after a code change can then tell a difference in wording (the code changed) from a changed
decision (the rules or facts changed). The digest covers ``adjudication/``, the code that derives facts,
evaluates rules and words the decision.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent.parent / "adjudication"


@functools.cache
def service_version() -> str:
    """``<package version>+<12 hex of sha256 over adjudication/*.py>``."""
    try:
        release = metadata.version("bpjs-adjudication")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        release = "0+unknown"
    digest = hashlib.sha256()
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        digest.update(path.relative_to(ENGINE_DIR).as_posix().encode() + b"\n" + path.read_bytes())
    return f"{release}+{digest.hexdigest()[:12]}"
