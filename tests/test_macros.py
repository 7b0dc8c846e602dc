"""Macros on both backends: supervisors keep them like templates (a save that
changes nothing records nothing), and an answer with one changes the text, the
status and the escalations in one audited transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.errors import Forbidden, InvalidInput, TransitionRefused
from console.reads.ticket import load_ticket
from models import AuditEvent, Handover, Macro, Service, Status
from tests.support.desk import new_ticket


def _macro(desk, by="sergey", macro_id=None, **fields) -> int:
    values = {
        "title": "Hacked account",
        "body": "Dear {name}, ticket {ticket} is with our security team.",
        "language": "ru",
        "service": "security",
        "status": "on_hold",
        "escalate": "hacking",
        "clear_escalation": "hotline",
        "note": "WMID {wmid}: passed to security",
    }
    values.update(fields)
    return ops.save_macro(desk, ops.MacroText(**values), by=by, macro_id=macro_id)


def _staff_audit(desk, *actions: str) -> list[AuditEvent]:
    with desk.db.read() as session:
        return list(
            session.execute(sa.select(AuditEvent).where(AuditEvent.action.in_(actions)))
            .scalars()
            .all()
        )


def test_a_macro_changes_text_status_and_escalation_in_one_audited_transaction(staffed):
    number = new_ticket(staffed, service="security", name="Ivan")
    ops.escalate(staffed, number, "hotline", "called", by="ivan")
    macro = _macro(staffed)
    version = load_ticket(staffed.db, number).version
    ops.answer_with_macro(staffed, number, macro, by="olga", expected_version=version)
    detail = load_ticket(staffed.db, number)
    assert detail.status == "on_hold"
    assert detail.escalation_kinds == ["hacking"]
    assert detail.assignee == "olga"
    reply, note = detail.messages[-2:]
    assert reply.body == f"Dear Ivan, ticket {number} is with our security team."
    assert note.body == "WMID 123456789012: passed to security"
    parts = [e for e in detail.audit if e.action != "create" and e.after.get("macro")]
    assert [e.action for e in parts] == ["reply", "note", "clear_escalation", "escalate", "status"]
    assert {e.after["macro"] for e in parts} == {"Hacked account"}
    assert "with the macro 'Hacked account'" in parts[0].details
    # One change: one version further, whatever it did.
    assert detail.version == version + 1
    assert detail.escalations[-1].reason == "macro Hacked account"


def test_the_text_as_edited_goes_with_the_macros_actions(staffed):
    number = new_ticket(staffed, service="security")
    macro = _macro(staffed, status="archived", escalate=None, clear_escalation=None, note=None)
    ops.answer_with_macro(staffed, number, macro, by="olga", body="My own words.")
    detail = load_ticket(staffed.db, number)
    assert detail.messages[-1].body == "My own words."
    assert (detail.status, detail.archive_reason) == ("archived", "resolved: Hacked account")


def test_a_withdrawn_macro_is_kept_but_no_longer_offered_or_applied(staffed):
    macro = _macro(staffed)
    ops.set_macro_active(staffed, macro, False, by="elena")
    assert ops.list_macros(staffed, service=Service.security) == []
    [kept] = ops.list_macros(staffed, include_inactive=True)
    assert (kept.id, kept.active) == (macro, False)
    with pytest.raises(TransitionRefused, match="withdrawn"):
        ops.answer_with_macro(staffed, new_ticket(staffed), macro, by="olga")
    with pytest.raises(TransitionRefused, match="already withdrawn"):
        ops.set_macro_active(staffed, macro, False, by="sergey")
    ops.set_macro_active(staffed, macro, True, by="sergey")
    assert [m.id for m in ops.list_macros(staffed, service=Service.security)] == [macro]
    assert [e.action for e in _staff_audit(staffed, "macro_withdraw", "macro_restore")] == [
        "macro_withdraw",
        "macro_restore",
    ]


def test_a_macro_for_every_service_is_offered_with_each_services_own(staffed):
    everywhere = _macro(staffed, service=None, title="Thanks")
    own = _macro(staffed)
    _macro(staffed, service="keeper", title="Password")
    offered = ops.list_macros(staffed, service=Service.security)
    assert [m.id for m in offered] == [everywhere, own]


def test_saving_a_macro_as_it_was_records_nothing(staffed):
    macro = _macro(staffed)
    assert _macro(staffed, macro_id=macro) == macro
    assert [e.action for e in _staff_audit(staffed, "macro_add", "macro_save")] == ["macro_add"]
    _macro(staffed, macro_id=macro, status=None, handover="person", handover_to="ivan")
    [saved] = _staff_audit(staffed, "macro_save")
    assert (saved.before["status"], saved.after["status"]) == ("on_hold", None)
    assert ops.get_macro(staffed, macro).handover_to == "ivan"
    with staffed.db.read() as session:
        # The last editor, as the database stamps it on PostgreSQL.
        assert session.get(Macro, macro).updated_by_id == ops.get_operator(staffed, "sergey").id


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": "open"}, "on hold or archived"),
        ({"escalate": "fraud", "clear_escalation": "fraud"}, "both raise and clear"),
        ({"handover": "person"}, "exactly when it hands it"),
        ({"body": "Hello {customer}"}, "unknown placeholder {customer}"),
        ({"note": "see {purse}"}, "unknown placeholder {purse}"),
        ({"title": " "}, "a macro needs a title"),
        ({"escalate": "panic"}, "unknown escalation 'panic'"),
    ],
)
def test_a_macro_is_refused_with_what_is_expected(staffed, fields, words):
    with pytest.raises(InvalidInput, match=words):
        _macro(staffed, **fields)
    assert ops.list_macros(staffed, include_inactive=True) == []


def test_titles_are_unique_per_service_and_language(staffed):
    _macro(staffed, service=None)
    with pytest.raises(TransitionRefused, match="already exists for every service"):
        _macro(staffed, service=None)
    _macro(staffed, service=None, language="en")


@pytest.mark.parametrize("login", ["olga", "irina"])
def test_only_supervisors_write_macros(staffed, login):
    with pytest.raises(Forbidden, match="takes a supervisor"):
        _macro(staffed, by=login)
    macro = _macro(staffed)
    with pytest.raises(Forbidden):
        ops.set_macro_active(staffed, macro, False, by=login)
    assert ops.get_macro(staffed, macro).active


def test_a_macro_that_hands_over_follows_the_rules_of_assigning(staffed):
    macro = _macro(
        staffed,
        status=None,
        escalate=None,
        clear_escalation=None,
        handover=Handover.person,
        handover_to="ivan",
    )
    number = new_ticket(staffed, service="security")
    with pytest.raises(Forbidden, match="takes a supervisor"):
        ops.answer_with_macro(staffed, number, macro, by="olga")
    assert load_ticket(staffed.db, number).status == Status.new
    ops.answer_with_macro(staffed, number, macro, by="sergey")
    assert load_ticket(staffed.db, number).assignee == "ivan"


def test_a_draft_keeps_its_macro_and_what_its_writer_had_seen(staffed):
    number = new_ticket(staffed, service="security")
    macro = _macro(staffed)
    ops.save_draft(
        staffed, number, "Draft text", by="olga", ticket_version=1, seen_event=7, macro_id=macro
    )
    draft = ops.draft_for(staffed, number, by="olga")
    assert (draft.body, draft.seen_event, draft.macro_id) == ("Draft text", 7, macro)
    assert ops.draft_for(staffed, number, by="ivan") is None
