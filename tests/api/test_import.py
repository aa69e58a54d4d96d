"""``flask registry import DIR`` (JSON and CSV, all or nothing) and ``flask tokens create``."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api.auth import ROLES
from api.db import session_scope
from api.models import Base

from . import samples

EMPLOYER_COLUMNS = ["npp", "name", "nib", "region_code", "scale", "sector", "risk_class", "state_employer",
                    "registered_on", "programs"]
PROJECT_COLUMNS = ["project_number", "contractor_npp", "owner_name", "spk_number", "spk_date", "contract_value",
                   "funding", "region_code", "start_date", "end_date", "registered_on", "payments"]
PARTICIPANT_COLUMNS = ["kpj", *samples.participant_pu()]
CONTRIBUTION_COLUMNS = list(samples.contribution())


def write_json(path: Path, records: list[Any]) -> Path:
    """One record per line: record ``i`` is on line ``i + 2``."""
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n", encoding="utf-8")
    return path


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and value:
        return ";".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def write_csv(path: Path, columns: list[str], records: list[dict[str, Any]]) -> Path:
    """A header row, then record ``i`` on line ``i + 2``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def employers() -> list[dict[str, Any]]:
    """Two employers with their keys."""
    return [{"npp": samples.NPP, **samples.employer()},
            {"npp": samples.OTHER_NPP, **samples.employer(name="CV Sungai Kapuas", nib="9120007654321",
                                                          scale="small", programs=["JKK", "JKM"])}]


def projects() -> list[dict[str, Any]]:
    """A project with two termins paid and one not yet registered."""
    return [{"project_number": samples.PROJECT, **samples.project()},
            {"project_number": samples.OTHER_PROJECT,
             **samples.project(contractor_npp=samples.OTHER_NPP, registered_on=None, payments=[])}]


def participants() -> list[dict[str, Any]]:
    """One participant of each segment."""
    return [{"kpj": kpj, **make()} for kpj, make in samples.PARTICIPANTS.values()]


def contributions() -> list[dict[str, Any]]:
    """The sample batch's items."""
    return samples.contributions_batch()["items"]


def json_dir(tmp_path: Path) -> Path:
    """A directory with every kind as JSON."""
    directory = tmp_path / "json"
    directory.mkdir()
    write_json(directory / "employers.json", employers())
    write_json(directory / "projects.json", projects())
    write_json(directory / "participants.json", participants())
    write_json(directory / "contributions.json", contributions())
    return directory


def csv_dir(tmp_path: Path) -> Path:
    """A directory with every kind as CSV."""
    directory = tmp_path / "csv"
    directory.mkdir()
    write_csv(directory / "employers.csv", EMPLOYER_COLUMNS, employers())
    write_csv(directory / "projects.csv", PROJECT_COLUMNS, projects())
    write_csv(directory / "participants.csv", PARTICIPANT_COLUMNS, participants())
    write_csv(directory / "contributions.csv", CONTRIBUTION_COLUMNS, contributions())
    return directory


def run_import(app: Flask, directory: Path) -> Result:
    """Invoke the CLI as ``flask registry import DIR`` would."""
    return app.test_cli_runner().invoke(args=["registry", "import", str(directory)])


REGISTRY_TABLES = ("employers", "projects", "project_payments", "participants", "jht_withdrawals", "contributions")


def counts(app: Flask) -> dict[str, int]:
    """Rows per registry table."""
    with session_scope(app) as session:
        return {name: session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0
                for name in REGISTRY_TABLES}


def _empty(app: Flask) -> None:
    assert set(counts(app).values()) == {0}, counts(app)


@pytest.fixture
def admin(auth: Any) -> dict[str, str]:
    """Headers of the admin token."""
    return auth("admin")


def _assert_stored(client: FlaskClient, admin: dict[str, str]) -> None:
    for record in employers():
        npp = record["npp"]
        assert client.get(f"/v1/employers/{npp}", headers=admin).get_json() == record
    for record in projects():
        number = record["project_number"]
        assert client.get(f"/v1/projects/{number}", headers=admin).get_json() == record
    for record in participants():
        assert client.get(f"/v1/participants/{record['kpj']}", headers=admin).get_json() == record
    items = contributions()
    listed = client.get(f"/v1/contributions?payer=employer:{samples.NPP}", headers=admin).get_json()
    assert listed == [i for i in items if i["payer"] == f"employer:{samples.NPP}"]


@pytest.mark.parametrize("make_dir", [json_dir, csv_dir], ids=["json", "csv"])
def test_import_stores_every_kind(app: Flask, client: FlaskClient, admin: dict[str, str], tmp_path: Path,
                                  make_dir: Any) -> None:
    result = run_import(app, make_dir(tmp_path))
    assert result.exit_code == 0, result.output
    assert "employers: 2 created, 0 updated" in result.output
    assert "projects: 2 created, 0 updated" in result.output
    assert "participants: 4 created, 0 updated" in result.output
    assert "contributions: 5 created, 0 updated" in result.output
    assert counts(app) == {"employers": 2, "projects": 2, "participants": 4, "jht_withdrawals": 1,
                           "contributions": 5, "project_payments": 2}
    _assert_stored(client, admin)


def test_import_mixed_formats(app: Flask, client: FlaskClient, admin: dict[str, str], tmp_path: Path) -> None:
    directory = tmp_path / "mixed"
    directory.mkdir()
    write_json(directory / "employers.json", employers())
    write_csv(directory / "projects.csv", PROJECT_COLUMNS, projects())
    write_json(directory / "participants.json", participants())
    write_csv(directory / "contributions.csv", CONTRIBUTION_COLUMNS, contributions())
    assert run_import(app, directory).exit_code == 0
    _assert_stored(client, admin)


def test_import_twice_updates_and_replaces_child_lists(app: Flask, client: FlaskClient, admin: dict[str, str],
                                                       tmp_path: Path) -> None:
    directory = json_dir(tmp_path)
    assert run_import(app, directory).exit_code == 0
    changed_projects = projects()
    changed_projects[0]["payments"] = [{"termin": 3, "amount": 1_293_750, "paid_on": "2024-11-02"}]
    write_json(directory / "projects.json", changed_projects)
    changed_participants = participants()
    changed_participants[0]["jht_partial_withdrawals"] = []
    changed_participants[0]["wage"] = 4_800_000
    write_json(directory / "participants.json", changed_participants)

    result = run_import(app, directory)
    assert result.exit_code == 0, result.output
    assert "employers: 0 created, 2 updated" in result.output
    assert "participants: 0 created, 4 updated" in result.output
    assert "contributions: 0 created, 5 updated" in result.output
    assert counts(app)["project_payments"] == 1
    assert counts(app)["jht_withdrawals"] == 0
    assert client.get(f"/v1/projects/{samples.PROJECT}", headers=admin).get_json() == changed_projects[0]
    assert client.get(f"/v1/participants/{samples.KPJ_PU}", headers=admin).get_json() == changed_participants[0]


def test_import_refers_to_records_already_stored(app: Flask, client: FlaskClient, admin: dict[str, str],
                                                 tmp_path: Path) -> None:
    samples.seed_registry(client, admin)
    directory = tmp_path / "only-participants"
    directory.mkdir()
    write_json(directory / "participants.json", participants())
    result = run_import(app, directory)
    assert result.exit_code == 0, result.output
    assert "participants: 3 created, 1 updated" in result.output


def test_csv_cells(app: Flask, client: FlaskClient, admin: dict[str, str], tmp_path: Path) -> None:
    """Programs as ``JKK;JKM``, payments and withdrawals as JSON cells, empty cells as absent fields."""
    directory = tmp_path / "cells"
    directory.mkdir()
    (directory / "employers.csv").write_text(
        "npp,name,nib,region_code,scale,sector,risk_class,state_employer,registered_on,programs\n"
        f'{samples.NPP},"PT Bangun, Khatulistiwa",0120001234567,61.12,medium,construction,4,true,2019-03-01,'
        "JKK;JKM\n"
        f"{samples.OTHER_NPP},CV Sungai Kapuas,9120007654321,61,small,trade,1,false,2020-01-01,\n",
        encoding="utf-8")
    (directory / "projects.csv").write_text(
        "project_number,contractor_npp,owner_name,spk_number,spk_date,contract_value,funding,region_code,"
        "start_date,end_date,registered_on,payments\n"
        f"{samples.PROJECT},{samples.NPP},Dinas PUPR,SPK/1,2024-01-15,2500000000,APBD,61.12.05,2024-02-01,"
        '2024-11-30,2024-01-19,"[{""termin"": 1, ""amount"": 2587500, ""paid_on"": ""2024-01-25""}]"\n'
        f"{samples.OTHER_PROJECT},{samples.OTHER_NPP},Desa Kuala,SPK/2,2024-03-01,150000000,APBDES,61.12.05.2001,"
        "2024-03-10,2024-06-30,,\n",
        encoding="utf-8")
    (directory / "participants.csv").write_text(
        "kpj,nik,name,birth_date,segment,category,employer_npp,programs,membership_start,wage,payer,"
        "jht_partial_withdrawals\n"
        f"{samples.KPJ_PU},6112051203880001,Budi Santoso,1988-03-12,PU,karyawan,{samples.NPP},JKK;JKM;JHT;JP,"
        '2019-04-01,4500000,employer,"[{""on"": ""2023-06-15"", ""pct"": 10}]"\n',
        encoding="utf-8")
    result = run_import(app, directory)
    assert result.exit_code == 0, result.output

    first = client.get(f"/v1/employers/{samples.NPP}", headers=admin).get_json()
    assert first["name"] == "PT Bangun, Khatulistiwa"
    assert first["nib"] == "0120001234567"  # a text column keeps its leading zero
    assert first["programs"] == ["JKK", "JKM"]
    assert first["state_employer"] is True and first["risk_class"] == 4
    assert client.get(f"/v1/employers/{samples.OTHER_NPP}", headers=admin).get_json()["programs"] == []
    project = client.get(f"/v1/projects/{samples.PROJECT}", headers=admin).get_json()
    assert project["payments"] == [{"termin": 1, "amount": 2_587_500, "paid_on": "2024-01-25"}]
    other = client.get(f"/v1/projects/{samples.OTHER_PROJECT}", headers=admin).get_json()
    assert other["payments"] == [] and other["registered_on"] is None
    participant = client.get(f"/v1/participants/{samples.KPJ_PU}", headers=admin).get_json()
    assert participant["jht_partial_withdrawals"] == [{"on": "2023-06-15", "pct": 10}]
    assert participant["programs"] == ["JKK", "JKM", "JHT", "JP"]
    assert participant["jht_balance"] == 0 and participant["declared_income"] is None


def _assert_failed(app: Flask, result: Result, file: str, line: int, field: str) -> None:
    assert result.exit_code != 0
    assert file in result.output, result.output
    assert f"line {line}" in result.output, result.output
    assert field in result.output, result.output
    assert "Traceback" not in result.output
    _empty(app)


def _spoil(records: list[dict[str, Any]], index: int, **changes: Any) -> list[dict[str, Any]]:
    records[index] = {**records[index], **changes}
    return records


JSON_FAILURES = [
    # (file, index of the bad record, changes, field named in the error)
    ("employers.json", 1, {"nib": "912000765432"}, "nib"),
    ("employers.json", 0, {"npp": "6112001"}, "npp"),
    ("employers.json", 1, {"colour": "red"}, "colour"),
    ("projects.json", 1, {"region_code": "61.1"}, "region_code"),
    ("projects.json", 0, {"payments": [{"termin": 1, "amount": -5, "paid_on": "2024-01-25"}]}, "payments.0.amount"),
    ("projects.json", 1, {"contractor_npp": "61129999"}, "contractor_npp"),
    ("participants.json", 2, {"nik": "611205010195000"}, "nik"),
    ("participants.json", 0, {"wage": None}, "wage"),
    ("participants.json", 3, {"employer_npp": "61129999"}, "employer_npp"),
    ("participants.json", 2, {"project_number": samples.OTHER_PROJECT}, "project_number"),
    ("participants.json", 0, {"jht_partial_withdrawals": [{"on": "2023-06-15", "pct": 125}]},
     "jht_partial_withdrawals.0.pct"),
    ("contributions.json", 3, {"period": "2024-13"}, "period"),
    ("contributions.json", 4, {"payer": "participant:99999999999"}, "payer"),
    ("contributions.json", 2, {"amount_paid": 1.5}, "amount_paid"),
]


@pytest.mark.parametrize(("file", "index", "changes", "field"), JSON_FAILURES,
                         ids=[f"{f}:{i}:{k}" for f, i, _, k in JSON_FAILURES])
def test_bad_json_record_stores_nothing(app: Flask, tmp_path: Path, file: str, index: int,
                                        changes: dict[str, Any], field: str) -> None:
    """One bad record anywhere, even in the last file, and no file's records are stored."""
    directory = json_dir(tmp_path)
    records = json.loads((directory / file).read_text())
    write_json(directory / file, _spoil(records, index, **changes))
    _assert_failed(app, run_import(app, directory), file, index + 2, field)


@pytest.mark.parametrize(("file", "columns", "index", "changes", "field"), [
    ("employers.csv", EMPLOYER_COLUMNS, 1, {"risk_class": "tinggi"}, "risk_class"),
    ("employers.csv", EMPLOYER_COLUMNS, 0, {"state_employer": "yes"}, "state_employer"),
    ("employers.csv", EMPLOYER_COLUMNS, 1, {"programs": ["JKK", "JKX"]}, "programs.1"),
    ("projects.csv", PROJECT_COLUMNS, 0, {"payments": '[{"termin": 1, "amount": 5'}, "payments"),
    ("projects.csv", PROJECT_COLUMNS, 1, {"spk_date": "2024-02-30"}, "spk_date"),
    ("participants.csv", PARTICIPANT_COLUMNS, 3, {"birth_date": "26-08-1992"}, "birth_date"),
    ("participants.csv", PARTICIPANT_COLUMNS, 1, {"wage": 5_000_000}, "wage"),
    ("contributions.csv", CONTRIBUTION_COLUMNS, 3, {"period": "2024-4"}, "period"),
    ("contributions.csv", CONTRIBUTION_COLUMNS, 2, {"amount_due": "1.250.000"}, "amount_due"),
    ("contributions.csv", CONTRIBUTION_COLUMNS, 1, {"payer": "employer:61129999"}, "payer"),
])
def test_bad_csv_record_stores_nothing(app: Flask, tmp_path: Path, file: str, columns: list[str], index: int,
                                       changes: dict[str, Any], field: str) -> None:
    directory = csv_dir(tmp_path)
    kind = file.removesuffix(".csv")
    records = {"employers": employers, "projects": projects, "participants": participants,
               "contributions": contributions}[kind]()
    write_csv(directory / file, columns, _spoil(records, index, **changes))
    _assert_failed(app, run_import(app, directory), file, index + 2, field)


def test_unknown_csv_column_is_refused(app: Flask, tmp_path: Path) -> None:
    directory = csv_dir(tmp_path)
    write_csv(directory / "employers.csv", [*EMPLOYER_COLUMNS, "email"],
              [{**e, "email": "hr@example.org"} for e in employers()])
    _assert_failed(app, run_import(app, directory), "employers.csv", 2, "email")


@pytest.mark.parametrize("file", ["employers.json", "projects.json", "participants.json"])
def test_duplicate_key_in_a_file(app: Flask, tmp_path: Path, file: str) -> None:
    directory = json_dir(tmp_path)
    records = json.loads((directory / file).read_text())
    records.append({**records[0]})
    write_json(directory / file, records)
    key = {"employers.json": "npp", "projects.json": "project_number", "participants.json": "kpj"}[file]
    _assert_failed(app, run_import(app, directory), file, len(records) + 1, key)


def test_duplicate_contribution_month_in_a_file(app: Flask, tmp_path: Path) -> None:
    directory = csv_dir(tmp_path)
    items = contributions()
    items.append({**items[1], "amount_paid": 0, "paid_on": None})
    write_csv(directory / "contributions.csv", CONTRIBUTION_COLUMNS, items)
    _assert_failed(app, run_import(app, directory), "contributions.csv", len(items) + 1, "period")


def test_import_failure_keeps_earlier_data(app: Flask, client: FlaskClient, admin: dict[str, str],
                                          tmp_path: Path) -> None:
    """A failed import changes nothing that was stored before it either."""
    samples.seed_registry(client, admin)
    before = counts(app)
    stored = client.get(f"/v1/employers/{samples.NPP}", headers=admin).get_json()
    directory = json_dir(tmp_path)
    write_json(directory / "employers.json", [{**employers()[0], "name": "Renamed"}, *employers()[1:]])
    write_json(directory / "contributions.json", _spoil(contributions(), 4, period="24-01"))
    result = run_import(app, directory)
    assert result.exit_code != 0
    assert "contributions.json" in result.output and "line 6" in result.output
    assert counts(app) == before
    assert client.get(f"/v1/employers/{samples.NPP}", headers=admin).get_json() == stored


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("employers.json", '{"npp": "61120001"}', "array"),
    ("employers.json", '[\n{"npp": "61120001",\n', "employers.json"),
    ("employers.json", '[\n"61120001"\n]', "line 2"),
])
def test_malformed_file(app: Flask, tmp_path: Path, name: str, text: str, expected: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run_import(app, tmp_path)
    assert result.exit_code != 0
    assert name in result.output and expected in result.output, result.output
    assert "Traceback" not in result.output
    _empty(app)


def test_json_and_csv_of_one_kind_is_refused(app: Flask, tmp_path: Path) -> None:
    write_json(tmp_path / "employers.json", employers())
    write_csv(tmp_path / "employers.csv", EMPLOYER_COLUMNS, employers())
    result = run_import(app, tmp_path)
    assert result.exit_code != 0
    assert "employers.json" in result.output and "employers.csv" in result.output
    _empty(app)


def test_directory_without_registry_files(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    result = run_import(app, tmp_path)
    assert result.exit_code != 0
    assert "employers" in result.output
    assert run_import(app, tmp_path / "missing").exit_code != 0


def test_no_personal_data_in_import_logs(app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = {"kpj": samples.KPJ_PU, **samples.participant_pu(nik=samples.SECRET_NIK, name=samples.SECRET_NAME,
                                                              wage=samples.SECRET_WAGE)}
    directory = json_dir(tmp_path)
    write_json(directory / "participants.json", [secret, *participants()[1:]])
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    assert run_import(app, directory).exit_code == 0
    # and a failing import whose bad record carries the same values
    write_json(directory / "participants.json", [{**secret, "wage": -1}])
    assert run_import(app, directory).exit_code != 0
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + (record.exc_text or "")
        for value in (samples.SECRET_NIK, samples.SECRET_NAME, str(samples.SECRET_WAGE)):
            assert value not in text, record.name


@pytest.mark.parametrize("role", ROLES)
def test_tokens_create_prints_a_working_token(app: Flask, client: FlaskClient, role: str) -> None:
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--role", role, "--name", f"cli-{role}"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    token = lines[-1]
    assert token.strip() == token and " " not in token and len(token) >= 32
    assert all(token not in line for line in lines[:-1])
    response = client.get(f"/v1/employers/{samples.NPP}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == (404 if role == "admin" else 403)
    assert client.get("/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_tokens_create_needs_a_known_role(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--role", "root", "--name", "x"])
    assert result.exit_code != 0
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--role", "admin"])
    assert result.exit_code != 0


def test_each_token_is_new(app: Flask) -> None:
    runner = app.test_cli_runner()
    printed = {runner.invoke(args=["tokens", "create", "--role", "officer", "--name", "same"]).output
               .strip().splitlines()[-1] for _ in range(3)}
    assert len(printed) == 3
