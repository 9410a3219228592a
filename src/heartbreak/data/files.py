"""The file-system steps every atomic write shares (build, fetch, import): a temporary file
beside the target, whether the process that left one is still running, removing stale ones,
writing durably and making a rename durable."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_beside(target: Path, tag: str) -> Path:
    """This process's temporary file beside ``target``: ``<name>.<tag>-<pid>`` in its folder, so
    that the final ``os.replace`` stays within one file system."""
    return target.with_name(f"{target.name}.{tag}-{os.getpid()}")


def remove_stale(
    folder: Path, patterns: Iterable[re.Pattern[str]], *, own: bool = False
) -> list[Path]:
    """Delete the files in ``folder`` whose name matches one of ``patterns`` (group 1: the pid
    of the process that wrote it) and whose process no longer runs (or, with ``own``, is this
    one); returns them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    patterns = list(patterns)
    for path in folder.iterdir():
        for pattern in patterns:
            found = pattern.match(path.name)
            if found is None:
                continue
            pid = int(found.group(1))
            if (own and pid == os.getpid()) or not pid_alive(pid):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
            break
    return removed


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and flush it to the disk before returning."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
