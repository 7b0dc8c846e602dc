"""The main screen: the filter bar, the queue, and the highlighted ticket beside
or below it. The console opens here, on the operator's last filters."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import Static

from console.errors import DomainError, InvalidInput
from console.reads.queue_filter import QueueFilter, opening_view
from console.reads.queue_row import QueueRow
from console.reads.ticket_detail import TicketDetail
from console.rules import validation
from console.rules.labels import plural
from console.rules.queue_order import SortOrder
from console.rules.roles import Permission
from console.rules.word_forms import parse
from screens.base import SIDE_BY_SIDE, Reading
from screens.keymap import QUEUE, bindings_for
from screens.messages import PresenceSeen, TicketsChanged, Whereabouts
from screens.queue.column_chooser import ColumnChooser
from screens.queue.columns import CHOOSABLE
from screens.queue.filter_bar import QUICK_VIEWS, FilterBar, FilterScreen
from screens.queue.view import QueueView
from screens.ticket.in_hand import TicketInHand
from screens.ticket.verbs import TicketActions
from screens.ticket.view import TicketView
from screens.widgets.key_bar import KeyBar

PREFERENCE = "queue_filter"
COLUMNS_PREFERENCE = "queue_columns"
# The preview waits for the cursor to rest this long: holding j costs no reads.
PREVIEW_DELAY = 0.08
SAVE_FILTER_DELAY = 1.0
# Ages and SLA left are redrawn, and counts re-read, this often.
TICK_SECONDS = 30.0


class QueueScreen(TicketActions):
    ACTION_SCREEN = QUEUE
    BINDINGS = bindings_for(QUEUE)
    # The preview beside the queue when wide, under it when tall (36 lines), else
    # off until p shows it (queue/screen.tcss).
    HORIZONTAL_BREAKPOINTS = SIDE_BY_SIDE
    VERTICAL_BREAKPOINTS = [(36, "-tall")]

    class _PreviewRead(Reading[TicketDetail]):
        pass

    class _ColumnsRead(Reading[frozenset[str]]):
        pass

    class _Numbered(Reading[int]):
        """A search named a ticket by its number: open it."""

    def __init__(self, initial_filter: QueueFilter | None = None) -> None:
        super().__init__(id="queue-screen")
        # Where the dashboard sent the operator; otherwise their saved filter.
        self._initial_filter = initial_filter
        self._preview_timer: Timer | None = None
        self._save_timer: Timer | None = None
        self._filter_screen: FilterScreen | None = None

    def compose(self) -> ComposeResult:
        app = self.console
        desk = app.desk
        where = desk.where
        yield FilterBar(id="filter-bar")
        with Container(id="panes"):
            yield QueueView(
                lambda: app.queue,
                now=desk.now,
                policy=desk.sla,
                viewer=app.login,
                empty_hint=[
                    "No tickets in this database yet.",
                    "",
                    "Load demo data (operators, templates, realistic tickets):",
                    f"    wmconsole demo --db {where} --tickets 5000",
                    "then open the console again, e.g. as olga:",
                    f"    wmconsole --db {where} --as olga",
                ],
                held_too_long=desk.settings.held_too_long,
                id="queue",
            )
            yield TicketView(policy=desk.sla, now=desk.now, preview=True, id="preview")
        yield Static(id="marks-line")
        yield KeyBar(QUEUE)

    def on_mount(self) -> None:
        self.queue_view.focus()
        initial = self._initial_filter
        opening, self.console.opening = self.console.opening, None
        if initial is not None:
            self.queue_view.load_first(lambda: initial)
            self._save_soon(initial)
        elif opening is not None:
            # The console's first screen: the operator's filter and columns as the
            # quick path read them.
            saved = self._filter_from(opening.saved_filter)
            self.queue_view.load_first(lambda: saved, opening)
            self.queue_view.hide_columns(_hidden_in(opening.saved_columns))
        else:
            self.queue_view.load_first(self._saved_filter)
        self.set_interval(TICK_SECONDS, self._tick)
        if opening is None:
            self._read_columns()

    @property
    def queue_view(self) -> QueueView:
        return self.query_one(QueueView)

    @property
    def preview(self) -> TicketView:
        return self.query_one("#preview", TicketView)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    # The filter -------------------------------------------------------------------

    def _saved_filter(self) -> QueueFilter:
        """The operator's last filters (read on the queue's own thread)."""
        from console.reads.operator import load_preference

        app = self.console
        return self._filter_from(load_preference(app.desk, PREFERENCE, by=app.login))

    def _filter_from(self, saved: Any) -> QueueFilter:
        return QueueFilter.from_json(saved) if saved else opening_view(self.console.operator.role)

    def use_filter(self, f: QueueFilter, *, save: bool = True) -> None:
        current = self.queue_view.filter
        view_changed = f.with_(search=current.search, search_in_view=False, order=current.order)
        if f.search and view_changed != current.with_(search_in_view=False):
            # Changing the filters while searching narrows the search to them.
            f = f.with_(search_in_view=True)
        self.queue_view.load(f)
        self.filter_bar.show(f, None)
        if save:
            self._save_soon(f)

    def _save_soon(self, f: QueueFilter) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_FILTER_DELAY, partial(self._save_filter, f))

    @work(thread=True, exclusive=True, group="save-filter", exit_on_error=False)
    def _save_filter(self, f: QueueFilter) -> None:
        from console import operations

        app = self.console
        operations.save_preference(app.desk, PREFERENCE, f.as_json(), by=app.login)

    @on(QueueView.Counted)
    def _counted(self, event: QueueView.Counted) -> None:
        self.filter_bar.show(event.filter, event.facets)
        self.call_after_refresh(self.console.first_screen_shown)
        if self._filter_screen is not None and self._filter_screen.is_attached:
            self._filter_screen.show_counts(event.filter, event.facets)

    def action_quick_view(self, name: str) -> None:
        """A quick view, with the search and the order kept."""
        current = self.queue_view.filter
        role = self.console.operator.role
        view = opening_view(role) if name == "default" else QUICK_VIEWS[name][1]
        self.use_filter(view.with_(search=current.search, order=current.order))

    def action_sort(self) -> None:
        """The orders in turn; while searching, best match first or the queue's order."""
        current = self.queue_view.filter
        if current.search:
            best_match = current.order != SortOrder.relevance
            order = SortOrder.relevance if best_match else SortOrder.sla
        else:
            order = current.order.next()
        self.use_filter(current.with_(order=order))

    def action_search(self) -> None:
        self.filter_bar.open_search()

    @on(FilterBar.SearchChanged)
    def _search_changed(self, event: FilterBar.SearchChanged) -> None:
        text = event.text.strip()
        if text != self.queue_view.filter.search and self._searchable(text):
            self.use_filter(self.queue_view.filter.with_(search=text))

    @on(FilterBar.SearchClosed)
    def _search_closed(self, event: FilterBar.SearchClosed) -> None:
        text = event.text
        if text is not None and text != self.queue_view.filter.search and self._searchable(text):
            self.use_filter(self.queue_view.filter.with_(search=text))
        self.queue_view.focus()
        if event.text and event.text.strip().isdigit():
            self._jump_to(event.text.strip())

    def _searchable(self, text: str) -> bool:
        """A search is held to what the command line's --search is: refused with
        why (a NUL byte, too many words), never sent to the database."""
        try:
            validation.search(text)
        except InvalidInput as refusal:
            self.app.notify(str(refusal), severity="warning", markup=False)
            return False
        return True

    @work(thread=True, exclusive=True, group="jump", exit_on_error=False)
    def _jump_to(self, text: str) -> None:
        """A ticket number opens its ticket, wherever it is in the desk."""
        from console.reads.search import ticket_numbered

        if ticket_numbered(self.console.desk.db, int(text)):
            self.post_message(self._Numbered(int(text)))

    @on(_Numbered)
    def _open_numbered(self, message: _Numbered) -> None:
        self.console.open_ticket(message.value, str(message.value))

    @on(FilterBar.ScopeToggled)
    def _scope_toggled(self, event: FilterBar.ScopeToggled) -> None:
        self.action_search_scope()

    def action_search_scope(self) -> None:
        f = self.queue_view.filter
        self.use_filter(f.with_(search_in_view=not f.search_in_view))

    def action_filters(self) -> None:
        view = self.queue_view
        screen = FilterScreen(view.filter, view.counts, self.use_filter)
        self._filter_screen = screen
        self.app.push_screen(screen)

    # The columns ------------------------------------------------------------------

    @work(thread=True, group="columns", exit_on_error=False)
    def _read_columns(self) -> None:
        from console.reads.operator import load_preference

        app = self.console
        saved = load_preference(app.desk, COLUMNS_PREFERENCE, by=app.login)
        self.post_message(self._ColumnsRead(_hidden_in(saved)))

    @on(_ColumnsRead)
    def _columns_read(self, message: _ColumnsRead) -> None:
        self.queue_view.hide_columns(message.value)

    def action_log_call(self) -> None:
        from screens.ticket.call import CallScreen

        self.app.push_screen(CallScreen())

    def action_columns(self) -> None:
        self.app.push_screen(ColumnChooser(self.queue_view.hidden, self._choose_columns))

    def _choose_columns(self, hidden: frozenset[str]) -> None:
        self.queue_view.hide_columns(hidden)
        self._save_columns(hidden)

    @work(thread=True, exclusive=True, group="save-columns", exit_on_error=False)
    def _save_columns(self, hidden: frozenset[str]) -> None:
        from console import operations

        app = self.console
        operations.save_preference(
            app.desk, COLUMNS_PREFERENCE, {"hidden": sorted(hidden)}, by=app.login
        )

    # Moving -----------------------------------------------------------------------

    def default_mover(self) -> QueueView:
        return self.queue_view

    def action_open(self) -> None:
        row = self.queue_view.current_row
        if row is not None:
            self.console.open_ticket(row.number, self.queue_view.filter.search)

    def action_quit(self) -> None:
        self.app.exit()

    # The supervisor's work --------------------------------------------------------

    def action_mark(self) -> None:
        if self.console.allowed(Permission.assign):
            self.queue_view.toggle_mark()

    def action_clear_marks(self) -> None:
        if self.console.allowed(Permission.assign):
            self.queue_view.unmark()

    @on(QueueView.MarksChanged)
    def _marks_changed(self, event: QueueView.MarksChanged) -> None:
        line = self.query_one("#marks-line", Static)
        count = event.count
        line.set_class(bool(count), "-shown")
        if count:
            line.update(
                Content.assemble(
                    (f"{plural(count, 'ticket')} marked", "bold"),
                    " — a gives them all to someone or back to the queue · x archives them · "
                    "space/v marks or unmarks · u clears the marks",
                )
            )

    def marked_tickets(self) -> list[TicketInHand]:
        return [_in_hand(row) for row in self.queue_view.marked.values()]

    def marks_moved(self, moved: list[int], versions: dict[int, int]) -> None:
        view = self.queue_view
        for ticket_id, row in list(view.marked.items()):
            if row.number in versions:
                view.marked[ticket_id] = replace(row, version=versions[row.number])
        gone = set(moved)
        view.unmark(frozenset(i for i, row in view.marked.items() if row.number in gone))

    def action_templates(self) -> None:
        from screens.supervision.templates import TemplateScreen

        if self.console.allowed(Permission.edit_templates):
            self.app.push_screen(TemplateScreen())

    def action_markers(self) -> None:
        from screens.supervision.markers import MarkerScreen

        if self.console.allowed(Permission.edit_markers):
            self.app.push_screen(MarkerScreen())

    def action_reload(self) -> None:
        self.console.queue.forget_counts()
        self.queue_view.reload()
        self._load_preview()

    def _tick(self) -> None:
        self.console.queue.forget_counts()
        self.queue_view.tick()
        self.queue_view.reload()

    # The preview ------------------------------------------------------------------

    def on_resize(self, _event: Resize) -> None:
        # After the breakpoints' styles: a preview the new size shows is read.
        self.call_after_refresh(self._load_preview)

    def action_toggle_preview(self) -> None:
        # Set here, it stays as the operator wants it whatever the size.
        self.preview.display = not self.preview.display
        self._load_preview()

    @on(QueueView.Highlighted)
    def _highlighted(self, event: QueueView.Highlighted) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._load_preview)

    def _load_preview(self) -> None:
        row = self.queue_view.current_row
        if not self.preview.display:
            return
        if row is None:
            self.preview.show(None)
            return
        self.preview.expect(row.number)
        self._read_preview(row)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _read_preview(self, row: QueueRow) -> None:
        from console.reads.ticket import load_ticket

        try:
            detail = load_ticket(self.console.desk.db, row.number)
        except DomainError:
            return
        self.post_message(self._PreviewRead(detail))

    @on(_PreviewRead)
    def _show_preview(self, message: _PreviewRead) -> None:
        row = self.queue_view.current_row
        if row is not None and row.number == message.value.number:
            if self.preview.terms != parse(self.queue_view.filter.search):
                self.preview.mark_matches(self.queue_view.filter.search)
            self.preview.show(message.value)

    def whereabouts(self) -> Whereabouts:
        detail = self.preview.detail if self.preview.display else None
        return Whereabouts(detail.number if detail else None)

    @on(PresenceSeen)
    def _presence(self, event: PresenceSeen) -> None:
        self.preview.show_presence(event.number, event.others)

    # Live -------------------------------------------------------------------------

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if not event.topics & {"ticket", "demo"}:
            return
        self.queue_view.reload()
        detail = self.preview.detail
        if detail is not None and event.touches(detail.id):
            self._load_preview()

    # The ticket in hand -----------------------------------------------------------

    def ticket_in_hand(self) -> TicketInHand | None:
        row = self.queue_view.current_row if self.is_mounted else None
        return None if row is None else _in_hand(row)

    def seen_event(self, number: int) -> int | None:
        detail = self.preview.detail if self.preview.display else None
        if detail is None or detail.number != number or not detail.audit:
            return None
        return detail.audit[-1].id

    def acting_on(self, ticket: TicketInHand) -> None:
        self.queue_view.keep_highlighted()

    @on(QueueView.LeftView)
    def _left_view(self, event: QueueView.LeftView) -> None:
        row = event.row
        holder = f"held by {row.assignee}" if row.assignee else "held by nobody"
        status = row.status.value.replace("_", " ")
        self.console.notify(
            f"{row.number} has left this view (it is {status}, {holder}); "
            "it stays highlighted until you move.",
            markup=False,
        )

    def ticket_changed(self, number: int) -> None:
        self.console.queue.forget_counts()
        self.queue_view.reload()
        self._load_preview()


def _in_hand(row: QueueRow) -> TicketInHand:
    return TicketInHand(
        id=row.id,
        number=row.number,
        version=row.version,
        status=row.status,
        escalations=row.escalations,
        assignee=row.assignee,
    )


def _hidden_in(saved: Any) -> frozenset[str]:
    """The columns a saved preference hides (those that may still be hidden); a
    preference of any other shape hides none."""
    hidden = saved.get("hidden") if isinstance(saved, dict) else None
    return (
        frozenset(n for n in hidden if n in CHOOSABLE) if isinstance(hidden, list) else frozenset()
    )
