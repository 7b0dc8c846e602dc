"""The outbox by hand: a failed notice put back to be sent again."""

from __future__ import annotations

from console.desk import Desk
from console.errors import NotFound, TransitionRefused
from console.operations.editing import acting, record_change
from console.rules.roles import Permission
from models import Actor, AuditEvent, Notice, NoticeState


def retry_notice(desk: Desk, notice_id: int, *, by: str) -> None:
    """Put a failed notice back in the outbox, due now: a supervisor's or security
    officer's call, audited on the notice's ticket."""
    with acting(desk, by=by, permission=Permission.retry_notices) as (session, operator):
        # Locked, so that of two people retrying at once the second is told it is done.
        notice = session.get(Notice, notice_id, with_for_update=True)
        if notice is None:
            raise NotFound(f"no notice {notice_id}")
        if notice.state != NoticeState.failed:
            raise TransitionRefused(
                f"notice {notice_id} is {notice.state.value}; "
                "only a failed notice is retried by hand"
            )
        now = desk.now()
        notice.state = NoticeState.pending
        notice.next_attempt_at = now
        session.add(notice)
        session.add(
            AuditEvent(
                ticket_id=notice.ticket_id,
                operator_id=operator.id,
                actor=Actor.operator,
                action="notice_retry",
                before={"notice": notice_id, "state": "failed", "last_error": notice.last_error},
                after={"notice": notice_id, "state": "pending"},
                at=now,
            )
        )
        # The ticket's audit trail grew: a console showing the ticket re-reads it.
        record_change(session, desk, "notice", notice.ticket_id)
