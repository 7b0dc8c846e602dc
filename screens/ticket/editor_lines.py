"""What the reply editor says above the text: who hears the reply and how,
whose the ticket is when a reply would take it or go over a hold, the macro
that goes with the reply, and what others did since the draft began."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from console.untrusted import one_line
from models import DraftKind
from screens.ticket.canned import follow_up_words
from screens.ticket.view import notice_text

if TYPE_CHECKING:
    from console.operations import FollowUp, MacroInfo
    from console.reads.news import TicketNews
    from console.reads.ticket import TicketDetail


def channel_content(detail: TicketDetail, kind: DraftKind) -> Content:
    if kind == DraftKind.note:
        return Content.assemble(("Operators only: ", "bold $warning"), "never sent to the customer")
    customer = one_line(detail.customer_name) or "the customer"
    return Content.assemble(
        ("To ", "dim"), customer, (" — told by ", "dim"), (notice_text(detail), "bold")
    )


def holder_content(holder: str | None) -> Content:
    if holder is None:
        return Content("Nobody holds this ticket: sending the reply makes it yours.")
    return Content(
        f"{one_line(holder)} holds this ticket: sending asks you to reply over their hold, "
        "and the audit records it."
    )


def macro_content(macro: MacroInfo, does: FollowUp) -> Content:
    return Content.assemble(
        ("Macro ", "dim"),
        (f"«{one_line(macro.title)}»", "bold"),
        (" — with the reply: ", "dim"),
        "; ".join(follow_up_words(does)) or "the text only",
    )


def since_content(news: TicketNews) -> Content:
    return Content.assemble(
        (f"Since you began ({len(news.items)}): ", "bold"),
        Content("; ").join(
            Content(f"{one_line(i.entry.operator or i.entry.actor)} {i.entry.label}")
            for i in news.items
        ),
        (" — all of it is shown, word for word, before the reply goes out", "dim"),
    )
