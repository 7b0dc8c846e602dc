"""What operations add to the ticket under edit: messages in its thread, and
notices that tell the customer."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from console.mail.attachments import IncomingAttachment, store_attachments
from console.operations.editing import TicketEdit
from models import (
    Draft,
    Message,
    MessageChannel,
    MessageKind,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeState,
)

# Statements built once, on the tables rather than the ORM classes: the write
# path runs them for every message, and building one costs more than running it.
_MESSAGE = Message.__table__
_INSERT_MESSAGE = sa.insert(_MESSAGE)
_INSERT_MESSAGE_RETURNING_ID = _INSERT_MESSAGE.returning(_MESSAGE.c.id)
_INSERT_NOTICE = sa.insert(Notice.__table__)


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


def discard_own_draft(edit: TicketEdit) -> None:
    """What the operator wrote is sent: their draft of it goes."""
    edit.session.execute(
        sa.delete(Draft).where(
            Draft.ticket_id == edit.ticket.id, Draft.operator_id == edit.operator_id
        )
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
