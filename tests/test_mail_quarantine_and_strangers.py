"""The intake on real databases (SQLite and PostgreSQL), issue 10: the same mail
quarantined once however often it comes, a stranger's reply never joining a
ticket as its customer, and any bytes ending as a ticket whose text holds no
control characters or as a quarantine record with a reason."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

import console.database
from console import operations as ops
from console.database import open_database
from console.desk import Desk
from console.mail.intake import Fate, Maildir, take_waiting
from console.operations.mail import list_quarantine, resolve_quarantine
from console.reads.ticket import load_ticket
from console.untrusted import one_line, visible
from models import AuditEvent, Notice, NoticeKind, QuarantinedMail, Status, Ticket
from tests.support.mailboxes import compose, deliver, in_cur, make_maildir

NO_SENDER = b"To: support@wm-console.invalid\nSubject: who am I\nMessage-ID: <anon.1@x>\n\nhello\n"


def maildir_in(tmp_path: Path) -> Maildir:
    return make_maildir(tmp_path / "Maildir")


def quarantine_rows(desk: Desk) -> list[QuarantinedMail]:
    with desk.db.read() as session:
        return list(session.exec(select(QuarantinedMail).order_by(QuarantinedMail.id)).all())


def take(desk: Desk, maildir: Maildir):
    results = []
    summary = take_waiting(desk, maildir, on_result=results.append)
    assert summary.deferred == 0
    return results


# 7. The quarantine keeps each mail once -------------------------------------------------


def test_the_same_mail_fed_twice_is_quarantined_once(desk: Desk, tmp_path: Path):
    maildir = maildir_in(tmp_path)
    first, second = deliver(maildir, NO_SENDER), deliver(maildir, NO_SENDER)
    results = take(desk, maildir)
    assert [r.fate for r in results] == [Fate.quarantined, Fate.duplicate]
    (row,) = quarantine_rows(desk)
    assert row.reason == "no From: header: there is no address to answer to"
    assert row.email_message_id == "<anon.1@x>"
    assert sorted(p.name for p in maildir.quarantine.iterdir()) == [first]
    assert in_cur(maildir, second)
    assert f"already in the quarantine (entry {row.id})" == results[1].detail
    # And fed again, in a later run.
    again = deliver(maildir, NO_SENDER)
    assert [r.fate for r in take(desk, maildir)] == [Fate.duplicate]
    assert len(quarantine_rows(desk)) == 1
    assert in_cur(maildir, again)


def test_mail_without_a_message_id_is_kept_once_by_its_content(desk: Desk, tmp_path: Path):
    maildir = maildir_in(tmp_path)
    junk = b"\x00\x01 not a mail at all"
    for _ in range(3):
        deliver(maildir, junk)
    deliver(maildir, junk + b"!")
    results = take(desk, maildir)
    assert [r.fate for r in results] == [
        Fate.quarantined,
        Fate.duplicate,
        Fate.duplicate,
        Fate.quarantined,
    ]
    rows = quarantine_rows(desk)
    assert [row.mail_key for row in rows] == [
        f"sha256:{hashlib.sha256(junk).hexdigest()}",
        f"sha256:{hashlib.sha256(junk + b'!').hexdigest()}",
    ]
    assert len(list(maildir.quarantine.iterdir())) == 2
    assert not list(maildir.quarantine.glob("*.2"))


def test_copies_that_differ_in_transit_are_the_same_mail_by_their_message_id(
    desk: Desk, tmp_path: Path
):
    maildir = maildir_in(tmp_path)
    deliver(maildir, NO_SENDER)
    deliver(maildir, b"Received: from relay2.example.net\n" + NO_SENDER)
    assert [r.fate for r in take(desk, maildir)] == [Fate.quarantined, Fate.duplicate]
    assert len(quarantine_rows(desk)) == 1


def test_a_quarantined_mail_tried_again_and_refused_again_keeps_its_one_record(
    staffed: Desk, tmp_path: Path
):
    maildir = maildir_in(tmp_path)
    name = deliver(maildir, NO_SENDER)
    take(staffed, maildir)
    (row,) = list_quarantine(staffed, by="elena")
    # As the README says: to try a quarantined mail again, move it back into new/.
    (maildir.quarantine / name).rename(maildir.new / "tried-again")
    assert [r.fate for r in take(staffed, maildir)] == [Fate.quarantined]
    (again,) = list_quarantine(staffed, by="elena")
    assert again.id == row.id
    assert again.path == str(maildir.quarantine / "tried-again")
    assert [p.name for p in maildir.quarantine.iterdir()] == ["tried-again"]
    resolve_quarantine(staffed, row.id, by="irina", note="asked the sender to write again")
    deliver(maildir, NO_SENDER)
    assert [r.fate for r in take(staffed, maildir)] == [Fate.duplicate]
    assert list_quarantine(staffed, by="elena") == []


def test_quarantine_records_from_before_the_key_keep_one_each(tmp_path: Path):
    """Revision 0004 on a database where the old intake quarantined a mail twice."""
    database = open_database(str(tmp_path / "old.db"))
    config = Config()
    config.set_main_option(
        "script_location", str(Path(console.database.__file__).with_name("migrations"))
    )
    with database.write_connection() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    rows = [("<a@x>", "1"), ("<a@x>", "2"), (None, "3"), (None, "3"), (None, "4")]
    with database.write_connection() as connection:
        for number, (message_id, sha) in enumerate(rows):
            connection.execute(
                sa.text(
                    "INSERT INTO quarantinedmail (path, reason, sha256, size, email_message_id,"
                    " received_at) VALUES (:path, 'why', :sha, 1, :mid, 0)"
                ),
                {"path": f"/q/{number}", "sha": sha, "mid": message_id},
            )
    database.upgrade()
    with database.engine.connect() as connection:
        keys = connection.execute(
            sa.text("SELECT mail_key FROM quarantinedmail ORDER BY id")
        ).scalars()
        assert list(keys) == ["<a@x>", None, "sha256:3", None, "sha256:4"]
    database.dispose()


# 8. A stranger never writes as the customer ------------------------------------------------


def customer_bodies(desk: Desk, number: int) -> list[str]:
    return [m.body for m in load_ticket(desk.db, number).messages if m.kind == "customer"]


def system_bodies(desk: Desk, number: int) -> list[str]:
    return [m.body for m in load_ticket(desk.db, number).messages if m.kind == "system"]


def answered_ticket(desk: Desk, maildir: Maildir) -> int:
    deliver(
        maildir,
        compose(sender="Ivan <ivan@example.com>", message_id="<ivan.1@example.com>"),
    )
    (result,) = take(desk, maildir)
    with desk.db.read() as session:
        token = session.exec(
            select(Ticket.confirm_token).where(Ticket.number == result.number)
        ).one()
    ops.confirm(desk, token)
    ops.take(desk, result.number, by="olga")
    ops.reply(desk, result.number, "Проверяем перевод.", by="olga")
    return result.number


def test_a_stranger_replying_to_the_customers_mail_is_marked_as_a_third_party(
    staffed: Desk, tmp_path: Path
):
    maildir = maildir_in(tmp_path)
    number = answered_ticket(staffed, maildir)
    before = load_ticket(staffed.db, number)
    deliver(
        maildir,
        compose(
            sender="Support Team <fraudster@example.net>",
            subject="Re: Перевод не дошёл",
            body="Я оператор. Пришлите код из SMS и WMID 987654321098 сюда.",
            in_reply_to="<ivan.1@example.com>",
        ),
    )
    (result,) = take(staffed, maildir)
    assert (result.fate, result.number) == (Fate.threaded, number)
    after = load_ticket(staffed.db, number)
    assert len(customer_bodies(staffed, number)) == 1
    assert after.status == Status.answered  # a stranger does not reopen it
    assert after.version == before.version
    assert after.customer_wmid is None  # nor fills in the customer's WMID
    (stranger,) = [b for b in system_bodies(staffed, number) if "third party" in b]
    assert stranger.startswith(
        "A mail from a third party, fraudster@example.net, not this ticket's customer "
        "(ivan@example.com), answered this thread. It is not the customer's word"
    )
    assert "Пришлите код из SMS" in stranger
    assert [e.action for e in after.audit][-1] == "third_party_mail"


def test_naming_our_notice_is_the_customer_from_any_address_naming_theirs_is_not(
    staffed: Desk, tmp_path: Path
):
    maildir = maildir_in(tmp_path)
    number = answered_ticket(staffed, maildir)
    with staffed.db.write() as session:
        # The answer's Message-ID, as the sender fixes it when it claims the notice.
        session.execute(
            sa.update(Notice)
            .where(Notice.kind == NoticeKind.answer)
            .values(email_message_id="<answer.1@wm-console.invalid>")
        )
    # Only the customer received our answer: this is the customer on another device.
    deliver(
        maildir,
        compose(
            sender="ivan.phone@example.org",
            body="Спасибо, всё пришло.",
            references="<ivan.1@example.com> <answer.1@wm-console.invalid>",
        ),
    )
    # Anyone the customer wrote to knows the customer's Message-ID.
    deliver(maildir, compose(sender="someone@example.org", in_reply_to="<ivan.1@example.com>"))
    results = take(staffed, maildir)
    assert [(r.fate, r.number) for r in results] == [(Fate.threaded, number)] * 2
    assert customer_bodies(staffed, number)[1:] == ["Спасибо, всё пришло."]
    assert any("someone@example.org" in body for body in system_bodies(staffed, number))


def test_the_customer_replying_from_their_own_address_still_joins_as_the_customer(
    staffed: Desk, tmp_path: Path
):
    maildir = maildir_in(tmp_path)
    number = answered_ticket(staffed, maildir)
    deliver(
        maildir,
        compose(
            sender="IVAN@example.com", body="Есть новости?", in_reply_to="<ivan.1@example.com>"
        ),
    )
    (result,) = take(staffed, maildir)
    assert (result.fate, result.number) == (Fate.threaded, number)
    assert customer_bodies(staffed, number)[-1] == "Есть новости?"
    assert load_ticket(staffed.db, number).status == Status.open


def test_a_reply_without_a_sender_is_no_customers_either(desk: Desk, tmp_path: Path):
    maildir = maildir_in(tmp_path)
    deliver(maildir, compose(sender="ivan@example.com", message_id="<v@x>"))
    (first,) = take(desk, maildir)
    deliver(maildir, b"Subject: Re:\nIn-Reply-To: <v@x>\nMessage-ID: <anon@x>\n\nit is me\n")
    (result,) = take(desk, maildir)
    assert (result.fate, result.number) == (Fate.threaded, first.number)
    assert len(customer_bodies(desk, first.number)) == 1
    assert any(
        "A mail from a third party, an unknown sender" in body
        for body in system_bodies(desk, first.number)
    )
    with desk.db.read() as session:
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "third_party_mail"


# 9 and everything: any bytes -----------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        b"From: Ivan <ivan@example.com>\n",
        b"From  : a@x.com b@x.com\n",
        b"Subject: =?utf-8?B?4oCu?= \x1b[2J\n",
        b"Subject: =?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=\n",
        b"Message-ID: <p@x>\n",
        b"Content-Type: text/plain; charset=utf-7\n",
        b"Content-Type: multipart/mixed boundary=----=_b\n",
        b"garbage line\n",
        b"\n",
        b"------=_b\nContent-Type: text/plain; name=a b.txt\n\n",
        b"\xe2\x80\xae\xe2\x81\xa6\x07\xc2\x9b\x1b]52;c;eA==\x07",
        b"begin 644 x.bin\n#86)C\n`\nend\n",
    ]
)


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.lists(st.one_of(_PIECES, st.binary(max_size=30)), max_size=10).map(b"".join))
def test_any_bytes_make_a_clean_ticket_or_a_quarantine_record(desk: Desk, tmp_path, data):
    maildir = make_maildir(tmp_path / "Maildir")
    deliver(maildir, data)
    (result,) = take(desk, maildir)
    if result.fate == Fate.quarantined:
        (row,) = [row for row in quarantine_rows(desk) if row.path.endswith(result.name)]
        assert row.reason
        return
    if result.fate == Fate.duplicate and result.number is None:
        return  # the same mail drawn twice, quarantined the first time
    detail = load_ticket(desk.db, result.number)
    for text in (detail.subject, detail.customer_name or ""):
        assert one_line(text) == text
    for message in detail.messages:
        assert visible(message.body) == message.body
    for attachment in detail.attachments:
        assert one_line(attachment.filename) == attachment.filename
