"""Tiny hand-built match histories for the precedents of :mod:`heartbreak.story.records`
(``History``), the stage names they use, and ``traced``, the check of a fact's numbers; shared by
tests/unit/story/test_records.py and tests/integration/test_records_leakage.py (this folder is on
``sys.path`` through tests/conftest.py)."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from heartbreak.story.narrative import number_tokens
from heartbreak.story.records import Precedent, precedents

WC = "FIFA World Cup"


class History:
    """Matches and goals with the store's columns, added one at a time.

    ``goals`` are strings ``"<h|a> <minute label> [scorer]"``: ``"a 90+4 Nacer Chadli"``; a
    scorer written ``og:Name`` is an own goal credited to the side named first.
    """

    def __init__(self) -> None:
        self.matches: list[dict] = []
        self.goals: list[dict] = []

    def add(
        self,
        date: str,
        home: str,
        away: str,
        goals: list[str] | tuple[int, int] = (),
        *,
        stage: str | None = None,
        competition: str | None = None,
        extra_time: bool = False,
        pens: str | None = None,
        elo: tuple[float, float] = (1500.0, 1500.0),
        complete: bool = True,
    ) -> int:
        match_id = len(self.matches) + 1
        if isinstance(goals, tuple):  # a score without a timeline
            score = goals
            goals = []
        else:
            score = (0, 0)
            for seq, text in enumerate(goals, start=1):
                side, label, *rest = text.split(" ", 2)
                minute, _, stoppage = label.partition("+")
                scorer = rest[0] if rest else f"{home if side == 'h' else away} player"
                own = scorer.startswith("og:")
                minute, stoppage = int(minute), int(stoppage or 0)
                period = (
                    "first_half"
                    if minute <= 45
                    else "second_half"
                    if minute <= 90
                    else "extra_time_first_half"
                    if minute <= 105
                    else "extra_time_second_half"
                )
                self.goals.append(
                    {
                        "match_id": match_id,
                        "seq": seq,
                        "team": home if side == "h" else away,
                        "side": "home" if side == "h" else "away",
                        "scorer": scorer.removeprefix("og:"),
                        "minute": minute,
                        "stoppage": stoppage,
                        "period": period,
                        "own_goal": own,
                        "penalty": False,
                    }
                )
                score = (score[0] + (side == "h"), score[1] + (side == "a"))
        hs, as_ = score
        winner = home if hs > as_ else away if as_ > hs else pens
        knockout = (
            stage is not None
            and stage not in ("group stage", "second group stage")
            and (stage != "final round")
        )
        world_cup = stage is not None
        self.matches.append(
            {
                "match_id": match_id,
                "date": pd.Timestamp(date),
                "home": home,
                "away": away,
                "home_score": hs,
                "away_score": as_,
                "competition": competition or (WC if world_cup else "Friendly"),
                "wc_match_id": f"M-{date[:4]}-{match_id:02d}" if world_cup else None,
                "stage": stage,
                "knockout": knockout,
                "extra_time": extra_time,
                "shootout_winner": pens,
                "winner": winner,
                "timeline_complete": complete,
                "elo_home": elo[0],
                "elo_away": elo[1],
            }
        )
        return match_id

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        goals = pd.DataFrame(
            self.goals,
            columns=[
                "match_id",
                "seq",
                "team",
                "side",
                "scorer",
                "minute",
                "stoppage",
                "period",
                "own_goal",
                "penalty",
            ],
        )
        return pd.DataFrame(self.matches), goals

    def facts(self, match_id: int, kind: str | None = None, **kw) -> list[Precedent]:
        found = precedents(match_id, *self.frames(), **kw)
        return [f for f in found if kind is None or f.kind == kind]

    def fact(self, match_id: int, kind: str) -> Precedent:
        found = self.facts(match_id, kind)
        assert len(found) == 1, found
        return found[0]


R16, QF, SF, FINAL = "round of 16", "quarter-finals", "semi-finals", "final"


def traced(fact: Precedent) -> None:
    """Every number in the text is listed, and the listed ones are all in the text."""
    assert Counter(number_tokens(fact.text)) == Counter(t for t, _, _ in fact.numbers)
    assert 0.0 <= fact.strength <= 1.0
    assert fact.text[:1].isupper() and fact.text.endswith(".")
