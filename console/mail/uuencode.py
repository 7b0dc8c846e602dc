"""Files pasted into a mail's text the old way: uuencoded between
`begin 644 name` and `end` (mailers before MIME, and some scripts today)."""

from __future__ import annotations

import binascii
import re

_BEGIN = re.compile(r"(?m)^begin [0-7]{3,4} ([^\n]*\S)[ \t]*\n")
_END = re.compile(r"(?m)^end[ \t]*$")
# A line that encodes no bytes: the last one before `end`.
_EMPTY_LINES = frozenset({"`", " "})


def _line_bytes(line: str) -> bytes:
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        # Some encoders pad lines with characters past the length byte's count
        # (the standard library's uu module did the same repair).
        length = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
        return binascii.a2b_uu(line[:length])


def _decoded(block: str) -> bytes | None:
    """The bytes of a uuencoded block, or None when it is not uuencode after all."""
    if not block.isascii():
        return None
    data = bytearray()
    try:
        for line in block.split("\n"):
            line = line.rstrip("\r")
            if line and line not in _EMPTY_LINES:
                data += _line_bytes(line)
    except (binascii.Error, IndexError):
        return None
    return bytes(data)


def split_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The text without its uuencoded files, and the files (name, bytes)."""
    if "begin " not in text:
        return text, []
    segments: list[str] = []
    files: list[tuple[str, bytes]] = []
    position = 0
    while begin := _BEGIN.search(text, position):
        end = _END.search(text, begin.end())
        if end is None:
            break
        data = _decoded(text[begin.end() : end.start()])
        if data is None:
            segments.append(text[position : end.end()])
        else:
            segments.append(text[position : begin.start()])
            files.append((begin.group(1), data))
        position = end.end()
    segments.append(text[position:])
    if not files:
        return text, []
    kept = (segment.strip("\n") for segment in segments)
    return "\n\n".join(segment for segment in kept if segment), files
