"""Mail headers as real clients write them, made fit for the standard library's
parser, and the values the desk reads decoded.

Shapes `email` gets wrong, handled here before or while it parses:
- obsolete syntax, a space before the colon (`From  : John`, RFC 5322 4.5),
  which the parser takes for an mbox "From " line and then stops reading;
- a stray line that is no header inside the header block, which ends the
  parser's headers there (so `From:` below it is "missing");
- in every part's Content-Type and Content-Disposition: a parameter without
  the `;` before it (`multipart/mixed boundary="b"`), and unquoted values that
  a MIME token cannot hold (`boundary=----=_NextPart_...`, cut at the `=`;
  `name=This is a test.txt`, cut at the space): they are quoted.

Header text is decoded from the bytes (console.mail.text.decode_text): RFC 2047
encoded words in their own charset, raw 8-bit bytes inside them too, and raw
8-bit text around them in the part's charset, else a guess. Control, bidi and
zero-width characters become the placeholders the screens show
(console.untrusted), so that what is stored is what an operator reads.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterable
from email.headerregistry import HeaderRegistry
from email.message import Message
from email.policy import EmailPolicy
from email.utils import getaddresses

from console.errors import InvalidInput
from console.mail.text import decode_text, storable
from console.rules import validation
from console.untrusted import one_line

# What is read of a header the desk looks at; longer ones are cut before decoding.
MAX_HEADER_TEXT = 8 * 1024
MAX_REFERENCES = 50
MAX_NAME = validation.MAX_CUSTOMER_NAME
# Defects of our own, beside the parser's, for the ticket's audit.
OBSOLETE_HEADER_SYNTAX = "ObsoleteHeaderSyntaxDefect"
STRAY_HEADER_LINE = "NonHeaderLineInHeaderBlockDefect"

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"[!-9;-~]+:")
_OBSOLETE_FIELD = re.compile(rb"([!-9;-~]+)[ \t]+:")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
_BARE_MESSAGE_ID = re.compile(r"[!-;=?-~]{1,500}@[!-;=?-~]{1,480}")
_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"@]+@[^\s<>()\[\],;:\"@]+")
_PARAMETERISED = frozenset({"content-type", "content-disposition"})
_TOKEN = r"[\w!#$%&'*+.^`|~-]+"
_PARAMETER_WITHOUT_SEMICOLON = re.compile(rf"^(\s*{_TOKEN}(?:/{_TOKEN})?)(\s+)(?={_TOKEN}\s*=)")
_UNQUOTED_VALUE = re.compile(r"(?i)(;\s*(?:boundary|name|filename)\s*=[ \t]*)([^\s\";][^;\r\n]*)")
_NOT_A_TOKEN = re.compile(r"[()<>@,;:\\\"/\[\]?=\s]")


# The header block -------------------------------------------------------------------


def _mended_line(index: int, line: bytes, following: bytes | None) -> bytes | None:
    """The line as the parser should see it; None to leave it out; b"" at the end
    of the headers."""
    obsolete = _OBSOLETE_FIELD.match(line)
    if obsolete:
        return obsolete.group(1) + b":" + line[obsolete.end() :]
    if _FIELD.match(line) or line[:1] in (b" ", b"\t") or (index == 0 and line[:5] == b"From "):
        return line
    if following is not None and (_FIELD.match(following) or _OBSOLETE_FIELD.match(following)):
        return None
    # The body begins here, without the blank line before it.
    return b""


def mend_header_block(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """`data` with its header block fit for the parser, and what was mended."""
    end = _HEADER_END.search(data)
    block = data[: end.start()] if end else data
    lines = block.split(b"\n")
    mended: list[bytes] = []
    defects: set[str] = set()
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        kept = _mended_line(index, line, following)
        if kept == b"":
            mended.extend(lines[index:])
            break
        if kept is None:
            defects.add(STRAY_HEADER_LINE)
        elif kept is not line:
            defects.add(OBSOLETE_HEADER_SYNTAX)
            mended.append(kept)
        else:
            mended.append(line)
    if not defects:
        return data, ()
    return b"\n".join(mended) + data[len(block) :], tuple(sorted(defects))


def _quoted(match: re.Match[str]) -> str:
    prefix, value = match.group(1), match.group(2).rstrip()
    if value.startswith("=?") or not _NOT_A_TOKEN.search(value):
        return match.group(0)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{prefix}"{escaped}"'


def mend_parameters(value: str) -> str:
    """A Content-Type or Content-Disposition value with the `;` a parameter lacks
    put in, and boundaries and file names that are no MIME token quoted."""
    value = _PARAMETER_WITHOUT_SEMICOLON.sub(r"\1;\2", value, count=1)
    return _UNQUOTED_VALUE.sub(_quoted, value)


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


class _MailPolicy(EmailPolicy):
    """policy.default, with every part's MIME parameters mended as they are read."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        if name.lower() in _PARAMETERISED:
            value = mend_parameters(value)
        return name, value


# The modern policy the design asks for, with the remembering registry.
MAIL_POLICY = _MailPolicy(header_factory=_RememberingHeaders())


# Header text -------------------------------------------------------------------------


def raw_bytes(value: str) -> bytes:
    """A value as it was on the wire (the parser keeps 8-bit bytes as surrogates)."""
    return value.encode("utf-8", "surrogateescape")


def _decode_word(word: re.Match[bytes]) -> str:
    charset, encoding, text = word.groups()
    label = charset.decode("ascii", "replace").split("*", 1)[0]  # RFC 2231: utf-8*ru
    try:
        if encoding in b"bB":
            data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
        else:
            # Raw 8-bit bytes inside a Q word are meant in the word's charset.
            data = quopri.decodestring(text.replace(b"_", b" "))
    except (binascii.Error, ValueError):
        # Left as written: a reader can still make something of it.
        return decode_text(word.group(0), label)
    return decode_text(data, label)


def decode_header_text(value: str, charset: str | None = None) -> str:
    """A header's text on one line: RFC 2047 encoded words decoded in their
    charset; raw 8-bit text in `charset` (the part's), else in the charset it
    turns out to be; control characters shown as placeholders."""
    data = raw_bytes(value[:MAX_HEADER_TEXT])
    pieces: list[str] = []
    position = 0
    for word in _ENCODED_WORD.finditer(data):
        between = data[position : word.start()]
        # Space between two encoded words is folding, not text (RFC 2047 6.2).
        if not (pieces and position and between.isspace()):
            pieces.append(decode_text(between, charset))
        pieces.append(_decode_word(word))
        position = word.end()
    pieces.append(decode_text(data[position:], charset))
    return storable(" ".join(one_line("".join(pieces)).split()))


def header_values(msg: Message, name: str) -> list[str]:
    return [value for key, value in msg.raw_items() if key.lower() == name]


def first_header(msg: Message, name: str) -> str:
    values = header_values(msg, name)
    return values[0] if values else ""


def message_ids(values: Iterable[str], *, newest_last: bool = False) -> tuple[str, ...]:
    text = " ".join(values)
    if len(text) > MAX_HEADER_TEXT:
        text = text[-MAX_HEADER_TEXT:] if newest_last else text[:MAX_HEADER_TEXT]
    found = [storable(match) for match in _MESSAGE_ID.findall(text)]
    return tuple(found[-MAX_REFERENCES:] if newest_last else found[:MAX_REFERENCES])


def own_message_id(msg: Message) -> str | None:
    raw = first_header(msg, "message-id")[:MAX_HEADER_TEXT]
    found = _MESSAGE_ID.search(raw)
    if found:
        return storable(found.group(0))
    bare = raw.strip()
    # Some mailers leave out the angle brackets.
    if _BARE_MESSAGE_ID.fullmatch(bare):
        return f"<{bare}>"
    return None


def _usable(address: str) -> str | None:
    try:
        return validation.email(storable(address))
    except InvalidInput:
        return None


def sender(msg: Message, charset: str | None) -> tuple[str | None, str | None, str | None]:
    """The From: address and name, or None and why there is no usable address."""
    raw = first_header(msg, "from")[:MAX_HEADER_TEXT]
    if not raw.strip():
        return None, None, "no From: header"
    text = raw
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_text(raw_bytes(text), charset)
    try:
        candidates = getaddresses([text])
    except Exception:
        candidates = []
    for name, address in candidates:
        if "@" not in address:
            continue
        cleaned = _usable(address)
        if cleaned is not None:
            return cleaned, decode_header_text(name, charset)[:MAX_NAME] or None, None
        # `From: a@x.com b@x.com` parses as "@x.com": the first address written counts.
        written = next(filter(None, map(_usable, _ADDRESS.findall(text))), None)
        if written is not None:
            return written, None, None
        return None, None, f"unusable From: address {storable(address)[:200]!r}"
    return None, None, f"no address in From: {decode_header_text(raw, charset)[:200]!r}"
