"""`L`: a hotline call, logged while the caller is still on the line. Type what
they give — their WMID, a purse of theirs or the number they call from — and
their tickets are listed, newest first; pick one and write what they said (it
goes into its thread as a call, by you, now), or open a ticket for them. An
urgent call raises the hotline escalation; a caller asking for a fraudster's
WMID to be blocked makes their written ticket the most urgent work there is.
"""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from console import operations
from console.errors import DomainError, InvalidInput
from console.reads.callers import CallerTicket, find_caller
from console.rules import validation
from console.rules.labels import SERVICE_LABELS, label, plural
from console.untrusted import one_line
from models import Service, Status
from screens.base import ConsoleScreen, Reading
from screens.keymap import HOTLINE, bindings_for
from screens.widgets.check_list import CheckList
from screens.widgets.dialogs import Choice, ChoiceDialog, Field, FormDialog
from screens.widgets.key_bar import KeyBar

NEW_TICKET = "new"
URGENT = "urgent"
BLOCK = "block"


def caller_ticket_content(ticket: CallerTicket) -> Content:
    return Content.assemble(
        (f"{ticket.number}", "bold"),
        (f"  {label(ticket.status, Status):<11} {label(ticket.service, Service):<13} ", "dim"),
        (f"{one_line(ticket.assignee) or '—':<8}  ", "italic dim"),
        one_line(ticket.subject),
    )


class CallScreen(ConsoleScreen):
    ACTION_SCREEN = HOTLINE
    BINDINGS = bindings_for(HOTLINE)

    class _Found(Reading[list[CallerTicket]]):
        pass

    class _Refused(Reading[DomainError]):
        pass

    def __init__(self, *, caller: str = "", number: int | None = None) -> None:
        super().__init__(classes="call-screen")
        self.caller = caller
        # The ticket the call was logged from: picked first when it is the caller's.
        self.number = number
        self.found: list[CallerTicket] = []

    def compose(self) -> ComposeResult:
        yield Static(id="call-title")
        with Vertical(id="call-body"):
            with Horizontal(classes="call-line"):
                yield Label(Content("Caller "), classes="call-label")
                yield Input(
                    self.caller, placeholder="WMID, purse or phone — enter finds", id="call-caller"
                )
            yield Static(Content("Type what the caller gives you."), id="call-found")
            yield OptionList(id="call-tickets")
            with Horizontal(classes="call-line"):
                yield Label(Content("Phone  "), classes="call-label")
                yield Input(placeholder="the number they call from (caller ID)", id="call-phone")
            yield Label(Content("What they said"), classes="call-label")
            note = TextArea(id="call-note", soft_wrap=True, tab_behavior="focus")
            note.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield note
            yield CheckList[str](id="call-flags")
        yield KeyBar(HOTLINE)

    def on_mount(self) -> None:
        app = self.console
        self.query_one("#call-title", Static).update(
            Content.assemble(
                ("Log a hotline call", "bold"),
                ("  ·  taken by ", "dim"),
                app.login,
                ("  ·  ", "dim"),
                f"{app.desk.now():%a %H:%M} GMT",
            )
        )
        flags = self.query_one(CheckList)
        flags.add_option((Content("urgent — raises the hotline escalation"), URGENT))
        flags.add_option(
            (
                Content("asks for a fraudster's WMID to be blocked (needs their written request)"),
                BLOCK,
            )
        )
        flags.highlighted = 0
        caller = self.query_one("#call-caller", Input)
        caller.focus()
        if self.caller:
            self._find(self.caller)

    def default_mover(self) -> OptionList:
        return self.query_one("#call-tickets", OptionList)

    # Finding the caller ----------------------------------------------------------------

    @on(Input.Submitted, "#call-caller")
    def _caller_given(self, event: Input.Submitted) -> None:
        event.stop()
        self._find(event.value)

    @work(thread=True, exclusive=True, group="call-find", exit_on_error=False)
    def _find(self, text: str) -> None:
        try:
            found = find_caller(self.console.desk.db, text)
        except InvalidInput as error:
            self.post_message(self._Refused(error))
            return
        self.post_message(self._Found(found))

    @on(_Refused)
    def _not_a_caller(self, message: _Refused) -> None:
        self.console.refuse(message.value)

    @on(_Found)
    def _show_found(self, message: _Found) -> None:
        self.found = message.value
        tickets = self.query_one("#call-tickets", OptionList)
        options = [Option(Content("+ Open a new ticket for this caller"), id=NEW_TICKET)]
        options.extend(Option(caller_ticket_content(t), id=str(t.number)) for t in self.found)
        tickets.set_options(options)
        numbers = [t.number for t in self.found]
        # The ticket it was logged from, else the newest, else "open a new one".
        if self.number in numbers:
            tickets.highlighted = numbers.index(self.number) + 1
        else:
            tickets.highlighted = min(len(options) - 1, 1)
        words = (
            f"{plural(len(self.found), 'ticket')} of this caller, newest first — pick the one "
            "the call is about, or open a new one"
            if self.found
            else "No ticket of this caller yet: the call opens one."
        )
        self.query_one("#call-found", Static).update(Content(words))
        phone = next((t.customer_phone for t in self.found if t.customer_phone), None)
        phone_input = self.query_one("#call-phone", Input)
        if phone and not phone_input.value:
            phone_input.value = phone
        tickets.focus()

    @on(OptionList.OptionSelected, "#call-tickets")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        """Enter on a ticket (or on "open a new one"): on to what they said."""
        event.stop()
        self.query_one("#call-note", TextArea).focus()

    # Logging it ------------------------------------------------------------------------

    def _chosen(self) -> str | None:
        tickets = self.query_one("#call-tickets", OptionList)
        if tickets.highlighted is None:
            return None
        return tickets.get_option_at_index(tickets.highlighted).id

    @work(exclusive=True, group="call-save")
    async def action_save_call(self) -> None:
        app = self.console
        chosen = self._chosen()
        note = self.query_one("#call-note", TextArea).text
        if chosen is None:
            app.notify(
                "Find the caller first: their WMID, a purse or their phone.", severity="warning"
            )
            return
        flags = set(self.query_one(CheckList).selected)
        phone = self.query_one("#call-phone", Input).value.strip() or None
        try:
            if chosen == NEW_TICKET:
                logged = await self._open_ticket(note, phone, flags)
                if logged is None:
                    return
            else:
                logged = await app.in_thread(
                    partial(
                        operations.log_call,
                        app.desk,
                        int(chosen),
                        note,
                        by=app.login,
                        phone=phone,
                        urgent=URGENT in flags,
                        block=BLOCK in flags,
                    )
                )
        except DomainError as error:
            app.refuse(error)
            return
        raised = ", ".join(label(kind) for kind in logged.escalations)
        verb = "Opened" if logged.opened else "Call logged on"
        app.done(f"{verb} {logged.number}" + (f"; escalated: {raised}." if raised else "."))
        app.broadcast_changes(None)
        self.dismiss()
        app.open_ticket(logged.number)

    async def _open_ticket(
        self, note: str, phone: str | None, flags: set[str]
    ) -> operations.CallLogged | None:
        """What a new ticket needs that a call does not give: the service, a
        subject, where answers go."""
        app = self.console
        service = await app.push_screen_wait(
            ChoiceDialog(
                "The call is about",
                [Choice(service, SERVICE_LABELS[service]) for service in Service],
            )
        )
        if service is None:
            return None
        given = self.query_one("#call-caller", Input).value.strip().replace(" ", "")
        wmid = given if validation.WMID_PATTERN.fullmatch(given) else ""
        answer = await app.push_screen_wait(
            FormDialog(
                "A ticket for the caller",
                [
                    Field("subject", "Subject", "what the call is about, in a line"),
                    Field("wmid", "Their WMID", "12 digits", value=wmid, required=False),
                    Field("email", "Their e-mail (if no WMID)", required=False),
                    Field("name", "Their name", required=False),
                ],
                note="Answers go by WM Keeper to the WMID, else by e-mail. You will hold it.",
                submit="Open",
            )
        )
        if answer is None:
            return None
        caller = operations.Caller(
            phone=phone, wmid=answer["wmid"], email=answer["email"], name=answer["name"]
        )
        return await app.in_thread(
            partial(
                operations.open_call_ticket,
                app.desk,
                by=app.login,
                service=service,
                subject=answer["subject"],
                note=note,
                caller=caller,
                urgent=URGENT in flags,
                block=BLOCK in flags,
            )
        )

    def action_back(self) -> None:
        self.dismiss()
