"""Canned answers for one ticket: its service's macros and templates in its
language, as a picker shows them — each with its placeholders filled for this
customer, and a macro with what else its answer does, in words — and where a
chosen text goes in the reply: a paragraph of its own at the cursor, never
into the middle of a line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.content import Content

from console.untrusted import one_line, visible
from models import Handover, Language, Service, Status
from screens.widgets.picker import Picked, Picker, PickItem, PickKey

if TYPE_CHECKING:
    from console.desk import Desk
    from console.operations import FollowUp, MacroInfo
    from console.reads.ticket import TicketDetail
    from screens.app import WmConsole

# A status after the answer, and who holds the ticket after it, in words.
_STATUS_WORDS = {Status.on_hold: "left on hold", Status.archived: "archived"}


@dataclass(frozen=True)
class Canned:
    """A template, or a macro (its text and what else its answer does)."""

    title: str
    body: str
    macro: MacroInfo | None = None

    @property
    def kind(self) -> str:
        return "macro" if self.macro else "template"


def read_canned(desk: Desk, detail: TicketDetail) -> list[Canned]:
    """The ticket's macros, then its templates (its service's and those for every
    service, in its language)."""
    from console import operations

    service, language = Service(detail.service), Language(detail.language)
    macros = operations.list_macros(desk, service=service, language=language)
    templates = operations.list_templates(desk, service=service, language=language)
    return [Canned(m.title, m.body, m) for m in macros] + [
        Canned(t.title, t.body) for t in templates
    ]


def filled(text: str, detail: TicketDetail) -> str:
    from console import operations

    return operations.fill_template(
        text,
        ticket=detail.number,
        wmid=detail.customer_wmid,
        name=one_line(detail.customer_name),
    )


def follow_up_of(canned: Canned | MacroInfo | None, detail: TicketDetail) -> FollowUp | None:
    macro = canned.macro if isinstance(canned, Canned) else canned
    if macro is None:
        return None
    return macro.follow_up(
        ticket=detail.number, wmid=detail.customer_wmid, name=one_line(detail.customer_name)
    )


def follow_up_words(follow_up: FollowUp) -> list[str]:
    """What an answer does besides the text, one phrase each."""
    words = []
    if follow_up.clear_escalation is not None:
        words.append(f"clears the {follow_up.clear_escalation.value} escalation")
    if follow_up.escalate is not None:
        words.append(f"escalates as {follow_up.escalate.value}")
    if follow_up.note:
        words.append(f"adds the note «{one_line(follow_up.note)}»")
    handover = {
        Handover.take: "you hold it",
        Handover.queue: "it goes back to the queue",
        Handover.person: f"it goes to {follow_up.handover_to}",
    }
    if follow_up.handover is not None:
        words.append(handover[follow_up.handover])
    if follow_up.status is not None:
        words.append(f"the ticket is {_STATUS_WORDS[follow_up.status]}")
    return words


def pick_items(canned: list[Canned], detail: TicketDetail) -> list[PickItem[Canned]]:
    items = []
    for answer in canned:
        does = follow_up_of(answer, detail)
        also = "; ".join(follow_up_words(does)) if does else ""
        label = Content.assemble(
            (f"{answer.kind:<9}", "$text-accent" if answer.macro else "dim"),
            (one_line(answer.title), "bold"),
        )
        words = f"{answer.kind} {answer.title} {also} {answer.body}"
        items.append(PickItem(answer, label, words))
    return items


def preview(answer: Canned, detail: TicketDetail) -> Content:
    """The answer as the customer would read it, and what else it does."""
    parts: list[str | tuple[str, str] | Content] = [
        (f"{answer.kind.capitalize()}: ", "dim"),
        (one_line(answer.title), "bold"),
        "\n\n",
        visible(filled(answer.body, detail)),
    ]
    does = follow_up_of(answer, detail)
    if does is not None and follow_up_words(does):
        parts.extend(["\n\n", ("With the answer: ", "bold $warning")])
        parts.append("; ".join(follow_up_words(does)))
    return Content.assemble(*parts)


async def pick_canned(
    app: WmConsole,
    detail: TicketDetail,
    canned: list[Canned],
    title: str,
    keys: Sequence[PickKey],
) -> Picked[Canned] | None:
    """The operator's pick, by typing, `keys` picking it to send at once (None: none)."""
    if not canned:
        app.notify(
            f"No {detail.language} macros or templates for {detail.service}.",
            severity="warning",
            markup=False,
        )
        return None
    return await app.push_screen_wait(
        Picker(
            f"{title} — {detail.service}, {detail.language}",
            pick_items(canned, detail),
            partial(preview, detail=detail),
            keys=keys,
        )
    )


def as_paragraph(lines: list[str], row: int, column: int, text: str) -> tuple[str, int, int]:
    """Where `text` goes as a paragraph of its own, and with what around it: on
    a line with words, after that line (not where the cursor splits it); a
    blank line either side, unless the text starts or ends the reply. Returns
    the text to insert and the (row, column) to insert it at."""
    text = text.strip("\n")
    line = lines[row] if row < len(lines) else ""
    if line.strip():
        leading, column = "\n\n", len(line)
    else:
        leading = "\n" if row > 0 and lines[row - 1].strip() else ""
    after = lines[row + 1 :]
    trailing = "\n" if after and after[0].strip() else ""
    return leading + text + trailing, row, column
