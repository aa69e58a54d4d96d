"""The hash chain's content by record format: format 1 records keep verifying after format 2 was added."""

from __future__ import annotations

from typing import Any

from adjudication import chain


def _record(prev: str, seq: int, **extra: Any) -> dict[str, Any]:
    record = {"decision_id": f"d{seq}", "seq": seq, "kind": "claim", "subject": f"c{seq}",
              "ruleset_version": "sha256:" + "a" * 64, "facts": {"event_date": "2024-01-02"},
              "result": {"outcome": "approved"}, "decided_at": "2024-01-03T00:00:00.000000Z", "prev_hash": prev,
              **extra}
    record["hash"] = chain.record_hash(prev, chain.hashed_content(record))
    return record


def test_a_format_1_record_hashes_only_the_original_fields():
    old = _record(chain.GENESIS, 1)
    assert set(chain.hashed_content(old)) == set(chain.FORMAT_1_FIELDS)
    # a column added later and still empty on an old row does not change its hash
    assert chain.check_link(chain.GENESIS, {**old, "format": 1, "inputs": None, "actor": None}) is None


def test_a_mixed_chain_verifies_and_format_2_covers_the_actor():
    old = _record(chain.GENESIS, 1)
    new = _record(old["hash"], 2, format=2, inputs={"claim": {}}, trace=[], actor={"token_id": 1, "role": "officer"},
                  request_id="r1", service_version="0.1.0+abc")
    assert chain.check_link(old["hash"], new) is None
    assert chain.check_link(old["hash"], {**new, "actor": {"token_id": 2, "role": "officer"}}) \
        == "its hash does not match its content"
    # passing a format 2 record off as format 1 (to escape its actor) changes what the hash covers
    assert chain.check_link(old["hash"], {**new, "format": 1}) == "its hash does not match its content"
    assert chain.check_link("f" * 64, new) == "its prev_hash is not the previous record's hash"
