"""Where the console goes: help, a ticket by number, the next or previous ticket,
the dashboard, the block requests, the supervisors' lists, back to the queue.
Part of the App (screens/app.py), which it needs for its screens and its desk."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.screen import Screen

from console.errors import DomainError, Forbidden
from console.reads.queue_filter import QueueFilter, opening_view
from console.rules.roles import Permission, require
from screens.help_screen import HelpScreen
from screens.keymap import EVERYWHERE
from screens.queue.screen import QueueScreen

if TYPE_CHECKING:
    from screens.app import WmConsole

S = TypeVar("S", bound=Screen)


class Going:
    """The App's ways from screen to screen (every method's `self` is the App)."""

    def action_help(self: WmConsole) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen_name_for_help()))

    def screen_name_for_help(self: WmConsole) -> str:
        return getattr(self.screen, "ACTION_SCREEN", EVERYWHERE)

    @work(group="go-to-ticket")
    async def action_go_to_ticket(self: WmConsole) -> None:
        from screens.widgets.dialogs import AskNumber

        number = await self.push_screen_wait(AskNumber("Go to ticket", "Ticket number"))
        if number is not None:
            self.open_ticket(number)

    def open_ticket(self: WmConsole, number: int, search: str = "") -> None:
        """Full screen (with `search`'s matches marked); a ticket that does not
        exist says so and goes away."""
        from screens.ticket.screen import TicketScreen

        self.push_screen(TicketScreen(number, search))

    def open_next_ticket(self: WmConsole, number: int) -> None:
        """Ticket `number` in place of the ticket (and its reply) just finished."""
        from screens.ticket.reply_editor import ReplyEditor
        from screens.ticket.screen import TicketScreen

        while isinstance(self.screen, (TicketScreen, ReplyEditor)):
            self.pop_screen()
        self.push_screen(TicketScreen(number))

    def show_canned(self: WmConsole, kind: str) -> None:
        """The supervisors' templates or macros, in place of the other list."""
        from screens.supervision.macros import MacroScreen
        from screens.supervision.templates import TemplateScreen

        self.switch_screen(MacroScreen() if kind == "macros" else TemplateScreen())

    @work(group="step-ticket", exclusive=True)
    async def step_ticket(self: WmConsole, number: int, step: int) -> None:
        """J and K: the ticket after or before ticket `number` in the queue's order
        (its filter and sort), shown in the ticket view on top, with the queue's
        highlight following it underneath."""
        from screens.ticket.screen import TicketScreen

        queue = next((s for s in self.screen_stack if isinstance(s, QueueScreen)), None)
        f = queue.queue_view.filter if queue is not None else opening_view(self.operator.role)
        try:
            found = await self.in_thread(
                partial(self.queue.neighbour, f, self.desk.now(), number, step)
            )
        except DomainError as error:
            self.refuse(error)
            return
        if found is None:
            where = "after" if step > 0 else "before"
            self.notify(
                f"No ticket {where} {number} in this view.", severity="warning", markup=False
            )
            return
        if queue is not None:
            queue.queue_view.go_to(found)
        if isinstance(self.screen, TicketScreen):
            self.screen.show_ticket(found.number)
        else:
            self.open_ticket(found.number)

    def open_dashboard(self: WmConsole) -> None:
        """Over the queue, for the roles that may see it; anyone else hears why not.
        One already open underneath is gone back to, not opened twice."""
        from screens.dashboard.screen import DashboardScreen

        try:
            require(self.operator, Permission.view_dashboard)
        except Forbidden as error:
            self.refuse(error)
            return
        if not self._back_to(DashboardScreen):
            self.push_screen(DashboardScreen())

    def _back_to(self: WmConsole, kind: type[S]) -> S | None:
        """Back to the screen of this kind on the stack, if there is one."""
        found = next((s for s in reversed(self.screen_stack) if isinstance(s, kind)), None)
        if found is not None:
            while self.screen_stack[-1] is not found:
                self.pop_screen()
        return found

    def show_queue(self: WmConsole, queue_filter: QueueFilter | None) -> None:
        """Back to the queue, on `queue_filter` if given. A console opened on the
        dashboard has no queue under it yet: the queue takes the dashboard's place."""
        queue = self._back_to(QueueScreen)
        if queue is None:
            self.switch_screen(QueueScreen(queue_filter))
            return
        if queue_filter is not None:
            queue.use_filter(queue_filter)

    def open_block_review(self: WmConsole, number: int | None = None) -> None:
        """The block requests, on `number`'s pending one when it has one (one
        already open underneath is gone back to)."""
        from screens.supervision.block_review import BlockReviewScreen

        if not self.allowed(Permission.decide_block):
            return
        review = self._back_to(BlockReviewScreen)
        if review is None:
            self.push_screen(BlockReviewScreen(number))
        elif number is not None:
            review.show_request_of(number)
