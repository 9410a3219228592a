"""The store's tables derived from the validated sources, and domain matches from their rows.

Pure pandas over :class:`~heartbreak.data.loaders.Sources`: no files, no SQL. The column names
are the contract of :mod:`heartbreak.data.store`, which writes and reads them; the build
(:mod:`heartbreak.build`) adds the ratings and the drama index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from heartbreak.data.brackets import bracket_stages
from heartbreak.data.loaders import Sources
from heartbreak.data.teams import all_aliases
from heartbreak.data.tournaments import stages_by_date
from heartbreak.domain import (
    NOMINAL_ENDS,
    Event,
    EventType,
    Match,
    MatchInfo,
    Period,
    ShootoutKick,
    Side,
    in_turn,
)

#: Cards that send a player off.
RED_CARDS = ("red", "second_yellow")

#: Periods in the order they are played, for sorting events.
PERIOD_ORDER = {period.value: i for i, period in enumerate(Period)}

Progress = Callable[..., None]


def _period_of_minutes(minute: pd.Series) -> pd.Series:
    """Period values for minutes (heartbreak.domain.Period.of_minute; >120 is extra time)."""
    m = minute.astype("float64").to_numpy()
    period = np.select(
        [m <= 45, m <= 90, m <= 105, m > 105],
        [
            Period.FIRST_HALF.value,
            Period.SECOND_HALF.value,
            Period.EXTRA_FIRST.value,
            Period.EXTRA_SECOND.value,
        ],
        default="",
    )
    return pd.Series(period, index=minute.index, dtype=object).where(~np.isnan(m), None)


def _international_goals(src: Sources, results: pd.DataFrame, wc_ids: np.ndarray) -> pd.DataFrame:
    g = src.goals[~src.goals["match_id"].isin(wc_ids)]
    home = results.set_index("match_id")["home"].reindex(g["match_id"]).to_numpy()
    minute = g["minute"].astype("Int64")
    at_end = minute.isin(NOMINAL_ENDS).fillna(False).to_numpy(dtype=bool)
    stoppage = pd.array(np.zeros(len(g), dtype=np.int64), dtype="Int64")
    stoppage[at_end | minute.isna().to_numpy()] = pd.NA
    return pd.DataFrame(
        {
            "match_id": g["match_id"].to_numpy(),
            "order": g["order"].to_numpy(),
            "team": g["team"].to_numpy(dtype=object),
            "side": np.where(g["team"].to_numpy() == home, "home", "away"),
            "scorer": g["scorer"].to_numpy(dtype=object),
            "minute": minute.to_numpy(),
            "stoppage": stoppage,
            "period": _period_of_minutes(minute).to_numpy(),
            "own_goal": g["own_goal"].to_numpy(dtype=bool),
            "penalty": g["penalty"].to_numpy(dtype=bool),
        }
    )


def _ordered_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort World Cup events by match, period, minute, stoppage, source order; number them."""
    out = frame.assign(_p=frame["period"].map(PERIOD_ORDER))
    out = out.sort_values(["match_id", "_p", "minute", "stoppage", "key"], kind="stable")
    out = out.drop(columns=["_p"]).reset_index(drop=True)
    out["seq"] = out.groupby("match_id").cumcount() + 1
    return out


def derive_tables(src: Sources, progress: Progress) -> dict[str, pd.DataFrame]:
    """The store's tables (all but ``ratings``, ``goal_fits``, ``team_strengths`` and ``drama``,
    and the matches' ``elo_home``, ``elo_away``, ``xg_home`` and ``xg_away``, which the build
    adds) from the validated sources."""
    results = src.results
    wc = src.wc_matches
    wc_ids = wc["match_id"].to_numpy()

    # goals: World Cup matches from worldcup/goals.csv, all others from goalscorers.csv.
    progress("timelines", 0)
    intl = _international_goals(src, results, wc_ids)
    intl = intl.sort_values(["match_id", "order"], kind="stable").reset_index(drop=True)
    intl["seq"] = intl.groupby("match_id").cumcount() + 1
    wcg = _ordered_events(src.wc_goals.rename(columns={"player": "scorer"}))
    columns = [
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
    ]
    goals = (
        pd.concat(
            [intl[columns], wcg[columns].astype({"minute": "Int64", "stoppage": "Int64"})],
            ignore_index=True,
        )
        .sort_values(["match_id", "seq"], kind="stable")
        .reset_index(drop=True)
    )

    cards = _ordered_events(src.wc_bookings)[
        [
            "match_id",
            "seq",
            "team",
            "side",
            "player",
            "minute",
            "stoppage",
            "period",
            "card",
            "sending_off",
        ]
    ]
    kicks = src.wc_kicks.sort_values(["match_id", "key"], kind="stable").reset_index(drop=True)
    kicks["seq"] = kicks.groupby("match_id").cumcount() + 1
    kicks = kicks[["match_id", "seq", "team", "side", "player", "converted"]]

    # matches
    m = results[
        [
            "match_id",
            "date",
            "home",
            "away",
            "home_score",
            "away_score",
            "competition",
            "city",
            "country",
            "neutral",
        ]
    ].copy()
    w = wc.set_index("match_id").reindex(m["match_id"])
    is_wc = w["wc_match_id"].notna().to_numpy()
    m["wc_match_id"] = w["wc_match_id"].to_numpy(dtype=object)
    m["stage"] = w["stage"].to_numpy(dtype=object)

    shoot = src.shootouts.set_index("match_id").reindex(m["match_id"])
    wc_shootout = w["shootout"].fillna(False).to_numpy(dtype=bool)
    home_pen = w["home_penalties"].to_numpy(dtype=float)
    away_pen = w["away_penalties"].to_numpy(dtype=float)
    first_kick = kicks.drop_duplicates("match_id").set_index("match_id")["team"]
    shootout_winner = shoot["winner"].to_numpy(dtype=object)
    derived_winner = np.where(home_pen > away_pen, m["home"].to_numpy(), m["away"].to_numpy())
    fill = wc_shootout & pd.isna(shootout_winner)
    shootout_winner = np.where(fill, derived_winner, shootout_winner)
    has_shootout = ~pd.isna(shootout_winner)
    # A shootout after a level match settles that match: a knockout. A shootout after a match
    # one side won settles a two-legged tie on aggregate, which a single match cannot show.
    level = (m["home_score"] == m["away_score"]).to_numpy()
    m["knockout"] = np.where(
        is_wc, w["knockout"].fillna(False).to_numpy(dtype=bool), has_shootout & level
    )
    # World Cups the database does not hold yet: the stage from the schedule's dates.
    stage, needs_winner = stages_by_date(m["competition"], m["date"])
    scheduled = ~is_wc & pd.notna(stage)
    m.loc[scheduled, "stage"] = stage[scheduled]
    decided = needs_winner[scheduled].astype(bool)
    m.loc[scheduled, "knockout"] = m.loc[scheduled, "knockout"] | decided
    # The other major tournaments: each edition's knockout stage from the shape of its matches,
    # matches won in 90 minutes included, with their stage (heartbreak.data.brackets).
    bracket_stage = bracket_stages(m.assign(shootout_winner=shootout_winner))
    bracket = pd.notna(bracket_stage)
    m.loc[bracket, "stage"] = bracket_stage[bracket]
    m["knockout"] = m["knockout"].to_numpy(dtype=bool) | bracket

    per_side = goals.groupby(["match_id", "side"]).size().unstack(fill_value=0)
    per_side = per_side.reindex(columns=["home", "away"], fill_value=0).reindex(
        m["match_id"], fill_value=0
    )
    no_minute = (
        goals["minute"]
        .isna()
        .groupby(goals["match_id"])
        .any()
        .reindex(m["match_id"], fill_value=False)
    )
    late = (
        (goals["minute"].fillna(0) > 90)
        .groupby(goals["match_id"])
        .any()
        .reindex(m["match_id"], fill_value=False)
    )
    m["goals_listed"] = (per_side["home"] + per_side["away"]).to_numpy()
    complete = (
        (per_side["home"].to_numpy() == m["home_score"].to_numpy())
        & (per_side["away"].to_numpy() == m["away_score"].to_numpy())
        & ~no_minute.to_numpy(dtype=bool)
    )
    # Extra time: known for World Cup matches; otherwise a goal after 90' proves it, a complete
    # timeline without one (and without a shootout) rules it out, anything else is unknown.
    late = late.to_numpy(dtype=bool)
    extra = pd.array(np.where(late, True, False), dtype="boolean")
    extra[~late & ~(complete & ~has_shootout)] = pd.NA
    extra[is_wc] = w["extra_time"].to_numpy()[is_wc].astype(bool)
    m["extra_time"] = extra
    # Extra time is played only when a match needs a winner (the 1958 World Cup play-offs, say,
    # or a 2026 knockout, which the World Cup database does not hold yet).
    m["knockout"] = m["knockout"].to_numpy(dtype=bool) | extra.fillna(False).to_numpy(dtype=bool)
    # A level knockout of the bracket without a shootout was replayed or decided by lot after
    # extra time (the 1968 Euro); a friendly never had to produce a winner, so a shootout after
    # it does not make it a knockout, nor its winner the match's winner.
    extra[bracket & level & ~has_shootout] = True
    m["extra_time"] = extra
    m.loc[(m["competition"] == "Friendly").to_numpy(), "knockout"] = False
    m["shootout_winner"] = shootout_winner
    m["home_penalties"] = pd.array(np.where(is_wc & wc_shootout, home_pen, np.nan)).astype("Int64")
    m["away_penalties"] = pd.array(np.where(is_wc & wc_shootout, away_pen, np.nan)).astype("Int64")
    hs, as_ = m["home_score"].to_numpy(), m["away_score"].to_numpy()
    settled = np.where(m["knockout"].to_numpy(dtype=bool), shootout_winner, None)
    m["winner"] = np.where(
        hs > as_, m["home"].to_numpy(), np.where(as_ > hs, m["away"].to_numpy(), settled)
    )
    m["timeline_complete"] = complete
    m["source"] = np.where(is_wc, "international+worldcup", "international")

    # shootouts: international/shootouts.csv, completed from the World Cup kicks.
    shoot_rows = m.loc[has_shootout, ["match_id", "shootout_winner"]].rename(
        columns={"shootout_winner": "winner"}
    )
    firsts = shoot["first_shooter"].reindex(shoot_rows["match_id"]).to_numpy(dtype=object)
    from_kicks = first_kick.reindex(shoot_rows["match_id"]).to_numpy(dtype=object)
    shoot_rows["first_shooter"] = np.where(pd.isna(firsts), from_kicks, firsts)

    # teams and aliases
    both = pd.concat(
        [
            m[["home", "date"]].rename(columns={"home": "name"}),
            m[["away", "date"]].rename(columns={"away": "name"}),
        ],
        ignore_index=True,
    )
    teams = both.groupby("name")["date"].agg(first_match="min", last_match="max", matches="size")
    teams = teams.reset_index().sort_values("name").reset_index(drop=True)
    aliases = all_aliases(teams["name"], src.former_names, src.wc_teams)
    team_aliases = pd.DataFrame(
        {
            "alias": [a.alias for a in aliases],
            "team": [a.team for a in aliases],
            "start_date": pd.to_datetime([a.start_date for a in aliases]),
            "end_date": pd.to_datetime([a.end_date for a in aliases]),
            "kind": [a.kind for a in aliases],
        }
    )
    # A World Cup match's group and local kick-off time (the World Cup database): which
    # matches of a group were played at the same time (heartbreak.tournaments).
    fixtures = pd.DataFrame(
        {
            "match_id": wc["match_id"].to_numpy(),
            "group_name": wc["group"].to_numpy(dtype=object),
            "kickoff": wc["kickoff"].to_numpy(dtype=object),
        }
    ).sort_values("match_id", kind="stable")
    return {
        "matches": m,
        "fixtures": fixtures.reset_index(drop=True),
        "goals": goals,
        "cards": cards,
        "shootouts": shoot_rows.reset_index(drop=True),
        "shootout_kicks": kicks,
        "teams": teams,
        "team_aliases": team_aliases,
    }


def matches_from_frames(
    rows: pd.DataFrame,
    goals: pd.DataFrame,
    reds: pd.DataFrame,
    kicks: pd.DataFrame | None = None,
) -> dict[int, Match]:
    """Domain :class:`~heartbreak.domain.Match` objects from ``matches`` rows and their goals
    (with minutes) and sendings-off, as stored; ``kicks``: ``shootout_kicks`` rows in order
    with their shootout's ``first_shooter``, which put each side's kicks in the order taken."""
    events: dict[int, list[Event]] = {}
    taken: dict[int, dict[Side, list[ShootoutKick]]] = {}
    first_shooter: dict[int, Any] = {}
    for k in () if kicks is None else kicks.itertuples(index=False):
        player = k.player if isinstance(k.player, str) and k.player else None
        side = Side(k.side)
        taken.setdefault(int(k.match_id), {}).setdefault(side, []).append(
            ShootoutKick(side, bool(k.converted), player)
        )
        first_shooter[int(k.match_id)] = k.first_shooter
    for g in goals.itertuples(index=False):
        events.setdefault(int(g.match_id), []).append(
            Event(
                EventType.GOAL,
                int(g.minute),
                0 if pd.isna(g.stoppage) else int(g.stoppage),
                side=Side(g.side),
                player=g.scorer or None,
                own_goal=bool(g.own_goal),
                penalty=bool(g.penalty),
                period=Period(g.period),
                event_id=f"goal-{g.match_id}-{g.seq}",
            )
        )
    for c in reds.itertuples(index=False):
        events.setdefault(int(c.match_id), []).append(
            Event(
                EventType.RED_CARD,
                int(c.minute),
                0 if pd.isna(c.stoppage) else int(c.stoppage),
                side=Side(c.side),
                player=c.player or None,
                period=Period(c.period),
                event_id=f"card-{c.match_id}-{c.seq}",
            )
        )
    built: dict[int, Match] = {}
    for row in rows.itertuples(index=False):
        match_id = int(row.match_id)
        info = MatchInfo(
            home=row.home,
            away=row.away,
            date=pd.Timestamp(row.date).date(),
            competition=row.competition,
            stage=None if pd.isna(row.stage) else row.stage,
            knockout=bool(row.knockout),
            neutral=bool(row.neutral),
            match_id=match_id,
            city=row.city or None,
            country=row.country or None,
        )
        shootout_side = None
        if isinstance(row.shootout_winner, str):
            shootout_side = Side.HOME if row.shootout_winner == info.home else Side.AWAY
        timeline = sorted(events.get(match_id, []), key=lambda e: e.sort_key)
        first = first_shooter.get(match_id)
        in_order: tuple[ShootoutKick, ...] = ()
        if match_id in taken and first in (info.home, info.away):
            in_order = in_turn(taken[match_id], Side.HOME if first == info.home else Side.AWAY)
        built[match_id] = Match(
            info=info,
            home_score=int(row.home_score),
            away_score=int(row.away_score),
            events=tuple(timeline),
            extra_time=None if pd.isna(row.extra_time) else bool(row.extra_time),
            shootout_winner=shootout_side,
            timeline_complete=bool(row.timeline_complete),
            shootout_kicks=in_order,
        )
    return built
