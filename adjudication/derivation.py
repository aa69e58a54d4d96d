"""Facts from raw inputs, per kind of case, under the parameters of the ruleset that decides.

``Ruleset.decide`` calls ``derive``; the inputs are stored with the decision, so a replay with another ruleset
derives the facts again from the same inputs with that ruleset's law. Each deriver is a mechanism (calendar
arithmetic, counting, matching); every number it uses is a dated parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .assessment import derive_assessment
from .claim_facts import derive_claim
from .clearance import derive_clearance
from .errors import FactError
from .parameters import Parameters
from .projects import derive_project_coverage

Deriver = Callable[[Mapping[str, Any], Parameters], dict[str, Any]]
# the parameters (by name prefix) each deriver may read; replay pruning treats a change to one of them as touching
# every case of that kind, and a test checks no deriver reads a parameter it does not declare here
_CONTRIBUTION_STATUS = ("membership.contribution_due.", "membership.bpu_inactive_after_unpaid_months")
_PROJECT = ("jakon.registration_deadline.", "jakon.contract_tiers.", "jakon.termin_shares")
PARAMETERS_READ: dict[str, tuple[str, ...]] = {
    "claim": (*_CONTRIBUTION_STATUS, *_PROJECT, "scholarship.max_children", "scholarship.age_limit_years",
              "scholarship.levels.", "heirs.class_", "jht.online_claim_limit", "jht.waiting_months",
              "jkk.disability_table.", "jkk.suspected_decision_days"),
    "project_coverage": _PROJECT,
    "clearance": (*_CONTRIBUTION_STATUS, *_PROJECT, "clearance.", "contribution.pu.fine_rate_per_month"),
    "contribution_assessment": ("membership.contribution_due.", "contribution.pu.jkk_discount_"),
}
DERIVERS: dict[str, Deriver] = {
    "claim": derive_claim,
    "project_coverage": derive_project_coverage,
    "clearance": derive_clearance,
    "contribution_assessment": derive_assessment,
}


def derive(kind: str, inputs: Mapping[str, Any], parameters: Parameters) -> dict[str, Any]:
    """The facts of a case of ``kind`` (see ``kinds.CASE_KINDS``) from its inputs."""
    deriver = DERIVERS.get(kind)
    if deriver is None:
        raise FactError(f"no derivation for cases of kind {kind!r}; known: {', '.join(DERIVERS)}")
    return deriver(inputs, parameters)
