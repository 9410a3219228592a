"""The rules of each edition's group stage: points for a win, the tie-break order, who goes
through. One explicit table (:data:`RULES`), era by era, with its sources.

A group is ranked on points, then on the edition's :class:`Criterion` list in order:

- overall criteria (``goal difference``, ``goal average``, ``goals scored``, ``fair play``) are
  computed over all the group's matches;
- head-to-head criteria (``head-to-head points``, ``... goal difference``, ``... goals
  scored``) over the matches between the teams still level; with ``reapply`` (UEFA from 1996,
  CAF, AFC), when they separate some of the teams but not all, they are applied again to the
  matches between the teams still level (UEFA EURO regulations, "criteria a) to c) are
  reapplied exclusively to the matches between the teams in question");
- ``play-off``: the winner of a play-off between the two teams level (1954 and 1958 World
  Cups, where teams level for a place in the quarter-finals played again);
- ``lots``: a drawing of lots. The historical draws the data cannot show are recorded in
  :data:`DRAWN_LOTS`; any other tie that reaches it is ordered at random (or by name when no
  random generator is given) and reported as ``lots``.

Criteria the data cannot answer (a UEFA coefficient, a FIFA ranking, the fair play of
competitions whose cards the data lack) are left out, and a tie that would reach them falls to
lots; :data:`RULES` says so where it happens.

Sources (regulations as reported at the time; the World Cup's are checked against every group's
final positions in the World Cup database, tests/integration/test_tournament_tables_real.py):

- World Cup 1930–1990: two points for a win; goal average until 1966, goal difference then
  goals scored from 1970 (the 1970 regulations; Mexico and the Soviet Union, level on both in
  1970 Group 1, were separated by lots); 1954: teams level for a quarter-final place played
  again, teams level for first place drew lots; 1958: a play-off for a quarter-final place,
  goal average otherwise.
- World Cup 1994–2014: three points for a win (FIFA, 1994); points, goal difference, goals
  scored, then points, goal difference and goals scored between the teams concerned, lots.
- World Cup 2018–2022: the same, then fair-play points before lots (2018 FIFA World Cup
  Regulations, art. 32.5: first yellow card −1, indirect red −3, direct red −4, yellow and
  direct red −5, one deduction per player and match; reported e.g. by
  https://www.si.com/soccer/2018/06/22/world-cup-tiebreaker-rules-scenarios-group-play-knockout-round
  and https://worldcup2018today.blogspot.com/2018/05/2018-fifa-world-cup-group-stage.html).
- World Cup 2026: 48 teams, 12 groups, the top two and the eight best third-placed teams reach
  the round of 32; head-to-head first, then goal difference, goals scored, fair play, the FIFA
  ranking (Regulations for the FIFA World Cup 26, art. 13, as summarised by
  https://jarayid.com/en/egypt/882867/2026-world-cup-tiebreaker-explained; some previews
  list overall goal difference first, e.g. https://www.futbol.today/guides/group-stage-tiebreakers-explained).
- UEFA Euro: two points for a win until 1992; points, goal difference, goals scored, lots
  (1980–1992). From 1996 three points and head-to-head first: points, goal difference and goals
  between the teams concerned, then overall goal difference and goals scored, then the
  coefficient, fair play, lots ("Teams level on points will first be ranked in order of their
  individual match results", The Independent, 1996,
  http://www.independent.co.uk/sport/rules-of-engagement-laying-down-the-law-in-euro-96-1335226.html;
  https://www.irishtimes.com/sport/how-qualification-is-decided-1.59578); the re-application of
  head-to-head among the teams still level is in the regulations from 2012 on.
- Copa América: three points from 1995; goal difference, goals scored, then head-to-head,
  fair play (2021 on: yellow −1, indirect red −3, direct red −4, yellow and direct red −5),
  lots (CONMEBOL regulations 2021 and 2024, as reported by
  https://pledgetimes.com/copa-america-2021-how-is-the-tiebreaker-resolved-in-the-group-stage/
  and https://www.sportingnews.com/in/football/news/tiebreakers-copa-america-2024-groups-rules-quarterfinals-work-knockout/5ff31282861e8aeec390fe7c).
- Africa Cup of Nations: three points from 1996 (CAF); head-to-head first, re-applied, then
  goal difference, goals scored, lots (CAF regulations art. 74 for 2021,
  https://allafrica.com/stories/202201170569.html; 2019: https://ewn.co.za/2019/06/21/football-how-africa-cup-of-nations-works;
  2012: http://africansoccer.weebly.com/can-2012---group-b.html). Before 2000 goal difference
  first (an assumption: no regulation found; every qualifier reproduced).
- AFC Asian Cup: three points from 1996; head-to-head first from 2004 (2011 regulations:
  points, head-to-head points, goal difference and goals, then overall goal difference and
  goals, lots; reported by http://wodedreams.com/jiemengdaquan/4655eqewx1.html); goal
  difference first before (an assumption, as for the Cup of Nations).
- Gold Cup: three points throughout (the 1991 Gold Cup awarded two; CONCACAF adopted three
  from 1993, assumed); goal difference, goals scored, then head-to-head, fair play, lots
  (Gold Cup 2021 regulations, https://www.mlssoccer.com/news/gold-cup-standings-2021).

Best third-placed teams (and the 1996–1998 Gold Cups' best runner-up) are ranked on points,
goal difference, goals scored, then lots, across their groups (the criteria common to every
competition's regulations; UEFA adds wins, fair play and the coefficient).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Criterion(StrEnum):
    """One step of a tie-break (its value is what ``decided_by`` says)."""

    POINTS = "points"
    GOAL_DIFFERENCE = "goal difference"
    GOAL_AVERAGE = "goal average"
    GOALS_SCORED = "goals scored"
    H2H_POINTS = "head-to-head points"
    H2H_GOAL_DIFFERENCE = "head-to-head goal difference"
    H2H_GOALS_SCORED = "head-to-head goals scored"
    FAIR_PLAY = "fair play"
    PLAY_OFF = "play-off"
    LOTS = "lots"

    @property
    def head_to_head(self) -> bool:
        return self in _H2H


_H2H = frozenset({Criterion.H2H_POINTS, Criterion.H2H_GOAL_DIFFERENCE, Criterion.H2H_GOALS_SCORED})

C = Criterion
#: Head-to-head points, goal difference, goals scored.
H2H = (C.H2H_POINTS, C.H2H_GOAL_DIFFERENCE, C.H2H_GOALS_SCORED)
#: Overall goal difference, goals scored.
GD_GS = (C.GOAL_DIFFERENCE, C.GOALS_SCORED)


@dataclass(frozen=True)
class Advance:
    """Who goes through from a stage's groups: the top ``per_group`` of each group, and the
    best ``best_of`` teams among those placed ``best_position`` (e.g. the four best thirds)."""

    per_group: int = 2
    best_of: int = 0
    best_position: int = 3

    def describe(self) -> str:
        text = "the group winner" if self.per_group == 1 else f"the top {self.per_group}"
        if self.best_of:
            place = {2: "runner-up", 3: "third-placed team"}.get(self.best_position, "team")
            many = "s" if self.best_of > 1 else ""
            text += f" and the best {self.best_of} {place}{many}"
        return text


@dataclass(frozen=True)
class Rules:
    """The rules of one stage's groups: points for a win and a draw, the criteria after
    points (:class:`Criterion`), whether head-to-head is re-applied among the teams still
    level, who goes through, and the criteria of the best-placed ranking across groups."""

    points_win: int
    criteria: tuple[Criterion, ...]
    advance: Advance = field(default_factory=Advance)
    points_draw: int = 1
    reapply: bool = False
    across_groups: tuple[Criterion, ...] = (C.POINTS, C.GOAL_DIFFERENCE, C.GOALS_SCORED, C.LOTS)
    note: str = ""

    def describe(self) -> str:
        order = ", ".join(c.value for c in (C.POINTS, *self.criteria))
        return f"{self.points_win} points for a win; {order}; {self.advance.describe()} go through"


WORLD_CUP = "FIFA World Cup"
EURO = "UEFA Euro"
COPA = "Copa América"
ASIAN_CUP = "AFC Asian Cup"
AFCON = "African Cup of Nations"
GOLD_CUP = "Gold Cup"

#: The competitions whose editions are modelled (a World Cup from its own database, the others
#: with their groups inferred from the results).
COMPETITIONS = (WORLD_CUP, EURO, COPA, ASIAN_CUP, AFCON, GOLD_CUP)

_GOAL_AVERAGE = (C.GOAL_AVERAGE, C.LOTS)
_GD_LOTS = (*GD_GS, C.LOTS)
_FIFA_1994 = (*GD_GS, *H2H, C.LOTS)
_FIFA_2018 = (*GD_GS, *H2H, C.FAIR_PLAY, C.LOTS)
_H2H_FIRST = (*H2H, *GD_GS, C.LOTS)

#: (competition, first year, last year, stage) → rules; ``stage`` None for an edition's
#: (first) group stage. Years are those of the edition's first match (Euro 2020 is 2021).
RULES: tuple[tuple[str, int, int, str | None, Rules], ...] = (
    # World Cup (the stage names are the World Cup database's).
    (WORLD_CUP, 1930, 1930, None, Rules(2, _GOAL_AVERAGE, Advance(1))),
    (
        WORLD_CUP,
        1950,
        1950,
        None,
        Rules(2, _GOAL_AVERAGE, Advance(1), note="group winners to the final round"),
    ),
    (
        WORLD_CUP,
        1950,
        1950,
        "final round",
        Rules(2, _GOAL_AVERAGE, Advance(1), note="the winner of the final round is champion"),
    ),
    (
        WORLD_CUP,
        1954,
        1954,
        None,
        Rules(
            2,
            (C.PLAY_OFF, C.LOTS, C.GOAL_AVERAGE, C.GOAL_DIFFERENCE, C.LOTS),
            note="level for second place: a play-off; level for first: lots; seeded teams "
            "did not meet; below, goal average then goal difference (the database's order)",
        ),
    ),
    (
        WORLD_CUP,
        1958,
        1958,
        None,
        Rules(2, (C.PLAY_OFF, C.GOAL_AVERAGE, C.LOTS), note="level for second: a play-off"),
    ),
    (WORLD_CUP, 1962, 1966, None, Rules(2, _GOAL_AVERAGE)),
    # 1970: goal difference, then lots (goals scored were no criterion: the Soviet Union, 6-1,
    # and Mexico, 5-0, drew lots for first place in Group 1); goals scored only order the
    # places nothing depended on (Bulgaria over Morocco, Group 4, in the database).
    (
        WORLD_CUP,
        1970,
        1970,
        None,
        Rules(2, (C.GOAL_DIFFERENCE, C.LOTS, C.GOALS_SCORED, C.LOTS)),
    ),
    (WORLD_CUP, 1974, 1978, None, Rules(2, _GD_LOTS)),
    (
        WORLD_CUP,
        1974,
        1978,
        "second group stage",
        Rules(2, _GD_LOTS, Advance(2), note="winners to the final, runners-up to third place"),
    ),
    (WORLD_CUP, 1982, 1982, None, Rules(2, _GD_LOTS)),
    (WORLD_CUP, 1982, 1982, "second group stage", Rules(2, _GD_LOTS, Advance(1))),
    (WORLD_CUP, 1986, 1990, None, Rules(2, _GD_LOTS, Advance(2, 4))),
    (WORLD_CUP, 1994, 1994, None, Rules(3, _FIFA_1994, Advance(2, 4))),
    (WORLD_CUP, 1998, 2014, None, Rules(3, _FIFA_1994)),
    (WORLD_CUP, 2018, 2022, None, Rules(3, _FIFA_2018)),
    (
        WORLD_CUP,
        2026,
        2026,
        None,
        Rules(3, (*H2H, *GD_GS, C.FAIR_PLAY, C.LOTS), Advance(2, 8), reapply=True),
    ),
    # UEFA Euro: 1980, winners to the final and runners-up to the third-place match.
    (EURO, 1980, 1980, None, Rules(2, _GD_LOTS, note="winners to the final, runners-up to third")),
    (EURO, 1984, 1992, None, Rules(2, _GD_LOTS)),
    (EURO, 1996, 2008, None, Rules(3, _H2H_FIRST)),
    (EURO, 2012, 2012, None, Rules(3, _H2H_FIRST, reapply=True)),
    (EURO, 2016, 2024, None, Rules(3, _H2H_FIRST, Advance(2, 4), reapply=True)),
    # Copa América
    (COPA, 1987, 1987, None, Rules(2, _GD_LOTS, Advance(1), note="the holders joined the semis")),
    (COPA, 1993, 1993, None, Rules(2, (*GD_GS, *H2H, C.LOTS), Advance(2, 2))),
    (COPA, 1995, 2015, None, Rules(3, (*GD_GS, *H2H, C.LOTS), Advance(2, 2))),
    (COPA, 2016, 2016, None, Rules(3, (*GD_GS, *H2H, C.LOTS))),
    (COPA, 2019, 2019, None, Rules(3, (*GD_GS, *H2H, C.LOTS), Advance(2, 2))),
    (COPA, 2021, 2021, None, Rules(3, (*GD_GS, *H2H, C.FAIR_PLAY, C.LOTS), Advance(4))),
    (COPA, 2024, 2024, None, Rules(3, (*GD_GS, *H2H, C.FAIR_PLAY, C.LOTS))),
    # AFC Asian Cup
    (ASIAN_CUP, 1976, 1992, None, Rules(2, _GD_LOTS)),
    (ASIAN_CUP, 1996, 2000, None, Rules(3, _GD_LOTS, Advance(2, 2))),
    (ASIAN_CUP, 2004, 2015, None, Rules(3, _H2H_FIRST, reapply=True)),
    (ASIAN_CUP, 2019, 2024, None, Rules(3, _H2H_FIRST, Advance(2, 4), reapply=True)),
    # Africa Cup of Nations: 1963 and 1965, winners to the final, runners-up to third place.
    (AFCON, 1963, 1965, None, Rules(2, _GD_LOTS)),
    (AFCON, 1968, 1994, None, Rules(2, _GD_LOTS)),
    (AFCON, 1996, 1998, None, Rules(3, _GD_LOTS)),
    (AFCON, 2000, 2017, None, Rules(3, _H2H_FIRST, reapply=True)),
    (AFCON, 2019, 2025, None, Rules(3, _H2H_FIRST, Advance(2, 4), reapply=True)),
    # Gold Cup: 1996 and 1998, the group winners and the best runner-up to the semi-finals.
    (GOLD_CUP, 1991, 1991, None, Rules(2, _GD_LOTS)),
    (GOLD_CUP, 1993, 1993, None, Rules(3, _GD_LOTS)),
    (GOLD_CUP, 1996, 1998, None, Rules(3, (*GD_GS, *H2H, C.LOTS), Advance(1, 1, 2))),
    (GOLD_CUP, 2000, 2003, None, Rules(3, (*GD_GS, *H2H, C.LOTS))),
    (GOLD_CUP, 2005, 2017, None, Rules(3, (*GD_GS, *H2H, C.LOTS), Advance(2, 2))),
    (GOLD_CUP, 2019, 2025, None, Rules(3, (*GD_GS, *H2H, C.LOTS))),
)

#: Draws of lots the results cannot show: (competition, year) → team orders the draw decided
#: (sources: the World Cup database's final positions; FIFA and CONCACAF reports).
DRAWN_LOTS: dict[tuple[str, int], tuple[tuple[str, ...], ...]] = {
    # 1954: Brazil and Yugoslavia (Group 1), Uruguay and Austria (Group 3), level for first.
    (WORLD_CUP, 1954): (("Brazil", "Yugoslavia"), ("Uruguay", "Austria")),
    # 1970 Group 1: the Soviet Union and Mexico, level on points, goal difference and goals.
    (WORLD_CUP, 1970): (("Russia", "Mexico"),),
    # 1990 Group F: the Republic of Ireland and the Netherlands, level on everything.
    (WORLD_CUP, 1990): (("Republic of Ireland", "Netherlands"),),
    # 2002 Gold Cup Group D: Canada, Haiti and Ecuador level on everything; Ecuador went out.
    (GOLD_CUP, 2002): (("Canada", "Haiti", "Ecuador"),),
}

#: Results overturned after the match: (competition, date, home, away) → the awarded score.
AWARDED: dict[tuple[str, str, str, str], tuple[int, int]] = {
    # 2017 Gold Cup: Honduras 0-0 French Guiana, awarded 3-0 to Honduras (French Guiana fielded
    # the ineligible Florent Malouda; CONCACAF Disciplinary Committee, 14 July 2017).
    (GOLD_CUP, "2017-07-11", "Honduras", "French Guiana"): (3, 0),
}

#: Teams that joined an edition's knockout rounds without playing its groups.
BYES: dict[tuple[str, int], tuple[str, ...]] = {
    # 1987 Copa América: Uruguay, the holders, entered at the semi-finals.
    (COPA, 1987): ("Uruguay",),
}


def rules_for(competition: str, year: int, stage: str | None = None) -> Rules | None:
    """The rules of ``competition``'s edition of ``year`` for ``stage`` (None or the first
    group stage's name: the first group stage), or None when the table has none."""
    first_stage = stage in (None, "group stage", "first round")
    for comp, first, last, which, rules in RULES:
        if comp != competition or not first <= year <= last:
            continue
        if (which is None and first_stage) or which == stage:
            return rules
    return None
