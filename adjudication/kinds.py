"""The kinds of case the service decides, the programme whose law must speak to each, and their status words.

Every kind is decided the same way: its deriver turns the raw inputs into facts under the deciding ruleset's
parameters (``derivation.derive``), the rules are evaluated, and the decision's outcome follows the effects
(``approved``, ``rejected``, ``referred``). The licensing answers name the outcome in their own words.
"""

from __future__ import annotations

CASE_KINDS = ("claim", "project_coverage", "clearance", "contribution_assessment")
# the programme whose rules must have fired for a case of each kind (a claim: its claim type), else the case is
# referred with NO_APPLICABLE_RULE rather than approved in silence
KIND_PROGRAMS = {"project_coverage": "JAKON", "clearance": "CLEARANCE", "contribution_assessment": "CONTRIBUTION"}
# how a licensing answer names an outcome
STATUS = {
    "clearance": {"approved": "clear", "rejected": "not_clear", "referred": "not_clear"},
    "project_coverage": {"approved": "covered", "rejected": "not_covered", "referred": "not_covered"},
}


def status(kind: str, outcome: str) -> str:
    """The status word of a decision of ``kind`` (the outcome itself for a claim)."""
    return STATUS.get(kind, {}).get(outcome, outcome)
