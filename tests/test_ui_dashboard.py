"""The supervisor's dashboard, driven by keys on real databases: its numbers equal
counts made here from the tables, a cell opens the queue filtered to it, another
process's commit shows without a key press, and an operator is refused."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import sqlalchemy as sa
from click.testing import CliRunner

from console.cli.main import main
from console.demo.generator import load_demo
from console.rules.labels import plural
from console.rules.queue_order import kinds_of
from models import ACTIVE_STATUSES, BlockRequest, BlockState, Service, Status
from screens.dashboard.open_work import LABEL_WIDTH, SERVICE_ROWS, STATUS_COLUMNS, OpenWorkMatrix
from screens.dashboard.screen import DashboardScreen
from screens.help_screen import keys_content
from screens.queue.screen import QueueScreen
from tests.support.oracle import tickets_plainly
from tests.support.roster import cli_db
from tests.support.ui import console_for, notifications, queue_lines, screen_text, settle, until


def _live_tickets(desk):
    return [t for t in tickets_plainly(desk) if t.status in ACTIVE_STATUSES]


def _matrix_lines(app) -> dict[str, list[str]]:
    """The open-work tile as drawn: each row's label and its numbers ('·' is 0)."""
    matrix = app.screen.query_one(OpenWorkMatrix)
    lines = matrix.render().plain.splitlines()
    return {line[:LABEL_WIDTH].strip(): line[LABEL_WIDTH:].split() for line in lines[1:]}


def _drawn_count(text: str) -> int:
    return 0 if text == "·" else int(text.replace(",", ""))


async def test_the_tiles_show_the_desk_as_counted_from_the_tables(desk, clock):
    load_demo(desk, tickets=250, seed=3)
    live = _live_tickets(desk)
    app = console_for(desk, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert screen.readings >= 1

        counted = Counter((t.service, t.status) for t in live)
        drawn = _matrix_lines(app)
        labels = list(drawn)
        for y, service in enumerate(SERVICE_ROWS[:-1]):
            numbers = drawn[labels[y]]
            for x, status in enumerate(STATUS_COLUMNS[:-1]):
                assert _drawn_count(numbers[x]) == counted[(service, status)], (service, status)
            assert _drawn_count(numbers[-1]) == sum(
                n for (sv, _), n in counted.items() if sv == service
            )
        assert _drawn_count(drawn["total"][-1]) == len(live)
        answered = sum(1 for t in live if t.status == Status.answered)
        assert (
            f"{len(live) - answered:,} waiting (new, open, on hold) · {answered:,} answered"
            in screen_text(app)
        )

        with desk.db.read() as session:
            waiting_blocks = session.execute(
                sa.select(sa.func.count())
                .select_from(BlockRequest)
                .where(BlockRequest.state == BlockState.requested)
            ).scalar_one()
        blocks = screen.query_one("#block-requests")
        assert blocks.row_count == waiting_blocks
        kinds = Counter(kind.value for t in live for kind in kinds_of(t.escalation_flags))
        escalations = screen.query_one("#escalations")
        for row in range(escalations.row_count):
            kind, tickets = (str(cell) for cell in escalations.get_row_at(row))
            assert int(tickets.replace(",", "")) == kinds[kind]

        oldest = sorted(
            (t for t in live if t.waiting_since is not None), key=lambda t: t.waiting_since
        )
        table = screen.query_one("#oldest")
        assert str(table.get_row_at(0)[0]) == str(oldest[0].number)

        # Down to transfers, right to "open", and Enter: the queue, filtered to it.
        service_row = SERVICE_ROWS.index(Service.transfers)
        await pilot.press(*["j"] * service_row, "l")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        view = app.screen.queue_view
        assert view.filter.services == frozenset({Service.transfers})
        assert view.filter.statuses == frozenset({Status.open})
        assert view.total == counted[(Service.transfers, Status.open)]
        shown = [line for line in queue_lines(app)[1:] if line.strip()]
        assert len(shown) == min(view.total, view.row_count)
        assert all(" transfers " in line and " open " in line for line in shown)

        # D again, Tab to the oldest waiting tickets, Enter opens the oldest.
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("tab", "tab", "tab", "tab")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.number == oldest[0].number


async def test_another_process_committing_updates_the_dashboard_without_a_key(desk, clock):
    load_demo(desk, tickets=60, seed=4)
    app = console_for(desk, login="irina", live=True, start_on_dashboard=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        before = screen.query_one(OpenWorkMatrix).count(Service.cards, Status.new)
        readings = screen.readings
        subprocess.run(
            [
                sys.executable,
                "-m",
                "console.cli",
                "--db",
                cli_db(desk.db.url.render_as_string(hide_password=False), ["ticket", "new"]),
                "ticket",
                "new",
                "--service",
                "cards",
                "--subject",
                "Card linked without my knowledge",
                "--email",
                "owner@example.com",
                "--wmid",
                "123456789012",
                "--text",
                "Someone linked a card to my purse.",
            ],
            check=True,
            capture_output=True,
        )
        matrix = screen.query_one(OpenWorkMatrix)
        await until(pilot, lambda: matrix.count(Service.cards, Status.new) == before + 1)
        assert screen.readings > readings
        drawn = _matrix_lines(app)
        assert _drawn_count(drawn["cards"][0]) == before + 1


async def test_an_operator_is_told_why_there_is_no_dashboard(ui_demo):
    app = console_for(ui_demo, login="olga")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "Dashboard" not in screen_text(app).splitlines()[-1]
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert any("takes a supervisor or a security officer" in n for n in notifications(app))
    keys = keys_content({}, app.operator.role, "queue").plain
    dashboard_line = next(line for line in keys.splitlines() if "Dashboard" in line)
    assert "a supervisor or a security officer only" in dashboard_line


def test_wmconsole_dashboard_refuses_an_operator(ui_demo):
    url = ui_demo.db.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--db", url, "dashboard", "--as", "olga"])
    assert result.exit_code == 4
    assert "olga is an operator" in result.stderr
    assert "supervisor dashboard" in result.stderr


async def test_a_narrow_title_keeps_what_needs_acting_on(ui_demo):
    """At 80 columns the title drops the gloss and the answered count (they are in
    the open work), never what is past SLA or the blocks waiting for a decision."""
    app = console_for(ui_demo, login="sergey")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        stats = app.screen.stats
        breached = sum(stats.breached.values())
        blocks = len(stats.block_requests)
        title = str(app.screen.query_one("#dash-title").render())

        assert f"{stats.waiting_total:,} waiting · {breached:,} past SLA" in title
        to_decide = f"{plural(blocks, 'block')} to decide" + (" (B)" if blocks else "")
        assert title.rstrip().endswith(to_decide)
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        wide = str(app.screen.query_one("#dash-title").render())
        assert f"{stats.answered_total:,} answered" in wide and "(new, open, on hold)" in wide
