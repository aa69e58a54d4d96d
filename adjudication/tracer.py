"""Tracers: objects passed into an evaluation that record what the engine did, for explanations."""

from __future__ import annotations

from typing import Any, Protocol


class Tracer(Protocol):
    """Receives one call per step of an evaluation."""

    def record(self, event: str, **data: Any) -> None:
        """Record one step (``parameter``, ``rule_fired``, ``benefit``, ``decision``)."""


class ListTracer:
    """Keeps every step as a dict in ``events``, in order."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def record(self, event: str, **data: Any) -> None:
        """Append ``{"event": event, **data}``."""
        self.events.append({"event": event, **data})
