"""Where Heartbreak keeps its data and its store.

Resolution order for the source folder: an explicit argument, then ``HEARTBREAK_DATA_DIR``,
then ``<user data dir>/sources`` (filled by ``heartbreak data fetch``). For the DuckDB store:
an explicit ``--db``, then ``HEARTBREAK_DB``, then ``<user data dir>/heartbreak.duckdb``.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "heartbreak"


def user_dir() -> Path:
    """The per-user folder for fetched sources and the store."""
    return Path(os.environ.get("HEARTBREAK_HOME") or user_data_dir(APP_NAME, appauthor=False))


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds (or will hold) ``international/`` and ``worldcup/``."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("HEARTBREAK_DATA_DIR")
    if env:
        return Path(env)
    return user_dir() / "sources"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The DuckDB store file."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("HEARTBREAK_DB")
    if env:
        return Path(env)
    return user_dir() / "heartbreak.duckdb"


def check_store_target(db: str | os.PathLike[str]) -> Path:
    """Before any work that writes the store at ``db`` (a build, an import): the path is not a
    folder, and its folder (made when missing) takes a new file. A one-line
    :class:`~heartbreak.errors.StoreError` otherwise, at once rather than after the build."""
    import tempfile

    from heartbreak.errors import StoreError

    path = Path(db)
    if path.is_dir():
        raise StoreError(
            f"--db: {path} is a folder; give the store's file, e.g. {path / 'heartbreak.duckdb'}"
        )
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=f".{path.name}.probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise StoreError(
            f"--db: cannot write the store in {folder} ({exc.strerror or exc}); "
            "choose a folder that can be written"
        ) from None
    return path
