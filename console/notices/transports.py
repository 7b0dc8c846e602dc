"""How a notice reaches the customer: e-mail through SMTP, or a file in the Keeper
gateway's spool folder. A transport either delivers or raises DeliveryFailed,
saying whether trying again could help."""

from __future__ import annotations

import json
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from console.errors import InvalidInput
from console.files import write_atomically
from console.notices.words import NoticeText
from console.settings import Settings
from models import NoticeChannel, NoticeKind

TLS_MODES = ("none", "starttls", "ssl")
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(text: str) -> str:
    """Customer-derived text fit for a header of our mail: no CR, LF or other
    control characters (no header injection), whitespace collapsed."""
    return " ".join(_HEADER_UNSAFE.sub(" ", text).split())


class DeliveryFailed(Exception):
    """The notice did not go out; `permanent` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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
        replied = outgoing.kind in (NoticeKind.confirm, NoticeKind.reopened)
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
    """The Keeper gateway's file: written whole (console.files), so
    the gateway never sees half a file. The same notice always has the same file
    name and id, so a second delivery is recognisably the same."""
    if not settings.keeper_spool:
        raise DeliveryFailed("keeper_spool is not set (WMCONSOLE_KEEPER_SPOOL): no gateway folder")
    folder = Path(settings.keeper_spool).expanduser()
    target = folder / f"notice-{outgoing.notice_id}.json"
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
        write_atomically(target, json.dumps(payload, ensure_ascii=False, indent=2).encode())
    except OSError as error:
        raise DeliveryFailed(f"cannot write to the Keeper spool {folder}: {error}") from None
    return target
