"""`wmconsole bench ui` and `bench dashboard`: how fast the console is for a
person, measured headless.

Each figure is a key press (or a process start, or another console's commit)
to the first painted frame that shows its result — painted meaning the
compositor's update rendered to the bytes a terminal would get. The console
runs in a child process, so the start-up figure includes every import; another
process plays the other console. In the same run the stock DataTable is loaded
with every row of the same queue, for the ratio the design rests on.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 200, 60
COUNTS_REUSED = "20 s"
LOGIN = "olga"
OTHER_LOGIN = "ivan"
SUPERVISOR = "sergey"

TARGETS = {
    "first_paint": ("process start → first painted queue", 1.0, "s"),
    "filter": ("filter change → repainted queue", 0.050, "ms"),
    "step": ("one cursor step", 0.016, "ms"),
    "page_down": ("PgDn", 0.030, "ms"),
    "end": ("jump to the end", 0.100, "ms"),
    "live": ("another console's change visible", 0.500, "ms"),
    "memory": ("peak memory", 150 * 2**20, "MB"),
}


def _shown(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value * 1000:.1f} ms"
    return f"{value / 2**20:.0f} MB"


def default_database(tickets: int) -> str:
    return str(Path(tempfile.gettempdir()) / f"wmconsole-bench-{tickets}.db")


def _ensure_demo(url: str, tickets: int, seed: int, echo: Callable[[str], None]) -> int:
    import sqlalchemy as sa

    from console.demo.generator import load_demo
    from console.desk import open_desk

    desk = open_desk(url)
    try:
        with desk.db.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM ticket")).scalar_one()
        if count == 0:
            echo(f"building a {tickets:,}-ticket demo database at {url} (once; reused after)…")
            result = load_demo(desk, tickets=tickets, seed=seed)
            echo(f"  built in {result.seconds:.0f} s")
            count = result.tickets
        return count
    finally:
        desk.close()


def _child(kind: str, url: str, *extra: str) -> tuple[float, subprocess.Popen[str]]:
    """A measured process, and the wall-clock time just before it was started."""
    started = time.time()
    process = subprocess.Popen(
        [sys.executable, "-m", "screens.bench", kind, url, *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    return started, process


def _lines(process: subprocess.Popen[str]):
    assert process.stdout is not None
    for line in process.stdout:
        name, _, value = line.strip().partition(" ")
        yield name, value


def run_ui_benchmark(
    db_url: str | None,
    *,
    tickets: int,
    compare: int,
    seed: int,
    runs: int,
    echo: Callable[[str], None],
) -> dict[str, float]:
    url = db_url or default_database(tickets)
    count = _ensure_demo(url, tickets, seed, echo)
    _compile_bytecode()
    samples = [_measure_console(url) for _ in range(runs)]
    figures = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    echo(
        f"wm-console, {count:,} tickets (SQLite, {url}), headless {WIDTH}×{HEIGHT}, "
        f"as {LOGIN}; median of {runs} run{'s' if runs > 1 else ''}, each a fresh process:"
    )
    for key, (label, target, unit) in TARGETS.items():
        value = figures[key]
        verdict = "ok" if value < target else "OVER"
        shown, limit = _shown(value, unit), _shown(target, unit)
        low, high = (_shown(pick(s[key] for s in samples), unit) for pick in (min, max))
        spread = f"{low}–{high}"
        echo(f"  {label:<40} {shown:>10}   target < {limit:<8} {verdict:<4}  ({spread})")
    echo(
        f"  {'  of the start: imports':<40} {_shown(figures['imports'], 's'):>10}"
        f"   (Python, SQLAlchemy, SQLModel and the tables, Textual, the console)"
    )
    echo(
        f"  {'  filter change, counts read afresh':<40} {_shown(figures['filter_fresh'], 'ms'):>10}"
        f"   (counts are reused {COUNTS_REUSED} between filter changes)"
    )
    if compare:
        table = _measure_datatable(url, compare)
        rows = int(table["rows"])
        echo(f"stock DataTable holding every row, {rows:,} tickets (same queue, same database):")
        echo(f"  {'process start → first painted table':<40} {table['first_paint']:>8.2f} s")
        echo(f"  {'peak memory':<40} {_shown(table['memory'], 'MB'):>10}")
        echo(
            f"ratio: the virtual queue at {count:,} tickets paints first "
            f"{table['first_paint'] / figures['first_paint']:.0f}× sooner than the DataTable "
            f"at {rows:,}, in {figures['memory'] / table['memory']:.2f}× its memory"
        )
        figures.update({f"datatable_{key}": value for key, value in table.items()})
    return figures


def _compile_bytecode() -> None:
    """As an installed package is: every run then reads compiled modules, whatever
    PYTHONDONTWRITEBYTECODE says, instead of compiling the console's source each time."""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("models", "console", "screens"):
        compileall.compile_dir(root / package, quiet=1)


def _measure_console(url: str) -> dict[str, float]:
    from console import operations
    from console.desk import open_desk

    started, process = _child("console", url)
    figures: dict[str, float] = {}
    committed = 0.0
    for name, value in _lines(process):
        if name in ("first_paint", "imports"):
            figures[name] = float(value) - started
        elif name == "ready":
            # Another console takes the highlighted ticket.
            other = open_desk(url)
            try:
                operations.take(other, int(value), by=OTHER_LOGIN)
                committed = time.time()
            finally:
                other.close()
        elif name == "visible":
            figures["live"] = float(value) - committed
        elif name in TARGETS or name == "filter_fresh":
            figures[name] = float(value)
        elif name == "error":
            raise RuntimeError(f"the console under test failed: {value}")
    process.wait(timeout=30)
    return figures


def _measure_datatable(url: str, rows: int) -> dict[str, float]:
    started, process = _child("datatable", url, str(rows))
    figures: dict[str, float] = {}
    for name, value in _lines(process):
        if name == "first_paint":
            figures[name] = float(value) - started
        elif name in ("memory", "rows"):
            figures[name] = float(value)
    process.wait(timeout=600)
    return figures


DASHBOARD_TARGETS = {
    "first_paint": ("process start → first painted dashboard", 1.5, "s"),
    "live": ("another connection's commit → repainted", 0.300, "ms"),
    "memory": ("peak memory", 150 * 2**20, "MB"),
}


def run_dashboard_benchmark(
    db_url: str | None,
    *,
    tickets: int,
    seed: int,
    postgres: bool,
    refreshes: int,
    echo: Callable[[str], None],
) -> dict[str, float]:
    """The dashboard opened by `wmconsole dashboard` in a child process, and
    `refreshes` commits by another connection, each timed to the first frame
    that shows it; beside them, the bare desk_stats() reading behind every frame."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        if postgres and db_url is None:
            from console.bench.throwaway_postgres import ThrowawayPostgres

            server = stack.enter_context(ThrowawayPostgres(durable=True))
            db_url = server.create_database("bench")
            echo(f"PostgreSQL: throwaway server on port {server.port}")
        url = db_url or default_database(tickets)
        count = _ensure_demo(url, tickets, seed, echo)
        _compile_bytecode()
        figures = _measure_dashboard(url, refreshes)
        figures["baseline"] = _desk_stats_time(url)
    live = figures.pop("live_samples")
    where = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    echo(
        f"wm-console dashboard, {count:,} tickets ({where}), headless {WIDTH}×{HEIGHT}, "
        f"as {SUPERVISOR}; {len(live)} live refreshes:"
    )
    for key, (label, target, unit) in DASHBOARD_TARGETS.items():
        value = figures[key]
        verdict = "ok" if value < target else "OVER"
        echo(
            f"  {label:<42} {_shown(value, unit):>10}   "
            f"target < {_shown(target, unit):<8} {verdict}"
        )
    echo(
        f"  {'  live, worst of ' + str(len(live)):<42} {_shown(max(live), 'ms'):>10}"
        f"   (best {_shown(min(live), 'ms')})"
    )
    echo(
        f"baseline: desk_stats() alone {_shown(figures['baseline'], 'ms')} (median of 10); "
        f"a live refresh is {figures['live'] / figures['baseline']:.1f}× that "
        "(change feed, reading, painting)"
    )
    figures["live_worst"] = max(live)
    return figures


def _desk_stats_time(url: str) -> float:
    from console.bench.queue import timed
    from console.desk import open_desk
    from console.reads.stats import desk_stats

    desk = open_desk(url)
    try:
        return timed(lambda: desk_stats(desk), 10) / 1000
    finally:
        desk.close()


def _measure_dashboard(url: str, refreshes: int) -> dict[str, Any]:
    from console import operations
    from console.desk import open_desk

    other = open_desk(url)
    started, process = _child("dashboard", url, str(refreshes))
    figures: dict[str, Any] = {}
    live: list[float] = []
    committed = 0.0
    try:
        for name, value in _lines(process):
            if name == "first_paint":
                figures[name] = float(value) - started
            elif name == "ready":
                # Another console's customer: a new ticket is one more open ticket.
                operations.create_ticket(
                    other,
                    service="transfers",
                    subject=f"Benchmark payment {value}",
                    body="The payee got nothing.",
                    email="bench@example.com",
                    wmid="123456789012",
                )
                committed = time.time()
            elif name == "visible":
                live.append(float(value) - committed)
            elif name == "memory":
                figures[name] = float(value)
            elif name == "error":
                raise RuntimeError(f"the dashboard under test failed: {value}")
        process.wait(timeout=60)
    finally:
        other.close()
    figures["live"] = statistics.median(live)
    figures["live_samples"] = live
    return figures


# The measured processes --------------------------------------------------------------


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
    from screens.app import create_app

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
        await measure(
            "filter_fresh", "3", lambda: _rows_on_screen(view) and view.filter.escalations
        )
        step_to = min(view.cursor + 1, view.total - 1)
        await measure("step", "j", lambda: view.cursor == step_to)
        page_to = min(view.cursor + view.row_count, view.total - 1)
        await measure(
            "page_down", "pagedown", lambda: view.cursor == page_to and _rows_on_screen(view)
        )
        await measure("end", "G", lambda: view.cursor == view.total - 1 and _rows_on_screen(view))
        await measure("back", "0", lambda: _rows_on_screen(view) and not view.filter.escalations)
        await pilot.press("g")
        await pilot.pause(0.3)
        # A ticket on screen that nobody holds: the other console takes it, and it
        # leaves this operator's view (her own work and the unassigned queue).
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
        _emit("memory", _peak_memory())
        app.exit()
    desk.close()


async def _drive_dashboard(url: str, refreshes: int) -> None:
    from console.desk import open_desk
    from screens.app import create_app
    from screens.dashboard.screen import DashboardScreen

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


if __name__ == "__main__":
    main(sys.argv[1:])
