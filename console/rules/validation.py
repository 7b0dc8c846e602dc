"""Customer identities as the payment system defines them (DESIGN.md section 2)."""

from __future__ import annotations

import re

from console.errors import InvalidInput
from console.untrusted import one_line
from models import Language, Service, Status

# ASCII digits only: \d would take every script's digits (full-width ３, Arabic-Indic ٣).
WMID_PATTERN = re.compile(r"[0-9]{12}")
PURSE_PATTERN = re.compile(r"[A-Z][0-9]{12}")
# Deliberately modest: one @, a dot in the domain, no spaces or angle brackets.
# Deliverability is for the mail server to judge; this catches typos and junk.
EMAIL_PATTERN = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]{2,}")
LOGIN_PATTERN = re.compile(r"[a-z][a-z0-9._-]{1,63}")
PHONE_PATTERN = re.compile(r"\+[1-9]\d{7,14}")

MAX_SUBJECT = 500
MAX_CUSTOMER_NAME = 200
MAX_BODY = 200_000
# A search is a conjunction of words: past a few dozen it says nothing more, and
# SQLite's expression tree has a depth limit (1,000) a long one would hit.
MAX_SEARCH_WORDS = 50
MAX_SEARCH_CHARS = 1_000
# What no database should be given, and PostgreSQL refuses: NUL, and the lone
# surrogates Python makes of bytes that are not UTF-8 (in arguments, say).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def storable(value: str, what: str) -> str:
    """Text as every backend takes it, the same rule on both: valid UTF-8 (no
    lone surrogate) and no NUL. The refusal says what and where, e.g. "the
    reply's text has a NUL byte at character 1,204"."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return value
    where = f"at character {found.start() + 1:,}"
    char = found.group(0)
    if char == "\x00":
        raise InvalidInput(f"{what} has a NUL byte {where}: remove it and try again")
    code = ord(char)
    # Python keeps an undecodable byte B as the surrogate U+DC00+B.
    byte = f" (the byte 0x{code - 0xDC00:02X})" if 0xDC80 <= code <= 0xDCFF else ""
    raise InvalidInput(f"{what} is not valid UTF-8 {where}{byte}: give it as UTF-8 text")


def wmid(value: str) -> str:
    cleaned = value.strip()
    if not WMID_PATTERN.fullmatch(cleaned):
        raise InvalidInput(f"a WMID is 12 digits 0-9, like 123456789012; got {_shown(value)}")
    return cleaned


def purse(value: str) -> str:
    cleaned = value.strip()
    # The check is on ASCII: upper() makes a purse letter of some others (ı -> I).
    if not (cleaned.isascii() and PURSE_PATTERN.fullmatch(cleaned.upper())):
        raise InvalidInput(
            f"a purse is one letter A-Z and 12 digits 0-9, like Z157156762925; got {_shown(value)}"
        )
    return cleaned.upper()


def phone(value: str) -> str:
    """A telephone number as the hotline's caller ID shows it, kept as E.164: a
    plus and 8 to 15 digits (+74957274333); spaces, dashes, dots and brackets
    are only how people write it. A leading 8 of a Russian number is +7."""
    cleaned = re.sub(r"[\s().-]", "", value.strip())
    if re.fullmatch(r"8\d{10}", cleaned):
        cleaned = "+7" + cleaned[1:]
    if not PHONE_PATTERN.fullmatch(cleaned):
        raise InvalidInput(
            f"a phone number is + and the country code, like +7 495 727-43-33; got {_shown(value)}"
        )
    return cleaned


def email(value: str) -> str:
    cleaned = storable(value, "the e-mail address").strip()
    if len(cleaned) > 320 or not EMAIL_PATTERN.fullmatch(cleaned):
        raise InvalidInput(f"e-mail must look like name@example.com; got {_shown(value)}")
    local, _, domain = cleaned.rpartition("@")
    return f"{local}@{domain.lower()}"


def login(value: str) -> str:
    cleaned = value.strip()
    if not LOGIN_PATTERN.fullmatch(cleaned):
        raise InvalidInput(
            "a login is 2-64 lower-case letters, digits, '.', '_' or '-', "
            f"starting with a letter; got {_shown(value)}"
        )
    return cleaned


def service(value: str) -> Service:
    try:
        return Service(value.strip().lower())
    except ValueError:
        names = ", ".join(s.value for s in Service)
        raise InvalidInput(f"unknown service {_shown(value)}: one of {names}") from None


def status(value: str) -> Status:
    try:
        return Status(value.strip().lower())
    except ValueError:
        names = ", ".join(s.value for s in Status)
        raise InvalidInput(f"unknown status {_shown(value)}: one of {names}") from None


def one_line_text(value: str, what: str) -> str:
    """A line a customer or a script gave (a subject, a name): one line, its
    control, bidi and invisible characters stored as the visible placeholders
    the intake stores (console.untrusted), spaces collapsed."""
    return " ".join(one_line(storable(value, what)).split())


def subject(value: str) -> str:
    cleaned = one_line_text(value, "the subject")
    if not cleaned:
        raise InvalidInput("the subject is empty")
    if len(cleaned) > MAX_SUBJECT:
        raise InvalidInput(f"the subject is {len(cleaned)} characters; at most {MAX_SUBJECT}")
    return cleaned


def customer_name(value: str | None) -> str | None:
    """One line (a name with a line break in it would break every header and list
    it appears in), or None when there is nothing but spaces."""
    cleaned = one_line_text(value or "", "the customer's name")
    if len(cleaned) > MAX_CUSTOMER_NAME:
        raise InvalidInput(
            f"the customer's name is {len(cleaned)} characters; at most {MAX_CUSTOMER_NAME}"
        )
    return cleaned or None


def body(value: str, what: str = "message") -> str:
    storable(value, f"the {what}'s text")
    if not value.strip():
        raise InvalidInput(f"the {what} is empty")
    if len(value) > MAX_BODY:
        raise InvalidInput(f"the {what} is {len(value)} characters; at most {MAX_BODY}")
    return value


def reason(value: str | None, what: str) -> str:
    cleaned = storable(value or "", f"the reason for {what}").strip()
    if not cleaned:
        raise InvalidInput(f"{what} needs a reason")
    return cleaned


def language(value: str) -> Language:
    try:
        return Language(value.strip().lower())
    except ValueError:
        names = ", ".join(lang.value for lang in Language)
        raise InvalidInput(f"unknown language {_shown(value)}: one of {names}") from None


MAX_TEMPLATE_TITLE = 200
MAX_MARKER_PATTERN = 500


def template_title(value: str, what: str = "template") -> str:
    """The title of a template or a macro: what operators pick it by."""
    cleaned = " ".join(storable(value, "the title").split())
    if not cleaned:
        raise InvalidInput(f"a {what} needs a title")
    if len(cleaned) > MAX_TEMPLATE_TITLE:
        raise InvalidInput(f"the title is {len(cleaned)} characters; at most {MAX_TEMPLATE_TITLE}")
    return cleaned


def marker_pattern(value: str, *, is_regex: bool) -> str:
    """A scam marker's pattern: intake matches it against every mail, so a
    regular expression must compile, and an empty one would match everything."""
    cleaned = storable(value, "the pattern").strip()
    if not cleaned:
        raise InvalidInput("a scam marker needs a pattern")
    if len(cleaned) > MAX_MARKER_PATTERN:
        raise InvalidInput(
            f"the pattern is {len(cleaned)} characters; at most {MAX_MARKER_PATTERN}"
        )
    if is_regex:
        # Here only: importing regex costs the console's first paint 15 ms.
        import regex

        try:
            compiled = regex.compile(cleaned)
        except regex.error as error:
            raise InvalidInput(f"the pattern is not a valid regular expression: {error}") from None
        if compiled.search(""):
            raise InvalidInput(
                f"the regular expression {_shown(cleaned)} matches empty text, "
                "so it would flag every mail"
            )
    return cleaned


def search(value: str) -> str:
    """What a search may be: storable, and short enough to mean something."""
    storable(value, "the search")
    words = len(value.split())
    if words > MAX_SEARCH_WORDS or len(value) > MAX_SEARCH_CHARS:
        raise InvalidInput(
            f"a search takes at most {MAX_SEARCH_WORDS} words and {MAX_SEARCH_CHARS:,} "
            f"characters, and this one has {words:,} words and {len(value):,} characters: "
            "search for fewer, more telling words"
        )
    return value
