"""Writing to the customer (r) or an internal note (n).

What is typed is saved to the database a moment after each pause, so a
killed terminal loses nothing: reopening the ticket's editor brings the draft
back, with the ticket version it was started on. Before a reply goes out the
editor checks what changed on the ticket since then (another reply, a status
or holder change) and shows it; the operator sends anyway or revises. Then it
confirms the channel the customer will hear on, and sends with the version
the operator saw, so nothing slips in between unseen.
"""

from __future__ import annotations

import threading
import time
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static, TextArea

from console import operations
from console.errors import ChangeSummary, Conflict, DomainError
from console.operations.staff import SavedDraft
from console.reads.ticket import (
    AuditEntry,
    TicketChanges,
    TicketDetail,
    changes_after_version,
    load_ticket,
)
from console.untrusted import one_line
from models import DraftKind, Language, PresenceState, Service
from screens.base import TWO_COLUMNS, ConsoleScreen, Reading
from screens.keymap import EDITOR, bindings_for
from screens.messages import PresenceSeen, TicketsChanged, Whereabouts
from screens.ticket.view import ThreadEntry, notice_text, presence_content, when
from screens.widgets.dialogs import ChangedDialog, Choice, ChoiceDialog, ConfirmDialog
from screens.widgets.key_bar import KeyBar

DRAFT_DELAY = 0.3
# Typing, for the others' presence line, until this long after the last key.
TYPING_SECONDS = 5.0


def change_line(entry: AuditEntry | ChangeSummary) -> Content:
    if isinstance(entry, ChangeSummary):
        return Content.assemble(("• ", "bold $warning"), one_line(str(entry)))
    who = entry.operator or f"the {entry.actor}"
    parts: list[str | tuple[str, str]] = [
        ("• ", "bold $warning"),
        (when(entry.at), "dim"),
        f"  {one_line(who)} {entry.label}",
    ]
    if entry.details:
        parts.append((f" — {one_line(entry.details)}", "dim"))
    return Content.assemble(*parts)


class ReplyEditor(ConsoleScreen):
    ACTION_SCREEN = EDITOR
    BINDINGS = bindings_for(EDITOR)
    # The conversation beside the text when wide; above it when narrower.
    HORIZONTAL_BREAKPOINTS = TWO_COLUMNS

    class _Loaded(Reading[TicketDetail]):
        def __init__(self, detail: TicketDetail, draft: SavedDraft | None) -> None:
            super().__init__(detail)
            self.draft = draft

    class _Refused(Reading[DomainError]):
        pass

    class _ChangesRead(Reading[TicketChanges]):
        pass

    def __init__(self, number: int, kind: DraftKind = DraftKind.reply) -> None:
        super().__init__(classes="reply-editor")
        self.number = number
        self.kind = kind
        self.detail: TicketDetail | None = None
        # The version the reply was started on: the send-time check compares it.
        self.base_version: int | None = None
        self._saved = ""
        self._wanted = ""
        self._save_lock = threading.Lock()
        self._save_timer: Timer | None = None
        self._last_key = 0.0

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Ticket {self.number}"), id="editor-head")
        with Container(id="editor-panes"):
            # The conversation so far, newest at the bottom: what is being answered.
            yield VerticalScroll(id="editor-thread")
            with Vertical(id="editor-write"):
                yield Static(id="editor-channel")
                yield Static(id="editor-presence")
                yield Static(id="editor-changed")
                text = TextArea(
                    id="editor-text", soft_wrap=True, tab_behavior="focus", read_only=True
                )
                text.cursor_blink = getattr(self.app, "cursor_blink", True)
                yield text
        yield KeyBar(EDITOR)

    def on_mount(self) -> None:
        self.query_one("#editor-presence").display = False
        self.query_one("#editor-changed").display = False
        self._load()

    # Loading -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="editor-load", exit_on_error=False)
    def _load(self) -> None:
        app = self.console
        try:
            detail = load_ticket(app.desk.db, self.number)
            draft = operations.draft_for(app.desk, self.number, by=app.login)
        except DomainError as error:
            self.post_message(self._Refused(error))
            return
        self.post_message(self._Loaded(detail, draft))

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
            self._saved = self._wanted = draft.body
            text.load_text(draft.body)
            self.console.notify(
                f"Your {draft.kind.value} draft on {self.number} is back.", markup=False
            )
        else:
            self.base_version = detail.version
        thread = self.query_one("#editor-thread", VerticalScroll)
        thread.mount_all(ThreadEntry(message) for message in detail.messages)
        thread.call_after_refresh(thread.scroll_end, animate=False)
        text.read_only = False
        text.move_cursor(text.document.end)
        text.focus()
        self._show_head()
        self.console.beat()
        if draft is not None:
            self._check_changes()

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
        channel = self.query_one("#editor-channel", Static)
        if self.kind == DraftKind.reply:
            customer = one_line(detail.customer_name) or "the customer"
            channel.update(
                Content.assemble(
                    ("To ", "dim"), customer, (" — told by ", "dim"), (notice_text(detail), "bold")
                )
            )
        else:
            channel.update(
                Content.assemble(
                    ("Operators only: ", "bold $warning"), "never sent to the customer"
                )
            )
        self.set_class(self.kind == DraftKind.note, "-note")

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
        """Whoever holds the lock last writes the latest text: saves never go backwards."""
        app = self.console
        with self._save_lock:
            body, kind, version = self._wanted, self.kind, self.base_version
            if version is None:
                return
            if body.strip():
                operations.save_draft(
                    app.desk, self.number, body, by=app.login, kind=kind, ticket_version=version
                )
            else:
                operations.discard_draft(app.desk, self.number, by=app.login)
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

    # Changes meanwhile -------------------------------------------------------------

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if self.detail is not None and event.touches(self.detail.id):
            self._check_changes()

    @work(thread=True, exclusive=True, group="editor-changes", exit_on_error=False)
    def _check_changes(self) -> None:
        if self.base_version is None:
            return
        changes = changes_after_version(self.console.desk.db, self.number, self.base_version)
        self.post_message(self._ChangesRead(changes))

    @on(_ChangesRead)
    def _show_changes(self, message: _ChangesRead) -> None:
        changes = message.value
        banner = self.query_one("#editor-changed", Static)
        banner.display = changes.changed and changes.since_version == self.base_version
        if banner.display:
            banner.update(
                Content.assemble(
                    ("Changed since you started: ", "bold"),
                    Content("; ").join(
                        Content(f"{one_line(e.operator or e.actor)} {e.label}")
                        for e in changes.entries
                    ),
                    ("  — you will see it all before the reply goes out", "dim"),
                )
            )

    # Actions ------------------------------------------------------------------------

    @work(exclusive=True, group="editor-action")
    async def action_send(self) -> None:
        app = self.console
        body = self.text_area.text
        if self.detail is None:
            return
        if not body.strip():
            app.notify("Nothing to send yet.", severity="warning", markup=False)
            return
        await self._save_now()
        if self.kind == DraftKind.note:
            try:
                await app.in_thread(
                    partial(operations.note, app.desk, self.number, body, by=app.login)
                )
            except DomainError as error:
                app.refuse(error)
                return
            self._finished(f"Note added to {self.number}.")
            return
        await self._send_reply(body)

    async def _send_reply(self, body: str) -> None:
        detail = self.detail
        assert detail is not None and self.base_version is not None
        if not await self._changes_read_first() or not await self._reply_confirmed(detail):
            self.text_area.focus()
            return
        if await self._reply(body):
            self._finished(
                f"Reply sent on {self.number}: the customer will be told by {notice_text(detail)}."
            )

    async def _changes_read_first(self) -> bool:
        """What changed since the reply was started, if anything, before it goes
        out; False when the operator goes back to revise."""
        app = self.console
        assert self.base_version is not None
        changes = await app.in_thread(
            partial(changes_after_version, app.desk.db, self.number, self.base_version)
        )
        if not changes.changed:
            return True
        if not await app.push_screen_wait(
            ChangedDialog(self.number, [change_line(e) for e in changes.entries])
        ):
            return False
        self.base_version = changes.version
        await self._save_now()
        return True

    async def _reply_confirmed(self, detail: TicketDetail) -> bool:
        return bool(
            await self.console.push_screen_wait(
                ConfirmDialog(
                    f"Send the reply on {self.number}?",
                    Content.assemble(
                        "The customer will be told by ",
                        (notice_text(detail), "bold"),
                        ".\nThe ticket becomes answered and its clock stops until they write.",
                    ),
                    confirm="Send",
                )
            )
        )

    async def _reply(self, body: str) -> bool:
        """Send with the version the operator saw. A change that slips in just
        before is shown, nothing sent; sending again is their call."""
        app = self.console
        while True:
            try:
                await app.in_thread(
                    partial(
                        operations.reply,
                        app.desk,
                        self.number,
                        body,
                        by=app.login,
                        expected_version=self.base_version,
                    )
                )
                return True
            except Conflict as conflict:
                again = await app.push_screen_wait(
                    ChangedDialog(
                        self.number,
                        [change_line(c) for c in conflict.changes],
                        headline=f"Ticket {self.number} changed just as you sent. Nothing was "
                        "sent. What changed:",
                    )
                )
                if not again:
                    self.text_area.focus()
                    return False
                self.base_version = conflict.actual_version
            except DomainError as error:
                app.refuse(error)
                return False

    def _finished(self, message: str) -> None:
        app = self.console
        self._saved = self._wanted = ""
        app.done(message)
        if self.detail is not None:
            app.broadcast_changes(frozenset({self.detail.id}))
        self.dismiss()

    @work(exclusive=True, group="editor-action")
    async def action_template(self) -> None:
        app = self.console
        detail = self.detail
        if detail is None:
            return
        templates = await app.in_thread(
            partial(
                operations.list_templates,
                app.desk,
                service=Service(detail.service),
                language=Language(detail.language),
            )
        )
        if not templates:
            app.notify(
                f"No {detail.language} templates for {detail.service}.",
                severity="warning",
                markup=False,
            )
            return
        chosen = await app.push_screen_wait(
            ChoiceDialog(
                f"Template — {detail.service}, {detail.language}",
                [
                    Choice(
                        template,
                        Content.assemble(
                            (one_line(template.title), "bold"),
                            (f"  {one_line(template.body)[:60]}…", "dim"),
                        ),
                    )
                    for template in templates
                ],
            )
        )
        if chosen is None:
            self.text_area.focus()
            return
        filled = operations.fill_template(
            chosen.body,
            ticket=detail.number,
            wmid=detail.customer_wmid,
            name=one_line(detail.customer_name),
        )
        self.text_area.insert(filled)
        self.text_area.focus()

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
                "What you wrote on this ticket is deleted; this cannot be undone.",
                confirm="Discard",
                danger=True,
            )
        ):
            return
        self._wanted = ""
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

    def default_mover(self) -> VerticalScroll:
        return self.query_one("#editor-thread", VerticalScroll)

    @work(exclusive=True, group="editor-action")
    async def action_next_ticket(self) -> None:
        await self._leave()
        self.console.step_ticket(self.number, 1)

    @work(exclusive=True, group="editor-action")
    async def action_previous_ticket(self) -> None:
        await self._leave()
        self.console.step_ticket(self.number, -1)
