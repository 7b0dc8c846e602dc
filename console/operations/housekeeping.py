"""What the system does by itself: unconfirmed tickets expire after 7 days,
answered tickets with no word from the customer are archived after 14."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from console.desk import Desk
from console.operations.editing import editing
from console.operations.moves import put_in_archive
from console.operations.thread import queue_notice, system_message
from models import NoticeKind, Status, Ticket


def _numbers(desk: Desk, status: Status, column, cutoff) -> list[int]:
    with desk.db.read() as session:
        return list(
            session.exec(
                select(Ticket.number)
                .where(Ticket.status == status, column < cutoff)
                .order_by(Ticket.id)
            ).all()
        )


def expire_unconfirmed(desk: Desk) -> list[int]:
    days = desk.settings.lifecycle_unconfirmed_expire_days
    cutoff = desk.now() - timedelta(days=days)
    expired = []
    for number in _numbers(desk, Status.unconfirmed, Ticket.created_at, cutoff):
        with editing(desk, number, action="expire", by=None) as edit:
            # Re-checked under the lock: the customer may have confirmed meanwhile.
            if edit.ticket.status != Status.unconfirmed or edit.ticket.created_at >= cutoff:
                edit.nothing_changed = True
                continue
            edit.ticket.status = Status.expired
            edit.ticket.waiting_since = None
            edit.ticket.due_at = None
            system_message(edit, f"Expired: not confirmed within {days} days.")
            expired.append(number)
    return expired


def archive_answered(desk: Desk) -> list[int]:
    days = desk.settings.lifecycle_answered_archive_days
    cutoff = desk.now() - timedelta(days=days)
    archived = []
    for number in _numbers(desk, Status.answered, Ticket.answered_at, cutoff):
        with editing(desk, number, action="auto_archive", by=None) as edit:
            ticket = edit.ticket
            if ticket.status != Status.answered or ticket.answered_at >= cutoff:
                edit.nothing_changed = True
                continue
            put_in_archive(edit, f"no word from the customer in {days} days")
            system_message(edit, f"Archived: no word from the customer in {days} days.")
            queue_notice(edit, NoticeKind.archived)
            archived.append(number)
    return archived
