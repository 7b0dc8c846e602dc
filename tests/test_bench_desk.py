"""`wmconsole bench desk` at a tiny size: every actor runs, the figures print,
and the run's own checks (nothing lost) pass. Timings are not asserted."""

import shutil
import tempfile
from pathlib import Path

import pytest

from console.bench.desk import DeskPlan, run_desk_benchmark, with_run_message_ids
from console.bench.desk_actors import message_id_of
from console.bench.intake import Inflow
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
    assert "every console read every change, none skipped: ok" in output
    held = next(line for line in lines if line.startswith("one console:"))
    # The feed's LISTEN connection and what the pool keeps, no more.
    assert float(held.split()[2]) <= 1 + POOL_KEPT, output


def test_mail_kept_for_the_next_run_comes_back_under_new_message_ids():
    inflow = Inflow(3, owners=[])
    mails = [inflow.next_mail() for _ in range(200)]
    reply = next(raw for raw in mails if b"In-Reply-To:" in raw)
    first, second = (with_run_message_ids(reply, run) for run in ("a1", "b2"))
    ids = [message_id_of(raw) for raw in (reply, first, second)]
    assert len(set(ids)) == 3, ids
    # The mail it answers is renamed the same way, so it still threads.
    answered = next(raw for raw in mails if message_id_of(raw) == _header(reply, b"In-Reply-To"))
    assert _header(first, b"In-Reply-To") == message_id_of(with_run_message_ids(answered, "a1"))
    assert first.replace(b".a1@", b"@") == reply


def _header(raw: bytes, name: bytes) -> str:
    line = next(line for line in raw.splitlines() if line.startswith(name + b":"))
    return line.split(b":", 1)[1].strip().decode()
