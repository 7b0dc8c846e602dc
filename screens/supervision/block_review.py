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

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from console.errors import DomainError
from console.reads.blocks import BlockRequestView, blocks_for_review
from console.reads.ticket import OtherTicket, other_tickets
from console.untrusted import one_line, visible
from models import Status
from screens.base import Reading
from screens.keymap import BLOCKS, bindings_for
from screens.queue.columns import span_text
from screens.supervision.block_decision import decide_block
from screens.supervision.list_screen import ListScreen
from screens.ticket.in_hand import TicketInHand
from screens.ticket.view import other_ticket_content, when
from screens.widgets.columns import Column


class BlockReviewScreen(ListScreen[BlockRequestView]):
    ACTION_SCREEN = BLOCKS
    BINDINGS = bindings_for(BLOCKS)
    COLUMNS = (
        Column("waiting", "WAITING", 7),
        Column("wmid", "WMID", 12),
        Column("requester", "REQUESTER", 12),
        Column("ticket", "TICKET", 7),
        Column("status", "STATUS", 8),
        Column("subject", "SUBJECT"),
    )
    LEAST = 12
    TOPICS = frozenset({"ticket"})
    TITLE_WORDS = "WMID block requests"
    LOADING_WORDS = "Loading the block requests…"

    class _OthersRead(Reading[list[OtherTicket]]):
        def __init__(self, number: int, found: list[OtherTicket]) -> None:
            super().__init__(found)
            self.number = number

    def __init__(self, number: int | None = None) -> None:
        super().__init__("blocks-screen")
        # The request to put the cursor on first: the ticket's it was opened from.
        self._wanted_number = number
        self.others: list[OtherTicket] = []

    def compose_detail(self) -> ComposeResult:
        yield Static(Content(self.LOADING_WORDS), id="block-summary")
        yield Label(
            Content("The customer's other tickets"),
            classes="section-title",
            id="block-others-title",
        )
        yield OptionList(id="block-others")

    def show_request_of(self, number: int) -> None:
        """The cursor to ticket `number`'s request (opened again from that ticket)."""
        self._wanted_number = number
        row = self.first_row(self.items)
        if self.items and self.items[row].number == number:
            self.table.move_cursor(row=row, animate=False)

    def read(self) -> list[BlockRequestView]:
        return blocks_for_review(self.console.desk.db)

    def first_row(self, items: list[BlockRequestView]) -> int:
        wanted = self._wanted_number
        return next((i for i, block in enumerate(items) if block.number == wanted), 0)

    def cells(self, item: BlockRequestView) -> list[Text]:
        mine = item.requested_by == self.console.login
        requester = one_line(item.requested_by) + (" (you)" if mine else "")
        return [
            Text(span_text(item.waiting(self.console.desk.now())), justify="right"),
            Text(item.wmid),
            Text(requester, style="italic" if mine else ""),
            Text(str(item.number)),
            Text(_status_word(item.status)),
            Text(one_line(item.subject)),
        ]

    def show_title(self) -> None:
        count = len(self.items)
        words = (
            "no WMID block request waits for a decision"
            if not count
            else f"{count} waiting for a decision, oldest first"
        )
        self.set_title(Content.assemble(("WMID block requests", "bold"), ("  ·  ", "dim"), words))

    def show_item(self, item: BlockRequestView | None) -> None:
        summary = self.query_one("#block-summary", Static)
        if item is None:
            summary.update(
                Content(
                    "Nothing to decide. A request appears here the moment someone makes one "
                    "(b on a ticket)."
                )
            )
            self._fill_others(None, [])
            return
        summary.update(block_content(item, self.console.desk.now(), self.console.login))
        self._read_others(item.number)

    # The customer's other tickets ---------------------------------------------------

    @work(thread=True, exclusive=True, group="blocks-others", exit_on_error=False)
    def _read_others(self, number: int) -> None:
        try:
            found = other_tickets(self.console.desk.db, number)
        except DomainError:
            found = []
        self.post_message(self._OthersRead(number, found))

    @on(_OthersRead)
    def _others_read(self, message: _OthersRead) -> None:
        self._fill_others(message.number, message.value)

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

    # Keys --------------------------------------------------------------------------

    def ticket_in_hand(self) -> TicketInHand | None:
        """The highlighted request's ticket (the palette offers ticket actions by it)."""
        block = self.current
        if block is None:
            return None
        return TicketInHand(id=0, number=block.number, version=0, status=Status(block.status))

    def action_open(self) -> None:
        block = self.current
        if block is not None:
            self.console.open_ticket(block.number)

    @on(DataTable.RowSelected)
    def _selected(self, _event: DataTable.RowSelected) -> None:
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
        if await decide_block(self.console, block, approve=approve):
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
