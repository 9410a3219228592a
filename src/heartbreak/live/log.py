"""The durable log of live matches: the only SQL of live mode.

One DuckDB file (``<store>.live.duckdb`` by default) holds every live match's definition and
an append-only log of the messages received, each once (by its content hash) with the sequence
number of its arrival and the server's time of it (seconds since the epoch; null in a log written
before that time was kept). Every write is one transaction; reopening the file resumes
everything.
Deleting a live match removes its definition and its messages, in one transaction.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import duckdb

from heartbreak.errors import StoreError

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS live_matches (
        live_id VARCHAR PRIMARY KEY,
        seq BIGINT NOT NULL,
        definition VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS live_messages (
        live_id VARCHAR NOT NULL,
        message_id VARCHAR NOT NULL,
        seq BIGINT NOT NULL,
        body VARCHAR NOT NULL,
        PRIMARY KEY (live_id, message_id)
    )""",
    # logs written before arrival times were kept gain the column (null for their messages)
    "ALTER TABLE live_messages ADD COLUMN IF NOT EXISTS received_at DOUBLE",
)


def log_path_for(db: str | Path) -> Path:
    """The live log beside a store: ``heartbreak.duckdb`` → ``heartbreak.duckdb.live.duckdb``."""
    path = Path(db)
    return path.with_name(path.name + ".live.duckdb")


class LogHeld(StoreError):
    """The live log is open for writing in another process (DuckDB lets one process write)."""


class LiveLog:
    """Live matches and their messages in one DuckDB file; safe to share between threads.

    One process at a time may hold it: DuckDB locks the file while it is open for writing, so a
    second process gets :class:`LogHeld` until the first closes it or dies (the lock is the
    operating system's, released with the process)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise LogHeld(f"{self.path}: the live log is held by another process") from None
            raise StoreError(f"{self.path}: cannot open the live log ({exc})") from None
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the live log ({exc})") from None
        self._lock = threading.Lock()
        with self._lock:
            for statement in _SCHEMA:
                self._con.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def _next_seq(self, table: str) -> int:
        row = self._con.execute(f"SELECT coalesce(max(seq), 0) + 1 FROM {table}").fetchone()
        return int(row[0]) if row else 1

    def create_match(self, live_id: str, definition: dict[str, Any]) -> None:
        body = json.dumps(definition, sort_keys=True)
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                seq = self._next_seq("live_matches")
                self._con.execute("INSERT INTO live_matches VALUES (?, ?, ?)", [live_id, seq, body])
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise

    def match(self, live_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._con.execute(
                "SELECT definition FROM live_matches WHERE live_id = ?", [live_id]
            ).fetchone()
        return json.loads(row[0]) if row else None

    def matches(self) -> list[tuple[str, dict[str, Any]]]:
        """Every live match (id, definition), oldest first."""
        with self._lock:
            rows = self._con.execute(
                "SELECT live_id, definition FROM live_matches ORDER BY seq"
            ).fetchall()
        return [(live_id, json.loads(body)) for live_id, body in rows]

    def append(
        self,
        live_id: str,
        message_id: str,
        message: dict[str, Any],
        received_at: float | None = None,
    ) -> bool:
        """Log a message once, with the time it arrived (seconds since the epoch): True when it
        is new, False when that content was logged (its first arrival stands)."""
        body = json.dumps(message, sort_keys=True)
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                seen = self._con.execute(
                    "SELECT 1 FROM live_messages WHERE live_id = ? AND message_id = ?",
                    [live_id, message_id],
                ).fetchone()
                if seen is None:
                    seq = self._next_seq("live_messages")
                    self._con.execute(
                        "INSERT INTO live_messages (live_id, message_id, seq, body, received_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [live_id, message_id, seq, body, received_at],
                    )
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return seen is None

    def append_many(
        self, live_id: str, messages: list[tuple[str, dict[str, Any], float | None]]
    ) -> int:
        """Log messages (message id, message, arrival time) in one transaction, each once: all
        of them or, on failure, none. How many were new."""
        added = 0
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                for message_id, message, received_at in messages:
                    seen = self._con.execute(
                        "SELECT 1 FROM live_messages WHERE live_id = ? AND message_id = ?",
                        [live_id, message_id],
                    ).fetchone()
                    if seen is not None:
                        continue
                    seq = self._next_seq("live_messages")
                    body = json.dumps(message, sort_keys=True)
                    self._con.execute(
                        "INSERT INTO live_messages (live_id, message_id, seq, body, received_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [live_id, message_id, seq, body, received_at],
                    )
                    added += 1
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return added

    def messages(self, live_id: str) -> list[dict[str, Any]]:
        """The messages of a live match in arrival order."""
        return [message for _, message in self.keyed_messages(live_id)]

    def keyed_messages(self, live_id: str) -> list[tuple[str, dict[str, Any]]]:
        """The messages of a live match in arrival order, each with its message id."""
        with self._lock:
            rows = self._con.execute(
                "SELECT message_id, body FROM live_messages WHERE live_id = ? ORDER BY seq",
                [live_id],
            ).fetchall()
        return [(message_id, json.loads(body)) for message_id, body in rows]

    def received(self, live_id: str) -> dict[str, float | None]:
        """When each message of a live match arrived (message id → seconds since the epoch)."""
        with self._lock:
            rows = self._con.execute(
                "SELECT message_id, received_at FROM live_messages WHERE live_id = ?", [live_id]
            ).fetchall()
        return {message_id: at for message_id, at in rows}

    def delete_match(self, live_id: str) -> bool:
        """Remove a live match and its messages: True when it existed."""
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                found = self._con.execute(
                    "SELECT 1 FROM live_matches WHERE live_id = ?", [live_id]
                ).fetchone()
                self._con.execute("DELETE FROM live_messages WHERE live_id = ?", [live_id])
                self._con.execute("DELETE FROM live_matches WHERE live_id = ?", [live_id])
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return found is not None
