"""The fault schedule of the live tests: a true feed with the faults a real feed has."""

from __future__ import annotations

import copy
import random


def faulty_schedule(feed: list[dict], rnd: random.Random) -> tuple[list[dict], int]:
    """The true feed with faults: a goal that is then retracted (VAR), a goal first sent at a
    wrong minute then corrected (sometimes corrected twice, back and forth), duplicates,
    out-of-order arrival (a retraction or a correction may come before its event); plus the
    position of a restart."""
    messages = [dict(m) for m in feed]
    goals = [m for m in messages if m["type"] == "goal"]
    wrong = rnd.choice(goals)
    true_minute = wrong["minute"]
    wrong_minute = rnd.choice([m for m in range(1, 90) if m != true_minute])
    first = {**wrong, "minute": wrong_minute}
    messages[messages.index(wrong)] = first
    fixes = [{"event_id": wrong["event_id"], "type": "correction", "minute": true_minute}]
    if rnd.random() < 0.5:
        fixes = [
            {"event_id": wrong["event_id"], "type": "correction", "version": 2, "minute": 3},
            {**fixes[0], "version": 3},
        ]
    var = {
        "event_id": "var-1",
        "type": "goal",
        "minute": rnd.randint(1, 89),
        "team": rnd.choice(["home", "away"]),
        "player": "Offside",
    }
    extra = [*fixes, var, {"event_id": "var-1", "type": "retraction"}]
    sent = messages + extra
    sent += [rnd.choice(sent) for _ in range(rnd.randint(1, 8))]
    rnd.shuffle(sent)
    return sent, rnd.randint(1, len(sent) - 1)


def without_id(state: dict) -> dict:
    out = copy.deepcopy(state)
    out["live"].pop("id")
    out["live"].pop("events_received")
    out["live"].pop("version")  # outside a group, the messages received too
    return out
