"""The API as a newcomer meets it: interactive docs served by the service, an example of every request body, and
every error status documented with the error envelope.

``GET /docs`` is Swagger UI from the ``swagger-ui-bundle`` package, served from this service (no CDN, no other
host). The page is only the generic viewer: it asks for a bearer token, loads ``/v1/openapi.json`` with it and
sends "Try it out" requests with it, so the API description stays behind a token like every /v1 endpoint.

The document itself (``spec``) is built once per process, by an app of its own, and served by every app the process
makes.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import flask_smorest
from apispec import APISpec, BasePlugin
from flask import Blueprint, Flask, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from . import routing
from .auth import public

# flask-smorest's settings of the document (create_app puts them in every app's config too)
SETTINGS = {"API_TITLE": "BPJS Ketenagakerjaan adjudication service", "API_VERSION": "v1", "OPENAPI_VERSION": "3.0.3"}

ERROR = {"$ref": "#/components/schemas/Error"}
# statuses every operation of a kind can answer, besides what its view declares
STANDARD_ERRORS = {
    "400": "The request body is not valid JSON.",
    "404": "A record the path names does not exist.",
    "413": "The request body is too large (MAX_BODY_BYTES).",
    "415": "The request body is not JSON (Content-Type: application/json).",
    "422": "A field is wrong; errors maps each field path to what to fix.",
    "500": "Internal error; the request changed nothing.",
}

_CLAIM = {"claim_type": "JKK", "kpj": "11111111111", "filed_on": "2024-09-01",
          "incident": {"date": "2024-06-10", "kind": "commute", "reported_on": "2024-06-10", "route_deviation": True,
                       "outcome": {"type": "temporary_incapacity", "incapacity_months": 2},
                       "costs": {"transport": [{"mode": "land", "amount": 350000}], "medical": 1500000},
                       "flags": []},
          "heirs": [],
          "documents": ["kpj_card", "ktp", "doctor_statement", "stage1_report_form", "stage2_report_form",
                        "police_report", "transport_receipts", "medical_receipts"]}
# an example body of every request schema, by component name (tests/api/test_openapi_docs.py sends each)
EXAMPLES: dict[str, Any] = {
    "Employer": {"name": "PT Bangun Khatulistiwa", "nib": "9120001234567", "region_code": "61.12",
                 "scale": "medium", "sector": "construction", "risk_class": 4, "state_employer": False,
                 "registered_on": "2019-03-01", "programs": ["JKK", "JKM", "JHT", "JP"]},
    "Participant": {"nik": "6112051203880001", "name": "Budi Santoso", "birth_date": "1988-03-12", "segment": "PU",
                    "category": "karyawan", "employer_npp": "61120001", "project_number": None,
                    "programs": ["JKK", "JKM", "JHT", "JP"], "membership_start": "2019-04-01", "wage": 4500000,
                    "actual_wage": None, "declared_income": None, "payer": "employer", "employment_ended_on": None,
                    "jht_balance": 18250000, "jht_partial_withdrawals": [{"on": "2023-06-15", "pct": 10}]},
    "ContributionBatch": {"items": [{"payer": "employer:61120001", "period": "2024-05", "amount_due": 1250000,
                                     "amount_paid": 1250000, "paid_on": "2024-06-10"}]},
    "Project": {"contractor_npp": "61120001", "owner_name": "Dinas PUPR Kabupaten Kubu Raya",
                "spk_number": "SPK/027/PUPR/2024", "spk_date": "2024-01-15", "contract_value": 2500000000,
                "funding": "APBD", "region_code": "61.12.05", "start_date": "2024-02-01", "end_date": "2024-11-30",
                "registered_on": "2024-01-19", "payments": [{"termin": 1, "amount": 2587500, "paid_on": "2024-01-25"}]},
    "Claim": _CLAIM,
    "ClearanceBatch": {"as_of": "2024-06-01", "items": [{"nib": "9120001234567", "purpose": "permit_renewal",
                                                         "region_code": "61.71"}]},
    "ReplayRequest": {"ruleset": "original"},
    "BulkReplayRequest": {"from": "2024-01-01", "to": "2024-12-31", "kind": "claim", "ruleset": "current"},
    "PuMonth": {"type": "pu_month", "period": "2024-06", "wage": 5000000, "risk_class": 1,
                "programs": ["JKK", "JKM", "JHT", "JP"], "jkp_registered": False, "industry": "other",
                "active_workers": 120, "paid_on": "2024-07-20"},
    "BpuMonth": {"type": "bpu_month", "period": "2024-06", "declared_income": 1000000, "programs": ["JKK", "JKM"],
                 "paid_on": "2024-06-10"},
    "Pmi": {"type": "pmi", "phase": "placement", "package_months": 24, "contract_months": 26,
            "paid_on": "2024-09-03"},
    "JakonProject": {"type": "jakon_project", "spk_date": "2024-08-01", "contract_value": 850000000},
    "Documents": {"documents": ["witness_statements"]},
    "Redecide": {"filed_on": "2024-10-30"},
    "Review": {"findings": {"route_deviation": "accepted"},
               "note": "Singgah menjemput anak di sekolah: jalur masih wajar."},
}


class ExamplesAndErrors(BasePlugin):
    """Adds ``EXAMPLES`` to their schemas and the standard error statuses, with the envelope, to operations."""

    def schema_helper(self, name: str, definition: Any, **kwargs: Any) -> dict[str, Any] | None:
        """The example of a request schema, if it has one."""
        return {"example": copy.deepcopy(EXAMPLES[name])} if name in EXAMPLES else None

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        """Every error an operation can answer, each with the ``{code, status, message, errors}`` envelope."""
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["500"]
            if "requestBody" in operation or method in ("post", "put", "patch"):
                wanted += ["400", "413", "415", "422"]
            if operation.get("parameters") or "requestBody" in operation:
                wanted.append("422")
            if path and "{" in path and method != "put":  # a PUT creates what its path names
                wanted.append("404")
            for status in wanted:
                responses.setdefault(status, {"description": STANDARD_ERRORS[status]})
            for status, response in responses.items():
                if str(status)[0] in "45" and isinstance(response, dict) and "$ref" not in response \
                        and "content" not in response:
                    response["content"] = {"application/json": {"schema": ERROR}}


def api_blueprints() -> list[flask_smorest.Blueprint]:
    """The blueprints of the /v1 API, in the order the document lists them; create_app registers the same."""
    from . import assessments, audit, claim_case, claims, licensing, registry, replays

    return [registry.blp, assessments.blp, claims.blp, claim_case.blp, licensing.blp, audit.blp, replays.blp]


@functools.cache
def spec() -> APISpec:
    """The OpenAPI document of the API, built on first use by an app of its own and kept for the process.

    The document depends on the code alone (the views, their schemas and ``SETTINGS``), never on an app's
    configuration or database, so every app of a process serves this one. Building it walks every view and converts
    every schema: two thirds of what ``create_app`` cost when each app built its own (~75 of ~110 ms), and the test
    suite makes an app for nearly every test. The app it is built on is flask-smorest's ``Api`` with the API's
    blueprints, registered in the same order on the same URL converters as in create_app, so the paths and
    operations are the ones the service routes.
    """
    app = Flask(__name__)
    routing.init_app(app)
    app.config.update(SETTINGS)
    api = flask_smorest.Api(app, spec_kwargs={"components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    }, "extra_plugins": [ExamplesAndErrors()]})
    _document_error_responses(api)
    _document_claim_incidents(api)
    for blueprint in api_blueprints():
        api.register_blueprint(blueprint)
    return api.spec


def _document_error_responses(api: flask_smorest.Api) -> None:
    for name, text in (("UNAUTHORIZED", "No valid bearer token."),
                       ("FORBIDDEN", "The token's role may not call this endpoint.")):
        api.spec.components.response(name, {"description": text, "content": {"application/json": {"schema": ERROR}}})


def _document_claim_incidents(api: flask_smorest.Api) -> None:
    # a claim's incident is loaded by claim_type after the body, so no view names these schemas; the
    # Claim schema's oneOf refers to them by name and must find them among the components
    from .assessment_schemas import TYPE_SCHEMAS
    from .claim_schemas import INCIDENT_SCHEMAS

    for schema in [*INCIDENT_SCHEMAS.values(), *TYPE_SCHEMAS.values()]:
        api.spec.components.schema(schema.__name__.removesuffix("Schema"), schema=schema)


_PAGE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="UTF-8">
<title>BPJS Ketenagakerjaan adjudication service - API</title>
<link rel="stylesheet" type="text/css" href="/docs/assets/swagger-ui.css">
<style>
  body { margin: 0; font-family: sans-serif; }
  #token-bar { padding: 12px 20px; background: #0b5e3c; color: #fff; }
  #token-bar input { width: 34em; padding: 4px; }
  #token-bar button { padding: 4px 12px; }
</style>
</head>
<body>
<form id="token-bar">
  <label for="token">Bearer token (from <code>make run</code> or <code>flask --app wsgi tokens create</code>):
  </label>
  <input id="token" type="password" autocomplete="off" placeholder="bpjs_officer_...">
  <button type="submit">Load the API</button>
</form>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js" charset="UTF-8"></script>
<script>
  // the token stays in this tab only; every request the page makes (the document and "Try it out") carries it
  var form = document.getElementById("token-bar"), field = document.getElementById("token");
  field.value = sessionStorage.getItem("bpjs-token") || "";
  function load() {
    var token = field.value.trim();
    sessionStorage.setItem("bpjs-token", token);
    window.ui = SwaggerUIBundle({
      url: "/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null,
      requestInterceptor: function (request) {
        if (token) { request.headers["Authorization"] = "Bearer " + token; }
        return request;
      }
    });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  if (field.value) { load(); }
</script>
</body>
</html>
"""

docs = Blueprint("docs", __name__)


@docs.get("/docs")
@public
def page() -> Response:
    """The interactive API docs (Swagger UI served by this service)."""
    return Response(_PAGE, mimetype="text/html")


@docs.get("/docs/assets/<path:filename>")
@public
def assets(filename: str) -> Response:
    """Swagger UI's own files, from the ``swagger-ui-bundle`` package."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
