"""The verbs on many tickets at once, for a supervisor's selection: give them to
someone (and put that back), archive them. Each ticket moves in its own
audited transaction, against the version the supervisor saw, so one that
moved on meanwhile (a conflict) or may not be moved is reported with why and
the rest still move."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from console.desk import Desk
from console.errors import DomainError, Forbidden
from console.operations.tickets import Assigned, archive, assign


@dataclass(frozen=True)
class Bulk:
    """What a bulk verb did: the tickets it moved, and why each other one not."""

    moved: list[int]
    refused: dict[int, str]
    # Each ticket a reassign moved: who held it before, its version after.
    assigned: list[Assigned] = field(default_factory=list)


def _each(numbers: Sequence[int], move: Callable[[int], Assigned | None]) -> Bulk:
    moved: list[int] = []
    refused: dict[int, str] = {}
    assigned: list[Assigned] = []
    for number in numbers:
        try:
            done = move(number)
        except Forbidden:
            # Not this person's to do at all: no point trying the rest.
            raise
        except DomainError as error:
            refused[number] = error.message
            continue
        moved.append(number)
        if done is not None:
            assigned.append(done)
    return Bulk(moved, refused, assigned)


def reassign(
    desk: Desk,
    numbers: Sequence[int],
    *,
    to: str | None,
    by: str,
    versions: dict[int, int] | None = None,
) -> Bulk:
    """Give each ticket to `to` (None: back to the queue)."""
    versions = versions or {}
    return _each(
        numbers,
        lambda n: assign(desk, n, to=to, by=by, expected_version=versions.get(n)),
    )


def undo_reassign(desk: Desk, moved: Sequence[Assigned], *, by: str) -> Bulk:
    """Each ticket of a reassign back to whoever held it before — unless it
    changed since the reassign (then it stays, with what changed)."""
    previous = {m.number: m for m in moved}
    return _each(
        list(previous),
        lambda n: assign(
            desk,
            n,
            to=previous[n].previous,
            by=by,
            expected_version=previous[n].version,
            undo=previous[n],
        ),
    )


def archive_many(
    desk: Desk,
    numbers: Sequence[int],
    reason: str,
    *,
    by: str,
    versions: dict[int, int] | None = None,
) -> Bulk:
    """Archive each ticket with the same reason."""
    versions = versions or {}
    return _each(
        numbers,
        lambda n: archive(desk, n, reason, by=by, expected_version=versions.get(n)),
    )
