"""What a command is given, checked where it comes in, in one place.

- A text from `--file` (or `-`, stdin) is read up to its limit and one byte
  more, never further: `/dev/zero` or a 50 GB file is refused after reading a
  megabyte, not when the machine runs out of memory.
- It must be UTF-8 without NUL, on both backends alike (PostgreSQL refuses a
  NUL that SQLite would store): a refusal says what and where.
- Every text argument (`--text`, `--search`, `--subject`, ...) obeys the same
  rule. Python turns bytes of an argument that are not UTF-8 into lone
  surrogates, which no database takes: they are refused before anything runs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import click

from console.errors import InvalidInput
from console.failures import Explained, Failure, as_failure

# A character is at most 4 bytes of UTF-8: a text of N characters fits in 4N.
_UTF8_MAX_BYTES = 4
# The longest text a command takes from a file (the body of a reply, a ticket, a
# template), in characters: the domain's own limit (console/rules/validation.py).
MAX_TEXT_CHARS = 200_000


def read_text(file: Path | None, text: str | None, what: str) -> str:
    """The body of a message from exactly one of --file (a path, '-' for stdin)
    or --text, checked: at most MAX_TEXT_CHARS characters of UTF-8 without NUL."""
    from console.rules.validation import storable

    if (file is None) == (text is None):
        raise click.UsageError(f"give the {what} with exactly one of --file or --text")
    if text is not None:
        return storable(text, f"the {what}'s text")
    if str(file) == "-":
        data = read_at_most(sys.stdin.buffer, MAX_TEXT_CHARS * _UTF8_MAX_BYTES, f"the {what}")
    else:
        try:
            with file.open("rb") as opened:
                data = read_at_most(opened, MAX_TEXT_CHARS * _UTF8_MAX_BYTES, f"the {what}")
        except OSError as error:
            raise click.BadParameter(f"cannot read {file}: {error.strerror or error}") from None
    return storable(decode_utf8(data, f"the {what}'s text"), f"the {what}'s text")


def read_at_most(stream: BinaryIO, limit: int, what: str) -> bytes:
    """Up to `limit` bytes; refused when there is more (one byte more is read to know)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            f"{what} is longer than {limit:,} bytes (at most {MAX_TEXT_CHARS:,} "
            "characters): shorten it and try again"
        )
    return data


def decode_utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        characters = len(data[: error.start].decode("utf-8"))
        raise InvalidInput(
            f"{what} is not valid UTF-8 at character {characters + 1:,} "
            f"(the byte 0x{data[error.start]:02X}): give it as UTF-8 text"
        ) from None


def check_arguments(ctx: click.Context) -> None:
    """Every text a command was given on its command line, by the same rule as
    its files; paths are paths, not text, and go as they are."""
    from console.rules.validation import storable

    for param in ctx.command.params:
        if isinstance(param.type, click.Path) or param.name not in ctx.params:
            continue
        value = ctx.params[param.name]
        values = value if isinstance(value, tuple) else (value,)
        for one in values:
            if isinstance(one, str):
                storable(one, _named(param))


def _named(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return (param.human_readable_name or "an argument").upper()


def typed(file: Path | None) -> bool:
    """Whether the text came from stdin: nowhere else has it if it is lost."""
    return file is not None and str(file) == "-"


@contextmanager
def kept_as_draft(
    desk: Any, number: int, body: str, *, login: str, kind: str, version: int | None
) -> Iterator[None]:
    """Text typed on stdin that the database could not take (unreachable, its
    disk full) is kept as the person's draft on the ticket, on this host
    (console/local_drafts.py): the console's editor opens it. The failure then
    says where it is."""
    try:
        yield
    except Exception as error:
        failure = as_failure(error)
        if failure is None or isinstance(error, Failure):
            raise
        from console.local_drafts import LocalDrafts

        # Without --version, the version it was written on is not known: every
        # change on the ticket is shown before the draft is sent.
        drafts = LocalDrafts.for_desk(desk, login)
        path = drafts.keep(number, body, kind, ticket_version=version or 0)
        kept = (
            f"{failure.message}; the text you typed is kept as your {kind} draft on "
            f"ticket {number} ({path}), which the console's editor opens"
        )
        raise Failure(Explained(failure.trouble, kept)) from error
