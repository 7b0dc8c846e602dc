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

import json
import logging
import os
import re
import secrets
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from console.desk import Desk
from console.errors import InvalidInput, NotFound, TransitionRefused
from console.identity import Duty
from console.mail.parsing import CONTENT_ID_DOMAIN
from console.operations.editing import find_operator
from console.settings import Settings
from models import (
    Actor,
    Attachment,
    AttachmentContent,
    AuditEvent,
    Message,
    MessageKind,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeState,
    Ticket,
)

log = logging.getLogger(__name__)

TLS_MODES = ("none", "starttls", "ssl")
MAX_REFERENCES = 10
# An id from a customer's mail goes into our headers only if it is plain
# printable ASCII and short enough to fold.
_SAFE_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(text: str) -> str:
    """Customer-derived text fit for a header of our mail: no CR, LF or other
    control characters (no header injection), whitespace collapsed."""
    return " ".join(_HEADER_UNSAFE.sub(" ", text).split())


def new_message_id(domain: str) -> str:
    """Random, so that In-Reply-To naming it proves the mail answers ours."""
    return f"<{secrets.token_hex(16)}@{header_text(domain)}>"


# The words ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str


def _hello(language: str, name: str | None) -> str:
    if language == "ru":
        return f"Здравствуйте, {name}!" if name else "Здравствуйте!"
    return f"Hello {name}," if name else "Hello,"


def compose_text(
    kind: NoticeKind,
    *,
    language: str,
    number: int,
    subject: str,
    name: str | None,
    answer: str | None,
    confirm_url: str,
    settings: Settings,
) -> NoticeText:
    """What the customer reads, in the ticket's language; the tag [#NUMBER] in the
    subject threads their answer back to the ticket."""
    tag = f"[#{number}]"
    ru = language == "ru"
    hello = _hello(language, name)
    if kind == NoticeKind.confirm:
        days = settings.lifecycle_unconfirmed_expire_days
        if ru:
            return NoticeText(
                f"{tag} Подтвердите обращение: {subject}",
                f"{hello}\n\nМы получили ваше обращение №{number} «{subject}».\n"
                "Чтобы служба поддержки начала работу, подтвердите его по ссылке:\n\n"
                f"{confirm_url}\n\nЕсли вы нам не писали, ничего не делайте: "
                f"неподтверждённое обращение закроется через {days} дней.\n",
            )
        return NoticeText(
            f"{tag} Please confirm your request: {subject}",
            f'{hello}\n\nWe have received your request #{number} "{subject}".\n'
            "Please confirm it by following this link, and support will start on it:\n\n"
            f"{confirm_url}\n\nIf you did not write to us, do nothing: "
            f"an unconfirmed request is closed after {days} days.\n",
        )
    if kind == NoticeKind.answer:
        footer = (
            f"Ответ службы поддержки на обращение №{number}. Чтобы ответить, ответьте на "
            f"это письмо, сохранив {tag} в теме."
            if ru
            else f"Support's answer to your request #{number}. To write back, reply to this "
            f"e-mail and keep {tag} in the subject."
        )
        return NoticeText(f"{tag} Re: {subject}", f"{answer or ''}\n\n-- \n{footer}\n")
    if kind == NoticeKind.archived:
        days = settings.lifecycle_answered_archive_days
        if ru:
            return NoticeText(
                f"{tag} Обращение перенесено в архив: {subject}",
                f"{hello}\n\nВаше обращение №{number} «{subject}» перенесено в архив: "
                f"мы ответили, а от вас не было вестей {days} дней.\n"
                "Если вопрос не решён, ответьте на это письмо, и обращение снова откроется.\n",
            )
        return NoticeText(
            f"{tag} Your request was moved to the archive: {subject}",
            f'{hello}\n\nYour request #{number} "{subject}" was moved to the archive: we '
            f"answered and have not heard from you for {days} days.\n"
            "If the matter is not settled, reply to this e-mail and the request reopens.\n",
        )
    if ru:
        return NoticeText(
            f"{tag} Обращение снова открыто: {subject}",
            f"{hello}\n\nВаше обращение №{number} «{subject}» снова открыто; "
            "мы ответим в ближайшее время.\n",
        )
    return NoticeText(
        f"{tag} Your request is open again: {subject}",
        f'{hello}\n\nYour request #{number} "{subject}" is open again; we will answer soon.\n',
    )


# Claim, deliver, record -----------------------------------------------------------------------


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


class DeliveryFailed(Exception):
    """The notice did not go out; `permanent` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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


@dataclass(frozen=True)
class Outgoing:
    """Everything one delivery needs, read in one short session."""

    notice_id: int
    channel: NoticeChannel
    kind: NoticeKind
    recipient: str
    message_id: str
    number: int
    name: str | None
    language: str
    text: NoticeText
    in_reply_to: str | None
    references: tuple[str, ...]
    attachments: tuple[tuple[str, str, bytes], ...]


def _thread_ids(session: Session, ticket_id: int, notice_id: int) -> tuple[list[str], str | None]:
    """References for a notice — the customer's Message-IDs and our earlier
    notices', oldest first — and the one it answers: the customer's latest."""
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


def build_email(outgoing: Outgoing, settings: Settings, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = settings.smtp_sender
    try:
        message["To"] = Address(
            display_name=header_text(outgoing.name or ""), addr_spec=outgoing.recipient
        )
    except (ValueError, IndexError) as error:
        raise DeliveryFailed(
            f"the address {outgoing.recipient!r} cannot be written: {error}", permanent=True
        ) from None
    message["Subject"] = header_text(outgoing.text.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = outgoing.message_id
    if outgoing.in_reply_to:
        message["In-Reply-To"] = outgoing.in_reply_to
        message["References"] = " ".join(outgoing.references)
    if outgoing.kind != NoticeKind.answer:
        # RFC 3834: written by a program; well-behaved robots do not answer it.
        replied = outgoing.kind == NoticeKind.confirm
        message["Auto-Submitted"] = "auto-replied" if replied else "auto-generated"
    message.set_content(outgoing.text.body)
    for filename, content_type, data in outgoing.attachments:
        maintype, _, subtype = content_type.partition("/")
        # A stored mail or multipart cannot travel base64-encoded under its own
        # type (RFC 2046): it goes as plain bytes, its file name still says what.
        if not subtype or maintype in ("multipart", "message"):
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


class SmtpMailer:
    """One SMTP connection, opened on first use and reused for a batch of notices."""

    def __init__(self, settings: Settings) -> None:
        if settings.smtp_tls not in TLS_MODES:
            raise InvalidInput(
                f"smtp.tls must be one of {', '.join(TLS_MODES)}; got {settings.smtp_tls!r}"
            )
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.smtp_ca_file or None)
        if s.smtp_tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                local_hostname=s.smtp_domain,
                timeout=s.smtp_timeout_seconds,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                s.smtp_host,
                s.smtp_port,
                local_hostname=s.smtp_domain,
                timeout=s.smtp_timeout_seconds,
            )
        try:
            if s.smtp_tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            codes = [code for code, _ in error.recipients.values()]
            detail = "; ".join(
                f"{code} {text.decode(errors='replace')}"
                for code, text in error.recipients.values()
            )
            raise DeliveryFailed(
                f"the server refused {recipient}: {detail}", permanent=all(c >= 500 for c in codes)
            ) from None
        except smtplib.SMTPDataError as error:
            self.close()
            text = error.smtp_error.decode(errors="replace")
            raise DeliveryFailed(
                f"the server refused the message: {error.smtp_code} {text}",
                permanent=error.smtp_code >= 500,
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            server = f"{self.settings.smtp_host}:{self.settings.smtp_port}"
            raise DeliveryFailed(f"{server}: {type(error).__name__}: {error}") from None

    def close(self) -> None:
        if self._smtp is None:
            return
        smtp, self._smtp = self._smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def spool_keeper(outgoing: Outgoing, settings: Settings, now: datetime) -> Path:
    """The Keeper gateway's file: written under a dot-name, synced, then renamed, so
    the gateway never sees half a file. The same notice always has the same file
    name and id, so a second delivery is recognisably the same."""
    if not settings.keeper_spool:
        raise DeliveryFailed("keeper_spool is not set (WMCONSOLE_KEEPER_SPOOL): no gateway folder")
    folder = Path(settings.keeper_spool).expanduser()
    target = folder / f"notice-{outgoing.notice_id}.json"
    staged = folder / f".{target.name}.tmp"
    payload = {
        "id": outgoing.message_id,
        "notice": outgoing.notice_id,
        "wmid": outgoing.recipient,
        "ticket": outgoing.number,
        "kind": outgoing.kind.value,
        "language": outgoing.language,
        "subject": outgoing.text.subject,
        "text": outgoing.text.body,
        "created_at": now.isoformat(),
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with staged.open("w", encoding="utf-8") as file:
            json.dump(payload, file, ensure_ascii=False, indent=2)
            file.flush()
            os.fsync(file.fileno())
        os.replace(staged, target)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as error:
        raise DeliveryFailed(f"cannot write to the Keeper spool {folder}: {error}") from None
    return target


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


# Looking at the outbox --------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    id: int
    number: int
    channel: str
    kind: str
    recipient: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    email_message_id: str | None
    created_at: datetime
    sent_at: datetime | None


def list_notices(
    desk: Desk,
    *,
    states: frozenset[NoticeState] = frozenset(),
    number: int | None = None,
    limit: int = 100,
) -> list[NoticeRow]:
    """The outbox, newest first: what is waiting, failing or sent."""
    query = (
        sa.select(
            Notice.id,
            Ticket.number,
            Notice.channel,
            Notice.kind,
            Notice.recipient,
            Notice.state,
            Notice.attempts,
            Notice.next_attempt_at,
            Notice.last_error,
            Notice.email_message_id,
            Notice.created_at,
            Notice.sent_at,
        )
        .join(Ticket, Ticket.id == Notice.ticket_id)
        .order_by(Notice.id.desc())
        .limit(limit)
    )
    if states:
        query = query.where(Notice.state.in_(sorted(states)))
    if number is not None:
        query = query.where(Ticket.number == number)
    with desk.db.connect() as connection:
        rows = connection.execute(query).all()
    return [
        NoticeRow(
            row.id,
            row.number,
            row.channel.value,
            row.kind.value,
            row.recipient,
            row.state.value,
            row.attempts,
            row.next_attempt_at,
            row.last_error,
            row.email_message_id,
            row.created_at,
            row.sent_at,
        )
        for row in rows
    ]


def retry_notice(desk: Desk, notice_id: int, *, by: str) -> None:
    """Put a failed notice back in the outbox, due now (audited on its ticket)."""
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise NotFound(f"no notice {notice_id}")
        if notice.state != NoticeState.failed:
            raise TransitionRefused(
                f"notice {notice_id} is {notice.state.value}; "
                "only a failed notice is retried by hand"
            )
        notice.state = NoticeState.pending
        notice.next_attempt_at = desk.now()
        session.add(notice)
        session.add(
            AuditEvent(
                ticket_id=notice.ticket_id,
                operator_id=operator.id,
                actor=Actor.operator,
                action="notice_retry",
                before={"notice": notice_id, "state": "failed", "last_error": notice.last_error},
                after={"notice": notice_id, "state": "pending"},
                at=desk.now(),
            )
        )
