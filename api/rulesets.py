"""The rulesets a process can decide or replay with: the current one from RULES_DIR, older ones from the DB."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adjudication import Ruleset, load_ruleset_from_files
from adjudication.ruleset import read_rules_dir

from .errors import NotFound
from .models import RulesetVersion, utc_now

_COMPILED: dict[tuple[tuple[str, str], ...], Ruleset] = {}


def compiled(files: dict[str, str]) -> Ruleset:
    """A ruleset per distinct set of files, compiled once per process (apps built in tests share it)."""
    key = tuple(sorted(files.items()))
    if key not in _COMPILED:
        _COMPILED[key] = load_ruleset_from_files(files)
    return _COMPILED[key]


class RulesetRegistry:
    """Current ruleset plus a cache of stored versions; every version used for a decision is stored."""

    def __init__(self, rules_dir: str):
        self.current: Ruleset = compiled(read_rules_dir(rules_dir))
        self._cache: dict[str, Ruleset] = {self.current.version: self.current}
        self._committed: set[str] = set()

    def ensure_stored(self, session: Session, ruleset: Ruleset) -> None:
        """Keep the ruleset's files in the database, in the caller's transaction."""
        if ruleset.version in self._committed:
            return
        stored = session.scalar(select(RulesetVersion.version).where(RulesetVersion.version == ruleset.version))
        if stored is None:
            # two workers deciding their first claims at once both get here: the second insert is a no-op
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            session.execute(dialect.insert(RulesetVersion)
                            .values(version=ruleset.version, files=dict(ruleset.files), first_loaded_at=utc_now())
                            .on_conflict_do_nothing(index_elements=["version"]))
        else:
            # remembered only once seen stored: a row this request inserts may still be rolled back
            self._committed.add(ruleset.version)

    def get(self, session: Session, version: str) -> Ruleset:
        """The ruleset of ``version``, re-created from its stored files when it is not the current one."""
        # no lock: a replay asks once per row, and one dict read or write is atomic; two threads missing the same
        # version at once would each compile it, into rulesets of the same rules (durable registers a name once)
        found = self._cache.get(version)
        if found is not None:
            return found
        row = session.get(RulesetVersion, version)
        if row is None:
            raise NotFound(f"No ruleset {version}.")
        ruleset = self._cache[version] = compiled(dict(row.files))
        return ruleset

    def stored_versions(self, session: Session) -> list[dict[str, Any]]:
        """Every stored version, oldest first."""
        rows = session.scalars(select(RulesetVersion).order_by(RulesetVersion.first_loaded_at))
        return [{"version": r.version, "first_loaded_at": r.first_loaded_at,
                 "current": r.version == self.current.version} for r in rows]
