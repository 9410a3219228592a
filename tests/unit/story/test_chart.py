"""The match chart: files written, axis labels, markers, title, attribution, bad input."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from heartbreak.domain import Event, ShootoutKick
from heartbreak.errors import InvalidInput
from heartbreak.model.replay import replay
from heartbreak.story.chart import (
    ATTRIBUTION,
    BLUE,
    EMOTION_COLOURS,
    chart_title,
    draw_path,
    minute_ticks,
    save_chart,
)
from heartbreak.story.clock import path_axis

from .conftest import AWAY, GOAL, HOME, build

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def all_text(fig: Figure) -> str:
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
        texts += [t.get_text() for t in ax.get_xticklabels()]
        texts += [ax.get_ylabel(), ax.get_title()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    for legend in fig.legends:
        texts += [t.get_text() for t in legend.get_texts()]
        texts.append(legend.get_title().get_text())
    return "\n".join(texts)


def test_png_file(belgium_japan, tmp_path):
    _, path = belgium_japan
    target = save_chart(path, tmp_path / "belgium_japan.png")
    data = target.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 50_000


def test_svg_file(belgium_japan, tmp_path):
    _, path = belgium_japan
    target = save_chart(path, str(tmp_path / "belgium_japan.SVG"))
    data = target.read_bytes()
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(data) > 50_000
    assert b"Belgium 3-2 Japan" in data  # title metadata
    assert b"CC BY-SA" in data or b"CC-BY-SA" in data  # attribution metadata


@pytest.mark.parametrize("name", ["chart.jpg", "chart.pdf", "chart", "chart.png.txt"])
def test_other_extensions_are_rejected(belgium_japan, tmp_path, name):
    _, path = belgium_japan
    with pytest.raises(InvalidInput, match="file"):
        save_chart(path, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_no_pyplot_figures_are_left_open(belgium_japan, tmp_path):
    _, path = belgium_japan
    before = plt.get_fignums()
    save_chart(path, tmp_path / "a.png")
    draw_path(path)
    assert plt.get_fignums() == before


def test_chart_content(belgium_japan):
    _, path = belgium_japan
    fig = draw_path(path)
    text = all_text(fig)
    assert "Belgium 3-2 Japan" in text
    assert "FIFA World Cup, round of 16" in text and "2 July 2018" in text
    assert "Japan: chance of reaching the quarter-finals" in text  # default: the losing side
    for label in ("Genki Haraguchi 48'", "Takashi Inui 52'", "Nacer Chadli 90+4'"):
        assert label in text
    assert "Japan goal" in text and "Belgium goal" in text
    assert "despair" in text and "ecstasy" in text  # the emotion legend
    assert ATTRIBUTION in text and "Fjelstul" in ATTRIBUTION
    assert "peak 93%" in text
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "0'" and "45+2'" in ticks and ticks[-2:] == ["90'", "90+4'"]
    line = max(ax.get_lines(), key=lambda ln: len(ln.get_xdata()))
    assert np.allclose(line.get_ydata(), 1.0 - path.p_home_advance)


def test_labels_do_not_overlap(belgium_japan):
    _, path = belgium_japan
    fig = draw_path(path)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    notes = [t for t in ax.texts if t.get_bbox_patch() is not None]
    assert len(notes) == 5  # one per goal
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in notes]
    boxes += [Text.get_window_extent(t, renderer) for t in ax.texts if t.get_text() == "peak 93%"]
    assert len(boxes) == 6
    inside = ax.get_window_extent(renderer)
    for i, a in enumerate(boxes):
        assert inside.x0 <= a.x0 and a.x1 <= inside.x1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_minute_ticks(belgium_japan, shootout):
    _, path = belgium_japan
    labels = [label for _, label in minute_ticks(path)]
    assert labels == ["0'", "15'", "30'", "45+2'", "60'", "75'", "90'", "90+4'"]
    positions = [x for x, _ in minute_ticks(path)]
    assert positions == sorted(positions) and positions[0] == 0.0
    _, et_path = shootout
    et_labels = [label for _, label in minute_ticks(et_path)]
    assert et_labels[-1] == "pens" and "105'" in et_labels and "120+1'" in et_labels


def test_titles(shootout, routine_win):
    _, path = shootout
    headline, subtitle = chart_title(path)
    assert headline == "Spain 1-1 Russia (a.e.t.; Russia won on pens)"
    assert subtitle == "FIFA World Cup, round of 16 · 1 July 2018 · Moscow"
    _, path = build(
        "A",
        "B",
        (2, 1),
        [
            Event(GOAL, 10, side=HOME),
            Event(GOAL, 20, side=AWAY),
            Event(GOAL, 100, side=HOME),
        ],
        knockout=True,
        extra_time=True,
    )
    assert chart_title(path)[0] == "A 2-1 B (a.e.t.)"
    _, path = routine_win
    assert chart_title(path)[0] == "Germany 1-0 Latvia"


def test_a_shootout_kick_by_kick(shootout):
    match, _ = shootout
    # Spain 1-1 Russia, 2018, Spain first: ✓ ✓ ✗ ✓ ✗ for Spain, ✓ ✓ ✓ ✓ for Russia.
    spain, russia = (1, 1, 0, 1, 0), (1, 1, 1, 1)
    kicks = [ShootoutKick(HOME, bool(k)) for k in spain]
    order = [
        kicks[i // 2] if i % 2 == 0 else ShootoutKick(AWAY, bool(russia[i // 2])) for i in range(9)
    ]
    match = replace(match, shootout_kicks=tuple(order))
    path = replay(match, 1.6, 0.8)
    assert chart_title(path)[0] == "Spain 1-1 Russia (a.e.t.; Russia won 4-3 on pens)"
    fig = draw_path(path)  # Spain's chance: the losing side
    ax = fig.axes[0]
    column = path_axis(path).shootout
    marks = [t for t in ax.texts if t.get_text() in ("✓", "✗")]
    assert len(marks) == 9
    assert all(column.start < t.get_position()[0] < column.end for t in marks)
    xs = [t.get_position()[0] for t in marks]
    assert xs == sorted(xs)
    # Spain's row above Russia's, each in its side's colour.
    rows = {t.get_position()[1] for t in marks}
    assert len(rows) == 2
    top = max(rows)
    upper = [t.get_text() for t in marks if t.get_position()[1] == top]
    lower = [t.get_text() for t in marks if t.get_position()[1] != top]
    assert upper == ["✓", "✓", "✗", "✓", "✗"] and lower == ["✓"] * 4
    assert {t.get_color() for t in marks if t.get_position()[1] == top} == {BLUE}
    text = all_text(fig)
    assert "Spain kick: ✓ scored, ✗ missed" in text and "Russia kick: ✓ scored, ✗ missed" in text


def test_red_card_and_side(red_card, tmp_path):
    _, path = red_card
    text = all_text(draw_path(path, side=HOME))
    assert "John Mensah (sent off) 30'" in text and "red card" in text
    assert "Uruguay: chance of reaching the semi-finals" in text
    assert save_chart(path, tmp_path / "red.png", side=AWAY).stat().st_size > 20_000


def test_goalless_draw_chart(goalless_draw):
    _, path = goalless_draw
    text = all_text(draw_path(path))
    assert "England 0-0 Scotland" in text and "England: chance of winning" in text
    assert "goal" not in text.replace("goalless", "")


def test_given_emotions_are_used(belgium_japan):
    _, path = belgium_japan
    labels = np.array(["hope"] * len(path))
    text = all_text(draw_path(path, emotions=labels))
    assert "hope" in text and "despair" not in text


def test_bad_emotions_are_rejected(belgium_japan):
    _, path = belgium_japan
    with pytest.raises(InvalidInput, match="emotions"):
        draw_path(path, emotions=np.array(["joy"] * 3))
    with pytest.raises(InvalidInput, match="emotions"):
        draw_path(path, emotions=np.array(["glee"] * len(path)))


def test_draws_into_given_axes(belgium_japan):
    _, path = belgium_japan
    fig = Figure(figsize=(8, 9))
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1)
    assert draw_path(path, side=AWAY, ax=top) is fig
    assert draw_path(path, side=HOME, ax=bottom) is fig
    assert "Belgium: chance of reaching the quarter-finals" in bottom.get_ylabel()
    assert "Belgium 3-2 Japan" in top.get_title(loc="left")


def test_emotion_colours_cover_the_vocabulary():
    from heartbreak.drama.emotions import Emotion

    assert set(EMOTION_COLOURS) == {e.value for e in Emotion}
    assert len(set(EMOTION_COLOURS.values())) == len(EMOTION_COLOURS)
