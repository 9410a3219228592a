"""Get the upstream files into a data folder, verified against their pinned SHA-256.

Files are downloaded (streamed, with httpx) or copied from a local folder into a staging folder
beside the destination, ``.<dest name>.fetch-<pid>``, each verified as it arrives; only when
every file has verified are they renamed into the destination (the whole staging folder at once
when the destination does not exist yet). So a failure (a bad checksum in the fifth file, a lost
connection) leaves the destination as it was, and a data folder never holds a partial or wrong
file under a real name. A fetch killed while renaming is finished by the next one (the staging
folder is marked complete before the first rename); an incomplete staging folder is removed.
Nothing here prints: progress goes through an optional callback
``progress(description, advance, total)``.

``HEARTBREAK_SOURCE_URL`` (or the ``base_url`` argument) replaces both upstream bases with one
mirror laid out like a data folder (``<base>/international/results.csv``); tests point it at a
local port.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from heartbreak.data.files import fsync_dir, pid_alive
from heartbreak.data.integrity import crash_point
from heartbreak.data.sources import DATA_HINT, NEEDED_SOURCES, SOURCES, Source
from heartbreak.errors import ChecksumMismatch, DataUnavailable

if TYPE_CHECKING:
    import httpx

SOURCE_URL_ENV = "HEARTBREAK_SOURCE_URL"
_CHUNK = 1 << 16


class ProgressCallback(Protocol):
    """Progress reporting without printing.

    ``description`` says what is happening now; ``advance`` is how many units of work have just
    been completed; ``total`` is the total number of units when known (repeating it is harmless).
    """

    def __call__(self, description: str, advance: int = 0, total: int | None = None) -> None: ...


def _noop(description: str, advance: int = 0, total: int | None = None) -> None:
    return None


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _temp_name(target: Path) -> Path:
    return target.with_name(f"{target.name}.part-{os.getpid()}")


def _verify_and_place(tmp: Path, target: Path, source: Source, digest: str, origin: str) -> None:
    if digest != source.sha256:
        tmp.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{source.path}: SHA-256 {digest} from {origin} is not the pinned "
            f"{source.sha256}; the file is corrupt or from another version"
        )
    os.replace(tmp, target)


def _copy_one(source: Source, from_dir: Path, dest: Path) -> None:
    origin = from_dir / source.path
    if not origin.is_file():
        raise DataUnavailable(f"{source.path} is missing from {from_dir}; {DATA_HINT}")
    target = dest / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target)
    digest = hashlib.sha256()
    try:
        with open(origin, "rb") as src, open(tmp, "wb") as out:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        _verify_and_place(tmp, target, source, digest.hexdigest(), str(origin))
    finally:
        tmp.unlink(missing_ok=True)


def _download_one(client: httpx.Client, source: Source, url: str, dest: Path) -> None:
    import httpx

    target = dest / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target)
    digest = hashlib.sha256()
    try:
        try:
            with client.stream("GET", url) as response:
                response.raise_for_status()
                with open(tmp, "wb") as out:
                    for chunk in response.iter_bytes(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise DataUnavailable(
                f"could not download {source.path} from {url} ({reason}); {DATA_HINT}"
            ) from exc
        _verify_and_place(tmp, target, source, digest.hexdigest(), url)
    finally:
        tmp.unlink(missing_ok=True)


def source_url(source: Source, base_url: str | None = None) -> str:
    """The URL to download ``source`` from: the pinned upstream URL, or a mirror's."""
    base = base_url if base_url is not None else os.environ.get(SOURCE_URL_ENV)
    if base:
        return f"{base.rstrip('/')}/{source.path}"
    return source.url


_READY = ".verified"


def _staging_dir(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.fetch-{os.getpid()}"


def _move_into(staged: Path, target: Path) -> None:
    """Rename a verified file onto its real name (copying first across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        tmp = _temp_name(target)
        try:
            shutil.copyfile(staged, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


def _commit(staging: Path, dest: Path, paths: Iterable[str]) -> None:
    """Move the verified files of ``staging`` into ``dest``."""
    (staging / _READY).touch()
    fsync_dir(staging)
    crash_point("fetch:verified")
    if not dest.exists():
        (staging / _READY).unlink()
        os.rename(staging, dest)
        fsync_dir(dest.parent)
        return
    for path in paths:
        _move_into(staging / path, dest / path)
        crash_point("fetch:moving")
    for folder in {(dest / path).parent for path in paths}:
        fsync_dir(folder)


def finish_interrupted_fetches(dest: Path) -> None:
    """Staging folders of fetches that are no longer running: one whose files had all verified
    is moved into ``dest`` (the fetch was killed while renaming), any other is removed."""
    pattern = re.compile(re.escape(f".{dest.name}.fetch-") + r"(\d+)$")
    if not dest.parent.is_dir():
        return
    for staging in dest.parent.iterdir():
        found = pattern.match(staging.name)
        if not found or not staging.is_dir() or pid_alive(int(found.group(1))):
            continue
        if (staging / _READY).exists():
            files = sorted(
                p.relative_to(staging).as_posix()
                for p in staging.rglob("*")
                if p.is_file() and p.name != _READY and ".part-" not in p.name
            )
            _commit(staging, dest, files)
        shutil.rmtree(staging, ignore_errors=True)


def fetch_sources(
    dest: Path,
    from_dir: Path | None = None,
    progress: ProgressCallback | Callable[..., None] | None = None,
    *,
    base_url: str | None = None,
    sources: Iterable[Source] = SOURCES,
    timeout: float = 30.0,
) -> list[Path]:
    """Download (or copy from ``from_dir``) every source file into ``dest``; return the paths.

    A file already in ``dest`` with the pinned checksum is kept as it is. The others are fetched
    into a staging folder beside ``dest`` and verified; they are renamed into ``dest`` only
    when all of them have verified (see the module docstring), so a failure changes nothing.

    Raises :class:`~heartbreak.errors.ChecksumMismatch` naming the file whose bytes differ, and
    :class:`~heartbreak.errors.DataUnavailable` when a file can be neither downloaded nor found.
    """
    report = progress or _noop
    dest = Path(dest)
    finish_interrupted_fetches(dest)
    todo = list(sources)
    report("checking sources", 0, len(todo))
    missing: list[Source] = []
    for source in todo:
        target = dest / source.path
        if target.is_file() and sha256_file(target) == source.sha256:
            report(f"{source.path} (already here)", 1, len(todo))
        else:
            missing.append(source)
    if not missing:
        return [dest / s.path for s in todo]
    staging = _staging_dir(dest)
    shutil.rmtree(staging, ignore_errors=True)
    client: httpx.Client | None = None
    try:
        staging.mkdir(parents=True)
        for source in missing:
            if from_dir is not None:
                report(f"copying {source.path}", 0, len(todo))
                _copy_one(source, Path(from_dir), staging)
            else:
                if client is None:
                    import httpx  # only a download needs it: it is slow to import

                    client = httpx.Client(timeout=timeout, follow_redirects=True)
                report(f"downloading {source.path}", 0, len(todo))
                _download_one(client, source, source_url(source, base_url), staging)
            crash_point("fetch:file-staged")
            report(source.path, 1, len(todo))
        _commit(staging, dest, [s.path for s in missing])
    except OSError as exc:
        raise DataUnavailable(
            f"cannot write the sources to {dest} ({exc.strerror or exc}); "
            "choose a folder you can write to with --dest"
        ) from None
    finally:
        if client is not None:
            client.close()
        shutil.rmtree(staging, ignore_errors=True)
    return [dest / s.path for s in todo]


def locate_sources(data_dir: Path | str, sources: Iterable[Source] = NEEDED_SOURCES) -> Path:
    """Check that ``data_dir`` holds every file the build reads; return it as a Path.

    Raises :class:`~heartbreak.errors.DataUnavailable` naming the missing files, with the hint.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataUnavailable(f"no data folder at {folder}; {DATA_HINT}")
    missing = [s.path for s in sources if not (folder / s.path).is_file()]
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise DataUnavailable(f"{folder} lacks {shown}; {DATA_HINT}")
    return folder
