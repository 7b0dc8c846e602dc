"""The e-mail intake on real databases (SQLite and PostgreSQL): the corpus as
tickets, threading, duplicates, the quarantine, scam markers, watch mode,
crashes and hostile input."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from console import operations as ops
from console.cli.main import main
from console.database import open_database
from console.desk import Desk
from console.errors import Forbidden
from console.mail.intake import Fate, Maildir, take_waiting, watch_maildir
from console.mail.parsing import MailLimits, UnreadableMail, read_mail
from console.operations.mail import (
    list_quarantine,
    quarantine_key,
    quarantine_mail,
    resolve_quarantine,
    take_mail,
)
from console.reads.ticket import load_ticket
from console.settings import Settings
from models import AuditEvent, Message, Notice, NoticeKind, QuarantinedMail, Status, Ticket
from tests.support.desk import FullDisk
from tests.support.mail_corpus import EXPECTED, corpus_files
from tests.support.mailboxes import compose, deliver, in_cur, make_maildir
from tests.support.roster import cli_db, open_test_database

LIMITS = MailLimits.from_settings(Settings())


@pytest.fixture
def maildir(tmp_path: Path) -> Maildir:
    return make_maildir(tmp_path / "Maildir")


def add_demo_markers(desk: Desk) -> None:
    ops.add_marker(desk, "suppport", by="elena", description="look-alike support name")
    ops.add_marker(
        desk,
        r"(?i)\b(whats\s?app|telegram|viber)\b.*\b(deal|сделк)|\b(deal|сделк)\w*\b.*\b(telegram)\b",
        by="elena",
        is_regex=True,
        description="offer to settle a deal over a messenger",
    )


def tickets(desk: Desk) -> list[Ticket]:
    with desk.db.read() as session:
        return list(session.exec(select(Ticket).order_by(Ticket.number)).all())


def customer_bodies(desk: Desk, number: int) -> list[str]:
    return [m.body for m in load_ticket(desk.db, number).messages if m.kind == "customer"]


def system_bodies(desk: Desk, number: int) -> list[str]:
    return [m.body for m in load_ticket(desk.db, number).messages if m.kind == "system"]


def take_one(desk: Desk, maildir: Maildir, data: bytes):
    """Deliver one mail and run the intake; the one result."""
    results = []
    deliver(maildir, data)
    summary = take_waiting(desk, maildir, on_result=results.append)
    assert summary.deferred == 0
    (result,) = results
    return result


# The corpus ----------------------------------------------------------------------------


def test_every_corpus_mail_becomes_its_ticket_or_is_quarantined(staffed: Desk, maildir: Maildir):
    add_demo_markers(staffed)
    names = {deliver(maildir, path.read_bytes()): path.name for path in corpus_files()}
    results = []
    summary = take_waiting(staffed, maildir, on_result=results.append)
    quarantined = [name for name, e in EXPECTED.items() if e.quarantined]
    assert summary.counts[Fate.quarantined] == len(quarantined)
    assert summary.counts[Fate.taken] == len(EXPECTED) - len(quarantined)
    expected_number = 100001
    for result in results:
        expected = EXPECTED[names[result.name]]
        if expected.quarantined:
            assert result.fate == Fate.quarantined
            assert expected.quarantined in result.detail
            assert (maildir.quarantine / result.name).is_file()
            continue
        assert result.fate == Fate.taken, (names[result.name], result.detail)
        assert in_cur(maildir, result.name)
        assert result.number == expected_number
        expected_number += 1
        detail = load_ticket(staffed.db, result.number)
        assert detail.status == Status.unconfirmed
        assert detail.source == "email"
        assert detail.notice_channel == "email"
        assert detail.customer_email == expected.sender
        assert detail.customer_name == expected.name
        assert detail.subject == expected.subject
        assert detail.language == expected.language
        assert detail.customer_wmid == (expected.wmids[0] if expected.wmids else None)
        assert detail.customer_purse == (expected.purses[0] if expected.purses else None)
        assert customer_bodies(staffed, result.number) == [expected.body]
        assert [(a.filename, a.content_type, a.kept) for a in detail.attachments] == list(
            expected.attachments
        )
        if expected.system_note:
            assert any(
                expected.system_note in body for body in system_bodies(staffed, result.number)
            )
    with staffed.db.read() as session:
        notices = session.exec(select(Notice.kind, Notice.recipient)).all()
    taken = [e for e in EXPECTED.values() if not e.quarantined]
    assert sorted(notices) == sorted((NoticeKind.confirm, e.sender) for e in taken)
    assert list(maildir.new.iterdir()) == []


# Never twice, never lost -------------------------------------------------------------


def test_the_same_message_delivered_twice_is_taken_once(desk: Desk, maildir: Maildir):
    mail = compose(message_id="<twice@example.com>")
    first, second = deliver(maildir, mail), deliver(maildir, mail)
    summary = take_waiting(desk, maildir)
    assert (summary.counts[Fate.taken], summary.counts[Fate.duplicate]) == (1, 1)
    assert len(tickets(desk)) == 1
    assert in_cur(maildir, first) and in_cur(maildir, second)


def test_a_mail_without_message_id_is_recognised_when_taken_again(desk: Desk, maildir: Maildir):
    mail = b"From: anon@example.com\nSubject: hi\n\nno id here\n"
    deliver(maildir, mail)
    deliver(maildir, mail)
    summary = take_waiting(desk, maildir)
    assert (summary.counts[Fate.taken], summary.counts[Fate.duplicate]) == (1, 1)


def test_a_crash_after_the_commit_leaves_a_file_that_is_only_moved(desk: Desk, maildir: Maildir):
    data = compose()
    name = deliver(maildir, data)
    # The commit happened, the process died before the rename out of new/.
    number = take_mail(desk, read_mail(data, LIMITS)).number
    assert (maildir.new / name).is_file()
    results = []
    take_waiting(desk, maildir, on_result=results.append)
    assert [(r.fate, r.number) for r in results] == [(Fate.duplicate, number)]
    assert in_cur(maildir, name)
    assert len(tickets(desk)) == 1


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_kill_in_the_middle_of_a_mail_leaves_nothing_and_the_file_in_new(
    desk: Desk, maildir: Maildir, db_url: str
):
    take_one(desk, maildir, compose(message_id="<first@example.com>"))
    name = deliver(maildir, compose(message_id="<second@example.com>"))
    engine = sa.create_engine(db_url)
    with engine.connect() as blocker:
        # Hold the queue tally's row: the intake's transaction inserts the ticket
        # and its message, then waits here, in the middle of the mail.
        blocker.exec_driver_sql(
            "SELECT * FROM tickettally WHERE status = 'unconfirmed' FOR UPDATE"
        ).all()
        intake = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "console.cli",
                "intake",
                str(maildir.root),
                "--db",
                cli_db(db_url, ["intake"]),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            backend = _wait_for_lock_waiter(engine)
            with engine.connect() as peek:
                mid_mail = peek.exec_driver_sql("SELECT count(*) FROM ticket").scalar()
            assert mid_mail == 1  # the uncommitted ticket is invisible to others
        finally:
            intake.send_signal(signal.SIGKILL)
            intake.wait()
        blocker.rollback()
    _wait_until_gone(engine, backend)
    engine.dispose()
    assert (maildir.new / name).is_file()
    assert ops.ticket_number_for_message(desk, "<second@example.com>") is None
    assert len(tickets(desk)) == 1
    take_waiting(desk, maildir)
    assert ops.ticket_number_for_message(desk, "<second@example.com>") is not None
    assert len(tickets(desk)) == 2


def _wait_for_lock_waiter(engine: sa.Engine, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            pid = connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).scalar()
        if pid is not None:
            return pid
        time.sleep(0.05)
    raise AssertionError("the intake never reached the locked row")


def _wait_until_gone(engine: sa.Engine, pid: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            alive = connection.exec_driver_sql(
                f"SELECT count(*) FROM pg_stat_activity WHERE pid = {int(pid)}"
            ).scalar()
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} never ended")


def test_a_full_disk_leaves_the_mail_in_new_and_counts_what_is_left(
    sqlite_url: str, maildir: Maildir, clock, tmp_path: Path
):
    """A batch whose first mail was quarantined before the database filled up:
    the summary counts it as quarantined and only what is really left in new/
    (it said two more were left than were)."""
    settings = Settings(intake_max_message_bytes=50_000)
    desk = Desk(db=open_database(sqlite_url), settings=settings, clock=clock)
    deliver(maildir, compose(body="too long " * 10_000))
    for n in range(2):
        # Long and varied: it needs pages the full disk does not have.
        deliver(maildir, compose(body=" ".join(f"w{n}x{i}" for i in range(6_000))))
    full = FullDisk(desk.db, spare_pages=8)
    try:
        summary = take_waiting(desk, maildir)
    finally:
        full.lift()
    assert summary.counts[Fate.quarantined] == 1
    assert summary.deferred == 2 == len(list(maildir.new.iterdir()))
    assert summary.error.startswith("the database's disk is full, so nothing was written")
    assert str(summary).endswith("quarantined 1; 2 left in new/")
    summary = take_waiting(desk, maildir)
    assert (summary.counts[Fate.taken], summary.deferred) == (2, 0)
    desk.close()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_an_unreachable_database_leaves_the_mail_in_new(desk: Desk, maildir: Maildir, db_url):
    name = deliver(maildir, compose())
    database = sa.make_url(db_url).database
    admin = sa.create_engine(
        sa.make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        connection.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        )
    try:
        summary = take_waiting(desk, maildir)
        assert summary.deferred == 1 and summary.error
        assert (maildir.new / name).is_file()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        admin.dispose()
    summary = take_waiting(desk, maildir)
    assert summary.counts[Fate.taken] == 1
    assert in_cur(maildir, name)


# Threading ---------------------------------------------------------------------------------


def test_a_follow_up_with_the_tag_from_the_customer_joins_the_ticket(staffed: Desk, maildir):
    first = take_one(staffed, maildir, compose(sender="ivan@example.com"))
    created = load_ticket(staffed.db, first.number)
    ops.confirm(staffed, _token(staffed, first.number))
    ops.take(staffed, first.number, by="olga")
    ops.reply(staffed, first.number, "Проверяем перевод.", by="olga")
    follow_up = take_one(
        staffed,
        maildir,
        compose(
            sender="IVAN@EXAMPLE.COM",
            subject=f"Re: [#{first.number}] {created.subject}",
            body="Есть новости?",
        ),
    )
    assert (follow_up.fate, follow_up.number) == (Fate.threaded, first.number)
    detail = load_ticket(staffed.db, first.number)
    assert detail.status == Status.open  # answered, then the customer wrote
    assert customer_bodies(staffed, first.number)[-1] == "Есть новости?"
    assert len(tickets(staffed)) == 1


def test_a_tag_from_a_stranger_opens_a_new_ticket_that_says_so(staffed: Desk, maildir):
    first = take_one(staffed, maildir, compose(sender="ivan@example.com"))
    before = load_ticket(staffed.db, first.number)
    stranger = take_one(
        staffed,
        maildir,
        compose(
            sender="fraudster@example.net",
            subject=f"[#{first.number}] change my e-mail",
            body="Please send everything to me.",
        ),
    )
    assert stranger.fate == Fate.taken and stranger.number != first.number
    after = load_ticket(staffed.db, first.number)
    assert (after.version, len(after.messages)) == (before.version, len(before.messages))
    assert any(
        f"[#{first.number}], but the mail came from another address" in body
        for body in system_bodies(staffed, stranger.number)
    )
    assert load_ticket(staffed.db, stranger.number).customer_email == "fraudster@example.net"


def test_a_tag_naming_no_ticket_opens_a_new_one(desk: Desk, maildir):
    result = take_one(desk, maildir, compose(subject="[#999999] where is my money"))
    assert result.fate == Fate.taken
    assert any(
        "ticket [#999999], which does not exist" in b for b in system_bodies(desk, result.number)
    )


def test_a_reply_to_a_message_of_the_thread_joins_it_from_any_address(desk: Desk, maildir):
    first = take_one(
        desk, maildir, compose(sender="ivan@example.com", message_id="<orig@x.example>")
    )
    colleague = take_one(
        desk,
        maildir,
        compose(
            sender="colleague@example.org",
            subject="Re: без тега",
            body="Подтверждаю.",
            in_reply_to="<orig@x.example>",
        ),
    )
    assert (colleague.fate, colleague.number) == (Fate.threaded, first.number)
    # The References chain counts too, newest first.
    later = take_one(
        desk,
        maildir,
        compose(subject="Re: Re:", references="<unknown@x> <orig@x.example> <also-unknown@x>"),
    )
    assert later.number == first.number


def test_a_customer_message_reopens_an_archived_ticket(staffed: Desk, maildir):
    first = take_one(staffed, maildir, compose(sender="ivan@example.com"))
    ops.confirm(staffed, _token(staffed, first.number))
    ops.customer_archive(staffed, first.number)
    assert load_ticket(staffed.db, first.number).status == Status.archived
    again = take_one(
        staffed, maildir, compose(sender="ivan@example.com", subject=f"[#{first.number}] снова")
    )
    assert (again.fate, again.number) == (Fate.threaded, first.number)
    assert again.detail == "reopened from the archive"
    detail = load_ticket(staffed.db, first.number)
    assert detail.status == Status.open
    assert "Reopened from the archive by the customer's message." in system_bodies(
        staffed, first.number
    )
    assert [e.action for e in detail.audit][-1] == "customer_message"


def test_a_follow_up_to_an_expired_ticket_opens_a_new_one(desk: Desk, maildir, clock):
    first = take_one(desk, maildir, compose(sender="ivan@example.com"))
    clock.advance(days=8)
    ops.expire_unconfirmed(desk)
    again = take_one(
        desk, maildir, compose(sender="ivan@example.com", subject=f"[#{first.number}]")
    )
    assert again.fate == Fate.taken and again.number != first.number
    assert f"Follows up ticket {first.number}, which expired unconfirmed." in system_bodies(
        desk, again.number
    )


def test_an_automatic_reply_is_recorded_on_its_ticket_without_reopening(staffed: Desk, maildir):
    first = take_one(staffed, maildir, compose(sender="ivan@example.com", message_id="<o@x>"))
    ops.confirm(staffed, _token(staffed, first.number))
    ops.take(staffed, first.number, by="olga")
    ops.reply(staffed, first.number, "Ответ.", by="olga")
    away = take_one(
        staffed,
        maildir,
        compose(
            sender="ivan@example.com",
            subject="Автоответ",
            body="Я в отпуске.",
            in_reply_to="<o@x>",
            extra="Auto-Submitted: auto-replied",
        ),
    )
    assert (away.fate, away.number) == (Fate.threaded, first.number)
    detail = load_ticket(staffed.db, first.number)
    assert detail.status == Status.answered
    assert any(
        "An automatic mail arrived (Auto-Submitted: auto-replied)" in body
        for body in system_bodies(staffed, first.number)
    )


def _token(desk: Desk, number: int) -> str:
    with desk.db.read() as session:
        return session.exec(select(Ticket.confirm_token).where(Ticket.number == number)).one()


# What the mail says --------------------------------------------------------------------


def test_a_wmid_in_the_text_goes_on_the_ticket_but_confirms_nothing(desk: Desk, maildir):
    result = take_one(desk, maildir, compose(body="Мой WMID 123456789012, кошелёк Z157156762925"))
    detail = load_ticket(desk.db, result.number)
    assert (detail.customer_wmid, detail.customer_purse) == ("123456789012", "Z157156762925")
    assert detail.status == Status.unconfirmed
    assert detail.notice_channel == "email"


def test_a_follow_up_fills_in_a_missing_wmid(desk: Desk, maildir):
    first = take_one(desk, maildir, compose(sender="ivan@example.com", message_id="<w@x>"))
    take_one(desk, maildir, compose(body="Забыл: WMID 123456789012", in_reply_to="<w@x>"))
    assert load_ticket(desk.db, first.number).customer_wmid == "123456789012"


def test_scam_markers_flag_the_ticket_and_suggest_fraud_without_escalating(staffed, maildir):
    add_demo_markers(staffed)
    result = take_one(
        staffed,
        maildir,
        compose(subject="Сделка", body="Служба Suppport предложила провести сделку в Telegram."),
    )
    assert "suppport" in result.detail
    detail = load_ticket(staffed.db, result.number)
    assert detail.escalation_kinds == []
    (flag,) = [b for b in system_bodies(staffed, result.number) if "scam markers" in b]
    assert "«suppport» (look-alike support name)" in flag
    assert "offer to settle a deal over a messenger" in flag
    assert "Suggested escalation: fraud" in flag
    with staffed.db.read() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "create")).one()
    assert audit.after["suggested_escalation"] == "fraud"
    assert len(audit.after["scam_markers"]) == 2


def test_an_inactive_marker_does_not_flag(staffed: Desk, maildir):
    marker = ops.add_marker(staffed, "suppport", by="elena")
    ops.set_marker_active(staffed, marker, False, by="elena")
    result = take_one(staffed, maildir, compose(body="from suppport"))
    assert result.detail == ""


def test_an_over_limit_attachment_is_recorded_as_refused(db_url: str, clock, maildir):
    desk = Desk(
        db=open_test_database(db_url),
        settings=Settings(intake_max_attachment_bytes=100),
        clock=clock,
    )
    try:
        scan = b"J" * 500
        data = (
            b"From: a@example.com\nSubject: scan\nContent-Type: multipart/mixed; boundary=b\n\n"
            b"--b\nContent-Type: text/plain\n\nthe scan\n--b\nContent-Type: image/jpeg\n"
            b'Content-Disposition: attachment; filename="../../passport.jpg"\n\n'
            + scan
            + b"\n--b\nContent-Type: text/plain\n"
            b"Content-Disposition: attachment; filename=ok.txt\n\nsmall\n--b--\n"
        )
        result = take_one(desk, maildir, data)
        big, small = load_ticket(desk.db, result.number).attachments
        assert (big.filename, big.kept, big.size) == ("_.._passport.jpg", False, 500)
        assert big.refused_reason == "500 bytes is over the 100-byte attachment limit"
        assert (small.filename, small.kept) == ("ok.txt", True)
    finally:
        desk.close()


# The quarantine --------------------------------------------------------------------------


def test_unreadable_mail_is_quarantined_with_its_reason(staffed: Desk, maildir: Maildir):
    name = deliver(maildir, b"To: support@wm-console.invalid\nSubject: anon\n\nwho am I\n")
    junk = deliver(maildir, b"\x00\x01 not a mail at all")
    summary = take_waiting(staffed, maildir)
    assert summary.counts[Fate.quarantined] == 2
    rows = list_quarantine(staffed, by="elena")
    by_path = {Path(row.path).name: row for row in rows}
    assert by_path[name].reason == "no From: header: there is no address to answer to"
    assert by_path[name].subject == "anon"
    assert by_path[junk].reason == "no mail headers: this is not a mail message"
    assert (maildir.quarantine / name).read_bytes().endswith(b"who am I\n")
    assert (maildir.quarantine / junk).read_bytes() == b"\x00\x01 not a mail at all"
    with pytest.raises(Forbidden):
        list_quarantine(staffed, by="olga")
    resolve_quarantine(staffed, by_path[junk].id, by="irina", note="spam, nothing to do")
    assert [Path(row.path).name for row in list_quarantine(staffed, by="elena")] == [name]
    assert len(list_quarantine(staffed, by="elena", include_resolved=True)) == 2


def test_mail_over_the_size_limit_is_quarantined_unread(db_url: str, clock, maildir):
    desk = Desk(
        db=open_test_database(db_url), settings=Settings(intake_max_message_bytes=500), clock=clock
    )
    try:
        name = deliver(maildir, compose(body="x" * 1000))
        result = take_waiting(desk, maildir)
        assert result.counts[Fate.quarantined] == 1
        with desk.db.read() as session:
            row = session.exec(select(QuarantinedMail)).one()
        assert "over the 500-byte message limit" in row.reason
        assert row.path == str(maildir.quarantine / name)
    finally:
        desk.close()


def test_a_crash_between_recording_and_moving_to_quarantine_records_once(desk, maildir):
    data = b"Subject: no sender\n\ntext\n"
    name = deliver(maildir, data)
    # Recorded, then the process died before the move.
    ops_reason = "no From: header: there is no address to answer to"
    quarantine_mail(
        desk,
        path=str(maildir.quarantine / name),
        reason=ops_reason,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    take_waiting(desk, maildir)
    with desk.db.read() as session:
        assert len(session.exec(select(QuarantinedMail)).all()) == 1
    assert (maildir.quarantine / name).is_file()


# Watching ---------------------------------------------------------------------------------


def test_watch_mode_takes_a_mail_within_two_seconds_of_its_arrival(desk: Desk, maildir):
    stop = threading.Event()
    watcher = threading.Thread(target=watch_maildir, args=(desk, maildir), kwargs={"stop": stop})
    watcher.start()
    try:
        time.sleep(0.3)  # let the watcher start watching (not an assertion)
        deliver(maildir, compose(message_id="<watched@example.com>"))
        deadline = time.monotonic() + 2.0
        while ops.ticket_number_for_message(desk, "<watched@example.com>") is None:
            assert time.monotonic() < deadline, "the mail was not taken within 2 s"
            time.sleep(0.02)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


# The command line ---------------------------------------------------------------------------


def test_the_intake_command_refuses_a_folder_that_is_not_a_maildir(db_url: str, tmp_path):
    result = CliRunner().invoke(main, ["intake", str(tmp_path), "--db", cli_db(db_url, ["intake"])])
    assert result.exit_code == 1
    assert f"{tmp_path} is not a Maildir: it has no new/ folder" in result.output


def test_the_intake_command_prints_a_summary(db_url: str, maildir: Maildir):
    deliver(maildir, compose(message_id="<cli@example.com>"))
    deliver(maildir, compose(message_id="<cli@example.com>"))
    deliver(maildir, b"Subject: nobody\n\ntext\n")
    result = CliRunner().invoke(
        main, ["intake", str(maildir.root), "--db", cli_db(db_url, ["intake"])]
    )
    assert result.exit_code == 0, result.output
    assert "taken 1, threaded 0, duplicates 1, quarantined 1" in result.output


# Hostile input -------------------------------------------------------------------------------

_HEADER_NAMES = st.sampled_from(
    [
        "From",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Auto-Submitted",
        "MIME-Version",
    ]
)
_SENDERS = st.sampled_from(
    [b"a@example.com", b"=?utf-8?B?0JjQstCw0L0=?= <ivan@example.com>", b"<>", b"x", b""]
)


@st.composite
def _mail_shaped(draw) -> bytes:
    headers = [b"From: " + draw(_SENDERS)] if draw(st.booleans()) else []
    for name, value in draw(st.lists(st.tuples(_HEADER_NAMES, st.binary(max_size=60)), max_size=6)):
        headers.append(name.encode() + b": " + value)
    separator = draw(st.sampled_from([b"\n\n", b"\r\n\r\n", b"\n", b""]))
    return b"\n".join(headers) + separator + draw(st.binary(max_size=400))


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.one_of(st.binary(max_size=600), _mail_shaped()))
def test_arbitrary_bytes_never_crash_intake_nor_lose_the_file(desk: Desk, maildir, data: bytes):
    name = deliver(maildir, data)
    summary = take_waiting(desk, maildir)
    assert summary.deferred == 0
    kept = [*maildir.cur.glob(f"{name}*"), *maildir.quarantine.glob(f"{name}*")]
    assert len(kept) == 1
    assert kept[0].read_bytes() == data
    if kept[0].parent == maildir.quarantine:
        with desk.db.read() as session:
            row = session.exec(
                select(QuarantinedMail).where(QuarantinedMail.path == str(kept[0]))
            ).one()
        assert row.reason
    else:
        try:
            parsed = read_mail(data, LIMITS)
        except UnreadableMail:
            parsed = None
        own_id = parsed.message_id if parsed and parsed.has_message_id else None
        key = quarantine_key(own_id, hashlib.sha256(data).hexdigest())
        with desk.db.read() as session:
            # The same mail drawn twice: the quarantine holds the first, this is its copy.
            copy = session.exec(
                select(QuarantinedMail.id).where(QuarantinedMail.mail_key == key)
            ).first()
        if copy is not None:
            return
        with desk.db.read() as session:
            stored = session.exec(
                select(Message.id).where(
                    Message.email_message_id == read_mail(data, LIMITS).message_id
                )
            ).first()
        assert stored is not None


def test_the_intake_benchmark_runs_and_prints_its_figures(sqlite_url: str):
    result = CliRunner().invoke(
        main, ["bench", "intake", "--db", sqlite_url, "--tickets", "0", "--messages", "40"]
    )
    assert result.exit_code == 0, result.output
    assert "intake: 40 mails in" in result.output
    assert "mails/s" in result.output


def test_a_catastrophic_marker_is_cut_off_and_said_so(staffed: Desk, maildir):
    # "(a|aa)+$" backtracks through every split of the a's when the text ends otherwise:
    # without the match timeout this mail would hold the intake for minutes.
    slow = ops.add_marker(staffed, "(a|aa)+$", is_regex=True, by="elena")
    ops.add_marker(staffed, "telegram", by="elena")
    result = take_one(staffed, maildir, compose(body="a" * 32 + "! write me in Telegram"))
    bodies = system_bodies(staffed, result.number)
    (cut_off,) = [b for b in bodies if "could not be checked" in b]
    assert f"«(a|aa)+$» (marker {slow})" in cut_off
    assert any("matches scam markers: «telegram»" in b for b in bodies)
    with staffed.db.read() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "create")).one()
    assert audit.after["scam_markers_timed_out"] == [slow]
