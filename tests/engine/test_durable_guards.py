"""One test per known durable_rules bug of durable-rules 2.0.28, so an upgrade that changes one is noticed.

Tests that could crash or hang the interpreter run in a subprocess with a timeout: a segfault or an endless
loop then fails the test instead of killing pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from adjudication import EvaluationError, Ruleset, RulesetError

from .conftest import ROOT, rule_yaml, small_ruleset


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter at the project root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_case_matching_no_rule_is_referred_not_crashed(shipped: Ruleset) -> None:
    # without the catch-all rule: MessageNotHandledException, then delete_state of an action-less sid segfaults;
    # with it the case is decided, and as no rule of its programme spoke, a person must look
    decision = shipped.evaluate({"event_date": "2024-05-01", "claim_type": "JHT"})
    assert (decision.outcome, [r.code for r in decision.reasons], decision.rules_fired, decision.liability) == (
        "referred", ["NO_APPLICABLE_RULE"], (), None)


def test_case_without_a_claim_type_matching_no_rule_is_approved_without_reasons(shipped: Ruleset) -> None:
    decision = shipped.evaluate({"event_date": "2024-05-01"})
    assert (decision.outcome, decision.reasons, decision.rules_fired) == ("approved", (), ())


def test_more_than_1024_sequential_evaluations(shipped: Ruleset) -> None:
    # durable caps live sessions at 1024 per ruleset; every evaluation must delete its own
    facts = {"event_date": "2024-03-10", "claim_type": "JKK", "segment": "PU", "outcome_type": "death",
             "wage": 5000000, "claim_age_years": 1}
    for _ in range(3000):
        assert shipped.evaluate(facts).total_amount == 262000000


def test_action_exception_surfaces_and_the_engine_recovers() -> None:
    # durable swallows action exceptions into state['exception'] and carries on
    ruleset = small_ruleset(rule_yaml("T.DIVIDE", "{fact: wage, present: true}",
                                      "[{benefit: {code: X, amount: '1000 / wage'}}]"))
    with pytest.raises(EvaluationError, match="division by zero"):
        ruleset.evaluate({"event_date": "2024-01-01", "wage": 0})
    for _ in range(1100):  # the failed session was deleted too: no leak towards the 1024 cap
        with pytest.raises(EvaluationError):
            ruleset.evaluate({"event_date": "2024-01-01", "wage": 0})
    assert ruleset.evaluate({"event_date": "2024-01-01", "wage": 10}).total_amount == 100


def test_a_rule_whose_alternatives_match_twice_fires_once() -> None:
    # durable runs the action once per matching alternative: two listed values present fired the rule twice
    # (a repeated reason, and a benefit paid twice); each rule records itself once per evaluation
    ruleset = small_ruleset(rule_yaml(
        "T.TWICE", "{any: [{fact: incident_flags, contains: [fight, crime]}, {fact: wage, gt: 1}]}",
        "[{refer: SEND}, {benefit: {code: X, amount: wage}}]"))
    decision = ruleset.evaluate({"event_date": "2024-01-01", "incident_flags": ["fight", "crime"], "wage": 5})
    assert decision.rules_fired == ("T.TWICE",)
    assert [r.code for r in decision.reasons] == ["SEND"]


def test_canary_raw_durable_fires_an_action_per_matching_alternative() -> None:
    # the behaviour the guard above exists for; if an upgrade stops it, the guard becomes unnecessary
    from adjudication import engine

    calls: list[int] = []
    engine.register("canary_alternatives", {"r0": {"pri": 1, "pattern": {"$and": [
        {"kind": "case"}, {"$or": [{"$iany": {"flags": {"$i": "a"}}}, {"$iany": {"flags": {"$i": "b"}}}]}]}}},
        {"r0": lambda session: calls.append(1)})
    engine.evaluate(["canary_alternatives"], {"kind": "case", "flags": ["a", "b"]})
    assert len(calls) == 2


def test_rule_on_an_absent_fact_terminates() -> None:
    # the per-sid state fact also lacks the fact: without the kind discriminator this re-fires forever
    result = run_python("""
        from tests.engine.conftest import small_ruleset, rule_yaml
        rs = small_ruleset(rule_yaml("T.ABSENT", "{fact: wage, absent: true}", "[{refer: SEND}]"))
        for _ in range(100):
            d = rs.evaluate({"event_date": "2024-01-01"})
            assert d.rules_fired == ("T.ABSENT",), d.rules_fired
        print("ok")
    """, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_concurrent_threads_get_correct_identical_results() -> None:
    # the default dispatcher plus request threads segfaulted 15/15 runs; we disable it and lock per process
    result = run_python("""
        import threading
        from adjudication import load_ruleset
        rs = load_ruleset("rules")
        cases = [
            {"event_date": "2024-03-10", "claim_type": "JKK", "segment": "PU", "outcome_type": "death",
             "wage": w, "claim_age_years": 1, "reported_on": "2024-03-1%d" % (w % 7)}
            for w in (400000, 5000000, 7000000, 12345678)
        ] + [{"event_date": "2019-03-01", "claim_type": "JKK", "claim_age_years": 3},
             {"event_date": "2024-07-20", "claim_type": "JKM", "segment": "BPU",
              "contribution_consecutive_unpaid_months": 4}]
        expected = [rs.evaluate(c).to_dict() for c in cases]
        errors = []
        def worker(n):
            try:
                for i in range(400):
                    k = (i + n) % len(cases)
                    got = rs.evaluate(cases[k]).to_dict()
                    if got != expected[k]:
                        errors.append((k, got))
            except BaseException as exc:
                errors.append(repr(exc))
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert not errors, errors[:3]
        print("ok", threading.active_count())
    """)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert result.stdout.split() == ["ok", "1"]  # and no dispatcher threads left behind


def test_evaluation_in_a_forked_child() -> None:
    result = run_python("""
        import os
        from adjudication import load_ruleset
        rs = load_ruleset("rules")
        case = {"event_date": "2024-03-10", "claim_type": "JKK", "segment": "PU", "outcome_type": "death",
                "wage": 400000, "claim_age_years": 1}
        assert rs.evaluate(case).total_amount == 42000000  # the parent has a host before forking
        pid = os.fork()
        if pid == 0:
            ok = all(rs.evaluate(case).total_amount == 42000000 for _ in range(1100))
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        assert rs.evaluate(case).total_amount == 42000000
        print("ok")
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_too_many_rules_are_refused_at_load_not_hung() -> None:
    # from ~512 rules in one durable ruleset create_ruleset or the first assert spins forever
    result = run_python("""
        from adjudication import RulesetError
        from adjudication.compiler import MAX_RULES
        from tests.engine.conftest import small_ruleset, rule_yaml
        rules = "".join(rule_yaml(f"T.R{i}", "{fact: claim_age_years, gt: %d}" % i) for i in range(MAX_RULES + 1))
        try:
            small_ruleset(rules)
        except RulesetError as exc:
            print("refused:", exc)
    """, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refused:" in result.stdout and "exceed the limit" in result.stdout


def test_many_simultaneously_matching_rules_are_split_into_parts() -> None:
    # more than 63 alpha paths matching at once overflow durable's match stack (error 303)
    result = run_python("""
        from tests.engine.conftest import small_ruleset, rule_yaml
        rules = "".join(rule_yaml(f"T.R{i:03d}", "{fact: claim_age_years, gt: %d}" % i) for i in range(300))
        rs = small_ruleset(rules)
        d = rs.evaluate({"event_date": "2024-01-01", "claim_age_years": 1000})
        assert len(d.rules_fired) == 300 and list(d.rules_fired) == sorted(d.rules_fired)
        print(len(rs.part_names))
    """, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) >= 7


def test_a_rule_with_too_many_alternatives_is_refused() -> None:
    values = ", ".join(f"x{i}" for i in range(60))
    with pytest.raises(RulesetError, match="alternatives"):
        small_ruleset(rule_yaml("T.WIDE", f"{{fact: duplicate_of, in: [{values}]}}"))


def test_canary_raw_durable_still_has_the_match_stack_limit() -> None:
    # if this starts passing without error 303, durable_rules changed: revisit MAX_ALTERNATIVES_PER_PART
    result = run_python("""
        import uuid
        from durable import engine
        class H(engine.Host):
            def _run(self): pass
        rules = {f"r{i}": {"all": [{"m": {"$and": [{"kind": "c"}, {"$gte": {"x": i}}]}}], "run": lambda c: None}
                 for i in range(70)}
        h = H(); h.register_rulesets({"t": rules})
        sid = uuid.uuid4().hex
        try:
            h.assert_fact("t", {"sid": sid, "kind": "c", "x": 1000})
            print("no error")
        except Exception as exc:
            print(exc)
    """, timeout=60)
    assert "error code: 303" in result.stdout


def test_canary_raw_delete_state_of_an_idle_session_crashes() -> None:
    # the reason for the catch-all rule: deleting a session that never ran an action segfaults
    result = run_python("""
        import uuid
        from durable import engine
        class H(engine.Host):
            def _run(self): pass
        h = H(); h.register_rulesets({"t": {"r": {"all": [{"m": {"kind": "never"}}], "run": lambda c: None}}})
        sid = uuid.uuid4().hex
        try:
            h.assert_fact("t", {"sid": sid, "kind": "case"})
        except Exception:
            pass
        h.delete_state("t", sid)
        print("survived")
    """, timeout=60)
    assert "survived" not in result.stdout, "durable no longer crashes here: the catch-all may be unneeded"
    assert result.returncode != 0


def test_sessions_are_dropped_after_each_evaluation_even_when_an_action_fails(shipped: Ruleset) -> None:
    # actions record into a Python session keyed by the sid; it must not outlive its evaluation
    from adjudication import engine

    shipped.evaluate({"event_date": "2024-03-10", "claim_type": "JKK", "segment": "PU", "outcome_type": "death",
                      "wage": 5000000})
    assert engine._SESSIONS == {}
    ruleset = small_ruleset(rule_yaml("T.DIVIDE", "{fact: wage, present: true}",
                                      "[{benefit: {code: X, amount: '1000 / wage'}}]"))
    with pytest.raises(EvaluationError, match="division by zero"):
        ruleset.evaluate({"event_date": "2024-01-01", "wage": 0})
    assert engine._SESSIONS == {}


def test_durable_session_state_stays_tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    # durable re-asserts the state after every action (update_state): nothing of ours may grow in it
    import json

    from adjudication import engine

    seen: list[dict[str, object]] = []
    update_state = engine.native.update_state

    def spy(handle: int, state: str) -> object:
        seen.append(json.loads(state))
        return update_state(handle, state)

    monkeypatch.setattr(engine.native, "update_state", spy)
    ruleset = small_ruleset(rule_yaml("T.SPY", "{fact: wage, gt: 1}", "[{benefit: {code: X, amount: wage}}]"))
    assert ruleset.evaluate({"event_date": "2024-01-01", "wage": 7}).total_amount == 7
    # one update per action: the rule's and the catch-all's
    assert len(seen) == 2 and all(set(state) <= {"sid", "id", "$s"} for state in seen), seen


def _durables_own_loop(names: tuple[str, ...], document: dict[str, object]) -> list[dict[str, object]]:
    """What engine.evaluate gives, with each part run by durable's public ``Host.assert_fact`` instead of the
    C loop (``engine._drive``): its Python closures call the same bound actions."""
    import uuid

    from adjudication import engine

    sid, session, results = uuid.uuid4().hex, engine.Session(document), []
    with engine._locked_host() as host:
        engine._SESSIONS[sid] = session
        try:
            for name in names:
                session.fired, session.items = [], []
                asserted = {k: v for k, v in document.items() if k in engine._PROPERTIES[name]}
                state = host.assert_fact(name, {**asserted, "sid": sid})
                host.delete_state(name, sid)
                assert isinstance(state, dict) and not state.get("exception"), state
                results.append({"fired": session.fired, "items": session.items})
        finally:
            del engine._SESSIONS[sid]
    return results


def test_canary_the_c_loop_fires_what_durables_own_loop_fires(shipped: Ruleset) -> None:
    # engine._drive calls durable's C extension (private API) in Host.assert_fact's order; over every rule case
    # with facts, both fire the same rules with the same amount items, part by part
    from adjudication import engine
    from adjudication.check import load_cases

    from .conftest import RULES_DIR

    compared = 0
    for case in load_cases(RULES_DIR):
        if case.facts is None or case.inputs is not None:
            continue
        try:
            _, document, _ = shipped.case_document(case.facts)
        except Exception:  # noqa: BLE001 - a case whose facts are meant to be refused
            continue
        names = shipped.parts_for(document)
        assert engine.evaluate(names, document) == _durables_own_loop(names, document), case.name
        compared += 1
    assert compared > 300


def test_canary_durables_action_message_names_the_rule_first() -> None:
    # engine.action_key reads the rule key from the front of the C engine's message instead of decoding it
    import json
    import uuid

    from adjudication import engine

    engine.register("canary_message", {"r0": {"pri": 1, "pattern": {"$and": [{"kind": "case"}, {"$gt": {"w": 1}}]}}},
                    {"r0": lambda session: None})
    sid = uuid.uuid4().hex
    with engine._locked_host() as host:
        handle = host.get_ruleset("canary_message")._handle
        code, offset = engine.native.assert_fact(handle, json.dumps({"sid": sid, "kind": "case", "w": 2, "n": "é\""}))
        state, message = engine.native.start_action_for_state(handle, offset)
        keys = []
        while message is not None:
            assert [engine.action_key(message)] == list(json.loads(message)), message
            keys.append(engine.action_key(message))
            engine.native.update_state(handle, state)
            message = engine.native.complete_and_start_action(handle, offset)
        host.delete_state("canary_message", sid)
    assert (code, keys) == (0, ["r0", engine.CATCH_ALL_KEY])


def test_an_integer_past_64_bits_is_refused_and_the_engine_recovers() -> None:
    # the document is encoded with orjson, which refuses such an integer; durable's C engine could not hold it
    # either. The session it opened is flushed and deleted: the next evaluations are decided as usual
    ruleset = small_ruleset(rule_yaml("T.SPY", "{fact: wage, gt: 1}", "[{benefit: {code: X, amount: wage}}]"))
    for _ in range(1100):  # each refused case frees its session: no leak towards durable's 1024 live sessions
        with pytest.raises(EvaluationError, match="64-bit"):
            ruleset.evaluate({"event_date": "2024-01-01", "wage": 2**70})
    assert ruleset.evaluate({"event_date": "2024-01-01", "wage": 7}).total_amount == 7
