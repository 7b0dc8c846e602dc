"""`D`: the supervisor's dashboard. Open work by service and status, SLA past
due and due within the hour, WMID block requests and escalations waiting,
each operator's load, inflow and answers per hour and per day, the oldest
waiting tickets — live.

Every number comes from one desk_stats() reading, taken on a thread worker
when another console commits (the app's change feed) and every half minute
(SLA and idle times move with the clock alone). One reading runs at a time;
changes arriving meanwhile ask for one more after it, however many they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from datetime import timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import ScreenResume
from textual.widgets import DataTable, Static

from console.failures import as_failure
from console.formatting import badges_text, short_duration
from console.reads.live_work import live_total, live_work
from console.reads.queue_filter import Assignee, QueueFilter
from console.rules.labels import label, plural
from console.untrusted import one_line
from models import EscalationKind, Role, Service, Status
from screens.base import TWO_COLUMNS, ConsoleScreen, Reading
from screens.dashboard.charts import InflowChart, SlaBoard
from screens.dashboard.open_work import OpenWorkMatrix
from screens.keymap import DASHBOARD, bindings_for
from screens.messages import TicketsChanged
from screens.moving import Page
from screens.outage import DatabaseFailed, said_in_console
from screens.widgets.columns import titled
from screens.widgets.fitted_table import FittedTable
from screens.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from console.reads.stats import DeskStats, OperatorLoad

# Time-driven numbers (due within the hour, idle, waited) are read again this often.
REFRESH_SECONDS = 30.0
# Changes the dashboard counts; presence, drafts and templates are not among them.
COUNTED_TOPICS = frozenset({"ticket", "demo", "operator"})
ESCALATION_KINDS = (
    EscalationKind.fraud,
    EscalationKind.hacking,
    EscalationKind.arbitration,
    EscalationKind.hotline,
)


def _update(static: Static, content: Content) -> None:
    # An update lays the whole screen out again: only when the text changed.
    if static.content != content:
        static.update(content)


def _number(count: int) -> Text:
    return Text(f"{count:,}", justify="right")


def _ago(delta: timedelta) -> str:
    return short_duration(max(delta, timedelta(0)))


def _title_parts(stats: DeskStats, *, full: bool) -> list[str | tuple[str, str]]:
    breached = sum(stats.breached.values())
    blocks = len(stats.block_requests)
    waiting = (f"{stats.waiting_total:,} waiting", "bold")
    past = (f"{breached:,} past SLA", "bold $text-error" if breached else "")
    to_decide = (
        f"{plural(blocks, 'block')} to decide" + (" (B)" if blocks else ""),
        "bold $text-warning" if blocks else "",
    )
    if not full:
        return [f" · {stats.at:%H:%M} · ", waiting, " · ", past, " · ", to_decide]
    return [
        f" · {stats.at:%a %H:%M} GMT · ",
        waiting,
        " (new, open, on hold) · ",
        f"{stats.answered_total:,} answered · ",
        past,
        " · ",
        to_decide,
    ]


class DashboardScreen(ConsoleScreen):
    ACTION_SCREEN = DASHBOARD
    BINDINGS = bindings_for(DASHBOARD)
    # Two columns of tiles when wide; one scrolling column below that.
    HORIZONTAL_BREAKPOINTS = TWO_COLUMNS

    class _Read(Reading["DeskStats | None"]):
        def __init__(self, stats: DeskStats | None, error: str = "") -> None:
            super().__init__(stats)
            self.error = error

    def __init__(
        self,
        first_reading: Future[DeskStats] | None = None,
        tally: list[Sequence] | None = None,
    ) -> None:
        super().__init__(id="dashboard-screen")
        # Started before the screen existed (the console opened on the dashboard).
        self._first_reading = first_reading
        # The tally's cells as the console read them before the ORM loaded: the
        # open work is painted from them while the desk opens behind.
        self._tally = tally
        self.stats: DeskStats | None = None
        # Readings shown so far: tests and the benchmark wait on it.
        self.readings = 0
        self._reading = False
        self._read_again = False
        self._stale = False
        self._block_tickets: dict[str, int] = {}
        # What the title says went wrong with the last reading, if anything.
        self._error = ""

    def compose(self) -> ComposeResult:
        yield Static(Content("Dashboard — reading the desk…"), id="dash-title")
        with Page(id="dash-body"), Horizontal(id="dash-columns"):
            with Vertical(id="dash-left", classes="dash-column"):
                with Vertical(id="tile-open", classes="tile"):
                    yield OpenWorkMatrix(id="open-work")
                with Vertical(id="tile-sla", classes="tile"):
                    yield SlaBoard(id="sla")
                with Vertical(id="tile-escalations", classes="tile"):
                    yield Static(Content(""), id="no-blocks", classes="tile-note")
                    yield FittedTable(
                        titled("WAITED", "TICKET", "WMID", "BY", "REASON"),
                        flexible=4,
                        id="block-requests",
                    )
                    yield FittedTable(titled("ESCALATION", ">LIVE TICKETS"), id="escalations")
            with Vertical(id="dash-right", classes="dash-column"):
                with Vertical(id="tile-hourly", classes="tile"):
                    yield InflowChart(hourly=True, id="hourly")
                with Vertical(id="tile-daily", classes="tile"):
                    yield InflowChart(hourly=False, id="daily")
                with Vertical(id="tile-operators", classes="tile"):
                    yield FittedTable(
                        titled(
                            "OPERATOR",
                            "ROLE",
                            ">HELD",
                            ">ANSWERED",
                            ">1ST ANSWER",
                            ">IDLE",
                            ">LONGEST HELD",
                        ),
                        id="operators",
                    )
                with Vertical(id="tile-oldest", classes="tile"):
                    yield FittedTable(
                        titled("TICKET", "WAITED", "SERVICE", "STATUS", "HOLDER", "ESC", "SUBJECT"),
                        flexible=6,
                        id="oldest",
                    )
        yield KeyBar(DASHBOARD)

    def on_mount(self) -> None:
        titles = {
            "#tile-open": "Open work",
            "#tile-sla": "SLA",
            "#tile-escalations": "Escalations waiting",
            "#tile-hourly": "Opened and answered per hour, last 24 h (GMT)",
            "#tile-daily": "Opened and answered per day, last 7 days",
            "#tile-operators": "Operators",
            "#tile-oldest": "Oldest waiting",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one(OpenWorkMatrix).focus()
        self.set_interval(REFRESH_SECONDS, self.read_desk)
        if self._tally is None:
            self.read_desk()
            return
        open_work, escalations, _ = live_work(self._tally)
        self._show_live_work(open_work, escalations)
        self.call_after_refresh(self._first_painted)

    def _first_painted(self) -> None:
        self.console.first_screen_shown()
        self.read_desk()

    # Reading ------------------------------------------------------------------------

    def read_desk(self) -> None:
        """A fresh reading: now, or after the one under way; later, if another
        screen is on top (it is read when this one shows again)."""
        if self.stats is not None and not self.is_current:
            self._stale = True
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        self._read()

    @work(thread=True, group="dashboard", exit_on_error=False)
    def _read(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from console.reads.stats import desk_stats

        first, self._first_reading = self._first_reading, None
        try:
            stats = first.result() if first is not None else desk_stats(self.console.desk)
        except SQLAlchemyError as error:
            failure = as_failure(error)
            self.console.post_message(DatabaseFailed(failure, error))
            self.post_message(self._Read(None, said_in_console(failure)))
            return
        self.post_message(self._Read(stats))

    @on(_Read)
    def _shown(self, message: _Read) -> None:
        self._reading = False
        if message.value is None:
            self._title(message.error)
        else:
            first = self.stats is None
            self.stats = message.value
            self._show(message.value)
            self.readings += 1
            if first:
                self.call_after_refresh(self.console.first_screen_shown)
        if self._read_again:
            self._read_again = False
            self.read_desk()

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if event.topics & COUNTED_TOPICS:
            self.read_desk()

    @on(ScreenResume)
    def _resumed(self) -> None:
        if self._stale:
            self._stale = False
            self.read_desk()

    # Showing ------------------------------------------------------------------------

    def _title(self, error: str = "") -> None:
        stats = self.stats
        parts: list[str | tuple[str, str]] = [("Dashboard", "bold $accent")]
        if stats is not None:
            parts.extend(_title_parts(stats, full=True))
            title = self.query_one("#dash-title", Static)
            room = title.size.width - title.styles.padding.width
            if room and Content.assemble(*parts).cell_length > room:
                # Narrow: what needs acting on first; the answered are in the open work.
                parts[1:] = _title_parts(stats, full=False)
        if error:
            parts.extend([" · ", (f"could not read the desk: {one_line(error)}", "$text-error")])
        self._error = error
        _update(self.query_one("#dash-title", Static), Content.assemble(*parts))

    def on_resize(self) -> None:
        self._title(self._error)

    def _show(self, stats: DeskStats) -> None:
        self._title()
        self._show_live_work(stats.open_work, stats.escalations)
        self.query_one(
            "#tile-operators"
        ).border_subtitle = "answered and median time to first answer: today (GMT)"
        self.query_one(SlaBoard).show(stats.breached, stats.breaching_soon)
        self._show_escalations(stats)
        self.query_one("#hourly", InflowChart).show(stats.hourly)
        self.query_one("#daily", InflowChart).show(stats.daily)
        self._show_operators(stats)
        self._show_oldest(stats)

    def _show_live_work(
        self, open_work: dict[str, dict[str, int]], escalations: Mapping[str, int]
    ) -> None:
        self.query_one(OpenWorkMatrix).show(open_work)
        self.query_one("#tile-open").border_subtitle = f"{live_total(open_work):,} live tickets"
        kinds = self.query_one("#escalations", FittedTable)
        kinds.fill(
            [
                (kind.value, [Text(label(kind)), _number(escalations.get(kind.value, 0))])
                for kind in ESCALATION_KINDS
            ]
        )

    def _show_escalations(self, stats: DeskStats) -> None:
        blocks = self.query_one("#block-requests", FittedTable)
        self._block_tickets = {str(r.id): r.number for r in stats.block_requests}
        blocks.fill(
            [
                (
                    str(r.id),
                    [
                        Text(_ago(stats.at - r.requested_at), style=blocks.style_for("warn")),
                        Text(str(r.number)),
                        Text(one_line(r.wmid)),
                        Text(one_line(r.requested_by)),
                        Text(one_line(r.reason)),
                    ],
                )
                for r in stats.block_requests
            ]
        )
        blocks.display = bool(stats.block_requests)
        note = self.query_one("#no-blocks", Static)
        count = len(stats.block_requests)
        _update(
            note,
            Content.assemble(
                (plural(count, "WMID block request"), "bold"),
                " waiting for a decision, oldest first" if count else " waiting for a decision",
            ),
        )

    def _show_operators(self, stats: DeskStats) -> None:
        table = self.query_one("#operators", FittedTable)
        warn, dim = table.style_for("warn"), table.style_for("dim")
        too_long = self.console.desk.settings.held_too_long

        def row(load: OperatorLoad) -> list[Text]:
            median = load.median_first_answer_seconds
            longest = Text("—", justify="right")
            if load.held_longest_since is not None:
                held = stats.at - load.held_longest_since
                longest = Text(_ago(held), justify="right")
                if held > too_long:
                    longest = Text(f"! {_ago(held)}", style=warn, justify="right")
            idle = "—" if load.last_action_at is None else _ago(stats.at - load.last_action_at)
            cells = [
                Text(one_line(load.login)),
                Text(label(load.role, Role)),
                _number(load.held),
                _number(load.answered_today),
                Text("—" if median is None else _ago(timedelta(seconds=median)), justify="right"),
                Text(idle, justify="right"),
                longest,
            ]
            if not load.active:
                for cell in cells:
                    cell.stylize(dim)
            return cells

        table.fill(
            [(load.login, row(load)) for load in stats.operators if load.active or load.held]
        )

    def _show_oldest(self, stats: DeskStats) -> None:
        table = self.query_one("#oldest", FittedTable)
        table.fill(
            [
                (
                    str(t.number),
                    [
                        Text(str(t.number)),
                        Text(_ago(stats.at - t.waiting_since)),
                        Text(label(t.service, Service)),
                        Text(label(t.status, Status)),
                        Text(one_line(t.assignee) if t.assignee else "—"),
                        Text(badges_text([EscalationKind(k) for k in t.escalations])),
                        Text(one_line(t.subject)),
                    ],
                )
                for t in stats.oldest_waiting
            ]
        )

    # Keys ---------------------------------------------------------------------------

    def default_mover(self) -> OpenWorkMatrix:
        return self.query_one(OpenWorkMatrix)

    def action_tile_left(self) -> None:
        self._across(-1)

    def action_tile_right(self) -> None:
        self._across(1)

    def _across(self, columns: int) -> None:
        focused = self.focused
        if isinstance(focused, OpenWorkMatrix):
            focused.move(columns=columns)

    def action_next_tile(self) -> None:
        self.focus_next()

    def action_previous_tile(self) -> None:
        self.focus_previous()

    def action_open_selection(self) -> None:
        focused = self.focused
        if isinstance(focused, OpenWorkMatrix):
            focused.choose()
        elif isinstance(focused, FittedTable) and focused.row_count:
            focused.action_select_cursor()

    def action_reload(self) -> None:
        self.read_desk()

    def action_back(self) -> None:
        self.console.show_queue(None)

    @on(OpenWorkMatrix.CellChosen)
    def _cell_chosen(self, event: OpenWorkMatrix.CellChosen) -> None:
        self.console.show_queue(event.queue_filter)

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        table = event.data_table.id
        if table == "block-requests" and key in self._block_tickets:
            self.console.open_ticket(self._block_tickets[key])
        elif table == "oldest":
            self.console.open_ticket(int(key))
        elif table == "escalations":
            kind = EscalationKind(key)
            self.console.show_queue(
                QueueFilter(escalations=frozenset({kind}), assignee=Assignee.anyone)
            )
        elif table == "operators":
            self.console.show_queue(QueueFilter(assignee=key))
