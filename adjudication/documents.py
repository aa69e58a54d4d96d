"""The documents a claim can carry, and the document requirements rules declare with ``require``.

A requirement is a tuple of alternatives: ``("death_certificate",)`` needs that document,
``("police_report", "witness_statements")`` needs either (an any-of group, e.g. commuting evidence: a police
report or statements of two witnesses). A decision lists requirements as text, a group joined by ``|``.
The names are those the claims API accepts (its ``documents`` enum mirrors ``DOCUMENTS``).
"""

from __future__ import annotations

from collections.abc import Iterable

DOCUMENTS: tuple[str, ...] = (
    "kpj_card", "ktp", "heir_ktp", "family_card", "death_certificate", "heir_certificate", "doctor_statement",
    "stage1_report_form", "stage2_report_form", "police_report", "witness_statements", "attendance_record",
    "transport_receipts", "medical_receipts", "resignation_certificate", "termination_proof",
    "contract_end_proof", "bank_book", "npwp", "passport", "not_working_in_indonesia_statement",
    "school_statement", "birth_certificate", "student_card", "housing_purchase_documents",
    "employment_status_certificate", "project_registration_proof", "project_payment_proof",
    "placement_death_letter", "retirement_age_document",
)
GROUP_SEPARATOR = "|"

Requirement = tuple[str, ...]  # alternatives, any one of which satisfies it


def requirement_text(requirement: Requirement) -> str:
    """``("police_report", "witness_statements")`` as ``"police_report|witness_statements"``."""
    return GROUP_SEPARATOR.join(requirement)


def satisfied(requirement: Requirement, documents: Iterable[str]) -> bool:
    """Whether any alternative of the requirement is among the documents."""
    have = set(documents)
    return any(name in have for name in requirement)


def missing(requirements: Iterable[Requirement], documents: Iterable[str]) -> list[Requirement]:
    """The requirements the documents do not satisfy, in the given order, without repeats."""
    have = set(documents)
    out: list[Requirement] = []
    for requirement in requirements:
        if requirement not in out and not satisfied(requirement, have):
            out.append(requirement)
    return out


def normalise(requirements: Iterable[Requirement]) -> list[str]:
    """Sorted unique requirement texts (deterministic for the decision)."""
    return sorted({requirement_text(r) for r in requirements})
