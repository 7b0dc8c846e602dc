"""`?`: every key by screen (from the action table, as remapped), the support
hours with whether the desk is open right now, and the hotlines for an operator
on the phone."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from console.rules.hotlines import HOTLINES
from console.rules.labels import label
from console.rules.sla import SupportHours
from models import Role
from screens.actions import key_label
from screens.base import ConsoleScreen
from screens.keymap import (
    BLOCKS,
    DASHBOARD,
    DIALOG,
    EDITOR,
    EVERYWHERE,
    FILTERS,
    HELP,
    HOTLINE,
    MACROS,
    MARKERS,
    MOVING,
    QUEUE,
    TABLE,
    TEMPLATES,
    TICKET,
    bindings_for,
)
from screens.widgets.key_bar import KeyBar

# The help's sections, by the screens the action table names.
SCREEN_TITLES = {
    EVERYWHERE: "Everywhere",
    MOVING: "Moving — the same keys in every list and page",
    QUEUE: "Queue",
    TICKET: "Ticket",
    EDITOR: "Reply editor",
    DASHBOARD: "Dashboard",
    BLOCKS: "WMID block requests",
    TEMPLATES: "Templates",
    MACROS: "Macros",
    MARKERS: "Scam markers",
    HOTLINE: "Hotline call",
    HELP: "Help",
    FILTERS: "Filters",
    DIALOG: "Choosing from a list",
}


def keys_content(keymap: dict[str, str], role: Role, first: str) -> Content:
    """Every action by screen, the current screen first; actions the role may not
    take say who may."""
    screens = (
        QUEUE,
        TICKET,
        EDITOR,
        HOTLINE,
        DASHBOARD,
        BLOCKS,
        TEMPLATES,
        MACROS,
        MARKERS,
        MOVING,
        EVERYWHERE,
    )
    order = [first] + [s for s in screens if s != first]
    parts: list[str | tuple[str, str]] = []
    for screen, actions in TABLE.grouped(order, apart=MOVING):
        if not actions:
            continue
        if parts:
            parts.append("\n\n")
        parts.append((SCREEN_TITLES[screen], "bold $accent"))
        for action in actions:
            keys = key_label(action, keymap)
            parts.append("\n")
            parts.append((f"  {keys:<14}", "bold"))
            parts.append(f"{action.description:<20}")
            parts.append((f" {action.help}", "dim"))
            if not action.allowed_for(role):
                parts.append((f"  ({action.who} only)", "italic $warning"))
    return Content.assemble(*parts)


def hours_content(hours: SupportHours, now: datetime) -> Content:
    is_open = hours.is_open(now)
    change = hours.next_change(now)
    state = ("OPEN NOW", "bold $success") if is_open else ("CLOSED NOW", "bold $error")
    verb = "closes" if is_open else "opens"
    return Content.assemble(
        ("Support hours (GMT)", "bold $accent"),
        "\n",
        f"  Monday–Friday   {hours.weekday_open:%H:%M}–{hours.weekday_close:%H:%M}\n",
        f"  Saturday–Sunday {hours.weekend_open:%H:%M}–{hours.weekend_close:%H:%M}\n",
        "  ",
        state,
        f" — it is {now:%A %H:%M} GMT; {verb} {change:%A %H:%M} GMT\n",
        (
            "  SLA clocks run only in these hours, except fraud and WMID block: round the clock.",
            "dim",
        ),
    )


def queue_signs_content(held_too_long: timedelta) -> Content:
    """What the queue's marks mean, and why a holder is flagged."""
    hours = held_too_long.total_seconds() / 3600
    return Content.assemble(
        ("In the queue", "bold $accent"),
        "\n  ",
        ("●", "bold"),
        " before the number: marked for a bulk reassign (space or v marks, u clears,"
        " a gives every marked ticket to someone; supervisors)\n  ",
        ("!login", "bold"),
        f" in HOLDER: held over {hours:g} h while the customer waits for an answer — the"
        " customer's clock runs while the ticket sits with one person, so a supervisor"
        " asks, or reassigns it (queue.held_too_long_hours in the settings)",
    )


def hotlines_content(now: datetime) -> Content:
    """Each line, its numbers and hours, and whether it answers right now; L logs a call."""
    parts: list[str | tuple[str, str]] = [
        ("Hotlines", "bold $accent"),
        ("   L logs a call: the caller's tickets by WMID, purse or phone", "dim"),
    ]
    for line in HOTLINES:
        parts.append(f"\n  {line.country:<9}")
        parts.append((", ".join(line.numbers), "bold"))
        if line.note:
            parts.append((f" ({line.note})", "dim"))
        state = line.is_open(now)
        words = {True: ("  open now", "$success"), False: ("  closed now", "$error")}
        parts.extend([words.get(state, ""), ("  " + line.hours, "dim")])
    return Content.assemble(*parts)


class HelpScreen(ConsoleScreen):
    ACTION_SCREEN = HELP
    BINDINGS = bindings_for(HELP)

    def __init__(self, came_from: str = QUEUE) -> None:
        super().__init__(classes="help-screen")
        self.came_from = came_from if came_from in SCREEN_TITLES else QUEUE

    def compose(self) -> ComposeResult:
        app = self.console
        desk = app.desk
        first = self.came_from if self.came_from != HELP else QUEUE
        with VerticalScroll(id="help-body"):
            yield Static(
                Content.assemble(
                    ("wm-console", "bold"),
                    f" — {app.login} ({label(app.operator.role)}), "
                    f"{desk.db.identity.how(app.login)}",
                ),
                id="help-title",
            )
            yield Static(hours_content(desk.sla.hours, desk.now()), id="help-hours")
            yield Static(hotlines_content(desk.now()), id="help-hotlines")
            yield Static(queue_signs_content(desk.settings.held_too_long), id="help-signs")
            yield Static(
                keys_content(app.keymap, app.operator.role, first),
                id="help-keys",
            )
            yield Static(
                Content(
                    "Remap keys by action id in the config file or the environment:\n"
                    '  keymap = "take=T; reply=ctrl+r"     WMCONSOLE_KEYMAP="take=T"\n'
                    "Every action is also in the command palette (ctrl+p)."
                ),
                id="help-keymap",
            )
        yield KeyBar(HELP)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def default_mover(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_back(self) -> None:
        self.dismiss()
