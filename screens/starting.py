"""How the console starts: one factory for the CLI, the tests and the benchmark
(create_app, on a desk already open), the start from the quick path's reads
(quick_console, the desk opening behind the first paint), and running it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from threading import Thread
from typing import TYPE_CHECKING, TypeVar

from console.rules.roles import Permission, may, require
from screens.app import WmConsole
from screens.keymap import parse_keymap

if TYPE_CHECKING:
    from console.desk import Desk
    from console.reads.quick import Opening, OperatorCard
    from console.reads.stats import DeskStats
    from console.settings import Settings
    from models import Operator

T = TypeVar("T")


def create_app(
    desk: Desk,
    login: str,
    *,
    live: bool = True,
    heartbeat: bool = True,
    console_id: str | None = None,
    cursor_blink: bool = True,
    start_on_dashboard: bool = False,
    opening: Opening | None = None,
) -> WmConsole:
    """The console for `login` (refused with the domain's message if there is no
    such operator, the keymap setting is wrong, or the dashboard is asked for
    by a role that may not see it). With an `opening` (console.reads.quick) the
    operator is the one it read and the first screen paints from it."""
    if opening is not None and opening.operator.login == login:
        operator: Operator | OperatorCard = opening.operator
    else:
        from console.operations import get_operator

        operator = get_operator(desk, login)
    if start_on_dashboard:
        require(operator, Permission.view_dashboard)
    keymap = parse_keymap(desk.settings.keymap)
    # Opened on the dashboard, its first reading starts now, in a thread, so the
    # database works while Textual starts up and composes the screen; opened
    # from the quick path's reads, it paints from those first.
    first_reading = None
    if start_on_dashboard and opening is None:
        first_reading = read_ahead(partial(_desk_stats, desk))
    return WmConsole(
        desk,
        operator,
        live=live,
        heartbeat=heartbeat,
        keymap=keymap,
        console_id=console_id,
        cursor_blink=cursor_blink,
        start_on_dashboard=start_on_dashboard,
        opening=opening,
        first_reading=first_reading,
    )


def quick_console(
    url: str, settings: Settings, opening: Opening, *, start_on_dashboard: bool = False, **options
) -> WmConsole | None:
    """The console painted from the quick path's reads (console.reads.quick.
    console_opening) while its desk opens behind the first screen; None when
    they do not cover this start: the full path opens the desk first and
    explains any refusal. `options` are create_app's."""
    from console.desk import Desk

    desk = Desk.deferred(url, settings)
    if start_on_dashboard and not may(opening.operator, Permission.view_dashboard):
        return None
    return create_app(
        desk,
        opening.operator.login,
        start_on_dashboard=start_on_dashboard,
        opening=opening,
        **options,
    )


def run_console(app: WmConsole) -> int:
    """Until the operator quits (0) or the terminal goes away (TERMINAL_GONE)."""
    app.run()
    return app.return_code or 0


def _desk_stats(desk: Desk) -> DeskStats:
    from console.reads.stats import desk_stats

    return desk_stats(desk)


def read_ahead(read: Callable[[], T]) -> Future[T]:
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(read())
        except BaseException as error:
            future.set_exception(error)

    Thread(target=run, name="read-ahead", daemon=True).start()
    return future
