"""Every bad input gets one clear line, at the edge: a text with no end, text
that is not UTF-8, NUL, controls, other scripts' digits — each a clean refusal
or a correct store, never a traceback, the same on both backends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from console.cli.main import main
from console.errors import InvalidInput
from console.rules import validation
from tests.support.roster import cli_db

ROOT = Path(__file__).resolve().parent.parent
# The reading a text from --file or stdin may cost, beyond a refusal that reads nothing.
READ_BOUND_BYTES = 16 * 1024 * 1024

_PEAK_RSS = """
import resource, subprocess, sys
limit = 2 * 1024 ** 3
done = subprocess.run(
    sys.argv[1:],
    capture_output=True,
    timeout=120,
    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(done.returncode, peak)
sys.stderr.write(done.stderr.decode(errors="replace"))
"""


def _peak_rss(*args: str) -> tuple[int, int, str]:
    """Exit status, peak resident memory in bytes and stderr of `wmconsole ARGS`,
    measured in a process of its own (RUSAGE_CHILDREN counts every child waited
    for), with its address space capped so that a regression cannot take the
    machine down."""
    command = [sys.executable, "-m", "console.cli", *args]
    measured = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    status, peak = measured.stdout.split()
    return int(status), int(peak), measured.stderr


def test_a_file_with_no_end_is_refused_with_bounded_memory(sqlite_url: str, tmp_path: Path):
    """`reply --file /dev/zero` read until the kernel killed it at 24 GB."""
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"\x00")
    common = ["--db", sqlite_url, "reply", "100001", "--as", "olga", "--file"]
    baseline_status, baseline, _ = _peak_rss(*common, str(nul))
    status, peak, stderr = _peak_rss(*common, "/dev/zero")
    assert baseline_status == status == 1
    assert stderr == (
        "wmconsole: the reply is longer than 800,000 bytes (at most 200,000 characters): "
        "shorten it and try again\n"
    )
    assert peak - baseline < READ_BOUND_BYTES, (peak, baseline)


# What a command line can carry: anything Python makes of argv bytes (lone
# surrogates for bytes that are not UTF-8), controls, bidi, other digits; and
# plain text, so that stores are tried as often as refusals.
_DIGITS = st.sampled_from("0123456789０１２３٣٤۳३৩๓༣")
_PLAIN = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1)
_HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_characters="\x00"),
        st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),
        st.sampled_from("\x1b\x07\x9b\u202e\u200b\t\r\n"),
        _DIGITS,
    ),
    min_size=1,
    max_size=30,
)
_ARGUMENT = st.one_of(_PLAIN.filter(str.strip), _HOSTILE)
_BODY = st.one_of(_PLAIN.filter(str.strip).map(str.encode), st.binary(min_size=1, max_size=60))
_WMID = st.one_of(
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    st.lists(_DIGITS, min_size=12, max_size=12).map("".join),
)


def _expected_subject(subject: str) -> str | None:
    try:
        return validation.subject(subject)
    except InvalidInput:
        return None


@pytest.fixture
def olga(db_url: str) -> None:
    args = ["operator", "add", "olga", "--name", "Olga", "--role", "operator"]
    assert CliRunner().invoke(main, ["--db", cli_db(db_url, args), *args]).exit_code == 0


@given(
    subject=_ARGUMENT,
    name=_ARGUMENT,
    body=_BODY,
    wmid=_WMID,
    search=_ARGUMENT,
)
@settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_text_argument_is_a_clean_refusal_or_a_correct_store(
    db_url: str, olga: None, subject: str, name: str, body: bytes, wmid: str, search: str
):
    runner = CliRunner()

    def run(*args: str, input: bytes | None = None):
        result = runner.invoke(main, ["--db", cli_db(db_url, args), *args], input=input)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            assert result.stderr.startswith("wmconsole: ") and result.stderr.count("\n") == 1
        elif result.exit_code:
            assert result.exit_code == 2 and "Error:" in result.stderr, result.output
        return result

    new = ["ticket", "new", "--service", "keeper", "--email", "a@example.com"]
    created = run(
        *new,
        "--subject",
        subject,
        "--name",
        name,
        "--wmid",
        wmid,
        "--file",
        "-",
        "--json",
        input=body,
    )
    listed = run("tickets", "--assignee", "anyone", "--search", search, "--as", "olga")
    if listed.exit_code:
        assert "--search" in listed.stderr or "a search takes" in listed.stderr
    event("refused" if created.exit_code else "stored")
    if created.exit_code:
        return
    # Stored: as the rules say, with every digit ASCII and no NUL anywhere.
    number = json.loads(created.stdout)["number"]
    ticket = json.loads(run("ticket", str(number), "--json").stdout)
    assert ticket["subject"] == _expected_subject(subject)
    assert ticket["customer_name"] == validation.customer_name(name)
    assert ticket["wmid"] == wmid and wmid.isascii()
    assert ticket["messages"][0]["body"] == body.decode("utf-8")
    assert "\x00" not in ticket["messages"][0]["body"]
