"""The API a newcomer can use alone: interactive docs from this service, an example body for every request schema,
every error status documented with the envelope."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from api.openapi_docs import EXAMPLES

from . import samples

OPENAPI = "/v1/openapi.json"
EXTERNAL = re.compile(r"(?:https?:)?//(?!localhost|127\.0\.0\.1)[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def test_the_docs_page_and_its_assets_come_from_this_service(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert EXTERNAL.search(html) is None, EXTERNAL.search(html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/docs/assets/swagger-ui-bundle.js" in assets and "/docs/assets/swagger-ui.css" in assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and response.data, asset
        response.close()
    stylesheet = client.get("/docs/assets/swagger-ui.css")
    css = stylesheet.get_data(as_text=True)
    stylesheet.close()
    assert re.search(r"url\((?:'|\")?https?://", css) is None  # no font or image fetched from elsewhere
    # the page loads the document with the token the user gives, like every /v1 call
    assert '"/v1/openapi.json"' in html and "Authorization" in html and "validatorUrl: null" in html
    outside = client.get("/docs/assets/../../api/__init__.py")
    assert outside.status_code == 404
    outside.close()
    assert client.get(OPENAPI).status_code == 401


def _openapi_path(rule: str) -> str:
    """``/v1/employers/<npp>`` in the URL map is ``/v1/employers/{npp}`` in the document."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method != "parameters"]


def test_every_error_status_is_documented_with_the_envelope(client: FlaskClient, auth: Any) -> None:
    document = client.get(OPENAPI, headers=auth("officer")).get_json()
    responses_by_ref = document["components"]["responses"]
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        expected = {"401", "403", "500"}
        if "requestBody" in operation:
            expected |= {"400", "413", "415", "422"}
        if "{" in path and method != "put":
            expected.add("404")
        assert expected <= set(responses), (method, path, sorted(responses))
        for status, response in responses.items():
            if status[0] in "45":
                resolved = responses_by_ref[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
                schema = resolved["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
                assert resolved["description"]


def test_every_request_body_has_an_example_the_service_accepts(app: Flask, client: FlaskClient,
                                                               auth: Any) -> None:
    """Each example, sent as it is with a token of its role, is never refused as invalid input."""
    samples.store_paid_up_worker(client, auth)
    document = client.get(OPENAPI, headers=auth("officer")).get_json()
    schemas = document["components"]["schemas"]
    roles = {(method.lower(), _openapi_path(rule.rule)): app.view_functions[rule.endpoint].allowed_roles[0]
             for rule in app.url_map.iter_rules() if rule.rule.startswith("/v1/")
             for method in rule.methods or () if getattr(app.view_functions[rule.endpoint], "allowed_roles", None)}
    sent = 0
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        # a body of several shapes (oneOf) has an example of each, and each is sent
        for ref in [body["$ref"]] if "$ref" in body else [alternative["$ref"] for alternative in body["oneOf"]]:
            name = ref.rsplit("/", 1)[1]
            example = schemas[name].get("example")
            assert example is not None and example == EXAMPLES[name], (method, path, name)
            url = path.replace("{npp}", samples.NPP).replace("{kpj}", samples.KPJ_PU) \
                .replace("{project_number}", samples.PROJECT)
            url = re.sub(r"\{[a-z_]+\}", "unknown", url)
            headers = {**auth(roles[(method, path)]), "Idempotency-Key": f"example-{sent:04d}"}
            response = client.open(url, method=method.upper(), json=example, headers=headers)
            assert response.status_code != 422 and response.status_code < 500, (method, path, response.get_json())
            sent += 1
    assert sent >= 15
