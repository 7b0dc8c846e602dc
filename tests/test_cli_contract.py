"""The command line is a contract scripts rely on: every command's `--help`, and
the JSON and text of `tickets`, `ticket N` and `stats` on a fixed demo desk
(fixed seed, fixed clock), are kept as they are. A deliberate change to the
contract is reviewed with `pytest tests/test_cli_contract.py --snapshot-update`."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

import console.desk
from console.cli.main import COMMANDS, main
from console.desk import Desk
from console.settings import Settings


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    yield path
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


def test_every_help_text_is_kept(snapshot):
    runner = CliRunner()
    texts = {}
    for path in _commands(main):
        result = runner.invoke(main, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, result.output
        texts[" ".join(("wmconsole", *path))] = result.output
    assert texts == snapshot


def test_the_command_list_says_what_each_command_says_of_itself():
    """`wmconsole --help` lists the commands from a table, so as not to import
    them all: each summary is the command's own, shortened the same way."""
    context = click.Context(main)
    assert main.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        for limit in (30, 45, 64, 200):
            listed = click.Command(name, help=COMMANDS[name][2])
            assert command.get_short_help_str(limit) == listed.get_short_help_str(limit)


@pytest.fixture
def run_on_demo(ui_demo: Desk, monkeypatch: pytest.MonkeyPatch):
    """The CLI on the demo desk, at the demo's own fixed time."""
    url = ui_demo.db.url.render_as_string(hide_password=False)

    def fixed_desk(db_url=None, *, settings=None, migrate=True):
        from console.database import open_database

        return Desk(db=open_database(url), settings=Settings(), clock=ui_demo.clock)

    monkeypatch.setattr(console.desk, "open_desk", fixed_desk)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args), terminal_width=100)
        assert result.exit_code == 0, (result.output, result.stderr)
        return result.stdout

    return run


def test_the_queue_the_tickets_and_the_stats_are_kept(run_on_demo, snapshot):
    outputs = {
        "tickets --json": run_on_demo("tickets", "--json", "--as", "olga"),
        "tickets": run_on_demo("tickets", "--as", "olga"),
        "tickets --assignee anyone --limit 120 --json": run_on_demo(
            "tickets", "--assignee", "anyone", "--limit", "120", "--json", "--as", "olga"
        ),
        "tickets --escalation fraud,wmid_block --json": run_on_demo(
            "tickets", "--escalation", "fraud,wmid_block", "--assignee", "anyone", "--json"
        ),
        "stats --json": run_on_demo("stats", "--json"),
        "stats": run_on_demo("stats"),
        "stats --prometheus": run_on_demo("stats", "--prometheus"),
        "block list --all --json": run_on_demo("block", "list", "--all", "--json"),
        "template list --json": run_on_demo("template", "list", "--all", "--json"),
        "marker list --json": run_on_demo("marker", "list", "--all", "--json"),
        "operator list --json": run_on_demo("operator", "list", "--json"),
    }
    for number in ("100001", "100007", "100150", "100299"):
        outputs[f"ticket {number} --json"] = run_on_demo("ticket", number, "--json")
        outputs[f"ticket {number}"] = run_on_demo("ticket", number)
    assert outputs == snapshot
