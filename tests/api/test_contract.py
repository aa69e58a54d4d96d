"""Contract tests of the OpenAPI document the app serves, and schemathesis fuzzing of every operation."""

from __future__ import annotations

import re
from typing import Any

import pytest
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
