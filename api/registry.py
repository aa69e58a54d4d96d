"""Registry endpoints (role ``admin``): employers, participants, contributions, construction projects."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import registry_store as store
from .auth import requires_role
from .db import get_session
from .errors import InputError, NotFound
from .fields import KPJ, NPP, PROJECT_NUMBER
from .models import Contribution, Employer, Participant, Project
from .registry_schemas import (
    ContributionBatchResultSchema,
    ContributionBatchSchema,
    ContributionQuerySchema,
    ContributionSchema,
    EmployerSchema,
    ParticipantSchema,
    ProjectSchema,
)

blp = Blueprint("registry", __name__, url_prefix="/v1",
                description="Registry kept current by the membership core system.")


def _check_key(name: str, value: str, regex: str, what: str) -> None:
    if not re.fullmatch(regex, value, re.ASCII):
        raise InputError(errors={name: [f"Must be {what}."]})


def _put(upsert: Callable[[Session, str, dict[str, Any]], tuple[Any, bool]], key: str, data: dict[str, Any],
         reference_errors: Callable[[Session, dict[str, Any]], dict[str, list[str]]] | None = None) -> Any:
    """Upsert one record after checking the records it names exist (422 naming the field if not)."""
    session = get_session()
    errors = reference_errors(session, data) if reference_errors else {}
    if errors:
        raise InputError(errors=errors)
    record, _ = upsert(session, key, data)
    return record


def _found(record: Any, what: str, key: str) -> Any:
    if record is None:
        raise NotFound(f"No {what} {key}.")
    return record


@blp.route("/employers/<npp>", methods=["PUT"])
@requires_role("admin")
@blp.arguments(EmployerSchema)
@blp.response(200, EmployerSchema)
def put_employer(data: dict[str, Any], npp: str) -> Employer:
    """Create or replace an employer."""
    _check_key("npp", npp, NPP, "an NPP of 8 capital letters or digits")
    return _put(store.upsert_employer, npp, data)


@blp.route("/employers/<npp>", methods=["GET"])
@requires_role("admin")
@blp.response(200, EmployerSchema)
def get_employer(npp: str) -> Employer:
    """Read an employer."""
    return _found(get_session().get(Employer, npp), "employer", npp)


@blp.route("/participants/<kpj>", methods=["PUT"])
@requires_role("admin")
@blp.arguments(ParticipantSchema)
@blp.response(200, ParticipantSchema)
def put_participant(data: dict[str, Any], kpj: str) -> Participant:
    """Create or replace a participant."""
    _check_key("kpj", kpj, KPJ, "a KPJ of 11 digits")
    return _put(store.upsert_participant, kpj, data, store.participant_reference_errors)


@blp.route("/participants/<kpj>", methods=["GET"])
@requires_role("admin")
@blp.response(200, ParticipantSchema)
def get_participant(kpj: str) -> Participant:
    """Read a participant."""
    return _found(get_session().get(Participant, kpj), "participant", kpj)


@blp.route("/contributions", methods=["POST"])
@requires_role("admin")
@blp.arguments(ContributionBatchSchema)
@blp.response(200, ContributionBatchResultSchema)
def post_contributions(data: dict[str, Any]) -> dict[str, int]:
    """Store a batch of contribution months, all or nothing."""
    session = get_session()
    errors = store.contribution_reference_errors(session, data["items"])
    if errors:
        raise InputError(errors=errors)
    created, updated = store.store_contributions(session, data["items"])
    return {"created": created, "updated": updated}


@blp.route("/contributions", methods=["GET"])
@requires_role("admin")
@blp.arguments(ContributionQuerySchema, location="query")
@blp.response(200, ContributionSchema(many=True))
def list_contributions(query: dict[str, str]) -> list[Contribution]:
    """List one payer's contribution months, oldest first."""
    kind, ref = store.split_payer(query["payer"])
    return list(get_session().scalars(
        select(Contribution)
        .where(Contribution.payer_kind == kind, Contribution.payer_ref == ref)
        .order_by(Contribution.period)
    ))


@blp.route("/projects/<project_number>", methods=["PUT"])
@requires_role("admin")
@blp.arguments(ProjectSchema)
@blp.response(200, ProjectSchema)
def put_project(data: dict[str, Any], project_number: str) -> Project:
    """Create or replace a construction project with its termin payments."""
    _check_key("project_number", project_number, PROJECT_NUMBER, "a project number")
    return _put(store.upsert_project, project_number, data, store.project_reference_errors)


@blp.route("/projects/<project_number>", methods=["GET"])
@requires_role("admin")
@blp.response(200, ProjectSchema)
def get_project(project_number: str) -> Project:
    """Read a construction project."""
    return _found(get_session().get(Project, project_number), "project", project_number)
