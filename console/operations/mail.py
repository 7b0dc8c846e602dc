"""A customer's e-mail arriving at the desk, and the mail the desk could not take.

`take_mail` does everything one mail causes in one transaction: the duplicate
check, threading, the new ticket or the follow-up, the scam-marker flag and
the identifiers found in the text. A crash anywhere leaves nothing behind,
and the same Message-ID is taken once: a second delivery, or the same file
again after a crash before it left new/, is recognised as a duplicate.

Threading (DESIGN.md section 5) trusts what a stranger cannot forge: our own
Message-IDs, which are random, in In-Reply-To or References first (a notice's
or a message's already on a ticket). A bare `[#NNNNNN]` tag in the subject is
accepted only from the ticket's own customer address; from anyone else the
mail opens a new ticket that says so. From: never authorises anything else:
the new ticket is unconfirmed until the customer follows the link, whatever
WMID the text claims.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import regex
import sqlalchemy as sa
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import DomainError, NotFound, TransitionRefused
from console.identity import Duty
from console.mail.parsing import IncomingMail
from console.operations.editing import (
    TicketEdit,
    begin_edit,
    find_operator,
    finish,
    lock_ticket,
    record_change,
)
from console.operations.tickets import (
    add_customer_message,
    add_message,
    open_ticket,
    system_message,
)
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
    ScamMarker,
    Service,
    Status,
    Ticket,
)

TICKET_TAG = re.compile(r"\[#(\d{1,12})\]")


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
    markers = _matching_markers(session, mail)
    target, note = _thread(session, mail)
    ticket = lock_ticket(session, target) if target is not None else None
    if ticket is not None and mail.automatic:
        edit = begin_edit(session, desk, ticket, None, action="automatic_mail")
        _record_automatic(edit, mail)
        finish(edit)
        return MailOutcome(MailDisposition.threaded, ticket.number)
    if ticket is not None and ticket.status == Status.expired:
        note = f"Follows up ticket {ticket.number}, which expired unconfirmed."
        ticket = None
    if ticket is not None:
        edit = begin_edit(
            session, desk, ticket, None, action="customer_message", actor=Actor.customer
        )
        reopened = ticket.status == Status.archived
        add_customer_message(
            edit,
            mail.body,
            MessageChannel.email,
            email_message_id=mail.message_id,
            attachments=mail.attachments,
        )
        disposition = MailDisposition.threaded
    else:
        edit = _open_ticket(session, desk, mail)
        reopened = False
        disposition = MailDisposition.taken
    if note:
        system_message(edit, note)
    _note_identifiers(edit, mail)
    _flag_scam(edit, markers)
    if mail.defects:
        edit.details["mail_defects"] = list(mail.defects)
    finish(edit)
    return MailOutcome(
        disposition,
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
    sa.select(Notice.email_message_id, Ticket.number)
    .join(Ticket, Ticket.id == Notice.ticket_id)
    .where(Notice.email_message_id.in_(sa.bindparam("notice_ids", expanding=True))),
    sa.select(Message.email_message_id, Ticket.number)
    .join(Ticket, Ticket.id == Message.ticket_id)
    .where(Message.email_message_id.in_(sa.bindparam("message_ids", expanding=True))),
)
_TICKET_OWNER = sa.select(Ticket.customer_email).where(Ticket.number == sa.bindparam("number"))
_ACTIVE_MARKERS = (
    sa.select(ScamMarker.id, ScamMarker.pattern, ScamMarker.is_regex, ScamMarker.description)
    .where(ScamMarker.active)
    .order_by(ScamMarker.id)
)


def _ticket_holding(session: Session, message_id: str) -> int | None:
    """The ticket whose thread already holds this Message-ID: a customer's
    message, or one of our own notices coming back."""
    return session.connection().execute(_HOLDING, {"message_id": message_id}).scalar()


def _ticket_for_references(session: Session, message_ids: Sequence[str]) -> int | None:
    rows = session.connection().execute(
        _REFERENCED, {"notice_ids": list(message_ids), "message_ids": list(message_ids)}
    )
    found: dict[str, int] = {}
    for message_id, number in rows:
        found.setdefault(message_id, number)
    return next((found[mid] for mid in message_ids if mid in found), None)


def _thread(session: Session, mail: IncomingMail) -> tuple[int | None, str | None]:
    """The ticket the mail continues (or None), and a note for the ticket when
    the subject's tag was not trusted."""
    if mail.referenced_ids:
        number = _ticket_for_references(session, mail.referenced_ids)
        if number is not None:
            return number, None
    number = tag_in(mail.subject)
    if number is None:
        return None, None
    owner = session.connection().execute(_TICKET_OWNER, {"number": number}).first()
    if owner is None:
        return None, f"The subject names ticket [#{number}], which does not exist."
    if (
        mail.sender
        and owner.customer_email
        and mail.sender.casefold() == owner.customer_email.casefold()
    ):
        return number, None
    return None, (
        f"The subject names ticket [#{number}], but the mail came from another address "
        "than that ticket's customer, so it opened a new ticket."
    )


def _record_automatic(edit: TicketEdit, mail: IncomingMail) -> None:
    """An out-of-office reply or a bounce is kept on the ticket it concerns, as a
    system message: it neither reopens the ticket nor restarts its clock."""
    add_message(
        edit,
        MessageKind.system,
        f"An automatic mail arrived ({mail.automatic}) from {mail.sender or 'an unknown sender'}:"
        f" {mail.subject}\n\n{mail.body}",
        MessageChannel.email,
        email_message_id=mail.message_id,
        attachments=mail.attachments,
    )
    edit.bumps_version = False


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


# A supervisor's regular expression meets text anyone can send: a pattern that
# backtracks catastrophically (say "(a|aa)+$") is cut off at this, not left to
# stall the intake on one mail.
MARKER_SECONDS = 0.1


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> regex.Pattern[str] | None:
    try:
        return regex.compile(pattern)
    except regex.error:
        return None


@dataclass(frozen=True)
class MarkerCheck:
    matched: list[sa.Row]
    timed_out: list[sa.Row]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _matching_markers(session: Session, mail: IncomingMail) -> MarkerCheck:
    # Read once per transaction: a batch of mail is checked against one list.
    markers = session.info.get("scam_markers")
    if markers is None:
        markers = session.info["scam_markers"] = session.connection().execute(_ACTIVE_MARKERS).all()
    text = "\n".join(
        part for part in (mail.sender_name, mail.sender, mail.subject, mail.body) if part
    )
    folded = _folded(text)
    check = MarkerCheck([], [])
    for marker in markers:
        if not marker.is_regex:
            if _folded(marker.pattern) in folded:
                check.matched.append(marker)
            continue
        compiled = _compiled(marker.pattern)
        if compiled is None:
            continue
        try:
            if compiled.search(text, timeout=MARKER_SECONDS) is not None:
                check.matched.append(marker)
        except TimeoutError:
            check.timed_out.append(marker)
    return check


def _flag_scam(edit: TicketEdit, check: MarkerCheck) -> None:
    """Flag, do not escalate: an operator reads the thread and decides."""
    if check.matched:
        described = "; ".join(
            f"«{marker.pattern}»" + (f" ({marker.description})" if marker.description else "")
            for marker in check.matched
        )
        system_message(
            edit,
            f"This mail matches scam markers: {described}. "
            "Suggested escalation: fraud. Read the thread and escalate if it is.",
        )
        edit.details.update(
            scam_markers=[marker.id for marker in check.matched], suggested_escalation="fraud"
        )
    if check.timed_out:
        slow = "; ".join(f"«{marker.pattern}» (marker {marker.id})" for marker in check.timed_out)
        system_message(
            edit,
            f"Scam markers could not be checked on this mail in time: {slow}. Read it with "
            "them in mind, and ask a supervisor to simplify them.",
        )
        edit.details["scam_markers_timed_out"] = [marker.id for marker in check.timed_out]


# The quarantine --------------------------------------------------------------------------


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
) -> int:
    """Record a mail kept in the quarantine folder; recording the same file at the
    same place again (a crash before it was moved) returns the first record."""
    with desk.db.write(as_=Duty.intake) as session:
        existing = session.execute(
            sa.select(QuarantinedMail.id).where(
                QuarantinedMail.sha256 == sha256, QuarantinedMail.path == path
            )
        ).scalar()
        if existing is not None:
            return existing
        row = QuarantinedMail(
            path=path,
            reason=reason,
            sha256=sha256,
            size=size,
            email_message_id=email_message_id,
            sender=sender,
            subject=subject,
            received_at=desk.now(),
        )
        session.add(row)
        session.flush()
        record_change(session, desk, "quarantine", None)
        return row.id


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
