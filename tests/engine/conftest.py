"""Engine test helpers: the shipped rules and small in-memory rulesets; no app, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from adjudication import Ruleset, load_ruleset, load_ruleset_from_files
from adjudication.ruleset import read_rules_dir

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "rules"
HERE = Path(__file__).resolve().parent

CATALOGUE = """
NO_APPLICABLE_RULE:
  kind: refer
  id: Tidak ada ketentuan yang berlaku.
  en: No provision applies.
HIT:
  kind: reject
  id: Kena.
  en: Hit.
SEND:
  kind: refer
  id: Periksa.
  en: Review.
NOTE:
  kind: warning
  id: Catatan.
  en: Note.
EMPLOYER:
  kind: info
  id: Pemberi kerja.
  en: Employer pays first.
"""

PARAMETERS = """
limit:
  values:
    2015-07-01: {value: 2, reference: PP 44/2015 Pasal 26}
    2019-12-02: {value: 5, reference: PP 82/2019 Pasal 26}
rate:
  values:
    2015-07-01: {value: 0.0024, reference: PP 44/2015 Pasal 16}
days:
  values:
    2015-07-01: {value: 2, reference: Permenaker 1/2025 Pasal 8}
"""


@pytest.fixture(scope="session")
def shipped() -> Ruleset:
    """The ruleset in rules/, loaded once per test session."""
    return load_ruleset(RULES_DIR)


@pytest.fixture(scope="session")
def shipped_files() -> dict[str, str]:
    """The files of rules/ as relative path -> text."""
    return read_rules_dir(RULES_DIR)


def small_ruleset(rules_yaml: str, parameters: str = PARAMETERS, catalogue: str = CATALOGUE) -> Ruleset:
    """A ruleset of one rule file plus the test catalogue and parameters."""
    return load_ruleset_from_files({"reason_codes.yaml": catalogue, "parameters/test.yaml": parameters,
                                    "test/rules.yaml": rules_yaml})


def rule_yaml(rule_id: str, when: str, then: str = "[{reject: HIT}]", valid_from: str = "2015-07-01",
              valid_to: str | None = None) -> str:
    """One rule entry as YAML text (``when`` and ``then`` as flow YAML)."""
    end = f"\n  valid_to: {valid_to}" if valid_to else ""
    return (f"- id: {rule_id}\n  program: JKK\n  title: test rule\n  valid_from: {valid_from}{end}\n"
            f"  citation: {{instrument: PP 44/2015, article: Pasal 1}}\n  when: {when}\n  then: {then}\n")
