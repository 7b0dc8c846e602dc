"""`wmconsole bench search` at a small size: its floors answer the question
wmconsole answers, and every figure prints. Timings are not asserted."""

import pytest

from console.bench.queue import ensure_demo
from console.bench.search import RawSearch, search_figures
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for


@pytest.fixture
def demo(desk):
    ensure_demo(desk, 400, seed=7, echo=lambda line: None)
    return desk


@pytest.mark.parametrize("word", ["карта", "платёж"])
def test_each_floor_finds_the_first_page_wmconsole_finds(demo, monkeypatch, word):
    # Walk, and ask ticket by ticket, as a million tickets would.
    monkeypatch.setattr("console.reads.search.WALK_FROM", 0)
    monkeypatch.setattr("console.reads.search.ASKED_FROM_SHARE", 0)
    f = QueueFilter(assignee=Assignee.anyone, search=word)
    page = Queue(demo.db, viewer_id_for(demo.db, "olga")).page(f, demo.now())
    raw = RawSearch(demo)
    try:
        floors = [[row[0] for row in form()] for form in raw.page(word)]
        counts = [form()[0][0] for form in raw.count(word)]
    finally:
        raw.close()
    assert page
    for floor in floors:
        assert floor == [row.id for row in page[: len(floor)]]
    assert set(counts) == {Queue(demo.db, None).facets(f, demo.now()).total}
    assert len(counts) == (2 if demo.db.is_postgres else 1)


def test_every_figure_prints_with_its_floor(demo):
    lines: list[str] = []
    search_figures(demo, lines.append, ("карта",))
    output = "\n".join(lines)
    for label in ("first page, 'карта'", "count (filter bar), 'карта'", "'100%'", "WMID"):
        assert label in output, output
    assert all(" ms " in line for line in lines[1:]), output
