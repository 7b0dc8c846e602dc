"""What the console looks like: the queue, a ticket, the reply editor and the help,
at 80x24 and 160x48, on a reproducible demo desk (fixed clock and seed, cursor
blink off, every read finished before the picture). Review changes with
`pytest tests/test_ui_snapshots.py --snapshot-update` and the HTML report."""

from __future__ import annotations

import pytest

from console import operations as ops
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
from models import Status
from tests.support.desk import new_ticket
from tests.support.ui import console_for, settle, type_text

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def steps(*keys: str, text: str = "", then: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if text:
            await type_text(pilot, text)
            await settle(pilot)
        for key in then:
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


def test_ticket_scrolled_keeps_its_head(snap_compare, ui_demo):
    """At 80x24 the number, subject, status and holder stay while the thread scrolls."""
    third = Queue(ui_demo.db, viewer_id_for(ui_demo.db, "olga")).page(QueueFilter(), ui_demo.now())[
        2
    ]
    lines = "\n".join(f"{step}. checked with the bank" for step in range(1, 16))
    ops.note(ui_demo, third.number, lines, by="ivan")
    assert snap_compare(
        console_for(ui_demo), terminal_size=(80, 24), run_before=steps("j", "j", "enter", "ctrl+d")
    )


def test_queue_sorted_by_age_without_the_wmid(snap_compare, ui_demo):
    assert snap_compare(
        console_for(ui_demo), terminal_size=(160, 48), run_before=steps("o", "c", "G", "k", "space")
    )


@pytest.mark.parametrize("size", SIZES)
def test_hotline_call(snap_compare, ui_demo, size):
    everything = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone)
    rows = Queue(ui_demo.db, None).page(everything, ui_demo.now())
    wmid = next(row.customer_wmid for row in rows if row.customer_wmid)
    assert snap_compare(
        console_for(ui_demo), terminal_size=size, run_before=steps("L", text=f"{wmid}\n")
    )


@pytest.mark.parametrize("size", SIZES)
def test_reply_editor(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo),
        terminal_size=size,
        run_before=steps("j", "r", text="Good afternoon! We have checked your payment."),
    )


@pytest.mark.parametrize("size", SIZES)
def test_send_confirmation(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo),
        terminal_size=size,
        run_before=steps("j", "r", text="We have checked your payment.", then=("ctrl+n",)),
    )


@pytest.mark.parametrize("size", SIZES)
def test_macro_picker(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo), terminal_size=size, run_before=steps("j", "enter", "m")
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


@pytest.mark.parametrize("size", SIZES)
def test_macros(snap_compare, ui_demo, size):
    assert snap_compare(
        console_for(ui_demo, login="sergey"), terminal_size=size, run_before=steps("C", "m", "j")
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
        run_before=steps("slash", text="карты", then=("enter", "j", "enter", "n")),
    )
