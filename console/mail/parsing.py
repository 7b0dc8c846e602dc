"""One mail file, as real mail comes, turned into what the desk keeps of it.

The structure is parsed by the standard library (`BytesParser` with
`policy.default`), after two size checks that protect it: the whole file
against `intake_max_message_bytes`, and the header section and every MIME
part's Content-* header against fixed caps, because the header parser is
quadratic in a header's length (measured: a 37 KB Content-Type with many
parameters takes a second, 150 KB takes five). The headers the desk reads
(From, Subject, the Message-IDs) are decoded here rather than by the policy:
RFC 2047 encoded words in any charset, raw 8-bit bytes in any charset, and
mislabelled charsets all go through console.mail.text.decode_text, and no
header is read beyond MAX_HEADER_TEXT characters.

The body is the text/plain alternative where there is one, else the HTML
converted to readable text; every other part is an attachment (over the size
limit it is recorded as refused, with the reason). The parser's defects are
kept. Mail that cannot be read at all raises UnreadableMail with a reason for
the quarantine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import quopri
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

from console.errors import InvalidInput
from console.mail.attachments import IncomingAttachment
from console.mail.text import decode_text, html_to_text
from console.rules import validation
from console.settings import Settings

# What is read of a header the desk looks at; longer ones are cut before decoding.
MAX_HEADER_TEXT = 8 * 1024
# A Content-* header longer than this, anywhere in the mail, is refused unparsed.
MAX_MIME_HEADER = 16 * 1024
MAX_PARTS = 500
MAX_NAME = validation.MAX_CUSTOMER_NAME
MAX_REFERENCES = 50
MAX_IDENTIFIERS = 20
NO_SUBJECT = "(no subject)"
NO_TEXT = "(the mail has no text)"
# Mail without a Message-ID gets one made from its content, so that taking the
# same file twice (a crash before it left new/) is still recognised.
CONTENT_ID_DOMAIN = "content-hash.wm-console.invalid"

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MIME_HEADER = re.compile(rb"(?im)^content-[a-z0-9-]*[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)")
_RAW_FILENAME = re.compile(r"""(?i)\b(?:file)?name\*?\s*=\s*(?:"([^"]*)"|([^\s;]+))""")
_WMID = re.compile(r"(?<![\w+])\d{12}(?!\w)")
_PURSE = re.compile(r"(?<!\w)[A-Za-z]\d{12}(?!\w)")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_ROBOT_SENDERS = frozenset({"mailer-daemon", "postmaster"})


class _RememberingHeaders(HeaderRegistry):
    """policy.default's header registry, remembering what it made. The parser and
    the walk ask each part for its Content-Type a dozen times, and the registry
    builds a new class and re-parses the value every time; most mails share a
    handful of values ("text/plain; charset=utf-8"). Header objects are
    immutable, so handing out the same one again is safe. Long values are not
    kept: they are rare, and the cache stays small."""

    _KEPT_VALUE = 300
    _KEPT_ENTRIES = 2048

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._made: dict[tuple[str, str], object] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]

    def __call__(self, name: str, value: str) -> object:
        if len(value) > self._KEPT_VALUE:
            return super().__call__(name, value)
        key = (name, value)
        made = self._made.get(key)
        if made is None:
            if len(self._made) >= self._KEPT_ENTRIES:
                self._made.clear()
            made = self._made[key] = super().__call__(name, value)
        return made


# The modern policy the design asks for, with the remembering registry.
MAIL_POLICY = policy.default.clone(header_factory=_RememberingHeaders())


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


def storable(text: str) -> str:
    """Text any database takes: no NUL (PostgreSQL refuses it), no lone surrogates."""
    return _UNSTORABLE.sub("\ufffd", text)


def content_message_id(data: bytes) -> str:
    return f"<{hashlib.sha256(data).hexdigest()}@{CONTENT_ID_DOMAIN}>"


# Headers ---------------------------------------------------------------------------


def _raw_bytes(value: str) -> bytes:
    """A value as it was on the wire (the parser keeps 8-bit bytes as surrogates)."""
    return value.encode("utf-8", "surrogateescape")


def _decode_word(word: re.Match[str]) -> str:
    charset, encoding, text = word.groups()
    charset = charset.split("*", 1)[0]  # RFC 2231 adds a language: utf-8*ru
    try:
        if encoding in "bB":
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        # Left as written: a reader can still make something of it.
        return word.group(0)
    return decode_text(data, charset)


def decode_header_text(value: str) -> str:
    """A header's text: raw 8-bit bytes and RFC 2047 encoded words decoded, in
    whatever charset they turn out to be, folding and control characters gone."""
    value = value[:MAX_HEADER_TEXT]
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_text(_raw_bytes(value), None)
    value = _BETWEEN_WORDS.sub(r"\1", value)
    value = _ENCODED_WORD.sub(_decode_word, value)
    return storable(" ".join("".join(ch if ch.isprintable() else " " for ch in value).split()))


def _header_values(msg: Message, name: str) -> list[str]:
    return [value for key, value in msg.raw_items() if key.lower() == name]


def _first_header(msg: Message, name: str) -> str:
    values = _header_values(msg, name)
    return values[0] if values else ""


def _message_ids(values: Iterable[str], *, newest_last: bool = False) -> tuple[str, ...]:
    text = " ".join(values)
    if len(text) > MAX_HEADER_TEXT:
        text = text[-MAX_HEADER_TEXT:] if newest_last else text[:MAX_HEADER_TEXT]
    found = [storable(match) for match in _MESSAGE_ID.findall(text)]
    return tuple(found[-MAX_REFERENCES:] if newest_last else found[:MAX_REFERENCES])


def _own_message_id(msg: Message) -> str | None:
    raw = _first_header(msg, "message-id")[:MAX_HEADER_TEXT]
    found = _MESSAGE_ID.search(raw)
    if found:
        return storable(found.group(0))
    bare = raw.strip()
    # Some mailers leave out the angle brackets.
    if bare and len(bare) < 990 and not any(ch.isspace() or ch in "<>" for ch in bare):
        return storable(f"<{bare}>")
    return None


def _sender(msg: Message) -> tuple[str | None, str | None, str | None]:
    """The From: address and name, or None and why there is no usable address."""
    raw = _first_header(msg, "from")[:MAX_HEADER_TEXT]
    if not raw.strip():
        return None, None, "no From: header"
    text = raw
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_text(_raw_bytes(text), None)
    try:
        candidates = getaddresses([text])
    except Exception:
        candidates = []
    for name, address in candidates:
        if "@" not in address:
            continue
        try:
            cleaned = validation.email(storable(address))
        except InvalidInput:
            return None, None, f"unusable From: address {storable(address)[:200]!r}"
        return cleaned, decode_header_text(name)[:MAX_NAME] or None, None
    return None, None, f"no address in From: {decode_header_text(raw)[:200]!r}"


def _automatic(msg: Message, sender: str | None) -> str | None:
    auto_submitted = _first_header(msg, "auto-submitted").split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {storable(auto_submitted)[:100]}"
    for name in ("x-autoreply", "x-autorespond"):
        if _header_values(msg, name):
            return f"{name.title()} header"
    precedence = _first_header(msg, "precedence").strip().lower()
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
    return _raw_bytes(raw) if isinstance(raw, str) else b""


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        # Encoded words straight in a parameter (name==?koi8-r?B?...?=) defeat the
        # policy's parameter parser; mailers send them all the same.
        for header in ("content-disposition", "content-type"):
            found = _RAW_FILENAME.search(_first_header(part, header)[:MAX_HEADER_TEXT])
            if found:
                name = found.group(1) or found.group(2)
                break
    if not name:
        return None
    return decode_header_text(str(name)) or None


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
        text = storable(text.replace("\r\n", "\n").replace("\r", "\n")).strip()
        if text:
            self.texts.append(text)

    def _attach_forwarded(self, inner: Message) -> None:
        subject = decode_header_text(_first_header(inner, "subject")) or "forwarded"
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
        return _raw_bytes(str(message.get_payload()))


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
    subject = decode_header_text(_first_header(msg, "subject"))
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
    try:
        msg: EmailMessage = BytesParser(policy=MAIL_POLICY).parsebytes(data)
    except Exception as error:
        raise UnreadableMail(
            f"the mail cannot be parsed: {type(error).__name__}: {error}"
        ) from None
    if not msg.keys():
        raise UnreadableMail("no mail headers: this is not a mail message")
    sender, sender_name, sender_problem = _sender(msg)
    walk = _Walk(limits)
    walk.visit(msg)
    body = _body(walk)
    subject = _subject(msg)
    own_id = _own_message_id(msg)
    searched = f"{subject}\n{body}"
    return IncomingMail(
        message_id=own_id or content_message_id(data),
        has_message_id=own_id is not None,
        in_reply_to=_message_ids(_header_values(msg, "in-reply-to")),
        references=_message_ids(_header_values(msg, "references"), newest_last=True),
        sender=sender,
        sender_name=sender_name,
        sender_problem=sender_problem,
        subject=subject,
        body=body,
        attachments=tuple(walk.attachments),
        wmids=_identifiers(_WMID, searched),
        purses=_identifiers(_PURSE, searched),
        automatic=_automatic(msg, sender),
        defects=_defects(msg),
    )
