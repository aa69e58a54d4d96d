"""The offline verifier on hand-made exports: hashes, links, signatures, saved checkpoints, exit codes, imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from adjudication import chain
from adjudication.signing import Signer, write_private_key
from adjudication.verify import EXPORT_FORMAT, InputProblem, check, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    path = tmp_path_factory.mktemp("key") / "key.pem"
    write_private_key(path)
    return Signer(path)


def records(count: int, start: int = 1, prev: str = chain.GENESIS) -> list[dict[str, Any]]:
    """A valid chain of format 2 records from seq ``start``."""
    out = []
    for seq in range(start, start + count):
        record = {"decision_id": f"d{seq}", "seq": seq, "kind": "claim", "subject": f"c{seq}",
                  "ruleset_version": "sha256:" + "a" * 64, "facts": {"event_date": "2024-01-02", "wage": seq},
                  "result": {"outcome": "approved"}, "decided_at": "2024-01-03T00:00:00.000000Z", "format": 2,
                  "inputs": {}, "trace": [], "actor": {"role": "officer"}, "request_id": "r", "service_version": "t",
                  "prev_hash": prev}
        record["hash"] = prev = chain.record_hash(prev, chain.hashed_content(record))
        out.append(record)
    return out


def rehash(chained: list[dict[str, Any]], prev: str) -> None:
    """Recompute every hash and link, as someone who rewrote a record could."""
    for record in chained:
        record["prev_hash"] = prev
        record["hash"] = prev = chain.record_hash(prev, chain.hashed_content(record))


def checkpoint(signer: Signer, record: dict[str, Any], signed_at: str = "2024-01-03T00:01:00.000000Z"
               ) -> dict[str, Any]:
    """A signed checkpoint of ``record`` as the service lists it."""
    body = {"seq": record["seq"], "head_hash": record["hash"], "signed_at": signed_at, "key_id": signer.key_id}
    return {**body, "algorithm": "Ed25519", "signature": signer.sign(body), "public_key": signer.public_pem}


def write_export(path: Path, chained: list[dict[str, Any]], signed: list[dict[str, Any]]) -> Path:
    header = {"type": "header", "format": EXPORT_FORMAT, "from": None, "to": None,
              "first_seq": chained[0]["seq"] if chained else None, "last_seq": chained[-1]["seq"] if chained else None,
              "records": len(chained), "checkpoints": len(signed)}
    lines = [header, *({"type": "checkpoint", **c} for c in signed), *({"type": "record", **r} for r in chained)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_an_intact_chain_with_its_checkpoints_verifies(signer: Signer):
    chained = records(5)
    report = check(chained, [checkpoint(signer, chained[1]), checkpoint(signer, chained[4])])
    assert report.ok
    assert (report.records, report.checked, report.checkpoints, report.checkpoints_matched) == (5, 5, 2, 2)
    assert any("keys the checkpoints carry" in note for note in report.notes)


def test_an_edited_record_is_named_with_why(signer: Signer):
    chained = records(4)
    chained[2]["facts"] = {**chained[2]["facts"], "wage": 99_000_000}
    report = check(chained)
    first = report.first_bad()
    assert first is not None and (first.seq, first.decision_id) == (3, "d3")
    assert first.reason == "its hash does not match its content" and report.checked == 2
    # the record kept its hash, so a checkpoint of it still matches: the content is what changed
    signed = check(chained, [checkpoint(signer, chained[2])])
    assert signed.checkpoints_matched == 1 and signed.first_bad() == first
    assert not any("come after the last checkpoint" in note and "3.." in note for note in signed.notes)


def test_a_missing_record_breaks_the_sequence(signer: Signer):
    chained = records(4)
    del chained[1]
    first = check(chained).first_bad()
    assert first is not None and first.seq == 3
    assert first.reason == "seq 3 follows seq 1: records are missing or out of order"


def test_a_rewrite_with_every_hash_recomputed_passes_alone_and_fails_against_a_saved_checkpoint(signer: Signer):
    chained = records(5)
    saved = [checkpoint(signer, r) for r in chained[:4]]  # an auditor kept these
    chained[2]["facts"] = {**chained[2]["facts"], "wage": 1}
    rehash(chained[2:], chained[1]["hash"])
    # the rewriter holds the key too and re-signs the log's own checkpoints
    resigned = [checkpoint(signer, r) for r in chained]
    assert check(chained, resigned).ok
    report = check(chained, resigned, pinned=saved)
    first = report.first_bad()
    assert first is not None and (first.seq, first.decision_id) == (3, "d3")
    assert "differs from the head hash the saved checkpoint seq 3" in first.reason
    assert first.reason.endswith("the log was rewritten after seq 2")
    assert (report.pinned, report.pinned_matched, report.checked) == (4, 2, 2)


def test_a_saved_checkpoint_far_from_the_change_gives_the_range(signer: Signer):
    chained = records(6)
    saved = [checkpoint(signer, chained[0]), checkpoint(signer, chained[5])]
    chained[2]["result"] = {"outcome": "rejected"}
    rehash(chained[2:], chained[1]["hash"])
    first = check(chained, pinned=saved).first_bad()
    assert first is not None and first.seq == 6
    assert first.reason.endswith("the log was rewritten after seq 1")


def test_a_forged_checkpoint_signature_is_a_problem(signer: Signer):
    chained = records(3)
    forged = {**checkpoint(signer, chained[1]), "head_hash": "f" * 64}
    report = check(chained, [forged])
    assert not report.ok and report.first_bad() is not None
    assert report.problems[0].text() == "checkpoint seq 2: its signature does not verify"
    assert report.checked == 3  # the records themselves hold


def test_a_checkpoint_past_the_last_record_means_records_were_cut(signer: Signer):
    chained = records(4)
    signed = [checkpoint(signer, chained[3])]
    report = check(chained[:2], signed)
    assert [p.text() for p in report.problems] == [
        "checkpoint seq 4: it signs a record the log does not hold (the last is seq 2)"]


def test_a_window_is_linked_from_a_trusted_prev_hash_or_a_checkpoint(signer: Signer):
    chained = records(6)
    window = chained[3:]
    report = check(window)
    assert report.ok and any("prev_hash is taken on trust" in note for note in report.notes)
    pinned = check(window, [checkpoint(signer, chained[2])])
    assert pinned.ok and not any("on trust" in note for note in pinned.notes)
    assert pinned.checkpoints_matched == 1
    window[0] = {**window[0], "prev_hash": "e" * 64}
    rehash(window, "e" * 64)
    first = check(window, [checkpoint(signer, chained[2])]).first_bad()
    assert first is not None and first.seq == 4
    assert first.reason == "its prev_hash is not the head hash checkpoint seq 3 signed"


def test_saved_checkpoints_must_verify_and_lie_in_the_export(signer: Signer, tmp_path: Path):
    chained = records(3)
    with pytest.raises(InputProblem, match="saved checkpoint seq 2: its signature does not verify"):
        check(chained, pinned=[{**checkpoint(signer, chained[1]), "signed_at": "2030-01-01T00:00:00.000000Z"}])
    later = {**checkpoint(signer, records(9)[8])}
    with pytest.raises(InputProblem, match="saved checkpoint seq 9 is outside the records checked"):
        check(chained, pinned=[later])
    other = tmp_path / "other.pem"
    write_private_key(other)
    with pytest.raises(InputProblem, match="not by a key given with --public-key"):
        check(chained, pinned=[checkpoint(signer, chained[1])],
              trusted_keys={Signer(other).key_id: Signer(other).public_key})


def test_the_command_line_exit_codes_and_report(signer: Signer, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    chained = records(4)
    export = write_export(tmp_path / "log.jsonl", chained, [checkpoint(signer, chained[3])])
    key = tmp_path / "key.pem"
    key.write_text(signer.public_pem)
    assert main([str(export), "--public-key", str(key)]) == 0
    assert "OK    every hash and link holds; 1 checkpoint head hashes match" in capsys.readouterr().out

    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps([checkpoint(signer, r) for r in chained]))
    chained[1]["facts"] = {"wage": 0}
    rehash(chained[1:], chained[0]["hash"])
    export = write_export(tmp_path / "log.jsonl", chained, [checkpoint(signer, chained[3])])
    assert main([str(export), "--checkpoint", str(saved), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["first_bad"]["decision_id"] == "d2" and report["first_bad"]["seq"] == 2
    assert report["checked"] == 1 and report["ok"] is False

    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(export.read_text().splitlines(keepends=True)[:-1]))
    assert main([str(cut)]) == 1
    assert "the header announces 4 records (seq 1..4), the file holds 3" in capsys.readouterr().out

    broken = tmp_path / "broken.jsonl"
    broken.write_text(export.read_text() + "{not json\n")
    assert main([str(broken)]) == 2
    assert "line 7 is not JSON" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.jsonl")]) == 2


def test_the_verifier_imports_neither_the_engine_nor_flask_nor_sqlalchemy(signer: Signer, tmp_path: Path):
    chained = records(2)
    export = write_export(tmp_path / "log.jsonl", chained, [checkpoint(signer, chained[1])])
    probe = ("import json, runpy, sys\n"
             "before = set(sys.modules)\n"
             f"sys.argv = ['verify', {str(export)!r}]\n"
             "try:\n    runpy.run_module('adjudication.verify', run_name='__main__')\n"
             "except SystemExit as stop:\n    code = stop.code\n"
             "print(json.dumps([code, sorted(set(sys.modules) - before)]))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 0, done.stdout + done.stderr
    # what running the verifier loaded: the standard library, cryptography with its OpenSSL and cffi bindings,
    # and of this project the chain and signing modules only
    outside = {m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names)
    assert outside == {"adjudication", "cryptography", "_cffi_backend", "_openssl"}, outside
    # (runpy runs the verifier itself as __main__)
    assert {m for m in loaded if m.startswith("adjudication")} == {
        "adjudication", "adjudication.chain", "adjudication.signing"}
