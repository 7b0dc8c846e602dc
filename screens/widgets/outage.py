"""The banner over every screen while the database cannot be reached: since
when, that the console keeps trying, and that what was typed is kept. It shows
and goes by itself, following the App's `unreachable_since`."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widgets import Static


def outage_words(since: datetime) -> str:
    return f"The database is unreachable since {since:%H:%M} — retrying; your text is kept."


class OutageBanner(Static):
    DEFAULT_CSS = """
    OutageBanner {
        dock: top;
        height: 1;
        display: none;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "unreachable_since", self._show)

    def _show(self, since: datetime | None) -> None:
        self.display = since is not None
        if since is not None:
            self.update(Content(outage_words(since)))
