"""What a side's fans felt at every point of a match: one documented rule, no per-match labels.

Vocabulary
----------
:class:`Emotion` lists sixteen feelings, each with a one-line definition and a valence (+1 for a
pleasant feeling, -1 for an unpleasant one): content, hope, confidence, joy, relief, elation,
ecstasy (+); anxiety, dread, dismay, agony, despair, disappointment, resignation, shock,
humiliation (-). docs/emotion-benchmark.md checks them against match reports of 30 matches.

Inputs
------
For side S at point t of a :class:`~heartbreak.model.path.ProbabilityPath`:

- ``v_t``, S's *standing*: its chance of the result that matters. In a knockout that is
  ``path.home_chance()`` / ``path.away_chance()`` (the chance to go through). In a match that can
  end drawn it is ``P(win) + draw_value·P(draw)`` with ``draw_value = ½`` by default: a draw is
  half a win, as in the result W = ½ of World Football Elo (eloratings.net, "The World Football
  Elo Rating System: Basic Formula"). Without it an underdog's fans would sink into resignation
  during a goalless draw that suits them. ``draw_value = 0`` gives the bare chance of winning.
  In a group match replayed for its stakes (:class:`~heartbreak.model.path.Stakes`) with
  something at stake for S, it is ``λ·q_t + (1 − λ)·m_t``: ``q_t`` the chance of S's stake
  (going through, or first place), ``m_t`` the match's own standing above and ``λ`` the match's
  leverage on the stake (S's chance of it if S won the match minus if S lost it, at kick-off).
  A decider (win and through, lose and out) is felt for the group; an opening match, whose
  group is still wide open, mostly for itself (Argentina's fans were shocked by Saudi Arabia in
  2022 though their chance of going through fell only to about 0.6). A rout is judged on
  ``m_t``. A group match carrying less than ``settle_leverage`` of the side's stake (or nothing
  at stake) weighs ``dead_rubber_stakes`` of the competition's stakes ``s`` below.
- ``v_0``, the pre-match expectation: the standing at the first point.
- the latest *move*: ``Δ_t = v_t − v_{t−1}`` at the most recent point where ``|Δ| ≥ move_min``.
  At an AFTER_EVENT point this is the jump across the event (its BEFORE_EVENT point comes just
  before it); the BEFORE_EVENT point itself keeps the feeling held before the event. A move's
  feeling lasts while ``elapsed_t − elapsed_move ≤ persist_minutes``, then the level rules take
  over. Each event is felt: at an AFTER_EVENT point a change taking ``event_share`` or more of
  what was left (of the chance when it falls, of the gap to certainty when it rises; at least
  ``share_floor``) is a move and a big one, so a second goal conceded at 0.14 that leaves 0.04
  is a blow of its own, not absorbed by the first. A goal that gives the side the lead is a
  move whatever its size: a rank outsider's fans feel the lead their chance barely shows.
- ``margin``: the side's goal difference; ``peak15``: the highest standing within
  ``shock_minutes`` of play before the move; ``rout``: ``margin ≤ −humiliation_margin`` and
  ``v_0 ≥ humiliation_expectation`` (a side that expected to compete).
- ``late``: ``path.time_left ≤ late_minutes`` (the end of regulation, or of extra time, is near).
- a shootout whose kicks are known has a point after each kick (kind SHOOTOUT_KICK). No time
  passes in it, so a kick's move is felt at that kick only (the next kick brings its own); a
  kick moving the standing by ``kick_move`` or more is a big move (one kick moves it less than a
  goal: with p = 0.7 a miss takes 0.15–0.3, a goal rarely 0.1); and from the kick that decides
  it to the whistle the fans feel what they feel at the whistle (rule 3).
- the stakes ``s`` = :func:`stakes_weight` of the match (or the ``stakes`` argument). The extreme
  feelings need ``s ≥ extreme_stakes``; below it ecstasy softens to elation, agony and in-play
  despair to dismay, and despair at the final whistle to disappointment.

The rule (thresholds are the fields of :class:`EmotionRule`)
----------------------------------------------------------------
1. *After a move* (within ``persist_minutes``), with ``b`` the standing before and ``a`` after it:

   - up, ``a ≥ ecstasy_level`` and (``b < ecstasy_level`` or ``Δ ≥ big_move``), and either
     ``a ≥ v_0 + ecstasy_gain`` or late (the result suddenly within reach, far beyond what was
     expected or with the end near) → ECSTASY;
   - up by a big move from ``b ≤ lost_level`` (rescued from a lost cause) → RELIEF;
   - up, from ``b ≤ v_0 − expectation_band`` and still ``a < v_0 − expectation_band`` → HOPE;
   - up, from ``b ≤ v_0 − expectation_band`` (back to about what was expected) → RELIEF;
   - any other move up → JOY;
   - down, not late, ``peak15 − a ≥ shock_drop`` and ``a ≤ v_0 − shock_drop`` → SHOCK;
   - down, in a rout, to ``a ≤ lost_level`` → HUMILIATION;
   - down by a big move to ``a ≤ despair_level``, late or from ``b ≥ agony_level`` → DESPAIR;
   - down by ``≥ big_move`` from ``b ≥ agony_level`` and either ``b ≥ v_0 +
     expectation_band`` (a position better than expected torn away) or late in play (a
     favourite's win torn away near the end; not a shootout kick) → AGONY;
   - down by ``≥ big_move`` otherwise → DISMAY; any smaller move down → ANXIETY.

2. *Otherwise, by level*, with ``best_t`` the highest standing held so far (kick-off included),
   the first that applies:

   - ``v ≥ confident_level`` → CONFIDENCE;
   - ``v ≤ lost_level`` in a rout → HUMILIATION;
   - ``v ≤ lost_level`` and (``v < v_0`` or late) → RESIGNATION;
   - late and ``v ≤ best − expectation_band`` (far below the best held, with little time to
     get it back) → DREAD;
   - late and ``|v − ½| ≤ close_band`` (in the balance near the end) → ANXIETY;
   - ``v ≤ best − expectation_band`` → ANXIETY;
   - ``v ≥ v_0 + expectation_band`` → HOPE;
   - else → CONTENT.

   Each level has hysteresis: once crossed, it holds until the standing is ``hysteresis`` back
   across its threshold, so a standing wobbling around 0.80 does not flicker between
   confidence and hope.

3. *At the final whistle* (points of kind FINAL_WHISTLE), from the points before it: ``peak`` and
   ``low`` (the highest and lowest standing), ``in_balance_late`` (some late point had
   ``|v − ½| ≤ close_band``) and ``high_late`` (the highest late standing). What drives it is
   ``f``, the side's chance of what matters at the whistle, whatever that is (1 or 0 in a
   knockout; in a group match, the group's verdict, 0 or 1, where the match carried at least
   ``settle_leverage`` of a stake settled at the whistle, else the match's own result: what is
   left open is decided elsewhere), and ``margin``, the score:

   - ``f > ½ + close_band`` (got it): lost the match (``margin < 0``) → RELIEF (through
     despite losing); ``low ≤ comeback_level``, in_balance_late or an underdog's win at stakes
     (``v_0 ≤ ½ − expectation_band``) → ECSTASY; an expected win (``v_0 ≥ ½``) after
     ``low ≤ v_0 − expectation_band`` → RELIEF; else JOY, but CONTENT for an expected win when
     ``s < extreme_stakes``;
   - ``f < ½ − close_band`` (missed it): a rout → HUMILIATION; ``peak ≥ despair_peak`` or
     in_balance_late → DESPAIR; won the match (out despite winning) → DISAPPOINTMENT;
     ``high_late < settled_level`` and ``v_0 < ½`` (an expected defeat settled long before the
     end) → RESIGNATION; else DISAPPOINTMENT;
   - ``f`` in between but not a plain draw (still hanging on other results) → ANXIETY;
   - a draw (``f = ½``, level score): the sign of the last move of ``≥ big_move``: up → RELIEF,
     down → DISAPPOINTMENT; with no big move, ``v_0 ≥ ½ + expectation_band`` (a favourite
     held) → DISAPPOINTMENT, else CONTENT.

Worked example: Belgium 3-2 Japan, 2 July 2018, World Cup round of 16
------------------------------------------------------------------------
World Cup base and round of 16 give ``s`` = 0.8 ≥ ``extreme_stakes``. Japan's standing is its
chance to go through; the replay with the packaged parameters (``heartbreak story Belgium Japan
--date 2018-07-02``) gives:

==========  =====  =======  =================================================  ============
point       score  v        rule                                               Japan fans
==========  =====  =======  =================================================  ============
0'–48'      0-0    .21–.27  within ``expectation_band`` of ``v_0`` = 0.21       content
48'         0-1    .59      up 0.32, below ``ecstasy_level``                    joy
52'         0-2    .85      up 0.24 across ``ecstasy_level``, ≥ v_0 + gain      ecstasy
57'–69'     0-2    .87–.92  ``v ≥ confident_level``                             confidence
69'         1-2    .72      down 0.21 ≥ ``big_move`` from ≥ ``agony_level``     agony
74'         2-2    .33      down 0.43 from 0.76                                 agony
79'–80'     2-2    .34      far below the best held, not yet late               anxiety
81'–90+4'   2-2    .35–.39  late and far below the best held                    dread
90+4'       3-2    .006     down 0.38 to ≤ ``despair_level``                    despair
whistle     3-2    0        lost after ``peak ≥ despair_peak``                  despair
==========  =====  =======  =================================================  ============

Japan's arc: content → joy → ecstasy → confidence → agony → anxiety → dread → despair.
Belgium's (``v_0`` = 0.79): content → dismay (48') → shock (52': from 0.79 to 0.15 within
fifteen minutes) → anxiety → resignation (below
``lost_level`` from 64') → hope (69') → relief (74') → content → anxiety and dread (late, in the
balance, well below the 0.79 they started with) → ecstasy (90+4', and at the whistle: won from
``low ≤ comeback_level``). A favourite's 1-0 at 30' that lifts it from 0.62 to 0.84 is JOY, not
ECSTASY: it lands less than ``ecstasy_gain`` above what was expected, with time left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from heartbreak.domain import MatchInfo, Side
from heartbreak.model.path import PointKind, ProbabilityPath
from heartbreak.ratings.elo import EloParams


class Emotion(StrEnum):
    """A feeling of a side's fans at a point of a match.

    Each has a one-line :attr:`definition` and a :attr:`valence` (+1 pleasant, -1 unpleasant).
    """

    CONTENT = "content"
    HOPE = "hope"
    CONFIDENCE = "confidence"
    JOY = "joy"
    RELIEF = "relief"
    ELATION = "elation"
    ECSTASY = "ecstasy"
    ANXIETY = "anxiety"
    DREAD = "dread"
    DISMAY = "dismay"
    AGONY = "agony"
    DESPAIR = "despair"
    DISAPPOINTMENT = "disappointment"
    RESIGNATION = "resignation"
    SHOCK = "shock"
    HUMILIATION = "humiliation"

    @property
    def definition(self) -> str:
        """One line saying what the feeling is and when the rule gives it."""
        return _DEFINITIONS[self]

    @property
    def valence(self) -> int:
        """+1 for a pleasant feeling, -1 for an unpleasant one."""
        return _VALENCE[self]

    @property
    def positive(self) -> bool:
        return self.valence > 0


_DEFINITIONS = {
    Emotion.CONTENT: "At ease: the match is going about as expected, nothing pressing.",
    Emotion.HOPE: "Daring to believe: the chance is well above what was expected, or a goal "
    "has opened a way back.",
    Emotion.CONFIDENCE: "The result that matters is nearly in hand.",
    Emotion.JOY: "Delight at a swing in the side's favour.",
    Emotion.RELIEF: "A blow undone: back to about what was expected, or a win after a wobble.",
    Emotion.ELATION: "Soaring spirits when the result comes in sight, at modest stakes.",
    Emotion.ECSTASY: "Unbridled joy: the result suddenly within reach, or a win snatched from "
    "the balance or from far behind, with much at stake.",
    Emotion.ANXIETY: "Worry: a swing against the side, a chance well below its best so far, or "
    "the result in the balance with the end near.",
    Emotion.DREAD: "The end approaching with the chance well below the side's best so far.",
    Emotion.DISMAY: "A heavy blow: a big swing against the side.",
    Emotion.AGONY: "A position better than expected torn away by a big swing, with much at stake.",
    Emotion.DESPAIR: "All hope gone: a crushing blow, or a defeat after the result had been "
    "within reach or in the balance late, with much at stake.",
    Emotion.DISAPPOINTMENT: "An unwanted result, felt without despair.",
    Emotion.RESIGNATION: "Acceptance that the result is gone, or a defeat settled long before "
    "the end.",
    Emotion.SHOCK: "Stunned disbelief: a collapse within minutes from about what was expected to "
    "far below it.",
    Emotion.HUMILIATION: "Shame at a rout: trailing by three goals or more with the result gone, "
    "for a side that expected to compete.",
}

_POSITIVE = frozenset(
    {
        Emotion.CONTENT,
        Emotion.HOPE,
        Emotion.CONFIDENCE,
        Emotion.JOY,
        Emotion.RELIEF,
        Emotion.ELATION,
        Emotion.ECSTASY,
    }
)
_VALENCE = {e: +1 if e in _POSITIVE else -1 for e in Emotion}

_ORDER = list(Emotion)
_CODE = {e: i for i, e in enumerate(_ORDER)}
_VALUES = np.array([e.value for e in _ORDER])


@dataclass(frozen=True)
class EmotionRule:
    """Thresholds of the emotion rule (see the module docstring for how each is used).

    Chances and standings are probabilities in [0, 1]; minutes are minutes of play.
    """

    move_min: float = 0.10
    """Smallest change of standing between consecutive points that counts as a move."""
    big_move: float = 0.20
    """A move at least this big is a big one (dismay, agony, despair; ecstasy when large)."""
    persist_minutes: float = 5.0
    """Minutes of play (``elapsed``) for which the feeling of a move lasts."""
    late_minutes: float = 15.0
    """``time_left`` at or below which the end is near."""
    expectation_band: float = 0.15
    """Distance from the pre-match expectation (or the best so far) that counts as a change."""
    close_band: float = 0.15
    """Distance from ½ within which the result is in the balance."""
    confident_level: float = 0.80
    """Standing from which the result is nearly in hand."""
    ecstasy_level: float = 0.80
    """A move up to at least this standing puts the result within reach."""
    ecstasy_gain: float = 0.25
    """Before the end is near, ecstasy also needs a standing this far above the expectation."""
    lost_level: float = 0.10
    """Standing at or below which the result is (nearly) gone."""
    despair_level: float = 0.10
    """A big move down to at or below this standing is crushing."""
    agony_level: float = 0.60
    """A big move down from at least this standing (and above expectations) is agony."""
    comeback_level: float = 0.25
    """A winner who had sunk to this standing or lower won from far behind."""
    despair_peak: float = 0.70
    """A loser who had reached this standing or higher lost a result within reach."""
    settled_level: float = 0.20
    """A loser whose late standing never reached this had its defeat settled early."""
    extreme_stakes: float = 0.45
    """Stakes needed for the extreme feelings (ecstasy, agony, despair)."""
    draw_value: float = 0.5
    #: A group match carrying at least this share of a side's stake (its leverage) is felt at
    #: the whistle for the group's verdict, else for its own result.
    settle_leverage: float = 0.25
    #: The stakes weight of a group match carrying less than ``settle_leverage`` of the side's
    #: stake (or none), as a share of the competition's.
    dead_rubber_stakes: float = 0.5
    """What a draw is worth in a match that can end drawn (0 = only a win counts)."""
    kick_move: float = 0.10
    """In a shootout followed kick by kick, a kick moving the standing this much is a big move."""
    event_share: float = 0.5
    """An event taking this share of what was left (of the chance, or of the gap to certainty)
    is a big move even when the standing moves less than ``big_move``: each goal is felt."""
    share_floor: float = 0.02
    """Smallest change of standing at which ``event_share`` applies (below it nothing is felt)."""
    shock_drop: float = 0.40
    """A blow is a shock when the standing falls this far within ``shock_minutes``, to this far
    below the expectation."""
    shock_minutes: float = 15.0
    """The span of play (``elapsed``) over which a collapse counts as sudden."""
    humiliation_margin: int = 3
    """Goals behind from which a lost cause is a rout."""
    humiliation_expectation: float = 0.25
    """A rout humiliates a side whose pre-match standing was at least this."""
    hysteresis: float = 0.03
    """Once a level is crossed, its feeling holds until the standing is this far back across."""

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if name in ("persist_minutes", "late_minutes", "shock_minutes", "humiliation_margin"):
                if value < 0:
                    raise ValueError(f"{name} must be non-negative, got {value}")
            elif not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")


DEFAULT_RULE = EmotionRule()

#: The K factors of World Football Elo are the ratings' own (one table: EloParams.k_factor).
_ELO = EloParams()
_STAKES_SCALE = 0.7  # K/60 x 0.7: a World Cup group match is 0.7, leaving room for its rounds
_STAGE_BONUS = {
    "knockout": 0.10,  # round of 16, round of 32, play-offs, an unnamed knockout tie
    "quarter": 0.15,
    "semi": 0.20,
    "third": 0.05,
    "final": 0.30,
}


def stage_kind(stage: str | None, knockout: bool) -> str | None:
    """The kind of round a stage name denotes: ``final``, ``semi``, ``quarter``, ``third``,
    ``knockout`` (another knockout round) or None (a group or league stage)."""
    name = re.sub(r"[-_]", " ", (stage or "").casefold()).strip()
    if "third" in name or "3rd" in name:
        return "third"
    if "semi" in name:
        return "semi"
    if "quarter" in name:
        return "quarter"
    if re.fullmatch(r"(the |grand )?finals?( replay)?", name):
        return "final"
    if re.search(r"round of (16|32)|last (16|32)|eighth|play ?off|knockout", name):
        return "knockout"
    return "knockout" if knockout else None


def stakes_weight(info: MatchInfo) -> float:
    """How much was at stake in a match, in (0, 1]: friendly lowest, a World Cup final 1.

    ``0.7 · K/60 + round bonus``, capped at 1, where K is the World Football Elo K factor of the
    competition (:meth:`heartbreak.ratings.elo.EloParams.k_factor`, eloratings.net: 20 friendly,
    30 other tournaments, 40 qualifiers and the Nations Leagues, 50 continental finals, 60 World
    Cup), so friendly 0.23 < other tournament 0.35 < qualifier 0.47 < continental finals 0.58 <
    World Cup 0.7; the round bonus (this project's scale) adds 0.1 for a knockout round (round
    of 16, play-off, an unnamed knockout tie), 0.15 for a quarter-final, 0.2 for a semi-final,
    0.05 for a third-place match and 0.3 for a final: World Cup round of 16 0.8, World Cup final
    1.0.
    """
    base = _STAKES_SCALE * _ELO.k_factor(info.competition) / _ELO.k_world_cup
    kind = stage_kind(info.stage, info.knockout)
    return float(min(1.0, base + (_STAGE_BONUS[kind] if kind else 0.0)))


def standing(path: ProbabilityPath, side: Side, draw_value: float = 0.5) -> np.ndarray:
    """The side's chance of the result that matters, as the emotion rule reads it.

    P(advance) in a knockout; ``P(win) + draw_value·P(draw)`` otherwise (a draw as half a win, as
    W = ½ in World Football Elo, eloratings.net).
    """
    chance = path.home_chance() if side is Side.HOME else path.away_chance()
    chance = np.asarray(chance, dtype=float)
    if path.stakes is not None and path.stakes.goal(side) != "win":
        # A group match is felt for what it does to the group and for the match itself, in
        # the measure the match carried the group's stake (its leverage).
        weight = path.stakes.leverage(side)
        plain = _plain_standing(path, side, draw_value)
        return np.clip(weight * chance + (1.0 - weight) * plain, 0.0, 1.0)
    if path.knockout:
        return np.clip(chance, 0.0, 1.0)
    return np.clip(_plain_standing(path, side, draw_value), 0.0, 1.0)


def _plain_standing(path: ProbabilityPath, side: Side, draw_value: float) -> np.ndarray:
    """The match alone: ``P(win) + draw_value·P(draw)``."""
    win = path.p_home_win if side is Side.HOME else path.p_away_win
    return np.asarray(win, dtype=float) + draw_value * np.asarray(path.p_draw, dtype=float)


def _whistle_value(path: ProbabilityPath, side: Side, v: np.ndarray, w: int, rule) -> float:
    """``f`` of rule 3: the standing at the whistle; in a group match replayed for its stakes,
    the group's verdict (0 or 1) where the match carried at least ``settle_leverage`` of it and
    the verdict is in, else the match's own result (what is left open is decided elsewhere)."""
    stakes = path.stakes
    if stakes is None or stakes.goal(side) == "win":
        return float(v[w])
    chance = float((stakes.home_chance if side is Side.HOME else stakes.away_chance)[w])
    settled = chance <= 1e-9 or chance >= 1.0 - 1e-9
    if settled and stakes.leverage(side) >= rule.settle_leverage:
        return chance
    return float(_plain_standing(path, side, rule.draw_value)[w])


def fan_emotions(
    path: ProbabilityPath,
    side: Side,
    stakes: float | None = None,
    *,
    rule: EmotionRule | None = None,
) -> np.ndarray:
    """The feeling of ``side``'s fans at every point of ``path`` (Emotion value strings).

    ``stakes`` defaults to :func:`stakes_weight` of ``path.info``; ``rule`` to
    :data:`DEFAULT_RULE`. The rule is in the module docstring.
    """
    rule = rule or DEFAULT_RULE
    s = stakes_weight(path.info) if stakes is None else float(stakes)
    if stakes is None and path.stakes is not None:
        # A group match that carried little of what the side played for (already through and
        # first, already out) is played for less: the extreme feelings are for matches that
        # decided something.
        little = (
            path.stakes.goal(side) == "win" or path.stakes.leverage(side) < rule.settle_leverage
        )
        if little:
            s *= rule.dead_rubber_stakes
    v = standing(path, side, rule.draw_value)
    n = len(v)
    if n == 0:
        return _VALUES[np.zeros(0, dtype=int)]
    extreme = s >= rule.extreme_stakes
    elapsed = np.asarray(path.elapsed, dtype=float)
    late = np.asarray(path.time_left, dtype=float) <= rule.late_minutes
    kind = np.asarray(path.kind)
    kick = kind == PointKind.SHOOTOUT_KICK.value
    event = kind == PointKind.AFTER_EVENT.value
    own, opp = (
        (path.home_goals, path.away_goals)
        if side is Side.HOME
        else (
            path.away_goals,
            path.home_goals,
        )
    )
    margin = np.asarray(own, dtype=int) - np.asarray(opp, dtype=int)
    plain = _plain_standing(path, side, rule.draw_value) if path.stakes is not None else None
    codes = _in_play_codes(v, elapsed, late, rule, extreme, kick, event, margin, plain)
    whistle = np.flatnonzero(kind == PointKind.FINAL_WHISTLE.value)
    if whistle.size:
        w = int(whistle[0])
        at_whistle = v.copy()
        at_whistle[w] = _whistle_value(path, side, v, w, rule)
        final = _CODE[_final_emotion(at_whistle, late, w, rule, extreme, int(margin[w]))]
        codes[whistle] = final
        # The kick that decided the shootout already brings the whistle's feeling.
        decided = np.flatnonzero(kick[:w] & ((v[:w] <= 1e-9) | (v[:w] >= 1.0 - 1e-9)))
        if decided.size:
            codes[int(decided[0]) : w] = final
    return _VALUES[codes]


def _held(on: np.ndarray, off: np.ndarray) -> np.ndarray:
    """A state with hysteresis: true from a point where ``on`` holds until one where ``off``
    does (``on`` and ``off`` never hold at the same point)."""
    idx = np.arange(len(on))
    last_on = np.maximum.accumulate(np.where(on, idx, -1))
    last_off = np.maximum.accumulate(np.where(off, idx, -1))
    return last_on > last_off


def _in_play_codes(
    v: np.ndarray,
    elapsed: np.ndarray,
    late: np.ndarray,
    rule: EmotionRule,
    extreme: bool,
    kick: np.ndarray | None = None,
    event: np.ndarray | None = None,
    margin: np.ndarray | None = None,
    plain: np.ndarray | None = None,
) -> np.ndarray:
    """Rules 1 and 2 of the module docstring, at every point at once; ``kick`` marks the points
    after shootout kicks, ``event`` those after goals and red cards, ``margin`` the side's goal
    difference, ``plain`` its standing in the match alone (where ``v`` reads a group's stakes;
    a rout is judged on it)."""
    n = len(v)
    kick = np.zeros(n, dtype=bool) if kick is None else np.asarray(kick, dtype=bool)
    event = np.zeros(n, dtype=bool) if event is None else np.asarray(event, dtype=bool)
    margin = np.zeros(n, dtype=int) if margin is None else np.asarray(margin, dtype=int)
    v0 = v[0]
    band, h = rule.expectation_band, rule.hysteresis
    delta_t = np.diff(v, prepend=v[0])
    before_t = v - delta_t
    # The share of what was left that the point's change took: of the chance when it fell, of
    # the gap to certainty when it rose.
    room = np.where(delta_t < 0, before_t, 1.0 - before_t)
    share_t = np.abs(delta_t) / np.maximum(room, 1e-12)
    share_big = event & (share_t >= rule.event_share) & (np.abs(delta_t) >= rule.share_floor)
    # Taking the lead is felt however little it moves the chance (a rank outsider's goal).
    took_lead = event & (margin > 0) & (np.diff(margin, prepend=margin[0]) > 0) & (delta_t > 0)
    took_lead &= np.concatenate([[False], margin[:-1] <= 0])
    moved = (np.abs(delta_t) >= rule.move_min) | share_big | took_lead
    last = np.maximum.accumulate(np.where(moved, np.arange(n), -1))
    j = np.maximum(last, 0)
    recent = (last >= 0) & (elapsed - elapsed[j] <= rule.persist_minutes)
    recent &= ~kick | (j == np.arange(n))  # a kick's move is felt at that kick only
    big_t = np.abs(delta_t) >= np.where(kick, rule.kick_move, rule.big_move)
    big_t |= share_big
    delta, after, is_big = delta_t[j], v[j], big_t[j]
    before = after - delta
    up = delta > 0
    big_down = ~up & is_big
    from_below = before <= v0 - band
    # The highest standing within shock_minutes of play before each move.
    start = np.searchsorted(elapsed, elapsed - rule.shock_minutes, side="left")
    recent_peak = np.array([v[min(start[i], i) : i + 1].max() for i in range(n)])[j]
    shock = (recent_peak - after >= rule.shock_drop) & (after <= v0 - rule.shock_drop) & ~late[j]
    rout = (margin <= -rule.humiliation_margin) & (v0 >= rule.humiliation_expectation)
    # A rout shames whatever else is at stake: it reads the match's own standing.
    result = v if plain is None else np.asarray(plain, dtype=float)
    beaten = _held(result <= rule.lost_level, result > rule.lost_level + rule.hysteresis)
    c = _CODE
    move_codes = np.select(
        [
            up
            & (after >= rule.ecstasy_level)
            & ((before < rule.ecstasy_level) | is_big)
            & ((after >= v0 + rule.ecstasy_gain) | late[j]),
            up & is_big & (before <= rule.lost_level),
            up & from_below & (after < v0 - band),
            up & from_below,
            up,
            ~up & shock,
            ~up & rout[j] & (result[j] <= rule.lost_level),
            big_down & (after <= rule.despair_level) & (late[j] | (before >= rule.agony_level)),
            big_down
            & (before >= rule.agony_level)
            & ((before >= v0 + band) | (late[j] & ~kick[j])),
            big_down,
        ],
        [
            c[Emotion.ECSTASY if extreme else Emotion.ELATION],
            c[Emotion.RELIEF],
            c[Emotion.HOPE],
            c[Emotion.RELIEF],
            c[Emotion.JOY],
            c[Emotion.SHOCK],
            c[Emotion.HUMILIATION],
            c[Emotion.DESPAIR if extreme else Emotion.DISMAY],
            c[Emotion.AGONY if extreme else Emotion.DISMAY],
            c[Emotion.DISMAY],
        ],
        default=c[Emotion.ANXIETY],
    )
    # Levels with hysteresis: a level crossed holds until the standing is h back across it.
    best = np.maximum.accumulate(v)
    confident = _held(v >= rule.confident_level, v < rule.confident_level - h)
    lost = _held(v <= rule.lost_level, v > rule.lost_level + h)
    fallen = _held(v <= best - band, v > best - band + h)
    close = _held(np.abs(v - 0.5) <= rule.close_band, np.abs(v - 0.5) > rule.close_band + h)
    hopeful = _held(v >= v0 + band, v < v0 + band - h)
    level_codes = np.select(
        [
            confident,
            beaten & rout,
            lost & ((v < v0) | late),
            fallen & late,
            late & close,
            fallen,
            hopeful,
        ],
        [
            c[Emotion.CONFIDENCE],
            c[Emotion.HUMILIATION],
            c[Emotion.RESIGNATION],
            c[Emotion.DREAD],
            c[Emotion.ANXIETY],
            c[Emotion.ANXIETY],
            c[Emotion.HOPE],
        ],
        default=c[Emotion.CONTENT],
    )
    return np.where(recent, move_codes, level_codes)


def _final_emotion(
    v: np.ndarray,
    late: np.ndarray,
    whistle: int,
    rule: EmotionRule,
    extreme: bool,
    margin: int = 0,
) -> Emotion:
    """Rule 3 of the module docstring: the feeling at the final whistle, driven by the side's
    chance of what matters at the whistle ``f = v[whistle]`` (``margin``: its goal difference
    then, which can disagree with ``f`` when what matters is more than the match)."""
    before = v[: max(whistle, 1)]
    late_before = late[: len(before)]
    v0 = v[0]
    f = float(v[whistle])
    band = rule.expectation_band
    in_balance_late = bool(np.any(late_before & (np.abs(before - 0.5) <= rule.close_band)))
    peak = float(before.max())
    if f > 0.5 + rule.close_band:  # got what mattered (or as good as)
        if margin < 0:  # lost the match but went through
            return Emotion.RELIEF
        low = float(before.min())
        if low <= rule.comeback_level or in_balance_late or (extreme and v0 <= 0.5 - band):
            return Emotion.ECSTASY if extreme else Emotion.ELATION
        if low <= v0 - band and v0 >= 0.5:  # an expected win after a wobble
            return Emotion.RELIEF
        return Emotion.JOY if extreme or v0 < 0.5 else Emotion.CONTENT
    if f < 0.5 - rule.close_band:  # missed it (or as good as)
        if margin <= -rule.humiliation_margin and v0 >= rule.humiliation_expectation:
            return Emotion.HUMILIATION
        if peak >= rule.despair_peak or in_balance_late:
            return Emotion.DESPAIR if extreme else Emotion.DISAPPOINTMENT
        if margin > 0:  # won the match but went out
            return Emotion.DISAPPOINTMENT
        high_late = float(before[late_before].max()) if late_before.any() else float(before[-1])
        if high_late < rule.settled_level and v0 < 0.5:
            return Emotion.RESIGNATION
        return Emotion.DISAPPOINTMENT
    if margin != 0 or abs(f - 0.5) > 1e-9:  # still hanging on what happens elsewhere
        return Emotion.ANXIETY
    moves = np.diff(before)
    big = np.flatnonzero(np.abs(moves) >= rule.big_move)
    if big.size:
        return Emotion.RELIEF if moves[big[-1]] > 0 else Emotion.DISAPPOINTMENT
    return Emotion.DISAPPOINTMENT if v0 >= 0.5 + band else Emotion.CONTENT


def emotion_arc(
    path: ProbabilityPath,
    side: Side,
    stakes: float | None = None,
    *,
    rule: EmotionRule | None = None,
) -> list[tuple[int, Emotion]]:
    """The changes of feeling along the path: (index of the first point, emotion) for each run."""
    return emotion_runs(fan_emotions(path, side, stakes, rule=rule))


def emotion_runs(labels: np.ndarray) -> list[tuple[int, Emotion]]:
    """The runs of one feeling in a sequence of labels (a replay's emotions of one side): (index
    of the run's first point, emotion) for each."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        return []
    starts = np.concatenate([[0], np.flatnonzero(labels[1:] != labels[:-1]) + 1])
    return [(int(i), Emotion(str(labels[i]))) for i in starts]


def both_sides_emotions(path: ProbabilityPath) -> dict[Side, np.ndarray]:
    """Both sides' fans' feelings at every point of ``path`` (:func:`fan_emotions` with the
    stakes of the match): what a replay and an export carry."""
    return {side: fan_emotions(path, side) for side in (Side.HOME, Side.AWAY)}
