"""The durable_rules host: one per process, no dispatcher threads, one evaluation at a time.

Guards against the engine's known bugs (see DURABLE_RULES.md):
* a fresh uuid sid per evaluation, ``delete_state`` in ``finally`` (more than 1024 live sids break a ruleset);
* a catch-all rule so every session runs an action (``delete_state`` of an action-less sid segfaults);
* the ``Host`` background dispatcher disabled (with request threads it walks freed state: SIGSEGV);
* a per-process lock around each evaluation, and a new host and lock in a forked child;
* ``state['exception']`` checked, because the engine swallows action exceptions;
* definitions deep-copied before registering (``Ruleset.__init__`` deletes ``run`` from them);
* versioned ruleset names that are never deleted (deleting or re-registering a name is unsafe).

Speed: durable JSON-encodes the session state, re-asserts it (``update_state``) and decodes the next matched
fact for every action it runs, so the state is kept to durable's own ``{sid, id}``: actions record what fired
and the amount items in a per-evaluation ``Session`` kept in Python, keyed by the unique sid (evaluations are
serialised by the per-process lock, and the session is dropped in ``finally``).
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from durable import engine as durable

from .compiler import CATCH_ALL_PRI, catch_all_pattern, pattern_properties
from .errors import EvaluationError

log = logging.getLogger(__name__)


class Session:
    """What the actions of one evaluation record: rule indexes fired and amount items, per part."""

    __slots__ = ("facts", "fired", "items")

    def __init__(self, facts: Mapping[str, Any]) -> None:
        self.facts = facts  # the case as actions read it (engine form: dates as epoch days)
        self.fired: list[int] = []
        self.items: list[tuple[int, int, int, str]] = []  # (rule index, effect index, amount, basis)


Action = Callable[[Session], None]
DefinitionFactory = Callable[[], dict[str, Any]]

# every ruleset name this process may evaluate, with a factory for a fresh definition; never shrinks,
# so a host re-created after fork can register any of them again lazily
_DEFINITIONS: dict[str, DefinitionFactory] = {}
# per ruleset name, the document properties its patterns read: only these are asserted (durable JSON-encodes and
# decodes the matched fact for every action it runs, so a smaller fact is a cheaper action)
_PROPERTIES: dict[str, frozenset[str]] = {}
# the session of each evaluation in progress, by its sid (at most one per process: evaluations hold the lock)
_SESSIONS: dict[str, Session] = {}


class _SyncHost(durable.Host):
    """A Host for synchronous use: no dispatcher timers, rulesets registered on first use."""

    def _run(self) -> None:
        # private API of durable-rules 2.0.28 (pinned): the dispatcher is only needed for async actions
        pass

    def load_ruleset(self, ruleset_name: str) -> dict[str, Any]:
        # durable's lazy-load hook: called by get_ruleset for a name not registered on this host yet
        return {ruleset_name: _DEFINITIONS[ruleset_name]()}


class _Process:
    """The host and lock of the current process; replaced in a forked child."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.host: _SyncHost | None = None


_process = _Process()


def _after_fork_in_child() -> None:
    # threads do not survive fork: a lock held by another thread at fork time would never be released
    global _process
    _process = _Process()


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def _locked_host() -> Iterator[_SyncHost]:
    process = _process
    if process.pid != os.getpid():  # fork without the at-fork hook (e.g. os.fork from C)
        _after_fork_in_child()
        process = _process
    with process.lock:
        if process.host is None:
            process.host = _SyncHost()
        yield process.host


def register(name: str, rules: dict[str, dict[str, Any]], actions: dict[str, Action]) -> None:
    """Make ruleset ``name`` (rule key -> {pri, pattern}) evaluable in this and any forked process."""

    def definition() -> dict[str, Any]:
        fresh: dict[str, Any] = {}
        for key, rule in rules.items():
            fresh[key] = {"pri": rule["pri"], "all": [{"m": copy.deepcopy(rule["pattern"])}],
                          "run": _bind(actions[key])}
        fresh["__catch_all__"] = {"pri": CATCH_ALL_PRI, "all": [{"m": catch_all_pattern()}],
                                  "run": _catch_all}
        return fresh

    properties = frozenset(pattern_properties(catch_all_pattern()).union(
        *(pattern_properties(rule["pattern"]) for rule in rules.values())))
    with _process.lock:
        # same name = same content hash = same behaviour: keep the first registration
        _DEFINITIONS.setdefault(name, definition)
        _PROPERTIES.setdefault(name, properties)


def _bind(action: Action) -> Callable[[Any], None]:
    """The durable action (exactly one parameter, the closure ``c``) running ``action`` on its session."""

    def run(c: Any) -> None:
        action(_SESSIONS[c.s._d["sid"]])
    return run


def _catch_all(c: Any) -> None:
    """Runs for every case so the session has executed an action before ``delete_state``."""


def _flush(host: _SyncHost, name: str, sid: str) -> bool:
    # the case fact was refused: assert a bare case so the catch-all runs and the sid may be deleted
    try:
        host.assert_fact(name, {"sid": sid, "kind": "case", "flush": 1})
        return True
    except Exception:  # noqa: BLE001 - we are already failing; leaking one sid beats a segfault
        log.exception("could not flush durable session %s of %s; leaving it allocated", sid, name)
        return False


def _run_part(host: _SyncHost, name: str, sid: str, document: dict[str, Any]) -> None:
    # no update_state first: the fact creates the session, whose state stays durable's own {sid, id}
    state: Any = None
    acted = False
    try:
        state = host.assert_fact(name, document)
        acted = True  # the catch-all matches every case, so at least one action ran
    finally:
        if not acted:
            acted = _flush(host, name, sid)
        if acted:
            host.delete_state(name, sid)
    if not isinstance(state, dict):
        raise EvaluationError(f"the rule engine returned no result for {name} (an action exceeded 10 s?)")
    if state.get("exception"):
        raise EvaluationError(f"a rule action failed in {name}: {str(state['exception'])[:2000]}")


def evaluate(names: Sequence[str], document: Mapping[str, Any],
             facts: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Assert one case document into each named ruleset in order; per part, what its actions recorded.

    Each result is ``{"fired": [rule index, ...], "items": [(rule index, effect index, amount, basis), ...]}``
    in firing order. Each part is asserted only the document properties its patterns read; actions read the
    whole case from ``facts`` (default: the document).
    """
    sid = uuid.uuid4().hex
    session = Session(document if facts is None else facts)
    results = []
    try:
        with _locked_host() as host:
            _SESSIONS[sid] = session
            try:
                for name in names:
                    session.fired, session.items = [], []
                    properties = _PROPERTIES[name]
                    asserted = {key: value for key, value in document.items() if key in properties}
                    asserted["sid"] = sid
                    _run_part(host, name, sid, asserted)
                    results.append({"fired": session.fired, "items": session.items})
            finally:
                del _SESSIONS[sid]
        return results
    except EvaluationError:
        raise
    except Exception as exc:  # the C engine reports its failures as bare exceptions
        raise EvaluationError(f"the rule engine failed: {exc}") from exc
