"""Nothing lost, nothing half-done: the sources' checksums and the store's user matches.

Sources
-------
:func:`verify_sources` hashes every file a build reads and compares it with the SHA-256 pinned in
:mod:`heartbreak.data.sources`, wherever the folder came from (``HEARTBREAK_DATA_DIR``,
``--data-dir``, the user data folder). A file that differs stops the build with
:class:`~heartbreak.errors.ChecksumMismatch` naming it, unless the build was asked to go ahead
(``heartbreak data build --allow-modified``) or the file is byte for byte one that the store
being rebuilt already accepted that way (an import, or a rebuild after a schema change, keeps
the sources of the store it replaces). What a build accepted is kept in the store's ``meta``
(``modified:<file>`` = its actual SHA-256) and shown by ``heartbreak data info`` and
``/api/health``.

User matches
------------
The store records the SHA-256 of the user-matches list it was built from
(``user_matches_sha256``: the digest of :func:`dump_user_matches` of the list). An import
(:func:`heartbreak.exchange.import_matches`) writes the new list to ``<file>.tmp-<pid>``, builds
the new store into ``<db>.import-<pid>`` and renames the store into place first: that rename is
the commit. It then renames the list. A process killed between the two renames leaves a store
whose recorded digest is that of the ``.tmp-<pid>`` list: :func:`reconcile_user_matches` (run
before a store is opened, a build and an import) finishes the import by renaming that list into
place. Without such a list, a store that disagrees with its file (edited by hand, or left by an
older version's interrupted import) is rebuilt from the sources and the file by
:func:`heartbreak.build.ensure_store`.

Faults
------
``HEARTBREAK_CRASH_AT=<step>`` makes the process kill itself (SIGKILL) at the named step of an
import or a fetch (:func:`crash_point`), so tests can interrupt every step for real.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from heartbreak.data.files import fsync_dir, pid_alive
from heartbreak.data.sources import NEEDED_SOURCES, Source
from heartbreak.data.userfile import UserMatch
from heartbreak.data.usermatches import read_user_matches, user_matches_path
from heartbreak.errors import ChecksumMismatch, DataUnavailable, InvalidInput

CRASH_ENV = "HEARTBREAK_CRASH_AT"
_CHUNK = 1 << 20

#: The hint of a checksum error met by a build.
ALLOW_HINT = "`heartbreak data build --allow-modified` builds from it anyway"


def crash_point(step: str) -> None:
    """Kill this process with SIGKILL when ``HEARTBREAK_CRASH_AT`` names ``step`` (for tests that
    interrupt a multi-step write at every step)."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def sha256_path(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- sources


def verify_sources(
    folder: Path | str,
    sources: Iterable[Source] = NEEDED_SOURCES,
    *,
    allow_modified: bool = False,
    accepted: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Check every file of ``sources`` in ``folder`` against its pinned SHA-256.

    Returns ``{path: actual SHA-256}`` of the files that differ and were let through: all of them
    with ``allow_modified``, else those whose bytes are the ones ``accepted`` names (a previous
    ``--allow-modified`` build's). Any other difference raises
    :class:`~heartbreak.errors.ChecksumMismatch` naming the first such file (and counting the
    others); a missing file raises :class:`~heartbreak.errors.DataUnavailable`.
    """
    root = Path(folder)
    accepted = dict(accepted or {})
    modified: dict[str, str] = {}
    refused: list[tuple[Source, str]] = []
    for source in sources:
        path = root / source.path
        try:
            actual = sha256_path(path)
        except FileNotFoundError:
            from heartbreak.data.sources import DATA_HINT

            raise DataUnavailable(f"{source.path} is missing from {root}; {DATA_HINT}") from None
        except OSError as exc:
            raise DataUnavailable(
                f"cannot read {path} ({exc.strerror or exc}); check the data folder"
            ) from None
        if actual == source.sha256:
            continue
        if allow_modified or accepted.get(source.path) == actual:
            modified[source.path] = actual
        else:
            refused.append((source, actual))
    if refused:
        source, actual = refused[0]
        more = len(refused) - 1
        others = f" (and {more} more file{'s' if more > 1 else ''} differ)" if more else ""
        raise ChecksumMismatch(
            f"{source.path} in {root}: SHA-256 {actual} is not the pinned {source.sha256}; "
            f"the file is corrupt or from another version{others}; {ALLOW_HINT}"
        )
    return modified


def recorded_meta(db_path: Path | str) -> dict[str, str]:
    """The ``meta`` table of an existing store as it is (none when there is no readable store at
    ``db_path``; no schema check, so a store of an older schema answers too)."""
    import duckdb

    path = Path(db_path)
    if not path.is_file():
        return {}
    con = duckdb.connect(":memory:")
    try:
        # Attached, not opened by path: see heartbreak.data.store.Store.
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS store (READ_ONLY)")
        return dict(con.execute("SELECT key, value FROM store.meta").fetchall())
    except duckdb.Error:
        return {}
    finally:
        con.close()


def modifications_in(meta: Mapping[str, str]) -> dict[str, str]:
    """The modified sources (``{path: SHA-256}``) recorded in a store's raw ``meta``."""
    return {k.removeprefix("modified:"): v for k, v in meta.items() if k.startswith("modified:")}


# --------------------------------------------------------------------------- user matches


def dump_user_matches(users: Iterable[UserMatch]) -> bytes:
    """The bytes of a user-matches file holding ``users`` (the form an import writes)."""
    data = [u.model_dump(mode="json") for u in users]
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def user_matches_digest(users: Iterable[UserMatch]) -> str:
    """The SHA-256 a store records of the user matches it was built from."""
    return hashlib.sha256(dump_user_matches(users)).hexdigest()


def user_file_digest(user_file: Path) -> str | None:
    """The digest of what a user-matches file holds (as :func:`user_matches_digest`; an absent
    file holds no match), or None when it cannot be read as a list of matches."""
    try:
        return user_matches_digest(read_user_matches(user_file))
    except InvalidInput:
        return None


def in_step(recorded: str | None, recorded_count: int | None, user_file: Path) -> bool | None:
    """Whether a store that recorded ``recorded`` (its ``user_matches_sha256``; None for a store
    of an older version, which recorded only ``recorded_count``) agrees with ``user_file``.
    None when the file cannot be read (a build will report it)."""
    if recorded is not None:
        try:
            if hashlib.sha256(user_file.read_bytes()).hexdigest() == recorded:
                return True
        except FileNotFoundError:
            pass
        except OSError:
            return None
        current = user_file_digest(user_file)
        return None if current is None else current == recorded
    try:
        users = read_user_matches(user_file)
    except InvalidInput:
        return None
    return len(users) == (recorded_count or 0)


@contextlib.contextmanager
def user_file_lock(user_file: Path, blocking: bool = True) -> Iterator[bool]:
    """Hold the lock that serialises imports of one store (``<user file>.lock``, a POSIX
    advisory lock; elsewhere none). Yields False, without waiting, when ``blocking`` is False
    and another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield True
        return
    with open(user_file.with_name(user_file.name + ".lock"), "a") as handle:
        flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle.fileno(), flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def pending_user_files(user_file: Path) -> list[Path]:
    """The ``<user file>.tmp-<pid>`` lists left by imports that are no longer running."""
    pattern = re.compile(re.escape(user_file.name) + r"\.tmp-(\d+)$")
    if not user_file.parent.is_dir():
        return []
    found = []
    for path in user_file.parent.iterdir():
        match = pattern.match(path.name)
        if match and not pid_alive(int(match.group(1))):
            found.append(path)
    return sorted(found)


def finish_interrupted_import(db_path: Path | str, recorded: str | None) -> bool:
    """With the import lock held: when the store records the digest ``recorded`` of a list that
    an interrupted import left as ``<user file>.tmp-<pid>``, rename that list into place (the
    store had been committed). Returns True when it did."""
    user_file = user_matches_path(db_path)
    if recorded is None:
        return False
    for candidate in pending_user_files(user_file):
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == recorded:
            os.replace(candidate, user_file)
            fsync_dir(user_file.parent)
            return True
    return False


def reconcile_user_matches(db_path: Path | str, recorded: str | None) -> bool:
    """Finish an import killed between its two renames (see the module docstring), taking the
    import lock without waiting (a running import finishes its own work). Returns True when the
    user-matches file was put in step with the store."""
    user_file = user_matches_path(db_path)
    if recorded is None or not pending_user_files(user_file):
        return False
    with user_file_lock(user_file, blocking=False) as held:
        if not held:
            return False
        return finish_interrupted_import(db_path, recorded)
