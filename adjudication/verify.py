"""Offline verifier of a decision-log export, needing only the standard library and ``cryptography``.

    python -m adjudication.verify EXPORT.jsonl [--checkpoint SAVED.json ...] [--public-key KEY.pem ...] [--json]

An export (``flask --app wsgi audit export``) is JSON lines: a ``header``, the ``checkpoint`` lines covering its
window and its ``record`` lines in sequence order. The verifier checks every record's hash and its link to the
previous record (``chain``), every checkpoint's signature (``signing``), and that each checkpoint's head hash is
the hash of the exported record at its sequence number. A window that does not start at the first record is
linked from its first record's ``prev_hash``, taken on trust unless a checkpoint pins the record before it.

Recomputing every hash after a rewrite keeps an export self-consistent. What catches that is a checkpoint saved
earlier (``--checkpoint``, one checkpoint or a list as ``GET /v1/audit/checkpoints`` returns them): the record
at its sequence number must still have the hash it signed. ``--public-key`` pins the keys signatures must be
made with; without it the keys the checkpoints carry are used, which proves consistency, not authorship.

Exit status: 0 verified; 1 the export fails a check (the first bad record is named, with why); 2 it could not be
verified (an unreadable file, a line that is not JSON, a saved checkpoint that is invalid or outside the export).

This module and the ones it imports (``chain``, ``signing``) must not import the rule engine, Flask or
SQLAlchemy: an auditor runs it on a machine that has none of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .chain import GENESIS, check_link
from .signing import key_id, load_public_pem, signature_valid

EXPORT_FORMAT = "bpjs-adjudication/decision-log-export/1"
SHOWN_PROBLEMS = 10


class InputProblem(Exception):
    """The export or a saved checkpoint cannot be used to verify anything (exit status 2)."""


@dataclass(frozen=True)
class Problem:
    """Why a record or a checkpoint fails; ``seq`` and ``decision_id`` name the record when there is one."""

    seq: int | None
    decision_id: str | None
    reason: str

    def text(self) -> str:
        """The problem as one line for an auditor."""
        if self.decision_id is not None:
            return f"record seq {self.seq} (decision {self.decision_id}): {self.reason}"
        return f"checkpoint seq {self.seq}: {self.reason}" if self.seq is not None else self.reason


@dataclass
class Report:
    """What a check found: counts, problems in log order, and notes on what it could not vouch for."""

    records: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    checked: int = 0  # records that passed before the first bad one
    checkpoints: int = 0  # checkpoints with a valid signature
    checkpoints_matched: int = 0
    pinned: int = 0
    pinned_matched: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem was found."""
        return not self.problems

    def first_bad(self) -> Problem | None:
        """The first problem in log order."""
        return self.problems[0] if self.problems else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``--json``)."""
        first = self.first_bad()
        return {"ok": self.ok, "records": self.records, "first_seq": self.first_seq, "last_seq": self.last_seq,
                "checked": self.checked, "checkpoints": self.checkpoints,
                "checkpoints_matched": self.checkpoints_matched, "pinned": self.pinned,
                "pinned_matched": self.pinned_matched,
                "first_bad": None if first is None else {"seq": first.seq, "decision_id": first.decision_id,
                                                         "reason": first.reason},
                "problems": [p.text() for p in self.problems], "notes": self.notes}


def _signing_key(checkpoint: Mapping[str, Any], trusted: Mapping[str, Ed25519PublicKey]
                 ) -> tuple[Ed25519PublicKey | None, str | None]:
    """The key to check a checkpoint with (a pinned one if its id is pinned), or why there is none."""
    wanted = checkpoint.get("key_id")
    if isinstance(wanted, str) and wanted in trusted:
        return trusted[wanted], None
    text = checkpoint.get("public_key")
    if not isinstance(text, str):
        return None, f"its key {wanted} is not pinned and the checkpoint carries no public key"
    try:
        public = load_public_pem(text)
    except ValueError:
        return None, "its public_key is not an Ed25519 public key in PEM"
    if key_id(public) != wanted:
        return None, f"its public key does not have its key id {wanted}"
    return public, None


def _seq(checkpoint: Mapping[str, Any]) -> int | None:
    seq = checkpoint.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


class ChainCheck:
    """Checks records fed in sequence order against each other and against signed checkpoints.

    ``checkpoints`` are the log's own (from the export or the database): a bad signature is a problem, and a
    valid one is checked against the record at its seq. ``pinned`` are checkpoints the auditor saved earlier:
    they must verify (else ``InputProblem``), and a record that does not match one is where the log was
    rewritten. ``trusted_keys`` (key id -> public key) pins the keys signatures must be made with.
    """

    def __init__(self, checkpoints: Iterable[Mapping[str, Any]] = (), pinned: Iterable[Mapping[str, Any]] = (),
                 trusted_keys: Mapping[str, Ed25519PublicKey] | None = None):
        self.report = Report()
        self._trusted = dict(trusted_keys or {})
        self._signed: dict[int, Mapping[str, Any]] = {}
        self._pinned: dict[int, Mapping[str, Any]] = {}
        self._unpinned_keys: set[str] = set()
        for checkpoint in pinned:
            self._pin(checkpoint)
        for checkpoint in sorted(checkpoints, key=lambda c: _seq(c) or 0):
            self._admit(checkpoint)
        self._prev_hash: str | None = None
        self._confirmed = 0  # the highest seq a pinned checkpoint vouched for
        self._last_signed: int | None = None
        self._record_failed = False

    def _pin(self, checkpoint: Mapping[str, Any]) -> None:
        seq = _seq(checkpoint)
        if seq is None:
            raise InputProblem("a saved checkpoint has no sequence number 'seq'")
        if self._trusted and checkpoint.get("key_id") not in self._trusted:
            raise InputProblem(f"saved checkpoint seq {seq} is signed by key {checkpoint.get('key_id')}, "
                               "not by a key given with --public-key")
        public, why = _signing_key(checkpoint, self._trusted)
        if public is None or not signature_valid(public, checkpoint):
            raise InputProblem(f"saved checkpoint seq {seq}: {why or 'its signature does not verify'}")
        self._pinned[seq] = checkpoint
        self.report.pinned += 1

    def _admit(self, checkpoint: Mapping[str, Any]) -> None:
        seq = _seq(checkpoint)
        public, why = _signing_key(checkpoint, self._trusted)
        if seq is None or public is None or not signature_valid(public, checkpoint):
            reason = why or "its signature does not verify"
            self.report.problems.append(Problem(seq, None, reason if seq is not None else f"checkpoint: {reason}"))
            return
        if self._trusted and checkpoint.get("key_id") not in self._trusted:
            self._unpinned_keys.add(str(checkpoint.get("key_id")))
        self._signed[seq] = checkpoint
        self.report.checkpoints += 1

    def _anchor(self, seq: int) -> tuple[str, str] | None:
        """The head hash a checkpoint signed for ``seq``, and how to name that checkpoint."""
        if seq in self._pinned:
            return str(self._pinned[seq].get("head_hash")), f"saved checkpoint seq {seq}"
        if seq in self._signed:
            return str(self._signed[seq].get("head_hash")), f"checkpoint seq {seq}"
        return None

    def add(self, record: Mapping[str, Any]) -> None:
        """Check the next record: its seq follows, its link and hash hold, and checkpoints at its seq match."""
        report = self.report
        seq = record.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            self._fail(None, record, "it has no sequence number")
            return
        first = report.last_seq is None
        reason = None
        if first:
            report.first_seq = seq
            anchor = self._anchor(seq - 1)
            if seq == 1:
                prev = GENESIS
            elif anchor is not None:
                prev = anchor[0]
                if record.get("prev_hash") != prev:
                    reason = f"its prev_hash is not the head hash {anchor[1]} signed"
                elif seq - 1 in self._pinned:
                    report.pinned_matched += 1
                    self._confirmed = seq - 1
                else:
                    report.checkpoints_matched += 1
            else:
                prev = str(record.get("prev_hash"))
                report.notes.append(f"the export starts at seq {seq}: its first record's prev_hash is taken on trust "
                                    f"(no checkpoint pins seq {seq - 1})")
        else:
            prev = self._prev_hash or ""
            if seq != (report.last_seq or 0) + 1:
                reason = f"seq {seq} follows seq {report.last_seq}: records are missing or out of order"
        report.last_seq = seq
        report.records += 1
        # compared with the checkpoints even when the link already failed, so their counts stay true
        signed_reason = self._against_checkpoints(seq, record)
        reason = reason or check_link(prev, record) or signed_reason
        self._prev_hash = str(record.get("hash"))
        if reason is not None:
            self._fail(seq, record, reason)
        elif not self._record_failed:
            report.checked += 1

    def _against_checkpoints(self, seq: int, record: Mapping[str, Any]) -> str | None:
        report = self.report
        if seq in self._pinned:
            pinned = self._pinned[seq]
            if record.get("hash") != pinned.get("head_hash"):
                since = f"after seq {self._confirmed}" if self._confirmed else "at or before this record"
                return (f"its hash differs from the head hash the saved checkpoint seq {seq} (signed "
                        f"{pinned.get('signed_at')}) holds: the log was rewritten {since}")
            report.pinned_matched += 1
            self._confirmed = seq
        if seq in self._signed:
            signed = self._signed[seq]
            self._last_signed = seq
            if record.get("hash") != signed.get("head_hash"):
                return (f"its hash differs from the head hash checkpoint seq {seq} (signed {signed.get('signed_at')}) "
                        "holds")
            report.checkpoints_matched += 1
        return None

    def _fail(self, seq: int | None, record: Mapping[str, Any], reason: str) -> None:
        self._record_failed = True
        decision = record.get("decision_id")
        self.report.problems.append(Problem(seq, str(decision) if decision is not None else "?", reason))

    def finish(self) -> Report:
        """Close the check: checkpoints past the last record, and what no checkpoint covers yet."""
        report = self.report
        last = report.last_seq if report.last_seq is not None else 0
        first = report.first_seq if report.first_seq is not None else 1
        for seq in sorted(self._signed):
            if seq > last:
                report.problems.append(Problem(seq, None, f"it signs a record the log does not hold (the last is "
                                                          f"seq {report.last_seq})"))
        outside = sorted(s for s in self._pinned if s > last or s < first - 1)
        if outside:
            raise InputProblem(f"saved checkpoint seq {outside[0]} is outside the records checked (seq {first}.."
                               f"{last}): export a window that includes it")
        if self._unpinned_keys:
            report.notes.append(f"{len(self._unpinned_keys)} key(s) signing checkpoints were not given with "
                                f"--public-key: {', '.join(sorted(self._unpinned_keys))}")
        if not self._trusted and not self._pinned and report.checkpoints:
            report.notes.append("signatures were checked with the keys the checkpoints carry: pass --public-key "
                                "or --checkpoint to vouch for who signed them")
        covered = max([s for s in (self._last_signed, self._confirmed) if s] or [0])
        if report.records and covered < last:
            start = max(covered + 1, first)
            report.notes.append(f"records seq {start}..{last} come after the last checkpoint: linked, not yet signed")
        report.problems.sort(key=lambda p: (p.seq is None, p.seq or 0, p.decision_id is None))
        return report


def check(records: Iterable[Mapping[str, Any]], checkpoints: Iterable[Mapping[str, Any]] = (),
          pinned: Iterable[Mapping[str, Any]] = (), trusted_keys: Mapping[str, Ed25519PublicKey] | None = None
          ) -> Report:
    """Check records (in sequence order) against each other and against signed checkpoints."""
    chain_check = ChainCheck(checkpoints, pinned, trusted_keys)
    for record in records:
        chain_check.add(record)
    return chain_check.finish()


# --- reading an export ----------------------------------------------------------------------------------------

def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        with path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as error:
                    raise InputProblem(f"{path}: line {number} is not JSON ({error.msg})") from error
                if not isinstance(item, dict) or item.get("type") not in ("header", "checkpoint", "record"):
                    raise InputProblem(f"{path}: line {number} is not a header, checkpoint or record")
                yield number, item
    except OSError as error:
        raise InputProblem(f"cannot read {path}: {error.strerror}") from error


def verify_export(path: Path, pinned: Sequence[Mapping[str, Any]] = (),
                  trusted_keys: Mapping[str, Ed25519PublicKey] | None = None) -> tuple[Report, dict[str, Any]]:
    """Check an export file in two passes (checkpoints, then records), in constant memory; returns the header too."""
    header: dict[str, Any] = {}
    checkpoints = []
    for _, item in _lines(path):
        if item["type"] == "header":
            header = item
        elif item["type"] == "checkpoint":
            checkpoints.append(item)
    if header.get("format") != EXPORT_FORMAT:
        raise InputProblem(f"{path} is not a decision-log export (its header's format is not {EXPORT_FORMAT})")
    report = check((item for _, item in _lines(path) if item["type"] == "record"), checkpoints, pinned,
                   trusted_keys)
    announced = (header.get("first_seq"), header.get("last_seq"))
    if header.get("records") != report.records or (report.records and announced != (report.first_seq,
                                                                                      report.last_seq)):
        report.problems.append(Problem(None, None, f"the header announces {header.get('records')} records (seq "
                                                   f"{announced[0]}..{announced[1]}), the file holds "
                                                   f"{report.records}: it was cut or added to"))
    return report, header


def load_checkpoints(path: Path) -> list[dict[str, Any]]:
    """Saved checkpoints: one object, a list, or ``{"checkpoints": [...]}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputProblem(f"cannot read the saved checkpoint {path}: {error}") from error
    if isinstance(data, dict) and isinstance(data.get("checkpoints"), list):
        data = data["checkpoints"]
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise InputProblem(f"{path} holds no checkpoint objects")
    return items


def load_keys(paths: Sequence[Path]) -> dict[str, Ed25519PublicKey]:
    """Pinned public keys (PEM files) by key id."""
    keys = {}
    for path in paths:
        try:
            public = load_public_pem(path.read_bytes())
        except (OSError, ValueError) as error:
            raise InputProblem(f"{path} is not a readable Ed25519 public key in PEM: {error}") from error
        keys[key_id(public)] = public
    return keys


def _summary(report: Report, header: Mapping[str, Any]) -> list[str]:
    window = f"{header.get('from') or 'start'}..{header.get('to') or 'end'}"
    span = f"seq {report.first_seq}..{report.last_seq}" if report.records else "no records"
    lines = [f"export: {report.records} records ({span}), window {window}, {report.checkpoints} valid checkpoint "
             f"signatures"]
    first = report.first_bad()
    if first is None:
        lines.append(f"OK    every hash and link holds; {report.checkpoints_matched} checkpoint head hashes match; "
                     f"saved checkpoints: {report.pinned_matched} of {report.pinned} match")
    else:
        lines.append(f"FAIL  {first.text()}")
        lines += [f"      also {p.text()}" for p in report.problems[1:SHOWN_PROBLEMS]]
        if len(report.problems) > SHOWN_PROBLEMS:
            lines.append(f"      ... {len(report.problems) - SHOWN_PROBLEMS} more problems")
        lines.append(f"checked: {report.checked} of {report.records} records passed before the first bad one; "
                     f"{report.checkpoints_matched} checkpoint head hashes match; saved checkpoints: "
                     f"{report.pinned_matched} of {report.pinned} match")
    lines += [f"note: {note}" for note in report.notes]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the verifier; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m adjudication.verify", description=__doc__.split("\n\n")[0],
                                     epilog="Exit status: 0 verified, 1 a check failed, 2 could not verify.")
    parser.add_argument("export", type=Path, help="the JSON-lines file `flask --app wsgi audit export` wrote")
    parser.add_argument("--checkpoint", type=Path, action="append", default=[],
                        help="checkpoint(s) saved earlier from GET /v1/audit/checkpoints (repeatable)")
    parser.add_argument("--public-key", type=Path, action="append", default=[],
                        help="a PEM public key (GET /v1/audit/public-key) signatures must be made with (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = parser.parse_args(argv)
    try:
        trusted = load_keys(args.public_key)
        pinned = [c for path in args.checkpoint for c in load_checkpoints(path)]
        report, header = verify_export(args.export, pinned, trusted)
    except InputProblem as error:
        if args.json:
            print(json.dumps({"ok": False, "error": str(error)}))
        else:
            print(f"ERROR {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(_summary(report, header)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
