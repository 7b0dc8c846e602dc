"""A ticket's life: opened by the customer, confirmed, taken, answered, parked,
archived, extracted. One function per state change; each one audited."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import DomainError, Forbidden, InvalidInput, NotFound, TransitionRefused
from console.identity import Duty
from console.mail.attachments import IncomingAttachment, store_attachments
from console.operations.editing import (
    TicketEdit,
    TicketRow,
    begin_edit,
    editing,
    find_operator,
    finish,
    next_ticket_number,
    operator_login,
    refresh_queue_keys,
)
from console.reads.queue import QUEUE_ORDER
from console.rules import validation
from console.rules.lifecycle import CLOCK_RUNS, answer_due, check_operator_move, check_workable
from console.rules.queue_order import FAR_FUTURE, NOT_WORKED_RANK
from console.rules.roles import Permission, require
from models import (
    Actor,
    Draft,
    Escalation,
    Language,
    Message,
    MessageChannel,
    MessageKind,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeState,
    Service,
    Status,
    Ticket,
)

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Statements built once, on the tables rather than the ORM classes: the write
# path runs them for every message, and building one costs more than running it.
_MESSAGE = Message.__table__
_INSERT_MESSAGE = sa.insert(_MESSAGE)
_INSERT_MESSAGE_RETURNING_ID = _INSERT_MESSAGE.returning(_MESSAGE.c.id)
_INSERT_NOTICE = sa.insert(Notice.__table__)
_INSERT_TICKET = sa.insert(Ticket.__table__).returning(Ticket.__table__.c.id)


@dataclass(frozen=True)
class NewTicket:
    number: int
    status: Status
    confirm_token: str | None
    message_id: int


def guess_language(*texts: str) -> Language:
    return Language.ru if any(_CYRILLIC.search(text) for text in texts) else Language.en


def open_escalations(session: Session, ticket_id: int) -> list[Escalation]:
    return list(
        session.exec(
            select(Escalation).where(
                Escalation.ticket_id == ticket_id, Escalation.cleared_at.is_(None)
            )
        ).all()
    )


def reset_clock(edit: TicketEdit) -> None:
    """Re-derive due_at from the status, the waiting message and open escalations."""
    ticket = edit.ticket
    ticket.due_at = answer_due(
        edit.desk.sla,
        status=ticket.status,
        waiting_since=ticket.waiting_since,
        first_answered=ticket.first_answered_at is not None,
        escalations=[(e.kind, e.set_at) for e in open_escalations(edit.session, ticket.id)]
        if ticket.escalation_flags
        else [],
    )
    if ticket.first_answered_at is None:
        ticket.first_answer_due_at = ticket.due_at


def add_message(
    edit: TicketEdit,
    kind: MessageKind,
    body: str,
    channel: MessageChannel,
    *,
    email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> int:
    """Append a message to the thread; returns its id."""
    # A Core insert: the thread is append-only, and the ORM's bookkeeping for a
    # row nothing reads back costs more than the insert itself.
    message_id = edit.connection.execute(
        _INSERT_MESSAGE_RETURNING_ID,
        {
            "ticket_id": edit.ticket.id,
            "kind": kind,
            "author_id": edit.operator_id
            if kind in (MessageKind.operator, MessageKind.note)
            else None,
            "channel": channel,
            "body": body,
            "email_message_id": email_message_id,
            "created_at": edit.now,
        },
    ).scalar_one()
    if attachments:
        store_attachments(
            edit.session,
            edit.desk,
            ticket_id=edit.ticket.id,
            message_id=message_id,
            attachments=attachments,
        )
    edit.details["message_id"] = message_id
    return message_id


def system_message(edit: TicketEdit, body: str) -> None:
    edit.connection.execute(
        _INSERT_MESSAGE,
        {
            "ticket_id": edit.ticket.id,
            "kind": MessageKind.system,
            "author_id": None,
            "channel": MessageChannel.system,
            "body": body,
            "email_message_id": None,
            "created_at": edit.now,
        },
    )


def queue_notice(edit: TicketEdit, kind: NoticeKind, message_id: int | None = None) -> None:
    """Tell the customer on the channel they chose; a confirmation always goes by e-mail."""
    ticket = edit.ticket
    channel = NoticeChannel.email if kind == NoticeKind.confirm else ticket.notice_channel
    recipient = ticket.customer_wmid if channel == NoticeChannel.keeper else ticket.customer_email
    if not recipient:
        return
    edit.connection.execute(
        _INSERT_NOTICE,
        {
            "ticket_id": ticket.id,
            "message_id": message_id,
            "channel": channel,
            "recipient": recipient,
            "kind": kind,
            "state": NoticeState.pending,
            "attempts": 0,
            "next_attempt_at": edit.now,
            "created_at": edit.now,
        },
    )


def confirmation_code() -> str:
    """Hex, so the code in the e-mail's link can never begin with a dash and be
    read as an option by `wmconsole confirm`."""
    return secrets.token_hex(24)


def create_ticket(
    desk: Desk,
    *,
    service: Service | str,
    subject: str,
    body: str,
    email: str | None,
    wmid: str | None = None,
    purse: str | None = None,
    name: str | None = None,
    channel: NoticeChannel | str | None = None,
    language: Language | str | None = None,
    source: MessageChannel = MessageChannel.form,
    email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> NewTicket:
    """What the site's feedback form calls (the mail intake opens its tickets with
    open_ticket, inside the transaction that takes the whole mail).

    A customer signed in with a WMID is known: the ticket is confirmed at once.
    Anyone else gets an unconfirmed ticket and a confirmation e-mail.
    """
    service = validation.service(service) if isinstance(service, str) else service
    subject = validation.subject(subject)
    body = validation.body(body)
    email = validation.email(email) if email else None
    wmid = validation.wmid(wmid) if wmid else None
    purse = validation.purse(purse) if purse else None
    name = validation.customer_name(name)
    if email is None and wmid is None:
        raise InvalidInput("a ticket needs the customer's e-mail or WMID to answer to")
    notice_channel = (
        NoticeChannel(channel)
        if channel
        else (NoticeChannel.keeper if wmid else NoticeChannel.email)
    )
    if notice_channel == NoticeChannel.keeper and wmid is None:
        raise InvalidInput("Keeper notices need the customer's WMID; choose e-mail or give a WMID")
    if notice_channel == NoticeChannel.email and email is None:
        raise InvalidInput("e-mail notices need the customer's e-mail address")
    with desk.db.write(as_=Duty.intake) as session:
        edit, message_id = open_ticket(
            session,
            desk,
            service=service,
            subject=subject,
            body=body,
            email=email,
            wmid=wmid,
            purse=purse,
            name=name,
            notice_channel=notice_channel,
            language=Language(language) if language else None,
            source=source,
            confirmed=wmid is not None,
            email_message_id=email_message_id,
            attachments=attachments,
        )
        finish(edit)
        ticket = edit.ticket
        return NewTicket(ticket.number, ticket.status, ticket.confirm_token, message_id)


def open_ticket(
    session: Session,
    desk: Desk,
    *,
    service: Service,
    subject: str,
    body: str,
    email: str | None,
    wmid: str | None,
    purse: str | None,
    name: str | None,
    notice_channel: NoticeChannel,
    language: Language | None,
    source: MessageChannel,
    confirmed: bool,
    email_message_id: str | None,
    attachments: Sequence[IncomingAttachment],
) -> tuple[TicketEdit, int]:
    """The new ticket and its first message, inside the caller's transaction, from
    validated values; the caller adds what else belongs to the arrival and finishes
    the edit. An unconfirmed ticket gets its confirmation notice queued."""
    now = desk.now()
    values = {
        "number": next_ticket_number(session),
        "service": service,
        "subject": subject,
        "status": Status.new if confirmed else Status.unconfirmed,
        "customer_wmid": wmid,
        "customer_purse": purse,
        "customer_email": email,
        "customer_name": name,
        "notice_channel": notice_channel,
        "language": language or guess_language(subject, body),
        "source": source,
        "assignee_id": None,
        "assigned_at": None,
        "created_at": now,
        "updated_at": now,
        "first_answer_due_at": None,
        "first_answered_at": None,
        "due_at": None,
        "last_customer_at": now,
        "waiting_since": now if confirmed else None,
        "answered_at": None,
        "escalation_flags": 0,
        "queue_rank": NOT_WORKED_RANK,
        "queue_due": FAR_FUTURE,
        "confirm_token": None if confirmed else confirmation_code(),
        "confirmed_at": now if confirmed else None,
        "archived_at": None,
        "archive_reason": None,
        "version": 1,
    }
    ticket = TicketRow(values)
    # Everything derived is settled before the one INSERT, so finishing the
    # edit finds nothing more to update.
    edit = TicketEdit(
        session, desk, ticket, None, Actor.customer, "create", now, bumps_version=False
    )
    reset_clock(edit)
    refresh_queue_keys(ticket)
    ticket_id = session.connection().execute(_INSERT_TICKET, ticket.values()).scalar_one()
    ticket = edit.ticket = TicketRow({**ticket.values(), "id": ticket_id})
    message_id = add_message(
        edit,
        MessageKind.customer,
        body,
        source,
        email_message_id=email_message_id,
        attachments=attachments,
    )
    if not confirmed:
        queue_notice(edit, NoticeKind.confirm)
    return edit, message_id


def confirm(desk: Desk, token: str) -> int:
    """The customer followed the link in the confirmation e-mail. Idempotent."""
    with desk.db.read() as session:
        number = session.exec(
            select(Ticket.number).where(Ticket.confirm_token == token.strip())
        ).first()
    if number is None:
        raise NotFound("no ticket waits for that confirmation code; check the link in the e-mail")
    with editing(desk, number, action="confirm", by=None, actor=Actor.customer) as edit:
        ticket = edit.ticket
        if ticket.status == Status.expired:
            raise TransitionRefused(
                f"ticket {number} expired before it was confirmed; please write to us again"
            )
        if ticket.confirmed_at is not None:
            edit.nothing_changed = True
            return number
        ticket.status = Status.new
        ticket.confirmed_at = edit.now
        ticket.waiting_since = edit.now
        reset_clock(edit)
        system_message(edit, "The customer confirmed the ticket.")
    return number


def _take(edit: TicketEdit) -> None:
    ticket = edit.ticket
    check_workable(ticket.number, ticket.status, "take")
    if ticket.assignee_id == edit.operator_id:
        raise TransitionRefused(f"ticket {ticket.number} is already yours")
    if ticket.assignee_id is not None:
        holder = operator_login(edit.session, ticket.assignee_id)
        raise TransitionRefused(
            f"ticket {ticket.number} is held by {holder}; a supervisor can reassign it"
        )
    ticket.assignee_id = edit.operator_id
    if ticket.status == Status.new:
        ticket.status = Status.open


def take(desk: Desk, number: int, *, by: str, expected_version: int | None = None) -> int:
    with editing(desk, number, action="take", by=by, expected_version=expected_version) as edit:
        _take(edit)
    return number


def take_next(desk: Desk, *, by: str, services: Sequence[Service] = ()) -> int | None:
    """The first unassigned new or open ticket in queue order, or None when there is none.

    Never hands one ticket to two operators: SQLite serialises writers
    (BEGIN IMMEDIATE); PostgreSQL skips rows another taker has locked.
    """
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        require(operator, Permission.work_tickets)
        query = (
            sa.select(Ticket.__table__)
            .where(Ticket.assignee_id.is_(None), Ticket.status.in_([Status.new, Status.open]))
            .order_by(*QUEUE_ORDER)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if services:
            query = query.where(Ticket.service.in_(list(services)))
        row = session.connection().execute(query).mappings().first()
        if row is None:
            return None
        ticket = TicketRow(row)
        edit = begin_edit(session, desk, ticket, operator, action="take")
        _take(edit)
        finish(edit)
        return ticket.number


def assign(
    desk: Desk,
    number: int,
    *,
    to: str | None,
    by: str,
    expected_version: int | None = None,
) -> None:
    """Give a ticket to an operator, or back to the queue (to=None). Supervisors only."""
    with editing(
        desk,
        number,
        action="assign",
        by=by,
        permission=Permission.assign,
        expected_version=expected_version,
    ) as edit:
        ticket = edit.ticket
        check_workable(number, ticket.status, "assign")
        target = find_operator(edit.session, to) if to is not None else None
        if target is not None and not target.active:
            raise TransitionRefused(f"{target.login} is deactivated and cannot hold tickets")
        new_id = target.id if target else None
        if new_id == ticket.assignee_id:
            holder = target.login if target else "the queue"
            raise TransitionRefused(f"ticket {number} is already with {holder}")
        ticket.assignee_id = new_id
        if target is not None and ticket.status == Status.new:
            ticket.status = Status.open


@dataclass(frozen=True)
class Reassigned:
    moved: list[int]
    refused: dict[int, str]


def reassign(
    desk: Desk,
    numbers: Sequence[int],
    *,
    to: str | None,
    by: str,
    versions: dict[int, int] | None = None,
) -> Reassigned:
    """Bulk assign, for a supervisor's selection: each ticket in its own audited
    transaction, so one that moved on meanwhile (a conflict) or may not be
    assigned is reported and the rest still move."""
    moved: list[int] = []
    refused: dict[int, str] = {}
    for number in numbers:
        try:
            assign(desk, number, to=to, by=by, expected_version=(versions or {}).get(number))
        except Forbidden:
            raise
        except DomainError as error:
            refused[number] = error.message
        else:
            moved.append(number)
    return Reassigned(moved, refused)


def reply(
    desk: Desk,
    number: int,
    body: str,
    *,
    by: str,
    expected_version: int | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> int:
    """Answer the customer: the ticket goes to `answered`, the clock stops and a
    notice is queued on the customer's channel. Returns the message id."""
    body = validation.body(body, "reply")
    with editing(desk, number, action="reply", by=by, expected_version=expected_version) as edit:
        ticket = edit.ticket
        check_workable(number, ticket.status, "reply to")
        if ticket.assignee_id is None:
            ticket.assignee_id = edit.operator_id
        message_id = add_message(
            edit, MessageKind.operator, body, MessageChannel.console, attachments=attachments
        )
        ticket.status = Status.answered
        ticket.answered_at = edit.now
        if ticket.first_answered_at is None:
            ticket.first_answered_at = edit.now
        ticket.waiting_since = None
        reset_clock(edit)
        queue_notice(edit, NoticeKind.answer, message_id)
        _discard_draft(edit.session, ticket.id, edit.operator_id)
    return message_id


def note(desk: Desk, number: int, body: str, *, by: str) -> int:
    """An internal note: seen by operators only; never makes anyone's view stale."""
    body = validation.body(body, "note")
    with editing(desk, number, action="note", by=by) as edit:
        edit.bumps_version = False
        message_id = add_message(edit, MessageKind.note, body, MessageChannel.console)
        _discard_draft(edit.session, edit.ticket.id, edit.operator_id)
    return message_id


def _discard_draft(session: Session, ticket_id: int, operator_id: int | None) -> None:
    session.execute(
        sa.delete(Draft).where(Draft.ticket_id == ticket_id, Draft.operator_id == operator_id)
    )


def _archive(edit: TicketEdit, reason: str) -> None:
    ticket = edit.ticket
    ticket.status = Status.archived
    ticket.archived_at = edit.now
    ticket.archive_reason = reason
    ticket.waiting_since = None
    reset_clock(edit)


def _reopen(edit: TicketEdit) -> None:
    ticket = edit.ticket
    ticket.status = Status.open
    ticket.archived_at = None
    ticket.archive_reason = None
    if ticket.waiting_since is None:
        ticket.waiting_since = edit.now
    reset_clock(edit)


def set_status(
    desk: Desk,
    number: int,
    status: Status | str,
    *,
    by: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> None:
    """The moves an operator makes by hand: park, unpark, archive (with a reason),
    extract from the archive."""
    target = validation.status(status) if isinstance(status, str) else status
    action = {Status.archived: "archive", Status.open: "status"}.get(target, "status")
    with editing(desk, number, action=action, by=by, expected_version=expected_version) as edit:
        ticket = edit.ticket
        check_operator_move(number, ticket.status, target)
        if target == Status.archived:
            _archive(edit, validation.reason(reason, "archiving a ticket"))
            edit.details["reason"] = ticket.archive_reason
        elif ticket.status == Status.archived:
            edit.action = "extract"
            _reopen(edit)
        else:
            ticket.status = target
            reset_clock(edit)
            if reason:
                edit.details["reason"] = reason.strip()


def archive(
    desk: Desk, number: int, reason: str, *, by: str, expected_version: int | None = None
) -> None:
    set_status(
        desk, number, Status.archived, by=by, reason=reason, expected_version=expected_version
    )


def extract(
    desk: Desk, number: int, *, by: str | None, expected_version: int | None = None
) -> None:
    """Out of the archive and back to open: by an operator, or by the customer (by=None)."""
    with editing(
        desk,
        number,
        action="extract",
        by=by,
        actor=None if by else Actor.customer,
        expected_version=expected_version,
    ) as edit:
        if edit.ticket.status != Status.archived:
            raise TransitionRefused(f"ticket {number} is {edit.ticket.status.value}, not archived")
        _reopen(edit)
        if by is None:
            system_message(edit, "The customer took the ticket out of the archive.")


def customer_archive(desk: Desk, number: int) -> None:
    """The customer moved the ticket to the archive from the site."""
    with editing(desk, number, action="customer_archive", by=None, actor=Actor.customer) as edit:
        status = edit.ticket.status
        if status in (Status.unconfirmed, Status.expired, Status.archived):
            raise TransitionRefused(f"ticket {number} is {status.value} and cannot be archived")
        _archive(edit, "archived by the customer")
        system_message(edit, "The customer moved the ticket to the archive.")


def customer_message(
    desk: Desk,
    number: int,
    body: str,
    *,
    channel: MessageChannel,
    email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> int:
    """The customer wrote again: an answered or archived ticket reopens, and the
    answer clock runs from their earliest unanswered message."""
    body = validation.body(body)
    with editing(desk, number, action="customer_message", by=None, actor=Actor.customer) as edit:
        message_id = add_customer_message(
            edit, body, channel, email_message_id=email_message_id, attachments=attachments
        )
    return message_id


def add_customer_message(
    edit: TicketEdit,
    body: str,
    channel: MessageChannel,
    *,
    email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
) -> int:
    """The customer's message on a locked ticket, inside the caller's transaction:
    an answered or archived ticket reopens and the answer clock runs again."""
    ticket = edit.ticket
    if ticket.status == Status.expired:
        raise TransitionRefused(
            f"ticket {ticket.number} expired unconfirmed; the message needs a new ticket"
        )
    message_id = add_message(
        edit,
        MessageKind.customer,
        body,
        channel,
        email_message_id=email_message_id,
        attachments=attachments,
    )
    ticket.last_customer_at = edit.now
    if ticket.status in (Status.answered, Status.archived):
        if ticket.status == Status.archived:
            system_message(edit, "Reopened from the archive by the customer's message.")
        _reopen(edit)
    else:
        if ticket.waiting_since is None and ticket.status in CLOCK_RUNS:
            ticket.waiting_since = edit.now
        reset_clock(edit)
    return message_id


def ticket_number_for_message(desk: Desk, email_message_id: str) -> int | None:
    """The ticket that holds a message with this Message-ID, if any (threading, dedupe)."""
    with desk.db.read() as session:
        return session.exec(
            select(Ticket.number)
            .join(Message, Message.ticket_id == Ticket.id)
            .where(Message.email_message_id == email_message_id)
        ).first()
