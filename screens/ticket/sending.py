"""A reply going out, from the editor or straight from a canned answer: one
confirmation that shows all of it — the text, what goes with it (a macro's
actions, the send key's status), what others did since the writing began
(the words of every message and note), and whose hold it goes over and
whether they are typing now — then the one domain operation, against what
was shown: a change that slips in after it is shown again, nothing sent.

The send keys: ctrl+s sends; ctrl+n sends, then takes and opens the next
ticket in the queue; ctrl+l sends and leaves the ticket on hold; ctrl+f sends
and archives it as resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from textual.content import Content

from console.errors import Conflict, DomainError
from console.untrusted import one_line, visible
from models import Status
from screens.ticket.canned import follow_up_words
from screens.ticket.draft_keeping import not_sent
from screens.ticket.send_dialog import OVERRIDE, SendDialog
from screens.ticket.view import notice_text, when
from screens.widgets.picker import PickKey

if TYPE_CHECKING:
    from console.operations import FollowUp
    from console.reads.news import News, TicketNews
    from console.reads.ticket import TicketDetail
    from screens.app import WmConsole


@dataclass(frozen=True)
class SendVariant:
    """How a reply goes out: what the ticket is after it, and what opens next."""

    intent: str
    key: str
    # The confirmation's question ({number}: the ticket's) and its button.
    question: str
    confirm: str
    status: Status | None = None
    then: str = ""
    opens_next: bool = False


SEND = SendVariant("send", "ctrl+s", "Send the reply on {number}?", "Send")
SEND_NEXT = SendVariant(
    "next",
    "ctrl+n",
    "Send the reply on {number}, then open the next ticket?",
    "Send, then next",
    then="Then the next ticket in the queue is taken and opened.",
    opens_next=True,
)
SEND_HOLD = SendVariant(
    "hold",
    "ctrl+l",
    "Send the reply on {number} and leave it on hold?",
    "Send and hold",
    Status.on_hold,
)
SEND_ARCHIVE = SendVariant(
    "archive",
    "ctrl+f",
    "Send the reply on {number} and archive it?",
    "Send and archive",
    Status.archived,
)
VARIANTS = {variant.intent: variant for variant in (SEND, SEND_NEXT, SEND_HOLD, SEND_ARCHIVE)}
# The send keys, as a picker of canned answers offers them too.
SEND_KEYS = tuple(
    PickKey(v.key, v.intent, words)
    for v, words in (
        (SEND, "send as is"),
        (SEND_NEXT, "send, next ticket"),
        (SEND_HOLD, "send, on hold"),
        (SEND_ARCHIVE, "send, archive"),
    )
)


@dataclass(frozen=True)
class Outgoing:
    """A reply ready to go: the ticket as its writer read it, the text, what goes
    with it, and what the writer had seen when they began."""

    detail: TicketDetail
    body: str
    base_version: int
    seen_event: int | None
    variant: SendVariant = SEND
    # A macro's actions; the send key's status, if it has one, goes instead of its own.
    follow_up: FollowUp | None = None

    @property
    def number(self) -> int:
        return self.detail.number

    def what_goes(self) -> FollowUp:
        from console.operations import FollowUp

        follow_up = self.follow_up or FollowUp()
        if self.variant.status is None:
            return follow_up
        return replace(follow_up, status=self.variant.status)


async def send_reply(app: WmConsole, outgoing: Outgoing) -> bool:
    """Confirm, then send; True when it went out. A change that slips in
    between the confirmation and the send is confirmed again (nothing sent)."""
    news = await _news(app, outgoing)
    headline = ""
    while True:
        holder = news.assignee if news.assignee not in (None, app.login) else None
        typing = await _typing(app, outgoing.number)
        answer = await app.push_screen_wait(
            SendDialog(
                headline or outgoing.variant.question.format(number=outgoing.number),
                confirmation(outgoing, news, typing, app.login),
                confirm=outgoing.variant.confirm,
                holder=holder,
                warning=bool(headline or news.changed or holder),
            )
        )
        if answer is None:
            return False
        try:
            await _deliver(app, outgoing, news, override_hold=answer == OVERRIDE)
            return True
        except Conflict:
            news = await _news(app, outgoing)
            headline = f"Ticket {outgoing.number} changed just as you sent: nothing was sent"
        except DomainError as error:
            not_sent(app, error)
            return False


async def _deliver(
    app: WmConsole, outgoing: Outgoing, news: TicketNews, *, override_hold: bool
) -> None:
    """The one domain operation, against the ticket as the confirmation showed it."""
    from console import operations

    await app.in_thread(
        partial(
            operations.reply,
            app.desk,
            outgoing.number,
            outgoing.body,
            by=app.login,
            expected_version=news.version,
            seen_event=news.latest_event,
            override_hold=override_hold,
            follow_up=outgoing.what_goes(),
        )
    )


async def _news(app: WmConsole, outgoing: Outgoing) -> TicketNews:
    from console.reads.news import news_since

    return await app.in_thread(
        partial(
            news_since,
            app.desk.db,
            outgoing.number,
            since_event=outgoing.seen_event,
            since_version=outgoing.base_version,
            viewer=app.login,
        )
    )


async def _typing(app: WmConsole, number: int) -> list[str]:
    """Who else is typing on the ticket right now."""
    from console.reads import presence

    others = await app.in_thread(
        partial(
            presence.who_else,
            app.desk.db,
            number,
            console_id=app.console_id,
            now=app.desk.now(),
        )
    )
    return [other.login for other in others if other.typing]


def confirmation(outgoing: Outgoing, news: TicketNews, typing: list[str], me: str) -> Content:
    detail = outgoing.detail
    goes = outgoing.what_goes()
    parts: list[str | tuple[str, str] | Content] = [
        ("To ", "dim"),
        one_line(detail.customer_name) or "the customer",
        (" — told by ", "dim"),
        (notice_text(detail), "bold"),
        "\n\n",
        visible(outgoing.body.strip()),
        "\n",
    ]
    also = follow_up_words(goes)
    if goes.macro:
        parts.extend(["\n", ("Macro ", "dim"), (f"«{one_line(goes.macro)}»", "bold")])
    if also:
        parts.extend(["\n", ("With it: ", "bold $warning"), "; ".join(also), "."])
    if outgoing.variant.then:
        parts.extend(["\n", (outgoing.variant.then, "bold")])
    holding = _holding(news, typing, me)
    if holding.plain:
        parts.extend(["\n", holding])
    if news.items:
        parts.extend(["\n\n", (f"Since you began writing ({len(news.items)}):", "bold $warning")])
        parts.extend(part for item in news.items for part in ("\n", news_content(item)))
    return Content.assemble(*parts)


def _holding(news: TicketNews, typing: list[str], me: str) -> Content:
    if news.assignee is None:
        return Content.assemble(("Nobody holds the ticket: ", "bold"), "it becomes yours.")
    if news.assignee == me:
        return Content("")
    now = " and is typing a reply now" if news.assignee in typing else ""
    return Content.assemble(
        (f"{one_line(news.assignee)} holds this ticket{now}. ", "bold $error"),
        "Replying over their hold is recorded in the audit; they keep the ticket.",
    )


def news_content(item: News) -> Content:
    """One thing someone did meanwhile, with the words they wrote."""
    entry = item.entry
    who = entry.operator or f"the {entry.actor}"
    parts: list[str | tuple[str, str] | Content] = [
        ("• ", "bold $warning"),
        (when(entry.at), "dim"),
        f"  {one_line(who)} {entry.label}",
    ]
    if entry.details:
        parts.append((f" — {one_line(entry.details)}", "dim"))
    if item.message is not None:
        parts.extend([":\n", visible(_indented(item.message.body))])
    return Content.assemble(*parts)


def _indented(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.strip().splitlines())


def sent_words(outgoing: Outgoing) -> str:
    goes = outgoing.what_goes()
    tail = (
        {
            Status.on_hold: " It is on hold.",
            Status.archived: " It is archived.",
        }.get(goes.status, "")
        if goes.status
        else ""
    )
    return (
        f"Reply sent on {outgoing.number}: the customer will be told by "
        f"{notice_text(outgoing.detail)}.{tail}"
    )
