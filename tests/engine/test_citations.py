"""Citations that say the same thing the same way (issue 11 item 13): the participant definition, the accident kinds
of Permenaker 5/2021, and an appendix number the sources do not confirm, which says so wherever it is cited."""

from __future__ import annotations

import datetime as dt
import re

import yaml

from adjudication import Ruleset

NUMBERED_APPENDIX = re.compile(r"Lampiran [IVX]+\b")
UNCONFIRMED = "not confirmed"


def test_the_participant_definition_cites_perpres_109_2013_pasal_1_angka_3(shipped: Ruleset) -> None:
    for rule_id in ("GENERAL.NOT_A_PARTICIPANT", "GENERAL.PROGRAM_NOT_ENROLLED", "GENERAL.COVERAGE_ENDED"):
        citations = {str(r.citation) for r in shipped.rules if r.id == rule_id}
        assert citations == {"Perpres 109/2013 Pasal 1 angka 3"}, rule_id


def test_accident_kinds_from_april_2021_cite_permenaker_5_2021_pasal_7(shipped: Ruleset) -> None:
    kinds = [r for r in shipped.rules if r.id.startswith("JKK.ELIGIBLE.") and r.valid_from >= dt.date(2021, 4, 1)]
    assert len(kinds) == 6
    assert {str(r.citation) for r in kinds} == {"Permenaker 5/2021 Pasal 7"}


def test_a_numbered_appendix_says_everywhere_that_the_sources_do_not_confirm_it(
        shipped: Ruleset, shipped_files: dict[str, str]) -> None:
    cited = [r for r in shipped.rules if NUMBERED_APPENDIX.search(r.citation.article)]
    assert cited, "the JKK death rules cite Lampiran III"
    for rule in cited:
        assert rule.citation.note and UNCONFIRMED in rule.citation.note, (rule.id, rule.valid_from)
    for path, text in shipped_files.items():
        if path.startswith("parameters/"):
            _check_parameter_notes(path, yaml.safe_load(text), [])


def _check_parameter_notes(path: str, node: object, where: list[str]) -> None:
    if not isinstance(node, dict):
        return
    if "values" in node:
        references = " ".join(str(v.get("reference", "")) for v in node["values"].values())
        if NUMBERED_APPENDIX.search(references):
            assert UNCONFIRMED in str(node.get("note", "")), (path, ".".join(where))
        return
    for key, child in node.items():
        _check_parameter_notes(path, child, [*where, str(key)])
