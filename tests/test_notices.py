"""Notices delivered for real: to an SMTP server on 127.0.0.1 (aiosmtpd) and to a
Keeper spool folder, on SQLite and PostgreSQL; retries, a killed sender,
concurrent senders."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from sqlmodel import select

from console import operations as ops
from console.changes import changes_since, latest_change
from console.cli.main import main
from console.desk import Desk
from console.errors import Forbidden, InvalidInput, TransitionRefused
from console.mail.attachments import IncomingAttachment
from console.mail.intake import Fate, take_waiting
from console.notices.outbox import send_due
from console.notices.words import compose_text
from console.reads.notices import list_notices
from console.reads.ticket import load_ticket
from console.settings import Settings
from models import Language, Notice, NoticeKind, NoticeState, Status, Ticket
from tests.support.mailboxes import compose, deliver, make_maildir
from tests.support.roster import cli_db, open_test_database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the test SMTP server received; it refuses when told to."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse_recipient: str | None = None
    refuse_data: str | None = None
    after_data: Callable[[], None] | None = None
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipient:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.after_data is not None:
            self.after_data()
        return "250 2.0.0 queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret":
            self.logins.append(auth_data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, _, message in self.received]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def desk_on(db_url: str, clock, **overrides) -> Desk:
    return Desk(db=open_test_database(db_url), settings=Settings(**overrides), clock=clock)


@pytest.fixture
def mail_desk(db_url: str, clock, inbox) -> Iterator[Desk]:
    """A staffed desk whose notices go to the test SMTP server."""
    _, port = inbox
    desk = desk_on(db_url, clock, smtp_port=port, smtp_sender="support@wm.example")
    for login, role in [("olga", "operator"), ("elena", "supervisor")]:
        ops.add_operator(desk, login, name=login.title(), role_name=role)
    yield desk
    desk.close()


def answered_ticket(desk: Desk, **fields) -> int:
    """A ticket from the signed-in form (no confirmation), answered by olga."""
    values = {
        "service": "transfers",
        "subject": "Перевод не дошёл",
        "body": "Отправил 100 WMZ.",
        "email": "ivan@example.com",
        "wmid": "123456789012",
        "channel": "email",
    }
    values.update(fields)
    number = ops.create_ticket(desk, **values).number
    ops.take(desk, number, by="olga")
    ops.reply(desk, number, "Перевод найден и зачислен.", by="olga")
    return number


def the_notice(desk: Desk) -> Notice:
    with desk.db.read() as session:
        return session.exec(select(Notice)).one()


# Delivered and threaded ---------------------------------------------------------------------


def test_an_answer_goes_out_tagged_and_the_customers_reply_threads_back(
    mail_desk: Desk, inbox, tmp_path: Path
):
    box, _ = inbox
    maildir = make_maildir(tmp_path / "Maildir")
    deliver(maildir, compose(sender="Ivan <ivan@example.com>", message_id="<orig@mail.example>"))
    take_waiting(mail_desk, maildir)
    (number,) = [n.number for n in list_notices(mail_desk)]
    ticket = load_ticket(mail_desk.db, number)
    ops.confirm(mail_desk, _token(mail_desk, number))
    ops.take(mail_desk, number, by="olga")
    ops.reply(mail_desk, number, "Перевод найден и зачислен.", by="olga")

    summary = send_due(mail_desk)

    assert (summary.sent, summary.retrying, summary.failed) == (2, 0, 0)
    confirmation, answer = box.messages
    notices = {row.kind: row for row in list_notices(mail_desk)}
    assert answer["Message-ID"] == notices["answer"].email_message_id
    assert confirmation["Message-ID"] == notices["confirm"].email_message_id
    assert answer["Subject"] == f"[#{number}] Re: {ticket.subject}"
    assert answer["From"] == "support@wm.example"
    assert answer["To"] == "Ivan <ivan@example.com>"
    assert answer["In-Reply-To"] == "<orig@mail.example>"
    assert answer["References"].split() == [
        "<orig@mail.example>",
        notices["confirm"].email_message_id,
    ]
    assert answer["Auto-Submitted"] is None
    body = answer.get_content().replace("\r\n", "\n")
    assert body.startswith("Перевод найден и зачислен.\n\n-- \n")
    assert f"сохранив [#{number}] в теме" in body
    _, recipients, _ = box.received[1]
    assert recipients == ["ivan@example.com"]

    # The customer answers from another device: no tag, only In-Reply-To.
    deliver(
        maildir,
        compose(
            sender="ivan.phone@example.com",
            subject="Re: спасибо",
            body="Спасибо, всё пришло.",
            in_reply_to=answer["Message-ID"],
        ),
    )
    results = []
    take_waiting(mail_desk, maildir, on_result=results.append)
    assert [(r.fate, r.number) for r in results] == [(Fate.threaded, number)]
    assert load_ticket(mail_desk.db, number).status == Status.open


def test_a_sent_notice_with_no_message_id_kept_is_left_out_of_the_thread(mail_desk: Desk, inbox):
    """Notices sent before Message-IDs were kept (or loaded without one) name
    nothing: the next answer on the ticket still goes out (it failed every
    attempt with TypeError in usable(None))."""
    box, _ = inbox
    number = answered_ticket(mail_desk)
    assert send_due(mail_desk).sent == 1
    with mail_desk.db.write() as session:
        session.execute(sa.update(Notice).values(email_message_id=None))
    ops.reply(mail_desk, number, "Ещё одно уточнение.", by="olga")

    summary = send_due(mail_desk)

    assert (summary.sent, summary.retrying, summary.failed) == (1, 0, 0)
    assert box.messages[-1]["References"] is None


def test_demo_notices_carry_message_ids(sqlite_url: str, clock):
    from console.demo.generator import load_demo

    desk = desk_on(sqlite_url, clock)
    load_demo(desk, tickets=40, seed=3)
    with desk.db.read() as session:
        sent = session.exec(select(Notice).where(Notice.state == NoticeState.sent)).all()
    desk.close()
    assert sent and all(notice.email_message_id for notice in sent)
    assert len({notice.email_message_id for notice in sent}) == len(sent)


def test_the_confirmation_carries_the_link_and_says_it_is_automatic(mail_desk: Desk, inbox):
    box, _ = inbox
    created = ops.create_ticket(
        mail_desk,
        service="keeper",
        subject="Can't log in",
        body="Password refused.",
        email="anna@example.com",
        language="en",
    )
    send_due(mail_desk)
    (message,) = box.messages
    assert message["Subject"] == f"[#{created.number}] Please confirm your request: Can't log in"
    assert message["Auto-Submitted"] == "auto-replied"
    assert f"https://support.wm-console.invalid/confirm/{created.confirm_token}" in (
        message.get_content()
    )
    assert message["In-Reply-To"] is None


def test_customer_text_cannot_add_headers_to_our_mail(mail_desk: Desk, inbox):
    box, _ = inbox
    answered_ticket(
        mail_desk,
        name="Ivan\r\nBcc: thief@evil.example\r\nX-Injected: yes",
        subject="Help\x0b\x1b[2J please",
    )
    send_due(mail_desk)
    ((_, recipients, message),) = box.received
    assert recipients == ["ivan@example.com"]
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert message["To"].addresses[0].display_name == "Ivan Bcc: thief@evil.example X-Injected: yes"
    assert "\x1b" not in message["Subject"] and "\x0b" not in message["Subject"]


def test_an_answer_carries_the_operators_attachments(mail_desk: Desk, inbox):
    box, _ = inbox
    number = ops.create_ticket(
        mail_desk,
        service="transfers",
        subject="Statement",
        body="Please send it.",
        email="ivan@example.com",
        wmid="123456789012",
        channel="email",
    ).number
    ops.take(mail_desk, number, by="olga")
    ops.reply(
        mail_desk,
        number,
        "Выписка во вложении.",
        by="olga",
        attachments=[
            IncomingAttachment("выписка.pdf", "application/pdf", b"%PDF-1.4 data"),
            IncomingAttachment("original.eml", "message/rfc822", b"From: a@b.example\n\nhi\n"),
        ],
    )
    send_due(mail_desk)
    (message,) = box.messages
    statement, original = message.iter_attachments()
    assert statement.get_filename() == "выписка.pdf"
    assert statement.get_content() == b"%PDF-1.4 data"
    assert original.get_filename() == "original.eml"
    assert original.get_content_type() == "application/octet-stream"
    assert original.get_content() == b"From: a@b.example\n\nhi\n"


def test_an_archive_notice_tells_how_to_reopen(mail_desk: Desk, inbox, clock):
    box, _ = inbox
    number = answered_ticket(mail_desk, subject="Card blocked", body="Help", language="en")
    send_due(mail_desk)
    clock.advance(days=15)
    assert ops.archive_answered(mail_desk) == [number]
    send_due(mail_desk)
    archived = box.messages[-1]
    assert archived["Subject"] == f"[#{number}] Your request was moved to the archive: Card blocked"
    assert archived["Auto-Submitted"] == "auto-generated"
    assert "reply to this e-mail and the request reopens" in archived.get_content()


def test_a_customer_who_writes_to_the_archive_hears_the_request_is_open_again(
    mail_desk: Desk, inbox, clock, tmp_path: Path
):
    box, _ = inbox
    number = answered_ticket(mail_desk, subject="Card blocked", body="Help", language="en")
    clock.advance(days=15)
    ops.archive_answered(mail_desk)
    send_due(mail_desk)
    archived = box.messages[-1]
    maildir = make_maildir(tmp_path / "Maildir")
    deliver(
        maildir,
        compose(
            sender="someone.else@example.com",
            subject="Re: still blocked",
            body="It is still blocked.",
            message_id="<again@mail.example>",
            in_reply_to=archived["Message-ID"],
        ),
    )
    take_waiting(mail_desk, maildir)
    assert load_ticket(mail_desk.db, number).status == Status.open
    assert send_due(mail_desk).sent == 1
    reopened = box.messages[-1]
    assert reopened["Subject"] == f"[#{number}] Your request is open again: Card blocked"
    assert reopened["To"] == "ivan@example.com"
    assert reopened["In-Reply-To"] == "<again@mail.example>"
    assert reopened["Auto-Submitted"] == "auto-replied"
    # An answered ticket the customer writes to again reopens without a notice.
    ops.reply(mail_desk, number, "Unblocked now.", by="olga")
    ops.customer_message(mail_desk, number, "Thanks!", channel="email")
    assert [n.kind for n in list_notices(mail_desk)].count("reopened") == 1


@pytest.mark.parametrize("kind", list(NoticeKind))
@pytest.mark.parametrize("language", list(Language))
def test_every_notice_has_its_words_in_each_language(kind: NoticeKind, language: Language):
    text = compose_text(
        kind,
        language=language.value,
        number=100042,
        subject="Payment {name} lost",
        name="Ivan {0}",
        answer="Paid {amount}.",
        confirm_url="https://support.example/confirm/abc",
        settings=Settings(),
    )
    assert text.subject.startswith("[#100042] ")
    assert text.subject.endswith("Payment {name} lost")
    assert "100042" in text.body
    # Customer text with braces stays as written; an answer carries no greeting.
    assert ("Ivan {0}" in text.body) == (kind != NoticeKind.answer)
    cyrillic = any("\u0400" <= char <= "\u04ff" for char in text.body)
    assert cyrillic == (language == Language.ru)


def test_an_unknown_tls_mode_is_refused_before_anything_is_claimed(db_url: str, clock):
    desk = desk_on(db_url, clock, smtp_tls="tls1.0")
    try:
        with pytest.raises(InvalidInput, match=r"smtp\.tls must be one of none, starttls, ssl"):
            send_due(desk)
    finally:
        desk.close()


# Failures: retried with backoff, visible, never lost ------------------------------------------


def test_a_refusing_server_means_retries_with_backoff_not_loss(mail_desk: Desk, inbox, clock):
    box, _ = inbox
    answered_ticket(mail_desk)
    box.refuse_data = "451 4.3.0 Try again later"

    assert send_due(mail_desk).retrying == 1
    first = the_notice(mail_desk)
    assert (first.state, first.attempts) == (NoticeState.pending, 1)
    assert first.last_error == "the server refused the message: 451 4.3.0 Try again later"
    assert first.next_attempt_at == clock.now + timedelta(seconds=60)
    message_id = first.email_message_id
    assert message_id

    assert send_due(mail_desk).retrying == 0  # not due yet: nothing is attempted
    clock.advance(seconds=60)
    send_due(mail_desk)
    second = the_notice(mail_desk)
    assert (second.state, second.attempts) == (NoticeState.pending, 2)
    assert second.next_attempt_at == clock.now + timedelta(seconds=120)

    box.refuse_data = None
    clock.advance(seconds=120)
    assert send_due(mail_desk).sent == 1
    done = the_notice(mail_desk)
    assert (done.state, done.attempts, done.last_error) == (NoticeState.sent, 3, None)
    assert done.sent_at == clock.now
    (message,) = box.messages
    assert message["Message-ID"] == message_id == done.email_message_id


def test_a_server_that_is_down_means_retries(db_url: str, clock):
    desk = desk_on(db_url, clock, smtp_port=_free_port(), smtp_timeout_seconds=5.0)
    try:
        ops.add_operator(desk, "olga", name="Olga", role_name="operator")
        answered_ticket(desk)
        assert send_due(desk).retrying == 1
        notice = the_notice(desk)
        assert notice.state == NoticeState.pending
        assert "ConnectionRefusedError" in notice.last_error
    finally:
        desk.close()


def test_a_permanent_refusal_fails_visibly_and_can_be_retried_by_hand(mail_desk, inbox, clock):
    box, _ = inbox
    answered_ticket(mail_desk)
    box.refuse_recipient = "550 5.1.1 No such user"
    assert send_due(mail_desk).failed == 1
    (row,) = list_notices(mail_desk, states=frozenset({NoticeState.failed}))
    assert (row.state, row.attempts) == ("failed", 1)
    assert "550 5.1.1 No such user" in row.last_error

    box.refuse_recipient = None
    ops.retry_notice(mail_desk, row.id, by="elena")
    assert send_due(mail_desk).sent == 1
    assert [e.action for e in load_ticket(mail_desk.db, row.number).audit][-1] == "notice_retry"


def failed_notice(desk: Desk, box) -> int:
    answered_ticket(desk)
    box.refuse_recipient = "550 5.1.1 No such user"
    assert send_due(desk).failed == 1
    box.refuse_recipient = None
    return the_notice(desk).id


def test_a_notice_is_retried_by_a_supervisor_or_security_officer_and_the_ticket_hears(
    mail_desk: Desk, inbox
):
    notice_id = failed_notice(mail_desk, inbox[0])
    seen = latest_change(mail_desk.db)
    with pytest.raises(Forbidden, match="olga is an operator: to put a failed notice back"):
        ops.retry_notice(mail_desk, notice_id, by="olga")
    assert the_notice(mail_desk).state == NoticeState.failed
    assert changes_since(mail_desk.db, seen) == []

    ops.retry_notice(mail_desk, notice_id, by="elena")
    notice = the_notice(mail_desk)
    assert notice.state == NoticeState.pending
    assert [(c.topic, c.ticket_id) for c in changes_since(mail_desk.db, seen)] == [
        ("notice", notice.ticket_id)
    ]
    with pytest.raises(TransitionRefused, match="is pending; only a failed notice"):
        ops.retry_notice(mail_desk, notice_id, by="elena")


def test_after_the_last_attempt_a_notice_is_failed(db_url: str, clock, inbox):
    box, port = inbox
    desk = desk_on(db_url, clock, smtp_port=port, notices_max_attempts=2)
    try:
        ops.add_operator(desk, "olga", name="Olga", role_name="operator")
        answered_ticket(desk)
        box.refuse_data = "421 4.7.0 Too busy"
        send_due(desk)
        clock.advance(minutes=5)
        assert send_due(desk).failed == 1
        assert the_notice(desk).state == NoticeState.failed
    finally:
        desk.close()


def test_a_sender_killed_between_send_and_commit_resends_under_the_same_message_id(
    mail_desk: Desk, inbox, clock, db_url: str
):
    box, port = inbox
    # The sender below runs on the real clock: make the notice due by it.
    clock.now = datetime.now(UTC) - timedelta(minutes=1)
    answered_ticket(mail_desk)
    sender_started = threading.Event()
    sender: subprocess.Popen | None = None

    def kill_the_sender() -> None:
        # The message is in; the sender dies before it hears "250" and records it.
        sender_started.wait(30)
        assert sender is not None
        os.kill(sender.pid, signal.SIGKILL)

    box.after_data = kill_the_sender
    environment = {
        **os.environ,
        "WMCONSOLE_CONFIG": "/nonexistent/wmconsole.toml",
        "WMCONSOLE_SMTP_PORT": str(port),
        "WMCONSOLE_SMTP_SENDER": "support@wm.example",
    }
    sender = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console.cli",
            "notices",
            "send",
            "--db",
            cli_db(db_url, ["notices", "send"]),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sender_started.set()
    assert sender.wait(timeout=60) == -signal.SIGKILL
    box.after_data = None

    stuck = the_notice(mail_desk)
    assert (stuck.state, stuck.attempts) == (NoticeState.sending, 1)
    (first_copy,) = box.messages
    assert first_copy["Message-ID"] == stuck.email_message_id

    # While the dead sender's lease runs, no one sends it again.
    clock.now = datetime.now(UTC)
    assert send_due(mail_desk).sent == 0
    # Once it has run out, the notice goes again, under the same Message-ID.
    clock.advance(seconds=mail_desk.settings.notices_lease_seconds + 1)
    assert send_due(mail_desk).sent == 1
    done = the_notice(mail_desk)
    assert (done.state, done.attempts) == (NoticeState.sent, 2)
    assert [m["Message-ID"] for m in box.messages] == [stuck.email_message_id] * 2


def test_concurrent_senders_never_send_one_notice_twice(db_url: str, clock, inbox):
    box, port = inbox
    desks = [desk_on(db_url, clock, smtp_port=port) for _ in range(3)]
    try:
        ops.add_operator(desks[0], "olga", name="Olga", role_name="operator")
        numbers = [answered_ticket(desks[0], email=f"c{i}@example.com") for i in range(24)]
        results = []
        start = threading.Barrier(len(desks))

        def run(desk: Desk) -> None:
            start.wait()
            results.append(send_due(desk))

        threads = [threading.Thread(target=run, args=(desk,)) for desk in desks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sum(summary.sent for summary in results) == len(numbers)
        ids = [message["Message-ID"] for message in box.messages]
        assert len(ids) == len(set(ids)) == len(numbers)
        rows = list_notices(desks[0])
        assert {(row.state, row.attempts) for row in rows} == {("sent", 1)}
    finally:
        for desk in desks:
            desk.close()


# Keeper ---------------------------------------------------------------------------------------


def test_keeper_notices_are_written_whole_into_the_spool(db_url: str, clock, tmp_path: Path):
    spool = tmp_path / "keeper-spool"
    desk = desk_on(db_url, clock, keeper_spool=str(spool))
    try:
        ops.add_operator(desk, "olga", name="Olga", role_name="operator")
        number = answered_ticket(desk, channel="keeper")
        assert send_due(desk).sent == 1
        notice = the_notice(desk)
        (written,) = spool.iterdir()
        assert written.name == f"notice-{notice.id}.json"
        payload = json.loads(written.read_text(encoding="utf-8"))
        assert payload["id"] == notice.email_message_id
        assert (payload["wmid"], payload["ticket"], payload["kind"]) == (
            "123456789012",
            number,
            "answer",
        )
        assert payload["text"].startswith("Перевод найден и зачислен.")
    finally:
        desk.close()


def test_keeper_notices_wait_while_no_spool_is_set(db_url: str, clock):
    desk = desk_on(db_url, clock)
    try:
        ops.add_operator(desk, "olga", name="Olga", role_name="operator")
        answered_ticket(desk, channel="keeper")
        assert send_due(desk).retrying == 1
        assert "keeper_spool is not set" in the_notice(desk).last_error
    finally:
        desk.close()


# Connection security ---------------------------------------------------------------------------


# Plain-text AUTH is what this test server offers; the warning is about that.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_credentials_are_given_to_the_server(db_url: str, clock):
    box = Inbox()
    port = _free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    desk = desk_on(db_url, clock, smtp_port=port, smtp_user="wm-console", smtp_password="s3cret")
    try:
        ops.add_operator(desk, "olga", name="Olga", role_name="operator")
        answered_ticket(desk)
        assert send_due(desk).sent == 1
        assert box.logins == ["wm-console"]
    finally:
        desk.close()
        controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_to_the_relay(db_url: str, clock, certificate, mode: str):
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    box = Inbox()
    port = _free_port()
    tls = (
        {"tls_context": server_context, "require_starttls": True}
        if mode == "starttls"
        else {"ssl_context": server_context}
    )
    controller = Controller(box, hostname="127.0.0.1", port=port, **tls)
    controller.start()
    desk = desk_on(db_url, clock, smtp_port=port, smtp_tls=mode, smtp_ca_file=str(cert))
    try:
        ops.add_operator(desk, "olga", name="Olga", role_name="operator")
        answered_ticket(desk)
        assert send_due(desk).sent == 1
        assert len(box.messages) == 1
    finally:
        desk.close()
        controller.stop()


# The command line --------------------------------------------------------------------------------


def test_the_notices_commands(mail_desk: Desk, inbox, db_url: str):
    _, port = inbox
    answered_ticket(mail_desk)
    env = {"WMCONSOLE_SMTP_PORT": str(port), "WMCONSOLE_CONFIG": "/nonexistent/wmconsole.toml"}
    runner = CliRunner()
    pending = runner.invoke(main, ["notices", "list", "--db", db_url, "--json"], env=env)
    assert [row["state"] for row in json.loads(pending.output)] == ["pending"]
    sent = runner.invoke(
        main, ["notices", "send", "--db", cli_db(db_url, ["notices", "send"])], env=env
    )
    assert sent.exit_code == 0, sent.output
    assert "sent 1, to retry 0, failed 0" in sent.output
    listed = runner.invoke(main, ["notices", "list", "--db", db_url, "--state", "sent"], env=env)
    assert "sent    answer" in listed.output


def test_the_retry_command(mail_desk: Desk, inbox, db_url: str):
    notice_id = failed_notice(mail_desk, inbox[0])
    runner = CliRunner()

    def retry_as(login: str):
        args = ["notices", "retry", str(notice_id), "--as", login]
        return runner.invoke(main, [*args, "--db", cli_db(db_url, args)])

    refused = retry_as("olga")
    assert refused.exit_code == 4
    assert "takes a supervisor or a security officer" in refused.stderr
    retried = retry_as("elena")
    assert (retried.exit_code, retried.output) == (0, "")
    assert the_notice(mail_desk).state == NoticeState.pending


def _token(desk: Desk, number: int) -> str:
    with desk.db.read() as session:
        return session.exec(select(Ticket.confirm_token).where(Ticket.number == number)).one()
