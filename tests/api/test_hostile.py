"""Hostile input on every endpoint of the URL map: bodies, charsets, headers, query strings and path segments.

Whatever is sent, the answer is a 4xx in the error envelope (or a 2xx where the input is in fact valid), never a 5xx;
a refused request leaves every table as it was; and the service answers the next request. Endpoints added later are
covered by themselves: the bodies go to every POST/PUT/PATCH endpoint, the rest to every endpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api.json_body import MAX_DEPTH, MAX_ITEMS, MAX_KEYS
from api.models import Base

from . import endpoints, samples

DEEP = 100_000


@dataclass
class Body:
    """A raw body, how it is declared, and the answer the loader must give whatever the endpoint."""

    name: str
    data: bytes
    code: int | None = None  # None: any 4xx in the envelope
    errors: tuple[str, ...] = ()  # the field paths the envelope's errors must name
    content_type: str = "application/json"


def _json(text: str) -> bytes:
    return text.encode()


BODIES = [
    Body("arrays nested 100,000 deep", b"[" * DEEP + b"]" * DEEP, 400, ("body",)),
    Body("objects nested 100,000 deep", b'{"a":' * DEEP + b"1" + b"}" * DEEP, 400, ("body",)),
    Body(f"nested {MAX_DEPTH + 1} deep", b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), 400, ("body",)),
    Body("1e999", _json('{"amount_due": 1e999}'), 422, ("amount_due",)),
    Body("-1e999 in a list", _json('{"items": [{"amount_paid": -1e999}]}'), 422, ("items.0.amount_paid",)),
    Body("NaN", _json('{"wage": NaN}'), 422, ("wage",)),
    Body("Infinity", _json('{"incident": {"date": Infinity}}'), 422, ("incident.date",)),
    Body("-Infinity", _json('{"risk_class": -Infinity}'), 422, ("risk_class",)),
    Body("NaN as the body", _json("NaN"), 422, ("body",)),
    Body("10**400", _json(f'{{"contract_value": {10**400}}}'), 422, ("contract_value",)),
    Body("2**63", _json(f'{{"wage": {2**63}}}'), 422, ("wage",)),
    Body("-2**63 - 1", _json(f'{{"wage": {-(2**63) - 1}}}'), 422, ("wage",)),
    Body("an integer of 5,000 digits", _json('{"wage": ' + "9" * 5000 + "}"), 400, ("body",)),
    Body("a lone high surrogate", _json('{"name": "PT \\ud800"}'), 422, ("name",)),
    Body("a lone low surrogate in a list", _json('{"heirs": [{"relation": "\\udfff"}]}'), 422,
         ("heirs.0.relation",)),
    Body("a lone surrogate in a key", _json('{"\\ud83d": 1}'), 422),
    Body("NUL in a string", _json('{"kpj": "111\\u00001111111"}'), 422, ("kpj",)),
    Body("invalid UTF-8", b'{"name": "PT \xff\xfe"}', 400, ("body",)),
    Body("an overlong UTF-8 slash", b'{"name": "\xc0\xaf"}', 400, ("body",)),
    Body("a UTF-8 encoded surrogate", b'{"name": "\xed\xa0\x80"}', 400, ("body",)),
    Body("UTF-16 without a charset", '{"name": "PT"}'.encode("utf-16"), 400, ("body",)),
    Body("a duplicate key", _json('{"name": "PT A", "name": "PT B"}'), 422, ("name",)),
    Body("a duplicate key in a list item", _json('{"items": [{"period": "2024-01", "period": "2024-02"}]}'), 422,
         ("items.0.period",)),
    Body("charset utf-16", '{"name": "PT"}'.encode("utf-16"), 415, content_type="application/json; charset=utf-16"),
    Body("charset latin-1", '{"name": "PT É"}'.encode("latin-1"), 415,
         content_type="application/json; charset=latin-1"),
    Body("charset iso-8859-1 on UTF-8 bytes", _json('{"name": "PT"}'), 415,
         content_type="application/json; charset=ISO-8859-1"),
    Body("a string of 1 MB", _json(json.dumps({"name": "x" * 1_000_000, "kpj": "1" * 1_000_000}))),
    Body("100,000 keys", _json(json.dumps({f"k{i}": i for i in range(100_000)})), 422, ("body",)),
    Body("a list of 200,000 nulls", _json(json.dumps({"items": [None] * 200_000})), 422, ("items",)),
    Body("a body over the size limit", b'{"name": "' + b"x" * (4 * 1024 * 1024) + b'"}', 413),
    Body("truncated JSON", _json('{"name": "PT'), 400, ("body",)),
    Body("JSON with a comment", _json('{"name": "PT" /* x */}'), 400, ("body",)),
    Body("empty", b"", 422),
]


def _snapshot(app: Flask) -> dict[str, int]:
    """The row count of every table."""
    with app.extensions["db_engine"].connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in Base.metadata.sorted_tables}


@pytest.fixture
def seeded(app: Flask, client: FlaskClient, auth: Any) -> dict[str, dict[str, str]]:
    """A registry with the PU worker, so valid-looking keys find records; the headers of each role."""
    samples.store_paid_up_worker(client, auth)
    samples.seed_registry(client, auth("admin"))
    from api.auth import ROLES

    return {role: auth(role) for role in ROLES}


def assert_envelope(response: Any, where: str) -> dict[str, Any]:
    """A 4xx in the envelope ``{code, status, message, errors?}`` with ``errors`` keyed by field path."""
    assert 400 <= response.status_code < 500, (where, response.status_code, response.get_data()[:300])
    assert response.mimetype == "application/json", where
    # read as any client would; the test client's get_json() would use the service's own strict loader, which
    # refuses a NUL that a 404 message may echo back from the path
    body = json.loads(response.get_data())
    assert {"code", "status", "message"} <= set(body) <= {"code", "status", "message", "errors"}, (where, body)
    assert body["code"] == response.status_code, where
    assert body["status"] == HTTPStatus(response.status_code).phrase, where
    assert isinstance(body["message"], str) and body["message"], where
    if "errors" in body:
        assert body["errors"] and all(isinstance(v, list) and v for v in body["errors"].values()), (where, body)
    return body


class Checker:
    """Sends requests with the endpoint's first role and checks the answer, the tables and the next request."""

    def __init__(self, app: Flask, client: FlaskClient, headers: dict[str, dict[str, str]]) -> None:
        self.app, self.client, self.headers = app, client, headers
        self.failures: list[str] = []

    def role_headers(self, rule: Any, method: str) -> dict[str, str]:
        roles = endpoints.allowed_roles(self.app, rule, method)
        return dict(self.headers[roles[0]]) if roles else {}

    def send(self, where: str, method: str, url: str, *, refused: bool = False, **kwargs: Any) -> Any:
        before = _snapshot(self.app)
        response = self.client.open(url, method=method, **kwargs)
        try:
            if response.status_code >= 300 or refused:
                assert_envelope(response, where)
                assert _snapshot(self.app) == before, (where, "a refused request changed the tables")
            else:
                assert response.status_code < 300, where
            health = self.client.get("/health")
            assert health.status_code == 200, (where, "the service stopped answering")
        except AssertionError as failure:
            self.failures.append(str(failure)[:600])
        return response


@pytest.fixture
def checker(app: Flask, client: FlaskClient, seeded: dict[str, dict[str, str]]) -> Checker:
    return Checker(app, client, seeded)


def _body_endpoints(app: Flask) -> list[Any]:
    return [(rule, method) for rule, method in endpoints.guarded(app) if method in endpoints.BODY_METHODS]


@pytest.mark.parametrize("body", BODIES, ids=[b.name for b in BODIES])
def test_hostile_bodies(app: Flask, checker: Checker, body: Body) -> None:
    targets = _body_endpoints(app)
    assert len(targets) >= 7, targets
    for rule, method in targets:
        where = f"{method} {rule.rule} <- {body.name}"
        headers = {**checker.role_headers(rule, method), "Content-Type": body.content_type,
                   "Idempotency-Key": "hostile-0001"}
        response = checker.send(where, method, endpoints.url(app, rule, method), refused=True, data=body.data,
                                headers=headers)
        if not 400 <= response.status_code < 500:
            continue  # already recorded
        answer = json.loads(response.get_data())
        expected = body.code
        if not body.data:
            # a body whose every field is optional (POST /v1/claims/{id}/redecide) may be left out: answered as {}
            expected = checker.client.open(endpoints.url(app, rule, method), method=method, data=b"{}",
                                           headers=headers).status_code
            assert expected >= 400, (where, "{} must not be accepted where the path names nothing")
        if expected is not None and response.status_code != expected:
            checker.failures.append(f"{where}: {response.status_code} instead of {expected}: {answer}")
        elif body.errors and set(answer.get("errors") or {}) != set(body.errors):
            checker.failures.append(f"{where}: errors name {sorted(answer.get('errors') or {})}, not {body.errors}")
    assert not checker.failures, "\n".join(checker.failures)


def _claim() -> dict[str, Any]:
    return {"claim_type": "JKK", "kpj": samples.KPJ_PU, "filed_on": "2024-09-01",
            "incident": {"date": "2024-06-10", "kind": "workplace", "reported_on": "2024-06-10",
                         "outcome": {"type": "temporary_incapacity", "incapacity_months": 2},
                         "costs": {"transport": [{"mode": "land", "amount": 250_000}], "medical": 0}},
            "documents": ["kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form"]}


# a valid write, and in it a number field and a text field that a hostile value replaces
VALID_WRITES = [
    ("PUT", f"/v1/employers/{samples.OTHER_NPP}", "admin", samples.employer, ("risk_class", "name")),
    ("PUT", f"/v1/participants/{samples.KPJ_PU}", "admin", samples.participant_pu, ("wage", "name")),
    ("PUT", f"/v1/projects/{samples.OTHER_PROJECT}", "admin", samples.project, ("contract_value", "owner_name")),
    ("POST", "/v1/contributions", "admin", lambda: {"items": [samples.contribution(period="2025-01")]},
     ("items.0.amount_due", "items.0.payer")),
    ("POST", "/v1/claims", "officer", _claim, ("incident.costs.medical", "kpj")),
]
NUMBERS = ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", str(10**400), str(2**63), str(-(2**63) - 1)]
TEXTS = [r'"PT \ud800"', r'"\udc00"', r'"a\u0000b"']  # raw JSON: a lone surrogate, another, a NUL


def _put_at(body: dict[str, Any], path: str, marker: str) -> dict[str, Any]:
    node: Any = body
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = marker
    return body


@pytest.mark.parametrize("value", NUMBERS + TEXTS)
@pytest.mark.parametrize(("method", "url", "role", "make", "fields"), VALID_WRITES, ids=[w[1] for w in VALID_WRITES])
def test_a_hostile_value_in_a_valid_write_is_a_422_naming_it(app: Flask, checker: Checker, method: str, url: str,
                                                           role: str, make: Any, fields: tuple[str, str],
                                                           value: str) -> None:
    """Where these reached the schema or the database they answered 500 (a BIGINT overflow, a float's int(), a
    string PostgreSQL cannot store) or were stored."""
    field = fields[1] if value.startswith('"') else fields[0]
    raw = json.dumps(_put_at(make(), field, "@HOSTILE@")).replace('"@HOSTILE@"', value)
    headers = {**checker.headers[role], "Content-Type": "application/json", "Idempotency-Key": "hostile-0005"}
    response = checker.send(f"{method} {url} {field}={value}", method, url, refused=True, data=raw.encode(),
                            headers=headers)
    assert not checker.failures, "\n".join(checker.failures)
    assert response.status_code == 422, response.get_data()
    assert list(json.loads(response.get_data())["errors"]) == [field]
    # the same body with a sane value goes through: the 422 was about that value alone
    good = checker.client.open(url, method=method, json=make(), headers={**headers, "Idempotency-Key": "good-0005"})
    assert good.status_code in (200, 201), good.get_json()


def test_a_body_at_the_depth_limit_reaches_validation(client: FlaskClient, auth: Any) -> None:
    nested = b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH
    response = client.put(f"/v1/employers/{samples.NPP}", data=nested, headers=auth("admin"),
                          content_type="application/json")
    assert response.status_code == 422, response.get_json()
    assert "a" in response.get_json()["errors"]  # the schema's "unknown field", not the loader's depth


def test_the_loader_names_every_problem_by_its_path(client: FlaskClient, auth: Any) -> None:
    raw = _json('{"name": NaN, "items": [{"x": 1, "x": 2}, {"y": "\\u0000"}], "nib": 1e400}')
    response = client.put(f"/v1/employers/{samples.NPP}", data=raw, headers=auth("admin"),
                          content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "name": ["Must be a finite number."],
        "items.0.x": ["Appears more than once in its object."],
        "items.1.y": ["Must not contain the NUL character."],
        "nib": ["Must be a finite number."],
    }


def test_objects_and_lists_wider_than_the_contract_are_refused_before_validation(client: FlaskClient,
                                                                                auth: Any) -> None:
    """A 2 MB body of 100,000 keys took seconds of validation and got a 3 MB answer."""
    wide = {"name": "PT", "extra": {f"k{i}": i for i in range(MAX_KEYS + 1)}, "programs": [None] * (MAX_ITEMS + 1)}
    response = client.put(f"/v1/employers/{samples.NPP}", json=wide, headers=auth("admin"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"extra": [f"Has more than {MAX_KEYS:,} keys."],
                                             "programs": [f"Has more than {MAX_ITEMS:,} items."]}
    at_the_limit = {"name": "PT", "extra": {f"k{i}": i for i in range(MAX_KEYS)}}
    response = client.put(f"/v1/employers/{samples.NPP}", json=at_the_limit, headers=auth("admin"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["extra"] == ["Unknown field."]  # the schema's answer, not the loader's


def test_an_answer_lists_at_most_100_fields(client: FlaskClient, auth: Any) -> None:
    items = [{"payer": "nobody", "period": "x"} for _ in range(300)]
    response = client.post("/v1/contributions", json={"items": items}, headers=auth("admin"))
    assert response.status_code == 422
    body = response.get_json()
    assert len(body["errors"]) == 100
    assert body["message"].endswith(" The first 100 of 1,200 fields are listed.")


def test_a_byte_order_mark_is_ignored(client: FlaskClient, auth: Any) -> None:
    """RFC 8259 lets a parser ignore a BOM: the body is stored as without it."""
    raw = b"\xef\xbb\xbf" + json.dumps(samples.employer()).encode()
    response = client.put(f"/v1/employers/{samples.OTHER_NPP}", data=raw, headers=auth("admin"),
                          content_type="application/json; charset=UTF-8")
    assert response.status_code == 200, response.get_json()
    assert client.get(f"/v1/employers/{samples.OTHER_NPP}", headers=auth("admin")).get_json()["name"] == \
        samples.employer()["name"]


def test_the_largest_integer_a_column_holds_reaches_the_schema(client: FlaskClient, auth: Any,
                                                               seeded: dict[str, dict[str, str]]) -> None:
    """2**63 - 1 is the schema's to judge (its own range); 2**63 is the loader's."""
    loader = "Must be an integer between -9223372036854775808 and 9223372036854775807."
    for value, by_loader in ((2**63 - 1, False), (2**63, True)):
        response = client.put(f"/v1/projects/{samples.PROJECT}", json=samples.project(contract_value=value),
                              headers=auth("admin"))
        assert response.status_code == 422, response.get_json()
        messages = response.get_json()["errors"]["contract_value"]
        assert (messages == [loader]) is by_loader, messages


HOSTILE_SEGMENTS = ["..", "%2e%2e", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "..%2F..%2F..%2Fetc%2Fpasswd", "a%2Fb",
                    "%00", "a%01b", "%7F", "%0A", "%ff%fe", "%C0%AF", "x" * 10_000, "%20", "1;DROP TABLE claims",
                    "'\"<>"]


@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS, ids=[s[:30] for s in HOSTILE_SEGMENTS])
def test_hostile_path_segments(app: Flask, checker: Checker, segment: str) -> None:
    targets = [(rule, method) for rule, method in endpoints.guarded(app) if rule.arguments]
    assert targets
    for rule, method in targets:
        body = {"json": {}} if method in endpoints.BODY_METHODS else {}
        headers = {**checker.role_headers(rule, method), "Idempotency-Key": "hostile-0002"}
        checker.send(f"{method} {endpoints.raw_url(rule, segment)[:80]}", method, endpoints.raw_url(rule, segment),
                     refused=True, headers=headers, **body)
    assert not checker.failures, "\n".join(checker.failures)


@pytest.mark.parametrize("segment", ["%00", "61120001%00", "a%09b", "%1F", "%7F"])
def test_a_path_value_with_a_control_character_matches_no_route(client: FlaskClient, auth: Any,
                                                                segment: str) -> None:
    """A NUL reached PostgreSQL, which cannot compare it (a 500); no key of the service holds a control character."""
    for url in (f"/v1/employers/{segment}", f"/v1/claims/{segment}", f"/v1/rulesets/{segment}/diff/{segment}"):
        for headers in ({}, auth("admin"), auth("auditor")):
            response = client.get(url, headers=headers)
            body = assert_envelope(response, url)
            assert (response.status_code, body["message"]) == (404, "No such resource."), (url, body)


HOSTILE_QUERIES = {
    "100 KB value": "kpj=" + "1" * 100_000 + "&payer=" + "x" * 100_000,
    "10,000 parameters": "&".join(f"p{i}={i}" for i in range(10_000)),
    "NUL and invalid UTF-8": "kpj=%00%ff&payer=employer%3A%00&status=%C0%AF",
    "repeated parameters": "kpj=11111111111&kpj=22222222222&page=1&page=2",
    "huge numbers": f"page={10**400}&from=1e999&to=NaN",
}


@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_hostile_query_strings(app: Flask, checker: Checker, query: str) -> None:
    for rule, method in endpoints.guarded(app):
        body = {"json": {}} if method in endpoints.BODY_METHODS else {}
        headers = {**checker.role_headers(rule, method), "Idempotency-Key": "hostile-0003"}
        checker.send(f"{method} {rule.rule}?{query[:60]}", method, f"{endpoints.url(app, rule, method)}?{query}",
                     headers=headers, **body)
    assert not checker.failures, "\n".join(checker.failures)


HOSTILE_HEADERS = {
    "a 100 KB header": {"X-Filler": "x" * 100_000},
    "a 100 KB request id": {"X-Request-Id": "r" * 100_000},
    "a 100 KB idempotency key": {"Idempotency-Key": "k" * 100_000},
    "an idempotency key with NUL and non-ASCII": {"Idempotency-Key": "key-\x00-é-\u2028"},
    "1,000 headers": {f"X-Filler-{i}": str(i) for i in range(1_000)},
}


@pytest.mark.parametrize("extra", HOSTILE_HEADERS.values(), ids=HOSTILE_HEADERS.keys())
def test_hostile_headers(app: Flask, checker: Checker, extra: dict[str, str]) -> None:
    for rule, method in endpoints.guarded(app):
        body = {"json": {}} if method in endpoints.BODY_METHODS else {}
        headers = {"Idempotency-Key": "hostile-0004", **checker.role_headers(rule, method), **extra}
        response = checker.send(f"{method} {rule.rule} + {next(iter(extra))}", method,
                                endpoints.url(app, rule, method), headers=headers, **body)
        # a request id that is not a plain short token is replaced, never echoed
        assert len(response.headers["X-Request-Id"]) <= 64
    assert not checker.failures, "\n".join(checker.failures)


def _batch(size: int) -> dict[str, Any]:
    return {"items": [{"payer": f"employer:{samples.NPP}", "period": f"{1000 + i // 12:04d}-{i % 12 + 1:02d}",
                       "amount_due": 1, "amount_paid": 0, "paid_on": None} for i in range(size)]}


def test_contribution_batch_at_its_limit_and_one_past(app: Flask, checker: Checker, auth: Any) -> None:
    """``POST /v1/contributions`` takes at most 10,000 items: one more is a 422 naming ``items``, storing none."""
    before = _snapshot(app)
    response = checker.send("10,001 items", "POST", "/v1/contributions", refused=True, json=_batch(10_001),
                            headers=auth("admin"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"items": ["Length must be between 1 and 10000."]}
    response = checker.client.post("/v1/contributions", json=_batch(10_000), headers=auth("admin"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 10_000, "updated": 0}
    after = _snapshot(app)
    assert after == {**before, "contributions": before["contributions"] + 10_000}
    assert not checker.failures, "\n".join(checker.failures)
