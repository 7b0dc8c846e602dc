"""Customer text on its way to a terminal.

Everything a customer wrote passes through `visible()` before it is shown — in
the console, in the CLI's tables and in JSON — so it is seen literally and can
never drive the terminal: ESC (and with it CSI cursor moves, OSC 52 clipboard
writes, OSC 8 links), other C0 and C1 controls, bidi overrides and zero-width
characters become visible placeholders such as ⟨U+202E⟩. The raw text stays
in the database. Markup is a separate matter: screens build Text/Content from
the cleaned string, never parse it as markup.
"""

from __future__ import annotations

import re

# Bidi embeddings, overrides and isolates; zero-width and invisible formatting
# characters; the BOM; line and paragraph separators; interlinear annotations;
# the invisible tag characters used to smuggle text past a reader.
_INVISIBLE = (
    "\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\u3164\ufeff\ufff9-\ufffb\uffa0\U000e0000-\U000e007f"
)
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_INVISIBLE}]")


def _placeholder(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "\t":
        return "    "
    if char in "\r\n":
        return " "
    return f"⟨U+{ord(char):04X}⟩"


def visible(text: str | None, *, multiline: bool = True) -> str:
    """`text` with every control, bidi and invisible character made visible.
    Newlines survive in multi-line text; CR LF and lone CR become newlines."""
    if not text:
        return ""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        return _UNSAFE_MULTILINE.sub(_placeholder, text)
    return _UNSAFE_ONE_LINE.sub(_placeholder, text)


def one_line(text: str | None) -> str:
    """For table cells and titles: also newlines and tabs become spaces."""
    return visible(text, multiline=False)


def json_safe(dumped: str) -> str:
    """Escape, as \\uXXXX, characters that are valid in JSON strings but not fit
    for a terminal: the JSON means exactly the same."""
    return _JSON_UNSAFE.sub(_json_escape, dumped)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
