"""`flask rules check` and the boot-time refusal of a malformed rule file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from adjudication import RuleFileError
from api import create_app
from api.config import ROOT


def test_rules_check_passes_on_the_shipped_rules(app: Flask) -> None:
    # the whole check (parameters exercised too) is tests/engine/test_rule_cases.py's; here the command's output
    result = app.test_cli_runner().invoke(args=["rules", "check", "--quick"])
    assert result.exit_code == 0, result.output
    assert "passed" in result.output and "OK" in result.output


def test_rules_check_fails_when_a_case_expects_something_else(database_url: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    case = rules / "cases" / "contributions.yaml"
    case.write_text(case.read_text().replace("outcome: rejected, reasons: [PARTICIPANT_INACTIVE]",
                                             "outcome: approved, reasons: [PARTICIPANT_INACTIVE]", 1))
    app = create_app({"DATABASE_URL": database_url, "RULES_DIR": str(rules)})
    result = app.test_cli_runner().invoke(args=["rules", "check", "--quick"])
    assert result.exit_code == 1
    assert "FAIL" in result.output.upper()


def test_a_malformed_rule_file_stops_the_service_naming_file_and_key(database_url: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    broken = sorted((rules / "jkk").glob("*.yaml"))[0]
    broken.write_text(broken.read_text().replace("citation:", "citaton:", 1))
    with pytest.raises(RuleFileError) as error:
        create_app({"DATABASE_URL": database_url, "RULES_DIR": str(rules)})
    assert broken.name in str(error.value) and "citaton" in str(error.value)
