"""Words a person reads: every stored value has a label with no underscores, and
counts come with their noun in the right number; the command line's text uses
the labels, its JSON keeps the values."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from console import operations as ops
from console.cli.main import main
from console.rules.labels import label, plural
from models import (
    EscalationKind,
    Language,
    MessageChannel,
    NoticeChannel,
    Role,
    Service,
    Status,
)
from tests.support.desk import new_ticket
from tests.support.roster import cli_db

ENUMS = (Status, Service, EscalationKind, Role, MessageChannel, NoticeChannel, Language)


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
def test_every_value_has_words_of_its_own(kind):
    for member in kind:
        words = label(member)
        assert words and "_" not in words, member
        assert label(member.value, kind) == words
    assert len({label(member) for member in kind}) == len(kind)


def test_the_labels_people_asked_for():
    assert label(Status.on_hold) == "on hold"
    assert label(EscalationKind.wmid_block) == "WMID block"
    assert label(Service.personal_data) == "personal data"
    assert label(Role.security) == "security officer"
    assert label("something new", Status) == "something new"


@pytest.mark.parametrize(
    ("count", "words"),
    [(0, "0 tickets"), (1, "1 ticket"), (2, "2 tickets"), (1234, "1,234 tickets")],
)
def test_plurals(count, words):
    assert plural(count, "ticket") == words


def test_plural_with_its_own_many():
    assert plural(1, "person", "people") == "1 person"
    assert plural(3, "person", "people") == "3 people"


def test_the_command_lines_text_reads_labels_and_its_json_keeps_values(staffed, db_url):
    number = new_ticket(staffed, service="personal_data")
    ops.take(staffed, number, by="olga")
    ops.set_status(staffed, number, "on_hold", by="olga")
    runner = CliRunner()
    args = ["tickets", "--as", "olga"]
    text = runner.invoke(main, ["--db", cli_db(db_url, args), *args]).output
    row = next(line for line in text.splitlines() if str(number) in line)
    assert "on hold" in row and "personal data" in row
    assert "on_hold" not in text and "personal_data" not in text
    args = ["tickets", "--as", "olga", "--json"]
    data = json.loads(runner.invoke(main, ["--db", cli_db(db_url, args), *args]).output)
    assert (data[0]["status"], data[0]["service"]) == ("on_hold", "personal_data")
