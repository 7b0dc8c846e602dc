"""`wmconsole demo`: a realistic support desk, reproducible for a seed.

Operators of every role, templates and macros per service and language, scam markers,
and tickets in Russian and English across every service, status and
escalation, with threads, notes, attachments, block requests and audit
trails. Tickets are generated in time order and bulk-loaded (executemany on
SQLite, COPY on PostgreSQL): a million in well under two minutes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from queue import Empty
from typing import Any

import sqlalchemy as sa

from console.demo import texts
from console.demo.bulk import bulk_load
from console.demo.odds import BLOBS, DEMO_OPERATORS
from console.demo.rows import Batch
from console.demo.tickets import CHUNK, Spec, TicketGenerator
from console.desk import Desk
from console.operations.editing import TICKET_COUNTER, record_change
from console.rules.tally import rebuild as rebuild_tally
from models import Macro, Operator, Role, ScamMarker, Template

ProgressCallback = Callable[[int, int], None]


@dataclass
class DemoResult:
    tickets: int = 0
    messages: int = 0
    seconds: float = 0.0
    operators: list[tuple[str, str]] = field(default_factory=list)


def _produce(spec: Spec, queue: multiprocessing.Queue) -> None:
    try:
        for item in TicketGenerator(spec).batches():
            queue.put(item)
        queue.put(None)
    except BaseException as error:
        queue.put(error)
        raise


def _next_batch(queue: multiprocessing.Queue, process: multiprocessing.Process) -> Any:
    """The next batch, or an error if the generating process died without a word."""
    while True:
        try:
            return queue.get(timeout=1.0)
        except Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"the demo generator stopped unexpectedly (exit code {process.exitcode})"
                ) from None


def _batches(spec: Spec) -> Iterator[tuple[Batch, int]]:
    """Generated in a second process when the load is big: the two cores then
    generate and insert at once."""
    if spec.total <= 2 * CHUNK:
        yield from TicketGenerator(spec).batches()
        return
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=3)
    process = context.Process(target=_produce, args=(spec, queue), daemon=True)
    process.start()
    try:
        while (item := _next_batch(queue, process)) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
        process.join()
    finally:
        if process.is_alive():
            process.terminate()


def _ensure_staff(desk: Desk) -> tuple[dict[str, list[int]], dict[int, str]]:
    with desk.db.write() as session:
        existing = {o.login: o for o in session.execute(sa.select(Operator)).scalars()}
        for login, name, role in DEMO_OPERATORS:
            if login not in existing:
                operator = Operator(login=login, name=name, role=role, created_at=desk.now())
                session.add(operator)
                existing[login] = operator
        session.flush()
        staff: dict[str, list[int]] = {role.value: [] for role in Role}
        for login, _, role in DEMO_OPERATORS:
            staff[role.value].append(existing[login].id)
        record_change(session, desk, "operator", None)
        return staff, {operator.id: login for login, operator in existing.items()}


def _ensure_material(desk: Desk, supervisor_id: int) -> None:
    with desk.db.write() as session:
        titles = set(session.execute(sa.select(Template.title)).scalars())
        for service, language, title, body in texts.TEMPLATES:
            if title not in titles:
                session.add(
                    Template(
                        service=service,
                        language=language,
                        title=title,
                        body=body,
                        updated_by_id=supervisor_id,
                        updated_at=desk.now(),
                    )
                )
        macros = set(session.execute(sa.select(Macro.title)).scalars())
        for service, language, title, body, status, escalate, clear, note in texts.MACROS:
            if title not in macros:
                session.add(
                    Macro(
                        service=service,
                        language=language,
                        title=title,
                        body=body,
                        status=status,
                        escalate=escalate,
                        clear_escalation=clear,
                        note=note,
                        updated_by_id=supervisor_id,
                        updated_at=desk.now(),
                    )
                )
        patterns = set(session.execute(sa.select(ScamMarker.pattern)).scalars())
        for pattern, is_regex, description in texts.SCAM_MARKERS:
            if pattern not in patterns:
                session.add(
                    ScamMarker(
                        pattern=pattern,
                        is_regex=is_regex,
                        description=description,
                        created_by_id=supervisor_id,
                        created_at=desk.now(),
                    )
                )
        for _, _, blob in BLOBS:
            digest = hashlib.sha256(blob).hexdigest()
            exists = session.execute(
                sa.text("SELECT 1 FROM attachmentcontent WHERE sha256 = :d"), {"d": digest}
            ).first()
            if not exists:
                session.execute(
                    sa.text(
                        "INSERT INTO attachmentcontent (sha256, size, data) VALUES (:d, :s, :b)"
                    ),
                    {"d": digest, "s": len(blob), "b": blob},
                )
        record_change(session, desk, "template", None)


def _start_ids(desk: Desk) -> tuple[int, int, int, int]:
    with desk.db.read() as session:
        ticket_id, existing = session.execute(
            sa.text("SELECT coalesce(max(id), 0) + 1, count(*) FROM ticket")
        ).one()
        message_id = session.execute(
            sa.text("SELECT coalesce(max(id), 0) + 1 FROM message")
        ).scalar()
        number = session.execute(
            sa.text("SELECT value + 1 FROM counter WHERE name = :n"), {"n": TICKET_COUNTER}
        ).scalar()
    return ticket_id, number, message_id, existing


def load_demo(
    desk: Desk, *, tickets: int, seed: int, progress: ProgressCallback | None = None
) -> DemoResult:
    started = time.perf_counter()
    staff, logins = _ensure_staff(desk)
    _ensure_material(desk, staff["supervisor"][0])
    first_id, first_number, first_message_id, existing = _start_ids(desk)
    spec = Spec(
        seed=seed,
        total=tickets,
        now=desk.now(),
        settings=desk.settings,
        sqlite=desk.db.is_sqlite,
        staff=staff,
        logins=logins,
        first_id=first_id,
        first_number=first_number,
        first_message_id=first_message_id,
    )
    result = DemoResult(operators=[(login, role.value) for login, _, role in DEMO_OPERATORS])

    def loaded(batch: Batch, messages: int) -> None:
        result.tickets += len(batch.ticket)
        result.messages += messages
        if progress:
            progress(result.tickets, tickets)

    if tickets:
        bulk_load(desk, _batches(spec), rebuild_indexes=tickets > existing, loaded=loaded)
    _settle(desk, result.tickets)
    result.seconds = time.perf_counter() - started
    return result


def _settle(desk: Desk, loaded: int) -> None:
    """After the load: the ticket counter and id sequences past the new rows, the
    tally recounted, every console told, the planner's statistics fresh."""
    with desk.db.write_connection() as connection:
        connection.execute(
            sa.text("UPDATE counter SET value = value + :n WHERE name = :name"),
            {"n": loaded, "name": TICKET_COUNTER},
        )
        if desk.db.is_postgres:
            for table in ("ticket", "message"):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
        rebuild_tally(connection)
    with desk.db.write() as session:
        record_change(session, desk, "demo", None)
    with desk.db.engine.connect() as connection:
        if desk.db.is_postgres:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        if desk.db.is_sqlite:
            # Statistics from a sample: exact ones over a million rows cost seconds.
            connection.exec_driver_sql("PRAGMA analysis_limit = 2000")
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
