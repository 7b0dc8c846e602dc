"""Every operation, for every role: allowed or refused in console/, on both backends."""

import itertools

import pytest
from sqlmodel import select

from console import operations as ops
from console.errors import Forbidden
from models import Notice, NoticeState
from tests.support.desk import new_ticket

ROLES = ("operator", "supervisor", "security")
_wmids = (f"{n:012d}" for n in itertools.count(900000000001))


def _take(desk, login):
    return ops.take(desk, new_ticket(desk), by=login)


def _reply(desk, login):
    return ops.reply(desk, new_ticket(desk), "answer", by=login)


def _note(desk, login):
    return ops.note(desk, new_ticket(desk), "note", by=login)


def _park(desk, login):
    number = new_ticket(desk)
    ops.take(desk, number, by="helper")
    ops.set_status(desk, number, "on_hold", by=login)


def _escalate(desk, login):
    return ops.escalate(desk, new_ticket(desk), "fraud", "deceived", by=login)


def _clear_hotline(desk, login):
    number = new_ticket(desk)
    ops.escalate(desk, number, "hotline", "called", by="helper")
    ops.clear_escalation(desk, number, "hotline", "handled", by=login)


def _clear_fraud(desk, login):
    number = new_ticket(desk)
    ops.escalate(desk, number, "fraud", "deceived", by="helper")
    ops.clear_escalation(desk, number, "fraud", "false alarm", by=login)


def _request_block(desk, login):
    return ops.request_block(desk, new_ticket(desk), next(_wmids), "fraudster", by=login)


def _approve_block(desk, login):
    request = ops.request_block(desk, new_ticket(desk), next(_wmids), "fraud", by="helper")
    ops.approve_block(desk, request, by=login)


def _reject_block(desk, login):
    request = ops.request_block(desk, new_ticket(desk), next(_wmids), "fraud", by="helper")
    ops.reject_block(desk, request, "not a fraudster", by=login)


def _assign(desk, login):
    ops.assign(desk, new_ticket(desk), to="helper", by=login)


def _edit_template(desk, login):
    ops.save_template(desk, by=login, title=f"By {login}", body="Hello {name}", language="en")


def _add_marker(desk, login):
    ops.add_marker(desk, f"suppport-{login}", by=login)


def _disable_marker(desk, login):
    marker = ops.add_marker(desk, "webmoneyy", by="chief")
    ops.set_marker_active(desk, marker, False, by=login)


def _withdraw_template(desk, login):
    template = ops.save_template(
        desk, by="chief", title=f"For {login}", body="Hello", language="ru"
    )
    ops.set_template_active(desk, template, False, by=login)


def _enable_marker(desk, login):
    marker = ops.add_marker(desk, "webmoneyy", by="chief")
    ops.set_marker_active(desk, marker, False, by="chief")
    ops.set_marker_active(desk, marker, True, by=login)


def _reassign(desk, login):
    ops.reassign(desk, [new_ticket(desk), new_ticket(desk)], to="helper", by=login)


def _retry_notice(desk, login):
    ops.reply(desk, new_ticket(desk), "answer", by="helper")
    with desk.db.write() as session:
        notice = session.exec(select(Notice).order_by(Notice.id.desc())).first()
        notice.state = NoticeState.failed
        session.add(notice)
        notice_id = notice.id
    ops.retry_notice(desk, notice_id, by=login)


# operation -> the roles that may do it
MATRIX = {
    _take: set(ROLES),
    _reply: set(ROLES),
    _note: set(ROLES),
    _park: set(ROLES),
    _escalate: set(ROLES),
    _clear_hotline: set(ROLES),
    _clear_fraud: {"supervisor", "security"},
    _request_block: set(ROLES),
    _approve_block: {"supervisor", "security"},
    _reject_block: {"supervisor", "security"},
    _assign: {"supervisor"},
    _reassign: {"supervisor"},
    _edit_template: {"supervisor"},
    _withdraw_template: {"supervisor"},
    _enable_marker: {"supervisor", "security"},
    _add_marker: {"supervisor", "security"},
    _disable_marker: {"supervisor", "security"},
    _retry_notice: {"supervisor", "security"},
}


@pytest.fixture
def roles_desk(desk):
    ops.add_operator(desk, "helper", name="Helper", role_name="operator")
    ops.add_operator(desk, "chief", name="Chief", role_name="supervisor")
    for role in ROLES:
        ops.add_operator(desk, role, name=role.title(), role_name=role)
    return desk


@pytest.mark.parametrize("operation", MATRIX, ids=lambda op: op.__name__.strip("_"))
def test_each_role_may_exactly_what_it_should(roles_desk, operation):
    for role in ROLES:
        if role in MATRIX[operation]:
            operation(roles_desk, role)
        else:
            with pytest.raises(Forbidden, match=f"{role} is an? "):
                operation(roles_desk, role)


@pytest.mark.parametrize(
    "operation",
    [_take, _reply, _escalate, _approve_block, _assign],
    ids=lambda op: op.__name__.strip("_"),
)
def test_a_deactivated_person_may_do_nothing(roles_desk, operation):
    ops.set_operator_active(roles_desk, "supervisor", False)
    with pytest.raises(Forbidden, match="supervisor is deactivated"):
        operation(roles_desk, "supervisor")
