"""`wmconsole bench ui` and `bench dashboard`: how fast the console is for a
person, measured headless — the side that starts the console under test in a
child process (screens/bench/drive.py), plays the other console, and reports.

Each figure is a key press (or a process start, or another console's commit)
to the first painted frame that shows its result — painted meaning the
compositor's update rendered to the bytes a terminal would get. The console
runs in a child process, so the start-up figure includes every import; another
process plays the other console. In the same run the stock DataTable is loaded
with every row of the same queue, for the ratio the design rests on.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from screens.bench.drive import HEIGHT, LOGIN, OTHER_LOGIN, SUPERVISOR, WIDTH

COUNTS_REUSED = "20 s"

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

    root = Path(__file__).resolve().parents[2]
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
