"""Construction (Jakon) project coverage: deadline, lateness, contribution, termins and the day cover starts.

One implementation serves the licensing office (``project_coverage`` decisions, checked on a date) and JAKON
claims (the project's cover on the accident date). Pure: a project record (plain dict, dates as ``date`` or
ISO text) and the ruleset's parameters in, a ``ProjectCoverage`` out. Every number comes from
``rules/parameters/jakon.yaml``:

* the registration deadline (decision D2), chosen by the **SPK date** and the region:
  ``jakon.registration_deadline.<region>.calendar_days`` or ``.working_days`` (``contributions.region_value``:
  the longest region-code prefix with a value in force wins); working days skip weekends and Indonesian
  public holidays;
* the contribution on the contract value (excluding VAT) by marginal tiers per programme (decision D1),
  ``jakon.contract_tiers.upper_bounds`` with ``.jkk_rates`` and ``.jkm_rates``, each programme rounded down;
* the termin shares ``jakon.termin_shares`` (50 / 25 / 25): the first termin is due by the registration
  deadline, the others by the end of the implementation period (the contribution is paid in full before it
  ends);
* cover starts the day the first termin (or the whole contribution) is paid in full, never before
  registration (Perdir BPJS 22/2022: "mendaftar" becomes "peserta" only then).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .contributions import marginal, parameter, region_value, split_shares
from .facts import working_days_after
from .parameters import Parameters

PREFIX = "jakon.registration_deadline"
UNITS = ("calendar_days", "working_days")
MAX_TERMINS = 3  # the fact catalogue holds this many termins (the law's 50 / 25 / 25)


@dataclass(frozen=True)
class Deadline:
    """The registration deadline of a project and the parameter that set it."""

    day: dt.date
    days: int
    unit: str  # calendar_days | working_days
    parameter: str


@dataclass(frozen=True)
class Termin:
    """One termin of a project's contribution at the check date."""

    number: int
    share: Any
    amount: int
    due_on: dt.date | None
    paid: int  # paid by the check date
    paid_on: dt.date | None  # the day its payments reached the amount (by the check date)

    @property
    def overdue(self) -> int:
        """What is due by the check date and not paid (0 when not yet due)."""
        return max(0, self.amount - self.paid)


@dataclass(frozen=True)
class ProjectCoverage:
    """Coverage of a project's workers on ``as_of``."""

    as_of: dt.date
    spk_date: dt.date
    deadline: Deadline | None  # None when no deadline is in force on the SPK date (before 2015-07-01)
    registered_on: dt.date | None
    registered_in_time: bool
    days_late: int  # calendar days past the deadline at registration (or at as_of while unregistered)
    contribution_jkk: int
    contribution_jkm: int
    contribution_basis: dict[str, str]  # programme -> the tier arithmetic
    termins: tuple[Termin, ...]
    covered_from: dt.date | None  # first termin (or all) paid in full, not before registration
    covered: bool  # covered_from is on or before as_of

    @property
    def contribution_total(self) -> int:
        """JKK and JKM together."""
        return self.contribution_jkk + self.contribution_jkm

    def overdue_termins(self) -> list[Termin]:
        """Termins whose due day passed before the check date and that are not paid in full by it."""
        return [t for t in self.termins if t.due_on is not None and t.due_on < self.as_of and t.overdue]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def registration_deadline(spk_date: dt.date, region_code: str | None, parameters: Parameters) -> Deadline | None:
    """The deadline for a project with this SPK date and region (D2), or None when no rule is in force."""
    found = region_value(parameters, PREFIX, UNITS, region_code, spk_date)
    if found is None:
        return None
    name, unit, value = found
    days = int(value)  # type: ignore[arg-type]
    day = working_days_after(spk_date, days, region_code) if unit == "working_days" \
        else spk_date + dt.timedelta(days=days)
    return Deadline(day, days, unit, name)


def contract_contribution(value: int, spk_date: dt.date, parameters: Parameters) -> tuple[int, int, dict[str, str]]:
    """JKK and JKM on the contract value by marginal tiers (rates in force on the SPK date), each rounded down."""
    bounds = parameter(parameters, "jakon.contract_tiers.upper_bounds", spk_date)
    amounts, basis = [], {}
    for program in ("jkk", "jkm"):
        exact, text = marginal(value, bounds, parameter(parameters, f"jakon.contract_tiers.{program}_rates",
                                                        spk_date))
        amounts.append(int(exact))
        basis[program] = text
    return amounts[0], amounts[1], basis


def _payments(project: Mapping[str, Any]) -> list[tuple[dt.date, int]]:
    """The project's payments (day, amount) in date order."""
    found = [(_date(p.get("paid_on")), int(p.get("amount") or 0)) for p in project.get("payments") or []]
    return sorted((day, amount) for day, amount in found if day is not None)


def _termins(project: Mapping[str, Any], total: int, spk: dt.date, deadline: Deadline | None, as_of: dt.date,
             parameters: Parameters) -> tuple[tuple[Termin, ...], dt.date | None]:
    """The termins at ``as_of``, and the day the first was paid in full (whenever that was).

    Payments fill the termins in order, whatever termin number the registry gave them: a contribution paid at
    once pays every termin, and a part payment leaves a termin partly paid.
    """
    shares = parameter(parameters, "jakon.termin_shares", spk)
    if len(shares) > MAX_TERMINS:
        raise ValueError(f"jakon.termin_shares has {len(shares)} termins; the fact catalogue holds {MAX_TERMINS}")
    amounts = split_shares(total, shares)
    payments = _payments(project)
    end = _date(project.get("end_date"))
    termins, first_paid_on, before = [], None, 0
    for number, (share, amount) in enumerate(zip(shares, amounts, strict=True), start=1):
        full_on, paid, cumulative = None, 0, 0
        for day, value in payments:
            cumulative += value
            share_paid = min(amount, max(0, cumulative - before))  # what of this termin is paid by ``day``
            if day <= as_of:
                paid = share_paid
            if full_on is None and share_paid >= amount:
                full_on = day
        if number == 1:
            first_paid_on = full_on
        due_on = (deadline.day if deadline else spk) if number == 1 else end
        termins.append(Termin(number, share, amount, due_on, paid,
                              full_on if full_on is not None and full_on <= as_of else None))
        before += amount
    return tuple(termins), first_paid_on


def project_coverage(project: Mapping[str, Any], as_of: dt.date, parameters: Parameters) -> ProjectCoverage:
    """Deadline, timeliness, contribution, termins and cover of ``project`` on ``as_of``."""
    spk = _date(project.get("spk_date"))
    if spk is None:
        raise ValueError("a project needs its spk_date")
    registered = _date(project.get("registered_on"))
    deadline = registration_deadline(spk, project.get("region_code"), parameters)
    if deadline is None:
        in_time, late = registered is not None, 0
    else:
        in_time = registered is not None and registered <= deadline.day
        late = max(0, ((registered or as_of) - deadline.day).days)
    jkk, jkm, basis = contract_contribution(int(project.get("contract_value") or 0), spk, parameters)
    termins, first_paid_on = _termins(project, jkk + jkm, spk, deadline, as_of, parameters)
    # cover starts when the first termin is paid in full, never before the registration
    start = max(registered, first_paid_on) if registered is not None and first_paid_on is not None else None
    return ProjectCoverage(as_of, spk, deadline, registered, in_time, late, jkk, jkm, basis, termins, start,
                           start is not None and start <= as_of)


def derive_project_coverage(inputs: Mapping[str, Any], parameters: Parameters) -> dict[str, Any]:
    """Facts of a licensing office's coverage check: ``{project, as_of}`` (the project record as read).

    The event that selects the law is the SPK (deadline, tiers, shares); ``checked_on`` is the check date.
    """
    project = inputs["project"]
    on = _date(inputs["as_of"])
    assert on is not None
    coverage = project_coverage(project, on, parameters)
    facts: dict[str, Any] = {
        "case_kind": "project_coverage", "event_date": coverage.spk_date, "checked_on": on,
        "contract_value": int(project.get("contract_value") or 0),
        "project_registered": coverage.registered_on is not None and coverage.registered_on <= on,
        "project_registered_on": coverage.registered_on, "project_registered_in_time": coverage.registered_in_time,
        "project_days_late": coverage.days_late, "project_covered": coverage.covered,
        "project_covered_from": coverage.covered_from,
        "project_contribution_jkk": coverage.contribution_jkk, "project_contribution_jkm": coverage.contribution_jkm,
        "project_contribution_total": coverage.contribution_total,
        "project_first_termin_outstanding": coverage.termins[0].amount - coverage.termins[0].paid,
        "project_termins_overdue": len(coverage.overdue_termins()),
        "project_overdue_amount": sum(t.overdue for t in coverage.overdue_termins()),
    }
    if coverage.deadline is not None:
        facts.update(project_registration_deadline=coverage.deadline.day,
                     project_past_deadline=on > coverage.deadline.day)
    for termin in coverage.termins:
        prefix = f"project_termin_{termin.number}"
        facts.update({f"{prefix}_amount": termin.amount, f"{prefix}_due_on": termin.due_on,
                      f"{prefix}_paid": termin.paid, f"{prefix}_paid_on": termin.paid_on})
    return {name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in sorted(facts.items()) if value is not None}
