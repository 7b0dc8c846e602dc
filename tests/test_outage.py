"""Nothing typed is lost when the database goes away or its disk fills, broken
on purpose: a PostgreSQL server of the test's own stopped and started again
under a console with a reply being typed, and a SQLite database made full
(PRAGMA max_page_count) under the console and under `wmconsole reply`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import console.desk
from console import operations as ops
from console.bench.throwaway_postgres import ThrowawayPostgres
from console.cli.main import main
from console.database import open_database
from console.desk import Desk
from console.local_drafts import LocalDrafts
from console.reads.ticket import load_ticket
from screens.ticket.reply_editor import ReplyEditor
from screens.ticket.screen import TicketScreen
from tests.support.desk import FullDisk, new_ticket, settings_in
from tests.support.roster import OWNER, create_owner, create_services, open_test_database
from tests.support.ui import console_for, said, screen_text, settle, type_text, until

# Long and varied: a draft of it needs pages a full database does not have.
LONG = " ".join(f"слово{i}" for i in range(4_000))


@pytest.fixture
def own_postgres() -> Iterator[ThrowawayPostgres]:
    """A server of this test's own: stopping it disturbs no other test."""
    with ThrowawayPostgres() as server:
        create_owner(server)
        yield server


@pytest.fixture
def desk_on_own_server(own_postgres: ThrowawayPostgres, clock, tmp_path: Path) -> Iterator[Desk]:
    url = own_postgres.create_database("desk", owner=OWNER)
    open_database(url).dispose()
    create_services(own_postgres)
    desk = Desk(db=open_test_database(url), settings=settings_in(tmp_path), clock=clock)
    ops.add_operator(desk, "olga", name="Olga", role_name="operator")
    ops.add_operator(desk, "ivan", name="Ivan", role_name="operator")
    yield desk
    desk.close()


@pytest.fixture
def one_ticket(ui_desk: Desk) -> int:
    return new_ticket(ui_desk)


async def reply_typed(pilot, text: str) -> None:
    """From the queue: `r` on the first ticket, and `text` typed (and saved)."""
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    await type_text(pilot, text)
    await settle(pilot)


async def send_confirmed(pilot) -> None:
    """Yes to "Send the reply?" once it is asked (a database read comes first)."""
    await until(pilot, lambda: "Send the reply" in screen_text(pilot.app))
    await pilot.press("y")


def kept_here(desk: Desk, number: int) -> str | None:
    kept = LocalDrafts.for_desk(desk, "olga").get(number)
    return None if kept is None else kept.body


@pytest.mark.postgres
async def test_the_console_rides_out_a_stopped_server_and_loses_nothing(
    own_postgres: ThrowawayPostgres, desk_on_own_server: Desk
):
    desk = desk_on_own_server
    number = new_ticket(desk)
    app = console_for(desk, live=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await reply_typed(pilot, "Hello")
        assert ops.draft_for(desk, number, by="olga").body == "Hello"

        own_postgres.halt()
        await type_text(pilot, " world")
        await settle(pilot)
        await until(pilot, lambda: app.unreachable_since is not None)
        assert "The database is unreachable since" in screen_text(app)
        assert "retrying; your text is kept" in screen_text(app)
        assert kept_here(desk, number) == "Hello world"

        # A send is refused with the reason; the text stays in the editor.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: said(app, "Not sent: the database is unreachable"))
        assert isinstance(app.screen, ReplyEditor)
        assert app.screen.text_area.text == "Hello world"

        # A ticket opened now says why it is not shown, instead of "Loading…" for good.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        not_loaded = f"Ticket {number} is not loaded: the database is unreachable"
        await until(pilot, lambda: not_loaded in screen_text(app))

        own_postgres.start_again()
        await until(pilot, lambda: app.unreachable_since is None, timeout=40)
        # Read again, and the draft kept here moved to the database.
        await until(pilot, lambda: app.screen.detail is not None)
        await until(pilot, lambda: kept_here(desk, number) is None)
        assert app.screen.detail.number == number
        assert "unreachable since" not in screen_text(app)
        assert ops.draft_for(desk, number, by="olga").body == "Hello world"

        # The change feed listens again: another console's change shows by itself.
        ops.escalate(desk, number, "hotline", "called the hotline", by="ivan")
        await until(pilot, lambda: "called the hotline" in screen_text(app), timeout=30)

        await pilot.press("r")
        await settle(pilot)
        assert app.screen.text_area.text == "Hello world"
        await pilot.press("ctrl+s")
        # The one confirmation shows what a colleague did since the draft was
        # started, though the draft came back from this host.
        await until(pilot, lambda: "Since you began writing (1)" in screen_text(app))
        assert "hotline" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: said(app, f"Reply sent on {number}"))
        assert app.is_running
    assert load_ticket(desk.db, number).messages[-1].body == "Hello world"


async def test_a_full_disk_under_the_console_keeps_the_text_and_the_console(
    ui_desk: Desk, one_ticket: int
):
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 40)) as pilot:
        await reply_typed(pilot, "Start")
        full = FullDisk(ui_desk.db)
        app.screen.text_area.insert(" " + LONG)
        await settle(pilot)
        assert said(app, "the database's disk is full")
        assert kept_here(ui_desk, one_ticket) == "Start " + LONG
        assert ops.draft_for(ui_desk, one_ticket, by="olga").body == "Start"

        await pilot.press("ctrl+s")
        await send_confirmed(pilot)
        await until(pilot, lambda: said(app, "Not sent: the database's disk is full, so nothing"))
        assert app.is_running and isinstance(app.screen, ReplyEditor)
        assert app.screen.text_area.text == "Start " + LONG
        assert load_ticket(ui_desk.db, one_ticket).status == "new"

        full.lift()
        await type_text(pilot, "!")
        await settle(pilot)
        assert ops.draft_for(ui_desk, one_ticket, by="olga").body == f"Start {LONG}!"
        assert kept_here(ui_desk, one_ticket) is None
        await pilot.press("ctrl+s")
        await send_confirmed(pilot)
        await until(pilot, lambda: said(app, f"Reply sent on {one_ticket}"))
    assert load_ticket(ui_desk.db, one_ticket).messages[-1].body == f"Start {LONG}!"


async def test_drafts_kept_on_this_host_move_to_the_database_at_the_next_start(
    ui_desk: Desk, one_ticket: int
):
    """A console that closed while the database was away left its draft here."""
    LocalDrafts.for_desk(ui_desk, "olga").keep(one_ticket, "Kept overnight", "reply", 1)
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: kept_here(ui_desk, one_ticket) is None)
        assert ops.draft_for(ui_desk, one_ticket, by="olga").body == "Kept overnight"
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.text_area.text == "Kept overnight"


@pytest.fixture
def cli_on(monkeypatch: pytest.MonkeyPatch):
    """The command line on a test's own desk object (its connections are the
    ones a FullDisk limits)."""

    def run(desk: Desk, *args: str, input: str | None = None):
        monkeypatch.setattr(console.desk, "open_desk", lambda *_a, **_k: desk)
        return CliRunner().invoke(main, list(args), input=input)

    return run


def test_a_full_disk_under_reply_is_one_line_and_keeps_typed_text(ui_desk: Desk, cli_on, tmp_path):
    number = new_ticket(ui_desk)
    ops.take(ui_desk, number, by="olga")
    answer = tmp_path / "answer.txt"
    answer.write_text(LONG, encoding="utf-8")
    full = FullDisk(ui_desk.db)

    from_file = cli_on(ui_desk, "reply", str(number), "--as", "olga", "--file", str(answer))
    typed = cli_on(ui_desk, "reply", str(number), "--as", "olga", "--file", "-", input=LONG)

    full.lift()
    for result in (from_file, typed):
        assert result.exit_code == 6
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.stderr.startswith(
            "wmconsole: the database's disk is full, so nothing was written"
        )
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    # The file still has its text; what was typed on stdin is kept as a draft.
    assert "kept as your reply draft" not in from_file.stderr
    assert f"kept as your reply draft on ticket {number}" in typed.stderr
    assert kept_here(ui_desk, number) == LONG
    detail = load_ticket(ui_desk.db, number)
    assert (detail.status, len(detail.messages)) == ("open", 1)
    log = (tmp_path / "wmconsole.log").read_text(encoding="utf-8")
    assert "database or disk is full" in log and "Traceback" in log
