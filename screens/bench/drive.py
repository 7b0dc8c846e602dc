"""The measured processes of the benchmark: the console (or the dashboard, or
the stock DataTable) driven headless, each painted frame timestamped, every
figure written to stdout for the parent (screens/bench/measure.py)."""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

WIDTH, HEIGHT = 200, 60
LOGIN = "olga"
OTHER_LOGIN = "ivan"
SUPERVISOR = "sergey"


def _emit(name: str, value: Any) -> None:
    # Past Textual's capture of print(): straight to the parent.
    stream = sys.__stdout__
    assert stream is not None
    stream.write(f"{name} {value}\n")
    stream.flush()


def _peak_memory() -> int:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


class _Frames:
    """Wraps the App's display step: every painted frame is rendered to terminal
    bytes (what a real terminal would be sent) and timestamped; a waiter gets the
    time of the first frame painted while its condition holds."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.waiting: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is None:
                return
            if hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
            now = time.perf_counter()
            for entry in list(self.waiting):
                condition, future = entry
                if not future.done() and condition():
                    future.set_result(now)
                    self.waiting.remove(entry)

        app._display = timed_display

    async def painted(self, condition: Callable[[], bool], timeout: float = 30.0) -> float:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting.append((condition, future))
        return await asyncio.wait_for(future, timeout)


def _rows_on_screen(view: Any) -> bool:
    return view.rows_on_screen


async def _drive_console(url: str) -> None:
    from console.desk import open_desk
    from screens.starting import create_app

    _emit("imports", f"{time.time():.6f}")

    desk = open_desk(url)
    app = create_app(desk, LOGIN)
    frames = _Frames(app)
    async with app.run_test(headless=True, size=(WIDTH, HEIGHT)) as pilot:
        while not hasattr(app.screen, "queue_view"):
            await asyncio.sleep(0.001)
        view = app.screen.queue_view
        await frames.painted(lambda: _rows_on_screen(view) and view.total > 0, timeout=60)
        _emit("first_paint", f"{time.time():.6f}")
        await pilot.pause(0.3)
        await _measure_keys(app, pilot, frames, view)
        await pilot.press("g")
        await pilot.pause(0.3)
        await _measure_live(frames, view)
        _emit("memory", _peak_memory())
        app.exit()
    desk.close()


async def _measure_keys(app: Any, pilot: Any, frames: _Frames, view: Any) -> None:
    """Each key press to the first frame that shows what it did."""

    async def measure(name: str, key: str, condition: Callable[[], bool]) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        started = time.perf_counter()
        waiting = asyncio.ensure_future(frames.painted(condition))
        await pilot.press(key)
        _emit(name, f"{await waiting - started:.6f}")

    await measure("filter", "3", lambda: _rows_on_screen(view) and view.filter.escalations)
    await measure("back", "0", lambda: _rows_on_screen(view) and not view.filter.escalations)
    app.queue.forget_counts()
    await measure("filter_fresh", "3", lambda: _rows_on_screen(view) and view.filter.escalations)
    step_to = min(view.cursor + 1, view.total - 1)
    await measure("step", "j", lambda: view.cursor == step_to)
    page_to = min(view.cursor + view.row_count, view.total - 1)
    await measure("page_down", "pagedown", lambda: view.cursor == page_to and _rows_on_screen(view))
    await measure("end", "G", lambda: view.cursor == view.total - 1 and _rows_on_screen(view))
    await measure("back", "0", lambda: _rows_on_screen(view) and not view.filter.escalations)


async def _measure_live(frames: _Frames, view: Any) -> None:
    """A ticket on screen that nobody holds: the other console (the parent) takes
    it, and it leaves this operator's view (her own work and the unassigned queue)."""
    on_screen = [view.row_at(index) for index in range(min(view.row_count, view.total))]
    watched = next((row for row in on_screen if row and row.assignee is None), None)
    if watched is None:
        raise RuntimeError("no unassigned ticket on the first screen to take")
    waiting = asyncio.ensure_future(
        frames.painted(
            lambda: (
                _rows_on_screen(view)
                and all(
                    (row := view.row_at(index)) is None or row.id != watched.id
                    for index in range(view.row_count)
                )
            ),
            timeout=10,
        )
    )
    _emit("ready", watched.number)
    await waiting
    _emit("visible", f"{time.time():.6f}")


async def _drive_dashboard(url: str, refreshes: int) -> None:
    from console.desk import open_desk
    from screens.dashboard.screen import DashboardScreen
    from screens.starting import create_app

    desk = open_desk(url)
    app = create_app(desk, SUPERVISOR, start_on_dashboard=True)
    frames = _Frames(app)
    async with app.run_test(headless=True, size=(WIDTH, HEIGHT)) as pilot:
        while not isinstance(app.screen, DashboardScreen):
            await asyncio.sleep(0.001)
        screen = app.screen
        await frames.painted(lambda: screen.readings > 0, timeout=120)
        _emit("first_paint", f"{time.time():.6f}")
        # The change feed starts once the first frame is out.
        while app._feed is None:
            await pilot.pause(0.01)
        for index in range(refreshes):
            await pilot.pause(0.3)
            assert screen.stats is not None
            before = screen.stats.open_total
            waiting = asyncio.ensure_future(
                frames.painted(
                    lambda before=before: (
                        screen.stats is not None and screen.stats.open_total > before
                    ),
                    timeout=10,
                )
            )
            _emit("ready", index)
            await waiting
            _emit("visible", f"{time.time():.6f}")
        _emit("memory", _peak_memory())
        app.exit()
    desk.close()


async def _drive_datatable(url: str, count: int) -> None:
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from console.desk import open_desk
    from console.formatting import age_text, badges_text, sla_left, sla_text
    from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
    from console.untrusted import one_line
    from models import Status

    desk = open_desk(url)
    queue = Queue(desk.db, viewer_id_for(desk.db, LOGIN))
    everything = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone)

    class StockTable(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(
                "NUMBER", "AGE", "SLA", "SERVICE", "STATUS", "ESC", "WMID", "SUBJECT", "HOLDER"
            )
            now, key, loaded = desk.now(), None, 0
            while loaded < count:
                page = queue.page(everything, now, after=key, limit=min(1000, count - loaded))
                if not page:
                    break
                table.add_rows(
                    [
                        Text(str(row.number)),
                        Text(age_text(row.created_at, now)),
                        Text(sla_text(sla_left(desk.sla, row.due_at, now, row.escalations))),
                        Text(row.service.value),
                        Text(row.status.value),
                        Text(badges_text(row.escalations)),
                        Text(row.customer_wmid or "—"),
                        Text(one_line(row.subject)),
                        Text(row.assignee or "—"),
                    ]
                    for row in page
                )
                loaded += len(page)
                key = page[-1].key

    app = StockTable()
    frames = _Frames(app)
    async with app.run_test(headless=True, size=(WIDTH, HEIGHT)):
        table = app.query_one(DataTable)
        await frames.painted(lambda: table.row_count > 0, timeout=3600)
        _emit("first_paint", f"{time.time():.6f}")
        _emit("rows", table.row_count)
        _emit("memory", _peak_memory())
        app.exit()
    desk.close()


def main(argv: list[str]) -> None:
    kind, url = argv[0], argv[1]
    try:
        if kind == "console":
            asyncio.run(_drive_console(url))
        elif kind == "datatable":
            asyncio.run(_drive_datatable(url, int(argv[2])))
        elif kind == "dashboard":
            asyncio.run(_drive_dashboard(url, int(argv[2])))
    except Exception as error:
        # Said to the parent, which reports it; the traceback follows on stderr.
        _emit("error", repr(error))
        raise
