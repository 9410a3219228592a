"""``data fetch`` changes the destination only once every file has verified: a bad checksum in the
fifth file, or a process killed while fetching, leaves the destination as it was; a fetch killed
while moving the verified files in is finished by the next one."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from heartbreak.data.fetch import fetch_sources
from heartbreak.data.sources import Source
from heartbreak.errors import ChecksumMismatch

OFFLINE = "http://127.0.0.1:9"
FILES = {f"international/file{i}.csv": f"n\n{i}\n".encode() * (i + 1) for i in range(1, 8)}


def make_sources(root: Path, files: dict[str, bytes]) -> list[Source]:
    out = []
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out.append(
            Source(rel, f"{OFFLINE}/{rel}", hashlib.sha256(data).hexdigest(), "CC0-1.0", True)
        )
    return out


def tree(folder: Path) -> dict[str, str] | None:
    """Every file under ``folder`` with its SHA-256 (None when there is no folder)."""
    if not folder.exists():
        return None
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def beside(dest: Path) -> list[str]:
    """What else than ``dest`` and the origin is in its parent folder."""
    return sorted(p.name for p in dest.parent.iterdir() if p.name not in (dest.name, "origin"))


@pytest.fixture
def origin(tmp_path) -> tuple[Path, list[Source]]:
    return tmp_path / "origin", make_sources(tmp_path / "origin", FILES)


def test_a_bad_fifth_file_leaves_an_existing_destination_as_it_was(tmp_path, origin):
    folder, sources = origin
    dest = tmp_path / "dest"
    # An earlier copy: two files verified, one stale, and a file of the user's own.
    for rel in list(FILES)[:2]:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(FILES[rel])
    stale = list(FILES)[2]
    (dest / stale).write_bytes(b"an older version\n")
    (dest / "notes.txt").write_bytes(b"mine\n")
    fifth = list(FILES)[4]
    (folder / fifth).write_bytes(b"tampered\n")
    before = tree(dest)

    with pytest.raises(ChecksumMismatch) as caught:
        fetch_sources(dest, folder, sources=sources)
    assert fifth in caught.value.message
    assert tree(dest) == before
    assert beside(dest) == []


def test_a_bad_file_creates_no_destination(tmp_path, origin):
    folder, sources = origin
    (folder / list(FILES)[4]).write_bytes(b"tampered\n")
    dest = tmp_path / "new" / "dest"
    with pytest.raises(ChecksumMismatch):
        fetch_sources(dest, folder, sources=sources)
    assert not dest.exists()
    assert beside(dest) == []


def test_a_new_destination_is_renamed_into_place_whole(tmp_path, origin):
    folder, sources = origin
    dest = tmp_path / "dest"
    calls = []
    paths = fetch_sources(dest, folder, lambda *a: calls.append(a), sources=sources)
    assert paths == [dest / rel for rel in FILES]
    assert tree(dest) == {rel: hashlib.sha256(d).hexdigest() for rel, d in FILES.items()}
    assert sum(a[1] for a in calls if len(a) > 1) == len(FILES)
    assert beside(dest) == []


def test_only_the_missing_files_are_replaced(tmp_path, origin):
    folder, sources = origin
    dest = tmp_path / "dest"
    fetch_sources(dest, folder, sources=sources)
    (dest / "notes.txt").write_bytes(b"mine\n")
    (dest / list(FILES)[3]).write_bytes(b"damaged\n")
    fetch_sources(dest, folder, sources=sources)
    assert (dest / list(FILES)[3]).read_bytes() == FILES[list(FILES)[3]]
    assert (dest / "notes.txt").read_bytes() == b"mine\n"
    assert beside(dest) == []


CHILD = """
import json, sys
from pathlib import Path
from heartbreak.data.fetch import fetch_sources
from heartbreak.data.sources import Source
spec = json.loads(sys.argv[3])
sources = [Source(s["path"], "http://127.0.0.1:9/x", s["sha256"], "CC0-1.0", True) for s in spec]
fetch_sources(Path(sys.argv[1]), Path(sys.argv[2]), sources=sources)
"""


def fetch_killed_at(step: str, dest: Path, folder: Path, sources: list[Source]) -> None:
    spec = json.dumps([{"path": s.path, "sha256": s.sha256} for s in sources])
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(dest), str(folder), spec],
        env={**os.environ, "HEARTBREAK_CRASH_AT": step},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_a_fetch_killed_while_fetching_changes_nothing(tmp_path, origin):
    folder, sources = origin
    dest = tmp_path / "dest"
    fetch_sources(dest, folder, sources=sources[:2])
    before = tree(dest)
    fetch_killed_at("fetch:file-staged", dest, folder, sources)
    assert tree(dest) == before
    assert len(beside(dest)) == 1  # the killed fetch's staging folder
    # The next fetch removes it and fetches afresh.
    fetch_sources(dest, folder, sources=sources)
    assert tree(dest) == {rel: hashlib.sha256(d).hexdigest() for rel, d in FILES.items()}
    assert beside(dest) == []


@pytest.mark.parametrize("step", ["fetch:verified", "fetch:moving"])
def test_a_fetch_killed_after_verifying_is_finished_by_the_next(tmp_path, origin, step):
    folder, sources = origin
    dest = tmp_path / "dest"
    fetch_sources(dest, folder, sources=sources[:2])
    before = tree(dest)
    fetch_killed_at(step, dest, folder, sources)
    now = tree(dest)
    # Every file in the destination is either the earlier one or a verified new one.
    pinned = {s.path: s.sha256 for s in sources}
    assert all(before.get(rel) == digest or pinned[rel] == digest for rel, digest in now.items())
    # The next fetch (offline: nothing left to copy) moves the rest in.
    fetch_sources(dest, tmp_path / "nowhere", sources=sources)
    assert tree(dest) == {rel: hashlib.sha256(d).hexdigest() for rel, d in FILES.items()}
    assert beside(dest) == []


def test_a_fetch_killed_while_renaming_a_new_destination(tmp_path, origin):
    folder, sources = origin
    dest = tmp_path / "dest"
    fetch_killed_at("fetch:verified", dest, folder, sources)
    assert not dest.exists()
    fetch_sources(dest, tmp_path / "nowhere", sources=sources)
    assert tree(dest) == {rel: hashlib.sha256(d).hexdigest() for rel, d in FILES.items()}
    assert beside(dest) == []
