"""`wmconsole notices`: telling customers, from the outbox the domain operations
fill (a Notice row per confirmation, answer, archiving), by e-mail through SMTP
or by Keeper message through the gateway's spool folder.

Sent once, even when the sender is killed between sending and recording:

1. claim — one transaction moves the notice from pending to `sending`, counts
   the attempt, fixes its Message-ID if it has none yet and leases it until
   now + notices_lease_seconds;
2. deliver — outside any transaction: SMTP, or an atomic file in the spool;
3. record — one transaction marks it `sent`, or due again after a backoff
   (retry_seconds doubling up to retry_max_seconds), or `failed` after
   max_attempts or a permanent refusal.

A sender killed between 2 and 3 leaves the notice `sending`. When its lease
runs out, any sender claims it again and delivers it again, under the same
Message-ID: the Message-ID is fixed before the first attempt and never
changes. So the one duplicate possible — the first copy went out, the record
of it did not — is the same message twice, which mail systems and clients
recognise by its Message-ID and the Keeper gateway by the spool file's id;
the alternative, recording `sent` before sending, could lose a notice.
The attempt number is a fencing token: a sender whose lease ran out cannot
overwrite what the sender that took over recorded.

Concurrent senders never claim one notice: the claim is a single
UPDATE ... WHERE id = (SELECT ... LIMIT 1) AND still due RETURNING, the
subselect FOR UPDATE SKIP LOCKED on PostgreSQL, and SQLite's BEGIN IMMEDIATE
serialises it (the take_next pattern, DESIGN.md section 5).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from console.desk import Desk
from console.identity import Duty
from console.mail.parsing import CONTENT_ID_DOMAIN
from console.notices.transports import (
    DeliveryFailed,
    Outgoing,
    SmtpMailer,
    build_email,
    header_text,
    spool_keeper,
)
from console.notices.words import compose_text
from console.settings import Settings
from models import (
    Attachment,
    AttachmentContent,
    Message,
    MessageKind,
    Notice,
    NoticeChannel,
    NoticeState,
    Ticket,
)

log = logging.getLogger(__name__)

MAX_REFERENCES = 10
# An id from a customer's mail goes into our headers only if it is plain
# printable ASCII and short enough to fold.
_SAFE_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")


def new_message_id(domain: str) -> str:
    """Random, so that In-Reply-To naming it proves the mail answers ours."""
    return f"<{secrets.token_hex(16)}@{header_text(domain)}>"


@dataclass(frozen=True)
class Claim:
    notice_id: int
    # The attempt this claim makes: the fencing token for recording its outcome.
    attempt: int
    message_id: str


def claim_next(desk: Desk) -> Claim | None:
    """Take the next due notice (pending, or `sending` with its lease run out)."""
    now = desk.now()
    lease = timedelta(seconds=desk.settings.notices_lease_seconds)
    claimable = Notice.state.in_([NoticeState.pending, NoticeState.sending])
    due = (
        sa.select(Notice.id)
        .where(claimable, Notice.next_attempt_at <= now)
        .order_by(Notice.next_attempt_at, Notice.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    with desk.db.write(as_=Duty.notices) as session:
        row = session.execute(
            sa.update(Notice)
            .where(Notice.id == due, claimable, Notice.next_attempt_at <= now)
            .values(
                state=NoticeState.sending,
                attempts=Notice.attempts + 1,
                next_attempt_at=now + lease,
                email_message_id=sa.func.coalesce(
                    Notice.email_message_id, new_message_id(desk.settings.smtp_domain)
                ),
            )
            .returning(Notice.id, Notice.attempts, Notice.email_message_id)
            .execution_options(synchronize_session=False)
        ).first()
    return Claim(*row) if row else None


def retry_delay(settings: Settings, attempt: int) -> timedelta:
    """Exponential backoff: retry_seconds after the first failure, doubling."""
    seconds = settings.notices_retry_seconds * 2 ** min(attempt - 1, 30)
    return timedelta(seconds=min(seconds, settings.notices_retry_max_seconds))


def _record(desk: Desk, claim: Claim, failure: DeliveryFailed | None) -> NoticeState | None:
    """The outcome, unless another sender took the notice over meanwhile (then None)."""
    now = desk.now()
    if failure is None:
        values: dict[str, Any] = {"state": NoticeState.sent, "sent_at": now, "last_error": None}
    elif failure.permanent or claim.attempt >= desk.settings.notices_max_attempts:
        values = {"state": NoticeState.failed, "last_error": str(failure)[:2000]}
    else:
        values = {
            "state": NoticeState.pending,
            "next_attempt_at": now + retry_delay(desk.settings, claim.attempt),
            "last_error": str(failure)[:2000],
        }
    with desk.db.write(as_=Duty.notices) as session:
        updated = session.execute(
            sa.update(Notice)
            .where(
                Notice.id == claim.notice_id,
                Notice.state == NoticeState.sending,
                Notice.attempts == claim.attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not updated:
        log.warning("notice %s was taken over by another sender", claim.notice_id)
        return None
    return values["state"]


def _thread_ids(session: Session, ticket_id: int, notice_id: int) -> tuple[list[str], str | None]:
    """References for a notice — the customer's Message-IDs and our earlier
    notices', oldest first — and the one it answers: the customer's latest. A
    notice sent with no Message-ID kept (an old or loaded one) names nothing."""
    customer = session.execute(
        sa.select(Message.created_at, sa.literal(0), Message.email_message_id).where(
            Message.ticket_id == ticket_id,
            Message.kind == MessageKind.customer,
            Message.email_message_id.is_not(None),
        )
    ).all()
    ours = session.execute(
        sa.select(Notice.created_at, sa.literal(1), Notice.email_message_id).where(
            Notice.ticket_id == ticket_id,
            Notice.id != notice_id,
            Notice.state == NoticeState.sent,
            Notice.channel == NoticeChannel.email,
            Notice.email_message_id.is_not(None),
        )
    ).all()

    def usable(message_id: str) -> bool:
        return bool(_SAFE_MESSAGE_ID.fullmatch(message_id)) and not message_id.endswith(
            f"@{CONTENT_ID_DOMAIN}>"
        )

    # At the same moment the customer's message comes before our notice about it.
    thread = [(mine, mid) for _, mine, mid in sorted([*customer, *ours]) if usable(mid)]
    answered = [mid for mine, mid in thread if not mine]
    references = [mid for _, mid in thread][-MAX_REFERENCES:]
    in_reply_to = answered[-1] if answered else (references[-1] if references else None)
    return references, in_reply_to


def load_outgoing(desk: Desk, claim: Claim) -> Outgoing:
    with desk.db.read(as_=Duty.notices) as session:
        notice = session.get(Notice, claim.notice_id)
        ticket = session.get(Ticket, notice.ticket_id)
        answer = session.get(Message, notice.message_id) if notice.message_id else None
        attachments: tuple[tuple[str, str, bytes], ...] = ()
        if answer is not None:
            # Refused attachments have no content and so no join partner.
            rows = session.execute(
                sa.select(Attachment.filename, Attachment.content_type, AttachmentContent.data)
                .join(AttachmentContent, AttachmentContent.sha256 == Attachment.sha256)
                .where(Attachment.message_id == answer.id)
                .order_by(Attachment.id)
            ).all()
            attachments = tuple((name, kind, data) for name, kind, data in rows)
        references, in_reply_to = _thread_ids(session, ticket.id, notice.id)
    confirm_url = desk.settings.notices_confirm_url.replace("{token}", ticket.confirm_token or "")
    text = compose_text(
        notice.kind,
        language=ticket.language.value,
        number=ticket.number,
        subject=ticket.subject,
        name=ticket.customer_name,
        answer=answer.body if answer else None,
        confirm_url=confirm_url,
        settings=desk.settings,
    )
    return Outgoing(
        notice_id=notice.id,
        channel=notice.channel,
        kind=notice.kind,
        recipient=notice.recipient,
        message_id=claim.message_id,
        number=ticket.number,
        name=ticket.customer_name,
        language=ticket.language.value,
        text=text,
        in_reply_to=in_reply_to,
        references=tuple(references),
        attachments=attachments,
    )


@dataclass(frozen=True)
class Delivery:
    notice_id: int
    # sent, pending (to be retried), failed; None when another sender took it over.
    state: NoticeState | None
    error: str | None
    # What was to be sent; None when it could not even be read.
    outgoing: Outgoing | None


def deliver(desk: Desk, claim: Claim, mailer: SmtpMailer) -> Delivery:
    """Deliver one claimed notice and record what happened."""
    outgoing: Outgoing | None = None
    failure = None
    try:
        outgoing = load_outgoing(desk, claim)
        if outgoing.channel == NoticeChannel.email:
            message = build_email(outgoing, desk.settings, desk.now())
            mailer.send(message, desk.settings.smtp_sender, outgoing.recipient)
        else:
            spool_keeper(outgoing, desk.settings, desk.now())
    except DeliveryFailed as error:
        failure = error
    except Exception as error:
        # A fault of ours must not leave the notice `sending` forever or stop the
        # sender: it counts as a failed attempt, with the error to see.
        log.exception("notice %s could not be delivered", claim.notice_id)
        failure = DeliveryFailed(f"{type(error).__name__}: {error}")
    state = _record(desk, claim, failure)
    return Delivery(claim.notice_id, state, str(failure) if failure else None, outgoing)


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, delivery: Delivery) -> None:
        if delivery.state == NoticeState.sent:
            self.sent += 1
        elif delivery.state == NoticeState.pending:
            self.retrying += 1
        elif delivery.state == NoticeState.failed:
            self.failed += 1

    def __str__(self) -> str:
        return f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}"


def send_due(desk: Desk, *, on_delivery: Callable[[Delivery], None] | None = None) -> SendSummary:
    """Deliver every notice due now, one claim at a time."""
    mailer = SmtpMailer(desk.settings)
    summary = SendSummary()
    try:
        while (claim := claim_next(desk)) is not None:
            delivery = deliver(desk, claim, mailer)
            summary.add(delivery)
            if on_delivery is not None:
                on_delivery(delivery)
    finally:
        mailer.close()
    return summary


def send_forever(
    desk: Desk,
    *,
    stop: threading.Event | None = None,
    on_delivery: Callable[[Delivery], None] | None = None,
) -> None:
    """Deliver due notices every notices_poll_seconds until `stop` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        send_due(desk, on_delivery=on_delivery)
        stop.wait(desk.settings.notices_poll_seconds)
