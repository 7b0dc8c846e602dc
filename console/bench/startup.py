"""`wmconsole bench startup`: how long the console and the command line take to
start, each as a ratio to the floor measured in the same run (issue 12).

- the console, process start to its first painted queue, and the dashboard to
  its first painted tiles, both on a pseudo-terminal, beside a bare Textual app
  that reads the same first page with sqlite3 and paints it
  (screens/bench/bare_queue.py). Painted means the rows' ticket numbers (or the
  dashboard's live count) have come out of the terminal;
- `wmconsole --help` beside `python -c pass`;
- `wmconsole ticket N --json` and `wmconsole tickets --json --limit 50` beside
  a Python script that reads the same rows with sqlite3 and prints them as JSON.

Runs are interleaved (one of each, five times over) and each figure is the
median, so a machine busy for a moment slows every figure of that round alike.
SQLite only: the floors read the file with sqlite3.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.bench.queue import ensure_demo
from console.desk import open_desk

Echo = Callable[[str], None]
WIDTH, HEIGHT = 160, 48
LOGIN, SUPERVISOR = "olga", "sergey"
# Rows of the first page that every layout shows at 160×48.
ROWS_AWAITED = 20
PAINT_TIMEOUT_S = 120.0
BARE_APP = Path(__file__).resolve().parents[2] / "screens" / "bench" / "bare_queue.py"

_TICKET_SCRIPT = """
import json, sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
c.row_factory = sqlite3.Row
t = dict(c.execute("SELECT * FROM ticket WHERE number = ?", (int(sys.argv[2]),)).fetchone())
for table in ("message", "attachment", "escalation", "blockrequest", "auditevent"):
    t[table] = [dict(r) for r in c.execute(
        f"SELECT * FROM {table} WHERE ticket_id = ? ORDER BY id", (t["id"],))]
print(json.dumps(t, ensure_ascii=False, indent=2, default=str))
"""

_PAGE_SCRIPT = """
import json, sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
c.row_factory = sqlite3.Row
rows = c.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()
print(json.dumps([dict(r) for r in rows], ensure_ascii=False, indent=2, default=str))
"""


@dataclass(frozen=True)
class Pair:
    """One figure and its floor, each a way to run a process and time it."""

    label: str
    floor_label: str
    target: float
    measure: Callable[[], float]
    floor: Callable[[], float]


def run_startup_benchmark(
    db_url: str | None, *, tickets: int, seed: int, runs: int, echo: Echo
) -> dict[str, tuple[float, float]]:
    """The figures as {name: (median seconds, median floor seconds)}."""
    url = db_url or str(Path(os.environ.get("TMPDIR", "/tmp")) / f"wmconsole-bench-{tickets}.db")
    desk = open_desk(url)
    try:
        ensure_demo(desk, tickets, seed, echo)
        path = str(desk.db.sqlite_path)
        sql, parameters, numbers = _first_page(desk)
    finally:
        desk.close()
    _compile_bytecode()
    pairs = _pairs(path, sql, parameters, numbers)
    samples: dict[str, list[tuple[float, float]]] = {pair.label: [] for pair in pairs}
    for _ in range(runs):
        for pair in pairs:
            samples[pair.label].append((pair.measure(), pair.floor()))
    echo(
        f"start-up, {tickets:,} tickets (SQLite, {path}), {WIDTH}×{HEIGHT} pseudo-terminal; "
        f"median of {runs} interleaved runs:"
    )
    echo(f"  {'':<44} {'figure':>8} {'floor':>8} {'ratio':>6}  target")
    figures = {}
    for pair in pairs:
        figure = statistics.median(s[0] for s in samples[pair.label])
        floor = statistics.median(s[1] for s in samples[pair.label])
        ratio = figure / floor
        verdict = "ok" if ratio <= pair.target else "OVER"
        echo(
            f"  {pair.label:<44} {figure:>6.2f} s {floor:>6.2f} s {ratio:>5.1f}×  "
            f"≤ {pair.target:g}× {verdict}   (floor: {pair.floor_label})"
        )
        figures[pair.label] = (figure, floor)
    return figures


def _first_page(desk) -> tuple[str, dict, list[int]]:
    """The SQL of olga's opening queue page (for the floors) and its numbers."""
    from console.reads.queue import Queue, QueueFilter, viewer_id_for
    from console.reads.quick import first_page_sql

    viewer = viewer_id_for(desk.db, LOGIN)
    rows = Queue(desk.db, viewer).page(QueueFilter(), desk.now())
    sql, parameters = first_page_sql("sqlite", viewer)
    return sql, parameters, [row.number for row in rows]


def _pairs(path: str, sql: str, parameters: dict, numbers: list[int]) -> list[Pair]:
    python = sys.executable
    wmconsole = str(Path(python).with_name("wmconsole"))
    page_markers = [str(number).encode() for number in numbers[:ROWS_AWAITED]]
    bare = [python, str(BARE_APP), path, sql, json.dumps(parameters)]
    page = [python, "-c", _PAGE_SCRIPT, path, sql, json.dumps(parameters)]
    number = str(numbers[0])

    def painted(argv: list[str], markers: list[bytes]) -> Callable[[], float]:
        return lambda: _time_to_paint(argv, markers)

    def ran(argv: list[str]) -> Callable[[], float]:
        return lambda: _time_to_exit(argv)

    return [
        Pair(
            "console start → first painted queue",
            "bare Textual app painting the same rows",
            1.5,
            painted([wmconsole, "--db", path, "--as", LOGIN], page_markers),
            painted(bare, page_markers),
        ),
        Pair(
            "dashboard start → first painted tiles",
            "the same bare app",
            2.0,
            painted([wmconsole, "dashboard", "--db", path, "--as", SUPERVISOR], [b"live tickets"]),
            painted(bare, page_markers),
        ),
        Pair(
            "wmconsole --help",
            "python -c pass",
            3.0,
            ran([wmconsole, "--help"]),
            ran([python, "-c", "pass"]),
        ),
        Pair(
            f"wmconsole ticket {number} --json",
            "sqlite3 script, same rows as JSON",
            6.0,
            ran([wmconsole, "ticket", number, "--db", path, "--json"]),
            ran([python, "-c", _TICKET_SCRIPT, path, number]),
        ),
        Pair(
            "wmconsole tickets --json --limit 50",
            "sqlite3 script, same page as JSON",
            6.0,
            ran([wmconsole, "tickets", "--db", path, "--as", LOGIN, "--json", "--limit", "50"]),
            ran(page),
        ),
    ]


def _time_to_exit(argv: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def _time_to_paint(argv: Sequence[str], markers: list[bytes]) -> float:
    """Process start to the moment every marker has come out of the terminal."""
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(WIDTH)}
    environment["LINES"] = str(HEIGHT)
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=environment,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        return _read_until(controller, markers, started, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(controller)


def _read_until(
    controller: int, markers: list[bytes], started: float, process: subprocess.Popen
) -> float:
    seen = b""
    waiting = set(markers)
    while waiting:
        if time.perf_counter() - started > PAINT_TIMEOUT_S or process.poll() is not None:
            raise RuntimeError(
                f"{process.args[0]} never painted {sorted(waiting)[:3]}: "
                f"{seen[-2000:].decode(errors='replace')}"
            )
        ready, _, _ = select.select([controller], [], [], 0.5)
        if not ready:
            continue
        try:
            seen += os.read(controller, 1 << 16)
        except OSError:
            continue
        waiting = {marker for marker in waiting if marker not in seen}
    return time.perf_counter() - started


def _compile_bytecode() -> None:
    """As an installed package is: every run reads compiled modules."""
    import compileall

    root = Path(__file__).resolve().parents[2]
    for package in ("models", "console", "screens"):
        compileall.compile_dir(root / package, quiet=1)
