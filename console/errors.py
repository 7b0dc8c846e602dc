"""Refusals a person can act on: every message says what was wrong and what is expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class DomainError(Exception):
    """A refused operation. The message is shown to the operator as it is."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A value that is not what the field takes (a WMID of 11 digits, say)."""


class NotFound(DomainError):
    exit_code = 3


class Forbidden(DomainError):
    """The caller's role may not do this, or four-eyes forbids it."""

    exit_code = 4


class FourEyes(Forbidden):
    """The person who asked for something may not also decide it."""


class TransitionRefused(DomainError):
    """The ticket's status does not allow this step."""


class HeldElsewhere(TransitionRefused):
    """Someone else holds the ticket: replying over their hold takes an explicit
    override (the audit records it)."""

    def __init__(self, number: int, holder: str) -> None:
        super().__init__(
            f"ticket {number} is held by {holder}: reply over their hold only on purpose "
            "(--override-hold; the audit records it), or ask a supervisor to reassign it"
        )
        self.number = number
        self.holder = holder


@dataclass(frozen=True)
class ChangeSummary:
    """One change the caller has not seen: who did what, when."""

    operator: str
    action: str
    at: datetime
    details: str = ""

    def __str__(self) -> str:
        when = self.at.strftime("%Y-%m-%d %H:%M:%S UTC")
        suffix = f" ({self.details})" if self.details else ""
        return f"{self.operator} {self.action} at {when}{suffix}"


# A conflict's message names this many of the changes, the latest.
CONFLICT_CHANGES_SHOWN = 3


@dataclass
class Conflict(DomainError):
    """The ticket changed after the caller read it; nothing was written."""

    number: int
    expected_version: int
    actual_version: int
    changes: list[ChangeSummary] = field(default_factory=list)
    exit_code = 5

    def __post_init__(self) -> None:
        # A note never bumps the version: news the sender had not seen, all the same.
        since = (
            f"(version {self.expected_version}, now {self.actual_version})"
            if self.actual_version != self.expected_version
            else "(a note or another change you had not seen)"
        )
        super().__init__(
            f"ticket {self.number} changed since you loaded it {since}: "
            f"{self._what_changed()}. Nothing was written: reload and try again"
            f"{self._where_to_see_all()}."
        )

    def _what_changed(self) -> str:
        """The last few changes; a script that is far behind gets a count, not a page."""
        shown = "; ".join(str(change) for change in self.changes[-CONFLICT_CHANGES_SHOWN:])
        if len(self.changes) <= CONFLICT_CHANGES_SHOWN:
            return shown or "another change"
        return f"{len(self.changes):,} changes, the last {CONFLICT_CHANGES_SHOWN}: {shown}"

    def _where_to_see_all(self) -> str:
        if len(self.changes) <= CONFLICT_CHANGES_SHOWN:
            return ""
        return f" (`wmconsole ticket {self.number}` shows every change)"
