"""Customer text is shown literally: markup, escape sequences, control, bidi and
zero-width characters can neither style the screen, run an action, move the
cursor nor reach the terminal (DESIGN.md section 5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.style import Style

from console import operations as ops
from console.mail.attachments import IncomingAttachment
from console.reads.presence import Present
from console.reads.queue import QueueFilter
from console.reads.ticket import (
    AttachmentInfo,
    AuditEntry,
    OtherTicket,
    ThreadMessage,
    TicketDetail,
    load_ticket,
)
from console.rules.sla import SlaPolicy
from models import PresenceState
from screens.queue.cells import row_segments
from screens.queue.columns import layout
from screens.queue.filter_bar import summary
from screens.ticket.view import (
    attachment_content,
    audit_content,
    customer_content,
    escalations_content,
    head_content,
    message_content,
    other_ticket_content,
    presence_content,
)
from tests.support.desk import queue_row
from tests.support.ui import console_for, settle, strips

MARKUP = [
    "[bold red]",
    "[/bold red]",
    "[/]",
    "[@click=app.quit]",
    "[@click=screen.take]",
    "[link=https://evil.example]",
    "[/link]",
    "[",
    "]",
    "[/",
    "[[",
    "]]",
    "[b",
    "\\[",
    "$accent",
    "[on red]",
    ":warning:",
    "[reverse]",
    "{ticket}",
]
ESCAPES = [
    "\x1b[2J",
    "\x1b[31m",
    "\x1b]52;c;Y3VybCBldmlsLnNo\x07",
    "\x1b]8;;https://evil.example\x1b\\",
    "\x1b[H",
    "\x1b[?1049l",
    "\x9b2J",
    "\x1bc",
    "\x07",
    "\x08",
    "\r",
    "\x00",
    "\x7f",
    "\x85",
    "\x90",
    "\t",
]
INVISIBLE = [
    "\u202e",
    "\u202d",
    "\u202a",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\U000e0041",
]
hostile = st.lists(
    st.one_of(
        st.sampled_from(MARKUP + ESCAPES + INVISIBLE),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=4),
    ),
    min_size=1,
    max_size=14,
).map("".join)

# What the domain takes: everything but NUL, which is refused at the door on
# every backend (console/rules/validation.storable).
storable = hostile.map(lambda text: text.replace("\x00", ""))

# What must never reach the terminal from data: every C0/C1 control, bidi
# controls, zero-width and invisible formatting characters, tag characters.
FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e007f]"
)
# Content may break lines; a line on the screen never holds a newline.
FORBIDDEN_IN_CONTENT = re.compile(FORBIDDEN.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
OUR_STYLES = {
    "bold",
    "dim",
    "italic",
    "dim strike",
    "bold $error",
    "bold $warning",
    "$warning",
    "$success",
    "bold reverse $error",
    "bold $accent",
    "$error",
    "italic $warning",
}


def assert_literal(content) -> None:
    """Nothing forbidden in the text, and only our own styles on it."""
    assert not FORBIDDEN_IN_CONTENT.search(content.plain), repr(content.plain)
    for span in content.spans:
        assert isinstance(span.style, str) and span.style in OUR_STYLES, span.style


def assert_screen_is_inert(app) -> None:
    for strip in strips(app):
        for segment in strip:
            assert not FORBIDDEN.search(segment.text), repr(segment.text)
            style = segment.style
            if style is None:
                continue
            assert style.link is None, style.link
            # What markup like [@click=app.quit] would leave on a segment. (Textual's
            # own scrollbars carry mouse meta of their own, which is fine.)
            assert "@click" not in (style.meta or {}), style.meta


@given(text=hostile, other=hostile)
@settings(max_examples=300)
def test_every_piece_of_the_detail_is_literal(text, other):
    detail = TicketDetail(
        id=1,
        number=100001,
        service="transfers",
        subject=text,
        status="open",
        version=3,
        customer_wmid="123456789012",
        customer_purse=None,
        customer_email=f"{other}@example.com",
        customer_name=other,
        customer_phone="+74957274333",
        notice_channel="email",
        language="ru",
        source="form",
        assignee="olga",
        created_at=NOW,
        updated_at=NOW,
        confirmed_at=None,
        first_answer_due_at=None,
        due_at=NOW,
        archived_at=None,
        archive_reason=text,
        escalation_kinds=["fraud"],
    )
    policy = SlaPolicy()
    assert_literal(head_content(detail, policy, NOW))
    assert_literal(customer_content(detail))
    assert_literal(escalations_content(detail))
    assert_literal(
        message_content(ThreadMessage(1, "customer", None, "email", text + "\n" + other, NOW, None))
    )
    assert_literal(message_content(ThreadMessage(2, "note", other, "console", text, NOW, None)))
    assert_literal(attachment_content(AttachmentInfo(1, 1, text, other, 10, False, text)))
    assert_literal(other_ticket_content(OtherTicket(100002, text, "open", "keeper", NOW)))
    assert_literal(
        audit_content(
            [AuditEntry(1, "archive", "archived it", other, "operator", NOW, {}, {}, text)]
        )
    )
    assert_literal(presence_content([Present(other, text, PresenceState.typing, text, NOW)]))
    assert_literal(summary(QueueFilter(search=text, assignee=other), None))


@given(text=hostile)
@settings(max_examples=200)
def test_a_queue_row_is_literal(text):
    """The queue draws its own segments: no customer text can bring controls or styles."""
    row = queue_row(
        subject=text, assignee=text, customer_email="a@example.com", due_at=NOW, escalation_flags=3
    )
    for width in (80, 120, 200):
        segments = row_segments(
            row,
            layout(width),
            now=NOW,
            policy=SlaPolicy(),
            viewer="olga",
            base=Style(),
            style=lambda _name: Style(),
        )
        assert sum(cell_len(segment.text) for segment in segments) == width
        for segment in segments:
            assert not FORBIDDEN.search(segment.text), repr(segment.text)


@given(subject=storable, body=storable, name=storable, filename=hostile, reason=storable)
@settings(
    max_examples=8,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_hostile_tickets_render_without_error_and_without_effect(
    ui_desk, subject, body, name, filename, reason
):
    """Through the real screens: the queue row, the preview, the full ticket and the
    reply editor with a template filled from the customer's name."""
    subject = subject.strip() or "[@click=app.quit]"
    number = ops.create_ticket(
        ui_desk,
        service="keeper",
        subject=subject[:400],
        body=body if body.strip() else "[link=https://evil.example]x[/link]",
        email="victim@example.com",
        wmid="123456789012",
        name=name,
        attachments=[IncomingAttachment(filename, "text/plain", b"data")],
    ).number
    ops.escalate(ui_desk, number, "fraud", reason if reason.strip() else "\x1b[2J", by="ivan")
    ops.note(ui_desk, number, body if body.strip() else "\u202eevil", by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        # A search by its number opens the ticket; escape (marks, then back)
        # leaves the queue narrowed to it.
        await pilot.press("slash", *str(number), "enter")
        await settle(pilot)
        assert app.screen.ACTION_SCREEN == "ticket"
        assert_screen_is_inert(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.screen.queue_view.current_row.number == number
        assert app.screen.preview.detail.number == number
        assert_screen_is_inert(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.ACTION_SCREEN == "ticket"
        assert_screen_is_inert(app)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+t", "enter")
        await settle(pilot)
        assert_screen_is_inert(app)
        # Sent; escape clears the search's marks, then goes back to the queue.
        await pilot.press("ctrl+g", "y", "escape", "escape")
        await settle(pilot)
        assert app.is_running
        assert app.screen.ACTION_SCREEN == "queue"
    # The database keeps exactly what the customer sent.
    detail = load_ticket(ui_desk.db, number)
    assert detail.messages[0].body == (
        body if body.strip() else "[link=https://evil.example]x[/link]"
    )


@given(subject=storable, reason=storable, login_name=storable)
@settings(
    max_examples=5,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_the_supervisors_screens_are_inert_too(ui_desk, subject, reason, login_name):
    """The dashboard's oldest tickets and block requests, and the block requests
    screen: a subject, a block reason and an operator's name from anyone."""
    subject = subject.strip() or "[@click=app.quit]"
    number = ops.create_ticket(
        ui_desk,
        service="transfers",
        subject=subject[:400],
        body="money gone",
        email="victim@example.com",
        wmid="123456789012",
        name=login_name[:200],
    ).number
    ops.request_block(
        ui_desk,
        number,
        # One desk for every example: each requests a block of its own WMID.
        f"21{number:010d}",
        reason if reason.strip() else "\x1b]52;c;Y3VybCBldmlsLnNo\x07",
        by="ivan",
    )
    app = console_for(ui_desk, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert app.screen.ACTION_SCREEN == "dashboard"
        assert app.screen.stats is not None and app.screen.stats.block_requests
        assert_screen_is_inert(app)
        await pilot.press("escape", "B")
        await settle(pilot)
        assert app.screen.ACTION_SCREEN == "blocks"
        assert_screen_is_inert(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running
