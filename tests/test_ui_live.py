"""Two consoles on one database: what one does shows in the other without a key
press (the change feed), the cursor stays on its ticket, and each sees who else
has a ticket open (presence)."""

from __future__ import annotations

import asyncio

from console import operations as ops
from console.desk import Desk
from console.reads.queue import Assignee, QueueFilter
from console.settings import Settings
from tests.support.desk import new_ticket
from tests.support.roster import open_test_database
from tests.support.ui import console_for, queue_row, screen_text, settle, type_text, until


def second_desk(desk: Desk) -> Desk:
    """Another console's own connection to the same database."""
    return Desk(db=open_test_database(str(desk.db.url)), settings=Settings(), clock=desk.clock)


async def test_a_take_and_a_reply_in_one_console_show_in_the_other(desk, clock):
    """On both backends: watchfiles and data_version on SQLite, LISTEN/NOTIFY on PostgreSQL."""
    from console.demo.generator import load_demo

    load_demo(desk, tickets=0, seed=1)
    number = new_ticket(desk, subject="Shared between two consoles")
    # Ivan watches everyone's tickets, so Olga's stay in his view when she takes them.
    ops.save_preference(
        desk, "queue_filter", QueueFilter(assignee=Assignee.anyone).as_json(), by="ivan"
    )
    other_desk = second_desk(desk)
    olga = console_for(desk, live=True)
    ivan = console_for(other_desk, login="ivan", live=True)
    try:
        async with (
            olga.run_test(size=(120, 30)) as olga_pilot,
            ivan.run_test(size=(160, 40)) as ivan_pilot,
        ):
            await settle(olga_pilot)
            await settle(ivan_pilot)
            assert "—" in queue_row(ivan, number)
            await olga_pilot.press("t")
            seconds = await until(ivan_pilot, lambda: "olga" in queue_row(ivan, number))
            assert seconds < 1.0
            await olga_pilot.press("r")
            await settle(olga_pilot)
            await type_text(olga_pilot, "Found it.")
            await olga_pilot.press("ctrl+s")
            await settle(olga_pilot)
            await olga_pilot.press("y")
            await until(ivan_pilot, lambda: "answered" in queue_row(ivan, number))
            # Ivan's preview re-read the ticket too.
            await until(
                ivan_pilot,
                lambda: (
                    ivan.screen.preview.detail is not None
                    and ivan.screen.preview.detail.status == "answered"
                ),
            )
    finally:
        other_desk.close()


async def test_the_cursor_stays_on_its_ticket_when_rows_above_come_and_go(ui_desk, clock):
    numbers = []
    for index in range(30):
        numbers.append(new_ticket(ui_desk, subject=f"ticket {index}"))
        clock.advance(minutes=1)
    other_desk = second_desk(ui_desk)
    app = console_for(ui_desk, live=True)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            view = app.screen.queue_view
            await pilot.press(*["j"] * 10)
            watched = view.current_row.number
            assert watched == numbers[10]
            # Ivan takes three tickets above it: they leave Olga's view (hers and nobody's).
            for number in numbers[:3]:
                ops.take(other_desk, number, by="ivan")
            await until(pilot, lambda: view.total == 27)
            await settle(pilot)
            assert view.current_row.number == watched
            assert view.cursor == 7
            # A new urgent ticket arrives above it.
            urgent = new_ticket(other_desk, subject="fraud!")
            ops.escalate(other_desk, urgent, "fraud", "deceived", by="ivan")
            await until(pilot, lambda: view.total == 28)
            await settle(pilot)
            assert view.current_row.number == watched
            assert view.cursor == 8
            # The highlighted ticket itself leaves the view: the cursor keeps its place.
            ops.take(other_desk, watched, by="ivan")
            await until(pilot, lambda: view.total == 27)
            await settle(pilot)
            assert view.cursor == 8
            assert view.current_row.number == numbers[11]
    finally:
        other_desk.close()


async def test_presence_shows_who_else_is_viewing_and_typing(ui_desk, clock):
    number = new_ticket(ui_desk, subject="Two operators, one ticket")
    other_desk = second_desk(ui_desk)
    olga = console_for(ui_desk, heartbeat=True)
    ivan = console_for(other_desk, login="ivan", heartbeat=True)
    try:
        async with olga.run_test(size=(160, 40)) as olga_pilot:
            async with ivan.run_test(size=(160, 40)) as ivan_pilot:
                await settle(olga_pilot)
                await settle(ivan_pilot)
                await ivan_pilot.press("enter")
                await settle(ivan_pilot)
                olga.beat()
                await until(olga_pilot, lambda: "ivan is viewing" in screen_text(olga))
                await ivan_pilot.press("r")
                await settle(ivan_pilot)
                await type_text(ivan_pilot, "Hello")
                await until(
                    olga_pilot,
                    lambda: "ivan is typing a reply" in screen_text(olga),
                    timeout=6,
                )
                # Olga opens the editor too: she sees him typing there as well.
                await olga_pilot.press("r")
                await settle(olga_pilot)
                await until(
                    olga_pilot, lambda: "ivan is typing a reply" in screen_text(olga), timeout=6
                )
                await olga_pilot.press("escape")
                await settle(olga_pilot)
            # Ivan's console closed: he is gone at once, not after the timeout.
            olga.beat()
            await until(olga_pilot, lambda: "ivan is" not in screen_text(olga), timeout=6)
    finally:
        other_desk.close()
    assert number


async def test_a_killed_console_drops_out_of_presence_by_age(ui_desk, clock):
    from console.reads import presence

    number = new_ticket(ui_desk)
    presence.heartbeat(
        ui_desk.db,
        console_id="killed",
        operator_id=ops.get_operator(ui_desk, "ivan").id,
        ticket_number=number,
        state=presence.PresenceState.typing,
        now=clock.now,
    )
    app = console_for(ui_desk, heartbeat=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.beat()
        await until(pilot, lambda: "ivan is typing a reply" in screen_text(app))
        clock.advance(seconds=presence.PRESENCE_TTL.total_seconds() + 1)
        app.beat()
        await until(pilot, lambda: "ivan is" not in screen_text(app))
    await asyncio.sleep(0)
