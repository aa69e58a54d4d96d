"""Contract tests of the OpenAPI document the app serves, and schemathesis fuzzing of every operation."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

OPENAPI = "/v1/openapi.json"


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
