"""The customer's side of a mailed ticket, through the command line a person
would use: confirm by the e-mail's code, archive, extract, expiry — audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import select

from console.cli.main import main
from console.desk import Desk
from console.mail.intake import take_waiting
from console.reads.ticket import load_ticket
from models import Status, Ticket
from tests.support.mailboxes import compose, deliver, make_maildir
from tests.support.roster import cli_db


def run(db_url: str, *args: str):
    result = CliRunner().invoke(main, [*args, "--db", cli_db(db_url, args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_mailed_ticket_through_its_customer_lifecycle(desk: Desk, db_url: str, tmp_path: Path):
    maildir = make_maildir(tmp_path / "Maildir")
    deliver(maildir, compose(sender="ivan@example.com"))
    take_waiting(desk, maildir)
    with desk.db.read() as session:
        number, token = session.exec(select(Ticket.number, Ticket.confirm_token)).one()

    assert run(db_url, "confirm", token).strip() == str(number)
    assert load_ticket(desk.db, number).status == Status.new
    run(db_url, "customer", "archive", str(number))
    assert load_ticket(desk.db, number).status == Status.archived
    run(db_url, "customer", "extract", str(number))
    detail = load_ticket(desk.db, number)
    assert detail.status == Status.open
    assert [(e.action, e.actor) for e in detail.audit] == [
        ("create", "customer"),
        ("confirm", "customer"),
        ("customer_archive", "customer"),
        ("extract", "customer"),
    ]


def test_an_unconfirmed_mailed_ticket_expires_after_seven_days(
    desk: Desk, db_url: str, tmp_path: Path, clock
):
    # `wmconsole expire` runs on the real clock: the mail came eight days before it.
    clock.now = datetime.now(UTC) - timedelta(days=8)
    maildir = make_maildir(tmp_path / "Maildir")
    deliver(maildir, compose(sender="ivan@example.com"))
    take_waiting(desk, maildir)
    with desk.db.read() as session:
        number, token = session.exec(select(Ticket.number, Ticket.confirm_token)).one()

    assert run(db_url, "expire") == "expired 1 unconfirmed, archived 0 answered\n"
    detail = load_ticket(desk.db, number)
    assert detail.status == Status.expired
    assert [e.action for e in detail.audit][-1] == "expire"
    late = CliRunner().invoke(main, ["confirm", token, "--db", cli_db(db_url, ["confirm"])])
    assert late.exit_code == 1
    assert "expired before it was confirmed" in late.output
