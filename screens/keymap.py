"""The one table of what an operator can do, and on which key.

The footer, the `?` help, the command palette and user key remapping (the
`keymap` setting, applied with App.set_keymap) all read this table: every
binding carries the action's id, so a remapped key shows everywhere at once,
and no binding hides an action the palette cannot reach.
"""

from __future__ import annotations

from console.rules.roles import Permission
from screens.actions import ActionTable, ConsoleAction
from screens.answer_keys import CANNED_ACTIONS, EDITOR, EDITOR_ACTIONS, MACROS, TEMPLATES

# The screens, as the table names them (and in answer_keys.py: the editor, the canned answers).
QUEUE = "queue"
TICKET = "ticket"
HELP = "help"
DASHBOARD = "dashboard"
BLOCKS = "blocks"
MARKERS = "markers"
FILTERS = "filters"
DIALOG = "dialog"
HOTLINE = "hotline"
EVERYWHERE = "everywhere"

# The keys that move, in every list and every page of text (moving.py).
MOVING = "moving"


_WORK = (QUEUE, TICKET)
# The supervisors' lists: a table to move in, the thing highlighted to act on.
_LISTS = (BLOCKS, TEMPLATES, MACROS, MARKERS)
# Every screen with a list or a page to move in. In the editor they move the
# conversation beside the text (tab goes there): typed, j is a letter.
_MOVES = (MOVING, QUEUE, TICKET, EDITOR, HELP, DASHBOARD, *_LISTS, FILTERS, DIALOG, HOTLINE)


def _quick_view(action_id: str, key: str, words: str, help_: str, name: str) -> ConsoleAction:
    action = f"quick_view('{name}')"
    return ConsoleAction(action_id, key, words, f"Quick view: {help_}", (QUEUE,), action=action)


def _movement(action_id: str, keys: str, words: str, help_: str, how: str) -> ConsoleAction:
    return ConsoleAction(action_id, keys, words, help_, _MOVES, action=f"move('{how}')")


ACTIONS: tuple[ConsoleAction, ...] = (
    # Everywhere ------------------------------------------------------------------
    ConsoleAction(
        "help",
        "question_mark",
        "Keys",
        "Every key, support hours, hotlines",
        (EVERYWHERE,),
        key_display="?",
        importance=100,
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
    # Moving -----------------------------------------------------------------------
    _movement("cursor_down", "j,down", "Down", "The next line", "down"),
    _movement("cursor_up", "k,up", "Up", "The line before", "up"),
    _movement("page_down", "pagedown,ctrl+f", "Page down", "One screen down", "page_down"),
    _movement("page_up", "pageup,ctrl+b", "Page up", "One screen up", "page_up"),
    _movement("half_page_down", "ctrl+d", "Half page down", "Half a screen down", "half_down"),
    _movement("half_page_up", "ctrl+u", "Half page up", "Half a screen up", "half_up"),
    _movement("first", "g,home", "Top", "The first line", "first"),
    _movement("last", "G,end", "Bottom", "The last line", "last"),
    # The queue ------------------------------------------------------------------
    ConsoleAction(
        "open",
        "enter",
        "Open",
        "The highlighted ticket, full screen",
        (QUEUE, BLOCKS),
        needs_ticket=True,
        importance=60,
    ),
    ConsoleAction(
        "search",
        "slash",
        "Search",
        "Free text: subject, customer, messages",
        (QUEUE,),
        key_display="/",
        importance=50,
    ),
    ConsoleAction(
        "filters",
        "f",
        "Filters",
        "Service, status, escalation, assignee — with counts",
        (QUEUE,),
        importance=45,
    ),
    _quick_view("view_mine", "1", "My open work", "tickets I hold, not answered", "mine"),
    _quick_view("view_unassigned", "2", "Unassigned new", "new tickets nobody holds", "unassigned"),
    _quick_view("view_fraud", "3", "Fraud", "every fraud escalation", "fraud"),
    _quick_view("view_wmid_block", "4", "WMID block", "WMID block requests", "wmid_block"),
    _quick_view("view_breached", "5", "SLA breached", "past their SLA", "breached"),
    _quick_view(
        "view_answered_today", "6", "Answered by me today", "my answers since 00:00 GMT", "answered"
    ),
    _quick_view(
        "view_default",
        "0",
        "Default view",
        "my work and the unassigned queue (a security officer's: fraud, hacking, blocks)",
        "default",
    ),
    ConsoleAction(
        "sort",
        "o",
        "Sort",
        "The order, in turn: SLA due, age, last customer message, last updated, and the best "
        "match first while searching",
        (QUEUE,),
        importance=20,
    ),
    ConsoleAction("columns", "c", "Columns", "Choose the queue's columns (kept for you)", (QUEUE,)),
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
        "undo_reassign",
        "U",
        "Undo reassign",
        "Put the last bulk reassign back: each ticket to who held it before "
        "(not one that changed since)",
        (QUEUE,),
        permission=Permission.assign,
    ),
    ConsoleAction(
        "block_review",
        "B",
        "Block requests",
        "WMID block requests waiting for a decision, oldest first",
        (*_WORK, DASHBOARD),
        permission=Permission.decide_block,
        importance=30,
    ),
    ConsoleAction(
        "templates",
        "C",
        "Templates",
        "Edit the canned answers per service and language (then m: the macros)",
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
        "quit",
        "q",
        "Quit",
        "Leave the console (drafts are kept)",
        (QUEUE,),
        importance=10,
    ),
    ConsoleAction(
        "log_call",
        "L",
        "Log a call",
        "A hotline call: the caller's tickets by WMID, purse or phone; note it on one, or open one",
        _WORK,
        importance=25,
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
        "Take the highlighted ticket: it becomes yours and opens full screen",
        _WORK,
        needs_ticket=True,
        importance=90,
    ),
    ConsoleAction(
        "take_next", "T", "Take next", "Take the most urgent unassigned ticket and open it", _WORK
    ),
    ConsoleAction(
        "reply",
        "r",
        "Reply",
        "Write to the customer",
        _WORK,
        needs_ticket=True,
        importance=90,
    ),
    ConsoleAction(
        "note",
        "n",
        "Note",
        "An internal note, never sent",
        _WORK,
        needs_ticket=True,
        importance=80,
    ),
    ConsoleAction(
        "answer_with",
        "m",
        "Macro",
        "Answer with a macro or template: type to find it, enter opens the reply with it, "
        "ctrl+s/ctrl+n/ctrl+l/ctrl+f send it at once (one confirmation)",
        _WORK,
        needs_ticket=True,
        importance=70,
        bar_on=(TICKET,),
    ),
    ConsoleAction(
        "set_status",
        "s",
        "Status",
        "Park (on hold), unpark, archive, extract from the archive",
        _WORK,
        needs_ticket=True,
        importance=40,
    ),
    ConsoleAction(
        "escalate",
        "e",
        "Escalate",
        "Fraud, WMID block, hacking, arbitration, hotline",
        _WORK,
        needs_ticket=True,
        importance=40,
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
        "Archive with a reason (spam, duplicate, ...); with tickets marked, every marked one",
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
        needs_ticket=True,
        importance=35,
    ),
    ConsoleAction(
        "approve_block",
        "A",
        "Approve block",
        "Approve a WMID block someone else requested (asks you to confirm: irreversible)",
        (*_WORK, BLOCKS),
        permission=Permission.decide_block,
        bar_on=(BLOCKS,),
        needs_ticket=True,
        importance=80,
    ),
    ConsoleAction(
        "reject_block",
        "R",
        "Reject block",
        "Reject a WMID block someone else requested, with a reason",
        (*_WORK, BLOCKS),
        permission=Permission.decide_block,
        bar_on=(BLOCKS,),
        needs_ticket=True,
        importance=80,
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
        (*_WORK, *_LISTS),
        permission=Permission.view_dashboard,
        importance=30,
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
        "next_ticket",
        "J",
        "Next ticket",
        "The next ticket in the queue's order (from the editor: the draft is kept)",
        (TICKET, EDITOR),
        bar_on=(TICKET,),
        importance=15,
    ),
    ConsoleAction(
        "previous_ticket",
        "K",
        "Previous ticket",
        "The ticket before, in the queue's order",
        (TICKET, EDITOR),
    ),
    ConsoleAction(
        "back",
        "escape,q",
        "Back",
        "Back to where you were",
        (TICKET, DASHBOARD, HELP, HOTLINE, *_LISTS),
        importance=55,
    ),
    # The dashboard -----------------------------------------------------------------------
    ConsoleAction("tile_left", "h,left", "Left", "Previous status in open work", (DASHBOARD,)),
    ConsoleAction("tile_right", "l,right", "Right", "Next status in open work", (DASHBOARD,)),
    ConsoleAction(
        "next_tile",
        "tab",
        "Next tile",
        "Open work, block requests, oldest waiting, operators",
        (DASHBOARD,),
        importance=50,
    ),
    ConsoleAction("previous_tile", "shift+tab", "Previous tile", "Back a tile", (DASHBOARD,)),
    ConsoleAction(
        "open_selection",
        "enter",
        "Open",
        "Open work: the queue filtered to the cell; a request or ticket: the ticket",
        (DASHBOARD,),
        importance=60,
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
    *CANNED_ACTIONS,
    # The scam markers ----------------------------------------------------------------------
    ConsoleAction(
        "new_marker",
        "n",
        "Add",
        "A word or phrase, or a regular expression, for intake to flag",
        (MARKERS,),
        permission=Permission.edit_markers,
        importance=70,
    ),
    ConsoleAction(
        "toggle_marker",
        "x,space",
        "Disable/enable",
        "Stop or start flagging mail by the highlighted marker (it is kept)",
        (MARKERS,),
        permission=Permission.edit_markers,
        importance=60,
    ),
    # A hotline call ------------------------------------------------------------------------
    ConsoleAction(
        "save_call",
        "ctrl+s",
        "Log the call",
        "Note it on the highlighted ticket, or open a ticket for the caller",
        (HOTLINE,),
        importance=90,
    ),
    *EDITOR_ACTIONS,
)

TABLE = ActionTable(ACTIONS)
BY_ID = TABLE.by_id
actions_for = TABLE.actions_for
bindings_for = TABLE.bindings_for
parse_keymap = TABLE.parse_keymap
