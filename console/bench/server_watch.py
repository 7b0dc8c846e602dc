"""What a PostgreSQL server spends while a benchmark runs, read from outside it:
CPU seconds of every server process from /proc (the postmaster and its
children), connections from pg_stat_activity, and the memory of client
backends from /proc/PID/smaps_rollup. Backends are grouped by their
application_name, which each benchmark process sets (`console-3`, `operator-olga`,
`intake`) up to the first dash or digit."""

from __future__ import annotations

import os
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_GROUP = re.compile(r"[a-z]+")
_ACTIVITY = sa.text(
    "SELECT pid, application_name, backend_type FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
)
SERVER = "server"  # the postmaster, autovacuum, the WAL writer, the checkpointer...


def group_of(application_name: str, backend_type: str) -> str:
    if backend_type != "client backend":
        return SERVER
    found = _GROUP.match(application_name or "")
    return found.group(0) if found else "other"


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # utime and stime, the 14th and 15th fields (counted after the ")").
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def private_kib(pid: int) -> tuple[int, int] | None:
    """(private memory, proportional set size) in KiB: what this backend alone
    holds, and its share of everything it maps (shared buffers included)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    values = {
        line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:] if ":" in line
    }
    private = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    return private, values.get("Pss", 0)


@dataclass
class ServerFigures:
    seconds: float = 0.0
    cpu_by_group: Counter = field(default_factory=Counter)
    connections: list[int] = field(default_factory=list)
    connections_by_group: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    memory_by_group: dict[str, list[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_by_group.values())

    def typical_connections(self, group: str) -> float:
        counts = self.connections_by_group.get(group) or [0]
        return statistics.median(counts)


class ServerWatch:
    """Samples once a second on its own thread between start() and stop()."""

    def __init__(self, admin_url: str, postmaster_pid: int, *, every: float = 1.0) -> None:
        self.engine = sa.create_engine(admin_url, pool_size=1, isolation_level="AUTOCOMMIT")
        self.postmaster_pid = postmaster_pid
        self.every = every
        self.figures = ServerFigures()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="server-watch", daemon=True)
        self._last_cpu: dict[int, float] = {}
        self._groups: dict[int, str] = {}

    def start(self) -> ServerWatch:
        self._sample(count=False)
        self._started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> ServerFigures:
        self._stop.set()
        self._thread.join()
        self._sample(count=True)
        self.figures.seconds = time.monotonic() - self._started
        self.engine.dispose()
        return self.figures

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample(count=True)

    def _sample(self, *, count: bool) -> None:
        with self.engine.connect() as connection:
            activity = connection.execute(_ACTIVITY).all()
        groups = Counter()
        for pid, application_name, backend_type in activity:
            group = group_of(application_name, backend_type)
            self._groups[pid] = group
            if group != SERVER:
                groups[group] += 1
        if count:
            self.figures.connections.append(sum(groups.values()))
            for group in set(groups) | set(self.figures.connections_by_group):
                self.figures.connections_by_group[group].append(groups[group])
        for pid in [self.postmaster_pid, *_children(self.postmaster_pid)]:
            cpu = _cpu_seconds(pid)
            if cpu is None:
                continue
            # A process first seen while counting started during the run: all
            # its CPU time is the run's.
            before = self._last_cpu.get(pid, 0.0)
            self._last_cpu[pid] = cpu
            if count:
                self.figures.cpu_by_group[self._groups.get(pid, SERVER)] += cpu - before

    def measure_memory(self) -> None:
        """Each client backend's memory now, by group (call it mid-run)."""
        for pid, group in list(self._groups.items()):
            if group == SERVER:
                continue
            memory = private_kib(pid)
            if memory is not None:
                self.figures.memory_by_group[group].append(memory)
