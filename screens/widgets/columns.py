"""Columns fitted to the width there is: every column at its width but one, which
takes what the others leave. The queue's lines and the tables of the dashboard
and the supervisors' lists are laid out by the same rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Column:
    """One column: its title and width in cells (None: the flexible one, or in a
    table one as wide as its widest cell), right-aligned for numbers."""

    name: str
    title: str
    width: int | None = None
    align_right: bool = False


def titled(*titles: str) -> list[Column]:
    """Columns as wide as their cells; a title starting with ">" heads numbers."""
    return [
        Column(title.lstrip(">").lower(), title.lstrip(">"), align_right=title.startswith(">"))
        for title in titles
    ]


def fit_columns(
    columns: Sequence[Column],
    width: int,
    *,
    gap: int,
    edge: int = 0,
    least: int,
    wanted: int = 0,
    drop: Sequence[str] = (),
) -> list[Column]:
    """The columns for a line `width` cells wide, with `gap` cells between two
    columns and `edge` cells kept besides: the one flexible column (width None)
    gets the rest, never less than `least`. While the rest is under `wanted`, the
    columns named in `drop` go, in that order."""
    kept = list(columns)
    for name in (None, *drop):
        if name is not None:
            kept = [column for column in kept if column.name != name]
        fixed = sum(column.width or 0 for column in kept)
        room = width - fixed - gap * (len(kept) - 1) - edge
        if room >= wanted:
            break
    return [
        replace(column, width=max(room, least)) if column.width is None else column
        for column in kept
    ]
