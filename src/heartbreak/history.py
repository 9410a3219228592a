"""Rankings and team histories from the drama index: the "most heartbreaking ever" lists.

Every line of text here is built from the numbers of the drama index and the match record;
nothing is written for a particular match.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heartbreak.data.brackets import MAJOR_TOURNAMENTS
from heartbreak.domain import minute_label
from heartbreak.serialize import day
from heartbreak.wording import chance_text

#: What the team's knockout record counts, in the words the page, the CLI and the JSON give.
KNOCKOUT_DEFINITION = (
    "Knockout matches of the major tournaments (the World Cup, the Euro, the Copa América, the "
    "Africa Cup of Nations, the Asian Cup, the Gold Cup and the CONCACAF Championship before it, "
    "the OFC Nations Cup and the Confederations Cup): every single match that had to produce a "
    "winner, play-offs included, won or lost in 90 minutes, after extra time or on penalties. "
    "Friendlies, qualifiers, the legs of two-legged ties and other competitions are not counted."
)

#: How a knockout was decided, in the order the record lists them, with the words for each.
DECIDED = {
    "in_90": "in 90'",
    "after_extra_time": "after extra time",
    "on_penalties": "on penalties",
    "not_recorded": "not recorded whether in 90' or after extra time",
}


def _score(row) -> str:
    text = f"{row.home} {int(row.home_score)}-{int(row.away_score)} {row.away}"
    if isinstance(row.shootout_winner, str):
        return text + f" ({row.shootout_winner} on penalties)"
    if bool(row.extra_time) if not pd.isna(row.extra_time) else False:
        return text + " a.e.t."
    return text


def _aim(row) -> str:
    """What the side's chance was a chance of: the index's ``stake`` (a group match replayed
    for its stakes: going through, or first place), else by the match."""
    stake = getattr(row, "stake", None)
    if stake == "first":
        return "finish first"
    if stake in ("through", "advance") or (stake is None and bool(row.knockout)):
        return "go through"
    return "win"


def _decisive(row) -> str:
    if isinstance(row.shootout_winner, str) and row.home_score == row.away_score:
        return "the shootout"
    if pd.isna(row.decisive_minute):
        return "the end"
    return minute_label(int(row.decisive_minute), int(row.decisive_stoppage or 0))


def _peak_when(row) -> str:
    """When the side held its peak chance: "at 86'", or "in the shootout" (a shootout followed
    kick by kick: no play was left, and the chance was above the even one a level score holds
    when play ends)."""
    shootout = isinstance(row.shootout_winner, str) and row.home_score == row.away_score
    if shootout and row.peak_time_left == 0 and row.peak_chance > 0.5 + 1e-9:
        return "in the shootout"
    if pd.isna(row.peak_minute):
        return "at ?"
    return "at " + minute_label(int(row.peak_minute), int(row.peak_stoppage))


def reason(metric: str, row) -> str:
    """One line, from the facts, saying why a match ranks for a metric."""
    if metric == "heartbreak":
        return (
            f"{row.team} had {chance_text(row.peak_chance)} to {_aim(row)} {_peak_when(row)}; "
            f"decided at {_decisive(row)}: {_score(row)}"
        )
    if metric == "comeback":
        return f"{row.team} were down to {chance_text(row.low_chance)} and won: {_score(row)}"
    if metric == "shock":
        return (
            f"{row.team} had {chance_text(row.prematch_chance)} to {_aim(row)} before kick-off: "
            f"{_score(row)}"
        )
    changes = int(row.lead_changes) if not pd.isna(row.lead_changes) else 0
    plural = "" if changes == 1 else "s"
    return f"{changes} lead change{plural}, decided at {_decisive(row)}: {_score(row)}"


def rankings_to_records(frame: pd.DataFrame, metric: str) -> list[dict[str, Any]]:
    """The ``top`` contract: rank, match_id, date, home, away, score, competition, stage,
    side, metric, value, reason."""
    out = []
    for rank, row in enumerate(frame.itertuples(index=False), start=1):
        out.append(
            {
                "rank": rank,
                "match_id": int(row.match_id),
                "date": pd.Timestamp(row.date).date().isoformat(),
                "home": row.home,
                "away": row.away,
                "score": {"home": int(row.home_score), "away": int(row.away_score)},
                "competition": row.competition,
                "stage": None if pd.isna(row.stage) else row.stage,
                "side": row.team,
                "metric": metric,
                "value": round(float(row.value), 6),
                "reason": reason(metric, row),
            }
        )
    return out


@dataclass(frozen=True)
class TeamProfile:
    """A team's record: most heartbreaking and most joyful matches, knockout record, ratings."""

    team: str
    matches: int
    first_match: dt.date
    last_match: dt.date
    rating_now: float
    peak_rating: float
    peak_rating_date: dt.date
    knockout: dict[str, Any]
    heartbreaks: list[dict[str, Any]]
    joys: list[dict[str, Any]]
    rating_history: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "matches": self.matches,
            "first_match": self.first_match.isoformat(),
            "last_match": self.last_match.isoformat(),
            "rating_now": round(self.rating_now, 1),
            "peak_rating": {
                "value": round(self.peak_rating, 1),
                "date": self.peak_rating_date.isoformat(),
            },
            "knockout_record": self.knockout,
            "most_heartbreaking": self.heartbreaks,
            "most_joyful": self.joys,
            "rating_history": [
                {"date": day(r.date), "match_id": int(r.match_id), "rating": round(r.rating, 1)}
                for r in self.rating_history.itertuples(index=False)
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """The rating history: date, match_id, rating after the match."""
        return self.rating_history

    def plot(self, ax=None):
        """The team's World Football Elo rating over time, with its most heartbreaking and most
        joyful matches marked (Okabe–Ito colours)."""
        import matplotlib.dates as mdates
        from matplotlib.figure import Figure

        from heartbreak.data.sources import ATTRIBUTION_SHORT

        fig = None
        if ax is None:
            fig = Figure(figsize=(10, 4.2))
            ax = fig.add_axes((0.07, 0.16, 0.9, 0.72))
        history = self.rating_history
        few = len(history) <= 40
        ax.plot(
            pd.to_datetime(history["date"]),
            history["rating"],
            color="#0072B2",
            linewidth=1.4,
            marker="o" if few else None,
            markersize=3,
        )
        years = f"{self.first_match.year}"
        if self.last_match.year != self.first_match.year:
            years += f"–{self.last_match.year}"
        ax.set_title(f"{self.team}: World Football Elo rating, {years}", loc="left")
        ax.set_ylabel("rating")
        ax.grid(alpha=0.3)
        # The axis spans the team's first match to its last; fixed limits, so that markers can be
        # placed in the figure's own units.
        first, last = pd.Timestamp(self.first_match), pd.Timestamp(self.last_match)
        pad = max((last - first) * 0.01, pd.Timedelta(days=20))
        if last - first < pd.Timedelta(days=365):
            pad = (pd.Timedelta(days=365) - (last - first)) / 2
        ax.set_xlim(first - pad, last + pad)
        locator = mdates.AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        low, high = float(history["rating"].min()), float(history["rating"].max())
        margin = max((high - low) * 0.1, 10.0)
        ax.set_ylim(low - margin, high + margin * 1.6)
        ax.set_autoscale_on(False)
        by_match = history.set_index("match_id")["rating"]
        marks = [
            (pd.Timestamp(r["date"]), float(by_match[r["match_id"]]), kind)
            for kind, rows in (("hurt", self.heartbreaks), ("joy", self.joys))
            for r in rows
            if r["match_id"] in by_match.index
        ]
        placed = _dodge(ax, marks, size=46)
        for kind, colour, marker, label in (
            ("hurt", "#D55E00", "v", "most heartbreaking"),
            ("joy", "#009E73", "^", "most joyful"),
        ):
            mine = [(m, y) for m, y in zip(marks, placed, strict=True) if m[2] == kind]
            if not mine:
                continue
            for (x, anchor, _), y in mine:
                if abs(y - anchor) > 1e-9:
                    ax.plot([x, x], [anchor, y], color="#777777", linewidth=0.6, linestyle=":")
            ax.scatter(
                [m[0] for m, _ in mine],
                [y for _, y in mine],
                color=colour,
                marker=marker,
                s=46,
                zorder=3,
                label=label,
                edgecolors="white",
                linewidths=0.6,
            )
        peak = pd.Timestamp(self.peak_rating_date)
        ax.annotate(
            f"peak {self.peak_rating:.0f}",
            (peak, self.peak_rating),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
        if marks:
            ax.legend(loc="upper left", frameon=False, fontsize=8)
        (fig or ax.figure).text(0.01, 0.01, ATTRIBUTION_SHORT, fontsize=6, color="#666666")
        return fig or ax.figure


def _dodge(ax, marks: list[tuple[pd.Timestamp, float, str]], size: float) -> list[float]:
    """The y of each marker, moved from its rating (joyful ones up, heartbreaking ones down) by
    whole marker heights until no two markers overlap on the figure."""
    import matplotlib.dates as mdates

    if not marks:
        return []
    scale = ax.figure.dpi / 72.0
    room = (size**0.5 + 2.0) * scale  # a marker's width and a little air, in pixels
    to_px = ax.transData.transform
    points = to_px([(mdates.date2num(x), y) for x, y, _ in marks])
    top, bottom = ax.bbox.y1 - room / 2, ax.bbox.y0 + room / 2
    order = sorted(range(len(marks)), key=lambda i: points[i][0])
    placed: dict[int, tuple[float, float]] = {}
    for i in order:
        px, py = points[i]
        up = 1.0 if marks[i][2] == "joy" else -1.0
        y = py
        for k in range(40):
            step = ((k + 1) // 2) * room * (up if k % 2 else -up)
            candidate = py + step
            if not bottom <= candidate <= top:
                continue
            if all(
                ((px - qx) ** 2 + (candidate - qy) ** 2) ** 0.5 >= room
                for qx, qy in placed.values()
            ):
                y = candidate
                break
        placed[i] = (px, y)
    inverse = ax.transData.inverted().transform
    return [float(inverse((placed[i][0], placed[i][1]))[1]) for i in range(len(marks))]


def team_profile(
    team: str, drama: pd.DataFrame, ratings: pd.DataFrame, limit: int = 5
) -> TeamProfile:
    """Build a profile from the team's drama-index rows and rating history."""
    complete = drama[drama["complete"].fillna(False).astype(bool)]
    hurt = complete[complete["heartbreak"] > 0].sort_values("heartbreak", ascending=False)
    joy = complete[complete["comeback"] > 0].sort_values("comeback", ascending=False)
    heartbreaks = rankings_to_records(
        hurt.head(limit).assign(value=lambda d: d["heartbreak"]), "heartbreak"
    )
    joys = rankings_to_records(joy.head(limit).assign(value=lambda d: d["comeback"]), "comeback")
    record = knockout_record(team, drama)
    history = pd.DataFrame(
        {
            "date": pd.to_datetime(ratings["date"]).dt.date,
            "match_id": ratings["match_id"],
            "rating": ratings["rating_after"],
        }
    )
    peak_at = int(np.argmax(history["rating"].to_numpy()))
    dates = pd.to_datetime(drama["date"])
    return TeamProfile(
        team=team,
        matches=len(drama),
        first_match=dates.min().date(),
        last_match=dates.max().date(),
        rating_now=float(history["rating"].iloc[-1]),
        peak_rating=float(history["rating"].iloc[peak_at]),
        peak_rating_date=history["date"].iloc[peak_at],
        knockout=record,
        heartbreaks=heartbreaks,
        joys=joys,
        rating_history=history,
    )


def _decided(row) -> str:
    """How a knockout match was decided: one of :data:`DECIDED`, or "level" (replayed, or
    decided by lot, as before shootouts)."""
    level = row.home_score == row.away_score
    if level and isinstance(row.shootout_winner, str):
        return "on_penalties"
    if level:
        return "level"
    if pd.isna(row.extra_time):
        return "not_recorded"
    return "after_extra_time" if bool(row.extra_time) else "in_90"


def knockout_record(team: str, drama: pd.DataFrame) -> dict[str, Any]:
    """The team's record in the knockout matches of the major tournaments
    (:data:`KNOCKOUT_DEFINITION`), from its drama-index rows with their match facts: played, won,
    lost and level (replayed or decided by lot), won and lost by how they were decided, the
    matches themselves, and what the record leaves out (friendlies decided on penalties, and the
    knockouts of other competitions)."""
    knockout = drama["knockout"].fillna(False).astype(bool)
    major = drama["competition"].isin(MAJOR_TOURNAMENTS)
    ko = drama[knockout & major]
    decided = [_decided(r) for r in ko.itertuples(index=False)]
    tally = Counter(zip(decided, ko["result"], strict=True))
    by = {how: {"won": tally[how, "won"], "lost": tally[how, "lost"]} for how in DECIDED}
    level = drama["home_score"] == drama["away_score"]
    friendly_shootouts = (
        (drama["competition"] == "Friendly") & level & drama["shootout_winner"].notna()
    )
    matches = [
        {
            "match_id": int(r.match_id),
            "date": pd.Timestamp(r.date).date().isoformat(),
            "competition": r.competition,
            "stage": None if pd.isna(r.stage) else r.stage,
            "opponent": r.opponent,
            "score": _score(r),
            "result": "level" if how == "level" else r.result,
            "decided": how,
        }
        for r, how in zip(ko.itertuples(index=False), decided, strict=True)
    ]
    record = {
        "definition": KNOCKOUT_DEFINITION,
        "competitions": list(MAJOR_TOURNAMENTS),
        "played": len(ko),
        "won": sum(v["won"] for v in by.values()),
        "lost": sum(v["lost"] for v in by.values()),
        "level": decided.count("level"),
        "decided": by,
        "shootouts_won": by["on_penalties"]["won"],
        "shootouts_lost": by["on_penalties"]["lost"],
        "matches": matches,
        "not_counted": {
            "friendlies_decided_on_penalties": int(friendly_shootouts.sum()),
            "other_competitions": int((knockout & ~major).sum()),
        },
    }
    record["summary"] = knockout_summary(record)
    record["not_counted"]["summary"] = not_counted_summary(record)
    return record


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def knockout_summary(record: dict[str, Any]) -> str:
    """The record in one sentence: "29 matches: won 17 (12 in 90', 2 after extra time, 3 on
    penalties), lost 12 (8 in 90', 4 on penalties)."."""
    if not record["played"]:
        return "No knockout match in a major tournament."
    parts = []
    for outcome in ("won", "lost"):
        ways = [
            f"{record['decided'][how][outcome]} {words}"
            for how, words in DECIDED.items()
            if record["decided"][how][outcome]
        ]
        detail = f" ({', '.join(ways)})" if ways else ""
        parts.append(f"{outcome} {record[outcome]}{detail}")
    if record["level"]:
        parts.append(f"{record['level']} level after extra time, then replayed or decided by lot")
    return f"{_plural(record['played'], 'match', 'matches')}: {', '.join(parts)}."


def not_counted_summary(record: dict[str, Any]) -> str | None:
    """What the record leaves out, in one sentence, or None."""
    left = record["not_counted"]
    parts = []
    if left["friendlies_decided_on_penalties"]:
        n = left["friendlies_decided_on_penalties"]
        parts.append(f"{_plural(n, 'friendly', 'friendlies')} decided on penalties (a draw)")
    if left["other_competitions"]:
        n = left["other_competitions"]
        parts.append(
            f"{_plural(n, 'match', 'matches')} of other competitions settled after extra "
            "time or on penalties"
        )
    return f"Not counted: {'; '.join(parts)}." if parts else None
