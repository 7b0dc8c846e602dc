"""The hotline, the desk's third channel: a call is noted in a ticket's thread
(channel phone, by whoever took it, when they did), or opens a ticket of its
own. An urgent call raises the hotline escalation; a caller asking for a
fraudster's WMID to be blocked makes it the most urgent work there is — but a
block needs the customer's written request as well as the call (DESIGN.md
section 2), so that is raised only on a ticket the customer wrote."""

from __future__ import annotations

from dataclasses import dataclass

from console.desk import Desk
from console.errors import TransitionRefused
from console.operations.customer import notice_channel, open_ticket
from console.operations.editing import TicketEdit, acting, editing, finish
from console.operations.escalations import open_escalation, raise_flag
from console.operations.thread import add_message
from console.rules import validation
from console.rules.lifecycle import check_workable
from console.rules.roles import Permission
from models import EscalationKind, Language, MessageChannel, MessageKind, Service

BLOCK_NEEDS_THE_FORM = (
    "a WMID block needs the customer's written request as well as the call: ask them to send "
    "the form (or write to support) now, then log this call on that ticket"
)


@dataclass(frozen=True)
class Caller:
    """What the operator on the phone learns of the caller; the phone from the
    caller ID, the rest as they say it."""

    phone: str | None = None
    wmid: str | None = None
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class CallLogged:
    number: int
    message_id: int
    opened: bool
    escalations: tuple[EscalationKind, ...] = ()


def _call_reason(note: str) -> str:
    first = note.strip().splitlines()[0] if note.strip() else ""
    return f"hotline call: {first[:200]}"


def _escalate_for_call(
    edit: TicketEdit, note: str, *, urgent: bool, block: bool
) -> list[EscalationKind]:
    """The hotline escalation for an urgent call (every call about a WMID block
    is urgent), and the block's own for a call about one."""
    raised = []
    kinds = [EscalationKind.wmid_block] if block else []
    if urgent or block:
        kinds.append(EscalationKind.hotline)
    for kind in kinds:
        if open_escalation(edit, kind) is None:
            raise_flag(edit, kind, _call_reason(note))
            raised.append(kind)
    edit.details.update(urgent=urgent or block)
    return raised


def log_call(
    desk: Desk,
    number: int,
    note: str,
    *,
    by: str,
    phone: str | None = None,
    urgent: bool = False,
    block: bool = False,
) -> CallLogged:
    """Note a call on the caller's ticket. The caller's number goes on the ticket
    when it has none. `block`: the caller asks for a fraudster's WMID to be
    blocked — raised as wmid_block only on a ticket the customer wrote."""
    note = validation.body(note, "call note")
    phone = validation.phone(phone) if phone else None
    with editing(desk, number, action="call", by=by) as edit:
        ticket = edit.ticket
        check_workable(number, ticket.status, "log a call on")
        if block and ticket.source == MessageChannel.phone:
            raise TransitionRefused(f"ticket {number} was opened on a call: {BLOCK_NEEDS_THE_FORM}")
        message_id = add_message(edit, MessageKind.note, note, MessageChannel.phone)
        if phone and not ticket.customer_phone:
            ticket.customer_phone = phone
        if phone:
            edit.details["phone"] = phone
        raised = _escalate_for_call(edit, note, urgent=urgent, block=block)
        # Like a note, a call alone makes no one's view stale; what it raised does.
        edit.bumps_version = bool(raised) or "customer_phone" in edit.ticket.changed
    return CallLogged(number, message_id, opened=False, escalations=tuple(raised))


def open_call_ticket(
    desk: Desk,
    *,
    by: str,
    service: Service | str,
    subject: str,
    note: str,
    caller: Caller,
    language: Language | str | None = None,
    urgent: bool = False,
    block: bool = False,
) -> CallLogged:
    """A ticket for a caller who has none: opened by whoever took the call and
    held by them, confirmed (they spoke to the customer), the note of the call
    its first message. Answers go to the caller's WMID by Keeper, else their
    e-mail: one of the two is needed."""
    if block:
        raise TransitionRefused(BLOCK_NEEDS_THE_FORM)
    fields = {
        "service": validation.service(service) if isinstance(service, str) else service,
        "subject": validation.subject(subject),
        "body": validation.body(note, "call note"),
        "email": validation.email(caller.email) if caller.email else None,
        "wmid": validation.wmid(caller.wmid) if caller.wmid else None,
        "phone": validation.phone(caller.phone) if caller.phone else None,
        "name": validation.customer_name(caller.name),
    }
    channel = notice_channel(None, email=fields["email"], wmid=fields["wmid"])
    with acting(desk, by=by, permission=Permission.work_tickets) as (session, operator):
        edit, message_id = open_ticket(
            session,
            desk,
            **fields,
            purse=None,
            notice_channel=channel,
            language=Language(language) if language else None,
            source=MessageChannel.phone,
            confirmed=True,
            email_message_id=None,
            attachments=(),
            opened_by=operator,
        )
        ticket = edit.ticket
        raised = _escalate_for_call(edit, fields["body"], urgent=urgent, block=False)
        finish(edit)
    return CallLogged(ticket.number, message_id, opened=True, escalations=tuple(raised))
