"""The floor of `wmconsole bench startup`: a bare Textual app that reads the
console's first queue page with sqlite3 and paints it in a DataTable. Run by
path (`python bare_queue.py DB SQL PARAMS`), so it imports Textual, sqlite3 and
json and nothing of ours: the console's start is measured against this."""

import json
import sqlite3
import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class BareQueue(App[None]):
    def __init__(self, path: str, sql: str, parameters: dict) -> None:
        super().__init__()
        self._read = (path, sql, parameters)

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        path, sql, parameters = self._read
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        cursor = connection.execute(sql, parameters)
        table = self.query_one(DataTable)
        table.add_columns(*(column[0] for column in cursor.description))
        table.add_rows(cursor.fetchall())
        connection.close()


if __name__ == "__main__":
    BareQueue(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])).run()
