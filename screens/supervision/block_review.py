"""The four-eyes desk: WMID block requests waiting for a decision, oldest first.

Each request with its WMID, reason, requester, how long it has waited and its
ticket; beside it, the customer's other tickets (o, then enter opens one).
A approves (confirmed: it cannot be taken back), R rejects with a reason. The
person who requested a block sees it here too, is told at once that someone
else must decide it, and the domain refuses them whatever the screen does.
The list follows every console's changes live.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from console.errors import DomainError
from console.formatting import fit
from console.reads.blocks import BlockRequestView, blocks_for_review
from console.reads.ticket import OtherTicket, other_tickets
from console.untrusted import one_line, visible
from models import Status
from screens.keymap import BLOCKS, bindings_for
from screens.messages import TicketsChanged
from screens.queue.columns import span_text
from screens.supervision.block_decision import decide_block
from screens.ticket.verbs import TicketInHand
from screens.ticket.view import other_ticket_content, when
from screens.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from screens.app import WmConsole

# Side by side from this width, as the queue.
WIDE = 150
_COLUMNS = (("WAITING", 7), ("WMID", 12), ("REQUESTER", 12), ("TICKET", 7), ("STATUS", 8))


class BlockReviewScreen(Screen):
    ACTION_SCREEN = BLOCKS
    BINDINGS = bindings_for(BLOCKS)

    def __init__(self, number: int | None = None) -> None:
        super().__init__(id="blocks-screen")
        # The request to put the cursor on first: the ticket's it was opened from.
        self._wanted_number = number
        self.blocks: list[BlockRequestView] = []
        self.others: list[OtherTicket] = []
        self.loaded = False

    @property
    def console(self) -> WmConsole:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Content("WMID block requests"), id="blocks-title")
        with Container(id="blocks-panes"):
            table: DataTable = DataTable(id="blocks-table", cursor_type="row", zebra_stripes=False)
            yield table
            with VerticalScroll(id="block-detail"):
                yield Static(Content("Loading the block requests…"), id="block-summary")
                yield Label(
                    Content("The customer's other tickets"),
                    classes="section-title",
                    id="block-others-title",
                )
                yield OptionList(id="block-others")
        yield KeyBar(BLOCKS)

    def on_mount(self) -> None:
        self.table.focus()
        self._load()

    @property
    def table(self) -> DataTable:
        return self.query_one("#blocks-table", DataTable)

    @property
    def current(self) -> BlockRequestView | None:
        if not self.blocks:
            return None
        row = min(max(self.table.cursor_row, 0), len(self.blocks) - 1)
        return self.blocks[row]

    def on_resize(self, event: Resize) -> None:
        wide = event.size.width >= WIDE
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-stacked")
        if self.loaded:
            self.call_after_refresh(self._fill_table)

    # Reading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="blocks-load", exit_on_error=False)
    def _load(self) -> None:
        blocks = blocks_for_review(self.console.desk.db)
        self.app.call_from_thread(self._show, blocks)

    def _show(self, blocks: list[BlockRequestView]) -> None:
        keep = self.current.id if self.current is not None and self.loaded else None
        self.blocks = blocks
        self.loaded = True
        self._fill_table()
        if keep is not None:
            target = next((i for i, b in enumerate(blocks) if b.id == keep), None)
        elif self._wanted_number is not None:
            target = next((i for i, b in enumerate(blocks) if b.number == self._wanted_number), 0)
        else:
            target = 0
        if blocks:
            self.table.move_cursor(row=min(target or 0, len(blocks) - 1), animate=False)
        self._show_title()
        self._show_current()

    def _show_title(self) -> None:
        count = len(self.blocks)
        words = (
            "no WMID block request waits for a decision"
            if not count
            else f"{count} waiting for a decision, oldest first"
        )
        self.query_one("#blocks-title", Static).update(
            Content.assemble(("WMID block requests", "bold"), ("  ·  ", "dim"), words)
        )

    def _fill_table(self) -> None:
        table = self.table
        now = self.console.desk.now()
        fixed = sum(width + 2 for _, width in _COLUMNS)
        subject = max(table.size.width - fixed - 3, 12)
        table.clear(columns=True)
        for title, width in _COLUMNS:
            table.add_column(Text(title), width=width)
        table.add_column(Text("SUBJECT"), width=subject)
        for block in self.blocks:
            mine = block.requested_by == self.console.login
            requester = one_line(block.requested_by) + (" (you)" if mine else "")
            table.add_row(
                Text(fit(span_text(block.waiting(now)), 7, align_right=True)),
                Text(block.wmid),
                Text(fit(requester, 12), style="italic" if mine else ""),
                Text(str(block.number)),
                Text(_status_word(block.status)),
                Text(fit(one_line(block.subject), subject)),
                key=str(block.id),
            )

    @on(DataTable.RowHighlighted, "#blocks-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_current()

    def _show_current(self) -> None:
        block = self.current
        summary = self.query_one("#block-summary", Static)
        if block is None:
            summary.update(
                Content(
                    "Nothing to decide. A request appears here the moment someone makes one "
                    "(b on a ticket)."
                )
            )
            self._fill_others(None, [])
            return
        summary.update(block_content(block, self.console.desk.now(), self.console.login))
        self._read_others(block.number)

    @work(thread=True, exclusive=True, group="blocks-others", exit_on_error=False)
    def _read_others(self, number: int) -> None:
        try:
            found = other_tickets(self.console.desk.db, number)
        except DomainError:
            found = []
        self.app.call_from_thread(self._fill_others, number, found)

    def _fill_others(self, number: int | None, found: list[OtherTicket]) -> None:
        current = self.current
        if number is not None and (current is None or current.number != number):
            return
        self.others = found
        options = self.query_one("#block-others", OptionList)
        options.set_options(
            Option(other_ticket_content(other), id=str(index)) for index, other in enumerate(found)
        )
        title = self.query_one("#block-others-title", Label)
        title.update(
            Content(
                f"The customer's other tickets ({len(found)})  o — go there, enter opens"
                if found
                else "The customer has no other tickets"
            )
        )
        options.display = bool(found)
        title.display = current is not None

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if event.topics & {"ticket", "demo"}:
            self._load()

    # Keys --------------------------------------------------------------------------

    def ticket_in_hand(self) -> TicketInHand | None:
        """The highlighted request's ticket (the palette offers ticket actions by it)."""
        block = self.current
        if block is None:
            return None
        return TicketInHand(id=0, number=block.number, version=0, status=Status(block.status))

    def action_cursor_down(self) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            focused.action_cursor_down()
        else:
            self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            focused.action_cursor_up()
        else:
            self.table.action_cursor_up()

    def action_open(self) -> None:
        block = self.current
        if block is not None:
            self.console.open_ticket(block.number)

    def action_other_tickets(self) -> None:
        if not self.others:
            self.console.notify(
                "The customer has no other tickets.", severity="warning", markup=False
            )
            return
        options = self.query_one("#block-others", OptionList)
        options.focus()
        if options.highlighted is None:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#block-others")
    def _other_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.console.open_ticket(self.others[event.option_index].number)

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
            return
        self.dismiss()

    def action_reload(self) -> None:
        self._load()

    @on(DataTable.RowSelected, "#blocks-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    @work(exclusive=True, group="block-decision")
    async def action_approve_block(self) -> None:
        await self._decide(approve=True)

    @work(exclusive=True, group="block-decision")
    async def action_reject_block(self) -> None:
        await self._decide(approve=False)

    async def _decide(self, *, approve: bool) -> None:
        block = self.current
        if block is None:
            self.console.notify(
                "No WMID block request waits for a decision.", severity="warning", markup=False
            )
            return
        decided = await decide_block(self.console, block, approve=approve)
        if decided:
            # This console's own change reaches every screen at once, not with the feed.
            self.console.broadcast_changes(None)


def _status_word(status: str) -> str:
    return status.replace("_", " ")


def block_content(block: BlockRequestView, now: datetime, viewer: str) -> Content:
    """One request in full: customer text (reason, subject, addresses) shown literally."""
    parts: list[str | tuple[str, str] | Content] = [
        ("WMID ", "bold"),
        (block.wmid, "bold $error"),
        ("  ·  request ", "dim"),
        str(block.id),
        "\n",
        ("Reason     ", "dim"),
        visible(block.reason),
        "\n",
        ("Requested  ", "dim"),
        f"by {one_line(block.requested_by)} {when(block.requested_at)} UTC",
        ("  ·  waiting ", "dim"),
        (span_text(block.waiting(now)), "bold $warning"),
        "\n",
        ("Ticket     ", "dim"),
        (str(block.number), "bold"),
        "  ",
        one_line(block.subject),
        "\n",
        ("           ", "dim"),
        f"{_status_word(block.status)} · {block.service} · ",
        f"held by {one_line(block.assignee)}" if block.assignee else "unassigned",
        "\n",
        ("Customer   ", "dim"),
        f"WMID {one_line(block.customer_wmid) or '—'} · {one_line(block.customer_email) or '—'}",
        "\n\n",
    ]
    if block.requested_by == viewer:
        parts.append(
            (
                "You requested this block: four-eyes — another supervisor or security "
                "officer must approve or reject it.",
                "bold $warning",
            )
        )
    else:
        parts.extend(
            [
                ("A", "bold"),
                " approve (you confirm; it cannot be taken back)   ",
                ("R", "bold"),
                " reject with a reason   ",
                ("enter", "bold"),
                " open the ticket",
            ]
        )
    return Content.assemble(*parts)
