"""The migrations are the schema: they match the models, on both backends."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import console.database
from console.database import SCHEMA_HEAD, open_database

# Created by raw DDL in the migration, deliberately outside the models.
SEARCH_OBJECTS = {
    "ticket_search",
    "ticketsearch",
    "ix_message_body_trgm",
    "ix_ticket_own_trgm",
    "ix_ticketsearch_words",
    "ticketwords",
    "searchword",
    "ix_ticketwords_word_ids",
}


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option(
        "script_location", str(Path(console.database.__file__).with_name("migrations"))
    )
    return ScriptDirectory.from_config(config)


def test_the_code_knows_the_newest_revision():
    assert _script().get_heads() == [SCHEMA_HEAD]


def _not_search(diff) -> bool:
    names = {getattr(part, "name", None) for part in diff if hasattr(part, "name")}
    return not (names & SEARCH_OBJECTS) and not any(
        str(getattr(part, "name", "")).startswith(tuple(SEARCH_OBJECTS)) for part in diff
    )


def test_migrated_schema_matches_the_models(db_url):
    database = open_database(db_url)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [
            diff
            for diff in compare_metadata(context, SQLModel.metadata)
            if _not_search(diff if isinstance(diff, tuple) else diff[0])
        ]
    database.dispose()
    assert differences == []


def test_a_fresh_database_is_brought_to_head_on_first_use(tmp_path):
    database = open_database(str(tmp_path / "fresh.db"))
    assert database.schema_revision() == SCHEMA_HEAD
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    database.dispose()


def test_migrations_go_down_to_nothing_and_up_again(db_url):
    from alembic import command

    database = open_database(db_url)
    config = Config()
    config.set_main_option(
        "script_location", str(Path(console.database.__file__).with_name("migrations"))
    )
    with database.write_connection() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with database.engine.connect() as connection:
        assert "ticket" not in sa.inspect(connection).get_table_names()
    database.upgrade()
    assert database.schema_revision() == SCHEMA_HEAD
    database.dispose()


@pytest.mark.parametrize("url", ["mysql://host/db", "sqlite:///:memory:"])
def test_unsupported_databases_are_refused_with_what_works(url):
    with pytest.raises(console.database.DatabaseError, match=r"sqlite|PATH|file"):
        console.database.Database(url)


def test_a_database_from_a_newer_wmconsole_is_refused(sqlite_url):
    database = open_database(sqlite_url)
    with database.write_connection() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(console.database.DatabaseError, match=r"revision 9999.*expects"):
        open_database(sqlite_url)
    database.dispose()


def test_every_table_has_its_grants():
    """A new table needs a line in console/rules/privileges.py: without one no
    role may use it on PostgreSQL (and check-privileges reports it as drift)."""
    from console.rules.privileges import GRANTS, SEARCH_TABLES

    assert set(GRANTS) == {*SQLModel.metadata.tables, "alembic_version", *SEARCH_TABLES}
