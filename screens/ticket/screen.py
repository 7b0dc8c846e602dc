"""One ticket, full screen: read the whole thread, work it, save an attachment,
jump to the customer's other tickets. Escape goes back to where you were."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll

from console.errors import DomainError
from console.failures import Failure
from console.mail.attachments import safe_filename, save_attachment_copy
from console.reads.ticket import AttachmentInfo, TicketDetail, load_ticket
from models import EscalationKind, Status
from screens.base import Reading
from screens.keymap import TICKET, bindings_for
from screens.messages import PresenceSeen, TicketsChanged, Whereabouts
from screens.outage import said_in_console
from screens.ticket.call import CallScreen
from screens.ticket.in_hand import TicketInHand
from screens.ticket.verbs import TicketActions
from screens.ticket.view import TicketView
from screens.widgets.dialogs import Field, FormDialog
from screens.widgets.key_bar import KeyBar


class TicketScreen(TicketActions):
    ACTION_SCREEN = TICKET
    BINDINGS = bindings_for(TICKET)
    OPENS_TAKEN = False

    class _Loaded(Reading[TicketDetail]):
        pass

    class _Refused(Reading[DomainError]):
        pass

    def __init__(self, number: int, search: str = "") -> None:
        super().__init__(classes="ticket-screen")
        self.number = number
        self.detail: TicketDetail | None = None
        # Opened from a search: its matches are marked, n/N step through them.
        self.search = search

    def compose(self) -> ComposeResult:
        desk = self.console.desk
        yield TicketView(policy=desk.sla, now=desk.now, id="ticket")
        yield KeyBar(TICKET)

    @property
    def view(self) -> TicketView:
        return self.query_one(TicketView)

    def on_mount(self) -> None:
        self.view.scroller.focus()
        self.view.show(None, message=f"Loading ticket {self.number}…")
        self.view.mark_matches(self.search)
        self._load()

    def show_ticket(self, number: int) -> None:
        """Another ticket in this view (J and K): the one shown stays until it is read."""
        self.number = number
        self._load()

    def action_log_call(self) -> None:
        """A call from this ticket's customer: found by what the ticket knows of them."""
        detail = self.detail
        caller = ""
        if detail is not None:
            caller = detail.customer_wmid or detail.customer_phone or detail.customer_purse or ""
        self.console.push_screen(CallScreen(caller=caller, number=self.number))

    def action_next_ticket(self) -> None:
        self.console.step_ticket(self.number, 1)

    def action_previous_ticket(self) -> None:
        self.console.step_ticket(self.number, -1)

    def default_mover(self) -> VerticalScroll:
        return self.view.scroller

    def _load(self) -> None:
        self.view.expect(self.number)
        self._read(self.number)

    @work(thread=True, exclusive=True, group="ticket-load", exit_on_error=False)
    def _read(self, number: int) -> None:
        try:
            detail = load_ticket(self.console.desk.db, number)
        except DomainError as error:
            self.post_message(self._Refused(error))
            return
        self.post_message(self._Loaded(detail))

    @on(_Refused)
    def _not_found(self, message: _Refused) -> None:
        self.console.refuse(message.value)
        if self.is_current:
            self.dismiss()

    @on(_Loaded)
    def _show(self, message: _Loaded) -> None:
        detail = message.value
        if detail.number != self.number:
            return
        first = self.detail is None or self.detail.number != detail.number
        self.detail = detail
        self.view.show(detail)
        self.sub_title = f"ticket {detail.number}"
        if first:
            self.console.beat()

    def whereabouts(self) -> Whereabouts:
        return Whereabouts(self.number)

    def reading_failed(self, failure: Failure) -> None:
        if self.detail is None:
            self.view.show(
                None, message=f"Ticket {self.number} is not loaded: {said_in_console(failure)}."
            )

    def reread(self) -> None:
        if self.detail is None:
            self._load()
        else:
            super().reread()

    @on(PresenceSeen)
    def _presence(self, event: PresenceSeen) -> None:
        self.view.show_presence(event.number, event.others)

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if self.detail is not None and event.touches(self.detail.id):
            self._load()

    def action_back(self) -> None:
        self.dismiss()

    # A search's matches: while they are marked, n and N step through them and
    # escape clears them; otherwise n is a note and escape goes back.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "previous_match", "clear_matches"):
            return bool(self.view.terms)
        return super().check_action(action, parameters)

    def action_next_match(self) -> None:
        self.view.step_match(1)

    def action_previous_match(self) -> None:
        self.view.step_match(-1)

    def action_clear_matches(self) -> None:
        self.search = ""
        self.view.mark_matches("")
        self.refresh_bindings()

    def action_block_review(self) -> None:
        """Opened from a ticket, the list starts on this ticket's request."""
        self.console.open_block_review(self.number)

    def action_reload(self) -> None:
        self._load()

    @on(TicketView.OtherTicketChosen)
    def _other_ticket(self, event: TicketView.OtherTicketChosen) -> None:
        self.console.open_ticket(event.number)

    @on(TicketView.AttachmentChosen)
    def _attachment_chosen(self, event: TicketView.AttachmentChosen) -> None:
        self._save(event.attachment)

    def action_save_attachment(self) -> None:
        attachment = self.view.highlighted_attachment
        if attachment is None:
            self.console.notify("This ticket has no attachments.", severity="warning")
            return
        self._save(attachment)

    @work(exclusive=True, group="ticket-action")
    async def _save(self, attachment: AttachmentInfo) -> None:
        app = self.console
        if not attachment.kept:
            app.notify(
                f"{safe_filename(attachment.filename)} was not kept: {attachment.refused_reason}",
                severity="warning",
                markup=False,
            )
            return
        suggested = Path.cwd() / safe_filename(attachment.filename)
        answer = await app.push_screen_wait(
            FormDialog(
                "Save a copy of the attachment",
                [Field("path", "To the file (or folder)", value=str(suggested))],
                submit="Save",
            )
        )
        if answer is None:
            return
        target = Path(answer["path"]).expanduser()
        try:
            saved = await app.in_thread(
                partial(save_attachment_copy, app.desk, attachment.id, target)
            )
        except DomainError as error:
            # A refusal, or the file system's failure (in_thread says it in a sentence).
            app.refuse(error)
            return
        app.done(f"Saved a copy to {saved}")

    # The ticket in hand -----------------------------------------------------------

    def ticket_in_hand(self) -> TicketInHand | None:
        detail = self.detail
        if detail is None:
            return None
        return TicketInHand(
            id=detail.id,
            number=detail.number,
            version=detail.version,
            status=Status(detail.status),
            escalations=[EscalationKind(kind) for kind in detail.escalation_kinds],
            assignee=detail.assignee,
        )

    def seen_event(self, number: int) -> int | None:
        detail = self.detail
        if detail is None or detail.number != number or not detail.audit:
            return None
        return detail.audit[-1].id

    def ticket_changed(self, number: int) -> None:
        # Every screen on the stack re-reads it: this one, and the queue underneath.
        ids = frozenset({self.detail.id}) if self.detail is not None else None
        self.console.broadcast_changes(ids)
