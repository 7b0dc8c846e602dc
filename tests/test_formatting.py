"""Text cut to a column, as a terminal draws it: by cells, not characters. A CJK
character or an emoji takes two cells, a combining mark none; the CLI's queue
and the screens' columns use the same clip."""

from __future__ import annotations

import unicodedata

import pytest
from rich.cells import cell_len

from console.formatting import clip, fit, queue_table
from console.rules.sla import SlaPolicy
from tests.support.desk import WEDNESDAY_10AM, queue_row

NOW = WEDNESDAY_10AM
CJK = "付款未到账请尽快处理谢谢您的帮助我们等待回复"
EMOJI = "😀💸🙏" * 8
# "é" written as e plus a combining acute accent: two characters, one cell.
COMBINING = unicodedata.normalize("NFD", "réclamation déposée")


@pytest.mark.parametrize("text", [CJK, EMOJI, "ascii text that runs on and on"])
@pytest.mark.parametrize("width", [1, 2, 5, 10, 11])
def test_clip_never_takes_more_cells_than_asked(text, width):
    clipped = clip(text, width)
    assert cell_len(clipped) <= width
    assert clipped.endswith("…")
    assert cell_len(fit(text, width)) == width


def test_a_wide_text_is_cut_at_its_cells():
    assert clip(CJK, 10) == "付款未到 …"
    assert clip(EMOJI, 7) == "😀💸🙏…"


def test_combining_marks_take_no_room():
    assert len(COMBINING) > cell_len(COMBINING) == 19
    assert clip(COMBINING, 19) == COMBINING
    assert fit(COMBINING, 20, align_right=True) == " " + COMBINING


def test_a_text_that_fits_is_left_alone():
    assert clip("short", 10) == "short"
    assert fit("short", 8) == "short   "
    assert fit("12", 5, align_right=True) == "   12"


def test_the_cli_queue_keeps_its_columns_with_wide_text():
    """An 88-cell CJK subject in the 60-cell SUBJECT column, an emoji login in the
    10-cell ASSIGNEE column: every line as wide as its columns allow, the subject
    where the header says."""
    rows = [
        queue_row(subject=CJK * 2, assignee="😀" * 8),
        queue_row(subject="plain", assignee="olga"),
    ]
    header, wide, plain = queue_table(rows, SlaPolicy(), NOW).splitlines()
    subject_at = header.index("SUBJECT")
    assert cell_len(plain[:subject_at]) == subject_at
    assert cell_len(wide) <= subject_at + 60
    assert wide.endswith("…")
    before_subject = wide[: len(wide) - len(clip(CJK * 2, 60))]
    assert cell_len(before_subject) == subject_at
