"""What the console looks like: the queue, a ticket, the reply editor and the help,
at 80x24 and 160x48, on a reproducible demo desk (fixed clock and seed, cursor
blink off, every read finished before the picture). Review changes with
`pytest tests/test_ui_snapshots.py --snapshot-update` and the HTML report."""

from __future__ import annotations

import pytest

from console import operations as ops
from console.reads.queue import Assignee, Queue, QueueFilter
from models import Status
from tests.support.desk import new_ticket
from tests.support.ui import console_for, settle, type_text

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def steps(*keys: str, text: str = "", keys_after: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if text:
            await type_text(pilot, text)
            await settle(pilot)
        for key in keys_after:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_queue(snap_compare, ui_demo, size):
    assert snap_compare(console_for(ui_demo), terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES)
def test_ticket(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo), terminal_size=size, run_before=steps("j", "j", "enter")
    )


@pytest.mark.parametrize("size", SIZES)
def test_reply_editor(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo),
        terminal_size=size,
        run_before=steps("j", "r", text="Good afternoon! We have checked your payment."),
    )


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, ui_demo, size):
    assert snap_compare(console_for(ui_demo), terminal_size=size, run_before=steps("question_mark"))


def test_queue_in_the_light_theme(snap_compare, ui_demo):
    app = console_for(ui_demo)
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=(160, 48), run_before=steps("j", "j", "j"))


def test_filters(snap_compare, ui_demo):
    assert snap_compare(console_for(ui_demo), terminal_size=(100, 32), run_before=steps("f"))


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo, login="sergey"), terminal_size=size, run_before=steps("D")
    )


def test_dashboard_in_the_light_theme(snap_compare, ui_demo):
    app = console_for(ui_demo, login="sergey")
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=(160, 48), run_before=steps("D", "j", "l"))


@pytest.fixture
def ui_blocks(ui_demo, clock):
    """The demo desk with three block requests waiting, one of them elena's own."""
    rows = Queue(ui_demo.db, None).page(
        QueueFilter(assignee=Assignee.anyone, statuses=frozenset({Status.open})),
        clock.now,
        limit=3,
    )
    for row, (wmid, by) in zip(
        rows,
        [("100200300400", "olga"), ("500600700800", "elena"), ("900800700600", "ivan")],
        strict=True,
    ):
        ops.request_block(ui_demo, row.number, wmid, f"took the money, says {by}'s customer", by=by)
        clock.advance(minutes=7)
    return ui_demo


@pytest.mark.parametrize("size", SIZES)
def test_block_requests(snap_compare, ui_blocks, size):
    assert snap_compare(
        console_for(ui_blocks, login="elena"), terminal_size=size, run_before=steps("B")
    )


@pytest.mark.parametrize("size", SIZES)
def test_template_editor(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo, login="sergey"), terminal_size=size, run_before=steps("C", "j")
    )


def test_a_search_marked_in_the_queue_and_the_thread(snap_compare, ui_desk):
    """The search's word forms marked in the subjects and, in the ticket opened
    from it, in the thread, the current match apart, the count over the thread."""
    number = new_ticket(ui_desk, subject="Карта заблокирована", body="Моя карта не работает")
    new_ticket(ui_desk, subject="Привязать карту", body="Как привязать вторую карту?")
    ops.reply(ui_desk, number, "Пришлите фото карты с двух сторон.", by="olga")
    assert snap_compare(
        console_for(ui_desk),
        terminal_size=(100, 40),
        run_before=steps("slash", text="карты", keys_after=("enter", "j", "enter", "n")),
    )
