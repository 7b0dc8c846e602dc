"""Where the reply editor's draft is kept, and what the operator hears when a
send does not go out.

The draft goes to the database as it is typed. When the database cannot take
it (unreachable, its disk full) or refuses it, this host keeps it
(console/local_drafts.py) and the console says so once; the next save that
the database takes removes the copy here. Opening the editor brings back the
copy kept here first: it is the newer one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.errors import DomainError
from console.failures import Failure, as_failure
from models import DraftKind
from screens.outage import DatabaseFailed, refusal_of, why

if TYPE_CHECKING:
    from console.operations.staff import SavedDraft
    from screens.app import WmConsole
    from screens.base import ConsoleScreen


class DraftKeeping:
    """The draft of one editor (a screen with the ticket's `number`): saved
    where it can be."""

    def __init__(self, editor: ConsoleScreen, number: int) -> None:
        self.editor = editor
        self.number = number
        # Said once, until the database takes the draft again.
        self._kept_here = False

    @property
    def app(self) -> WmConsole:
        return self.editor.console

    def save(
        self,
        body: str,
        kind: DraftKind,
        version: int,
        seen_event: int | None = None,
        macro_id: int | None = None,
    ) -> bool:
        """In the database, else here; False when nothing could keep it (the
        text is then only in the editor, and the operator is told)."""
        try:
            self._in_database(body, kind, version, seen_event, macro_id)
        except Exception as error:
            return self._here(body, kind, version, error, seen_event, macro_id)
        return True

    def _in_database(
        self,
        body: str,
        kind: DraftKind,
        version: int,
        seen_event: int | None,
        macro_id: int | None,
    ) -> None:
        from console import operations

        app = self.app
        with app.local_drafts.lock:
            if body.strip():
                operations.save_draft(
                    app.desk,
                    self.number,
                    body,
                    by=app.login,
                    kind=kind,
                    ticket_version=version,
                    seen_event=seen_event,
                    macro_id=macro_id,
                )
            else:
                operations.discard_draft(app.desk, self.number, by=app.login)
            app.local_drafts.forget(self.number)
        self._kept_here = False

    def _here(
        self,
        body: str,
        kind: DraftKind,
        version: int,
        error: Exception,
        seen_event: int | None,
        macro_id: int | None,
    ) -> bool:
        app = self.app
        refusal = refusal_of(error)
        if refusal is None:
            raise error
        if isinstance(refusal, Failure):
            app.post_message(DatabaseFailed(refusal, error))
        try:
            path = app.local_drafts.keep(self.number, body, kind, version, seen_event, macro_id)
        except OSError as local:
            app.notify(
                f"Your draft on {self.number} is not saved anywhere: {refusal.message}; "
                f"and on this computer, {as_failure(local).message}. Keep this editor open.",
                severity="error",
                timeout=30,
                markup=False,
            )
            return False
        if not self._kept_here:
            self._kept_here = True
            app.notify(
                f"Your draft on {self.number} is kept on this computer ({path}) until the "
                f"database takes it: {why(refusal)}.",
                severity="warning",
                timeout=10,
                markup=False,
            )
        return True

    def newest(self, saved: SavedDraft | None) -> SavedDraft | None:
        """The copy kept here, if any, over the database's: it was kept here
        because the database could not take it, so it is the newer."""
        from console.operations.staff import SavedDraft

        kept = self.app.local_drafts.get(self.number)
        if kept is None:
            return saved
        return SavedDraft(
            kept.body, DraftKind(kept.kind), kept.ticket_version, kept.seen_event, kept.macro_id
        )

    def sent(self) -> None:
        """What was written went out: no copy of it stays here."""
        self.app.local_drafts.forget(self.number)


def not_sent(app: WmConsole, error: DomainError) -> None:
    """Refused, or the database failed: nothing went out, and the text stays in
    the editor (and in the draft: on this host if the database cannot take it)."""
    if not isinstance(error, Failure):
        app.refuse(error)
        return
    app.notify(
        f"Not sent: {why(error)}. Your text stays here and in your draft; "
        "send it again when the database takes it.",
        title="Not sent",
        severity="error",
        timeout=10,
        markup=False,
    )
