"""The error envelope for every failure, no internals in a 500, and no personal data in the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app, registry_store

from . import samples

ENVELOPE_KEYS = {"code", "status", "message"}
INTERNALS = ("Traceback", "Error", "Exception", "sqlalchemy", "File \"", ".py", "boom", "INSERT", "SELECT")


@pytest.fixture
def admin(auth: Any) -> dict[str, str]:
    """Headers of the admin token."""
    return auth("admin")


def _assert_envelope(response: Any, code: int, status: str) -> dict[str, Any]:
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | {"errors"}
    assert body["code"] == code
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_unknown_path_is_404(client: FlaskClient, admin: dict[str, str]) -> None:
    _assert_envelope(client.get("/v1/no-such-thing", headers=admin), 404, "Not Found")
    _assert_envelope(client.get("/nowhere"), 404, "Not Found")


def test_unknown_record_is_404(client: FlaskClient, admin: dict[str, str]) -> None:
    body = _assert_envelope(client.get(f"/v1/employers/{samples.NPP}", headers=admin), 404, "Not Found")
    assert samples.NPP in body["message"]


def test_wrong_method_is_405_with_allow(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.delete(f"/v1/employers/{samples.NPP}", headers=admin)
    _assert_envelope(response, 405, "Method Not Allowed")
    assert {"GET", "PUT"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    _assert_envelope(client.post(f"/v1/employers/{samples.NPP}", json={}, headers=admin), 405, "Method Not Allowed")


@pytest.fixture
def small_app(database_url: str) -> Iterator[Flask]:
    """An app on the test database that accepts bodies of at most 512 bytes."""
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "MAX_CONTENT_LENGTH": 512})
    yield application
    application.extensions["db_engine"].dispose()


def test_oversized_body_is_413(small_app: Flask, admin: dict[str, str]) -> None:
    client = small_app.test_client()
    body = samples.employer(name="x" * 600)
    _assert_envelope(client.put(f"/v1/employers/{samples.NPP}", json=body, headers=admin), 413,
                     "Request Entity Too Large")
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).status_code == 404
    # a body under the limit still goes through
    assert client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=admin).status_code == 200


def test_oversized_contribution_batch_is_413(small_app: Flask, admin: dict[str, str]) -> None:
    client = small_app.test_client()
    items = [samples.contribution(period=f"2024-{m:02d}") for m in range(1, 13)]
    _assert_envelope(client.post("/v1/contributions", json={"items": items}, headers=admin), 413,
                     "Request Entity Too Large")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/xml"])
def test_non_json_body_is_415(client: FlaskClient, admin: dict[str, str], content_type: str | None) -> None:
    headers = dict(admin)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.put(f"/v1/employers/{samples.NPP}", data='{"name": "x"}', headers=headers)
    _assert_envelope(response, 415, "Unsupported Media Type")
    _assert_envelope(client.post("/v1/contributions", data="items=1", headers=headers), 415,
                     "Unsupported Media Type")
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).status_code == 404


@pytest.mark.parametrize("raw", ['{"name": "PT X",', "{name: 'PT X'}", "[1, 2", '{"a": 1}}', "\xff\xfe", "NaN-ish"])
def test_malformed_json_is_400(client: FlaskClient, admin: dict[str, str], raw: str) -> None:
    response = client.put(f"/v1/employers/{samples.NPP}", data=raw.encode("latin-1"), headers=admin,
                          content_type="application/json")
    _assert_envelope(response, 400, "Bad Request")
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).status_code == 404


@pytest.mark.parametrize("raw", ["[]", '[{"name": "PT X"}]', '"PT X"', "42", "null", ""])
def test_json_that_is_not_an_object_is_422(client: FlaskClient, admin: dict[str, str], raw: str) -> None:
    response = client.put(f"/v1/employers/{samples.NPP}", data=raw, headers=admin, content_type="application/json")
    payload = _assert_envelope(response, 422, "Unprocessable Entity")
    assert payload["errors"]
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).status_code == 404


def _assert_no_internals(body: dict[str, Any]) -> None:
    assert set(body) == ENVELOPE_KEYS
    assert body["status"] == "Internal Server Error"
    text = body["message"]
    for word in INTERNALS:
        assert word not in text, word


def test_failing_route_is_500_without_internals(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/boom")
    def boom() -> Any:
        raise RuntimeError("boom: secret detail from /srv/api/thing.py")

    response = app.test_client().get("/boom")
    body = _assert_envelope(response, 500, "Internal Server Error")
    _assert_no_internals(body)
    # operators still get the traceback in the log
    assert "boom: secret detail" in caplog.text


def test_store_failure_is_500_and_rolls_back(client: FlaskClient, admin: dict[str, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry_store.upsert_employer

    def upsert_then_fail(session: Any, npp: str, data: dict[str, Any]) -> Any:
        real(session, npp, data)
        session.flush()  # the row is written inside the transaction before the failure
        raise RuntimeError("boom: disk on fire")

    client.put(f"/v1/employers/{samples.NPP}", json=samples.employer(), headers=admin)
    monkeypatch.setattr(registry_store, "upsert_employer", upsert_then_fail)
    for npp, body in ((samples.NPP, samples.employer(name="Changed")), (samples.OTHER_NPP, samples.employer())):
        response = client.put(f"/v1/employers/{npp}", json=body, headers=admin)
        _assert_no_internals(_assert_envelope(response, 500, "Internal Server Error"))
    monkeypatch.undo()
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).get_json()["name"] == samples.employer()["name"]
    assert client.get(f"/v1/employers/{samples.OTHER_NPP}", headers=admin).status_code == 404


def test_contribution_store_failure_stores_none(client: FlaskClient, admin: dict[str, str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    samples.seed_registry(client, admin)
    real = registry_store.store_contributions

    def store_then_fail(session: Any, items: list[dict[str, Any]]) -> Any:
        real(session, items)
        raise RuntimeError("boom")

    monkeypatch.setattr(registry_store, "store_contributions", store_then_fail)
    response = client.post("/v1/contributions", json=samples.contributions_batch(), headers=admin)
    _assert_no_internals(_assert_envelope(response, 500, "Internal Server Error"))
    monkeypatch.undo()
    assert client.get(f"/v1/contributions?payer=employer:{samples.NPP}", headers=admin).get_json() == []


def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG everywhere, and SQLAlchemy's statement log (echo) that an operator chasing a problem may turn on.

    SQLAlchemy's own DEBUG level logs result rows by design; that is an explicit opt-in and not tested here.
    """
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")


def _assert_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "nothing was logged, so the test proves nothing"
    secrets = (samples.SECRET_NIK, samples.SECRET_NAME, str(samples.SECRET_WAGE), f"{samples.SECRET_WAGE:,}")
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + (record.exc_text or "")
        if record.exc_info and record.exc_info[1] is not None:
            text += repr(record.exc_info[1]) + str(record.exc_info[1])
        for secret in secrets:
            assert secret not in text, f"{record.name} logged personal data: {text[:300]}"
    for secret in secrets:
        assert secret not in caplog.text


def secret_participant() -> dict[str, Any]:
    """A PU participant whose NIK, name and wage the log must never show."""
    return samples.participant_pu(nik=samples.SECRET_NIK, name=samples.SECRET_NAME, wage=samples.SECRET_WAGE)


def test_no_personal_data_in_logs(client: FlaskClient, admin: dict[str, str],
                                  caplog: pytest.LogCaptureFixture) -> None:
    samples.seed_registry(client, admin)
    _log_everything(caplog)
    url = f"/v1/participants/{samples.KPJ_PU}"
    assert client.put(url, json=secret_participant(), headers=admin).status_code == 200
    assert client.put(url, json=secret_participant(), headers=admin).status_code == 200
    assert client.get(url, headers=admin).get_json()["nik"] == samples.SECRET_NIK
    # refused bodies carry the same values
    assert client.put(url, json={**secret_participant(), "wage": -samples.SECRET_WAGE}, headers=admin
                      ).status_code == 422
    assert client.put(url, json=secret_participant(), headers={"Authorization": "Bearer nope"}).status_code == 401
    _assert_no_personal_data(caplog)


def test_no_personal_data_in_logs_of_a_failed_commit(app: Flask, client: FlaskClient, admin: dict[str, str],
                                                      caplog: pytest.LogCaptureFixture,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A database error (here a foreign key the reference check missed) is logged without its parameters."""
    samples.seed_registry(client, admin)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the test client gets the 500
    monkeypatch.setattr(registry_store, "participant_reference_errors", lambda session, data: {})
    _log_everything(caplog)
    body = {**secret_participant(), "employer_npp": "61129999"}
    response = client.put(f"/v1/participants/{samples.KPJ_PU}", json=body, headers=admin)
    _assert_no_internals(_assert_envelope(response, 500, "Internal Server Error"))
    monkeypatch.undo()
    assert client.get(f"/v1/participants/{samples.KPJ_PU}", headers=admin).status_code == 404
    _assert_no_personal_data(caplog)
