"""A customer's e-mail arriving at the desk, and the mail the desk could not take.

`take_mail` does everything one mail causes in one transaction: the duplicate
check, threading, the new ticket or the follow-up, the scam-marker flag and
the identifiers found in the text. A crash anywhere leaves nothing behind,
and the same Message-ID is taken once: a second delivery, or the same file
again after a crash before it left new/, is recognised as a duplicate.

Threading (DESIGN.md section 5): In-Reply-To or References naming a message
already on a ticket first, then a bare `[#NNNNNN]` tag in the subject. Naming
one of our notices (random Message-IDs that went to the customer alone), a
mail joins as the customer's from any address. Otherwise only mail from the
ticket's own customer address does: naming a customer's mail (its Message-ID
is no secret), a mail from anyone else is kept on the ticket as a third
party's, marked so; by a tag, it opens a new ticket that says so. From:
never authorises anything else: the new ticket is unconfirmed until the
customer follows the link, whatever WMID the text claims.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import DomainError, NotFound, TransitionRefused
from console.identity import Duty
from console.mail.parsing import IncomingMail
from console.operations.customer import add_customer_message, open_ticket
from console.operations.editing import (
    TicketEdit,
    begin_edit,
    find_operator,
    finish,
    lock_ticket,
    record_change,
)
from console.operations.mail_markers import flag_scam, matching_markers
from console.operations.thread import add_message, system_message
from console.rules import validation
from console.rules.roles import Permission, require
from models import (
    Actor,
    AuditEvent,
    Message,
    MessageChannel,
    MessageKind,
    Notice,
    NoticeChannel,
    QuarantinedMail,
    Service,
    Status,
    Ticket,
)

TICKET_TAG = re.compile(r"\[#([0-9]{1,12})\]")


class MailDisposition(StrEnum):
    taken = "taken"
    threaded = "threaded"
    duplicate = "duplicate"


@dataclass(frozen=True)
class MailOutcome:
    disposition: MailDisposition
    # The ticket the mail opened or joined (for a duplicate, the one holding it).
    number: int | None
    reopened: bool = False
    # The scam markers that matched, as the supervisors wrote them.
    markers: tuple[str, ...] = ()


class MailRefused(DomainError):
    """No ticket can take this mail; the reason goes with it to the quarantine."""


def tag_in(subject: str) -> int | None:
    found = TICKET_TAG.search(subject)
    return int(found.group(1)) if found else None


def take_mail(desk: Desk, mail: IncomingMail) -> MailOutcome:
    """Open a ticket for `mail`, or add it to the ticket it continues."""
    [outcome] = take_mails(desk, [mail])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def take_mails(desk: Desk, mails: Sequence[IncomingMail]) -> list[MailOutcome | Exception]:
    """Take several mails in one transaction, each in its own savepoint: a mail
    that cannot be taken comes back as its exception and leaves nothing behind,
    the others are committed together. Committing once for many mails is what
    lets intake keep up with a busy mailbox (each commit writes the touched
    index pages again)."""
    outcomes: list[MailOutcome | Exception] = []
    try:
        with desk.db.write(as_=Duty.intake) as session:
            for mail in mails:
                try:
                    with session.begin_nested():
                        outcomes.append(_take(session, desk, mail))
                except (DomainError, sa.exc.IntegrityError) as refused:
                    outcomes.append(refused)
    except sa.exc.IntegrityError:
        # PostgreSQL: another intake stored one of these Message-IDs between our
        # check and our commit (SQLite's BEGIN IMMEDIATE never lets that happen).
        # Take them one by one: the clash then shows as that mail's duplicate.
        if len(mails) == 1:
            return [_duplicate_or(desk, mails[0])]
        return [outcome for mail in mails for outcome in take_mails(desk, [mail])]
    return [
        _duplicate_or(desk, mail, outcome)
        if isinstance(outcome, sa.exc.IntegrityError)
        else outcome
        for mail, outcome in zip(mails, outcomes, strict=True)
    ]


def _duplicate_or(
    desk: Desk, mail: IncomingMail, error: Exception | None = None
) -> MailOutcome | Exception:
    """A unique-key clash on the Message-ID is a duplicate delivery; anything
    else stays the error it was."""
    with desk.db.read() as session:
        number = _ticket_holding(session, mail.message_id)
    if number is None:
        return error or MailRefused("the mail clashed with a row already stored")
    return MailOutcome(MailDisposition.duplicate, number)


def _take(session: Session, desk: Desk, mail: IncomingMail) -> MailOutcome:
    number = _ticket_holding(session, mail.message_id)
    if number is not None:
        return MailOutcome(MailDisposition.duplicate, number)
    markers = matching_markers(session, mail)
    thread = _thread(session, mail)
    note = thread.note
    ticket = lock_ticket(session, thread.number) if thread.number is not None else None
    if ticket is not None and mail.automatic:
        edit = begin_edit(session, desk, ticket, None, action="automatic_mail")
        _record_automatic(edit, mail)
        finish(edit)
        return MailOutcome(MailDisposition.threaded, ticket.number)
    if ticket is not None and ticket.status == Status.expired:
        note = f"Follows up ticket {ticket.number}, which expired unconfirmed."
        ticket = None
    reopened = False
    if ticket is None:
        edit = _open_ticket(session, desk, mail)
    elif thread.by_stranger:
        edit = begin_edit(session, desk, ticket, None, action="third_party_mail")
        _record_third_party(edit, mail)
    else:
        reopened = ticket.status == Status.archived
        edit = begin_edit(
            session, desk, ticket, None, action="customer_message", actor=Actor.customer
        )
        add_customer_message(
            edit,
            mail.body,
            MessageChannel.email,
            email_message_id=mail.message_id,
            attachments=mail.attachments,
        )
    if note:
        system_message(edit, note)
    if ticket is None or not thread.by_stranger:
        # A stranger's WMID is no claim about this ticket's customer.
        _note_identifiers(edit, mail)
    flag_scam(edit, markers)
    if mail.defects:
        edit.details["mail_defects"] = list(mail.defects)
    finish(edit)
    return MailOutcome(
        MailDisposition.taken if ticket is None else MailDisposition.threaded,
        edit.ticket.number,
        reopened=reopened,
        markers=tuple(marker.pattern for marker in markers.matched),
    )


def _open_ticket(session: Session, desk: Desk, mail: IncomingMail) -> TicketEdit:
    if mail.automatic:
        raise MailRefused(
            f"an automatic mail ({mail.automatic}) that continues no ticket: opening one "
            "would send a confirmation back to a robot"
        )
    if mail.sender is None:
        raise MailRefused(f"{mail.sender_problem}: there is no address to answer to")
    edit, _ = open_ticket(
        session,
        desk,
        service=Service.other,
        subject=mail.subject,
        body=mail.body,
        email=mail.sender,
        wmid=mail.wmids[0] if mail.wmids else None,
        purse=mail.purses[0] if mail.purses else None,
        name=mail.sender_name,
        notice_channel=NoticeChannel.email,
        language=None,
        source=MessageChannel.email,
        confirmed=False,
        email_message_id=mail.message_id,
        attachments=mail.attachments,
    )
    return edit


# Built once: the intake runs these for every mail. Run on the session's own
# connection, they skip the ORM as well as the statement building.
_HOLDING = sa.union_all(
    sa.select(Ticket.number)
    .join(Message, Message.ticket_id == Ticket.id)
    .where(Message.email_message_id == sa.bindparam("message_id")),
    sa.select(Ticket.number)
    .join(Notice, Notice.ticket_id == Ticket.id)
    .where(Notice.email_message_id == sa.bindparam("message_id")),
)
_REFERENCED = sa.union_all(
    sa.select(Notice.email_message_id, Ticket.number, sa.literal(True).label("ours"))
    .join(Ticket, Ticket.id == Notice.ticket_id)
    .where(Notice.email_message_id.in_(sa.bindparam("notice_ids", expanding=True))),
    sa.select(Message.email_message_id, Ticket.number, sa.literal(False).label("ours"))
    .join(Ticket, Ticket.id == Message.ticket_id)
    .where(Message.email_message_id.in_(sa.bindparam("message_ids", expanding=True))),
)
_TICKET_OWNER = sa.select(Ticket.customer_email).where(Ticket.number == sa.bindparam("number"))


def _ticket_holding(session: Session, message_id: str) -> int | None:
    """The ticket whose thread already holds this Message-ID: a customer's
    message, or one of our own notices coming back."""
    return session.connection().execute(_HOLDING, {"message_id": message_id}).scalar()


def _ticket_for_references(session: Session, message_ids: Sequence[str]) -> tuple[int | None, bool]:
    """The ticket of the most direct Message-ID we know, and whether the mail
    names one of our notices to that ticket's customer."""
    rows = (
        session.connection()
        .execute(_REFERENCED, {"notice_ids": list(message_ids), "message_ids": list(message_ids)})
        .all()
    )
    found: dict[str, int] = {}
    for message_id, number, _ in rows:
        found.setdefault(message_id, number)
    number = next((found[mid] for mid in message_ids if mid in found), None)
    return number, any(ours and row_number == number for _, row_number, ours in rows)


@dataclass(frozen=True)
class _Thread:
    """The ticket a mail continues, if any, and what the thread must be told."""

    number: int | None
    # A note for the ticket when the subject's tag was not trusted.
    note: str | None = None
    # It continues the thread by its headers, but not from the ticket's customer.
    by_stranger: bool = False


def _from_customer(session: Session, mail: IncomingMail, number: int) -> bool | None:
    """Whether the mail comes from ticket `number`'s customer (None: no such ticket)."""
    owner = session.connection().execute(_TICKET_OWNER, {"number": number}).first()
    if owner is None:
        return None
    return bool(
        mail.sender
        and owner.customer_email
        and mail.sender.casefold() == owner.customer_email.casefold()
    )


def _thread(session: Session, mail: IncomingMail) -> _Thread:
    """The ticket the mail continues. Our notices' Message-IDs are random and went
    to the customer alone: naming one, the mail is the customer's from any
    address (another device). A customer's own Message-ID is no secret (it went
    to everyone the customer wrote to), nor is a ticket's tag: naming those,
    only the ticket's own address writes as the customer."""
    if mail.referenced_ids:
        number, names_our_notice = _ticket_for_references(session, mail.referenced_ids)
        if number is not None:
            stranger = not names_our_notice and not _from_customer(session, mail, number)
            return _Thread(number, by_stranger=stranger)
    number = tag_in(mail.subject)
    if number is None:
        return _Thread(None)
    from_customer = _from_customer(session, mail, number)
    if from_customer is None:
        return _Thread(None, f"The subject names ticket [#{number}], which does not exist.")
    if from_customer:
        return _Thread(number)
    return _Thread(
        None,
        f"The subject names ticket [#{number}], but the mail came from another address "
        "than that ticket's customer, so it opened a new ticket.",
    )


def _record_aside(edit: TicketEdit, mail: IncomingMail, heading: str) -> None:
    """Mail about the ticket that is not its customer's message (an out-of-office
    reply, a bounce, a third party's reply) is kept on it as a system message
    that says what it is: it neither reopens the ticket nor restarts its clock."""
    add_message(
        edit,
        MessageKind.system,
        f"{heading}\n\n{mail.body}",
        MessageChannel.email,
        email_message_id=mail.message_id,
        attachments=mail.attachments,
    )
    edit.bumps_version = False


def _record_automatic(edit: TicketEdit, mail: IncomingMail) -> None:
    sender = mail.sender or "an unknown sender"
    _record_aside(
        edit, mail, f"An automatic mail arrived ({mail.automatic}) from {sender}: {mail.subject}"
    )


def _record_third_party(edit: TicketEdit, mail: IncomingMail) -> None:
    sender = mail.sender or "an unknown sender"
    customer = edit.ticket.customer_email or "none on file"
    _record_aside(
        edit,
        mail,
        f"A mail from a third party, {sender}, not this ticket's customer ({customer}), "
        "answered this thread. It is not the customer's word: do not act on it as theirs."
        f"\n\nSubject: {mail.subject}",
    )


def _note_identifiers(edit: TicketEdit, mail: IncomingMail) -> None:
    """WMIDs and purses in the text fill the ticket's empty fields, and the thread
    says which numbers were found: the text is the customer's claim, not proof."""
    ticket = edit.ticket
    if ticket.customer_wmid is None and mail.wmids:
        ticket.customer_wmid = mail.wmids[0]
    if ticket.customer_purse is None and mail.purses:
        ticket.customer_purse = mail.purses[0]
    found = [f"WMID {wmid}" for wmid in mail.wmids] + [f"purse {purse}" for purse in mail.purses]
    if found:
        system_message(
            edit,
            "Found in the mail (as written by the sender, not verified): " + ", ".join(found) + ".",
        )


# The quarantine --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarantineRecord:
    id: int
    # Where the record says the mail's file is kept.
    path: str
    # False when the same mail was recorded before.
    created: bool


def quarantine_key(email_message_id: str | None, sha256: str) -> str:
    """What makes a quarantined mail the same mail: its Message-ID, else its content."""
    return email_message_id or f"sha256:{sha256}"


_QUARANTINED = sa.select(QuarantinedMail.id, QuarantinedMail.path).where(
    QuarantinedMail.mail_key == sa.bindparam("key")
)
# Another intake may record the same mail at the same moment (PostgreSQL): the
# unique key lets exactly one of them in, the other finds that record.
_RECORD_ONCE = {
    dialect: insert(QuarantinedMail.__table__).on_conflict_do_nothing(index_elements=["mail_key"])
    for dialect, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}


def quarantine_mail(
    desk: Desk,
    *,
    path: str,
    reason: str,
    sha256: str,
    size: int,
    email_message_id: str | None = None,
    sender: str | None = None,
    subject: str | None = None,
) -> QuarantineRecord:
    """Record a mail kept in the quarantine folder, once per mail: the same mail
    again (its Message-ID, else its content) - delivered twice, or the same file
    after a crash before it was moved - gets the first record back."""
    key = quarantine_key(email_message_id, sha256)
    with desk.db.write(as_=Duty.intake) as session:
        existing = session.execute(_QUARANTINED, {"key": key}).first()
        if existing is not None:
            return QuarantineRecord(existing.id, existing.path, created=False)
        dialect = session.get_bind().dialect.name
        inserted = session.execute(
            _RECORD_ONCE[dialect],
            {
                "path": path,
                "reason": reason,
                "sha256": sha256,
                "size": size,
                "email_message_id": email_message_id,
                "mail_key": key,
                "sender": sender,
                "subject": subject,
                "received_at": desk.now(),
            },
        )
        row = session.execute(_QUARANTINED, {"key": key}).one()
        if inserted.rowcount:
            record_change(session, desk, "quarantine", None)
        return QuarantineRecord(row.id, row.path, created=bool(inserted.rowcount))


def move_quarantined(desk: Desk, quarantine_id: int, path: str) -> None:
    """The record's file is kept at `path` now: its old file is gone (moved back
    into new/ under another name, to be tried again, and refused again)."""
    with desk.db.write(as_=Duty.intake) as session:
        session.execute(
            sa.update(QuarantinedMail).where(QuarantinedMail.id == quarantine_id).values(path=path)
        )
        record_change(session, desk, "quarantine", None)


def list_quarantine(
    desk: Desk, *, by: str, include_resolved: bool = False
) -> list[QuarantinedMail]:
    """Mail the intake could not take, newest first: for supervisors and security."""
    with desk.db.read(as_=by) as session:
        require(find_operator(session, by), Permission.view_quarantine)
        query = select(QuarantinedMail).order_by(QuarantinedMail.id.desc())
        if not include_resolved:
            query = query.where(QuarantinedMail.resolved_at.is_(None))
        return list(session.exec(query).all())


def resolve_quarantine(desk: Desk, quarantine_id: int, *, by: str, note: str) -> None:
    """Mark a quarantined mail as dealt with; the file and the record stay."""
    note = validation.reason(note, "resolving a quarantined mail")
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        require(operator, Permission.view_quarantine)
        row = session.get(QuarantinedMail, quarantine_id)
        if row is None:
            raise NotFound(f"no quarantined mail {quarantine_id}")
        if row.resolved_at is not None:
            raise TransitionRefused(
                f"quarantined mail {quarantine_id} was resolved at {row.resolved_at:%Y-%m-%d %H:%M}"
            )
        row.resolved_at = desk.now()
        session.add(row)
        session.add(
            AuditEvent(
                operator_id=operator.id,
                actor=Actor.operator,
                action="quarantine_resolve",
                after={"id": quarantine_id, "path": row.path, "note": note},
                at=desk.now(),
            )
        )
        record_change(session, desk, "quarantine", None)
