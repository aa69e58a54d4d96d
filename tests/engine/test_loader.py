"""Strict loading: every broken file kind is refused with a message naming the file and the key."""

from __future__ import annotations

import pytest

from adjudication import RuleFileError, load_ruleset_from_files

from .conftest import HERE

BROKEN = HERE / "broken"

# (broken file, where it goes in the ruleset, the key the error must name, words the message must contain)
CASES = [
    ("unknown_key.yaml", "broken/unknown_key.yaml", "[0].valid_form", "unknown key"),
    ("bad_date.yaml", "broken/bad_date.yaml", "[0].valid_from", "2020-02-31"),
    ("overlap.yaml", "broken/overlap.yaml", "[0].valid_from", "overlaps its version in jkk/expiry.yaml"),
    ("unknown_parameter.yaml", "broken/unknown_parameter.yaml", "[0].when.all[1].gt.param",
     "unknown parameter 'jkk.claim_expiry_yeers'"),
    ("unknown_reason_code.yaml", "broken/unknown_reason_code.yaml", "[0].then[0].reject",
     "unknown reason code 'CLAIM_EXPIRD'"),
    ("unknown_fact.yaml", "broken/unknown_fact.yaml", "[0].when.any[1].fact", "unknown fact 'accident_date'"),
    ("wrong_code_kind.yaml", "broken/wrong_code_kind.yaml", "[0].then[0].reject", "warning code"),
    ("bad_formula.yaml", "broken/bad_formula.yaml", "[0].then[0].benefit.amount", "not allowed in a formula"),
    ("bad_enum_value.yaml", "broken/bad_enum_value.yaml", "[0].when.in", "'JAKONN' is not one of"),
    ("duplicate_key.yaml", "broken/duplicate_key.yaml", "line 8", "duplicate key 'when'"),
    ("missing_citation.yaml", "broken/missing_citation.yaml", "[0].citation", "missing"),
    ("param_before_values.yaml", "broken/param_before_values.yaml", "[0].valid_from",
     "jkk.claim_expiry_years has no value on 2010-01-01"),
    ("parameters/no_reference.yaml", "parameters/no_reference.yaml", "limit.values.2020-01-01.reference",
     "legal reference"),
    ("parameters/bad_start.yaml", "parameters/bad_start.yaml", "limit.values.2020-13-01", "a start must be a date"),
    ("reason_codes_missing_en.yaml", "reason_codes.yaml", "CLAIM_EXPIRED.en", "missing"),
]


@pytest.mark.parametrize(("broken", "target", "key", "words"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_is_refused_naming_file_and_key(shipped_files: dict[str, str], broken: str, target: str,
                                                     key: str, words: str) -> None:
    files = dict(shipped_files)
    files[target] = (BROKEN / broken).read_text(encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_ruleset_from_files(files)
    error = caught.value
    assert error.path == target
    assert error.key == key
    assert words in str(error)
    assert str(error).startswith(f"{target}: {key}: ")


def test_every_broken_file_is_exercised() -> None:
    on_disk = {p.relative_to(BROKEN).as_posix() for p in BROKEN.rglob("*.yaml")}
    assert on_disk == {c[0] for c in CASES}


def test_missing_catalogue_is_refused(shipped_files: dict[str, str]) -> None:
    files = {k: v for k, v in shipped_files.items() if k != "reason_codes.yaml"}
    with pytest.raises(RuleFileError, match="reason_codes.yaml"):
        load_ruleset_from_files(files)


def test_parameter_defined_twice_is_refused(shipped_files: dict[str, str]) -> None:
    files = dict(shipped_files)
    files["parameters/extra/jkk.yaml"] = files["parameters/jkk.yaml"]
    with pytest.raises(RuleFileError, match="also defined in"):
        load_ruleset_from_files(files)


def test_invalid_yaml_names_the_line(shipped_files: dict[str, str]) -> None:
    files = dict(shipped_files)
    files["jkk/broken.yaml"] = "- id: X\n  when: [unclosed\n"
    with pytest.raises(RuleFileError) as caught:
        load_ruleset_from_files(files)
    assert caught.value.path == "jkk/broken.yaml"
    assert caught.value.key.startswith("line ")


def test_adjacent_versions_are_accepted(shipped_files: dict[str, str]) -> None:
    # JKK.EXPIRY.2Y ends 2019-12-01 and JKK.LATE_REPORT has two versions meeting on 2025-02-23/24
    ruleset = load_ruleset_from_files(shipped_files)
    versions = [r for r in ruleset.rules if r.id == "JKK.LATE_REPORT"]
    assert [(str(r.valid_from), str(r.valid_to)) for r in versions] == [("2015-07-01", "2025-02-23"),
                                                                         ("2025-02-24", "None")]
