"""The one table of what an operator can do, and on which key.

The footer, the `?` help, the command palette and user key remapping (the
`keymap` setting, applied with App.set_keymap) all read this table: every
binding carries the action's id, so a remapped key shows everywhere at once,
and no binding hides an action the palette cannot reach.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding

from console.errors import InvalidInput
from console.rules.roles import Permission
from screens.actions import ConsoleAction

# The screens, as the table names them.
QUEUE = "queue"
TICKET = "ticket"
EDITOR = "editor"
HELP = "help"
DASHBOARD = "dashboard"
BLOCKS = "blocks"
TEMPLATES = "templates"
MARKERS = "markers"
EVERYWHERE = "everywhere"

SCREEN_TITLES = {
    EVERYWHERE: "Everywhere",
    QUEUE: "Queue",
    TICKET: "Ticket",
    EDITOR: "Reply editor",
    DASHBOARD: "Dashboard",
    BLOCKS: "WMID block requests",
    TEMPLATES: "Templates",
    MARKERS: "Scam markers",
    HELP: "Help",
}


_WORK = (QUEUE, TICKET)
# The supervisors' lists: a table to move in, the thing highlighted to act on.
_LISTS = (BLOCKS, TEMPLATES, MARKERS)

ACTIONS: tuple[ConsoleAction, ...] = (
    # Everywhere ------------------------------------------------------------------
    ConsoleAction(
        "help",
        "question_mark",
        "Keys",
        "Every key, support hours, hotlines",
        (EVERYWHERE,),
        footer=True,
        key_display="?",
    ),
    ConsoleAction(
        "command_palette",
        "ctrl+p",
        "Commands",
        "Search every action by name",
        (EVERYWHERE,),
    ),
    ConsoleAction(
        "go_to_ticket",
        "number_sign",
        "Go to ticket",
        "Open a ticket by its number",
        (EVERYWHERE,),
        key_display="#",
    ),
    # The queue ------------------------------------------------------------------
    ConsoleAction("cursor_down", "j,down", "Down", "Next line", (QUEUE, *_LISTS)),
    ConsoleAction("cursor_up", "k,up", "Up", "Previous line", (QUEUE, *_LISTS)),
    ConsoleAction("page_down", "pagedown,ctrl+f", "Page down", "One screen down", (QUEUE,)),
    ConsoleAction("page_up", "pageup,ctrl+b", "Page up", "One screen up", (QUEUE,)),
    ConsoleAction("first", "g,home", "Top", "The first ticket in the queue", (QUEUE,)),
    ConsoleAction("last", "G,end", "Bottom", "The last ticket in the queue", (QUEUE,)),
    ConsoleAction(
        "open",
        "enter",
        "Open",
        "The highlighted ticket, full screen",
        (QUEUE, BLOCKS),
        footer=True,
        needs_ticket=True,
    ),
    ConsoleAction(
        "search",
        "slash",
        "Search",
        "Free text: subject, customer, messages",
        (QUEUE,),
        footer=True,
        key_display="/",
    ),
    ConsoleAction(
        "filters",
        "f",
        "Filters",
        "Service, status, escalation, assignee — with counts",
        (QUEUE,),
        footer=True,
    ),
    ConsoleAction(
        "view_mine",
        "1",
        "My open work",
        "Quick view: tickets I hold, not answered",
        (QUEUE,),
        action="quick_view('mine')",
    ),
    ConsoleAction(
        "view_unassigned",
        "2",
        "Unassigned new",
        "Quick view: new tickets nobody holds",
        (QUEUE,),
        action="quick_view('unassigned')",
    ),
    ConsoleAction(
        "view_fraud",
        "3",
        "Fraud",
        "Quick view: every fraud escalation",
        (QUEUE,),
        action="quick_view('fraud')",
    ),
    ConsoleAction(
        "view_wmid_block",
        "4",
        "WMID block",
        "Quick view: WMID block requests",
        (QUEUE,),
        action="quick_view('wmid_block')",
    ),
    ConsoleAction(
        "view_breached",
        "5",
        "SLA breached",
        "Quick view: past their SLA",
        (QUEUE,),
        action="quick_view('breached')",
    ),
    ConsoleAction(
        "view_default",
        "0",
        "Default view",
        "My work and the unassigned queue, live statuses",
        (QUEUE,),
        action="quick_view('default')",
    ),
    ConsoleAction(
        "mark",
        "space,v",
        "Mark",
        "Mark or unmark the ticket; a then reassigns every marked one",
        (QUEUE,),
        permission=Permission.assign,
        needs_ticket=True,
        key_display="Space / v",
    ),
    ConsoleAction(
        "clear_marks",
        "u",
        "Clear marks",
        "Unmark every marked ticket",
        (QUEUE,),
        permission=Permission.assign,
    ),
    ConsoleAction(
        "block_review",
        "B",
        "Block requests",
        "WMID block requests waiting for a decision, oldest first",
        _WORK,
        permission=Permission.decide_block,
        footer=True,
    ),
    ConsoleAction(
        "templates",
        "C",
        "Templates",
        "Edit the canned answers per service and language",
        (QUEUE,),
        permission=Permission.edit_templates,
    ),
    ConsoleAction(
        "markers",
        "M",
        "Scam markers",
        "Edit what intake flags as a possible scam",
        (QUEUE,),
        permission=Permission.edit_markers,
    ),
    ConsoleAction(
        "toggle_preview", "p", "Preview", "Show or hide the ticket beside the queue", (QUEUE,)
    ),
    ConsoleAction(
        "search_scope",
        "w",
        "Search where",
        "A search looks through the whole desk, or only within this view (Tab in the search line)",
        (QUEUE,),
    ),
    ConsoleAction(
        "cycle_order",
        "o",
        "Sort",
        "Queue order, or while searching the best match first",
        (QUEUE,),
    ),
    ConsoleAction(
        "quit", "q", "Quit", "Leave the console (drafts are kept)", (QUEUE,), footer=True
    ),
    # A search's matches in the open ticket's thread. Before the verbs: while the
    # matches are marked (the line over the thread says so), n, N and escape reach
    # these first; otherwise they pass to note and back (TicketScreen.check_action).
    ConsoleAction(
        "next_match",
        "n",
        "Next match",
        "While a search's matches are marked: the next one (n is a note otherwise)",
        (TICKET,),
    ),
    ConsoleAction(
        "previous_match",
        "N",
        "Previous match",
        "While a search's matches are marked: the previous one",
        (TICKET,),
    ),
    ConsoleAction(
        "clear_matches",
        "escape",
        "Clear matches",
        "Unmark the search's matches (escape then goes back)",
        (TICKET,),
    ),
    # Working a ticket (the queue's highlighted one, or the open one) -----------------
    ConsoleAction(
        "take",
        "t",
        "Take",
        "Take the ticket: it becomes yours and opens",
        _WORK,
        footer=True,
        needs_ticket=True,
    ),
    ConsoleAction(
        "take_next", "T", "Take next", "Take the most urgent unassigned ticket and open it", _WORK
    ),
    ConsoleAction(
        "reply", "r", "Reply", "Write to the customer", _WORK, footer=True, needs_ticket=True
    ),
    ConsoleAction(
        "note", "n", "Note", "An internal note, never sent", _WORK, footer=True, needs_ticket=True
    ),
    ConsoleAction(
        "set_status",
        "s",
        "Status",
        "Park (on hold), unpark, archive, extract from the archive",
        _WORK,
        footer=True,
        needs_ticket=True,
    ),
    ConsoleAction(
        "escalate",
        "e",
        "Escalate",
        "Fraud, WMID block, hacking, arbitration, hotline",
        _WORK,
        footer=True,
        needs_ticket=True,
    ),
    ConsoleAction(
        "clear_escalation",
        "E",
        "Clear escalation",
        "Lower one of the open escalations",
        _WORK,
        needs_ticket=True,
    ),
    ConsoleAction(
        "request_block",
        "b",
        "Request WMID block",
        "Ask for a fraudster's WMID to be blocked (a second person approves)",
        _WORK,
        needs_ticket=True,
    ),
    ConsoleAction(
        "archive",
        "x",
        "Archive",
        "Archive with a reason (spam, duplicate, ...)",
        _WORK,
        needs_ticket=True,
    ),
    ConsoleAction(
        "assign",
        "a",
        "Assign",
        "Give the ticket (or every marked one) to an operator, or back to the queue",
        _WORK,
        permission=Permission.assign,
        footer=True,
        needs_ticket=True,
    ),
    ConsoleAction(
        "approve_block",
        "A",
        "Approve block",
        "Approve a WMID block someone else requested (asks you to confirm: irreversible)",
        (*_WORK, BLOCKS),
        permission=Permission.decide_block,
        footer=(BLOCKS,),
        needs_ticket=True,
    ),
    ConsoleAction(
        "reject_block",
        "R",
        "Reject block",
        "Reject a WMID block someone else requested, with a reason",
        (*_WORK, BLOCKS),
        permission=Permission.decide_block,
        footer=(BLOCKS,),
        needs_ticket=True,
    ),
    ConsoleAction(
        "reload",
        "ctrl+r",
        "Reload",
        "Read again from the database",
        (*_WORK, *_LISTS, DASHBOARD),
    ),
    # Supervising (after the ticket verbs: on a narrow key bar those stay in sight) -------
    ConsoleAction(
        "dashboard",
        "D",
        "Dashboard",
        "Open work, SLA, escalations, operators and inflow, live",
        (QUEUE,),
        permission=Permission.view_dashboard,
        footer=True,
    ),
    # The open ticket ------------------------------------------------------------------
    ConsoleAction(
        "save_attachment",
        "w",
        "Save attachment",
        "Save a copy of the highlighted attachment to a file",
        (TICKET,),
        needs_ticket=True,
    ),
    ConsoleAction(
        "back",
        "escape,q",
        "Back",
        "Back to where you were",
        (TICKET, DASHBOARD, HELP, *_LISTS),
        footer=True,
    ),
    # The dashboard -----------------------------------------------------------------------
    ConsoleAction("tile_down", "j,down", "Down", "Next row of the tile", (DASHBOARD,)),
    ConsoleAction("tile_up", "k,up", "Up", "Previous row of the tile", (DASHBOARD,)),
    ConsoleAction("tile_left", "h,left", "Left", "Previous status in open work", (DASHBOARD,)),
    ConsoleAction("tile_right", "l,right", "Right", "Next status in open work", (DASHBOARD,)),
    ConsoleAction(
        "next_tile",
        "tab",
        "Next tile",
        "Open work, block requests, oldest waiting, operators",
        (DASHBOARD,),
        footer=True,
    ),
    ConsoleAction("previous_tile", "shift+tab", "Previous tile", "Back a tile", (DASHBOARD,)),
    ConsoleAction(
        "open_selection",
        "enter",
        "Open",
        "Open work: the queue filtered to the cell; a request or ticket: the ticket",
        (DASHBOARD,),
        footer=True,
    ),
    # The block requests -----------------------------------------------------------------
    ConsoleAction(
        "other_tickets",
        "o",
        "Customer's tickets",
        "To the customer's other tickets (enter opens one, escape comes back)",
        (BLOCKS,),
        needs_ticket=True,
    ),
    # The templates ------------------------------------------------------------------------
    ConsoleAction(
        "new_template",
        "n",
        "New",
        "A new template: service, language, title, text with placeholders",
        (TEMPLATES,),
        permission=Permission.edit_templates,
        footer=True,
    ),
    ConsoleAction(
        "edit_template",
        "enter,e",
        "Edit",
        "Change the highlighted template",
        (TEMPLATES,),
        permission=Permission.edit_templates,
        footer=True,
    ),
    ConsoleAction(
        "toggle_template",
        "x",
        "Withdraw/restore",
        "Stop offering the template when replying, or offer it again (it is kept)",
        (TEMPLATES,),
        permission=Permission.edit_templates,
        footer=True,
    ),
    ConsoleAction(
        "template_filter",
        "f",
        "Service/language",
        "Show one service's templates (with those for every service), one language",
        (TEMPLATES,),
        footer=True,
    ),
    # The scam markers ----------------------------------------------------------------------
    ConsoleAction(
        "new_marker",
        "n",
        "Add",
        "A word or phrase, or a regular expression, for intake to flag",
        (MARKERS,),
        permission=Permission.edit_markers,
        footer=True,
    ),
    ConsoleAction(
        "toggle_marker",
        "x,space",
        "Disable/enable",
        "Stop or start flagging mail by the highlighted marker (it is kept)",
        (MARKERS,),
        permission=Permission.edit_markers,
        footer=True,
    ),
    # The reply editor -------------------------------------------------------------------
    ConsoleAction(
        "send", "ctrl+s", "Send", "Send the reply (or add the note)", (EDITOR,), footer=True
    ),
    ConsoleAction(
        "template",
        "ctrl+t",
        "Template",
        "Insert a template for this service",
        (EDITOR,),
        footer=True,
    ),
    ConsoleAction(
        "switch_kind",
        "ctrl+o",
        "Reply/note",
        "Switch between reply and internal note",
        (EDITOR,),
        footer=True,
    ),
    ConsoleAction("discard", "ctrl+g", "Discard", "Throw the draft away", (EDITOR,), footer=True),
    ConsoleAction(
        "leave_editor",
        "escape",
        "Back",
        "Leave the editor; the draft is kept",
        (EDITOR,),
        footer=True,
    ),
)

BY_ID = {action.id: action for action in ACTIONS}


def actions_for(screen: str) -> list[ConsoleAction]:
    return [action for action in ACTIONS if screen in action.screens]


def bindings_for(screen: str) -> list[Binding]:
    """A screen's BINDINGS, every one with its action's id."""
    return [
        Binding(
            action.keys,
            action.textual_action,
            action.description,
            show=action.in_footer(screen),
            key_display=action.key_display,
            # The palette opens over anything, even a focused text box.
            priority=action.id == "command_palette",
            id=action.id,
        )
        for action in actions_for(screen)
    ]


def parse_keymap(text: str) -> dict[str, str]:
    """The `keymap` setting: `take=T; reply=ctrl+r` (several keys: `back=escape,q`)."""
    keymap: dict[str, str] = {}
    for entry in (part.strip() for part in text.replace("\n", ";").split(";")):
        if not entry:
            continue
        action_id, equals, keys = (piece.strip() for piece in entry.partition("="))
        if not equals or not keys:
            raise InvalidInput(f"keymap entry {entry!r} must look like take=T")
        if action_id not in BY_ID:
            known = ", ".join(sorted(BY_ID))
            raise InvalidInput(f"keymap: no action {action_id!r}; the actions are {known}")
        keymap[action_id] = keys
    return keymap


def grouped(screens: Iterable[str]) -> list[tuple[str, list[ConsoleAction]]]:
    """The table by screen, in the help's order."""
    return [(screen, actions_for(screen)) for screen in screens]
