"""The bearer tokens of live mode's writers: only their SHA-256 is kept.

A token is ``hb_`` and 43 URL-safe characters (:func:`secrets.token_urlsafe` of 32 bytes); it is
shown once, when it is made (``heartbreak live token create``), and never stored: the store keeps
its SHA-256, an id (8 hex digits, what ``list`` and ``revoke`` name), a label, its scope (one live
match's id, or every live match), when it was made, when it was last used and when it was
revoked. A revoked token stays in the store (so a server that ever had a token never goes back
to accepting writes without one) but authorises nothing.

The store is one SQLite file beside the live log (``<store>.live-tokens.sqlite``), so that the
command line can add and revoke tokens while a server is running (the DuckDB live log is held by
that server): a server reads it on every write, so a token works, or stops working, at once. The
file is created readable by its owner only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from heartbreak.errors import HeartbreakError, InvalidInput

#: What every token starts with (so that it is recognisable, e.g. by secret scanners).
PREFIX = "hb_"
#: A live match id as the server makes them (and as a token's scope may name one).
LIVE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Longest label kept.
MAX_LABEL = 200
#: A token's last use is written at most this often (seconds).
LAST_USED_EVERY = 30.0

_SCHEMA = """CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    live_id TEXT,
    created REAL NOT NULL,
    last_used REAL,
    revoked REAL
)"""


class NoSuchToken(HeartbreakError):
    """No token has that id."""

    http_status = 404


def tokens_path_for(live_log: str | Path) -> Path:
    """The token store beside a live log: ``x.live.duckdb`` → ``x.live-tokens.sqlite``."""
    path = Path(live_log)
    stem = path.name.removesuffix(".duckdb")
    return path.with_name(stem + "-tokens.sqlite")


def token_hash(token: str) -> str:
    """The SHA-256 of a token, in hex: all that is stored of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known of a token (never the token itself)."""

    id: str
    label: str
    live_id: str | None  # None: every live match
    created: float
    last_used: float | None
    revoked: float | None

    @property
    def scope(self) -> str:
        return "all live matches" if self.live_id is None else f"live match {self.live_id}"

    def allows(self, live_id: str | None) -> bool:
        """Whether it may write to that live match (``None``: create a live match)."""
        return self.live_id is None or (live_id is not None and live_id == self.live_id)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "scope": self.scope,
            "live_id": self.live_id,
            "created": _iso(self.created),
            "last_used": _iso(self.last_used),
            "revoked": _iso(self.revoked),
        }


def _iso(at: float | None) -> str | None:
    if at is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


class TokenStore:
    """The tokens of one live log, in a SQLite file (read on every call; safe between threads
    and between processes)."""

    def __init__(self, path: str | Path, now=time.time) -> None:
        self.path = Path(path)
        self.now = now
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection | None]:
        if not self.path.exists():
            if not create:
                yield None
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # readable and writable by the owner only, before anything is written to it
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            con = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise HeartbreakError(f"{self.path}: cannot open the token store ({exc})") from None
        try:
            con.execute(_SCHEMA)
            yield con
        except sqlite3.Error as exc:
            raise HeartbreakError(f"{self.path}: the token store failed ({exc})") from None
        finally:
            con.close()

    # --- the command line's side ---
    def create(self, label: str = "", live_id: str | None = None) -> tuple[str, TokenInfo]:
        """A new token (shown to the caller once) and what is stored of it."""
        label = " ".join(str(label).split())
        if len(label) > MAX_LABEL:
            raise InvalidInput(f"--label: at most {MAX_LABEL} characters")
        if live_id is not None and not LIVE_ID.match(live_id):
            raise InvalidInput(f"--match: {live_id!r} is not a live match id")
        token = PREFIX + secrets.token_urlsafe(32)
        info = TokenInfo(secrets.token_hex(4), label, live_id, self.now(), None, None)
        with self._connect(create=True) as con:
            assert con is not None
            con.execute(
                "INSERT INTO tokens (id, hash, label, live_id, created) VALUES (?, ?, ?, ?, ?)",
                [info.id, token_hash(token), info.label, info.live_id, info.created],
            )
        return token, info

    def list(self, include_revoked: bool = False) -> list[TokenInfo]:
        """The tokens, oldest first (the revoked ones too when asked)."""
        with self._connect() as con:
            if con is None:
                return []
            rows = con.execute(
                "SELECT id, label, live_id, created, last_used, revoked FROM tokens"
                " ORDER BY created, id"
            ).fetchall()
        out = [TokenInfo(*row) for row in rows]
        return out if include_revoked else [t for t in out if t.revoked is None]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by its id; it authorises nothing from now on."""
        with self._connect() as con:
            row = None
            if con is not None:
                con.execute(
                    "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                    [self.now(), token_id],
                )
                row = con.execute(
                    "SELECT id, label, live_id, created, last_used, revoked FROM tokens"
                    " WHERE id = ?",
                    [token_id],
                ).fetchone()
        if row is None:
            raise NoSuchToken(f"ID: no token {token_id!r} (heartbreak live token list)")
        return TokenInfo(*row)

    # --- the server's side ---
    def any(self) -> bool:
        """Whether a token was ever made (revoked ones count)."""
        with self._connect() as con:
            if con is None:
                return False
            return con.execute("SELECT 1 FROM tokens LIMIT 1").fetchone() is not None

    def check(self, token: str) -> TokenInfo | None:
        """The token's info when it is a valid (known, unrevoked) token, else None; its last
        use is recorded (at most every :data:`LAST_USED_EVERY` seconds)."""
        digest = token_hash(token)
        with self._connect() as con:
            if con is None:
                return None
            row = con.execute(
                "SELECT id, label, live_id, created, last_used, revoked, hash FROM tokens"
                " WHERE hash = ?",
                [digest],
            ).fetchone()
            if row is None or not hmac.compare_digest(row[6], digest) or row[5] is not None:
                return None
            info = TokenInfo(*row[:6])
            now = self.now()
            with self._lock:
                due = now - self._used.get(info.id, float("-inf")) >= LAST_USED_EVERY
                if due:
                    self._used[info.id] = now
            if due:
                with contextlib.suppress(sqlite3.Error):  # a busy file: next time
                    con.execute("UPDATE tokens SET last_used = ? WHERE id = ?", [now, info.id])
        return info
