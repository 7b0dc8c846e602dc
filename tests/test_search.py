"""Search on both backends: word forms in Russian and English, phrases, the
whole desk, relevance, and where a search matches in a text (the highlight)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from console import database
from console import operations as ops
from console.demo.generator import load_demo
from console.errors import InvalidInput
from console.reads.queue import Assignee, Queue, QueueFilter
from console.reads.search import IN_THREAD
from console.rules import validation
from console.rules.queue_order import SortOrder
from console.rules.word_forms import index_text, match_spans, parse, stem
from models import Status, Ticket
from tests.support.desk import new_ticket

EVERYTHING = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone)


def found(desk, text, f=EVERYTHING, login="olga"):
    queue = Queue(desk.db, ops.get_operator(desk, login).id)
    return {row.number for row in queue.page(f.with_(search=text), desk.now(), limit=1000)}


def test_russian_word_forms_find_the_same_tickets(staffed):
    card = new_ticket(staffed, subject="Вопрос", body="Моя карта заблокирована банком")
    cards = new_ticket(staffed, subject="Привязать карты", body="Две карты к кошельку")
    new_ticket(staffed, subject="Кошелёк", body="Пароль не подходит")
    ops.reply(staffed, card, "Пришлите фото карты с двух сторон", by="olga")
    for form in ("карта", "карту", "карты", "карт", "КАРТОЙ"):
        assert found(staffed, form) == {card, cards}, form


def test_english_word_forms_and_prefixes(staffed):
    one = new_ticket(staffed, subject="Payment not delivered", body="Where is it?")
    many = new_ticket(staffed, subject="Question", body="Two payments went missing")
    new_ticket(staffed, subject="Keeper does not start", body="Help")
    assert found(staffed, "payment") == {one, many}
    assert found(staffed, "payments") == {one, many}
    # A word being typed finds already: the start of a longer word.
    assert found(staffed, "paym") == {one, many}


def test_a_quoted_phrase_matches_its_words_side_by_side_in_that_order(staffed):
    blocked = new_ticket(staffed, subject="Помогите", body="Карту заблокировали вчера")
    apart = new_ticket(staffed, subject="Карта", body="Банк всё заблокировал")
    assert found(staffed, '"карта заблокирована"') == {blocked}
    assert found(staffed, "карта заблокирована") == {blocked, apart}
    assert found(staffed, '"заблокировали карту"') == set()


def test_a_new_message_is_found_at_once(staffed):
    number = new_ticket(staffed, subject="Вопрос", body="Здравствуйте", wmid=None)
    assert found(staffed, "скриншот") == set()
    ops.note(staffed, number, "Клиент прислал скриншоты ошибки", by="olga")
    assert found(staffed, "скриншот") == {number}


def test_a_search_looks_through_the_whole_desk_unless_kept_within_the_view(staffed):
    mine = new_ticket(staffed, subject="Карта не работает")
    held = new_ticket(staffed, subject="Карту списали", wmid="555555555555")
    ops.take(staffed, held, by="ivan")
    opening = QueueFilter()
    assert found(staffed, "карта", opening) == {mine, held}
    assert found(staffed, "карта", opening.with_(search_in_view=True)) == {mine}
    # A number, WMID or e-mail names tickets wherever they are, whatever the toggle.
    assert found(staffed, str(held), opening.with_(search_in_view=True)) == {held}
    assert found(staffed, "555555555555", opening.with_(search_in_view=True)) == {held}


def test_a_whole_desk_search_counts_its_tickets_from_the_index(staffed):
    new_ticket(staffed, subject="Карта не работает")
    held = new_ticket(staffed, subject="Вопрос", body="Карту списали дважды")
    new_ticket(staffed, subject="Вопрос", body="Кошелёк не открывается")
    ops.take(staffed, held, by="ivan")
    queue = Queue(staffed.db, ops.get_operator(staffed, "olga").id)
    later = staffed.now() + timedelta(days=30)
    whole = queue.facets(QueueFilter(search="карты"), later)
    within = queue.facets(EVERYTHING.with_(search="карты", search_in_view=True), later)
    assert (whole.itemised, within.itemised) == (False, True)
    assert (whole.total, whole.breached) == (within.total, within.breached)
    assert whole.total == 2


@pytest.mark.parametrize("asked", [False, True], ids=["read-once", "asked"])
@pytest.mark.parametrize("search", ["карт", "карта", "e-num"])
def test_walking_the_queue_finds_the_page_that_sorting_the_matches_finds(
    staffed, monkeypatch, search, asked
):
    services = ("transfers", "keeper", "transfers", "cards", "keeper")
    cards = {
        new_ticket(staffed, subject=f"Карточка {n} и E-NUM", service=service)
        for n, service in enumerate(services)
    }
    cards.add(new_ticket(staffed, subject="Карта", body="e-num", service="cards"))
    new_ticket(staffed, subject="Вопрос", body="Кошелёк не открывается, e num")
    olga = ops.get_operator(staffed, "olga").id
    f = EVERYTHING.with_(search=search)
    sorted_page = [row.number for row in Queue(staffed.db, olga).page(f, staffed.now())]
    # Every search walks the queue's index when any number of matches is "many";
    # SQLite asks each ticket about a word in any share of the desk, or in none.
    monkeypatch.setattr("console.reads.search.WALK_FROM", 0)
    monkeypatch.setattr("console.reads.search.ASKED_FROM_SHARE", 0 if asked else 2)
    walked = Queue(staffed.db, olga).page(f, staffed.now())
    assert [row.number for row in walked] == sorted_page
    assert set(sorted_page) == cards


def test_a_walk_asking_each_ticket_finds_words_new_since_it_was_planned(staffed, monkeypatch):
    monkeypatch.setattr("console.reads.search.WALK_FROM", 0)
    monkeypatch.setattr("console.reads.search.ASKED_FROM_SHARE", 0)
    queue = Queue(staffed.db, ops.get_operator(staffed, "olga").id)
    f = EVERYTHING.with_(search="paym")
    first = new_ticket(staffed, subject="Payment not delivered")
    assert [row.number for row in queue.page(f, staffed.now())] == [first]
    # "paymaster" was in no ticket when the walk spelled out "paym" the first time.
    second = new_ticket(staffed, subject="A paymaster asks")
    assert {row.number for row in queue.page(f, staffed.now())} == {first, second}


def test_relevance_puts_the_ticket_a_search_names_first(staffed):
    in_thread = new_ticket(staffed, subject="Вопрос", body="Мой номер 123123123123 не помню")
    in_subject = new_ticket(staffed, subject="WMID 123123123123", wmid="999999999999")
    named = new_ticket(staffed, subject="Вопрос", wmid="123123123123")
    queue = Queue(staffed.db, ops.get_operator(staffed, "olga").id)
    f = EVERYTHING.with_(search="123123123123", order=SortOrder.relevance)
    rows = queue.page(f, staffed.now())
    assert [row.number for row in rows] == [named, in_subject, in_thread]
    # Pages follow each other by keyset in that order.
    after = queue.page(f, staffed.now(), after=rows[0].key)
    assert [row.number for row in after] == [in_subject, in_thread]
    assert queue.position(f, staffed.now(), rows[2].key) == 2


@pytest.mark.parametrize(
    ("word", "expected"),
    [("карта", "карт"), ("карту", "карт"), ("платёж", "платеж"), ("payments", "payment")],
)
def test_a_word_is_stemmed_by_its_script(word, expected):
    assert stem(word) == expected


def test_the_index_holds_one_stem_per_word_in_order():
    assert index_text("Карту, E-NUM и payments!") == "карт e num и payment"


def test_a_whole_wmid_or_a_word_that_punctuation_ends_is_not_a_prefix(staffed):
    named = new_ticket(staffed, subject="Вопрос", wmid="123123123123")
    longer = new_ticket(staffed, subject="Код 1231231231234 не подходит", wmid="999999999999")
    assert found(staffed, "123123123123") == {named}
    assert found(staffed, "1231231231") == {named, longer}
    hundred = new_ticket(staffed, subject="Комиссия 100% за перевод")
    new_ticket(staffed, subject="Комиссия 1000 за перевод")
    assert found(staffed, "100%") == {hundred}
    text = "Код 1231231231234, WMID 123123123123"
    spans = match_spans(text, parse("123123123123"))
    assert [text[start:end] for start, end in spans] == ["123123123123"]


def test_match_spans_mark_word_forms_phrases_and_text_as_written():
    text = "Карту заблокировали. Пришлите фото карты; 100% refund"
    spans = match_spans(text, parse('карта "фото карты" 100%'))
    assert [text[start:end] for start, end in spans] == ["Карту", "фото карты", "100%"]


def test_a_whole_desk_search_has_a_first_figure_while_it_is_counted(staffed):
    for n in range(30):
        new_ticket(staffed, subject=f"Карта {n}", body="Не проходит оплата")
        new_ticket(staffed, subject=f"Кошелёк {n}", body="Не открывается")
    queue = Queue(staffed.db, None)
    if staffed.db.is_postgres:
        with staffed.db.connect() as connection:
            connection.exec_driver_sql("ANALYZE ticketsearch")
            connection.commit()
    first = queue.counted_so_far(QueueFilter(search="карты"), rows_read=10)
    assert first.estimated and not first.itemised
    if staffed.db.is_postgres:
        # The planner's estimate from its statistics: near the 30 there are.
        assert 20 <= first.total <= 45
    else:
        assert first.total == 10
    # Two words, or text as written: no estimate, only the rows read so far.
    assert queue.counted_so_far(QueueFilter(search="карта оплата"), rows_read=10).total == 10


def _counted(desk, text):
    return Queue(desk.db, None).facets(QueueFilter(search=text), desk.now()).total


def test_a_count_follows_words_that_come_and_go(staffed):
    noted = new_ticket(staffed, subject="Кошелёк", body="Не открывается", wmid="555555555555")
    renamed = new_ticket(staffed, subject="Платёж", body="Не дошёл")
    assert _counted(staffed, "платёж") == 1
    ops.note(staffed, noted, "Платежи не проходят, и платёжка тоже", by="olga")
    # "платёж" is typed as a prefix: "платежи" and "платёжка" both start with its stem.
    assert _counted(staffed, "платёж") == 2
    assert _counted(staffed, "платёжк") == 1
    # A whole WMID matches only whole.
    new_ticket(staffed, subject="Вопрос", body="Мой WMID 5555555555551")
    assert _counted(staffed, "555555555555") == 1
    with staffed.db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE ticket SET subject = 'Вопрос' WHERE number = :number"),
            {"number": renamed},
        )
    assert _counted(staffed, "платёж") == 1
    assert _counted(staffed, "вопрос дошёл") == 1


def _numbered_unlike_documents(desk) -> list[int]:
    """PostgreSQL: the tickets whose words as numbers (migration 0010) are not
    exactly the words of their search document."""
    with desk.db.connect() as connection:
        return list(
            connection.exec_driver_sql(
                "SELECT d.ticket_id FROM ticketsearch d LEFT JOIN ticketwords n USING (ticket_id) "
                "WHERE (SELECT coalesce(array_agg(w.word ORDER BY w.word), '{}') FROM searchword w "
                "WHERE w.id = ANY (n.word_ids)) IS DISTINCT FROM (SELECT coalesce(array_agg("
                'lexeme COLLATE "C" ORDER BY lexeme COLLATE "C"), \'{}\') '
                "FROM unnest(tsvector_to_array(d.words)) AS lexeme)"
            ).scalars()
        )


def test_the_words_counted_are_the_documents_words_however_written(staffed):
    if not staffed.db.is_postgres:
        pytest.skip("SQLite counts from its search index itself")
    load_demo(staffed, tickets=150, seed=11)
    number = new_ticket(staffed, subject="Новое слово: кракозябра", body="Ещё одно: шмяк")
    ops.reply(staffed, number, "Ответ со словом фыва", by="olga")
    assert _numbered_unlike_documents(staffed) == []
    assert _counted(staffed, "кракозябра") == _counted(staffed, "фыва") == 1
    with staffed.db.connect() as connection:
        counted = connection.exec_driver_sql("SELECT count(*) FROM ticketwords").scalar_one()
        documents = connection.exec_driver_sql("SELECT count(*) FROM ticketsearch").scalar_one()
    assert counted == documents


def test_the_migration_numbers_the_words_of_the_documents_already_there(staffed):
    if not staffed.db.is_postgres:
        pytest.skip("SQLite counts from its search index itself")
    from alembic import command
    from alembic.config import Config

    load_demo(staffed, tickets=60, seed=12)
    counted = _counted(staffed, "платёж")
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).with_name("migrations")))
    with staffed.db.write_connection() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    staffed.db.upgrade()
    assert _numbered_unlike_documents(staffed) == []
    assert _counted(staffed, "платёж") == counted > 0


@pytest.mark.parametrize("asked", [False, True], ids=["read-once", "asked"])
@pytest.mark.parametrize("search", ["123123123123", "карта", "e-num"])
def test_relevance_read_tier_by_tier_pages_as_sorting_every_match_does(
    staffed, monkeypatch, search, asked
):
    for n in range(4):
        new_ticket(staffed, subject=f"Вопрос {n}", body="Моя карта 123123123123, E-NUM")
        new_ticket(staffed, subject=f"Карта {n}: 123123123123 и e-num", body="Помогите")
        new_ticket(staffed, subject="Вопрос", body="Карта и e-num", wmid="123123123123")
    new_ticket(staffed, subject="Кошелёк", body="Пароль")
    olga = ops.get_operator(staffed, "olga").id
    f = EVERYTHING.with_(search=search, order=SortOrder.relevance)
    now = staffed.now()
    monkeypatch.setattr("console.reads.queue.relevance_tiers", lambda *_args: None)
    sorted_whole = Queue(staffed.db, olga).page(f, now, limit=100)
    monkeypatch.undo()
    monkeypatch.setattr("console.reads.search.WALK_FROM", 0)
    monkeypatch.setattr("console.reads.search.ASKED_FROM_SHARE", 0 if asked else 2)
    queue = Queue(staffed.db, olga)
    assert queue.page(f, now, limit=100) == sorted_whole
    assert len({row.relevance for row in sorted_whole}) > 1
    # Two at a time by keyset, forwards and backwards, across the tiers.
    forwards, after = [], None
    for _ in range(len(sorted_whole)):
        forwards += queue.page(f, now, after=after, limit=2)
        after = forwards[-1].key
    backwards, before = [], None
    for _ in range(len(sorted_whole)):
        backwards = queue.page_before(f, now, before=before, limit=2) + backwards
        before = backwards[0].key
    assert forwards == backwards == sorted_whole
    assert queue.page_at(f, now, offset=5, limit=3) == sorted_whole[5:8]
    # Where each ticket sorts, and how many come before it: as a re-read asks.
    assert [queue.key_of(row.id, f) for row in sorted_whole] == [r.key for r in sorted_whole]
    assert [queue.position(f, now, row.key) for row in sorted_whole] == list(
        range(len(sorted_whole))
    )
    number = new_ticket(staffed, subject="Кошелёк", body="Пароль", wmid="999999999999")
    with staffed.db.connect() as connection:
        elsewhere = connection.execute(sa.select(Ticket.id).where(Ticket.number == number))
        assert queue.key_of(elsewhere.scalar_one(), f)[0] == -IN_THREAD


# Words, operators of FTS5 and tsquery, quotes and punctuation, in any mix.
_HOSTILE_SEARCH = st.lists(
    st.sampled_from(
        [
            "карта",
            "карт",
            "payment",
            "paym",
            "123123123123",
            "e-num",
            '"',
            "*",
            ":*",
            "&",
            "|",
            "!",
            "(",
            ")",
            "NOT",
            "OR",
            "NEAR",
            "{own}:",
            "'",
            "\\",
            "%",
            "_",
            "A",
            "<->",
            "ё",
        ]
    )
    | st.text(min_size=1, max_size=6),
    min_size=1,
    max_size=4,
).map(" ".join)


@given(text=_HOSTILE_SEARCH)
@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_search_reads_the_same_tickets_in_every_order_and_counts_them(hostile_desk, text):
    queue, now, ticket_ids = hostile_desk
    # What every way in refuses (the console's search line, --search) never gets here.
    try:
        validation.search(text)
    except InvalidInput:
        assume(False)
    f = EVERYTHING.with_(search=text)
    in_queue_order = queue.page(f, now, limit=100)
    by_relevance = queue.page(f.with_(order=SortOrder.relevance), now, limit=100)
    assert sorted(row.id for row in by_relevance) == sorted(row.id for row in in_queue_order)
    whole_desk = QueueFilter(search=text)
    assert queue.facets(whole_desk, now).total == len(queue.page(whole_desk, now, limit=100))
    assert queue.counted_so_far(whole_desk, rows_read=3).total >= 3
    for position, row in enumerate(by_relevance):
        relevance_order = f.with_(order=SortOrder.relevance)
        assert queue.key_of(row.id, relevance_order) == row.key
        assert queue.position(relevance_order, now, row.key) == position
    assert set(ticket_ids) >= {row.id for row in in_queue_order}


@pytest.fixture
def hostile_desk(staffed, monkeypatch):
    # Every search walks, and asks each ticket about a word, however few match.
    monkeypatch.setattr("console.reads.search.WALK_FROM", 0)
    monkeypatch.setattr("console.reads.search.ASKED_FROM_SHARE", 0)
    numbers = [
        new_ticket(staffed, subject="Карта 123123123123", body="payment e-num 100%"),
        new_ticket(staffed, subject="Payment", body='Карту "NOT" (OR) * {own}: ё'),
        new_ticket(staffed, subject="Вопрос", body="paymaster", wmid="123123123123"),
    ]
    queue = Queue(staffed.db, ops.get_operator(staffed, "olga").id)
    with staffed.db.connect() as connection:
        ids = connection.execute(sa.select(Ticket.id).where(Ticket.number.in_(numbers)))
        return queue, staffed.now(), ids.scalars().all()


def test_two_writers_numbering_the_same_new_words_both_count_them(staffed):
    if not staffed.db.is_postgres:
        pytest.skip("SQLite counts from its search index itself")
    first = new_ticket(staffed, subject="Вопрос", body="Раз")
    second = new_ticket(staffed, subject="Вопрос", body="Два")
    add_words = (
        "UPDATE ticketsearch SET words = words || to_tsvector('simple', 'щукозубр ябедник') "
        "WHERE ticket_id = (SELECT id FROM ticket WHERE number = %s)"
    )
    one, other = staffed.db.engine.raw_connection(), staffed.db.engine.raw_connection()
    try:
        one.cursor().execute(add_words, (first,))
        # The second writer meets the first's uncommitted new words, and waits for them.
        waiting = threading.Thread(target=lambda: other.cursor().execute(add_words, (second,)))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()
        one.commit()
        waiting.join(timeout=10)
        assert not waiting.is_alive()
        other.commit()
    finally:
        one.close()
        other.close()
    assert _numbered_unlike_documents(staffed) == []
    assert _counted(staffed, "щукозубр") == _counted(staffed, "ябедник") == 2
