"""Deciding a WMID block, the same from the ticket and from the block requests:
the four-eyes rule first (the requester is told at once, in the domain's words,
before being asked anything), then a reason (required to reject), then a last
confirmation, for the decision is recorded under the decider's name for good."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.content import Content

from console.errors import DomainError
from console.rules.roles import Permission
from console.untrusted import one_line, visible
from screens.widgets.dialogs import ConfirmDialog, Field, FormDialog

if TYPE_CHECKING:
    from console.reads.blocks import BlockRequestView
    from screens.app import WmConsole


async def decide_block(app: WmConsole, block: BlockRequestView, *, approve: bool) -> bool:
    """Ask, decide, say what happened; True when the decision was recorded."""
    from console import operations

    if not app.allowed(Permission.decide_block):
        return False
    if block.requested_by == app.login:
        app.refuse(operations.four_eyes_refusal(app.login, block.id))
        return False
    verb = "Approve" if approve else "Reject"
    answer = await app.push_screen_wait(
        FormDialog(
            f"{verb} the block of WMID {block.wmid} — ticket {block.number}",
            [
                Field(
                    "reason",
                    "Reason" if approve else "Why not (required)",
                    "checked with the hotline…" if approve else "not the fraudster's WMID…",
                    required=not approve,
                )
            ],
            note=Content.assemble(
                (f"Requested by {one_line(block.requested_by)}: ", "bold"),
                visible(block.reason),
            ),
            submit=verb,
            danger=True,
        )
    )
    if answer is None:
        return False
    consequence = (
        "The WMID is blocked on your word and the ticket's WMID-block escalation is lowered."
        if approve
        else "The request is closed; the fraudster's WMID stays unblocked."
    )
    sure = await app.push_screen_wait(
        ConfirmDialog(
            f"{verb} the block of WMID {block.wmid}?",
            f"{consequence} The decision is recorded with your name and cannot be taken back.",
            confirm=verb,
            danger=True,
        )
    )
    if not sure:
        return False
    if approve:
        work = partial(
            operations.approve_block, app.desk, block.id, by=app.login, reason=answer["reason"]
        )
    else:
        work = partial(operations.reject_block, app.desk, block.id, answer["reason"], by=app.login)
    try:
        await app.in_thread(work)
    except DomainError as error:
        app.refuse(error)
        return False
    app.done(f"{'Approved' if approve else 'Rejected'} the block of WMID {block.wmid}.")
    return True
