"""The drama index: path summaries and drama metrics of every match, for rankings.

Built with the store (:func:`heartbreak.build.build_store`), so that "the most heartbreaking
World Cup knockout matches" is a query, not a recomputation. One row per match and side:

- every match: the side's pre-match chance of what matters (going through in a knockout, its
  group stake in a group match replayed for its stakes, else winning), what that is (``stake``:
  ``advance``, ``through``, ``first`` or ``win``) and its result; ``complete`` says whether the
  match could be replayed;
- matches with a complete timeline (``complete``), from the replay: the side's peak and lowest
  chance (and when the peak came), the match's excitement, surprise, suspense and shock (the same
  on both rows), comeback (on the winner's row) and heartbreak (on the loser's row), the
  decisive moment, lead changes, the side's largest lead, and the match's flags. See
  :mod:`heartbreak.drama.metrics` for the definitions. Incomplete matches carry NULL there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from heartbreak.domain import Match, Side
from heartbreak.drama.metrics import drama_metrics
from heartbreak.model.inplay import InPlayModel, kickoff_states
from heartbreak.model.path import PointKind, ProbabilityPath
from heartbreak.model.replay import replay_many
from heartbreak.model.strengths import GoalModel

COLUMNS = (
    "match_id",
    "side",
    "team",
    "opponent",
    "complete",
    "prematch_chance",
    "result",
    "peak_chance",
    "peak_minute",
    "peak_stoppage",
    "peak_time_left",
    "low_chance",
    "excitement",
    "surprise",
    "suspense",
    "shock",
    "comeback",
    "heartbreak",
    "decisive_minute",
    "decisive_stoppage",
    "lead_changes",
    "max_lead",
    "flags",
    "stake",
)


def drama_index(
    matches: pd.DataFrame,
    events: Callable[[Sequence[int]], dict[int, Match]],
    prematch: GoalModel,
    inplay: InPlayModel,
    progress: Callable[..., None] | None = None,
    chunk: int = 4000,
    stakes: Callable[[Sequence[Match], list[ProbabilityPath]], list[ProbabilityPath]] | None = None,
) -> pd.DataFrame:
    """Two rows per match (see the module docstring).

    ``matches``: the store's ``matches`` rows (with ratings); ``events(ids)``: the domain
    :class:`~heartbreak.domain.Match` objects of complete matches, fetched a chunk at a time;
    ``stakes(matches, paths)``: the paths with their group stakes where they have some (the
    chances of what matters, :class:`~heartbreak.model.path.Stakes`).
    """
    report = progress or (lambda *a, **k: None)
    knockout = matches["knockout"].to_numpy(bool)
    lam_h, lam_a = prematch.rates(matches)
    kick = inplay.evaluate(lam_h, lam_a, kickoff_states(knockout), with_suspense=False)
    home_pre = np.where(knockout, kick.p_home_advance, kick.p_home_win)
    away_pre = np.where(knockout, 1.0 - kick.p_home_advance, kick.p_away_win)
    winner = matches["winner"].to_numpy(dtype=object)
    home = matches["home"].to_numpy(dtype=object)
    away = matches["away"].to_numpy(dtype=object)
    home_result = np.where(pd.isna(winner), "drew", np.where(winner == home, "won", "lost"))
    away_result = np.where(pd.isna(winner), "drew", np.where(winner == away, "won", "lost"))
    ids = matches["match_id"].to_numpy()
    base = pd.DataFrame(
        {
            "match_id": np.concatenate([ids, ids]),
            "side": ["home"] * len(ids) + ["away"] * len(ids),
            "team": np.concatenate([home, away]),
            "opponent": np.concatenate([away, home]),
            "complete": np.concatenate([matches["timeline_complete"].to_numpy(bool)] * 2),
            "stake": np.where(np.concatenate([knockout, knockout]), "advance", "win"),
            "prematch_chance": np.concatenate([home_pre, away_pre]),
            "result": np.concatenate([home_result, away_result]),
        }
    )

    complete = np.nonzero(matches["timeline_complete"].to_numpy(bool))[0]
    rows: list[dict] = []
    total = len(complete)
    for lo in range(0, total, chunk):
        part = complete[lo : lo + chunk]
        loaded = events(ids[part].tolist())
        batch = [loaded[int(i)] for i in ids[part]]
        paths = replay_many(batch, lam_h[part], lam_a[part], inplay)
        if stakes is not None:
            paths = stakes(batch, paths)
        for match, path in zip(batch, paths, strict=True):
            rows.extend(_rows(match, path))
        report("drama index", len(part), total)
    replayed = pd.DataFrame(
        rows,
        columns=[
            *(c for c in COLUMNS if c not in base.columns or c in ("match_id", "side")),
            "staked_chance",
            "staked_goal",
        ],
    )
    out = base.merge(replayed, on=["match_id", "side"], how="left")
    # A group match's chance of what matters at kick-off is its stakes' (from its path).
    staked = out["staked_chance"].notna()
    out.loc[staked, "prematch_chance"] = out.loc[staked, "staked_chance"]
    out.loc[staked, "stake"] = out.loc[staked, "staked_goal"]
    return out[list(COLUMNS)]


def _rows(match: Match, path) -> list[dict]:
    metrics = drama_metrics(path, match.winner)
    live = path.kind != PointKind.FINAL_WHISTLE.value
    flags = ",".join(metrics.flags)
    out = []
    for side in (Side.HOME, Side.AWAY):
        chance = path.home_chance() if side is Side.HOME else path.away_chance()
        playing = np.where(live, chance, -np.inf)
        peak = int(np.argmax(playing))
        out.append(
            {
                "match_id": match.info.match_id,
                "side": side.value,
                "peak_chance": float(chance[peak]),
                "peak_minute": int(path.minute[peak]),
                "peak_stoppage": int(path.stoppage[peak]),
                "peak_time_left": float(path.time_left[peak]),
                "low_chance": float(np.min(np.where(live, chance, np.inf))),
                "excitement": metrics.excitement,
                "surprise": metrics.surprise,
                "suspense": metrics.suspense,
                "shock": metrics.shock,
                "comeback": metrics.comeback if metrics.winner is side else 0.0,
                "heartbreak": metrics.heartbreak if metrics.loser is side else 0.0,
                "decisive_minute": metrics.decisive_minute,
                "decisive_stoppage": metrics.decisive_stoppage,
                "lead_changes": metrics.lead_changes,
                "max_lead": metrics.max_lead_home if side is Side.HOME else metrics.max_lead_away,
                "flags": flags,
                "staked_chance": float(chance[0]) if path.stakes is not None else np.nan,
                "staked_goal": path.stakes.goal(side) if path.stakes is not None else None,
            }
        )
    return out
