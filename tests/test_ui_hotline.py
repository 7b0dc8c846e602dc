"""L: a hotline call logged while the caller is on the line — found by WMID,
purse or phone, noted on their ticket or opened as a new one, escalated when
urgent — and help with each hotline's hours."""

from __future__ import annotations

from console.reads.callers import callers_tickets
from console.reads.ticket import load_ticket
from screens.ticket.screen import TicketScreen
from tests.support.desk import new_ticket
from tests.support.ui import console_for, said, screen_text, settle, type_text


async def test_a_call_is_found_by_phone_and_noted_on_the_ticket_picked(ui_desk):
    older = new_ticket(ui_desk, subject="Payment not delivered", phone="+74957274333")
    newer = new_ticket(ui_desk, subject="Card blocked", phone="+74957274333")
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await type_text(pilot, "+7 495 727-43-33\n")
        await settle(pilot)
        text = screen_text(app)
        assert "2 tickets of this caller" in text
        assert text.index(str(newer)) < text.index(str(older))
        await pilot.press("j", "enter")  # the older ticket, and on to the note
        await type_text(pilot, "Still waiting for the money")
        await pilot.press("tab", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.number == older
        detail = load_ticket(ui_desk.db, older)
        call = detail.messages[-1]
        assert (call.channel, call.author, call.body) == (
            "phone",
            "olga",
            "Still waiting for the money",
        )
        assert detail.escalation_kinds == ["hotline"]
        assert said(app, f"Call logged on {older}; escalated: hotline.")
        assert "Call  olga · by phone" in screen_text(app)


async def test_a_caller_with_no_ticket_gets_one_held_by_whoever_took_the_call(ui_desk):
    app = console_for(ui_desk, login="ivan")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await type_text(pilot, "111122223333\n")
        await settle(pilot)
        assert "No ticket of this caller yet" in screen_text(app)
        await pilot.press("tab")
        await type_text(pilot, "+7 916 123 45 67")
        await pilot.press("tab")
        await type_text(pilot, "Cannot log in to Keeper")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # the service: the first, Keeper
        await settle(pilot)
        await type_text(pilot, "Keeper login\n\n\nAnna\n")
        await settle(pilot)
        found = callers_tickets(ui_desk.db, wmid="111122223333")
        assert len(found) == 1
        detail = load_ticket(ui_desk.db, found[0].number)
        assert (detail.assignee, detail.source, detail.customer_phone) == (
            "ivan",
            "phone",
            "+79161234567",
        )
        assert (detail.service, detail.subject, detail.customer_name) == (
            "keeper",
            "Keeper login",
            "Anna",
        )
        assert isinstance(app.screen, TicketScreen)


async def test_from_a_ticket_the_call_starts_on_its_customer(ui_desk):
    number = new_ticket(ui_desk, wmid="123456789012")
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "L")
        await settle(pilot)
        assert "123456789012" in screen_text(app)
        assert app.screen.query_one("#call-tickets").highlighted == 1
        assert app.screen._chosen() == str(number)


async def test_help_shows_each_hotline_with_its_hours(ui_desk, clock):
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        russia = next(line for line in lines if "+7 495 727-43-33" in line)
        ukraine = next(line for line in lines if "0 800 30-94-60" in line)
        assert "open now" in russia and "round the clock" in russia
        # Wednesday 10:00 GMT is 12:00 in Kyiv.
        assert "open now" in ukraine
        assert "Monday–Friday 09:00–23:00, Saturday 09:00–18:00, Kyiv time" in ukraine
        assert any("+375 17 388-57-57" in line and "not known" in line for line in lines)
