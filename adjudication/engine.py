"""The durable_rules host: one per process, no dispatcher threads, one evaluation at a time.

Guards against the engine's known bugs (each with a test in tests/engine/test_durable_guards.py):
* a fresh uuid sid per evaluation, ``delete_state`` in ``finally`` (more than 1024 live sids break a ruleset);
* a catch-all rule so every session runs an action (``delete_state`` of an action-less sid segfaults);
* the ``Host`` background dispatcher disabled (with request threads it walks freed state: SIGSEGV);
* a per-process lock around each evaluation, and a new host and lock in a forked child;
* an action's exception kept and raised once its session is deleted (durable's own loop swallows them into
  ``state['exception']``);
* definitions deep-copied before registering (``Ruleset.__init__`` deletes ``run`` from them);
* versioned ruleset names that are never deleted (deleting or re-registering a name is unsafe).

Speed: durable's Python layer JSON-encodes the session state, re-asserts it (``update_state``), decodes the
next matched fact and builds a closure with two clock reads for every action it runs. So the state is kept to
durable's own ``{sid, id}``, actions record what fired and the amount items in a per-evaluation ``Session`` kept in
Python, and a part is driven through durable's C extension with the same calls in the same order as
``Host.assert_fact`` makes them (``assert_fact``, ``start_action_for_state``, then per action ``update_state``
with the unchanged state and ``complete_and_start_action``), without that per-action Python: only the action's
rule key is read from each message. That extension and ``Ruleset._handle`` are private API of durable-rules
2.0.28 (pinned); ``tests/engine/test_durable_guards.py`` has canaries for the calls and the message form.
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

import durable_rules_engine as native
import orjson
from durable import engine as durable

from .compiler import CATCH_ALL_PRI, catch_all_pattern, pattern_properties
from .errors import EvaluationError

log = logging.getLogger(__name__)


class Session:
    """What the actions of one evaluation record: rule indexes fired and amount items, per part."""

    __slots__ = ("facts", "failure", "fired", "items")

    def __init__(self, facts: Mapping[str, Any]) -> None:
        self.facts = facts  # the case as actions read it (engine form: dates as epoch days)
        self.fired: list[int] = []
        self.items: list[tuple[int, int, int, str]] = []  # (rule index, effect index, amount, basis)
        self.failure: Exception | None = None  # the first action that raised, raised after the session ends


Action = Callable[[Session], None]
CATCH_ALL_KEY = "__catch_all__"
DefinitionFactory = Callable[[], dict[str, Any]]

# every ruleset name this process may evaluate, with a factory for a fresh definition; never shrinks,
# so a host re-created after fork can register any of them again lazily
_DEFINITIONS: dict[str, DefinitionFactory] = {}
# per ruleset name, the document properties its patterns read: only these are asserted (durable JSON-encodes and
# decodes the matched fact for every action it runs, so a smaller fact is a cheaper action)
_PROPERTIES: dict[str, frozenset[str]] = {}
# per ruleset name, its actions by rule key (the catch-all's is None): what the C loop in _drive runs
_ACTIONS: dict[str, dict[str, Action | None]] = {}
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
        fresh[CATCH_ALL_KEY] = {"pri": CATCH_ALL_PRI, "all": [{"m": catch_all_pattern()}],
                                  "run": _catch_all}
        return fresh

    properties = frozenset(pattern_properties(catch_all_pattern()).union(
        *(pattern_properties(rule["pattern"]) for rule in rules.values())))
    with _process.lock:
        # same name = same content hash = same behaviour: keep the first registration
        _DEFINITIONS.setdefault(name, definition)
        _PROPERTIES.setdefault(name, properties)
        _ACTIONS.setdefault(name, {**actions, CATCH_ALL_KEY: None})


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


def action_key(message: str) -> str:
    """The rule key of an action message from durable's C engine: ``{"<key>":{"m":{...the matched fact...}}}``.

    (Rule keys are ``r<index>`` and the catch-all's: no quote or escape in them.)"""
    return message[2:message.index('"', 2)]


def _drive(handle: int, name: str, document: dict[str, Any], session: Session) -> bool:
    """Assert ``document`` and run every action it triggers, as ``Host.assert_fact`` would; whether any ran.

    An action's exception is kept and the loop goes on, as durable does (the session must finish its actions
    before it may be deleted); it is raised after the session is deleted."""
    # orjson: the JSON json.dumps(ensure_ascii=False) gives for a document's values (text, integers, booleans,
    # lists of text), several times faster; an integer past 64 bits, which durable cannot hold, is refused
    code, state_offset = native.assert_fact(handle, orjson.dumps(document).decode())
    if code != 0:  # not handled (no rule matched, not even the catch-all) or observed: cannot happen to a case
        raise EvaluationError(f"the rule engine did not take the case in {name} (code {code})")
    started = native.start_action_for_state(handle, state_offset)
    if started is None:
        return False
    state, message = started
    actions = _ACTIONS[name]
    while message is not None:
        action = actions[action_key(message)]
        if action is not None and session.failure is None:
            try:
                action(session)
            except Exception as exc:  # noqa: BLE001 - reported once the session is deleted
                session.failure = exc
        native.update_state(handle, state)
        message = native.complete_and_start_action(handle, state_offset)
    return True


def _run_part(host: _SyncHost, name: str, sid: str, document: dict[str, Any], session: Session) -> None:
    # no update_state first: the fact creates the session, whose state stays durable's own {sid, id}
    acted = ran = False
    try:
        acted = ran = _drive(host.get_ruleset(name)._handle, name, document, session)
    finally:
        if not acted:
            acted = _flush(host, name, sid)
        if acted:
            host.delete_state(name, sid)
    if not ran:
        raise EvaluationError(f"the rule engine ran no action for {name} (an action's lease expired?)")
    if session.failure is not None:
        failure, session.failure = session.failure, None
        raise EvaluationError(f"a rule action failed in {name}: {str(failure)[:2000]}") from failure


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
                    _run_part(host, name, sid, asserted, session)
                    results.append({"fired": session.fired, "items": session.items})
            finally:
                del _SESSIONS[sid]
        return results
    except EvaluationError:
        raise
    except Exception as exc:  # the C engine reports its failures as bare exceptions
        raise EvaluationError(f"the rule engine failed: {exc}") from exc
