"""Score the emotion rule against the emotion benchmark (tests/data/emotion_benchmark.json).

Replays every match of the benchmark and reads the label of the named side at each key moment:
the point right after the event at that clock (``after_event``), the end of that minute
(``minute``) or the final whistle (``final_whistle``). A moment is right when the label is one of
its acceptable feelings. Moments marked ``needs_tournament_stakes`` are counted apart.

    HEARTBREAK_DATA_DIR=/work/shared/data python bench/emotion_benchmark.py [--rule FILE] [-v]

``--rule FILE`` scores another version of ``heartbreak/drama/emotions.py`` (a file with the same
``fan_emotions``), e.g. an earlier one from ``git show``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

from heartbreak.domain import Side

BENCHMARK = Path(__file__).resolve().parents[1] / "tests" / "data" / "emotion_benchmark.json"


def load() -> list[dict]:
    """The benchmark's matches, each with its moments."""
    return json.loads(BENCHMARK.read_text(encoding="utf-8"))["matches"]


def moment_index(path, moment: dict) -> int:
    """The path point a benchmark moment names."""
    kind = np.asarray(path.kind)
    if moment["point"] == "final_whistle":
        hits = np.flatnonzero(kind == "final_whistle")
    else:
        hits = np.flatnonzero(
            (path.minute == moment["minute"])
            & (path.stoppage == moment.get("stoppage", 0))
            & (kind == moment["point"])
        )
    if not hits.size:
        raise LookupError(f"no {moment['point']} point at {moment['minute']}+{moment['stoppage']}")
    return int(hits[0])


def side_of(path, team: str) -> Side:
    if team == path.info.home:
        return Side.HOME
    if team == path.info.away:
        return Side.AWAY
    raise LookupError(f"{team} did not play {path.info.home} v {path.info.away}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", type=Path, help="another emotions.py to score")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every moment")
    args = parser.parse_args()
    if args.rule:
        spec = importlib.util.spec_from_file_location("emotions_under_test", args.rule)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        fan_emotions = module.fan_emotions
    else:
        from heartbreak.drama.emotions import fan_emotions
    from heartbreak.services import Heartbreak

    hb = Heartbreak()
    right = total = staked_right = staked = 0
    for match in load():
        path = hb.replay(match["home"], match["away"], match["date"]).path
        labels = {s: fan_emotions(path, s) for s in Side}
        for moment in match["moments"]:
            side = side_of(path, moment["side"])
            got = str(labels[side][moment_index(path, moment)])
            ok = got in moment["expected"]
            if moment.get("needs_tournament_stakes"):
                staked += 1
                staked_right += ok
            else:
                total += 1
                right += ok
            if args.verbose or not ok:
                clock = f"{moment['minute']}+{moment.get('stoppage', 0)}"
                mark = "ok  " if ok else "MISS"
                print(
                    f"{mark} {match['home']} v {match['away']} {match['date']} {moment['side']} "
                    f"{moment['point']} {clock}: {got} (expected {'/'.join(moment['expected'])})"
                )
    print(
        f"score: {right}/{total} moments right; needing tournament stakes: {staked_right}/{staked}"
    )


if __name__ == "__main__":
    main()
