"""The Python API: store → ratings → model → drama → story, as notebook-friendly objects.

The CLI and the HTTP API are thin layers over these functions. A :class:`Heartbreak` session
holds one store and the fitted models; the module-level functions use a default session built
from the environment (``HEARTBREAK_DB``, ``HEARTBREAK_DATA_DIR``), building the store on first use.

>>> import heartbreak.services as hb                              # doctest: +SKIP
>>> hb.predict("Belgium", "Japan", "2018-07-02", neutral=True, knockout=True).to_dict()
>>> r = hb.replay("Belgium", "Japan", "2018-07-02"); r.story.text; r.to_frame(); r.plot()
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heartbreak.data.sources import ATTRIBUTION_SHORT
from heartbreak.data.userfile import UserMatch
from heartbreak.dates import parse_bound, parse_day
from heartbreak.domain import Event, EventType, Match, MatchInfo, Side
from heartbreak.errors import HeartbreakError, InvalidInput, NoSuchMatch
from heartbreak.model.grid import ScoreGrid
from heartbreak.model.inplay import InPlayModel, kickoff_states
from heartbreak.model.params import ModelParams, load_params
from heartbreak.model.path import ProbabilityPath
from heartbreak.model.replay import replay as replay_match
from heartbreak.model.strengths import GoalModel, StrengthHistory, is_final_tournament
from heartbreak.results import MatchRecord, MatchReplay, Prediction, build_replay

# --- the session ----------------------------------------------------------------------------


#: The session's lazily loaded parts that :meth:`Heartbreak.warm` loads.
_WARMED = (
    "store",
    "prematch_model",
    "history",
    "editions",
    "_home_sides",
    "_edition_by_match",
    "_group_stakes",
    "rank_tables",
)


class Heartbreak:
    """One store and its fitted models. Cheap to create; models are fitted on first use."""

    def __init__(
        self,
        db: str | Path | None = None,
        data_dir: str | Path | None = None,
        progress: Callable[..., None] | None = None,
        params: ModelParams | None = None,
    ) -> None:
        self._db = db
        self._data_dir = data_dir
        self._progress = progress
        self.params = params or load_params()
        self.inplay = InPlayModel(self.params.inplay)

    @cached_property
    def store(self):
        from heartbreak.build import ensure_store

        return ensure_store(self._db, self._data_dir, progress=self._progress)

    def reopened(self) -> Heartbreak:
        """A new session over this session's store file, opened again (after an import or a
        rebuild replaced the file). It shares the model parameters; everything read from the
        store (history, rank tables) is read afresh. This session is left as it is, so work in
        progress on it finishes on the store it began with."""
        from heartbreak.data.store import Store

        fresh = Heartbreak(db=self.store.path, data_dir=self._data_dir, params=self.params)
        fresh.__dict__["store"] = Store(self.store.path)  # the cached_property's value
        return fresh

    @cached_property
    def prematch_model(self) -> GoalModel:
        """The goal model of the store: the team strengths fitted by its build and the
        parameters' ρ (:mod:`heartbreak.model.strengths`)."""
        fits, strengths = self.store.goal_fits()
        history = StrengthHistory(fits, strengths, self.params.goal_prior)
        return GoalModel(history, self.params.strengths.rho)

    @cached_property
    def history_matches(self) -> pd.DataFrame:
        """Every stored match, loaded once per session (for the precedents of replays)."""
        return self.store.matches()

    @cached_property
    def history_goals(self) -> pd.DataFrame:
        """Every stored goal, loaded once per session (for the precedents of replays)."""
        return self.store.all_goals()

    @cached_property
    def history(self):
        """The history prepared once per session for the precedents of replays
        (:class:`heartbreak.story.records.History`)."""
        from heartbreak.story.records import History

        return History(self.history_matches, self.history_goals)

    def warm(self) -> Heartbreak:
        """Load now what answering a match, a live state or a page reads on first use: the
        store, the goal model, the history of precedents, the tournaments, the group stakes
        and the rank tables. A server's first requests then do not wait for them (a standby
        takes over without loading them), and it can put them out of the garbage collector's
        reach (:func:`heartbreak.api.server.settle_heap`). The session, for chaining."""
        for name in _WARMED:
            getattr(self, name)
        return self

    # --- teams and ratings ---
    def resolve_team(self, name: str, date: dt.date | None = None) -> str:
        return self.store.resolver().resolve(name, date)

    def team_context(self) -> dict[str, Any]:
        """The validation context of :mod:`heartbreak.rules` (``{"resolve": ...}``) that tells
        a team from itself through the store's names and aliases; empty (the aliases that need
        no store) when no store is built, so that reading a file builds none."""
        from heartbreak import config
        from heartbreak.rules import resolver_of

        if "store" not in self.__dict__ and not config.db_path(self._db).is_file():
            return {}
        return {"resolve": resolver_of(self.store.resolver())}

    def ratings(self, date: str | dt.date, top: int | None = None) -> pd.DataFrame:
        """World Football Elo ratings as of a date (matches strictly before it), best first."""
        day = parse_day(date)
        frame = self.store.ratings_as_of(day)
        frame = frame.sort_values("rating", ascending=False, kind="stable").reset_index(drop=True)
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        return frame.head(top) if top else frame

    def team_rating(self, team: str, date: dt.date) -> float:
        frame = self.store.ratings_as_of(date, teams=[team])
        return float(frame["rating"].iloc[0])

    def team_ratings(self, teams: Sequence[str], dates: Sequence[dt.date]) -> np.ndarray:
        """:meth:`team_rating` of ``teams[i]`` on ``dates[i]`` for every i, in one query over
        the ratings history (see :meth:`heartbreak.data.store.Store.ratings_before`)."""
        return self.store.ratings_before(teams, dates)

    # --- history ---
    def top(
        self,
        metric: str = "heartbreak",
        *,
        competition: str | None = None,
        stage: str | None = None,
        team: str | None = None,
        date_from: str | dt.date | None = None,
        date_to: str | dt.date | None = None,
        limit: int = 10,
    ) -> pd.DataFrame:
        """The most dramatic matches by a drama metric (see ``heartbreak top``), as a DataFrame
        with a ``reason`` column."""
        from heartbreak.drama.metrics import RANKED_METRICS
        from heartbreak.history import reason

        if metric not in RANKED_METRICS:
            raise InvalidInput(
                f"--metric: {metric!r} is not one of {', '.join(RANKED_METRICS)}", field="metric"
            )
        frame = self.store.drama_rankings(
            metric,
            competition=competition,
            stage=stage,
            team=team,
            date_from=parse_bound(date_from, "--from", end=False),
            date_to=parse_bound(date_to, "--to", end=True),
            limit=limit,
        )
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        frame["reason"] = [reason(metric, row) for row in frame.itertuples(index=False)]
        return frame

    # --- tournaments ---
    @cached_property
    def _tournament_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The matches and cards of every modelled competition, read once."""
        from heartbreak.tournaments import COMPETITIONS

        return self.store.tournament_frames(COMPETITIONS)

    @cached_property
    def editions(self) -> list[Any]:
        """Every modelled final tournament (:mod:`heartbreak.tournaments`), built once."""
        from heartbreak.tournaments import editions

        return editions(*self._tournament_frames)

    @cached_property
    def _home_sides(self) -> dict[int, str]:
        """The home team of every tournament match not played on neutral ground, by id."""
        matches, _ = self._tournament_frames
        at_home = matches[~matches["neutral"].astype(bool)]
        return dict(zip(at_home["match_id"].astype(int), at_home["home"], strict=True))

    def edition(self, competition: str, year: int):
        """One edition: the competition as a fan types it ("World Cup", "Euro") and its year."""
        from heartbreak.tournaments import COMPETITIONS, find_edition

        names = [c for c in self.store.resolve_competition(competition) if c in COMPETITIONS]
        if len(names) != 1:
            raise InvalidInput(
                f"competition: {competition!r} is not one of {', '.join(COMPETITIONS)}",
                field="competition",
            )
        return find_edition(self.editions, names[0], int(year))

    def tournament(
        self,
        competition: str,
        year: int,
        as_of: str | dt.date | None = None,
        simulations: int = 10_000,
        seed: int = 0,
    ):
        """The forecast of a tournament as of the start of a day (default: its first day):
        group tables, every team's chance of each position, of each round and of the title
        (:class:`heartbreak.tournaments.forecast.TournamentForecast`)."""
        from heartbreak.tournaments.forecast import forecast

        edition = self.edition(competition, year)
        day = edition.start if as_of is None else parse_day(as_of, "as_of")
        return forecast(edition, day, self.tournament_strengths(edition, day), simulations, seed)

    @cached_property
    def _edition_by_match(self) -> dict[int, Any]:
        return {f.match_id: e for e in self.editions for f in e.fixtures}

    def edition_of_match(self, match_id: int):
        """The modelled edition a stored match belongs to, or None."""
        return self._edition_by_match.get(int(match_id))

    def tournament_odds(
        self, competition: str, year: int, simulations: int = 2_000, seed: int = 0
    ) -> pd.DataFrame:
        """How every team's odds moved through a tournament: the forecast at the start of each
        day with matches and after the last one, one row per (as_of, team): p_advance, a column
        per knockout round (``p_<round>``) and p_champion. Worked out once per session for each
        edition, number of simulations and seed (about 30 forecasts)."""
        edition = self.edition(competition, year)
        key = (edition.label, simulations, seed)
        if key not in self._odds:
            self._odds[key] = self._odds_of(edition, simulations, seed)
        return self._odds[key].copy()

    @cached_property
    def _odds(self) -> dict[tuple, pd.DataFrame]:
        return {}

    def _odds_of(self, edition, simulations: int, seed: int) -> pd.DataFrame:
        from heartbreak.tournaments.forecast import forecast

        days = sorted({f.date for f in edition.fixtures})
        days.append(days[-1] + dt.timedelta(days=1))
        frames = []
        for day in days:
            result = forecast(
                edition, day, self.tournament_strengths(edition, day), simulations, seed
            )
            frame = result.to_frame()
            frame.insert(0, "as_of", day)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def tournament_strengths(self, edition, day: dt.date):
        """The model's view of an edition's teams before ``day``: score grids and chances to
        win a knockout tie for any pairs, from the ratings as of that day (only earlier
        matches), and the teams that played at home."""
        from heartbreak.tournaments.forecast import model_strengths

        key = (edition.label, day)
        if key not in self._strengths:
            teams = list(edition.teams)
            frame = self.store.ratings_as_of(day, teams=teams)
            rating = dict(zip(frame["team"], frame["rating"], strict=True))
            at_home = self._home_sides
            hosts = frozenset(
                at_home[f.match_id] for f in edition.fixtures if f.match_id in at_home
            )
            goals = self.prematch_model
            rates = goals.rates_on(day, rating)
            self._strengths[key] = model_strengths(rates, goals.rho, self.inplay, hosts)
        return self._strengths[key]

    @cached_property
    def _strengths(self) -> dict[tuple, Any]:
        return {}

    @cached_property
    def _group_stakes(self):
        """The group stakes of the store's matches, prepared once per session from the
        modelled competitions' matches, cards and ratings (as the build does)."""
        from heartbreak.build import GroupStakes
        from heartbreak.tournaments import COMPETITIONS

        frame, _ = self._tournament_frames
        names = list(COMPETITIONS)
        cards = self.store.query(
            "SELECT c.* FROM cards c JOIN matches m ON m.match_id = c.match_id "
            "WHERE m.competition IN (SELECT unnest(?::VARCHAR[])) ORDER BY c.match_id, c.seq",
            [names],
        )
        teams = sorted(set(frame["home"]) | set(frame["away"]))
        ratings = self.store.query(
            "SELECT team, date, match_id, rating_after FROM ratings "
            "WHERE team IN (SELECT unnest(?::VARCHAR[]))",
            [teams],
        )
        return GroupStakes(
            frame,
            cards,
            ratings,
            self.store.load_matches,
            self.prematch_model,
            self.inplay,
            built=self.editions,
        )

    def group_stakes(
        self, matches: Sequence[Match], paths: Sequence[ProbabilityPath]
    ) -> list[ProbabilityPath]:
        """``paths`` with the stakes of their group (:mod:`heartbreak.tournaments.stakes`)
        where the match is a stored group match of a modelled tournament."""
        if not any(self.edition_of_match(m.info.match_id) for m in matches if m.info.match_id):
            return list(paths)
        return self._group_stakes(matches, list(paths))

    def group_fixture(
        self, competition: str, year: int, group: str, home: str, away: str, day: dt.date
    ):
        """The fixture of a group match as a live feed names it: the edition (the competition
        as a fan types it, and its year), the group ("H" or "Group H"), the two teams (the
        store's names, in the fixture's order) and its day. An error names the field that
        does not fit, and says what would."""
        from heartbreak.tournaments.stakes import locate

        edition = self.edition(competition, year)
        wanted = _group_key(group)
        groups = [g for g in edition.groups if _group_key(g.name) == wanted]
        if not groups:
            names = sorted({g.name for g in edition.groups})
            raise InvalidInput(
                f"group: {edition.label} has no group {group!r} (its groups: {', '.join(names)})",
                field="group",
            )
        for g in groups:
            for fixture in g.matches:
                if {fixture.home, fixture.away} != {home, away} or fixture.play_off:
                    continue
                if (fixture.home, fixture.away) != (home, away):
                    raise InvalidInput(
                        f"home: the fixture of {edition.label} {g.name} is {fixture.home} v "
                        f"{fixture.away} ({fixture.home} first)",
                        field="home",
                    )
                if fixture.date != day:
                    raise InvalidInput(
                        f"date: {home} v {away} of {edition.label} {g.name} is on "
                        f"{fixture.date.isoformat()}",
                        field="date",
                    )
                if locate(edition, fixture.match_id) is None:
                    break
                return edition, fixture
        teams = ", ".join(groups[0].teams)
        raise InvalidInput(
            f"away: {home} v {away} is not a match of {edition.label} {groups[0].name}"
            f" with stakes (its teams: {teams})",
            field="away",
        )

    def simultaneous_fixtures(self, match_id: int) -> frozenset[int]:
        """The ids of the fixtures of a group match's group played at the same time as it
        (:func:`heartbreak.tournaments.stakes.simultaneous_fixtures`); none for a match that
        has no group stakes."""
        from heartbreak.tournaments.stakes import locate, simultaneous_fixtures

        edition = self.edition_of_match(match_id)
        found = None if edition is None else locate(edition, match_id)
        if found is None:
            return frozenset()
        _, group, fixture = found
        return frozenset(f.match_id for f in simultaneous_fixtures(group, fixture))

    def live_group_stakes(
        self, path: ProbabilityPath, followed: Sequence[FollowedMatch]
    ) -> ProbabilityPath:
        """``path``, the replay so far of the group match ``followed[0]``, with its stakes
        (:mod:`heartbreak.tournaments.stakes`) as the group's matches followed live stand:
        ``followed``, the match first, then the group's other matches followed live (those
        played at the same time count; the others of the group count as the store holds
        them)."""
        from heartbreak.tournaments.stakes import LiveMatch

        me = followed[0]
        live: dict[int, LiveMatch] = {}
        for f in followed:
            edition = self.edition_of_match(f.fixture_id)
            if edition is None or edition is not self.edition_of_match(me.fixture_id):
                raise InvalidInput(
                    f"group: match {f.fixture_id} is not of the edition of match {me.fixture_id}",
                    field="group",
                )
            fixture = next(x for x in edition.fixtures if x.match_id == f.fixture_id)
            record = f.match
            fixture = dataclasses.replace(
                fixture, home_score=record.home_score, away_score=record.away_score
            )
            info = dataclasses.replace(record.info, match_id=f.fixture_id)
            prediction = self.prediction_of(info, f.elo_home, f.elo_away)
            live[f.fixture_id] = LiveMatch(
                fixture,
                dataclasses.replace(record, info=info),
                prediction.expected_goals_home,
                prediction.expected_goals_away,
                tuple(f.bookings),
                finished=f.finished,
            )
        stakes = self._group_stakes.live_stakes(me.fixture_id, path, live)
        return dataclasses.replace(path, stakes=stakes)

    def team(self, name: str):
        """A team's profile: most heartbreaking and joyful matches, knockout record, ratings."""
        from heartbreak.history import team_profile

        team = self.resolve_team(name)
        drama = self.store.team_drama(team)
        if drama.empty:
            raise NoSuchMatch(f"{team} has no matches in the store")
        ratings = self.store.rating_history(team)
        if ratings.empty:  # a team of imported matches only: they are never rated
            ids = ", ".join(str(int(i)) for i in drama["match_id"].head(3))
            more = ", ..." if len(drama) > 3 else ""
            raise NoSuchMatch(
                f"{team} has played only imported matches ({ids}{more}), which are not rated: "
                f"it has no rating history and no record; replay them with "
                f"heartbreak story --id {int(drama['match_id'].iloc[0])}"
            )
        return team_profile(team, drama, ratings)

    # --- prediction ---
    def predict(
        self,
        home: str,
        away: str,
        date: str | dt.date,
        neutral: bool = False,
        knockout: bool = False,
        elo_home: float | None = None,
        elo_away: float | None = None,
        competition: str | None = None,
    ) -> Prediction:
        """Pre-match probabilities of a fixture on a date, from the team strengths and ratings as
        of that date (or the ratings given, held to :func:`heartbreak.rules.check_rating`; a
        given rating is that side's whole strength). ``competition`` (as fans type it, e.g.
        "World Cup"; default a friendly): at a final tournament the home side is its host."""
        from heartbreak.rules import check_rating

        day = parse_day(date)
        competition = self.competition_named(competition) if competition else "Friendly"
        for name, value in (("elo_home", elo_home), ("elo_away", elo_away)):
            try:
                check_rating(value)
            except ValueError as exc:
                raise InvalidInput(f"{name}: {exc}", field=name) from None
        home_name = self.resolve_team(home, day) if elo_home is None else home
        away_name = self.resolve_team(away, day) if elo_away is None else away
        # A rating the user gives is the side's whole strength (the Elo-based rates).
        rating_only = (elo_home is not None, elo_away is not None)
        if home_name == away_name:
            raise InvalidInput(
                f"away: {away!r} is {home_name}, the home team: a team cannot play itself",
                field="away",
            )
        if elo_home is None:
            elo_home = self.team_rating(home_name, day)
        if elo_away is None:
            elo_away = self.team_rating(away_name, day)
        return self.predict_many(
            pd.DataFrame(
                {
                    "home": [home_name],
                    "away": [away_name],
                    "date": [day],
                    "neutral": [neutral],
                    "knockout": [knockout],
                    "elo_home": [elo_home],
                    "elo_away": [elo_away],
                    "rating_only_home": [rating_only[0]],
                    "rating_only_away": [rating_only[1]],
                    "competition": [competition],
                }
            )
        )[0]

    def competition_named(self, text: str) -> str:
        """The one stored competition a user's text names, or a clear error."""
        found = self.store.resolve_competition(text)
        if len(found) != 1:
            some = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            detail = f"it could be {some}" if found else "no stored competition has that name"
            raise InvalidInput(f"competition: {text!r}: {detail}", field="competition")
        return found[0]

    def predict_many(self, fixtures: pd.DataFrame) -> list[Prediction]:
        """Vectorised predictions; ``fixtures`` has home, away, date, neutral, knockout and
        elo_home/elo_away (looked up as of each date where missing, by :meth:`team_ratings`);
        optionally competition (a final tournament's home side is its host; default a
        friendly) and rating_only_home/rating_only_away (that side's strength from its rating
        alone, not its fitted strengths: a rating the user gave)."""
        frame = fixtures.copy()
        if "elo_home" not in frame or "elo_away" not in frame:
            dates = frame["date"].tolist()
            both = self.team_ratings(frame["home"].tolist() + frame["away"].tolist(), dates * 2)
            frame["elo_home"], frame["elo_away"] = both[: len(frame)], both[len(frame) :]
        neutral = frame["neutral"].to_numpy(dtype=bool)
        knockout = frame["knockout"].to_numpy(dtype=bool)
        competition = frame["competition"] if "competition" in frame else ["Friendly"] * len(frame)
        lam_h, lam_a = self.prematch_model.fixture_rates(
            frame["home"].tolist(),
            frame["away"].tolist(),
            frame["date"].tolist(),
            neutral,
            is_final_tournament(competition),
            frame["elo_home"].to_numpy(float),
            frame["elo_away"].to_numpy(float),
            frame["rating_only_home"].to_numpy(bool) if "rating_only_home" in frame else None,
            frame["rating_only_away"].to_numpy(bool) if "rating_only_away" in frame else None,
        )
        kickoff = self.inplay.evaluate(lam_h, lam_a, kickoff_states(knockout), with_suspense=False)
        grid = ScoreGrid.from_rates(lam_h, lam_a, rho=self.prematch_model.rho)
        out = []
        for i, row in enumerate(frame.itertuples(index=False)):
            out.append(
                Prediction(
                    home=row.home,
                    away=row.away,
                    date=row.date,
                    neutral=bool(neutral[i]),
                    knockout=bool(knockout[i]),
                    elo_home=float(row.elo_home),
                    elo_away=float(row.elo_away),
                    expected_goals_home=float(lam_h[i]),
                    expected_goals_away=float(lam_a[i]),
                    p_home_win=float(kickoff.p_home_win[i]),
                    p_draw=float(kickoff.p_draw[i]),
                    p_away_win=float(kickoff.p_away_win[i]),
                    p_home_advance=float(kickoff.p_home_advance[i]) if knockout[i] else None,
                    grid=grid[i],
                )
            )
        return out

    def predict_file(self, file: str | Path) -> list[Prediction]:
        """Predictions for every row of a fixtures CSV (``predict --batch``); a bad row stops
        with its file and line, before anything is predicted. Each row is validated once, as
        :class:`heartbreak.data.userfile.Fixture`; then the whole file costs one query of the
        ratings history (:meth:`team_ratings`) and one call of the model (:meth:`predict_many`):
        each row gives what :meth:`predict` gives for it."""
        from heartbreak.data.userfile import load_fixtures

        context = {**self.team_context(), "canonical": self.resolve_team}
        fixtures = [fixture for _, fixture in load_fixtures(file, context)]
        if not fixtures:
            return []
        columns = ("home", "away", "date", "neutral", "knockout")
        return self.predict_many(
            pd.DataFrame({c: [getattr(f, c) for f in fixtures] for c in columns})
        )

    # --- replay ---
    def find_match(self, home: str, away: str, date: str | dt.date) -> int:
        """The id of the one stored match between two teams (either order) on a date."""
        return self.store.find_match(home, away, parse_day(date))

    def replay(
        self, home: str, away: str, date: str | dt.date, side: str | None = None
    ) -> MatchReplay:
        """Replay a stored match found by its teams (either order) and date."""
        return self.replay_id(self.find_match(home, away, date), side=side)

    def prediction_of(self, info: MatchInfo, elo_home: float, elo_away: float) -> Prediction:
        """The pre-match prediction of a match from its ratings."""
        return self.predict_many(
            pd.DataFrame(
                {
                    "home": [info.home],
                    "away": [info.away],
                    "date": [info.date],
                    "neutral": [info.neutral],
                    "knockout": [info.knockout],
                    "competition": [info.competition],
                    "elo_home": [elo_home],
                    "elo_away": [elo_away],
                }
            )
        )[0]

    def record(self, match_id: int) -> MatchRecord:
        """The record of a stored match (see :class:`MatchRecord`): for every match, including
        those whose goal minutes are not all known."""
        match = self.store.match(match_id)
        row = self.store.match_row(match_id)
        info = match.info
        prediction = self.prediction_of(info, float(row["elo_home"]), float(row["elo_away"]))
        red_cards = self.store.cards(match_id)
        red_cards = red_cards[red_cards["card"].isin(["red", "second_yellow"])]
        return MatchRecord(match, prediction, self.store.goals(match_id), red_cards)

    def replay_id(self, match_id: int, side: str | None = None) -> MatchReplay:
        match = self.store.match(match_id)
        if not match.timeline_complete:
            raise InvalidInput(
                f"{match.info.home} v {match.info.away} ({match.info.date}): the record lists "
                "fewer goals with minutes than the score, so it cannot be replayed minute by minute"
            )
        row = self.store.match_row(match_id)
        view = None
        if side is not None:
            try:
                view = match.info.side_of(side)
            except KeyError:
                # An alias or code ("JPN", "West Germany") names the team as of the match date.
                try:
                    side = self.resolve_team(side, match.info.date)
                    view = match.info.side_of(side)
                except (HeartbreakError, KeyError):
                    view = None  # build_replay reports a side that did not play
        context = self.history.precedents(match_id, side=view)
        replay = self.replay_match(
            match, float(row["elo_home"]), float(row["elo_away"]), side=side, context=context
        )
        return dataclasses.replace(replay, ranks=self.metric_ranks(replay))

    @cached_property
    def rank_tables(self) -> dict[str, Any]:
        """Each ranked drama metric's values over the matches ``top`` ranks, prepared once per
        session (:class:`heartbreak.drama.ranks.RankTable`)."""
        from heartbreak.drama.metrics import RANKED_METRICS
        from heartbreak.drama.ranks import RankTable

        tables = {}
        for metric in RANKED_METRICS:
            frame = self.store.ranked_values(metric)
            tables[metric] = RankTable(frame["value"], frame["competition"])
        return tables

    def metric_ranks(self, replay: MatchReplay) -> dict[str, Any]:
        """Where each drama metric of a replay stands among the matches ``top`` ranks by it,
        overall and within the replay's competition: ``{metric: {value, rank, of, percentile,
        competition, competition_rank, competition_of, competition_percentile}}``, or None for
        a metric the match is not ranked by (no heartbreak without a loser who led the way)."""
        metrics = replay.metrics.to_dict()
        competition = replay.info.competition
        out: dict[str, Any] = {}
        for metric, table in self.rank_tables.items():
            value = metrics.get(metric)
            # Heartbreak and comeback rank only the matches that have one (see top).
            if (
                value is None
                or np.isnan(value)
                or (metric in ("heartbreak", "comeback") and not value > 0)
            ):
                out[metric] = None
                continue
            overall, within = table.rank(value), table.rank_within(value, competition)
            out[metric] = {
                "value": round(float(value), 6),
                **(overall.to_dict() if overall else {"rank": None, "of": 0, "percentile": None}),
                "competition": competition,
                **{
                    f"competition_{key}": v
                    for key, v in (
                        within.to_dict() if within else {"rank": None, "of": 0, "percentile": None}
                    ).items()
                },
            }
        return out

    def replay_match(
        self,
        match: Match,
        elo_home: float,
        elo_away: float,
        side: str | None = None,
        context: Sequence[Any] = (),
        *,
        in_progress: bool = False,
        group: Sequence[FollowedMatch] = (),
    ) -> MatchReplay:
        """Replay any match (stored or the user's own) from its ratings; ``context``: the
        precedents the story may tell; ``in_progress``: a live match not finished yet (see
        :func:`build_replay`); ``group``: a live group match and the other matches of its
        group followed live, the match first (see :meth:`live_group_stakes`)."""
        info = match.info
        prediction = self.prediction_of(info, elo_home, elo_away)
        path = replay_match(
            match, prediction.expected_goals_home, prediction.expected_goals_away, self.inplay
        )
        if group:
            path = self.live_group_stakes(path, group)
        else:
            path = self.group_stakes([match], [path])[0]
        return build_replay(match, prediction, path, side, context=context, in_progress=in_progress)

    def replay_user_match(self, user: UserMatch, side: str | None = None) -> MatchReplay:
        """Replay a match from a user's file; ratings from the file or from the store."""
        day = user.date
        from heartbreak.rules import check_teams

        try:  # the file may name one team twice through the store's aliases
            check_teams(user.home, user.away, day, self.team_context().get("resolve"))
        except ValueError as exc:
            raise InvalidInput(str(exc), field=getattr(exc, "field", None)) from None
        home = user.home if user.elo_home is not None else self.resolve_team(user.home, day)
        away = user.away if user.elo_away is not None else self.resolve_team(user.away, day)
        elo_home = user.elo_home if user.elo_home is not None else self.team_rating(home, day)
        elo_away = user.elo_away if user.elo_away is not None else self.team_rating(away, day)
        match = user_match_to_domain(user, home, away)
        return self.replay_match(match, elo_home, elo_away, side=side)


@dataclasses.dataclass(frozen=True)
class FollowedMatch:
    """A group match followed live, as it stands: its fixture's id in the store, the match so
    far, its pre-match ratings, the cards shown so far (for fair play:
    :class:`heartbreak.tournaments.stakes.Booking`) and whether its final whistle has gone."""

    fixture_id: int
    match: Match
    elo_home: float
    elo_away: float
    bookings: tuple[Any, ...] = ()
    finished: bool = False


def _group_key(name: str) -> str:
    """A group's name as a user may type it: "H", "group h" and "Group H" are one."""
    return name.strip().casefold().removeprefix("group").strip()


def user_match_to_domain(user: UserMatch, home: str, away: str) -> Match:
    """A user's match as a domain :class:`Match` (sides found by the names in the file)."""

    def side_of(team: str) -> Side:
        return Side.HOME if team.casefold() == user.home.casefold() else Side.AWAY

    events = tuple(
        sorted(
            (
                Event(
                    EventType.GOAL if e.type == "goal" else EventType.RED_CARD,
                    e.minute,
                    e.stoppage,
                    side=side_of(e.team),
                    player=e.player,
                    own_goal=e.own_goal,
                    penalty=e.penalty,
                )
                for e in user.events
            ),
            key=lambda e: e.sort_key,
        )
    )
    goals = [e for e in events if e.type is EventType.GOAL]
    info = MatchInfo(
        home=home,
        away=away,
        date=user.date,
        competition=user.competition,
        stage=user.stage,
        knockout=user.knockout,
        neutral=user.neutral,
    )
    return Match(
        info=info,
        home_score=sum(e.side is Side.HOME for e in goals),
        away_score=sum(e.side is Side.AWAY for e in goals),
        events=events,
        # Unknown (None) unless the file says so or an event is in extra time: a level knockout
        # settled on penalties then had extra time first.
        extra_time=True if any(e.minute > 90 for e in events) else user.extra_time,
        shootout_winner=side_of(user.shootout_winner) if user.shootout_winner else None,
    )


def fit_parameters(
    session: Heartbreak, train_end: str = "2019-07-01", out: str | Path | None = None
) -> tuple[ModelParams, Path]:
    """Fit every parameter on matches before ``train_end`` and write the parameter file
    (by default the packaged one, which every session then loads)."""
    from heartbreak.model.params import packaged_path, save_params

    parse_day(train_end, "--train-end")
    history = _recorded_history(session.store)
    params = _fit(session, history, train_end, session.store.all_shootout_kicks())
    return params, save_params(params, out if out is not None else packaged_path())


def evaluate(
    session: Heartbreak,
    date_from: str | None = None,
    date_to: str | None = None,
    selection: str = "well_recorded",
    diagrams: str | Path | None = None,
    progress: Callable[..., None] | None = None,
) -> dict:
    """Walk-forward evaluation: in-play checkpoints on the held-out matches from ``date_from``
    (default 2010-07-01) to ``date_to`` (default: the last match), each evaluation year (1 July
    to 30 June) forecast with the parameters refitted on the matches before its first day, so
    no held-out match shapes the forecast of its year
    (:func:`heartbreak.evaluation.inplay.evaluate_walk_forward`); and pre-match probabilities
    on the major final tournaments 2010–2026. ``parameters``: each year's fit, in order.
    ``progress(description, advance, total)`` is told of each year. Deterministic."""
    from heartbreak.evaluation.inplay import WALK_FORWARD_FROM, evaluate_walk_forward
    from heartbreak.evaluation.prematch import prematch_backtest
    from heartbreak.model.prematch import PrematchModel

    start = parse_day(date_from or WALK_FORWARD_FROM, "--from").isoformat()
    end = parse_day(date_to, "--to").isoformat() if date_to is not None else None
    if end is not None and end <= start:
        raise InvalidInput(f"--from/--to: {start} is not before {end}", field="date_to")
    if selection not in ("well_recorded", "complete"):
        raise InvalidInput(
            f"--selection: {selection!r} is not well_recorded or complete", field="selection"
        )
    matches, goals, reds = _recorded_history(session.store)
    kicks = session.store.all_shootout_kicks()
    fits: list[ModelParams] = []

    def fit(train_end: str) -> tuple[PrematchModel, InPlayModel]:
        params = _fit(session, (matches, goals, reds), train_end, kicks)
        fits.append(params)
        return PrematchModel.from_params(params.goals), InPlayModel(params.inplay)

    inplay = evaluate_walk_forward(
        matches,
        goals,
        reds,
        fit,
        date_from=start,
        date_to=end,
        selection=selection,
        progress=progress,
    )
    if inplay["matches"] == 0:
        raise InvalidInput(f"--from/--to: no held-out matches between {start} and {end or 'now'}")
    summary, test = prematch_backtest(matches)
    results = {
        "inplay": inplay,
        "prematch": {
            "from": "2010-01-01",
            "to": "2026-12-31",
            "competitions": sorted(test["competition"].unique().tolist()),
            "summary": summary.to_dict("records"),
            "fit": {k: v for k, v in summary.attrs.items()},
        },
        "parameters": [params.to_dict() for params in fits],
        "attribution": ATTRIBUTION_SHORT,
    }
    if diagrams is not None:
        from heartbreak.evaluation.plots import save_reliability_diagrams

        results["diagrams"] = [str(p) for p in save_reliability_diagrams(inplay, diagrams)]
    return results


def _fit(session: Heartbreak, history, train_end: str, kicks: pd.DataFrame) -> ModelParams:
    """:func:`heartbreak.model.fit.fit_model` on the record's (matches, goals, reds) before
    ``train_end``, with the session's Elo and goal-model settings."""
    from heartbreak.model.fit import fit_model

    return fit_model(
        *history,
        train_end=train_end,
        elo=session.params.elo,
        kicks=kicks,
        strengths=session.params.strengths,
    )


def _recorded_history(store) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Matches, goals and sendings-off of the record, without the user's own matches (which
    must never shape a fitted parameter or an evaluation)."""
    matches = store.matches()
    matches = matches[matches["source"] != "user"]
    ids = set(matches["match_id"])
    goals, reds = store.all_goals(), store.all_red_cards()
    return matches, goals[goals["match_id"].isin(ids)], reds[reds["match_id"].isin(ids)]


# --- the default session --------------------------------------------------------------------

_default: Heartbreak | None = None


def session() -> Heartbreak:
    """The default session (store and data folder from the environment)."""
    global _default
    if _default is None:
        _default = Heartbreak()
    return _default


def predict(
    home: str,
    away: str,
    date: str | dt.date,
    neutral: bool = False,
    knockout: bool = False,
    competition: str | None = None,
) -> Prediction:
    return session().predict(
        home, away, date, neutral=neutral, knockout=knockout, competition=competition
    )


def replay(home: str, away: str, date: str | dt.date, side: str | None = None) -> MatchReplay:
    return session().replay(home, away, date, side=side)


def ratings(date: str | dt.date, top: int | None = None) -> pd.DataFrame:
    return session().ratings(date, top)
