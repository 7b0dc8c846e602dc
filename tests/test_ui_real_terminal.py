"""The console in a real pseudo-terminal, as a person runs it. Killed mid-sentence
(SIGKILL, no chance to clean up), the draft is in the database and reopening the
ticket's editor brings it back. Its terminal gone without a hangup signal (an
SSH connection that drops), it leaves and takes its presence row with it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest
import sqlalchemy as sa

from console import operations as ops
from models import Presence
from tests.support.desk import new_ticket

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


class Terminal:
    """`wmconsole` in a pseudo-terminal of a fixed size; output is drained as it comes."""

    def __init__(self, db_url: str, login: str, size: tuple[int, int] = (120, 36)) -> None:
        self.master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
        env.pop("TEXTUAL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "console.cli", "--db", db_url, "--as", login],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = b""

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    return

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                tail = self.output[-2000:].decode(errors="replace")
                raise AssertionError(f"{text!r} never appeared; the terminal ends with {tail!r}")
            self.read(0.1)

    def type(self, text: str) -> None:
        for character in text:
            os.write(self.master, character.encode())
            self.read(0.02)

    def hang_up(self) -> None:
        """The terminal goes away, as an SSH connection that drops: the console
        runs in its own session, so no hangup signal reaches it, only the end of
        its input."""
        os.close(self.master)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


def test_a_killed_console_keeps_the_draft_and_gives_it_back(ui_desk):
    number = new_ticket(ui_desk, subject="Where is my money")
    url = str(ui_desk.db.url)
    first = Terminal(url, "olga")
    try:
        # A person presses r on the ticket they see, not on the bare header.
        first.wait_for("Where is my money")
        first.type("r")
        first.wait_for("Reply to ticket")
        first.type("We checked the payment and")
        # A pause mid-sentence, as a person makes: the draft is saved a moment after it.
        first.read(1.5)
    finally:
        first.kill()
    assert first.process.returncode == -signal.SIGKILL
    draft = ops.draft_for(ui_desk, number, by="olga")
    assert draft is not None and draft.body == "We checked the payment and"

    second = Terminal(url, "olga")
    try:
        second.wait_for("Where is my money")
        second.type("r")
        second.wait_for("We checked the payment and")
        second.wait_for("draft on")
    finally:
        second.kill()


def presence_rows(desk) -> int:
    with desk.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(Presence)).scalar_one()


def test_a_console_whose_terminal_goes_away_leaves_and_takes_its_presence(ui_desk):
    new_ticket(ui_desk, subject="Where is my money")
    terminal = Terminal(str(ui_desk.db.url), "olga")
    try:
        terminal.wait_for("Where is my money")
        deadline = time.monotonic() + 20
        while presence_rows(ui_desk) == 0 and time.monotonic() < deadline:
            terminal.read(0.2)
        assert presence_rows(ui_desk) == 1
        terminal.hang_up()
        assert terminal.process.wait(timeout=20) == 129
        assert presence_rows(ui_desk) == 0
    finally:
        if terminal.process.poll() is None:
            os.killpg(terminal.process.pid, signal.SIGKILL)
