"""The chart of a match: one side's chance of what matters, minute by minute.

:func:`draw_path` draws on a matplotlib figure (never a window: figures are made with the Agg
canvas, no pyplot state is touched); :func:`save_chart` writes it as PNG or SVG.

What the chart shows, for the chosen side (default: the losing side, else the home side):

- its chance of what matters (going through in a knockout, else winning) as a thick line, with
  the three full-time outcomes stacked lightly behind it;
- the x axis on the match clock (:mod:`heartbreak.story.clock`, the same axis as the match
  page's): ``0'`` to ``90'`` every 15 minutes, stoppage time a shaded stretch after ``45'`` and
  ``90'`` (and ``105'``, ``120'``) labelled at its end (``45+2'``, ``90+4'``), ``HT``/``FT``/
  ``ET``/``ET HT``/``AET`` under lines at the ends of periods, and a shootout in a column of
  its own;
- goals (circles, in the scoring side's colour) and red cards (card-shaped markers) with the
  player and minute;
- in a shootout whose kicks are known, each kick at its own place across the shootout's column:
  a dot on the curve (a cross for a miss) and a ✓ or ✗ above it, in the kicking side's colour,
  the chosen side's in the upper row;
- a band under the curve coloured by what the side's fans felt at each point
  (:func:`heartbreak.drama.emotions.fan_emotions`), named in a legend;
- a title with the teams, score (``a.e.t.``/``pens``), competition, stage and date, and the data
  attribution in the footer.

Colours come from the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which
stays distinguishable with the common colour-vision deficiencies; every coloured element also
has a text label or a distinct shape.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from heartbreak.data.sources import ATTRIBUTION_SHORT as ATTRIBUTION
from heartbreak.domain import EventType, Period, Side
from heartbreak.drama.emotions import fan_emotions
from heartbreak.errors import InvalidInput
from heartbreak.model.path import PointKind, ProbabilityPath
from heartbreak.story.clock import ClockAxis, path_axis
from heartbreak.story.facts import (
    chance_of,
    goal_of,
    goal_phrase,
    kind_mask,
    path_winner,
    peak_chance,
    stake_for,
)
from heartbreak.wording import chance_text

# Okabe–Ito palette.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"

#: Colour of each feeling in the emotion band: blues and greens for pleasant feelings (darker
#: when stronger), yellow to vermillion and black for unpleasant ones, greys for the calm ones.
EMOTION_COLOURS = {
    "ecstasy": BLUE,
    "elation": "#3A93C9",
    "joy": SKY_BLUE,
    "confidence": GREEN,
    "hope": "#8FD1B8",
    "relief": "#B9DDF1",
    "content": "#E4E4E4",
    "anxiety": YELLOW,
    "dread": ORANGE,
    "dismay": "#F3B88A",
    "disappointment": PURPLE,
    "agony": VERMILLION,
    "despair": BLACK,
    "resignation": GREY,
    "shock": "#8F3E00",  # vermillion darkened: the sudden collapse
    "humiliation": "#7D3C62",  # reddish purple darkened: the rout
}
_DARK_EMOTIONS = {
    "ecstasy",
    "elation",
    "confidence",
    "agony",
    "despair",
    "disappointment",
    "shock",
    "humiliation",
}

FORMATS = {".png": "png", ".svg": "svg"}
FIGSIZE = (12.0, 6.8)
DPI = 150
_BAND = (-0.13, 0.08)  # bottom and height of the emotion band, in chance units


def minute_ticks(path: ProbabilityPath, min_gap: float | None = None) -> list[tuple[float, str]]:
    """(x, label) pairs for the x axis (:func:`heartbreak.story.clock.path_axis`): ``0'``,
    every 15 minutes, the end of each period with its stoppage (``45+2'``), ``pens`` for a
    shootout.

    When two labels sit closer than ``min_gap`` minutes (default: 4% of the axis), the less
    telling one goes: a period's nominal end (``45'``) before a quarter-hour, a quarter-hour
    before the end of a period or the shootout.
    """
    axis = path_axis(path)
    return [(t.x, t.label) for t in _fitting_ticks(axis, min_gap)]


def _fitting_ticks(axis: ClockAxis, min_gap: float | None):
    if min_gap is None:
        min_gap = 0.04 * (float(axis.end - axis.x.min()) or 1.0)
    return axis.thinned(min_gap)


def chart_title(path: ProbabilityPath) -> tuple[str, str]:
    """(headline, subtitle): "Belgium 3-2 Japan" and "FIFA World Cup, round of 16 · 2 July
    2018 · Rostov-on-Don"."""
    info = path.info
    home, away = int(path.home_goals[-1]), int(path.away_goals[-1])
    period = np.asarray(path.period)
    extra = bool(np.isin(period, [Period.EXTRA_FIRST.value, Period.EXTRA_SECOND.value]).any())
    shootout = [e for e in path.events if e.type is EventType.SHOOTOUT and e.side is not None]
    suffix = ""
    if shootout:
        won = shootout[-1].side
        winner = info.team(won)  # type: ignore[arg-type]
        score = ""
        if any(e.type is EventType.SHOOTOUT_KICK for e in path.events):
            home_pens, away_pens = path.shootout_score(len(path) - 1)
            w, lo = (home_pens, away_pens) if won is Side.HOME else (away_pens, home_pens)
            score = f" {w}-{lo}"
        suffix = f" ({'a.e.t.; ' if extra else ''}{winner} won{score} on pens)"
    elif extra:
        suffix = " (a.e.t.)"
    headline = f"{info.home} {home}-{away} {info.away}{suffix}"
    what = info.competition + (f", {info.stage}" if info.stage else "")
    date = f"{info.date.day} {info.date:%B} {info.date.year}"
    place = ", ".join(p for p in (info.city, info.country) if p)
    subtitle = " · ".join(p for p in (what, date, place) if p)
    return headline, subtitle


def _check_emotions(path: ProbabilityPath, side: Side, emotions) -> np.ndarray:
    if emotions is None:  # a path drawn on its own; a replay passes the emotions it holds
        return np.asarray(fan_emotions(path, side)).astype(str)
    labels = np.asarray(emotions).astype(str)
    if labels.shape != (len(path),):
        raise InvalidInput(
            f"emotions: expected one label per path point ({len(path)}), got shape {labels.shape}"
        )
    unknown = sorted(set(labels) - set(EMOTION_COLOURS))
    if unknown:
        raise InvalidInput(f"emotions: unknown labels {', '.join(unknown)}", field="emotions")
    return labels


def draw_path(
    path: ProbabilityPath,
    side: Side | None = None,
    emotions: np.ndarray | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw ``side``'s chance of what matters over the match (see the module docstring).

    ``side`` defaults to the losing side, else the home side; ``emotions`` (one label per path
    point) to :func:`~heartbreak.drama.emotions.fan_emotions` of that side. Draws into ``ax``
    when given (and returns its figure), else on a new figure.
    """
    if len(path) == 0:
        raise InvalidInput("path: the path has no points")
    if side is None:
        winner = path_winner(path)
        side = winner.other if winner is not None else Side.HOME
    side = Side(side)
    labels = _check_emotions(path, side, emotions)
    if ax is None:
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.07, 0.2, 0.9, 0.6))
        standalone = True
    else:
        fig = ax.figure  # type: ignore[assignment]
        standalone = False

    info = path.info
    team, opponent = info.team(side), info.team(side.other)
    axis = path_axis(path)
    x = axis.x
    chance = chance_of(path, side)
    phrase = goal_phrase(stake_for(path, side), goal_of(path, side))

    _draw_outcomes(ax, path, side, x, team, opponent)
    _draw_periods(ax, axis)
    ax.plot(x, chance, color=BLUE, linewidth=2.6, solid_joinstyle="round", zorder=5)
    right = max(axis.end, float(x.max()) + 1.0)
    shown = _draw_emotion_band(ax, x, labels, right)

    ax.set_xlim(x.min(), right)
    # Two tick labels need about 0.4 inch between their centres.
    width = ax.get_window_extent().width / fig.dpi
    ticks = _fitting_ticks(axis, min_gap=0.4 * (right - x.min()) / max(width, 0.1))
    ax.set_xticks([t.x for t in ticks], [t.label for t in ticks])
    _draw_divider_names(ax, ticks)
    ax.set_ylim(_BAND[0] - 0.01, 1.0)
    _draw_events(ax, path, side, x, chance)
    kickers = _draw_kicks(ax, path, side, x, chance)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_ylabel(f"{team}: chance of {phrase}", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6, zorder=0)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.spines["bottom"].set_position(("data", _BAND[0] - 0.01))

    outcome_note = " (full time)" if path.knockout else ""
    legend = [
        (Line2D([], [], color=BLUE, linewidth=2.6), f"{team}: chance of {phrase}"),
        (Patch(facecolor=SKY_BLUE, alpha=0.3), f"{team} win{outcome_note}"),
        (Patch(facecolor=GREY, alpha=0.3), "draw"),
        (Patch(facecolor=ORANGE, alpha=0.3), f"{opponent} win{outcome_note}"),
    ]
    scorers = {e.side for e in path.events if e.type is EventType.GOAL}
    if side in scorers:
        legend.append((_marker("o", BLUE, "white"), f"{team} goal"))
    if side.other in scorers:
        legend.append((_marker("o", ORANGE, "white"), f"{opponent} goal"))
    if any(e.type is EventType.RED_CARD for e in path.events):
        legend.append((_marker("s", VERMILLION, BLACK), "red card"))
    if path.stakes is not None and path.stakes.elsewhere:
        legend.append((_marker("D", PURPLE, "white"), "goal in the group's other match"))
    for kicker in (side, side.other):
        if kicker in kickers:
            colour = BLUE if kicker is side else ORANGE
            name = team if kicker is side else opponent
            legend.append((_marker("o", colour, "white"), f"{name} kick: ✓ scored, ✗ missed"))
    handles = [h for h, _ in legend]
    names = [n for _, n in legend]
    if standalone:
        headline, subtitle = chart_title(path)
        fig.text(0.07, 0.965, headline, fontsize=17, fontweight="bold", va="top")
        fig.text(0.07, 0.91, subtitle, fontsize=11, color="#333333", va="top")
        fig.legend(
            handles,
            names,
            loc="upper left",
            bbox_to_anchor=(0.065, 0.875),
            fontsize=8.5,
            frameon=False,
            ncol=4,
            columnspacing=1.6,
        )
        _emotion_legend(fig, shown, team)
        fig.text(0.07, 0.02, ATTRIBUTION, fontsize=7.5, color="#555555", va="bottom")
    else:
        headline, subtitle = chart_title(path)
        ax.set_title(f"{headline}\n{subtitle}", fontsize=11, loc="left")
        feelings = [Patch(facecolor=EMOTION_COLOURS[e], edgecolor="#888888") for e in shown]
        ax.legend(
            handles + feelings,
            names + [f"{team} fans: {e}" for e in shown],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1),
            ncol=4,
            fontsize=7,
            frameon=False,
        )
    return fig  # type: ignore[return-value]


def _marker(shape: str, colour: str, edge: str) -> Line2D:
    return Line2D(
        [], [], linestyle="none", marker=shape, markersize=8, color=colour, markeredgecolor=edge
    )


def _draw_outcomes(ax, path, side, x, team, opponent) -> None:
    """The three full-time outcomes, stacked lightly behind the line (the side's win at the
    bottom)."""
    win = path.p_home_win if side is Side.HOME else path.p_away_win
    loss = path.p_away_win if side is Side.HOME else path.p_home_win
    draw = path.p_draw
    base = np.zeros(len(x))
    for values, colour in ((win, SKY_BLUE), (draw, GREY), (loss, ORANGE)):
        top = base + np.asarray(values, dtype=float)
        ax.fill_between(x, base, top, color=colour, alpha=0.16, linewidth=0, zorder=1)
        base = top


def _draw_periods(ax, axis: ClockAxis) -> None:
    """Shade stoppage time and the shootout's column; a line at the end of each period."""
    for stretch in axis.stoppage:
        ax.axvspan(stretch.start, stretch.end, color="#EEEEEE", zorder=0, linewidth=0)
    if axis.shootout is not None:
        ax.axvspan(axis.shootout.start, axis.shootout.end, color="#E3EDF5", zorder=0, linewidth=0)
    for divider in axis.dividers:
        ax.axvline(divider.x, color="#8C8C8C", linewidth=0.9, zorder=2)


def _draw_divider_names(ax, ticks) -> None:
    """``HT``, ``FT``, ``ET`` ... under the tick at the end of each period."""
    for tick in ticks:
        if tick.sub:
            ax.annotate(
                tick.sub,
                xy=(tick.x, 0.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, -17),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8,
                color="#444444",
            )


_TOP_LANES = (0.93, 0.83, 0.73, 0.63)
_BOTTOM_LANES = (0.08, 0.18, 0.28, 0.38)


class _Layout:
    """Label boxes and leader lines placed so far, in data units."""

    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []  # x0, x1, y0, y1
        self.leaders: list[np.ndarray] = []  # sample points along each leader line

    @staticmethod
    def _samples(start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
        t = np.linspace(0.0, 1.0, 24)[:, None]
        return np.asarray(start) * (1 - t) + np.asarray(end) * t

    def free(self, box, marker: tuple[float, float]) -> bool:
        """Whether a box, and its leader line to the marker, cross nothing placed so far."""
        if any(_overlap(box, other) for other in self.boxes):
            return False
        if any(_inside(points, box).any() for points in self.leaders):
            return False
        centre = ((box[0] + box[1]) / 2, (box[2] + box[3]) / 2)
        leader = self._samples(marker, centre)
        return not any(_inside(leader, other).any() for other in self.boxes)

    def add(self, box, marker: tuple[float, float]) -> None:
        self.boxes.append(box)
        self.leaders.append(self._samples(marker, ((box[0] + box[1]) / 2, (box[2] + box[3]) / 2)))


def _inside(points: np.ndarray, box) -> np.ndarray:
    x0, x1, y0, y1 = box
    return (points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)


def _draw_events(ax, path, side, x, chance) -> None:
    """Goal and red-card markers with labels, each label placed where it clears the curve and
    the labels and leader lines already placed (axes limits must be set before)."""
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    layout = _Layout()
    for i in np.flatnonzero(kind_mask(path, PointKind.AFTER_EVENT)):
        event = path.events[int(path.event_index[i])]
        if event.type not in (EventType.GOAL, EventType.RED_CARD) or event.side is None:
            continue
        xi, yi = float(x[i]), float(chance[i])
        if event.type is EventType.GOAL:
            colour = BLUE if event.side is side else ORANGE
            ax.plot(xi, yi, "o", markersize=9, color=colour, markeredgecolor="white", zorder=7)
            what = "own goal" if event.own_goal else "pen." if event.penalty else ""
        else:
            colour = VERMILLION
            ax.plot(xi, yi, "s", markersize=8, color=colour, markeredgecolor=BLACK, zorder=7)
            what = "sent off"
        name = event.player or path.info.team(event.side)
        text = f"{name}{f' ({what})' if what else ''} {event.label}"
        note = _event_label(ax, text, xi, yi, colour, fontsize=8.5)
        _settle_label(ax, note, xi, yi, x, chance, layout, renderer, to_data)
    # Goals in the group's matches played at the same time, where this match's chance saw them.
    for goal in path.stakes.elsewhere if path.stakes is not None else ():
        xi, yi = float(x[goal.index]), float(chance[goal.index])
        ax.plot(xi, yi, "D", markersize=7, color=PURPLE, markeredgecolor="white", zorder=7)
        other = goal.away if goal.team == goal.home else goal.home
        text = f"{goal.team} {goal.label} v {other}"
        note = _event_label(ax, text, xi, yi, PURPLE, fontsize=8, style="italic")
        _settle_label(ax, note, xi, yi, x, chance, layout, renderer, to_data)
    _draw_peak(ax, path, side, x, chance, layout, renderer, to_data)


def _event_label(ax, text: str, xi: float, yi: float, colour: str, **style):
    """A boxed label with a leader line to the marker at (xi, yi), placed later."""
    return ax.annotate(
        text,
        xy=(xi, yi),
        xytext=(xi, 0.5),
        ha="center",
        va="center",
        color=BLACK,
        zorder=8,
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": colour},
        arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.9, "shrinkB": 5},
        **style,
    )


def _settle_label(ax, note, xi, yi, x, chance, layout, renderer, to_data) -> None:
    """Move a label to where it clears the curve and the labels already placed."""
    extent = Text.get_window_extent(note, renderer).padded(4)  # the text, not its leader
    (bx0, by0), (bx1, by1) = to_data.transform([[extent.x0, extent.y0], [extent.x1, extent.y1]])
    w, h = abs(bx1 - bx0) + 0.6, abs(by1 - by0) + 0.01
    cx, cy = _place_label(xi, yi, w, h, x, chance, layout, ax.get_xlim())
    layout.add((cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2), (xi, yi))
    note.set_position((cx, cy))


_KICK_ROWS = (0.955, 0.895)  # the chosen side's kicks, then the other's


def _draw_kicks(ax, path, side, x, chance) -> set[Side]:
    """Each shootout kick at its place in the shootout's column: a dot on the curve (a cross
    for a miss) and a ✓ or ✗ above, in the kicking side's colour. Returns the sides that kicked."""
    kickers: set[Side] = set()
    for i in np.flatnonzero(kind_mask(path, PointKind.SHOOTOUT_KICK)):
        kick = path.events[int(path.event_index[i])]
        if kick.side is None:
            continue
        kickers.add(kick.side)
        colour = BLUE if kick.side is side else ORANGE
        xi, yi = float(x[i]), float(chance[i])
        if kick.converted:
            ax.plot(xi, yi, "o", markersize=6, color=colour, markeredgecolor="white", zorder=7)
        else:
            ax.plot(xi, yi, "X", markersize=7, color=colour, markeredgecolor="white", zorder=7)
        ax.text(
            xi,
            _KICK_ROWS[0 if kick.side is side else 1],
            "✓" if kick.converted else "✗",
            color=colour,
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
            zorder=8,
        )
    return kickers


def _draw_peak(ax, path, side, x, chance, layout: _Layout, renderer, to_data) -> None:
    """A small "peak 93%" note at the side's highest chance while the result was open, when it
    fits without covering a label or a leader line."""
    peak = peak_chance(path, side)
    index = peak.moment.index
    if peak.value >= 0.995 or peak.value <= chance[0] + 0.05:
        return
    note = ax.annotate(
        f"peak {chance_text(peak.value)}",
        xy=(x[index], peak.value),
        xytext=(0, 7),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8.5,
        fontweight="bold",
        color=BLUE,
        zorder=8,
    )
    note.update_positions(renderer)
    extent = Text.get_window_extent(note, renderer).padded(2)
    (bx0, by0), (bx1, by1) = to_data.transform([[extent.x0, extent.y0], [extent.x1, extent.y1]])
    box = (bx0, bx1, by0, by1)
    if by1 > 1.0 or not layout.free(box, ((bx0 + bx1) / 2, (by0 + by1) / 2)):
        note.remove()


def _place_label(xi, yi, w, h, x, chance, layout: _Layout, xlim) -> tuple[float, float]:
    """The centre of a label box of width ``w`` and height ``h`` (data units) for a marker at
    (xi, yi): clear of the curve and of the boxes and leader lines already placed, as close
    to the marker as possible."""
    x_lo, x_hi = xlim
    span = x_hi - x_lo
    best: tuple[float, float, float] | None = None
    fallback: tuple[float, float, float] | None = None
    for dx in (0.0, w / 2 + 0.8, -(w / 2 + 0.8)):
        cx = float(np.clip(xi + dx, x_lo + w / 2, x_hi - w / 2))
        lo, hi = _curve_under(x, chance, cx - w / 2 - 0.3, cx + w / 2 + 0.3, yi)
        for cy in (*_TOP_LANES, *_BOTTOM_LANES, yi + 0.1, yi - 0.1, yi + 0.17, yi - 0.17):
            if not 0.05 <= cy <= 0.95:
                continue
            box = (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)
            if not layout.free(box, (xi, yi)):
                continue
            clear = float(np.min(np.maximum(np.maximum(lo - cy, cy - hi), 0.0))) - h / 2
            cost = abs(cy - yi) + 1.5 * abs(cx - xi) / span
            if clear >= 0.03 and (best is None or cost < best[0]):
                best = (cost, cx, cy)
            if fallback is None or clear > fallback[0]:
                fallback = (clear, cx, cy)
    chosen = best or fallback
    if chosen is None:  # every spot is taken: stack at the top
        return float(np.clip(xi, x_lo + w / 2, x_hi - w / 2)), _TOP_LANES[0]
    return chosen[1], chosen[2]


def _curve_under(x, chance, left, right, default) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper ends of the curve's segments between ``left`` and ``right`` (a goal's
    jump is one vertical segment, so its whole height counts)."""
    inside = np.flatnonzero((x >= left) & (x <= right))
    if not len(inside):
        return np.array([default]), np.array([default])
    seg = np.arange(max(int(inside[0]) - 1, 0), min(int(inside[-1]) + 1, len(x) - 1))
    if not len(seg):
        return chance[inside], chance[inside]
    a, b = chance[seg], chance[seg + 1]
    return np.minimum(a, b), np.maximum(a, b)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _draw_emotion_band(ax, x, labels: np.ndarray, right: float) -> list[str]:
    """A strip under the curve coloured by the feeling at each point (the last one's up to
    ``right``); returns the feelings shown, in order of first appearance."""
    bottom, height = _BAND
    edges = np.concatenate([x, [max(right, x[-1])]])
    shown: list[str] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i < len(labels) and labels[i] == labels[start]:
            continue
        label = str(labels[start])
        left, right = edges[start], edges[i] if i < len(labels) else edges[-1]
        if right > left:
            ax.broken_barh(
                [(left, right - left)],
                (bottom, height),
                facecolors=EMOTION_COLOURS.get(label, GREY),
                edgecolor="none",
                zorder=3,
            )
            if label not in shown:
                shown.append(label)
            if right - left >= 1.0 + 0.75 * len(label):
                ax.text(
                    (left + right) / 2,
                    bottom + height / 2,
                    label,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if label in _DARK_EMOTIONS else BLACK,
                    zorder=4,
                )
        start = i
    ax.axhline(0.0, color="#888888", linewidth=0.8, zorder=2)
    return shown


def _emotion_legend(fig: Figure, shown: list[str], team: str) -> None:
    handles = [Patch(facecolor=EMOTION_COLOURS[e], edgecolor="#888888", label=e) for e in shown]
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.065, 0.055),
        ncol=min(len(handles), 8),
        fontsize=8.5,
        frameon=False,
        title=f"What {team} fans felt (band under the curve)",
        title_fontsize=8.5,
        alignment="left",
    )


def save_chart(
    path: ProbabilityPath,
    file: str | Path,
    side: Side | None = None,
    emotions: np.ndarray | None = None,
) -> Path:
    """Write the chart of :func:`draw_path` to ``file``: PNG or SVG by its extension."""
    target = Path(file)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise InvalidInput(
            f"file: {str(file)!r} must end in .png or .svg, not {target.suffix or 'nothing'!r}"
        )
    target.write_bytes(chart_bytes(path, fmt, side=side, emotions=emotions))
    return target


def chart_bytes(
    path: ProbabilityPath,
    fmt: str = "png",
    side: Side | None = None,
    emotions: np.ndarray | None = None,
) -> bytes:
    """The chart of :func:`draw_path` as the bytes of a PNG (``fmt="png"``) or SVG file."""
    if fmt not in FORMATS.values():
        raise InvalidInput(
            f"format: {fmt!r} is not one of {', '.join(FORMATS.values())}", field="format"
        )
    fig = draw_path(path, side=side, emotions=emotions)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=DPI, metadata=_metadata(fmt, path))
    return buffer.getvalue()


def _metadata(fmt: str, path: ProbabilityPath) -> dict[str, str]:
    """Title and data attribution, embedded in the file as well as drawn in the footer."""
    headline, _ = chart_title(path)
    return {"Title": headline, "Description": ATTRIBUTION}
