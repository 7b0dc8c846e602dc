"""Helpers for the Pilot tests: a console on a test desk, waiting for its work
to finish, and reading what the screen shows (as the terminal would get it)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from textual.app import App
from textual.pilot import Pilot
from textual.strip import Strip

from console.desk import Desk
from console.reads.quick import console_opening
from screens.app import WmConsole
from screens.starting import create_app, quick_console


def console_for(desk: Desk, login: str = "olga", **options) -> WmConsole:
    """A console with no background feed or heartbeat unless asked: the test says
    when the database changed, so nothing moves between steps."""
    return create_app(desk, login, **_quiet(options))


def quick_console_for(desk: Desk, login: str = "olga", **options) -> WmConsole | None:
    """The console as `wmconsole` opens it: painted from the quick path's reads
    while the desk (another handle on the same database) opens behind it."""
    url = str(desk.db.url.render_as_string(hide_password=False))
    opening = console_opening(url, login, now=desk.now())
    if opening is None:
        return None
    return quick_console(url, desk.settings, opening, **_quiet(options))


def _quiet(options: dict) -> dict:
    options.setdefault("live", False)
    options.setdefault("heartbeat", False)
    options.setdefault("cursor_blink", False)
    return options


async def settle(pilot: Pilot, quiet_rounds: int = 2, timeout: float = 30.0) -> None:
    """Until timers (the preview's, the draft's) have fired and the database work
    they start is done: `quiet_rounds` pauses in a row with no thread worker
    running. Only thread workers count: an action waiting on a dialog's answer
    is a worker too, and it waits for the test."""
    deadline = time.monotonic() + timeout

    def busy() -> bool:
        return any(w._thread_worker and not w.is_finished for w in pilot.app.workers)

    quiet = 0
    while quiet < quiet_rounds:
        if time.monotonic() > deadline:
            raise TimeoutError("the console's database work did not finish")
        was_busy = busy()
        await pilot.pause(0.15)
        while busy():
            was_busy = True
            if time.monotonic() > deadline:
                raise TimeoutError("the console's database work did not finish")
            await pilot.pause(0.02)
        await pilot.pause()
        quiet = 0 if was_busy else quiet + 1


def strips(app: App) -> Iterator[Strip]:
    yield from app.screen._compositor.render_strips()


def screen_lines(app: App) -> list[str]:
    return ["".join(segment.text for segment in strip) for strip in strips(app)]


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app))


def notifications(app: App) -> list[str]:
    """What the console said: its toasts, and its status line's messages."""
    toasts = [notification.message for notification in app._notifications]
    return toasts + list(getattr(app, "status_history", []))


def said(app: App, words: str) -> bool:
    """Whether any toast or status line so far says `words`."""
    return any(words in message for message in notifications(app))


async def type_text(pilot: Pilot, text: str) -> None:
    """Type as a person would (Pilot.press takes key names, not text)."""
    keys = {" ": "space", "\n": "enter"}
    await pilot.press(*(keys.get(ch, ch) for ch in text))


def queue_lines(app: App) -> list[str]:
    """The queue's own lines (header first), without whatever is beside it."""
    view = app.screen.queue_view
    return [
        "".join(segment.text for segment in view.render_line(y)) for y in range(view.size.height)
    ]


def queue_row(app: App, number: int) -> str:
    return next((line for line in queue_lines(app) if f" {number} " in line), "")


async def until(pilot, check, timeout=5.0):
    """Wait, pressing nothing, until `check()` holds; returns the seconds it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not seen within {timeout} s")
        await pilot.pause(0.02)
    return time.monotonic() - started
