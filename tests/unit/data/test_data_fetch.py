"""Fetching sources: local copies, checksum verification, downloads and the offline error.

The downloads go to a server on the loopback interface or to a closed local port, never to the
internet.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from heartbreak.data.fetch import fetch_sources, locate_sources, source_url
from heartbreak.data.sources import NEEDED_SOURCES, SOURCES, Source
from heartbreak.errors import ChecksumMismatch, DataUnavailable

OFFLINE = "http://127.0.0.1:9"


def make_sources(root: Path, files: dict[str, bytes]) -> list[Source]:
    """Write ``files`` under ``root`` and describe them as pinned sources."""
    out = []
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out.append(
            Source(rel, f"{OFFLINE}/{rel}", hashlib.sha256(data).hexdigest(), "CC0-1.0", True)
        )
    return out


FILES = {
    "international/results.csv": b"date,home_team\n2018-07-02,Belgium\n",
    "worldcup/matches.csv": b"match_id\nM-2018-54\n",
}


def test_copy_from_a_local_folder_verifies_checksums(tmp_path):
    sources = make_sources(tmp_path / "origin", FILES)
    dest = tmp_path / "dest"
    calls = []
    paths = fetch_sources(
        dest, tmp_path / "origin", lambda d, a=0, t=None: calls.append((d, a, t)), sources=sources
    )
    assert paths == [dest / rel for rel in FILES]
    for rel, data in FILES.items():
        assert (dest / rel).read_bytes() == data
    assert sum(a for _, a, _ in calls) == len(FILES)
    assert {t for _, _, t in calls} == {len(FILES)}
    assert not list(dest.rglob("*.part-*"))
    # Second run: the files are already there and verified.
    assert fetch_sources(dest, tmp_path / "origin", sources=sources) == paths


def test_corrupted_copy_is_rejected_and_not_placed(tmp_path):
    sources = make_sources(tmp_path / "origin", FILES)
    (tmp_path / "origin" / "worldcup/matches.csv").write_bytes(b"match_id\nM-2018-55\n")
    dest = tmp_path / "dest"
    with pytest.raises(ChecksumMismatch) as caught:
        fetch_sources(dest, tmp_path / "origin", sources=sources)
    assert "worldcup/matches.csv" in caught.value.message
    assert not (dest / "worldcup/matches.csv").exists()
    assert not list(dest.rglob("*.part-*"))


def test_missing_file_in_the_local_folder(tmp_path):
    sources = make_sources(tmp_path / "origin", FILES)
    (tmp_path / "origin" / "worldcup/matches.csv").unlink()
    with pytest.raises(DataUnavailable) as caught:
        fetch_sources(tmp_path / "dest", tmp_path / "origin", sources=sources)
    assert "worldcup/matches.csv" in caught.value.message
    assert "heartbreak data fetch --from DIR" in caught.value.message


def test_offline_download_is_data_unavailable_with_the_hint(tmp_path):
    sources = make_sources(tmp_path / "origin", FILES)
    with pytest.raises(DataUnavailable) as caught:
        fetch_sources(tmp_path / "dest", sources=sources, base_url=OFFLINE, timeout=5)
    message = caught.value.message
    assert "could not download international/results.csv" in message
    assert "heartbreak data fetch --from DIR" in message
    assert "HEARTBREAK_DATA_DIR" in message
    assert "\n" not in message
    assert not list((tmp_path / "dest").rglob("*.csv"))


def test_source_url_env_var(monkeypatch):
    source = SOURCES[0]
    monkeypatch.delenv("HEARTBREAK_SOURCE_URL", raising=False)
    assert source_url(source) == source.url
    monkeypatch.setenv("HEARTBREAK_SOURCE_URL", "http://127.0.0.1:9/")
    assert source_url(source) == f"http://127.0.0.1:9/{source.path}"


@pytest.fixture
def local_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path / 'served'``."""
    root = tmp_path / "served"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_from_a_mirror(tmp_path, local_server):
    root, url = local_server
    sources = make_sources(root, FILES)
    dest = tmp_path / "dest"
    fetch_sources(dest, sources=sources, base_url=url)
    for rel, data in FILES.items():
        assert (dest / rel).read_bytes() == data


def test_download_with_a_wrong_checksum_is_rejected(tmp_path, local_server):
    root, url = local_server
    sources = make_sources(root, FILES)
    (root / "international/results.csv").write_bytes(b"tampered\n")
    dest = tmp_path / "dest"
    with pytest.raises(ChecksumMismatch) as caught:
        fetch_sources(dest, sources=sources, base_url=url)
    assert "international/results.csv" in caught.value.message
    assert not (dest / "international/results.csv").exists()


def test_download_404_is_data_unavailable(tmp_path, local_server):
    _, url = local_server
    sources = make_sources(tmp_path / "elsewhere", FILES)
    with pytest.raises(DataUnavailable) as caught:
        fetch_sources(tmp_path / "dest", sources=sources, base_url=url)
    assert "404" in caught.value.message


def test_locate_sources(tmp_path, tiny_data):
    assert locate_sources(tiny_data.root) == tiny_data.root
    tiny_data.path("worldcup/goals.csv").unlink()
    with pytest.raises(DataUnavailable) as caught:
        locate_sources(tiny_data.root)
    assert "worldcup/goals.csv" in caught.value.message
    assert "HEARTBREAK_DATA_DIR" in caught.value.message
    with pytest.raises(DataUnavailable):
        locate_sources(tmp_path / "nowhere")


def test_source_table_is_complete_and_pinned():
    paths = [s.path for s in SOURCES]
    assert len(paths) == len(set(paths)) == 20
    assert {s.dataset for s in SOURCES} == {"international", "worldcup"}
    for s in SOURCES:
        assert len(s.sha256) == 64
        assert s.url.endswith(s.name)
        if s.dataset == "international":
            assert "65d212aac5deec5157071dcf6e9b05fce0223c84" in s.url
            assert s.licence == "CC0-1.0"
        else:
            assert "35a8667f518b07469182ae16d35574dd0e7a00fb/data-csv/" in s.url
            assert s.licence == "CC-BY-SA-4.0"
    assert {s.path for s in NEEDED_SOURCES} >= {
        "international/results.csv",
        "international/goalscorers.csv",
        "worldcup/matches.csv",
    }


def test_attribution_strings():
    from heartbreak.data.sources import ATTRIBUTION_SHORT, ATTRIBUTION_WORLDCUP

    assert ATTRIBUTION_WORLDCUP == (
        "The Fjelstul World Cup Database, © 2023 Joshua C. Fjelstul, Ph.D., "
        "https://www.github.com/jfjelstul/worldcup, licensed under "
        "https://creativecommons.org/licenses/by-sa/4.0/legalcode"
    )
    assert "CC BY-SA 4.0" in ATTRIBUTION_SHORT
