"""How `wmconsole` opens: the first queue (or dashboard) is painted from the
quick path's reads (console.reads.quick) before SQLAlchemy and the models load;
the desk opens behind it and every screen reads afresh, so nothing committed
in between is missed."""

from console import operations
from console.reads.facet_counts import facets_from_cells
from console.reads.live_work import live_total, live_work
from console.reads.queue_filter import QueueFilter
from screens.dashboard.screen import DashboardScreen
from tests.support.ui import console_for, queue_lines, quick_console_for, screen_text, settle


async def test_the_first_queue_paints_before_the_desk_opens_and_reads_again_after(ui_demo):
    app = quick_console_for(ui_demo, "olga")
    assert app is not None and not app.desk.is_open
    opening_total = facets_from_cells(app.opening.cells, QueueFilter(), app.operator.id, None).total
    painted = [row.number for row in app.opening.first_page]
    # Taken by a colleague after the console read its opening: it leaves olga's view.
    gone = next(row.number for row in app.opening.first_page if row.assignee is None)
    operations.take(ui_demo, gone, by="ivan")

    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        shown = "\n".join(queue_lines(app))

        assert app.desk.is_open
        assert app.screen.queue_view.total == opening_total - 1
        assert str(gone) not in shown
        assert all(str(number) in shown for number in painted[:10] if number != gone)


async def test_the_dashboard_paints_the_tallys_open_work_then_the_whole_desk(ui_demo):
    assert quick_console_for(ui_demo, "olga", start_on_dashboard=True) is None
    app = quick_console_for(ui_demo, "sergey", start_on_dashboard=True)
    assert app is not None
    open_work, _, _ = live_work(app.opening.cells)

    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = app.screen

        assert isinstance(screen, DashboardScreen) and screen.stats is not None
        assert screen.stats.open_work == open_work
        assert f"{live_total(open_work):,} live tickets" in screen_text(app)


async def test_a_saved_filter_of_any_shape_never_breaks_the_start(ui_demo):
    """The preference rows are only JSON: whatever shape they have, the console
    opens (on the operator's opening view), by either path."""
    garbage = {"services": 5, "statuses": "new", "assignee": ["x"], "order": {}, "search": 7}
    operations.save_preference(ui_demo, "queue_filter", garbage, by="olga")
    operations.save_preference(ui_demo, "queue_columns", {"hidden": "age"}, by="olga")
    for app in (quick_console_for(ui_demo, "olga"), console_for(ui_demo, "olga")):
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            view = app.screen.queue_view

            assert view.filter == QueueFilter() and view.total > 0
            assert view.hidden == frozenset()
            assert "NUMBER" in queue_lines(app)[0] and "AGE" in queue_lines(app)[0]
