"""How a tournament's odds moved: each team's chance of a round, forecast at the start of every
match day (:meth:`heartbreak.services.Heartbreak.tournament_odds`), as a matplotlib figure.

One line per team (the teams with the best chance at some point, at most ``teams``), a step at
each day; the last point is after the final, where the champion's chance is 1. Figures are made
with the Agg canvas (never a window), as the match charts are (:mod:`heartbreak.story.chart`).
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from heartbreak.errors import InvalidInput
from heartbreak.story.chart import ATTRIBUTION, FORMATS

#: Okabe–Ito colours, then greys: the teams drawn, in order of their best chance.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)


def _column(frame: pd.DataFrame, column: str) -> str:
    if column not in frame:
        rounds = [c for c in frame.columns if c.startswith("p_") and c != "p_position_1"]
        raise InvalidInput(f"round: {column!r} is not one of {', '.join(rounds)}", field="round")
    return column


def draw_odds(
    frame: pd.DataFrame,
    title: str,
    column: str = "p_champion",
    teams: int = 8,
    ax: Axes | None = None,
) -> Figure:
    """Draw ``column`` (``p_champion``, ``p_advance``, ``p_final``…) of the teams that had the
    best chance of it at some point; returns the figure."""
    column = _column(frame, column)
    best = frame.groupby("team")[column].max().sort_values(ascending=False, kind="stable")
    chosen = list(best.index[:teams])
    if ax is None:
        fig = Figure(figsize=(9, 4.8), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    for k, team in enumerate(chosen):
        rows = frame[frame["team"] == team].sort_values("as_of")
        colour = PALETTE[k] if k < len(PALETTE) else "#888888"
        ax.step(
            pd.to_datetime(rows["as_of"]),
            rows[column].astype(float),
            where="post",
            color=colour,
            linewidth=2.0,
            label=team,
        )
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    what = column.removeprefix("p_").replace("_", " ")
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"chance: {what}")
    ax.set_title(title, loc="left", fontsize=12)
    ax.grid(True, axis="y", color="#dddddd", linewidth=0.8)
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncol=2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.text(0.01, 0.01, ATTRIBUTION, fontsize=6, color="#555555")
    return fig


def odds_chart_bytes(
    frame: pd.DataFrame, title: str, fmt: str = "png", column: str = "p_champion"
) -> bytes:
    """The chart of :func:`draw_odds` as the bytes of a PNG or SVG file."""
    if fmt not in FORMATS.values():
        raise InvalidInput(
            f"format: {fmt!r} is not one of {', '.join(FORMATS.values())}", field="format"
        )
    fig = draw_odds(frame, title, column)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=110)
    return buffer.getvalue()


def save_odds_chart(
    frame: pd.DataFrame, file: str | Path, title: str, column: str = "p_champion"
) -> Path:
    """Write the chart of :func:`draw_odds` to a PNG or SVG file (by its extension)."""
    path = Path(file)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(f"--chart: {path} must end in .png or .svg", field="chart")
    path.write_bytes(odds_chart_bytes(frame, title, fmt, column))
    return path
