"""Construction (Jakon) project coverage: registration deadline, lateness and the day cover starts.

Pure: a project record (plain dict, as ``api.registry_records.project_record`` gives it) and the ruleset's
dated parameters in, a ``ProjectCoverage`` out. Claims use it for the facts of a JAKON worker's project; the
licensing endpoint ``GET /v1/projects/{n}/coverage`` uses it for its answer.

Decision D2 (REFERENCE section 12): the deadline is a dated parameter per region, chosen by the **SPK date**:
``jakon.registration_deadline.<region>.calendar_days`` or ``.working_days``, where ``<region>`` is
``region_<digits>`` for a prefix of the project's region code (the longest prefix with a value in force wins)
or ``national``. Working days skip weekends and Indonesian public holidays. Workers are covered from the day
the registration is paid in full or its first termin is paid (Perdir BPJS 22/2022: "mendaftar" becomes
"peserta" only then), never before, whether or not the project was registered in time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .facts import working_days_after
from .parameters import Parameters

PREFIX = "jakon.registration_deadline"
UNITS = ("calendar_days", "working_days")


@dataclass(frozen=True)
class Deadline:
    """The registration deadline of a project and the parameter that set it."""

    day: dt.date
    days: int
    unit: str  # calendar_days | working_days
    parameter: str
    reference: str


@dataclass(frozen=True)
class ProjectCoverage:
    """Coverage of a project's workers on ``as_of``."""

    as_of: dt.date
    deadline: dt.date | None  # None when no deadline rule is in force on the SPK date (before 2015-07-01)
    deadline_basis: str | None  # e.g. "7 calendar_days after the SPK (jakon.registration_deadline....; ...)"
    registered_on: dt.date | None
    registered_in_time: bool
    days_late: int  # calendar days past the deadline at registration (or at as_of while unregistered)
    covered_from: dt.date | None  # registration paid in full or first termin paid
    covered: bool  # covered_from is on or before as_of

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text)."""
        def iso(day: dt.date | None) -> str | None:
            return day.isoformat() if day else None
        return {"as_of": iso(self.as_of), "deadline": iso(self.deadline), "deadline_basis": self.deadline_basis,
                "registered_on": iso(self.registered_on), "registered_in_time": self.registered_in_time,
                "days_late": self.days_late, "covered_from": iso(self.covered_from), "covered": self.covered}


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _regions(region_code: str | None) -> list[str]:
    digits = "".join(ch for ch in (region_code or "") if ch.isascii() and ch.isdigit())
    return [f"region_{digits[:n]}" for n in range(len(digits), 1, -1)] + ["national"]


def registration_deadline(spk_date: dt.date, region_code: str | None, parameters: Parameters) -> Deadline | None:
    """The deadline for a project with this SPK date and region (D2), or None when no rule is in force."""
    for region in _regions(region_code):
        for unit in UNITS:
            name = f"{PREFIX}.{region}.{unit}"
            if name not in parameters:
                continue
            dated = parameters[name].at(spk_date)
            if dated is None or dated.value is None or isinstance(dated.value, dt.date):
                continue
            days = int(dated.value)
            day = working_days_after(spk_date, days, region_code) if unit == "working_days" \
                else spk_date + dt.timedelta(days=days)
            return Deadline(day, days, unit, name, dated.reference)
    return None


def covered_from(project: Mapping[str, Any]) -> dt.date | None:
    """The first day the workers are participants: the registration's first payment (full or first termin)."""
    registered = _date(project.get("registered_on"))
    paid = sorted(d for d in (_date(p.get("paid_on")) for p in project.get("payments") or []) if d is not None)
    if registered is None or not paid:
        return None
    return max(registered, paid[0])


def project_coverage(project: Mapping[str, Any], as_of: dt.date, parameters: Parameters | None) -> ProjectCoverage:
    """Deadline, timeliness and cover of ``project`` on ``as_of`` (an accident date, or a licensing check).

    Without ``parameters`` the deadline is unknown: ``deadline`` is None and ``registered_in_time`` only says
    whether the project was registered at all.
    """
    spk = _date(project.get("spk_date"))
    registered = _date(project.get("registered_on"))
    deadline = registration_deadline(spk, project.get("region_code"), parameters) if spk and parameters else None
    start = covered_from(project)
    if deadline is None:
        in_time, late = registered is not None, 0
    else:
        in_time = registered is not None and registered <= deadline.day
        late = max(0, ((registered or as_of) - deadline.day).days)
    basis = None if deadline is None else \
        f"{deadline.days} {deadline.unit} after the SPK ({deadline.parameter}; {deadline.reference})"
    return ProjectCoverage(as_of, deadline.day if deadline else None, basis, registered, in_time, late, start,
                           start is not None and start <= as_of)
