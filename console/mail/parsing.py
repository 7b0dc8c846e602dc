"""One mail file, as real mail comes, turned into what the desk keeps of it.

The structure is parsed by the standard library (`BytesParser` with
`policy.default`, mended for the shapes it gets wrong: console.mail.headers),
after two size checks that protect it: the whole file against
`intake_max_message_bytes`, and the header section and every MIME part's
Content-* header against fixed caps, because the header parser is quadratic
in a header's length (measured: a 37 KB Content-Type with many parameters
takes a second, 150 KB takes five). The headers the desk reads (From,
Subject, the Message-IDs, file names) are decoded by console.mail.headers
rather than by the policy, and no header is read beyond MAX_HEADER_TEXT
characters.

The body is the text/plain alternative where there is one, else the HTML
converted to readable text; every other part is an attachment (over the size
limit it is recorded as refused, with the reason), and so is a file
uuencoded into the text. Control, bidi and zero-width characters in the text
become the placeholders the screens show (console.untrusted): what is stored,
exported and sent on is what an operator reads; the mail file keeps the
original bytes. The parser's defects are kept. Mail that cannot be read at all
raises UnreadableMail with a reason for the quarantine.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from console.mail.attachments import IncomingAttachment, guess_type
from console.mail.headers import (
    MAIL_POLICY,
    MAX_HEADER_TEXT,
    decode_header_text,
    first_header,
    header_values,
    mend_header_block,
    message_ids,
    own_message_id,
    raw_bytes,
    sender,
)
from console.mail.text import decode_text, html_to_text, storable
from console.mail.uuencode import split_uuencoded
from console.rules import validation
from console.settings import Settings
from console.untrusted import visible

# A Content-* header longer than this, anywhere in the mail, is refused unparsed.
MAX_MIME_HEADER = 16 * 1024
MAX_PARTS = 500
MAX_IDENTIFIERS = 20
NO_SUBJECT = "(no subject)"
NO_TEXT = "(the mail has no text)"
# Mail without a Message-ID gets one made from its content, so that taking the
# same file twice (a crash before it left new/) is still recognised.
CONTENT_ID_DOMAIN = "content-hash.wm-console.invalid"

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MIME_HEADER = re.compile(rb"(?im)^content-[a-z0-9-]*[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")
_RAW_FILENAME = re.compile(r"""(?i)\b(?:file)?name\*?\s*=\s*(?:"([^"]*)"|([^\s;]+))""")
# ASCII digits: \d would take full-width and other scripts' digits too.
_WMID = re.compile(r"(?<![\w+])[0-9]{12}(?!\w)")
_PURSE = re.compile(r"(?<!\w)[A-Za-z][0-9]{12}(?!\w)")
_AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_ROBOT_SENDERS = frozenset({"mailer-daemon", "postmaster"})


class UnreadableMail(Exception):
    """The file is not mail the desk can take; `reason` says why, for the quarantine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MailLimits:
    message_bytes: int
    header_bytes: int
    attachment_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> MailLimits:
        return cls(
            message_bytes=settings.intake_max_message_bytes,
            header_bytes=settings.intake_max_header_bytes,
            attachment_bytes=settings.intake_max_attachment_bytes,
        )


@dataclass(frozen=True)
class IncomingMail:
    """A customer's mail as the desk takes it. Every string is storable as it is."""

    message_id: str
    # False when the mail had none and message_id was made from its content.
    has_message_id: bool
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: str | None
    sender_name: str | None
    # Why there is no sender address, when there is none.
    sender_problem: str | None
    subject: str
    body: str
    attachments: tuple[IncomingAttachment, ...]
    wmids: tuple[str, ...]
    purses: tuple[str, ...]
    # Why the mail looks machine-sent (an out-of-office reply, a bounce), or None.
    automatic: str | None
    defects: tuple[str, ...]

    @property
    def referenced_ids(self) -> list[str]:
        """The Message-IDs this mail answers, the most direct first."""
        seen: dict[str, None] = {}
        for message_id in (*self.in_reply_to, *reversed(self.references)):
            seen.setdefault(message_id, None)
        return list(seen)


def content_message_id(data: bytes) -> str:
    return f"<{hashlib.sha256(data).hexdigest()}@{CONTENT_ID_DOMAIN}>"


def _automatic(msg: Message, sender: str | None) -> str | None:
    auto_submitted = first_header(msg, "auto-submitted").split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {storable(auto_submitted)[:100]}"
    for name in ("x-autoreply", "x-autorespond"):
        if header_values(msg, name):
            return f"{name.title()} header"
    precedence = first_header(msg, "precedence").strip().lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if msg.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    if sender and sender.partition("@")[0].lower() in _ROBOT_SENDERS:
        return f"sent by {sender}"
    return None


# Parts -----------------------------------------------------------------------------


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw_bytes(raw) if isinstance(raw, str) else b""


def _raw_filename(part: Message) -> str | None:
    for header in ("content-disposition", "content-type"):
        found = _RAW_FILENAME.search(first_header(part, header)[:MAX_HEADER_TEXT])
        if found:
            return found.group(1) or found.group(2)
    return None


def _filename(part: Message) -> str | None:
    """The part's file name: in the charset RFC 2231 declares, else, for raw 8-bit
    bytes, in the part's charset, else in the one they turn out to be."""
    raw = _raw_filename(part)
    if raw is not None and any("\udc80" <= ch <= "\udcff" for ch in raw):
        # The policy would turn each 8-bit byte into U+FFFD.
        name = raw
    else:
        try:
            name = part.get_filename()
        except Exception:
            name = None
        # Encoded words straight in a parameter (name==?koi8-r?B?...?=) defeat the
        # policy's parameter parser; mailers send them all the same.
        name = name or raw
    if not name:
        return None
    return decode_header_text(str(name), _charset(part)) or None


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _alternative(children: list[Message]) -> Message | None:
    """The alternative a reader should see: plain text, else a structure, else HTML."""

    def preference(child: Message) -> int:
        kind = child.get_content_type()
        if kind == "text/plain" and _payload_bytes(child).strip():
            return 0
        if child.is_multipart():
            return 1
        return 2 if kind == "text/html" else 3

    return min(children, key=preference, default=None)


class _Walk:
    """Collects the body text and the attachments of a parsed mail."""

    def __init__(self, limits: MailLimits) -> None:
        self.limits = limits
        self.texts: list[str] = []
        self.attachments: list[IncomingAttachment] = []
        self.parts = 0
        self.skipped = 0

    def visit(self, part: Message) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            self.skipped += 1
            return
        kind = part.get_content_type()
        if kind == "message/rfc822" and part.is_multipart():
            self._attach_forwarded(part.get_payload(0))
        elif part.is_multipart():
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            if kind == "multipart/alternative":
                chosen = _alternative(children)
                children = [chosen] if chosen is not None else []
            for child in children:
                self.visit(child)
        elif part.get_content_maintype() in ("multipart", "message"):
            # A multipart whose boundary never turns up, or a forwarded mail the
            # parser could not split: its raw text is the best reading there is.
            self._text(part, "text/plain")
        elif kind in ("text/plain", "text/html") and not self._is_attachment(part):
            self._text(part, kind)
        else:
            filename = _filename(part) or f"attachment-{len(self.attachments) + 1}"
            self.attach(filename, kind, _payload_bytes(part))

    @staticmethod
    def _is_attachment(part: Message) -> bool:
        return _disposition(part) == "attachment" or _filename(part) is not None

    def _text(self, part: Message, kind: str) -> None:
        text = decode_text(_payload_bytes(part), _charset(part))
        if kind == "text/html":
            text = html_to_text(text)
        else:
            text, files = split_uuencoded(text.replace("\r\n", "\n").replace("\r", "\n"))
            for name, data in files:
                filename = decode_header_text(name) or f"attachment-{len(self.attachments) + 1}"
                self.attach(filename, guess_type(filename), data)
        text = storable(visible(text)).strip()
        if text:
            self.texts.append(text)

    def _attach_forwarded(self, inner: Message) -> None:
        subject = decode_header_text(first_header(inner, "subject"), _charset(inner))
        subject = subject or "forwarded"
        self.attach(f"{subject[:100]}.eml", "message/rfc822", _message_bytes(inner))

    def attach(self, filename: str, kind: str, data: bytes) -> None:
        """Kept as it is, or, over the size limit, recorded as refused without its bytes."""
        limit = self.limits.attachment_bytes
        if len(data) > limit:
            attachment = IncomingAttachment(
                filename=filename,
                content_type=kind,
                data=b"",
                refused_reason=f"{len(data)} bytes is over the {limit}-byte attachment limit",
                declared_size=len(data),
            )
        else:
            attachment = IncomingAttachment(filename=filename, content_type=kind, data=data)
        self.attachments.append(attachment)


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes(policy=policy.compat32)
    except Exception:
        return raw_bytes(str(message.get_payload()))


def _defects(msg: Message) -> tuple[str, ...]:
    names = {type(defect).__name__ for part in msg.walk() for defect in part.defects}
    return tuple(sorted(names))


def _body(walk: _Walk) -> str:
    """The text for the thread; a text too long for one message is cut there and
    attached whole (so nothing the customer wrote is lost)."""
    body = "\n\n".join(walk.texts) or NO_TEXT
    if walk.skipped:
        body += f"\n\n[{walk.skipped} more MIME parts were not read: over {MAX_PARTS}]"
    if len(body) <= validation.MAX_BODY:
        return body
    note = (
        f"\n\n[The text is {len(body)} characters; the first part is shown here and "
        "the whole text is attached as message.txt.]"
    )
    walk.attach("message.txt", "text/plain", body.encode("utf-8"))
    return body[: validation.MAX_BODY - len(note)] + note


def _subject(msg: Message) -> str:
    subject = decode_header_text(first_header(msg, "subject"), _charset(msg))
    if len(subject) > validation.MAX_SUBJECT:
        subject = subject[: validation.MAX_SUBJECT - 1] + "…"
    return subject or NO_SUBJECT


def _identifiers(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    found = dict.fromkeys(match.upper() for match in pattern.findall(text))
    return tuple(found)[:MAX_IDENTIFIERS]


def _check_sizes(data: bytes, limits: MailLimits) -> None:
    if not data.strip():
        raise UnreadableMail("the file is empty")
    if len(data) > limits.message_bytes:
        raise UnreadableMail(
            f"{len(data)} bytes is over the {limits.message_bytes}-byte message limit"
        )
    header_end = _HEADER_END.search(data, 0, limits.header_bytes + 4)
    if header_end is None and len(data) > limits.header_bytes:
        raise UnreadableMail(f"the header section is over the {limits.header_bytes}-byte limit")
    for header in _MIME_HEADER.finditer(data):
        if len(header.group(0)) > MAX_MIME_HEADER:
            name = header.group(0).split(b":", 1)[0].decode("ascii", "replace")
            raise UnreadableMail(
                f"a {name} header of {len(header.group(0))} bytes (the limit is "
                f"{MAX_MIME_HEADER}): the MIME parser is quadratic in header length"
            )


def read_mail(data: bytes, limits: MailLimits) -> IncomingMail:
    """What the desk keeps of the mail in `data`; UnreadableMail when there is nothing
    it can take."""
    _check_sizes(data, limits)
    mended, mended_defects = mend_header_block(data)
    try:
        msg: EmailMessage = BytesParser(policy=MAIL_POLICY).parsebytes(mended)
    except Exception as error:
        raise UnreadableMail(
            f"the mail cannot be parsed: {type(error).__name__}: {error}"
        ) from None
    if not msg.keys():
        raise UnreadableMail("no mail headers: this is not a mail message")
    address, name, sender_problem = sender(msg, _charset(msg))
    walk = _Walk(limits)
    walk.visit(msg)
    body = _body(walk)
    subject = _subject(msg)
    own_id = own_message_id(msg)
    searched = f"{subject}\n{body}"
    return IncomingMail(
        message_id=own_id or content_message_id(data),
        has_message_id=own_id is not None,
        in_reply_to=message_ids(header_values(msg, "in-reply-to")),
        references=message_ids(header_values(msg, "references"), newest_last=True),
        sender=address,
        sender_name=name,
        sender_problem=sender_problem,
        subject=subject,
        body=body,
        attachments=tuple(walk.attachments),
        wmids=_identifiers(_WMID, searched),
        purses=_identifiers(_PURSE, searched),
        automatic=_automatic(msg, address),
        defects=tuple(sorted({*_defects(msg), *mended_defects})),
    )
