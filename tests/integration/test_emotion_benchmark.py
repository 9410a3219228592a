"""The emotion benchmark (tests/data/emotion_benchmark.json, docs/emotion-benchmark.md): at each
key moment of 30 well-known matches, the fans' feeling the rule gives is one the contemporary
reports support. A moment marked as needing what the rule cannot read yet is expected to fail,
strictly."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from heartbreak.domain import Side

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from emotion_benchmark import moment_index, side_of  # noqa: E402

BENCHMARK = json.loads((ROOT / "tests" / "data" / "emotion_benchmark.json").read_text("utf-8"))


def _cases():
    for match in BENCHMARK["matches"]:
        for moment in match["moments"]:
            clock = f"{moment['minute']}+{moment.get('stoppage', 0)}"
            case_id = f"{match['home']}-{match['away']}-{match['date']}-{moment['side']}-{clock}"
            marks = []
            if moment.get("needs_tournament_stakes"):
                reason = "needs tournament stakes: " + moment["needs_tournament_stakes"]
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            yield pytest.param(match, moment, id=case_id.replace(" ", "_"), marks=marks)


@pytest.fixture(scope="module")
def replays(session):
    cache: dict[tuple[str, str, str], object] = {}

    def get(match):
        key = (match["home"], match["away"], match["date"])
        if key not in cache:
            cache[key] = session.replay(*key)
        return cache[key]

    return get


def test_the_benchmark_is_broad_and_sourced():
    matches = BENCHMARK["matches"]
    assert len(matches) >= 30
    for match in matches:
        assert match["moments"] and match["kind"]
        for moment in match["moments"]:
            assert moment["expected"] and moment["quote"]
            assert moment["source"].startswith("http")
            assert moment["point"] in ("after_event", "minute", "final_whistle")


@pytest.mark.slow
@pytest.mark.parametrize(("match", "moment"), list(_cases()))
def test_fans_feel_what_the_reports_describe(replays, match, moment):
    replay = replays(match)
    path = replay.path
    side = side_of(path, moment["side"])
    assert side in (Side.HOME, Side.AWAY)
    got = str(replay.emotions[side][moment_index(path, moment)])
    assert got in moment["expected"], (
        f"{moment['side']} fans: {got}, the reports: {moment['expected']} "
        f"({moment['quote']!r}, {moment['source']})"
    )
