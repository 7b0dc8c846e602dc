"""Customer text on its way to a terminal: nothing in it can drive the terminal."""

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from console.untrusted import json_safe, one_line, visible

DANGEROUS = (
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\n"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\ufeff",
        "\u2028",
        "\u2029",
        "\U000e0041",
        "\u00ad",
    ]
)
hostile_text = st.lists(
    st.one_of(
        st.sampled_from(DANGEROUS),
        st.sampled_from(["[bold]", "[/", "[@click=app.quit]", "\x1b[2J", "\x1b]52;c;", "\x9b"]),
        st.characters(),
    ),
    max_size=40,
).map("".join)


def _terminal_safe(text: str, *, newlines: bool) -> bool:
    for char in text:
        if char == "\n" and newlines:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char != "\n":
            return False
    return True


@given(hostile_text)
def test_visible_text_carries_no_control_format_or_bidi_characters(text):
    assert _terminal_safe(visible(text), newlines=True)
    assert _terminal_safe(one_line(text), newlines=False)
    assert "\n" not in one_line(text)


@given(hostile_text)
def test_nothing_is_dropped_silently(text):
    shown = visible(text)
    for char in text:
        if char in DANGEROUS and char not in "\t\r":
            assert f"⟨U+{ord(char):04X}⟩" in shown


def test_examples_read_as_a_person_would_expect():
    assert visible("a\r\nb\rc") == "a\nb\nc"
    assert visible("\x1b[31mred") == "⟨U+001B⟩[31mred"
    assert one_line("two\nlines\ttab") == "two lines    tab"
    assert visible("Refund \u202egpj.exe") == "Refund ⟨U+202E⟩gpj.exe"
    assert visible(None) == ""


@given(hostile_text)
def test_json_stays_the_same_json(text):
    dumped = json.dumps({"subject": text}, ensure_ascii=False)
    safe = json_safe(dumped)
    assert json.loads(safe) == {"subject": text}
    assert all(ord(c) not in range(0x7F, 0xA0) and c not in "\u202e\u200b" for c in safe)
