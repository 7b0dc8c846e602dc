"""The one path every state change takes.

Open a write transaction (IMMEDIATE on SQLite), load the caller and check
their role, lock the ticket row (FOR UPDATE on PostgreSQL), check the version
the caller saw, apply the change, re-derive the queue's sort keys, bump the
version, write the audit event and note the change for the change log, and
commit — or write nothing at all. The change-log rows themselves go in as the
transaction commits, numbered in commit order (console/changes.py says why).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import ChangeSummary, Conflict, NotFound
from console.identity import Duty
from console.rules.audit import ACTION_LABELS, describe
from console.rules.queue_order import kinds_of, queue_due, queue_rank
from console.rules.roles import Permission, require
from console.rules.tally import move, tally_key
from console.rules.tally_key import UNASSIGNED, TallyKey
from models import Actor, AuditEvent, ChangeLog, Counter, Operator, Ticket

CHANGE_CHANNEL = "wmconsole_changes"
# Taken by a transaction as it numbers its change-log rows, held to its commit.
CHANGE_ORDER_LOCK = 74_201_502
_PENDING_CHANGES = "wmconsole_pending_changes"
TICKET_COUNTER = "ticket"
# Built once: the write path runs these on every change.
_INSERT_CHANGE = sa.insert(ChangeLog.__table__)
# One statement takes the commit-order lock, then the rows' ids: the lock is held
# from here through COMMIT, and no client round trip but the COMMIT's is inside.
# OFFSET 0 keeps the lock's subquery a subquery, read before any row is made.
# The NOTIFY is a hint (a console re-reads the change log): no payload to parse.
_INSERT_CHANGES_IN_COMMIT_ORDER = sa.text(
    "INSERT INTO changelog (ticket_id, topic, at) "
    "SELECT change.ticket_id, change.topic, change.at "
    "FROM (SELECT pg_advisory_xact_lock(:lock), pg_notify(:channel, '') OFFSET 0) AS ordered "
    "CROSS JOIN unnest(:ticket_ids, :topics, :ats) AS change(ticket_id, topic, at)"
).bindparams(
    sa.bindparam("ticket_ids", type_=ARRAY(sa.Integer)),
    sa.bindparam("topics", type_=ARRAY(sa.String)),
    sa.bindparam("ats", type_=ARRAY(ChangeLog.__table__.c.at.type)),
)
_INSERT_AUDIT = sa.insert(AuditEvent.__table__)
_NEXT_TICKET_NUMBER = (
    sa.update(Counter.__table__)
    .where(Counter.__table__.c.name == TICKET_COUNTER)
    .values(value=Counter.__table__.c.value + 1)
    .returning(Counter.__table__.c.value)
)


def find_operator(session: Session, login: str) -> Operator:
    operator = session.exec(select(Operator).where(Operator.login == login)).first()
    if operator is None:
        raise NotFound(
            f"no operator {login!r}: add one with "
            f"`wmconsole operator add {login} --name 'Full Name' --role operator`"
        )
    return operator


def operator_login(session: Session, operator_id: int | None) -> str | None:
    if operator_id is None:
        return None
    operator = session.get(Operator, operator_id)
    return operator.login if operator else None


class TicketRow:
    """The ticket under edit, as plain column values: attributes read and write
    columns, and the columns written are remembered for one UPDATE at the end.

    The write path is Core: an ORM object's bookkeeping costs more than the
    statements it stands for, and the intake and the console write a lot.
    (ORM objects are for reading one ticket into the detail pane.)
    """

    __slots__ = ("_changed", "_values")

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_changed", set())

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"a ticket has no column {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _TICKET_COLUMNS:
            raise AttributeError(f"a ticket has no column {name!r}")
        if name not in self._values or self._values[name] != value:
            self._values[name] = value
            self._changed.add(name)

    def values(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def changed(self) -> frozenset[str]:
        """The columns written since loading (or since the last save)."""
        return frozenset(self._changed)

    def save(self, connection: sa.Connection) -> None:
        """UPDATE the columns written since loading (or since the last save)."""
        if not self._changed:
            return
        names = frozenset(self._changed)
        statement = _UPDATES.get(names)
        if statement is None:
            statement = _UPDATES[names] = (
                sa.update(_TICKET)
                .where(_TICKET.c.id == sa.bindparam("ticket_id"))
                .values({name: sa.bindparam(f"new_{name}") for name in names})
            )
        parameters = {f"new_{name}": self._values[name] for name in names}
        connection.execute(statement, {"ticket_id": self._values["id"], **parameters})
        self._changed.clear()


_TICKET = Ticket.__table__
_TICKET_COLUMNS = frozenset(_TICKET.c.keys())
_UPDATES: dict[frozenset[str], sa.Update] = {}
_LOCK_BY_NUMBER = (
    sa.select(_TICKET).where(_TICKET.c.number == sa.bindparam("number")).with_for_update()
)


def lock_ticket(session: Session, number: int) -> TicketRow:
    row = session.connection().execute(_LOCK_BY_NUMBER, {"number": number}).mappings().first()
    if row is None:
        raise NotFound(f"no ticket {number}")
    return TicketRow(row)


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def snapshot(session: Session, ticket: TicketRow) -> dict[str, Any]:
    """The fields an audit event records when they change."""
    return {
        "status": ticket.status.value,
        "assignee": operator_login(session, ticket.assignee_id),
        "escalations": [kind.value for kind in kinds_of(ticket.escalation_flags)],
        "due_at": _stamp(ticket.due_at),
        "service": ticket.service.value,
        "notice_channel": ticket.notice_channel.value,
        "customer_wmid": ticket.customer_wmid,
        "archive_reason": ticket.archive_reason,
    }


def refresh_queue_keys(ticket: TicketRow) -> None:
    ticket.queue_rank = queue_rank(ticket.status, ticket.escalation_flags)
    ticket.queue_due = queue_due(ticket.due_at)


def record_change(session: Session, desk: Desk, topic: str, ticket_id: int | None) -> None:
    """Note a change for the change log: its row is written as the transaction
    commits, and not at all if the savepoint or transaction it was made in rolls back."""
    pending = session.info.get(_PENDING_CHANGES)
    if pending is None:
        pending = session.info[_PENDING_CHANGES] = []
        sa.event.listen(session, "before_commit", _write_changes)
        sa.event.listen(session, "after_soft_rollback", _forget_changes)
    made_in = session.get_nested_transaction() or session.get_transaction()
    pending.append((made_in, {"ticket_id": ticket_id, "topic": topic, "at": desk.now()}))


def _write_changes(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info[_PENDING_CHANGES]
    if not pending:
        return
    rows = [values for _made_in, values in pending]
    pending.clear()
    # Every other row this transaction writes goes in first: from the lock to
    # the commit, nothing may wait for a row lock another writer holds while it
    # waits for this lock.
    session.flush()
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(_INSERT_CHANGE, rows)
        return
    connection.execute(
        _INSERT_CHANGES_IN_COMMIT_ORDER,
        {
            "lock": CHANGE_ORDER_LOCK,
            "channel": CHANGE_CHANNEL,
            "ticket_ids": [row["ticket_id"] for row in rows],
            "topics": [row["topic"] for row in rows],
            "ats": [row["at"] for row in rows],
        },
    )


def _forget_changes(session: Session, rolled_back: SessionTransaction) -> None:
    pending = session.info[_PENDING_CHANGES]
    pending[:] = [
        (made_in, values) for made_in, values in pending if not _within(made_in, rolled_back)
    ]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def next_ticket_number(session: Session) -> int:
    return session.connection().execute(_NEXT_TICKET_NUMBER).scalar_one()


def audit_actor_name(session: Session, event: AuditEvent) -> str:
    return operator_login(session, event.operator_id) or f"the {event.actor.value}"


def conflict(session: Session, ticket: TicketRow, expected_version: int) -> Conflict:
    return _conflict(
        session, ticket, expected_version, AuditEvent.ticket_version > expected_version
    )


def unseen_news(
    session: Session, ticket: TicketRow, seen_event: int, operator_id: int | None
) -> Conflict | None:
    """What others did to the ticket after audit event `seen_event`, notes
    included (a note never bumps the version), as a conflict; None when nothing."""
    found = _conflict(
        session,
        ticket,
        ticket.version,
        AuditEvent.id > seen_event,
        sa.or_(AuditEvent.operator_id.is_(None), AuditEvent.operator_id != operator_id),
    )
    return found if found.changes else None


def _conflict(
    session: Session, ticket: TicketRow, expected_version: int, *since: sa.ColumnElement[bool]
) -> Conflict:
    events = session.exec(
        select(AuditEvent).where(AuditEvent.ticket_id == ticket.id, *since).order_by(AuditEvent.id)
    ).all()
    changes = [
        ChangeSummary(
            operator=audit_actor_name(session, event),
            action=ACTION_LABELS.get(event.action, event.action),
            at=event.at,
            details=describe(event.before, event.after),
        )
        for event in events
    ]
    return Conflict(
        number=ticket.number,
        expected_version=expected_version,
        actual_version=ticket.version,
        changes=changes,
    )


@dataclass(frozen=True)
class AuditPart:
    """One part of a change made of several (a reply with a status after it, say),
    audited as itself: the same words as when it is done alone."""

    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    details: dict[str, Any]


@dataclass
class TicketEdit:
    """What an operation works on inside the transaction."""

    session: Session
    desk: Desk
    ticket: TicketRow
    operator: Operator | None
    actor: Actor
    action: str
    now: datetime
    details: dict[str, Any] = field(default_factory=dict)
    # Additive changes (a note) never make someone else's view stale.
    bumps_version: bool = True
    # Set when, under the lock, there turned out to be nothing to do: no audit, no version.
    nothing_changed: bool = False
    # The ticket as it was before the change; empty for a ticket being created.
    before: dict[str, Any] = field(default_factory=dict)
    tally_before: TallyKey | None = None
    # A change made of parts writes one audit event per part instead of one in all.
    parts: list[AuditPart] = field(default_factory=list)

    @property
    def operator_id(self) -> int | None:
        return self.operator.id if self.operator else None

    @contextmanager
    def part(self, action: str) -> Iterator[None]:
        """Everything done inside is audited as one `action` of its own; the
        details set inside are that part's."""
        before, outer = snapshot(self.session, self.ticket), self.details
        self.details = {}
        yield
        after = snapshot(self.session, self.ticket)
        self.parts.append(AuditPart(action, before, after, self.details))
        self.details = outer

    @property
    def connection(self) -> sa.Connection:
        """The transaction's connection, for Core writes of rows the ORM never reads back."""
        return self.session.connection()


def write_audit(
    edit: TicketEdit,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    action: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    details = edit.details if details is None else details
    if before:
        changed = [key for key in after if before.get(key) != after[key]]
    else:
        changed = [key for key in after if after[key] not in (None, [])]
    edit.connection.execute(
        _INSERT_AUDIT,
        {
            "ticket_id": edit.ticket.id,
            "operator_id": edit.operator_id,
            "actor": edit.actor,
            "action": action or edit.action,
            "before": {key: before[key] for key in changed} if before and changed else None,
            "after": {**{key: after[key] for key in changed}, **details} or None,
            "ticket_version": edit.ticket.version,
            "at": edit.now,
        },
    )


def begin_edit(
    session: Session,
    desk: Desk,
    ticket: TicketRow,
    operator: Operator | None,
    *,
    action: str,
    actor: Actor | None = None,
) -> TicketEdit:
    return TicketEdit(
        session=session,
        desk=desk,
        ticket=ticket,
        operator=operator,
        actor=actor or (Actor.operator if operator else Actor.system),
        action=action,
        now=desk.now(),
        before=snapshot(session, ticket),
        tally_before=tally_key(ticket),
    )


def finish(edit: TicketEdit) -> None:
    if edit.nothing_changed:
        return
    ticket = edit.ticket
    refresh_queue_keys(ticket)
    _restart_hold(edit)
    if edit.bumps_version:
        ticket.version += 1
    ticket.updated_at = edit.now
    # ORM rows added by the operation (an escalation, a block request) first.
    edit.session.flush()
    ticket.save(edit.connection)
    move(edit.session, edit.tally_before, tally_key(ticket))
    if edit.parts:
        for part in edit.parts:
            write_audit(edit, part.before, part.after, action=part.action, details=part.details)
    else:
        write_audit(edit, edit.before, snapshot(edit.session, ticket))
    record_change(edit.session, edit.desk, "ticket", ticket.id)


def _restart_hold(edit: TicketEdit) -> None:
    """The hold's clock restarts whenever the ticket changes hands, whichever
    operation moved it (take, assign, a reply to an unassigned ticket)."""
    ticket, before = edit.ticket, edit.tally_before
    held_by = None if before is None or before.assignee_id == UNASSIGNED else before.assignee_id
    if ticket.assignee_id != held_by:
        ticket.assigned_at = None if ticket.assignee_id is None else edit.now


@contextmanager
def editing(
    desk: Desk,
    number: int,
    *,
    action: str,
    by: str | None,
    permission: Permission = Permission.work_tickets,
    expected_version: int | None = None,
    actor: Actor | None = None,
) -> Iterator[TicketEdit]:
    """One audited change to one ticket; `by` is an operator login, or None for
    the customer or the system (then `actor` says which), whose changes are
    the customer's side's duty."""
    with desk.db.write(as_=Duty.intake if by is None else by) as session:
        operator = find_operator(session, by) if by is not None else None
        if operator is not None:
            require(operator, permission)
        ticket = lock_ticket(session, number)
        if expected_version is not None and ticket.version != expected_version:
            raise conflict(session, ticket, expected_version)
        edit = begin_edit(session, desk, ticket, operator, action=action, actor=actor)
        yield edit
        finish(edit)


@contextmanager
def acting(desk: Desk, *, by: str, permission: Permission) -> Iterator[tuple[Session, Operator]]:
    """A write transaction for changes that are not to one ticket (templates, markers)."""
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        require(operator, permission)
        yield session, operator
