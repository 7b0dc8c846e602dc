"""A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster in a
temporary directory, on a free loopback port, run as the postgres user when we
are root (the server refuses to run as root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"PostgreSQL's {name} is not installed (the server binaries are needed)")


class ThrowawayPostgres:
    """With `root`, the cluster is kept there: made on the first start, started
    again on the next (a benchmark's big database loads once), stopped cleanly.
    `settings` are server settings for this run (-c name=value)."""

    def __init__(
        self,
        *,
        durable: bool = False,
        root: Path | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.kept = root is not None
        self.root = root or Path(tempfile.mkdtemp(prefix="wmconsole-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.log = self.root / "server.log"
        # Tests trade durability for speed; a benchmark keeps PostgreSQL's defaults.
        self.durable = durable
        self.settings = settings or {}
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as_postgres, *command], check=True, capture_output=True, text=True)

    def start(self) -> ThrowawayPostgres:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            shutil.chown(self.root, user="postgres")
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        return self.start_again()

    def start_again(self) -> ThrowawayPostgres:
        """Start the server on its data (after `halt`, or kept from an earlier run),
        on the same port."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(
            _binary("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.log),
            "-w",
            "start",
        )
        return self

    def halt(self) -> None:
        """Stop the server as a crash or a power cut would, keeping its data:
        the outage tests' database going away under an open console."""
        self._run(_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _initdb(self) -> None:
        self._run(
            _binary("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def stop(self) -> None:
        if self.kept:
            self._run(_binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
            return
        try:
            self._run(_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(
        self, name: str, template: str | None = None, owner: str = "postgres"
    ) -> str:
        """A new database (cloned from `template`), owned by `owner`; its URL as the owner."""
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        suffix = f" TEMPLATE {template}" if template else ""
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{suffix} OWNER "{owner}"')
        engine.dispose()
        return self.url(name, owner)

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
