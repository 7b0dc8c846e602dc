"""`wmconsole bench desk` at a tiny size: every actor runs, the figures print,
and the run's own checks (nothing lost) pass. Timings are not asserted."""

import shutil
import tempfile
from pathlib import Path

import pytest

from console.bench.desk import DeskPlan, run_desk_benchmark
from console.database import POOL_KEPT


@pytest.mark.postgres
def test_a_tiny_busy_desk_runs_and_loses_nothing():
    server_dir = Path(tempfile.mkdtemp(prefix="wmconsole-bench-desk-test-"))
    lines: list[str] = []
    try:
        plan = DeskPlan(
            tickets=1000, minutes=0.1, consoles=2, operators=2, mail_rate=10, server_dir=server_dir
        )
        assert run_desk_benchmark(plan, lines.append), "\n".join(lines)
    finally:
        shutil.rmtree(server_dir, ignore_errors=True)
    output = "\n".join(lines)
    visible = next(line for line in lines if "another console's change visible" in line)
    assert int(visible.split()[-3].replace(",", "")) > 0, output
    assert "every mail on a ticket or quarantined: ok" in output
    assert "every take unique: ok" in output
    held = next(line for line in lines if line.startswith("one console:"))
    # The feed's LISTEN connection and what the pool keeps, no more.
    assert float(held.split()[2]) <= 1 + POOL_KEPT, output
