"""Part of the one table of keys (keymap.py): writing an answer, in the reply
editor, and the canned answers supervisors keep for it (templates, macros)."""

from __future__ import annotations

from console.rules.roles import Permission
from screens.actions import ConsoleAction

# The screens, as the table names them.
EDITOR = "editor"
TEMPLATES = "templates"
MACROS = "macros"

CANNED_ACTIONS: tuple[ConsoleAction, ...] = (
    # The templates ------------------------------------------------------------------------
    ConsoleAction(
        "new_template",
        "n",
        "New",
        "A new template: service, language, title, text with placeholders",
        (TEMPLATES,),
        permission=Permission.edit_templates,
        importance=70,
    ),
    ConsoleAction(
        "edit_template",
        "enter,e",
        "Edit",
        "Change the highlighted template",
        (TEMPLATES,),
        permission=Permission.edit_templates,
        importance=70,
    ),
    ConsoleAction(
        "toggle_template",
        "x",
        "Withdraw/restore",
        "Stop offering the template when replying, or offer it again (it is kept)",
        (TEMPLATES,),
        permission=Permission.edit_templates,
        importance=50,
    ),
    ConsoleAction(
        "template_filter",
        "f",
        "Service/language",
        "Show one service's (with those for every service), in one language",
        (TEMPLATES, MACROS),
        importance=40,
    ),
    ConsoleAction(
        "macros",
        "m",
        "Macros",
        "The macros: a text and what else its answer does (status, escalation, note, holder)",
        (TEMPLATES,),
        importance=45,
    ),
    # The macros -----------------------------------------------------------------------------
    ConsoleAction(
        "new_macro",
        "n",
        "New",
        "A new macro: service, language, title, text, and what else its answer does",
        (MACROS,),
        permission=Permission.edit_templates,
        importance=70,
    ),
    ConsoleAction(
        "edit_macro",
        "enter,e",
        "Edit",
        "Change the highlighted macro",
        (MACROS,),
        permission=Permission.edit_templates,
        importance=70,
    ),
    ConsoleAction(
        "toggle_macro",
        "x",
        "Withdraw/restore",
        "Stop offering the macro when answering, or offer it again (it is kept)",
        (MACROS,),
        permission=Permission.edit_templates,
        importance=50,
    ),
    ConsoleAction(
        "templates",
        "t",
        "Templates",
        "Back to the templates",
        (MACROS,),
        importance=45,
    ),
)

EDITOR_ACTIONS: tuple[ConsoleAction, ...] = (
    # The reply editor -------------------------------------------------------------------
    ConsoleAction(
        "send",
        "ctrl+s",
        "Send",
        "Send the reply (or add the note), after one confirmation of all it does",
        (EDITOR,),
        importance=90,
    ),
    ConsoleAction(
        "send_next",
        "ctrl+n",
        "Send+next",
        "Send the reply, then take and open the next ticket in the queue",
        (EDITOR,),
        importance=85,
    ),
    ConsoleAction(
        "send_hold",
        "ctrl+l",
        "Send+hold",
        "Send the reply and leave the ticket on hold (another department still acts)",
        (EDITOR,),
    ),
    ConsoleAction(
        "send_archive",
        "ctrl+f",
        "Send+archive",
        "Send the reply and archive the ticket as resolved",
        (EDITOR,),
    ),
    ConsoleAction(
        "template",
        "ctrl+t",
        "Macro/template",
        "Type to find a macro or template; enter puts it in as its own paragraph "
        "(a macro's actions go with the reply), a send key sends it at once",
        (EDITOR,),
        importance=70,
    ),
    ConsoleAction(
        "leave_editor",
        "escape",
        "Back",
        "Leave the editor; the draft is kept",
        (EDITOR,),
        importance=60,
    ),
    ConsoleAction(
        "switch_kind",
        "ctrl+o",
        "Reply/note",
        "Switch between reply and internal note",
        (EDITOR,),
        importance=50,
    ),
    ConsoleAction("discard", "ctrl+g", "Discard", "Throw the draft away", (EDITOR,), importance=30),
)
