"""Writing to the customer (r) or an internal note (n).

What is typed is saved to the database a moment after each pause, so a
killed terminal loses nothing: reopening the ticket's editor brings the draft
back, with the ticket version and the last audit event its writer had seen,
and the macro applied to it. The conversation beside the text follows the
ticket live: a colleague's note or reply appears as it is committed, marked
new. Before a reply goes out one confirmation shows all of it and all that
happened since the draft began (sending.py); ctrl+t offers the macros and
templates, a template going in as a paragraph of its own.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static, TextArea

from console.errors import DomainError
from console.failures import Failure
from console.reads.ticket_detail import ThreadMessage, TicketDetail
from console.untrusted import one_line
from models import DraftKind, PresenceState
from screens.base import TWO_COLUMNS, ConsoleScreen, Reading
from screens.keymap import EDITOR, bindings_for
from screens.messages import PresenceSeen, TicketsChanged, Whereabouts
from screens.outage import said_in_console
from screens.ticket.canned import (
    Canned,
    as_paragraph,
    filled,
    follow_up_of,
    pick_canned,
    read_canned,
)
from screens.ticket.draft_keeping import DraftKeeping, not_sent
from screens.ticket.editor_lines import (
    channel_content,
    holder_content,
    macro_content,
    since_content,
)
from screens.ticket.editor_thread import LiveThread
from screens.ticket.in_hand import take_next_and_open
from screens.ticket.sending import (
    SEND,
    SEND_KEYS,
    VARIANTS,
    Outgoing,
    SendVariant,
    send_reply,
    sent_words,
)
from screens.ticket.view import presence_content
from screens.widgets.dialogs import ConfirmDialog
from screens.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from console.operations import MacroInfo
    from console.operations.staff import SavedDraft
    from console.reads.news import TicketNews

DRAFT_DELAY = 0.3
# Typing, for the others' presence line, until this long after the last key.
TYPING_SECONDS = 5.0


class ReplyEditor(ConsoleScreen):
    ACTION_SCREEN = EDITOR
    BINDINGS = bindings_for(EDITOR)
    # The conversation beside the text when wide; above it when narrower.
    HORIZONTAL_BREAKPOINTS = TWO_COLUMNS

    class _Loaded(Reading[TicketDetail]):
        def __init__(
            self, detail: TicketDetail, draft: SavedDraft | None, macro: MacroInfo | None
        ) -> None:
            super().__init__(detail)
            self.draft = draft
            self.macro = macro

    class _Refused(Reading[DomainError]):
        pass

    class _Followed(Reading["TicketNews"]):
        def __init__(self, news: TicketNews, messages: list[ThreadMessage]) -> None:
            super().__init__(news)
            self.messages = messages

    def __init__(
        self, number: int, kind: DraftKind = DraftKind.reply, *, canned: Canned | None = None
    ) -> None:
        super().__init__(classes="reply-editor")
        self.number = number
        self.kind = kind
        self.detail: TicketDetail | None = None
        # The version the reply was started on, and the last audit event its writer
        # had seen then: before sending, everything after it is shown.
        self.base_version: int | None = None
        self.seen_event: int | None = None
        # A macro applied to the reply: its other actions go with it.
        self.macro: MacroInfo | None = None
        # A canned answer chosen before the editor opened (m on a ticket).
        self._canned = canned
        self._saved = ""
        self._wanted = ""
        self._save_lock = threading.Lock()
        self._save_timer: Timer | None = None
        self._last_key = 0.0
        self._keeping = DraftKeeping(self, number)

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    @property
    def thread(self) -> LiveThread:
        return self.query_one(LiveThread)

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Ticket {self.number}"), id="editor-head")
        with Container(id="editor-panes"):
            # The conversation so far, newest at the bottom: what is being answered.
            yield LiveThread(id="editor-thread")
            with Vertical(id="editor-write"):
                yield Static(id="editor-channel")
                yield Static(id="editor-holder")
                yield Static(id="editor-presence")
                yield Static(id="editor-macro")
                yield Static(id="editor-changed")
                text = TextArea(
                    id="editor-text", soft_wrap=True, tab_behavior="focus", read_only=True
                )
                text.cursor_blink = getattr(self.app, "cursor_blink", True)
                yield text
        yield KeyBar(EDITOR)

    def on_mount(self) -> None:
        for line in ("#editor-holder", "#editor-presence", "#editor-macro", "#editor-changed"):
            self.query_one(line).display = False
        self._load()

    # Loading -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="editor-load", exit_on_error=False)
    def _load(self) -> None:
        from console import operations
        from console.reads.ticket import load_ticket

        app = self.console
        try:
            detail = load_ticket(app.desk.db, self.number)
            draft = self._keeping.newest(operations.draft_for(app.desk, self.number, by=app.login))
            macro = None
            if draft is not None and draft.macro_id is not None:
                macro = operations.get_macro(app.desk, draft.macro_id)
        except DomainError as error:
            self.post_message(self._Refused(error))
            return
        self.post_message(self._Loaded(detail, draft, macro))

    def reading_failed(self, failure: Failure) -> None:
        if self.detail is None:
            self.query_one("#editor-head", Static).update(
                Content(f"Ticket {self.number} is not loaded: {said_in_console(failure)}.")
            )

    def reread(self) -> None:
        if self.detail is None:
            self._load()
        else:
            super().reread()

    @on(_Refused)
    def _not_found(self, message: _Refused) -> None:
        self.console.refuse(message.value)
        self.dismiss()

    @on(_Loaded)
    def _loaded(self, message: _Loaded) -> None:
        detail, draft = message.value, message.draft
        self.detail = detail
        text = self.text_area
        if draft is not None:
            self.kind = draft.kind
            self.base_version = draft.ticket_version
            self.seen_event = draft.seen_event
            self.macro = message.macro
            self._saved = self._wanted = draft.body
            text.load_text(draft.body)
            self.console.notify(
                f"Your {draft.kind.value} draft on {self.number} is back.", markup=False
            )
        else:
            self.base_version = detail.version
            self.seen_event = detail.audit[-1].id if detail.audit else 0
        self.thread.show(detail.messages)
        text.read_only = False
        text.move_cursor(text.document.end)
        text.focus()
        self._show_head()
        self.console.beat()
        if draft is not None:
            self._follow()
        if self._canned is not None:
            self._use(self._canned)

    def _show_head(self) -> None:
        detail = self.detail
        if detail is None:
            return
        verb = "Reply to" if self.kind == DraftKind.reply else "Internal note on"
        self.query_one("#editor-head", Static).update(
            Content.assemble(
                (f"{verb} ticket {detail.number}", "bold"), "  ", one_line(detail.subject)
            )
        )
        self.query_one("#editor-channel", Static).update(channel_content(detail, self.kind))
        self.set_class(self.kind == DraftKind.note, "-note")
        self._show_holder(detail.assignee)
        self._show_macro()

    def _show_holder(self, holder: str | None) -> None:
        """Whose the ticket is, when a reply would change that or go over it."""
        line = self.query_one("#editor-holder", Static)
        line.display = self.kind == DraftKind.reply and holder != self.console.login
        line.set_class(holder is not None, "-held")
        line.update(holder_content(holder))

    def _show_macro(self) -> None:
        line = self.query_one("#editor-macro", Static)
        does = follow_up_of(self.macro, self.detail) if self.detail else None
        line.display = does is not None and self.kind == DraftKind.reply
        if does is not None and self.macro is not None:
            line.update(macro_content(self.macro, does))

    # The draft ------------------------------------------------------------------------

    @on(TextArea.Changed, "#editor-text")
    def _typed(self, event: TextArea.Changed) -> None:
        if self.detail is None:
            return
        was_typing = self._typing
        self._last_key = time.monotonic()
        self._wanted = event.text_area.text
        if not was_typing:
            self.console.beat()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(DRAFT_DELAY, self._save_soon)

    @property
    def _typing(self) -> bool:
        return time.monotonic() - self._last_key < TYPING_SECONDS

    def _save_soon(self) -> None:
        if self._wanted != self._saved:
            self.run_worker(self._save_draft, thread=True, group="draft", exit_on_error=False)

    def _save_draft(self) -> None:
        """Whoever holds the lock last writes the latest text: saves never go
        backwards. What the database cannot take is kept on this host."""
        with self._save_lock:
            body, kind, version = self._wanted, self.kind, self.base_version
            if version is None:
                return
            macro_id = self.macro.id if self.macro else None
            if self._keeping.save(body, kind, version, self.seen_event, macro_id):
                self._saved = body

    async def _save_now(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        await self.console.in_thread(self._save_draft)

    def on_unmount(self) -> None:
        # The app is closing with the editor open: what was typed is kept.
        if self.detail is not None and self._wanted != self._saved:
            self._save_draft()

    def whereabouts(self) -> Whereabouts:
        state = PresenceState.typing if self._typing else PresenceState.viewing
        return Whereabouts(self.number, state)

    @on(PresenceSeen)
    def _presence(self, event: PresenceSeen) -> None:
        if event.number != self.number:
            return
        widget = self.query_one("#editor-presence", Static)
        widget.update(presence_content(event.others))
        widget.display = bool(event.others)
        widget.set_class(any(other.typing for other in event.others), "-typing")

    # Following the ticket ---------------------------------------------------------

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if self.detail is not None and event.touches(self.detail.id):
            self._follow()

    @work(thread=True, exclusive=True, group="editor-follow", exit_on_error=False)
    def _follow(self) -> None:
        """What others wrote or changed since the draft began, and the messages
        the conversation beside the text has not shown yet."""
        from console.reads.news import messages_after, news_since

        if self.base_version is None:
            return
        app = self.console
        news = news_since(
            app.desk.db,
            self.number,
            since_event=self.seen_event,
            since_version=self.base_version,
            viewer=app.login,
        )
        messages = messages_after(app.desk.db, self.number, self.thread.last_id)
        self.post_message(self._Followed(news, messages))

    @on(_Followed)
    def _followed(self, message: _Followed) -> None:
        news = message.value
        self.thread.add_new(message.messages)
        self._show_holder(news.assignee)
        banner = self.query_one("#editor-changed", Static)
        banner.display = news.changed
        if news.changed:
            banner.update(since_content(news))

    # Sending ------------------------------------------------------------------------

    def action_send(self) -> None:
        self._send(SEND)

    def action_send_next(self) -> None:
        self._send(VARIANTS["next"])

    def action_send_hold(self) -> None:
        self._send(VARIANTS["hold"])

    def action_send_archive(self) -> None:
        self._send(VARIANTS["archive"])

    @work(exclusive=True, group="editor-action")
    async def _send(self, variant: SendVariant) -> None:
        app = self.console
        body = self.text_area.text
        if self.detail is None:
            return
        if not body.strip():
            app.notify("Nothing to send yet.", severity="warning", markup=False)
            return
        await self._save_now()
        if self.kind == DraftKind.note:
            await self._add_note(body)
            return
        outgoing = self._outgoing(body, variant)
        try:
            sent = await send_reply(app, outgoing)
        except DomainError as error:
            self._not_sent(error)
            return
        if not sent:
            self.text_area.focus()
            return
        self._finished(sent_words(outgoing))
        if variant.opens_next:
            app.run_worker(take_next_and_open(app, in_place=True), group="open-next")

    def _outgoing(self, body: str, variant: SendVariant) -> Outgoing:
        assert self.detail is not None and self.base_version is not None
        return Outgoing(
            detail=self.detail,
            body=body,
            base_version=self.base_version,
            seen_event=self.seen_event,
            variant=variant,
            follow_up=follow_up_of(self.macro, self.detail),
        )

    async def _add_note(self, body: str) -> None:
        from console import operations

        app = self.console
        try:
            await app.in_thread(partial(operations.note, app.desk, self.number, body, by=app.login))
        except DomainError as error:
            self._not_sent(error)
            return
        self._finished(f"Note added to {self.number}.")

    def _not_sent(self, error: DomainError) -> None:
        not_sent(self.console, error)
        self.text_area.focus()

    def _finished(self, message: str) -> None:
        app = self.console
        self._keeping.sent()
        self._saved = self._wanted = ""
        app.done(message)
        if self.detail is not None:
            app.broadcast_changes(frozenset({self.detail.id}))
        self.dismiss()

    # Canned answers ----------------------------------------------------------------

    @work(exclusive=True, group="editor-action")
    async def action_template(self) -> None:
        app = self.console
        detail = self.detail
        if detail is None:
            return
        canned = await app.in_thread(partial(read_canned, app.desk, detail))
        picked = await pick_canned(app, detail, canned, "Macros and templates", SEND_KEYS)
        self.text_area.focus()
        if picked is None:
            return
        self._use(picked.value)
        if picked.intent:
            self._send(VARIANTS[picked.intent])

    def _use(self, canned: Canned) -> None:
        """A template goes in as a paragraph of its own; a macro too, and its
        other actions will go with the reply."""
        assert self.detail is not None
        text = self.text_area
        if canned.macro is not None:
            self.macro = canned.macro
            if self.kind == DraftKind.note:
                self.kind = DraftKind.reply
            self._show_head()
        row, column = text.cursor_location
        insert, row, column = as_paragraph(
            text.document.lines, row, column, filled(canned.body, self.detail)
        )
        result = text.insert(insert, (row, column))
        text.move_cursor(result.end_location)
        self._saved = ""

    def action_switch_kind(self) -> None:
        self.kind = DraftKind.note if self.kind == DraftKind.reply else DraftKind.reply
        self._show_head()
        if self._wanted.strip():
            self._saved = ""
            self._save_soon()

    @work(exclusive=True, group="editor-action")
    async def action_discard(self) -> None:
        app = self.console
        if self.text_area.text.strip() and not await app.push_screen_wait(
            ConfirmDialog(
                "Throw the draft away?",
                "What you wrote on this ticket is deleted, and the macro with it; "
                "this cannot be undone.",
                confirm="Discard",
                danger=True,
            )
        ):
            return
        self._wanted = ""
        self.macro = None
        await self._save_now()
        app.done(f"Draft on {self.number} discarded.")
        self.dismiss()

    @work(exclusive=True, group="editor-action")
    async def action_leave_editor(self) -> None:
        await self._leave()

    async def _leave(self) -> None:
        if self._wanted != self._saved:
            await self._save_now()
        if self._wanted.strip():
            self.console.notify(f"Draft on {self.number} kept.", markup=False)
        self.dismiss()

    # J and K, from the conversation beside the text (tab goes there; in the
    # text they are letters): the draft is kept, the next ticket shown.

    def default_mover(self) -> LiveThread:
        return self.query_one("#editor-thread", LiveThread)

    @work(exclusive=True, group="editor-action")
    async def action_next_ticket(self) -> None:
        await self._leave()
        self.console.step_ticket(self.number, 1)

    @work(exclusive=True, group="editor-action")
    async def action_previous_ticket(self) -> None:
        await self._leave()
        self.console.step_ticket(self.number, -1)
