"""Many operators on one database at once: real OS processes, real databases."""

import multiprocessing
from collections import Counter

import sqlalchemy as sa

from console import operations as ops
from console.desk import open_desk
from console.reads.ticket import load_ticket
from models import AuditEvent
from tests.support.desk import new_ticket
from tests.support.roster import cli_db

TAKERS = 8
CALLS_EACH = 25
TICKETS = 150


def _take_many(url: str, login: str, start, results) -> None:
    desk = open_desk(url)
    start.wait()
    taken, errors = [], []
    for _ in range(CALLS_EACH):
        try:
            taken.append(ops.take_next(desk, by=login))
        except Exception as error:  # every failure, of any kind, is the finding
            errors.append(f"{type(error).__name__}: {error}")
    desk.close()
    results.put((login, taken, errors))


def test_take_next_from_eight_processes_hands_out_each_ticket_once(desk):
    for i in range(TAKERS):
        ops.add_operator(desk, f"taker{i}", name=f"Taker {i}", role_name="operator")
    numbers = {new_ticket(desk, subject=f"ticket {i}") for i in range(TICKETS)}
    url = desk.db.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(TAKERS)
    results = context.Queue()
    processes = [
        context.Process(
            # Each taker signs in as themselves (on PostgreSQL, their own role).
            target=_take_many,
            args=(cli_db(url, ["--as", f"taker{i}"]), f"taker{i}", start, results),
        )
        for i in range(TAKERS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)

    errors = [error for _, _, errs in outcomes for error in errs]
    assert errors == []
    taken = [number for _, got, _ in outcomes for number in got if number is not None]
    empty = [number for _, got, _ in outcomes for number in got if number is None]
    assert len(taken) + len(empty) == TAKERS * CALLS_EACH
    assert Counter(taken).most_common(1)[0][1] == 1
    assert set(taken) == numbers
    holders = {login: got for login, got, _ in outcomes}
    for number in list(numbers)[:20]:
        detail = load_ticket(desk.db, number)
        assert [number in holders[detail.assignee]] == [True]
    with desk.db.read() as session:
        takes = session.execute(
            sa.select(sa.func.count()).where(AuditEvent.action == "take")
        ).scalar()
    assert takes == TICKETS
