"""The ticket lifecycle of DESIGN.md section 2 as data, and the SLA clock's state.

unconfirmed -> new (customer confirms)        new -> open (operator takes)
open -> answered (operator replies)           answered -> open (customer writes)
open <-> on_hold (operator parks it)          archived -> open (customer writes / extract)
open/answered/on_hold -> archived (operator, with a reason)
any but unconfirmed -> archived (customer)    answered -> archived (system, 14 days)
unconfirmed -> expired (system, 7 days)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from console.errors import TransitionRefused
from console.rules.sla import SlaPolicy
from models import EscalationKind, Status

# What an operator may do with `s` (set status); the other moves belong to
# take, reply, the customer and the system.
OPERATOR_MOVES: dict[Status, frozenset[Status]] = {
    Status.open: frozenset({Status.on_hold, Status.archived}),
    Status.on_hold: frozenset({Status.open, Status.archived}),
    Status.answered: frozenset({Status.archived}),
    Status.archived: frozenset({Status.open}),
}

# What an answer may leave the ticket as, in the same transaction, instead of
# answered: parked on hold (another department still has to act; nothing archives
# it meanwhile) or archived (resolved).
AFTER_ANSWER = frozenset({Status.on_hold, Status.archived})

# Statuses whose SLA clock runs: the desk owes the customer an answer.
CLOCK_RUNS = frozenset({Status.new, Status.open, Status.on_hold})
# Statuses an operator can take, reply to and escalate.
WORKABLE = frozenset({Status.new, Status.open, Status.answered, Status.on_hold})

_HINTS = {
    (Status.new, Status.open): "take it to open it",
    (Status.open, Status.answered): "send a reply to answer it",
    (Status.on_hold, Status.answered): "send a reply to answer it",
    (Status.answered, Status.open): "it reopens when the customer writes",
    (Status.unconfirmed, Status.new): "the customer confirms it by the e-mail link",
    (Status.unconfirmed, Status.expired): "unconfirmed tickets expire by themselves after 7 days",
}


def check_operator_move(number: int, current: Status, target: Status) -> None:
    if current == target:
        raise TransitionRefused(f"ticket {number} is already {current.value}")
    allowed = OPERATOR_MOVES.get(current, frozenset())
    if target in allowed:
        return
    hint = _HINTS.get((current, target))
    options = ", ".join(sorted(s.value for s in allowed))
    tail = f": {hint}" if hint else ""
    where = f"; from {current.value} an operator can set: {options}" if options else ""
    raise TransitionRefused(
        f"ticket {number} cannot go from {current.value} to {target.value}{tail}{where}"
    )


def check_after_answer(number: int, target: Status) -> None:
    if target not in AFTER_ANSWER:
        raise TransitionRefused(
            f"an answer on ticket {number} can leave it on hold or archived, "
            f"not {target.value.replace('_', ' ')}"
        )


def check_workable(number: int, status: Status, doing: str) -> None:
    if status in WORKABLE:
        return
    why = {
        Status.unconfirmed: "the customer has not confirmed it yet; it is not worked before that",
        Status.archived: "it is archived; extract it from the archive first",
        Status.expired: "it expired unconfirmed and is kept only for the record",
    }[status]
    raise TransitionRefused(f"cannot {doing} ticket {number}: {why}")


def answer_due(
    policy: SlaPolicy,
    *,
    status: Status,
    waiting_since: datetime | None,
    first_answered: bool,
    escalations: Iterable[tuple[EscalationKind, datetime]],
) -> datetime | None:
    """When the next answer is due, or None while the clock is stopped.

    Support-hours clock from the earliest unanswered customer message; an open
    round-the-clock escalation (fraud, WMID block) can only bring it forward,
    counted from that message or from the escalation, whichever is later.
    """
    if status not in CLOCK_RUNS or waiting_since is None:
        return None
    due = policy.answer_due(waiting_since, first=not first_answered)
    for kind, set_at in escalations:
        urgent = policy.escalation_due(kind, max(set_at, waiting_since))
        if urgent is not None and urgent < due:
            due = urgent
    return due
