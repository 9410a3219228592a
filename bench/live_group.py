"""Live group rounds: what a message costs when a live match's stakes follow its group.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/live_group.py [--runs 3]

Three matches of a final group round (Japan–Poland with Senegal–Colombia 2018, Costa Rica–Germany
with Japan–Spain 2022, South Korea–Portugal with Ghana–Uruguay 2022), fed to a
:class:`heartbreak.live.service.LiveService` over the real store as their feeds would have sent
them (goals, cards, period ends), both matches of the round interleaved by the clock. Per run, a
fresh service and log:

- **alone**: the first match only, created without its group (no stakes: the baseline);
- **in its group, alone**: the first match only, created in its group (its simultaneous match
  read from the store, replayed alongside);
- **the round**: both matches created in their group and fed together: a message that changes
  one match's events or cards computes the new states of both.

Reported: the median time of one message (`ingest`, the new state or states computed, logged
and published) in each setting, and the ratios against **alone**, measured in the same process.
The first message of each run (which warms the session's caches) is left out of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from heartbreak.live.service import LiveService
from heartbreak.live.state import definition_of, elapsed_minutes, feed_of
from heartbreak.services import Heartbreak
from heartbreak.tournaments.stakes import bookings_of, locate

ROUNDS = (
    ("Japan", "Poland", "2018-06-28"),
    ("Costa Rica", "Germany", "2022-12-01"),
    ("South Korea", "Portugal", "2022-12-02"),
)


def definition(hb: Heartbreak, match_id: int, grouped: bool) -> dict:
    row = hb.store.match_row(match_id)
    group = None
    if grouped:
        edition = hb.edition_of_match(match_id)
        group = (edition.competition, edition.year, locate(edition, match_id)[1].name)
    return definition_of(hb.store.match(match_id), row["elo_home"], row["elo_away"], group)


def feed(hb: Heartbreak, match_id: int) -> list[dict]:
    cards = bookings_of(
        hb.store.query("SELECT * FROM cards WHERE match_id = ? ORDER BY seq", [match_id])
    )
    return feed_of(hb.store.match(match_id), cards)


def run(hb: Heartbreak, ids: list[int], grouped: bool, folder: Path) -> list[float]:
    """Seconds per message, feeding ``ids`` together."""
    service = LiveService(hb, folder / f"live-{time.monotonic_ns()}.duckdb")
    try:
        messages = []
        for order, match_id in enumerate(ids):
            live_id = service.create(definition(hb, match_id, grouped))
            for k, m in enumerate(feed(hb, match_id)):
                messages.append((elapsed_minutes(m), order, k, live_id, m))
        messages.sort(key=lambda x: x[:3])
        times = []
        for *_, live_id, message in messages:
            started = time.perf_counter()
            service.ingest(live_id, message)
            times.append(time.perf_counter() - started)
        return times[1:]
    finally:
        service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    hb = Heartbreak()
    print(
        f"{'round':<32} {'alone ms':>9} {'group ms':>9} {'ratio':>6} {'round ms':>9} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for home, away, day in ROUNDS:
            first = hb.find_match(home, away, day)
            ids = [first, *sorted(hb.simultaneous_fixtures(first))]
            alone, group, both = [], [], []
            for _ in range(args.runs):
                alone += run(hb, ids[:1], False, Path(folder))
                group += run(hb, ids[:1], True, Path(folder))
                both += run(hb, ids, True, Path(folder))
            a, g, b = (1000 * statistics.median(x) for x in (alone, group, both))
            print(
                f"{home + ' v ' + away + ' ' + day:<32} {a:9.1f} {g:9.1f} {g / a:6.2f} "
                f"{b:9.1f} {b / a:6.2f}"
            )


if __name__ == "__main__":
    main()
