"""One ticket, everything about it: beside the queue as a preview, or full screen.

Every string a customer (or anyone) wrote reaches the screen the same way:
through console.untrusted (controls, escapes, bidi and zero-width characters
made visible) and then into a Content object as plain text. Nothing here
builds markup from data, so `[@click=app.quit]` is eleven characters on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from console.formatting import BADGES, age_text, sla_left, sla_state, sla_text
from console.reads.ticket_detail import (
    AttachmentInfo,
    AuditEntry,
    OtherTicket,
    ThreadMessage,
    TicketDetail,
)
from console.rules.labels import label
from console.rules.sla import SlaPolicy
from console.rules.word_forms import Span, Term, match_spans, parse
from console.untrusted import one_line, visible
from models import EscalationKind, Language, MessageChannel, NoticeChannel, Service, Status
from screens.queue.columns import URGENT_BADGES

if TYPE_CHECKING:
    from console.reads.presence import Present

# A read slower than this says it is loading (a faster one would only flicker).
SLOW_READ = 0.2
SLA_STYLES = {
    "breached": "bold $error",
    "soon": "bold $warning",
    "fine": "$success",
    "stopped": "dim",
}
_KIND_LABELS = {
    "customer": "Customer",
    "operator": "Operator",
    "note": "Internal note",
    "system": "System",
}


def when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def size_text(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def badge(kind: str) -> tuple[str, str]:
    escalation = EscalationKind(kind)
    style = "bold reverse $error" if escalation in URGENT_BADGES else "bold $warning"
    return (f" {BADGES[escalation]} ", style)


def notice_text(detail: TicketDetail) -> str:
    """How the customer hears of an answer, in words."""
    if detail.notice_channel == NoticeChannel.keeper:
        return f"a WM Keeper message to WMID {one_line(detail.customer_wmid) or '—'}"
    return f"an e-mail to {one_line(detail.customer_email) or '—'}"


# The parts, as Content -------------------------------------------------------------


def head_content(detail: TicketDetail, policy: SlaPolicy, now: datetime) -> Content:
    kinds = [EscalationKind(kind) for kind in detail.escalation_kinds]
    left = sla_left(policy, detail.due_at, now, kinds)
    parts: list[str | tuple[str, str] | Content] = [
        (f"{detail.number}", "bold"),
        "  ",
        (one_line(detail.subject), "bold"),
        "\n",
    ]
    for kind in detail.escalation_kinds:
        parts.extend([badge(kind), " "])
    parts.extend(
        [
            (label(detail.status, Status), "bold"),
            ("  ·  ", "dim"),
            label(detail.service, Service),
            ("  ·  SLA ", "dim"),
            (sla_text(left), SLA_STYLES[sla_state(left)]),
            ("  ·  age ", "dim"),
            age_text(detail.created_at, now),
            ("  ·  ", "dim"),
            (f"held by {detail.assignee}" if detail.assignee else "unassigned", "italic"),
        ]
    )
    return Content.assemble(*parts)


def customer_content(detail: TicketDetail) -> Content:
    """Who the customer is and how they hear from us, in two lines: on a small
    screen the thread starts just below."""
    confirmed = (
        ("confirmed " + when(detail.confirmed_at), "$success")
        if detail.confirmed
        else ("NOT CONFIRMED", "bold $error")
    )
    who: list[str | tuple[str, str]] = [(one_line(detail.customer_name) or "—", "bold")]
    for name, value in (
        ("WMID", detail.customer_wmid),
        ("purse", detail.customer_purse),
        ("", detail.customer_email),
        ("phone", detail.customer_phone),
    ):
        if value:
            who.extend([("  ·  ", "dim"), (f"{name} " if name else "", "dim"), one_line(value)])
    notices = (
        f"by {label(detail.notice_channel, NoticeChannel)} · {label(detail.language, Language)}"
    )
    return Content.assemble(
        ("Customer ", "dim"), *who, "\n", ("Answers  ", "dim"), notices, ("  ·  ", "dim"), confirmed
    )


def escalations_content(detail: TicketDetail) -> Content:
    parts: list[str | tuple[str, str]] = []
    for escalation in detail.escalations:
        if parts:
            parts.append("\n")
        if escalation.cleared_at is None:
            parts.append(badge(escalation.kind))
            parts.append(
                f" by {escalation.set_by or 'the system'} {when(escalation.set_at)}: "
                f"{one_line(escalation.reason)}"
            )
        else:
            parts.append(
                (
                    f"{label(escalation.kind, EscalationKind)} (cleared by "
                    f"{escalation.cleared_by or '—'} "
                    f"{when(escalation.cleared_at)}: {one_line(escalation.clear_reason)})",
                    "dim strike",
                )
            )
    for block in detail.blocks:
        if parts:
            parts.append("\n")
        if block.state == "requested":
            parts.append(("WMID block ", "bold $error"))
            parts.append(
                f"{block.wmid} requested by {one_line(block.requested_by)} "
                f"{when(block.requested_at)}: {one_line(block.reason)} — waiting for a second "
                "person to approve or reject"
            )
        else:
            # Both pairs of eyes, each with their words: who asked and who decided.
            decision = f": {one_line(block.decision_reason)}" if block.decision_reason else ""
            parts.append(
                (
                    f"WMID block {block.wmid} requested by {one_line(block.requested_by)} "
                    f"{when(block.requested_at)}: {one_line(block.reason)} — {block.state} by "
                    f"{one_line(block.decided_by) or '—'} {when(block.decided_at)}{decision}",
                    "dim",
                )
            )
    return Content.assemble(*parts)


MATCH_STYLE = "reverse $warning"
CURRENT_MATCH_STYLE = "bold reverse $accent"


def highlighted(text: str, spans: Sequence[Span], current: int | None = None) -> Content:
    """`text` (already made visible) with the search's matches marked; the
    `current` one (an index into `spans`) marked as the one n/N stand on."""
    content = Content(text)
    for index, (start, end) in enumerate(spans):
        style = CURRENT_MATCH_STYLE if index == current else MATCH_STYLE
        content = content.stylize(style, start, end)
    return content


def message_content(
    message: ThreadMessage, terms: Sequence[Term] = (), current: int | None = None
) -> Content:
    who = {
        "customer": "customer",
        "system": "system",
    }.get(message.kind, one_line(message.author) or "?")
    by_phone = message.channel == MessageChannel.phone
    kind = "Call" if by_phone else _KIND_LABELS.get(message.kind, message.kind)
    how = "by phone" if by_phone else f"via {label(message.channel, MessageChannel)}"
    body = visible(message.body)
    return Content.assemble(
        (kind, "bold"),
        (f"  {who} · {how} · {when(message.created_at)}", "dim"),
        "\n",
        highlighted(body, match_spans(body, list(terms)), current),
    )


def attachment_content(attachment: AttachmentInfo) -> Content:
    parts: list[str | tuple[str, str]] = [
        one_line(attachment.filename),
        (f"  {one_line(attachment.content_type)} · {size_text(attachment.size)}", "dim"),
    ]
    if not attachment.kept:
        parts.append((f"  not kept: {one_line(attachment.refused_reason)}", "$warning"))
    return Content.assemble(*parts)


def other_ticket_content(other: OtherTicket) -> Content:
    return Content.assemble(
        (f"{other.number}", "bold"),
        (f"  {label(other.status, Status):<11} {label(other.service, Service):<13} ", "dim"),
        one_line(other.subject),
    )


def audit_content(entries: Sequence[AuditEntry]) -> Content:
    parts: list[str | tuple[str, str]] = []
    for entry in entries:
        if parts:
            parts.append("\n")
        who = entry.operator or f"the {entry.actor}"
        parts.append((when(entry.at), "dim"))
        parts.append(f"  {one_line(who)} {entry.label}")
        if entry.details:
            parts.append((f" — {one_line(entry.details)}", "dim"))
    return Content.assemble(*parts)


def presence_content(others: Sequence[Present]) -> Content:
    if not others:
        return Content("")
    parts: list[str | tuple[str, str]] = [("Also here: ", "bold")]
    for index, other in enumerate(others):
        if index:
            parts.append(", ")
        if other.typing:
            parts.append((f"{one_line(other.login)} is typing a reply", "bold $warning"))
        else:
            parts.append(f"{one_line(other.login)} is viewing")
    return Content.assemble(*parts)


# The widget ------------------------------------------------------------------------


class ThreadEntry(Static):
    """One message of the thread; its kind is a class, so each looks its own way."""

    def __init__(self, message: ThreadMessage, terms: Sequence[Term] = ()) -> None:
        super().__init__(message_content(message, terms), classes=f"thread-entry -{message.kind}")
        self.message = message
        self.matches = len(match_spans(visible(message.body), list(terms)))

    def show_current(self, terms: Sequence[Term], current: int | None) -> None:
        self.update(message_content(self.message, terms, current))


class TicketView(Vertical):
    """Everything about one ticket; `show()` it, or None for nothing. Its number,
    subject, status and holder (and who else is on it) stay at the top while
    the rest scrolls under them; a read that takes a moment says so there."""

    class OtherTicketChosen(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    class AttachmentChosen(Message):
        def __init__(self, attachment: AttachmentInfo) -> None:
            super().__init__()
            self.attachment = attachment

    def __init__(
        self,
        *,
        policy: SlaPolicy,
        now: Callable[[], datetime],
        preview: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-preview" if preview else "-full")
        self.policy = policy
        self._now = now
        self.preview = preview
        self.detail: TicketDetail | None = None
        self.others: list[Present] = []
        self._slow: Timer | None = None
        # The search whose matches are marked in the thread, and the one n/N stand on.
        self.terms: list[Term] = []
        self.current_match: int | None = None
        if preview:
            self.can_focus = False

    @property
    def scroller(self) -> VerticalScroll:
        """What scrolls: everything under the pinned head."""
        return self.query_one("#ticket-scroll", VerticalScroll)

    def compose(self) -> ComposeResult:
        yield Static(Content("No ticket highlighted."), id="ticket-nothing")
        with Vertical(id="ticket-top"):
            yield Static(id="ticket-head")
            yield Static(id="ticket-presence")
            yield Static(id="ticket-loading")
        with VerticalScroll(id="ticket-scroll"), Vertical(id="ticket-body"):
            yield Static(id="ticket-customer")
            yield Static(id="ticket-escalations")
            yield Label(Content("Thread"), classes="section-title")
            yield Static(id="ticket-matches")
            yield Vertical(id="ticket-thread")
            yield Label(Content("Attachments"), classes="section-title", id="attachments-title")
            yield OptionList(id="ticket-attachments")
            yield Label(
                Content("The customer's other tickets"), classes="section-title", id="others-title"
            )
            yield OptionList(id="ticket-others")
            yield Label(Content("Audit trail"), classes="section-title")
            yield Static(id="ticket-audit")

    def on_mount(self) -> None:
        if self.preview:
            for widget in (*self.query(OptionList), self.scroller):
                widget.can_focus = False
        self.query_one("#ticket-loading").display = False
        self._show_nothing(True)

    def _show_nothing(self, nothing: bool) -> None:
        self.query_one("#ticket-nothing").display = nothing
        self.query_one("#ticket-top").display = not nothing
        self.query_one("#ticket-scroll").display = not nothing

    def expect(self, number: int) -> None:
        """Ticket `number` is being read: if it takes over SLOW_READ, say so."""
        if self._slow is not None:
            self._slow.stop()
        self._slow = self.set_timer(SLOW_READ, lambda: self._loading(number))

    def _loading(self, number: int) -> None:
        if self.detail is None:
            self.query_one("#ticket-nothing", Static).update(Content(f"Loading ticket {number}…"))
            self._show_nothing(True)
            return
        loading = self.query_one("#ticket-loading", Static)
        loading.update(Content(f"Loading ticket {number}…"))
        loading.display = True

    def show(self, detail: TicketDetail | None, *, message: str = "") -> None:
        if self._slow is not None:
            self._slow.stop()
        self.query_one("#ticket-loading").display = False
        same_ticket = detail is not None and self.detail is not None and detail.id == self.detail.id
        self.detail = detail
        if detail is None:
            self.query_one("#ticket-nothing", Static).update(
                Content(message or "No ticket highlighted.")
            )
            self._show_nothing(True)
            return
        if not same_ticket:
            self.others = []
        now = self._now()
        with self.app.batch_update():
            self._show_nothing(False)
            self.query_one("#ticket-head", Static).update(head_content(detail, self.policy, now))
            self._show_presence()
            self.query_one("#ticket-customer", Static).update(customer_content(detail))
            escalations = self.query_one("#ticket-escalations", Static)
            escalations.update(escalations_content(detail))
            escalations.display = bool(detail.escalations or detail.blocks)
            thread = self.query_one("#ticket-thread", Vertical)
            thread.remove_children()
            thread.mount_all(ThreadEntry(message, self.terms) for message in detail.messages)
            self.current_match = None
            self._show_match_count()
            self._fill_options(
                "#ticket-attachments",
                "#attachments-title",
                [attachment_content(a) for a in detail.attachments],
            )
            self._fill_options(
                "#ticket-others",
                "#others-title",
                [other_ticket_content(o) for o in detail.other_tickets],
            )
            self.query_one("#ticket-audit", Static).update(audit_content(detail.audit))
        if not same_ticket:
            self.scroller.scroll_home(animate=False)

    # The search's matches -------------------------------------------------------------

    def mark_matches(self, search: str) -> None:
        """Mark where `search` matches in the thread ("" clears the marks)."""
        self.terms = parse(search)
        self.current_match = None
        for entry in self.query(ThreadEntry):
            entry.show_current(self.terms, None)
            entry.matches = len(match_spans(visible(entry.message.body), self.terms))
        self._show_match_count()

    @property
    def match_count(self) -> int:
        return sum(entry.matches for entry in self.query(ThreadEntry))

    def step_match(self, step: int) -> None:
        """To the next (1) or previous (-1) match, round the thread."""
        count = self.match_count
        if not count:
            return
        at = -1 if self.current_match is None and step > 0 else (self.current_match or 0)
        self.current_match = (at + step) % count
        first = 0
        for entry in self.query(ThreadEntry):
            inside = self.current_match - first
            current = inside if 0 <= inside < entry.matches else None
            entry.show_current(self.terms, current)
            if current is not None:
                self.scroller.scroll_to_widget(entry, animate=False, top=True)
            first += entry.matches
        self._show_match_count()

    def _show_match_count(self) -> None:
        line = self.query_one("#ticket-matches", Static)
        count = self.match_count if self.terms else 0
        line.display = bool(self.terms)
        if not self.terms:
            return
        if not count:
            line.update(Content("No match for the search in the thread"))
            return
        where = "" if self.current_match is None else f"{self.current_match + 1} of "
        plural = "match" if count == 1 else "matches"
        keys = "" if self.preview else " — n/N, esc clears"
        line.update(Content(f"{where}{count} {plural} of the search{keys}"))

    def _fill_options(self, list_id: str, title_id: str, prompts: list[Content]) -> None:
        options = self.query_one(list_id, OptionList)
        highlighted = options.highlighted
        options.set_options(Option(prompt, id=str(index)) for index, prompt in enumerate(prompts))
        if prompts:
            options.highlighted = min(highlighted or 0, len(prompts) - 1)
        options.display = bool(prompts)
        self.query_one(title_id).display = bool(prompts)

    def show_presence(self, number: int, others: list[Present]) -> None:
        if self.detail is None or self.detail.number != number:
            return
        self.others = others
        self._show_presence()

    def _show_presence(self) -> None:
        widget = self.query_one("#ticket-presence", Static)
        widget.update(presence_content(self.others))
        widget.display = bool(self.others)
        widget.set_class(any(other.typing for other in self.others), "-typing")

    @property
    def highlighted_attachment(self) -> AttachmentInfo | None:
        if self.detail is None or not self.detail.attachments:
            return None
        index = self.query_one("#ticket-attachments", OptionList).highlighted
        return self.detail.attachments[index or 0]

    @on(OptionList.OptionSelected, "#ticket-attachments")
    def _attachment_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.detail is not None:
            self.post_message(self.AttachmentChosen(self.detail.attachments[event.option_index]))

    @on(OptionList.OptionSelected, "#ticket-others")
    def _other_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.detail is not None:
            number = self.detail.other_tickets[event.option_index].number
            self.post_message(self.OtherTicketChosen(number))
