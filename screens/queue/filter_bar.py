"""The filter bar over the queue, the filter picker with a count beside every
choice, the free-text search, and the quick views on the number keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from console.reads.queue_filter import SECURITY_VIEW, Assignee, QueueFilter, opening_view
from console.rules.labels import ESCALATION_LABELS, SERVICE_LABELS, STATUS_LABELS, plural
from console.rules.queue_order import SortOrder
from console.rules.word_forms import search_words
from console.untrusted import one_line
from models import ACTIVE_STATUSES, EscalationKind, Service, Status
from screens.keymap import FILTERS, bindings_for
from screens.moving import Moving
from screens.queue.pager import PAGE_SIZE
from screens.widgets.check_list import CheckList

if TYPE_CHECKING:
    from console.reads.facet_counts import Facets

# The queue follows the search as it is typed, after a pause this long...
SEARCH_DEBOUNCE = 0.4
# ...once every word is this long: a search for "п" reads half the database and
# helps nobody. Enter searches for whatever is typed.
SEARCH_MIN_WORD = 3


def worth_searching_yet(text: str) -> bool:
    words = search_words(text)
    return not words or all(len(word) >= SEARCH_MIN_WORD or word.isdigit() for word in words)


QUICK_VIEWS: dict[str, tuple[str, QueueFilter]] = {
    "default": ("My work + unassigned", QueueFilter()),
    "mine": (
        "My open work",
        QueueFilter(
            statuses=frozenset({Status.new, Status.open, Status.on_hold}), assignee=Assignee.mine
        ),
    ),
    "unassigned": (
        "Unassigned new",
        QueueFilter(statuses=frozenset({Status.new}), assignee=Assignee.unassigned),
    ),
    "fraud": (
        "Fraud",
        QueueFilter(escalations=frozenset({EscalationKind.fraud}), assignee=Assignee.anyone),
    ),
    "wmid_block": (
        "WMID block",
        QueueFilter(escalations=frozenset({EscalationKind.wmid_block}), assignee=Assignee.anyone),
    ),
    "breached": ("SLA breached", QueueFilter(breached=True, assignee=Assignee.anyone)),
    "answered": (
        "Answered by me today",
        QueueFilter(statuses=frozenset(Status), assignee=Assignee.mine, answered_today=True),
    ),
    "security": ("Fraud, hacking and blocks", SECURITY_VIEW),
}

ORDER_WORDS = {
    SortOrder.sla: "by SLA due",
    SortOrder.age: "oldest first",
    SortOrder.customer: "by last customer message",
    SortOrder.updated: "last updated first",
    SortOrder.relevance: "best match first",
}


ASSIGNEE_WORDS = {
    Assignee.mine_or_unassigned: "mine + unassigned",
    Assignee.mine: "mine",
    Assignee.unassigned: "unassigned",
    Assignee.anyone: "anyone",
}


def view_name(f: QueueFilter) -> str:
    """The quick view this filter is, ignoring the search and the order; '' for
    a custom one."""
    plain = f.with_(search="", order=SortOrder.sla)
    return next((name for name, view in QUICK_VIEWS.values() if view == plain), "")


def _set_words(values: frozenset, everything: frozenset, labels: dict) -> str:
    if not values or values == everything:
        return "any"
    return ", ".join(
        labels.get(v, str(v)) for v in sorted(values, key=lambda v: list(labels).index(v))
    )


def _how_many(facets: Facets) -> str:
    """The count; while a whole-desk search is counted, the database's estimate
    to three figures, or the rows read so far."""
    if not facets.estimated:
        return plural(facets.total, "ticket")
    if facets.total <= PAGE_SIZE:
        return f"{facets.total:,}+ tickets"
    rounded = round(facets.total, 3 - len(str(facets.total)))
    return f"about {rounded:,} tickets"


def summary(f: QueueFilter, facets: Facets | None) -> Content:
    """Two lines: what is shown and how many; then each filter in words."""
    name = "Whole desk" if f.whole_desk else view_name(f) or "Custom filter"
    parts: list[str | tuple[str, str]] = [(name, "bold $accent")]
    if f.search:
        parts.extend([("  search ", "dim"), (f'"{one_line(f.search)}"', "bold")])
        # "Whole desk" leads the line already; saying it twice wrapped it at 80 columns.
        if not f.whole_desk:
            parts.append((" within this view", "dim"))
    if facets is not None:
        parts.extend([("  ·  ", "dim"), (_how_many(facets), "bold")])
        if facets.breached:
            parts.extend([("  ·  ", "dim"), (f"{facets.breached:,} past SLA", "bold $error")])
    parts.extend(
        [
            ("  ·  ", "dim"),
            (ORDER_WORDS[f.order], "bold" if f.order != SortOrder.sla else ""),
            (" (o)", "dim"),
        ]
    )
    parts.extend(_filter_words(f.applied() if f.whole_desk else f))
    return Content.assemble(*parts)


def _filter_words(f: QueueFilter) -> list[str | tuple[str, str]]:
    """The second line: each filter the rows are read with, in words (a
    whole-desk search reads past the view's)."""
    statuses = (
        "live"
        if f.statuses == ACTIVE_STATUSES
        else _set_words(f.statuses, frozenset(Status), STATUS_LABELS)
    )
    assignee = ASSIGNEE_WORDS.get(f.assignee, one_line(f.assignee))  # type: ignore[call-overload]
    parts: list[str | tuple[str, str]] = [
        "\n",
        ("holder ", "dim"),
        assignee,
        ("  status ", "dim"),
        statuses,
        ("  service ", "dim"),
        _set_words(f.services, frozenset(Service), SERVICE_LABELS),
        ("  escalation ", "dim"),
        _set_words(f.escalations, frozenset(EscalationKind), ESCALATION_LABELS),
    ]
    if f.breached:
        parts.extend([("  ", "dim"), ("past SLA only", "$error")])
    return parts


class FilterSummary(Widget):
    """The two lines of the bar. Drawn by render(), so a new count repaints these
    two lines only: a Static's update would lay out the whole screen again, on
    every filter change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = Content("")

    def show(self, content: Content) -> None:
        if content != self.content:
            self.content = content
            self.refresh()

    def render(self) -> Content:
        return self.content


class FilterBar(Widget):
    """What the queue shows, with counts; `/` opens the search line in it."""

    class SearchChanged(Message):
        """The search text, as typed (debounced)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class ScopeToggled(Message):
        """Tab in the search line: the whole desk, or within this view."""

    class SearchClosed(Message):
        """Enter keeps the search, escape takes it back; either way the queue has the keys."""

        def __init__(self, text: str | None) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._filter = QueueFilter()
        self._facets: Facets | None = None
        self._before_search = ""
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield FilterSummary(id="filter-summary")
        with Horizontal(id="search-line"):
            yield Label(Content("/ "), id="search-prompt")
            search = Input(placeholder="words, a ticket number, WMID, purse or e-mail", id="search")
            search.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield search
            yield Label(id="search-scope")

    def on_mount(self) -> None:
        self.query_one("#search-line").display = False
        self._render_summary()

    def show(self, f: QueueFilter, facets: Facets | None) -> None:
        self._filter = f
        self._facets = facets
        self._render_summary()

    def _render_summary(self) -> None:
        self.query_one(FilterSummary).show(summary(self._filter, self._facets))
        where = "within this view" if self._filter.search_in_view else "whole desk"
        self.query_one("#search-scope", Label).update(
            Content.assemble((f" {where} ", "bold"), ("tab: change", "dim"))
        )

    def open_search(self) -> None:
        self._before_search = self._filter.search
        line = self.query_one("#search-line")
        line.display = True
        search = self.query_one("#search", Input)
        search.value = self._filter.search
        search.focus()

    def _close_search(self, text: str | None) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.query_one("#search-line").display = False
        self.post_message(self.SearchClosed(text))

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value
        if worth_searching_yet(text):
            self._debounce = self.set_timer(
                SEARCH_DEBOUNCE, lambda: self.post_message(self.SearchChanged(text))
            )

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_search(event.value.strip())

    def on_key(self, event) -> None:
        if not self.query_one("#search-line").display:
            return
        if event.key == "escape":
            event.stop()
            self._close_search(self._before_search)
        elif event.key == "tab":
            event.stop()
            event.prevent_default()
            self.post_message(self.ScopeToggled())


class FilterScreen(Moving, ModalScreen[None]):
    """Every filter with how many tickets each choice holds; changes apply at once.
    Tab moves between the lists, space toggles, escape or enter closes; the
    movement keys move in the list that has the keys."""

    BINDINGS = [
        Binding("escape,f", "dismiss", "Close", show=False),
        Binding("0", "reset", "Default view", show=False),
        *bindings_for(FILTERS),
    ]

    def __init__(
        self, f: QueueFilter, facets: Facets | None, apply: Callable[[QueueFilter], None]
    ) -> None:
        super().__init__(classes="dialog")
        self.filter = f
        self.facets = facets
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -filters"):
            yield Label(
                Content("Filters — counts are for the other filters as set"), classes="dialog-title"
            )
            with Horizontal(id="filter-lists"):
                with Vertical(classes="filter-column -holder"):
                    yield Label(Content("Holder"), classes="filter-heading")
                    yield OptionList(id="filter-assignee")
                    yield Label(Content("SLA"), classes="filter-heading")
                    yield CheckList[str](id="filter-breached")
                with Vertical(classes="filter-column"):
                    yield Label(Content("Status"), classes="filter-heading")
                    yield CheckList[Status](id="filter-status")
                with Vertical(classes="filter-column"):
                    yield Label(Content("Service"), classes="filter-heading")
                    yield CheckList[Service](id="filter-service")
                with Vertical(classes="filter-column"):
                    yield Label(Content("Escalation"), classes="filter-heading")
                    yield CheckList[EscalationKind](id="filter-escalation")
            yield Static(
                Content(
                    "tab next list · space toggle · enter pick holder · 0 default view · esc close"
                ),
                classes="dialog-note",
            )

    def on_mount(self) -> None:
        f = self.filter
        self.query_one("#filter-assignee", OptionList).set_options(
            Option(Content(""), id=str(scope)) for scope in ASSIGNEE_WORDS
        )
        lists = [
            ("#filter-status", list(Status), f.statuses),
            ("#filter-service", list(Service), f.services),
            ("#filter-escalation", list(EscalationKind), f.escalations),
            ("#filter-breached", ["breached"], frozenset({"breached"}) if f.breached else set()),
        ]
        for selector, values, chosen in lists:
            selection = self.query_one(selector, SelectionList)
            with selection.prevent(SelectionList.SelectedChanged):
                selection.add_options(
                    Selection(Content(""), value, value in chosen) for value in values
                )
            selection.highlighted = 0
        self._label()
        assignee = self.query_one("#filter-assignee", OptionList)
        scopes = list(ASSIGNEE_WORDS)
        assignee.highlighted = scopes.index(f.assignee) if f.assignee in scopes else 0
        assignee.focus()

    def show_counts(self, f: QueueFilter, facets: Facets) -> None:
        if f != self.filter:
            return
        self.facets = facets
        self._label()

    def _label(self) -> None:
        """Each choice's words and count; the lists keep their place and ticks."""
        f = self.filter
        # A search of the whole desk counts only its total: each choice's count
        # comes once a choice narrows the search to the view.
        facets = self.facets if self.facets is not None and self.facets.itemised else None
        assignee = self.query_one("#filter-assignee", OptionList)
        for index, scope in enumerate(ASSIGNEE_WORDS):
            marker = "(•) " if f.assignee == scope else "( ) "
            count = None if facets is None else facets.assignees.get(scope, 0)
            assignee.replace_option_prompt_at_index(
                index, _choice(marker + ASSIGNEE_WORDS[scope], count)
            )
        labels = [
            (
                "#filter-status",
                [(STATUS_LABELS[s], facets and facets.statuses.get(s, 0)) for s in Status],
            ),
            (
                "#filter-service",
                [(SERVICE_LABELS[s], facets and facets.services.get(s, 0)) for s in Service],
            ),
            (
                "#filter-escalation",
                [
                    (ESCALATION_LABELS[k], facets and facets.escalations.get(k, 0))
                    for k in EscalationKind
                ],
            ),
            ("#filter-breached", [("past SLA only", facets and facets.breached)]),
        ]
        for selector, words in labels:
            selection = self.query_one(selector, SelectionList)
            for index, (label, count) in enumerate(words):
                selection.replace_option_prompt_at_index(
                    index, _choice(label, None if facets is None else count or 0)
                )

    @on(OptionList.OptionSelected, "#filter-assignee")
    def _assignee(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._change(self.filter.with_(assignee=event.option.id or Assignee.mine_or_unassigned))

    @on(SelectionList.SelectedChanged)
    def _selected(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        chosen = frozenset(event.selection_list.selected)
        which = event.selection_list.id
        if which == "filter-status":
            # None ticked reads as "any status", as the bar says.
            self._change(self.filter.with_(statuses=chosen or frozenset(Status)))
        elif which == "filter-service":
            self._change(self.filter.with_(services=chosen))
        elif which == "filter-escalation":
            self._change(self.filter.with_(escalations=chosen))
        elif which == "filter-breached":
            self._change(self.filter.with_(breached=bool(chosen)))

    def _change(self, f: QueueFilter) -> None:
        if f == self.filter:
            return
        self.filter = f
        self.facets = None
        self.apply(f)
        self._label()

    def action_reset(self) -> None:
        """Back to the default view: the lists start again from it."""
        role = self.app.operator.role  # type: ignore[attr-defined]
        self.apply(opening_view(role).with_(search=self.filter.search, order=self.filter.order))
        self.dismiss()


def _choice(label: str, count: int | None) -> Content:
    if count is None:
        return Content.assemble(label, ("  …", "dim"))
    return Content.assemble(label, (f"  {count:,}", "dim" if count == 0 else "bold"))
