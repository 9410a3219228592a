"""The matches a user imported: the file beside the store that holds them, and their rows.

``heartbreak import`` keeps them in ``<db>.user-matches.json`` (a JSON list in the
:class:`~heartbreak.data.userfile.UserMatch` schema); every build appends them to the derived
tables after the real matches, with ids from :data:`USER_MATCH_ID_BASE` on (in the order of the
file) and source ``user``, with their goals and sendings-off, rated as of their date from the
real history (or with the ``elo_home``/``elo_away`` of the file) and never rated themselves: a
fictional match changes no real team's rating. A team the store does not know joins ``teams``
(it needs its rating in the file).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from pydantic import TypeAdapter, ValidationError

from heartbreak.data.tables import PERIOD_ORDER
from heartbreak.data.teams import TeamResolver, aliases_from_frame
from heartbreak.data.userfile import UserMatch, _pydantic_message
from heartbreak.domain import Period
from heartbreak.errors import InvalidInput, UnknownTeam

#: match_id of the first user match; the others follow in the order of the user-matches file.
USER_MATCH_ID_BASE = 10_000_000


class BadUserMatch(InvalidInput):
    """A user match the build cannot take; ``index`` is its position in the list built from,
    ``field`` the field at fault (e.g. ``elo_home``)."""

    def __init__(self, origin: str, index: int, field: str, problem: str) -> None:
        self.index = index
        self.problem = problem
        super().__init__(f"{origin}: [{index}].{field}: {problem}", field=field)


def user_matches_path(db_path: Path | str) -> Path:
    """The user-matches file kept beside a store: ``<db>.user-matches.json``."""
    db = Path(db_path)
    return db.with_name(f"{db.name}.user-matches.json")


def read_user_matches(path: Path | str) -> list[UserMatch]:
    """The matches of a user-matches file (a JSON list of UserMatch); none when it is missing.
    A malformed file is an InvalidInput naming the file and the field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the user matches ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    try:
        return TypeAdapter(list[UserMatch]).validate_python(data)
    except ValidationError as exc:
        raise InvalidInput(f"{path}: {_pydantic_message(exc)}") from None


def append_user_matches(
    tables: dict[str, pd.DataFrame], users: list[UserMatch], origin: str, initial_rating: float
) -> None:
    """Append user matches (their rows, goals, sendings-off and new teams) to derived tables,
    rated as of their dates from the real ``ratings`` history (a team without one has
    ``initial_rating``); the history is left unchanged."""
    aliases = aliases_from_frame(tables["team_aliases"])
    resolver = TeamResolver(tables["teams"]["name"], aliases)
    history = tables["ratings"].sort_values(["team", "date", "match_id"], kind="stable")
    by_team = {team: group for team, group in history.groupby("team", sort=False)}
    initial = initial_rating

    def rating(team: str, day: dt.date) -> float:
        # Only matches strictly before the day count (as Store.ratings_as_of).
        group = by_team.get(team)
        if group is None:
            return initial
        before = group[group["date"] < pd.Timestamp(day)]
        return float(before["rating_after"].iloc[-1]) if len(before) else initial

    rows, goals, cards = [], [], []
    for i, user in enumerate(users):
        match_id = USER_MATCH_ID_BASE + i
        name, elo = {}, {}
        for side, typed, given in (
            ("home", user.home, user.elo_home),
            ("away", user.away, user.elo_away),
        ):
            try:
                name[side] = resolver.resolve(typed, user.date)
            except UnknownTeam:
                if given is None:
                    raise BadUserMatch(
                        origin,
                        i,
                        f"elo_{side}",
                        f"{typed!r} is not a team of the store, so its rating is needed",
                    ) from None
                name[side] = " ".join(typed.split())
            elo[side] = float(given) if given is not None else rating(name[side], user.date)
        if name["home"] == name["away"]:
            raise BadUserMatch(
                origin,
                i,
                "away",
                f"{user.away!r} is {name['home']}, the home team: a team cannot play itself",
            )

        sides = {user.home.casefold(): "home", user.away.casefold(): "away"}
        events = sorted(
            enumerate(user.events),
            key=lambda item: (
                PERIOD_ORDER[Period.of_minute(item[1].minute).value],
                item[1].minute,
                item[1].stoppage,
                item[0],
            ),
        )
        score = {"home": 0, "away": 0}
        seq = {"goal": 0, "red_card": 0}
        for _, e in events:
            side = sides[e.team.casefold()]
            seq[e.type] += 1
            common = {
                "match_id": match_id,
                "seq": seq[e.type],
                "team": name[side],
                "side": side,
                "minute": e.minute,
                "stoppage": e.stoppage,
                "period": Period.of_minute(e.minute).value,
            }
            if e.type == "goal":
                score[side] += 1
                goals.append(
                    {**common, "scorer": e.player, "own_goal": e.own_goal, "penalty": e.penalty}
                )
            else:
                cards.append({**common, "player": e.player, "card": "red", "sending_off": True})
        shootout = name[sides[user.shootout_winner.casefold()]] if user.shootout_winner else None
        winner = (
            name["home"]
            if score["home"] > score["away"]
            else name["away"]
            if score["away"] > score["home"]
            else shootout
        )
        extra = True if any(e.minute > 90 for e in user.events) else user.extra_time
        rows.append(
            {
                "match_id": match_id,
                "date": pd.Timestamp(user.date),
                "home": name["home"],
                "away": name["away"],
                "home_score": score["home"],
                "away_score": score["away"],
                "competition": user.competition,
                "city": None,
                "country": None,
                "neutral": user.neutral,
                "wc_match_id": None,
                "stage": user.stage,
                "knockout": user.knockout,
                "goals_listed": score["home"] + score["away"],
                "extra_time": pd.NA if extra is None else extra,
                "shootout_winner": shootout,
                "home_penalties": pd.NA,
                "away_penalties": pd.NA,
                "winner": winner,
                "timeline_complete": True,
                "source": "user",
                "elo_home": elo["home"],
                "elo_away": elo["away"],
            }
        )

    matches = tables["matches"]
    added = pd.DataFrame(rows, columns=matches.columns).astype(
        {"extra_time": "boolean", "home_penalties": "Int64", "away_penalties": "Int64"}
    )
    tables["matches"] = pd.concat([matches, added], ignore_index=True)
    shootouts = [
        {"match_id": r["match_id"], "winner": r["shootout_winner"], "first_shooter": None}
        for r in rows
        if r["shootout_winner"] is not None
    ]
    for table, new in (("goals", goals), ("cards", cards), ("shootouts", shootouts)):
        if new:
            frame = pd.DataFrame(new, columns=tables[table].columns)
            tables[table] = pd.concat([tables[table], frame], ignore_index=True)

    # Teams the store does not know join the teams table (real teams' rows are unchanged).
    known = set(tables["teams"]["name"])
    both = pd.concat(
        [
            added[["home", "date"]].rename(columns={"home": "name"}),
            added[["away", "date"]].rename(columns={"away": "name"}),
        ],
        ignore_index=True,
    )
    both = both[~both["name"].isin(known)]
    if len(both):
        new_teams = both.groupby("name")["date"].agg(
            first_match="min", last_match="max", matches="size"
        )
        teams = pd.concat([tables["teams"], new_teams.reset_index()], ignore_index=True)
        tables["teams"] = teams.sort_values("name").reset_index(drop=True)
