"""Contract fuzzing with schemathesis: every operation of the app's own OpenAPI document, through WSGI.

Each operation is sent generated requests, valid and invalid, with the token of the first role allowed to call
it, on a fresh database holding a small registry and one decided claim:

- the fuzzing phase: Hypothesis-generated parameters and bodies, a bounded, derandomized number per operation;
- the coverage phase: schemathesis' deterministic boundary values, missing and extra fields, wrong types,
  wrong content types and undeclared methods.

Whatever comes back must not be a 5xx; a 4xx is the SPEC envelope ``{code, status, message, errors?}``; a
response matches its documented status, content type and schema; an invalid request is refused. A last
property sends invalid writes and checks that a refused request leaves every table as it was.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.formats import STRING_FORMATS, unregister_string_format
from sqlalchemy import select

from api import openapi_docs
from api.dates import today
from api.models import Base

from . import samples

OPENAPI = "/v1/openapi.json"
# bounded and derandomized: the same requests on every run, the whole file in well under a minute
FUZZ = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
# the token is ours to send: tests/api/test_auth.py walks missing and bad tokens for every endpoint already,
# so invalid cases spend their budget on parameters and bodies rather than on dropping the Authorization header
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
# dates at the edges of the calendar and of the rules, often: a uniform draw almost never lands on 9999-12-31
EDGE_DATES = [dt.date.min, dt.date.max, dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(2015, 6, 30),
              dt.date(2015, 7, 1), dt.date(2024, 2, 29), dt.date(2099, 12, 31), dt.date(2100, 1, 1)]
DATES = st.one_of(st.sampled_from(EDGE_DATES), st.dates()).map(dt.date.isoformat)
ENVELOPE_KEYS = {"code", "status", "message", "errors"}
WRITES = ("PUT /v1/employers/{npp}", "PUT /v1/participants/{kpj}", "POST /v1/contributions",
          "PUT /v1/projects/{project_number}", "POST /v1/claims", "POST /v1/claims/{claim_id}/documents",
          "POST /v1/claims/{claim_id}/redecide", "POST /v1/claims/{claim_id}/reviews")
READ_ONLY_POSTS = ("POST /v1/decisions/{decision_id}/replay", "POST /v1/replays", "POST /v1/claims/evaluate")


def _label_of(rule: str, method: str) -> str:
    """``PUT /v1/employers/<npp>`` in the URL map is ``PUT /v1/employers/{npp}`` in the OpenAPI document."""
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
    return f"{method} {path}"


def _first_roles(app: Flask) -> dict[str, str]:
    """The first role each view allows, by operation label."""
    roles = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in rule.methods or ():
            if getattr(view, "allowed_roles", None):
                roles[_label_of(rule.rule, method)] = view.allowed_roles[0]
    return roles


def _operations() -> list[str]:
    """The label of every documented operation, from the document every app of this process serves."""
    spec = openapi_docs.spec().to_dict()
    return sorted(f"{method.upper()} {path}" for path, item in spec["paths"].items()
                  for method in item if method != "parameters")


OPERATIONS = _operations()


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node))
    return set()


def test_every_ref_in_the_document_resolves(client: FlaskClient, auth: Any) -> None:
    """A dangling ``$ref`` leaves clients (and the fuzzer) unable to build that body at all."""
    document = client.get(OPENAPI, headers=auth("officer")).get_json()
    for ref in sorted(_refs(document)):
        assert ref.startswith("#/"), ref
        node = document
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
            node = node[part]


@pytest.fixture(scope="module", autouse=True)
def edge_dates() -> Iterator[None]:
    """``format: date`` drawn from ``DATES`` in this module only (schemathesis keeps formats process-wide)."""
    original = STRING_FORMATS.get("date")
    schemathesis.openapi.format("date", DATES)
    yield
    if original is None:
        unregister_string_format("date")
    else:
        schemathesis.openapi.format("date", original)


class Fuzzer:
    """The loaded document, the tokens and the stored keys of one test's app."""

    def __init__(self, app: Flask, client: FlaskClient, tokens: dict[str, str]):
        self.app = app
        self.tokens = tokens
        self.known = _seed(client, tokens)
        self.roles = _first_roles(app)
        # the document the app serves, loaded the way a client would; calls then go through WSGI to this app
        self.schema = schemathesis.openapi.from_wsgi(OPENAPI, app, config=CONFIG,
                                                     headers={"Authorization": f"Bearer {tokens['auditor']}"})
        self._keys = itertools.count(1)

    def operation(self, label: str) -> Any:
        operation = self.schema.find_operation_by_label(label)
        assert operation is not None, f"{label} is not in the document"
        return operation

    def strategy(self, label: str, modes: list[GenerationMode] | None = None) -> Any:
        """Generated cases of one operation; four in five use stored keys, the fifth keeps what was generated."""
        operation = self.operation(label)
        cases = st.one_of(*(operation.as_strategy(mode) for mode in modes or _modes(operation)))
        return st.tuples(cases, st.integers(min_value=-1, max_value=3)).map(lambda pair: self.use_known(*pair))

    def use_known(self, case: Any, pick: int) -> Any:
        """Put a stored KPJ, NPP, project, claim or decision into the case, so valid input gets past lookups.

        Only into a part schemathesis left valid: repairing the part it broke would make the case valid.
        """
        meta = case.meta
        if pick < 0 or meta is None:
            return case
        valid_path = not meta.is_negative_at(ParameterLocation.PATH)
        valid_body = isinstance(case.body, dict) and not meta.is_negative_at(ParameterLocation.BODY)
        for name, values in self.known.items():
            if valid_path and name in (case.path_parameters or {}):
                case.path_parameters[name] = values[pick % len(values)]
            if valid_body and isinstance(case.body.get(name), str):
                case.body[name] = values[pick % len(values)]
        if valid_body and isinstance(case.body.get("incident"), dict) and "claim_type" in case.body:
            # the document's oneOf cannot tie the incident's shape to claim_type; generated pairs mostly differ
            shape = case.body["incident"]
            case.body["claim_type"] = "JHT" if "reason" in shape else "JKM" if "cause" in shape else "JKK"
        return case

    def call(self, case: Any) -> Any:
        """Send the case with the operation's role token and, for a valid generated key, an unused one.

        A reused Idempotency-Key would only replay the first claim; a key made invalid on purpose is kept.
        """
        headers = {"Authorization": f"Bearer {self.tokens[self.roles[case.operation.label]]}"}
        key = (case.headers or {}).get("Idempotency-Key")
        if isinstance(key, str) and 8 <= len(key) <= 200:
            headers["Idempotency-Key"] = f"contract-{next(self._keys):08d}"
        return case.call(headers=headers)

    def check(self, case: Any) -> Any:
        response = self.call(case)
        case.validate_response(response, checks=CHECKS)
        if 400 <= response.status_code < 500:
            assert_envelope(response)
        return response


def _modes(operation: Any) -> list[GenerationMode]:
    """Invalid input needs something to break: a path-only ``{key}`` (any non-empty string) has nothing."""
    if operation.body or operation.query or operation.headers:
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def assert_envelope(response: Any) -> None:
    """A 4xx body is ``{code, status, message, errors?}`` with ``errors`` mapping field paths to messages."""
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) <= ENVELOPE_KEYS, body
    assert body["code"] == response.status_code, body
    assert body["status"] == HTTPStatus(response.status_code).phrase, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    if "errors" in body:
        errors = body["errors"]
        assert isinstance(errors, dict) and errors, body
        for path, messages in errors.items():
            assert isinstance(path, str) and path, body
            assert isinstance(messages, list) and messages, body
            assert all(isinstance(m, str) and m for m in messages), body


def _seed(client: FlaskClient, tokens: dict[str, str]) -> dict[str, list[str]]:
    """A registry, its contributions and one decided claim; returns the keys the fuzzer may reuse."""
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    samples.seed_registry(client, admin)
    assert client.put(f"/v1/participants/{samples.KPJ_PU}", json=samples.participant_pu(),
                      headers=admin).status_code == 200
    assert client.post("/v1/contributions", json=samples.contributions_batch(), headers=admin).status_code == 200
    claim = {"claim_type": "JKK", "kpj": samples.KPJ_PU, "filed_on": "2024-09-01",
             "incident": {"date": "2024-03-10", "kind": "workplace", "reported_on": "2024-03-10",
                          "outcome": {"type": "temporary_incapacity", "incapacity_months": 2}}}
    response = client.post("/v1/claims", json=claim,
                           headers={"Authorization": f"Bearer {tokens['officer']}", "Idempotency-Key": "seed-0001"})
    assert response.status_code == 201, response.get_json()
    decision = response.get_json()["decision"]
    return {"kpj": [samples.KPJ_PU, samples.KPJ_BPU], "npp": [samples.NPP, samples.OTHER_NPP],
            "project_number": [samples.PROJECT], "employer_npp": [samples.NPP],
            "contractor_npp": [samples.NPP, samples.OTHER_NPP], "claim_id": [response.get_json()["claim_id"]],
            "decision_id": [decision["decision_id"]], "version": [decision["ruleset_version"]],
            # the two versions of GET /v1/rulesets/{a}/diff/{b}
            "a": [decision["ruleset_version"], "current"], "b": ["current", decision["ruleset_version"]]}


@pytest.fixture
def fuzzer(app: Flask, client: FlaskClient, tokens: dict[str, str]) -> Fuzzer:
    return Fuzzer(app, client, tokens)


@pytest.mark.parametrize("label", OPERATIONS)
def test_generated_requests_keep_the_contract(fuzzer: Fuzzer, label: str) -> None:
    """Fuzzing phase: valid and invalid parameters and bodies drawn by Hypothesis."""

    @FUZZ
    @given(case=fuzzer.strategy(label))
    def fuzz(case: Any) -> None:
        fuzzer.check(case)

    fuzz()


@pytest.mark.parametrize("label", OPERATIONS)
def test_boundary_requests_keep_the_contract(fuzzer: Fuzzer, label: str) -> None:
    """Coverage phase: every boundary, missing or extra field, wrong type, media type and method, once each."""
    operation = fuzzer.operation(label)
    cases = list(fuzzer.schema.iter_coverage_cases(
        operation, generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        generation_config=fuzzer.schema.config.generation_for(operation=operation)))
    assert cases, label
    for n, case in enumerate(cases):
        fuzzer.check(fuzzer.use_known(case, n % 4))


def _snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with app.extensions["db_engine"].connect() as conn:
        return {table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables}


def test_rejected_writes_change_nothing(fuzzer: Fuzzer) -> None:
    """Invalid input on every writing endpoint, on a seeded registry: a 4xx leaves every table as it was.

    The audit POSTs are read-only whatever they answer, so they must leave the tables as they were too.
    """
    strategy = st.one_of(*(fuzzer.strategy(label, [GenerationMode.NEGATIVE]) for label in (*WRITES, *READ_ONLY_POSTS)))
    seen = {"refused": 0}

    @settings(FUZZ, max_examples=80)
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        before = _snapshot(fuzzer.app)
        response = fuzzer.call(case)
        assert response.status_code < 500, (case.operation.label, response.text)
        if response.status_code >= 400 or case.operation.label in READ_ONLY_POSTS:
            seen["refused"] += response.status_code >= 400
            assert _snapshot(fuzzer.app) == before, (case.operation.label, response.status_code, response.text)

    fuzz()
    assert seen["refused"] > 40, seen


@pytest.mark.parametrize("name", ["ReplayRequest", "BulkReplayRequest"])
def test_the_ruleset_choice_is_published_and_enforced_as_one_pattern(client: FlaskClient, auth: Any,
                                                                     name: str) -> None:
    """The fuzzer's valid replay bodies were all refused: the document said only ``string``."""
    document = client.get(OPENAPI, headers=auth("auditor")).get_json()
    published = document["components"]["schemas"][name]["properties"]["ruleset"]["pattern"]
    version = "sha256:" + "0" * 64
    for accepted in ("original", "current", version):
        assert re.search(published, accepted), accepted
    for refused in ("latest", "sha256:abc", f"{version}0"):
        assert not re.search(published, refused), refused
    # Python's ``$`` also matches before a final newline: the service must not take that for a version
    body = {"from": "2024-01-01", "to": "2024-01-31", "ruleset": f"{version}\n"}
    response = client.post("/v1/replays", json=body, headers=auth("auditor"))
    assert response.status_code == 422, response.get_json()
    assert "ruleset" in response.get_json()["errors"]


@pytest.mark.parametrize(("filed_on", "date", "field"), [
    ("9999-12-31", "9999-12-31", "filed_on"),        # date arithmetic went past year 9999: a 500
    ("2099-12-31", "2099-12-31", "filed_on"),        # after today in Asia/Jakarta
    ("2024-09-01", "0001-01-01", "incident.date"),   # before every rule's validity nothing fired: "approved"
    ("2024-09-01", "1899-12-31", "incident.date"),
])
def test_claim_dates_outside_what_the_rules_cover_are_refused(fuzzer: Fuzzer, filed_on: str, date: str,
                                                               field: str) -> None:
    body = {"claim_type": "JHT", "kpj": samples.KPJ_PU, "filed_on": filed_on,
            "incident": {"reason": "resignation", "date": date}}
    before = _snapshot(fuzzer.app)
    response = fuzzer.app.test_client().post("/v1/claims", json=body, headers={
        "Authorization": f"Bearer {fuzzer.tokens['officer']}", "Idempotency-Key": "dates-0001"})
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [field]
    assert _snapshot(fuzzer.app) == before


@pytest.mark.parametrize("value", ["1900-01-01", "today"])
def test_claim_dates_at_the_bounds_are_decided(fuzzer: Fuzzer, value: str) -> None:
    if value == "today":  # a claim is never filed after today in Asia/Jakarta (api/dates.py)
        value = today().isoformat()
    body = {"claim_type": "JHT", "kpj": samples.KPJ_PU, "filed_on": value,
            "incident": {"reason": "resignation", "date": value}}
    response = fuzzer.app.test_client().post("/v1/claims", json=body, headers={
        "Authorization": f"Bearer {fuzzer.tokens['officer']}", "Idempotency-Key": "dates-0002"})
    assert response.status_code == 201, response.get_json()


def test_a_replay_window_to_the_last_day_of_the_calendar_is_answered(fuzzer: Fuzzer) -> None:
    """The window ended at midnight after ``to``, and there is no day after 9999-12-31: a 500."""
    client = fuzzer.app.test_client()
    auditor = {"Authorization": f"Bearer {fuzzer.tokens['auditor']}"}
    response = client.post("/v1/replays", json={"from": "0001-01-01", "to": "9999-12-31", "ruleset": "original"},
                           headers=auditor)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checked"] == 1 == response.get_json()["identical"]
    # the seeded decision was made today (UTC): a window ending today holds it, one ending yesterday does not
    today = dt.datetime.now(dt.UTC).date()
    for to, checked in ((today, 1), (today - dt.timedelta(days=1), 0)):
        body = {"from": "2000-01-01", "to": to.isoformat(), "ruleset": "original"}
        assert client.post("/v1/replays", json=body, headers=auditor).get_json()["checked"] == checked, to
