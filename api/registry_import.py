"""Bulk load of registry records from JSON or CSV files, validated like the API, in one transaction."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from . import registry_store as store
from .errors import flatten_errors
from .fields import KPJ, NPP, PROJECT_NUMBER, pattern
from .registry_schemas import ContributionSchema, EmployerSchema, ParticipantSchema, ProjectSchema

# load order follows the foreign keys: participants name employers and projects
KINDS = ("employers", "projects", "participants", "contributions")
KEYS = {"employers": ("npp", NPP), "projects": ("project_number", PROJECT_NUMBER), "participants": ("kpj", KPJ)}
SCHEMAS: dict[str, type[Schema]] = {"employers": EmployerSchema, "projects": ProjectSchema,
                                    "participants": ParticipantSchema, "contributions": ContributionSchema}
# CSV cells are text; these columns are converted before validation so errors read like the API's
CSV_INTEGERS = {"risk_class", "wage", "actual_wage", "declared_income", "jht_balance", "contract_value", "amount_due",
                "amount_paid"}
CSV_BOOLEANS = {"state_employer"}
CSV_LISTS = {"programs"}
CSV_JSON = {"jht_partial_withdrawals", "payments"}


class RegistryImportError(Exception):
    """A record that cannot be stored; the message names the file and the line."""

    def __init__(self, path: Path, line: int, errors: dict[str, list[str]]):
        detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        super().__init__(f"{path} line {line}: {detail}")
        self.path, self.line, self.errors = path, line, errors


def _json_records(text: str) -> Iterator[tuple[int, Any]]:
    """Yield (line, record) for each element of a top-level JSON array."""
    decoder = json.JSONDecoder()
    index, line = 0, 1

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        return i

    start = skip(0)
    line += text.count("\n", 0, start)
    if start >= len(text) or text[start] != "[":
        raise ValueError("expected a JSON array of records")
    index = start + 1
    while True:
        nxt = skip(index)
        line += text.count("\n", index, nxt)
        if nxt >= len(text):
            raise ValueError("unterminated JSON array")
        if text[nxt] == "]":
            return
        record, end = decoder.raw_decode(text, nxt)
        yield line, record
        line += text.count("\n", nxt, end)
        index = end


def _csv_value(column: str, cell: str) -> Any:
    try:
        if column in CSV_INTEGERS:
            return int(cell)
        if column in CSV_BOOLEANS and cell.lower() in ("true", "false"):
            return cell.lower() == "true"
        if column in CSV_LISTS:
            return [part.strip() for part in cell.replace(",", ";").split(";") if part.strip()]
        if column in CSV_JSON:
            return json.loads(cell)
    except ValueError:
        return cell  # left as text so the schema reports the field
    return cell


def _csv_records(text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(text.splitlines())
    for row in reader:
        # an empty cell is an absent field, so optional columns take their defaults (payments: [])
        record = {k: _csv_value(k, v) for k, v in row.items() if k is not None and v not in ("", None)}
        yield reader.line_num, record


def read_records(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (line, record) from a JSON array file or a CSV file with a header row."""
    text = path.read_text(encoding="utf-8")
    try:
        yield from (_csv_records(text) if path.suffix == ".csv" else _json_records(text))
    except ValueError as error:
        raise RegistryImportError(path, 1, {"file": [str(error)]}) from error


def _find(directory: Path, kind: str) -> Path | None:
    candidates = [directory / f"{kind}.{ext}" for ext in ("json", "csv")]
    present = [p for p in candidates if p.exists()]
    if len(present) > 1:
        raise RegistryImportError(present[1], 1, {"file": [f"both {kind}.json and {kind}.csv exist; keep one"]})
    return present[0] if present else None


def _load(path: Path, line: int, kind: str, record: Any) -> tuple[str | None, dict[str, Any]]:
    if not isinstance(record, dict):
        raise RegistryImportError(path, line, {"record": ["must be an object"]})
    record = dict(record)
    key = None
    if kind in KEYS:
        name, regex = KEYS[kind]
        key = record.pop(name, None)
        try:
            pattern(regex, f"a valid {name}", required=True).deserialize(key)
        except ValidationError as error:
            raise RegistryImportError(path, line, {name: list(error.messages)}) from error
    try:
        return key, SCHEMAS[kind]().load(record)
    except ValidationError as error:
        raise RegistryImportError(path, line, flatten_errors(error.messages)) from error


def import_directory(session: Session, directory: Path) -> dict[str, tuple[int, int]]:
    """Import every registry file found in ``directory``; raises RegistryImportError on the first bad record."""
    counts: dict[str, tuple[int, int]] = {}
    for kind in KINDS:
        path = _find(directory, kind)
        if path is None:
            continue
        created = updated = 0
        if kind == "contributions":
            batch = [(line, _load(path, line, kind, record)[1]) for line, record in read_records(path)]
            months: dict[tuple[str, str], int] = {}
            for line, item in batch:
                month = (item["payer"], item["period"])
                if month in months:
                    raise RegistryImportError(path, line, {"period": [f"same payer and month as line {months[month]}"]})
                months[month] = line
            errors = store.contribution_reference_errors(session, [item for _, item in batch])
            if errors:
                first = min(errors, key=lambda k: int(k.split(".")[1]))
                raise RegistryImportError(path, batch[int(first.split(".")[1])][0], {"payer": errors[first]})
            created, updated = store.store_contributions(session, [item for _, item in batch])
        else:
            seen: set[str] = set()
            for line, record in read_records(path):
                key, data = _load(path, line, kind, record)
                assert key is not None
                if key in seen:
                    raise RegistryImportError(path, line, {KEYS[kind][0]: [f"{key} appears twice in this file"]})
                seen.add(key)
                errors = _reference_errors(session, kind, data)
                if errors:
                    raise RegistryImportError(path, line, errors)
                _, was_created = _UPSERT[kind](session, key, data)
                created, updated = created + was_created, updated + (not was_created)
            session.flush()
        counts[kind] = (created, updated)
    if not counts:
        raise RegistryImportError(directory, 0, {"directory": [f"no {', '.join(KINDS)} .json or .csv files"]})
    return counts


def _reference_errors(session: Session, kind: str, data: dict[str, Any]) -> dict[str, list[str]]:
    if kind == "participants":
        return store.participant_reference_errors(session, data)
    if kind == "projects":
        return store.project_reference_errors(session, data)
    return {}


_UPSERT = {"employers": store.upsert_employer, "projects": store.upsert_project,
           "participants": store.upsert_participant}
