"""Reliability diagrams of P(home win) per checkpoint (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from heartbreak.data.sources import ATTRIBUTION_SHORT

# Okabe–Ito colours, readable by colour-blind readers.
COLOURS = {"model": "#0072B2", "constant_poisson": "#E69F00", "lookup": "#009E73"}


def reliability_figure(entry: dict) -> Figure:
    """One checkpoint's reliability diagram: observed frequency against forecast, per forecaster,
    with the bin counts under it."""
    fig = Figure(figsize=(6.4, 6.4))
    ax = fig.add_axes((0.12, 0.3, 0.82, 0.62))
    counts = fig.add_axes((0.12, 0.1, 0.82, 0.13), sharex=ax)
    ax.plot([0, 1], [0, 1], color="#999999", linewidth=1, linestyle="--", label="perfect")
    width = 0.1 / (len(entry["forecasters"]) + 1)
    for k, (name, scores) in enumerate(entry["forecasters"].items()):
        table = np.asarray(scores["reliability"], dtype=float)
        used = table[:, 2] > 0
        label = f"{name} (ECE {scores['ece_home_win']:.3f})"
        ax.plot(table[used, 0], table[used, 1], marker="o", color=COLOURS.get(name), label=label)
        centres = np.arange(10) / 10 + (k + 1) * width
        counts.bar(centres, table[:, 2], width=width, color=COLOURS.get(name))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("observed home-win frequency")
    ax.set_title(f"P(home win) at {entry['checkpoint']}' — {entry['n']} held-out matches")
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    ax.tick_params(labelbottom=False)
    counts.set_xlabel("forecast P(home win), 10 bins")
    counts.set_ylabel("count")
    fig.text(0.01, 0.01, ATTRIBUTION_SHORT, fontsize=6, color="#666666")
    return fig


def save_reliability_diagrams(results: dict, folder: str | Path) -> list[Path]:
    """One PNG per checkpoint, ``reliability-<minute>.png``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for entry in results["checkpoints"]:
        path = out / f"reliability-{entry['checkpoint']:02d}.png"
        reliability_figure(entry).savefig(path, dpi=110)
        files.append(path)
    return files
