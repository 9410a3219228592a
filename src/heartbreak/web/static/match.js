/* The match page and the live page: draws the replay JSON embedded in the page (the exact
   JSON of /api/matches/{id} or /api/live/{id}); the side switch re-tells it from the other
   side; on a live page every Server-Sent Event redraws it without a reload: a whole state, or
   an append of the points since the state drawn (see the live part at the end). */
(function () {
  "use strict";

  // Pleasant feelings in blues, unpleasant in oranges, darker for stronger: a blue/orange scale
  // reads the same for the common colour-vision deficiencies, and every colour is also named.
  var EMOTION_COLOURS = {
    content: "#c6dbef", hope: "#9ecae1", relief: "#6baed6", confidence: "#4292c6",
    joy: "#2171b5", elation: "#08519c", ecstasy: "#08306b",
    anxiety: "#fdd0a2", disappointment: "#fdae6b", resignation: "#bdbdbd", dread: "#fd8d3c",
    dismay: "#e6550d", agony: "#a63603", despair: "#7f2704", shock: "#8c2d04",
    humiliation: "#5a1e02"
  };
  // A feeling's label in near-black or white, whichever reads at 4.5:1 or more on its colour
  // (white on confidence and on dismay would be 3.4:1 and 3.7:1).
  var DARK_TEXT = { content: 1, hope: 1, relief: 1, confidence: 1, anxiety: 1, disappointment: 1,
                    resignation: 1, dread: 1, dismay: 1 };
  // Okabe–Ito: the chosen side in blue, the other in vermillion, the draw in grey.
  var SIDE_COLOUR = "#0072B2", OTHER_COLOUR = "#D55E00", DRAW_COLOUR = "#999999";
  // The chart's text, grid and overlay colours, from the page's CSS (app.css, light or dark).
  function cssColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }
  var THEME = {
    text: cssColour("--chart-text", "#5f5f5f"), grid: cssColour("--chart-grid", "#ececec"),
    stoppage: cssColour("--chart-stoppage", "#efefef"), shootout: cssColour("--chart-shootout", "#e3edf5"),
    divider: cssColour("--chart-divider", "#8c8c8c"), eventLine: cssColour("--chart-event-line", "#555555"),
    labelBg: cssColour("--chart-label-bg", "#ffffff"), labelLine: cssColour("--chart-label-line", "#c8c8c8"),
    labelText: cssColour("--chart-label-text", "#222222"), red: cssColour("--chart-red", "#cc0000"),
    redText: cssColour("--chart-red-text", "#a00000"), elsewhere: cssColour("--chart-elsewhere", "#CC79A7")
  };

  var root = document.getElementById("match");
  if (!root) { return; }
  var state = JSON.parse(document.getElementById("state").textContent);
  var side = root.dataset.side;
  var liveId = root.dataset.liveId || null;
  var chart = null;

  function pct(p) { return p == null ? "–" : Math.round(100 * p) + "%"; }
  function num(v) { return v == null ? "–" : (typeof v === "number" ? Number(v.toPrecision(3)).toString() : String(v)); }
  function isHome(team) { return team === state.match.home; }
  function other(team) { return isHome(team) ? state.match.away : state.match.home; }

  // What a side played for in a group match ("through", "first" or "win"), else null.
  function goalOf(team) {
    var s = state.stakes;
    return s ? (isHome(team) ? s.home_goal : s.away_goal) : null;
  }
  function qualifies(team) { return !state.match.knockout && goalOf(team) === "through"; }
  // The chance that matters to a side's fans: to go through in a knockout; in a group match
  // whose next stage was open to it, to reach it (null on a point without it); else to win.
  function chance(point, team) {
    if (state.match.knockout && point.p_home_advance != null) {
      return isHome(team) ? point.p_home_advance : 1 - point.p_home_advance;
    }
    if (qualifies(team)) { return isHome(team) ? point.p_home_qualify : point.p_away_qualify; }
    return isHome(team) ? point.p_home_win : point.p_away_win;
  }
  function chanceName(team) {
    if (state.match.knockout) { return "to go through"; }
    return qualifies(team) ? "to reach " + state.stakes.next_stage : "to win";
  }
  function sameChance() { return chanceName(state.match.home) === chanceName(state.match.away); }

  function eventText(event) {
    if (event.type === "shootout") { return "Shootout won by " + event.team; }
    if (event.type === "shootout_kick") {
      return "Kick " + (event.converted ? "scored" : "missed") + ", " + event.team + (event.player ? ": " + event.player : "");
    }
    var what = event.type === "goal"
      ? "Goal" + (event.own_goal ? " (own goal)" : event.penalty ? " (penalty)" : "")
      : "Red card";
    return what + ", " + event.team + (event.player ? ": " + event.player : "");
  }

  // A goal in the group match played at the same time, its score from the scorer's side:
  // "Colombia 1–0 Senegal".
  function elsewhereScore(goal) {
    var home = goal.team === goal.match.home, s = goal.score;
    return goal.team + " " + (home ? s.home + "–" + s.away : s.away + "–" + s.home) + " " +
      (home ? goal.match.away : goal.match.home);
  }
  // "Elsewhere: Colombia 1–0 Senegal, Yerry Mina 74'" (without the minute in a list that shows it).
  function elsewhereText(goal, noMinute) {
    var who = [goal.player, noMinute ? null : goal.label].filter(Boolean).join(" ");
    return "Elsewhere: " + elsewhereScore(goal) + (who ? ", " + who : "") +
      (goal.own_goal ? " (own goal)" : goal.penalty ? " (penalty)" : "");
  }
  function elsewhereOf(p) { return p.elsewhere || []; }
  // What happened at a point: its own event, then the goals elsewhere it first knew of.
  function happenings(p) {
    var out = p.event && (p.kind === "after_event" || p.kind === "shootout_kick") ? [eventText(p.event)] : [];
    return out.concat(elsewhereOf(p).map(function (g) { return elsewhereText(g); }));
  }

  function emotionsOf(team) { return (state.emotions && state.emotions[team]) || []; }

  // The shootout's kicks, when known: the points after each kick, in the order taken.
  function kickPoints() { return state.timeline.filter(function (p) { return p.kind === "shootout_kick"; }); }
  function shootoutScore(p) {
    var s = p.shootout_score || { home: 0, away: 0 };
    return state.match.home + " " + s.home + "–" + s.away + " " + state.match.away;
  }
  // "Shootout: France ✓ ✗ ✗ ✓, Argentina ✓ ✓ ✓ ✓ (Argentina won 4–2)", the first kicker first.
  function shootoutLine() {
    var kicks = kickPoints();
    if (!kicks.length) { return null; }
    var m = state.match, first = kicks[0].event.team;
    var rows = [first, first === m.home ? m.away : m.home].map(function (team) {
      return team + " " + kicks.filter(function (p) { return p.event.team === team; })
        .map(function (p) { return p.event.converted ? "✓" : "✗"; }).join(" ");
    });
    var last = kicks[kicks.length - 1].shootout_score, winner = m.shootout_winner;
    var won = winner === m.home ? last.home + "–" + last.away : last.away + "–" + last.home;
    return "Shootout: " + rows.join(", ") + (winner ? " (" + winner + " won " + won + ")" : "");
  }

  // --- chart --------------------------------------------------------------------------------

  // The x axis reads on the match clock (clock.js): stoppage time a shaded stretch after each
  // period's 45', 90', 105', 120', dividers at HT, FT (or ET), ET HT, AET, the shootout a column.
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var Clock = window.HeartbreakClock;
  var clockAxis = null;   // the axis of the state drawn
  var activeIndex = -1;   // the point chosen with the keyboard

  function extraTime() { return Boolean(state.match.extra_time); }

  function datasets() {
    var t = state.timeline, xs = clockAxis.x;
    function line(value) {
      return t.map(function (p, i) { var v = value(p); return { x: xs[i], y: v == null ? null : 100 * v }; });
    }
    var sets = [
      { label: side + " " + chanceName(side), data: line(function (p) { return chance(p, side); }),
        borderColor: SIDE_COLOUR, backgroundColor: SIDE_COLOUR, borderWidth: 3 },
      { label: other(side) + " " + chanceName(other(side)), data: line(function (p) { return chance(p, other(side)); }),
        borderColor: OTHER_COLOUR, backgroundColor: OTHER_COLOUR, borderWidth: 1.5 }
    ];
    if (!state.match.knockout) {
      sets.push({ label: "Draw", data: line(function (p) { return p.p_draw; }),
        borderColor: DRAW_COLOUR, backgroundColor: DRAW_COLOUR, borderWidth: 1.5, borderDash: [5, 4] });
    }
    sets.forEach(function (s) { s.pointRadius = 0; s.pointHitRadius = 6; s.pointHoverRadius = 5; s.tension = 0; });
    return sets;
  }

  // The ticks of the axis that fit the chart's width, each label measured.
  function fitTicks(scale) {
    var ctx = scale.ctx, span = (scale.max - scale.min) || 1, width = scale.width || 1;
    ctx.save();
    ctx.font = "11px " + FONT;
    var kept = Clock.thin(clockAxis.ticks,
      function (v) { return (v - scale.min) / span * width; },
      function (tk) { return Math.max(ctx.measureText(tk.label).width, tk.sub ? ctx.measureText(tk.sub).width : 0); },
      8);
    ctx.restore();
    return kept.map(function (tk) { return { value: tk.value, clock: tk.label, sub: tk.sub }; });
  }

  function surname(player) {
    var words = String(player).split(" ");
    var last = words.pop();
    while (words.length && /^(de|da|di|do|dos|das|del|van|von|der|den|le|la|el|al|ben|bin|ter)$/i.test(words[words.length - 1])) {
      last = words.pop() + " " + last;
    }
    return last;
  }

  // Goals and red cards: a label above the plot (a dot in the scoring side's colour, or a red
  // card, then the minute and, when there is room, the player; for a goal elsewhere, a diamond,
  // its minute and the scoring side, and the score when there is room), stacked in the first
  // row where it covers no other label, and a dashed line down the plot at its minute that
  // never crosses a label. Returns the labels placed for a plot from `left` to `right` (pixels).
  var LANE_TOP = 4, ROW = 16, LABEL_HEIGHT = 14, BAND_HEIGHT = 14;
  function layoutEvents(c, left, right) {
    var ctx = c.ctx, t = state.timeline, xs = clockAxis.x;
    var named = right - left >= 560, span = (c.options.scales.x.max || 1);
    ctx.save();
    ctx.font = "11px " + FONT;
    var events = [];
    function place(i, p, text, goal) {
      ctx.font = (goal ? "italic " : "") + "11px " + FONT;
      var width = Math.ceil(ctx.measureText(text).width) + 18;
      var px = left + xs[i] / span * (right - left);
      var at = Math.max(left, Math.min(right - width, px - width / 2));
      events.push({ index: i, point: p, goal: goal || null, px: px, text: text, left: at, width: width });
    }
    t.forEach(function (p, i) {
      if (p.event && p.kind === "after_event" && p.event.type !== "shootout") {
        place(i, p, p.label + (named && p.event.player ? " " + surname(p.event.player) : ""));
      }
      elsewhereOf(p).forEach(function (g) { place(i, p, g.label + " " + (named ? elsewhereScore(g) : g.team), g); });
    });
    ctx.restore();
    events.sort(function (a, b) { return a.left - b.left; });
    var rows = Clock.stack(events, 4);
    events.forEach(function (e, k) { e.row = rows[k]; e.top = LANE_TOP + ROW * rows[k]; e.height = LABEL_HEIGHT; });
    return events;
  }
  function laneRows(events) { return events.reduce(function (n, e) { return Math.max(n, e.row + 1); }, 0); }
  function topPadding(rows) { return LANE_TOP + ROW * rows + BAND_HEIGHT + 10; }

  function drawSpans(ctx, x, spans) {
    spans.forEach(function (s) { ctx.beginPath(); ctx.moveTo(x, s[0]); ctx.lineTo(x, s[1]); ctx.stroke(); });
  }

  var overlay = {
    id: "heartbreakOverlay",
    // Room above the plot for the rows of labels and the fans' band, measured on the plot's
    // width from the last layout (or the canvas's, the first time).
    beforeLayout: function (c) {
      var area = c.chartArea;
      var left = area ? area.left : 48, right = area ? area.right : c.width - 12;
      var rows = laneRows(layoutEvents(c, left, right));
      c.options.layout.padding = { top: topPadding(rows), right: 8 };
      c.$laneRows = rows;
    },
    // The layout moved the plot: lay the labels out again; if they need another row, once more.
    afterLayout: function (c) {
      var rows = laneRows(layoutEvents(c, c.chartArea.left, c.chartArea.right));
      if (rows !== c.$laneRows && !c.$relaid) {
        c.$relaid = true;
        setTimeout(function () { c.update("none"); c.$relaid = false; }, 0);
      }
    },
    // Under the lines: stoppage stretches, the shootout column, the period dividers.
    beforeDatasetsDraw: function (c) {
      var ctx = c.ctx, area = c.chartArea, x = c.scales.x;
      var labels = layoutEvents(c, area.left, area.right);
      labels.forEach(function (e) { e.px = x.getPixelForValue(clockAxis.x[e.index]); });
      var drawn = { labels: [], lines: [], dividers: [], stretches: [], shootout: null, band: null };
      ctx.save();
      ctx.fillStyle = THEME.stoppage;
      clockAxis.stoppage.forEach(function (s) {
        var l = x.getPixelForValue(s.start), r = x.getPixelForValue(s.end);
        ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
        drawn.stretches.push({ left: l, right: r, label: s.label });
      });
      if (clockAxis.shootout) {
        var l = x.getPixelForValue(clockAxis.shootout.start), r = x.getPixelForValue(clockAxis.shootout.end);
        ctx.fillStyle = THEME.shootout;
        ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
        drawn.shootout = { left: l, right: r };
      }
      ctx.strokeStyle = THEME.divider;
      ctx.lineWidth = 1;
      clockAxis.dividers.forEach(function (d) {
        var px = Math.round(x.getPixelForValue(d.value)) + 0.5;
        var spans = Clock.openSpans(area.top, area.bottom, px, labels, 2);
        drawSpans(ctx, px, spans);
        drawn.dividers.push({ x: px, label: d.label, spans: spans });
      });
      ctx.restore();
      labels.forEach(function (e) {
        drawn.labels.push({ text: e.text, index: e.index, left: e.left, top: e.top, width: e.width, height: e.height,
                            elsewhere: Boolean(e.goal) });
      });
      c.$heartbreak = drawn;
      c.$eventLayout = labels;
    },
    // Over the lines: the events' lines and labels, and the fans' feelings as a band on top.
    afterDatasetsDraw: function (c) {
      var ctx = c.ctx, area = c.chartArea, x = c.scales.x, t = state.timeline, xs = clockAxis.x;
      var feelings = emotionsOf(side), drawn = c.$heartbreak, labels = c.$eventLayout || [];
      var bandTop = area.top - BAND_HEIGHT - 5;
      ctx.save();
      labels.forEach(function (e) {
        var red = !e.goal && e.point.event.type === "red_card";
        ctx.strokeStyle = e.goal ? THEME.elsewhere : red ? THEME.red : THEME.eventLine;
        ctx.setLineDash(e.goal ? [1, 3] : red ? [2, 3] : [4, 3]);
        ctx.lineWidth = 1;
        var spans = Clock.openSpans(e.top + e.height, area.bottom, e.px, labels, 2);
        drawSpans(ctx, e.px, spans);
        drawn.lines.push({ x: e.px, index: e.index, spans: spans });
      });
      ctx.setLineDash([]);
      for (var i = 0; i < feelings.length && i < t.length; i++) {
        var left = x.getPixelForValue(xs[i]);
        var right = i + 1 < t.length ? x.getPixelForValue(xs[i + 1]) : bandEnd(x, area, xs[i]);
        if (right <= left) { continue; }
        ctx.fillStyle = EMOTION_COLOURS[feelings[i].emotion] || "#dddddd";
        ctx.fillRect(left, bandTop, right - left + 0.5, BAND_HEIGHT);
      }
      if (feelings.length) { drawn.band = { top: bandTop, height: BAND_HEIGHT }; }
      ctx.font = "11px " + FONT;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillStyle = THEME.text;
      if (feelings.length) { ctx.fillText("fans", area.left - 4, bandTop + BAND_HEIGHT / 2); }
      ctx.textAlign = "left";
      labels.forEach(function (e) {
        var red = !e.goal && e.point.event.type === "red_card";
        var mid = e.top + e.height / 2;
        ctx.fillStyle = THEME.labelBg;
        ctx.strokeStyle = THEME.labelLine;
        ctx.beginPath();
        if (ctx.roundRect) { ctx.roundRect(e.left + 0.5, e.top + 0.5, e.width - 1, e.height - 1, 3); } else { ctx.rect(e.left + 0.5, e.top + 0.5, e.width - 1, e.height - 1); }
        ctx.fill();
        ctx.stroke();
        if (e.goal) {
          ctx.fillStyle = THEME.elsewhere;
          diamond(ctx, e.left + 8, mid, 4.5);
          ctx.fill();
        } else {
          ctx.fillStyle = red ? THEME.red : (isHome(e.point.event.team) === isHome(side) ? SIDE_COLOUR : OTHER_COLOUR);
          if (red) { ctx.fillRect(e.left + 5, mid - 4.5, 6, 9); } else { ctx.beginPath(); ctx.arc(e.left + 8, mid, 4, 0, 2 * Math.PI); ctx.fill(); }
        }
        ctx.font = (e.goal ? "italic " : "") + "11px " + FONT;
        ctx.fillStyle = red ? THEME.redText : THEME.labelText;
        ctx.fillText(e.text, e.left + 15, mid + 0.5);
      });
      drawElsewhere(c, labels, drawn);
      drawKicks(c, drawn);
      ctx.restore();
    }
  };

  function diamond(ctx, x, y, r) {
    ctx.beginPath(); ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
  }

  // Each goal elsewhere as a diamond on the chosen side's line, where its chance first saw it.
  function drawElsewhere(c, labels, drawn) {
    var ctx = c.ctx, y = c.scales.y;
    drawn.elsewhere = [];
    labels.forEach(function (e) {
      var v = e.goal ? chance(e.point, side) : null;
      if (v == null) { return; }
      var py = y.getPixelForValue(100 * v);
      ctx.fillStyle = THEME.elsewhere;
      ctx.strokeStyle = THEME.labelBg;
      ctx.lineWidth = 1.5;
      diamond(ctx, e.px, py, 6);
      ctx.fill();
      ctx.stroke();
      drawn.elsewhere.push({ index: e.index, x: e.px, y: py, text: elsewhereText(e.goal) });
    });
  }

  // Each shootout kick at its place across the shootout's column: a dot on the line (a cross
  // for a miss) in the kicking side's colour and, where there is room, a ✓ or ✗ in a row at the
  // top of the column (the chosen side's first).
  function drawKicks(c, drawn) {
    var ctx = c.ctx, area = c.chartArea, x = c.scales.x, y = c.scales.y, xs = clockAxis.x, t = state.timeline;
    var kicks = [];
    t.forEach(function (p, i) { if (p.kind === "shootout_kick" && p.event) { kicks.push(i); } });
    drawn.kicks = [];
    if (!kicks.length) { return; }
    var pixels = kicks.map(function (i) { return x.getPixelForValue(xs[i]); });
    var gap = Infinity;
    for (var k = 1; k < pixels.length; k++) { gap = Math.min(gap, pixels[k] - pixels[k - 1]); }
    var glyphs = 2 * gap >= 12;  // each row holds every other kick
    ctx.save();
    ctx.font = "bold 12px " + FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    kicks.forEach(function (i, k) {
      var p = t[i], own = isHome(p.event.team) === isHome(side);
      var px = pixels[k], py = y.getPixelForValue(100 * chance(p, side));
      ctx.fillStyle = ctx.strokeStyle = own ? SIDE_COLOUR : OTHER_COLOUR;
      ctx.lineWidth = 2;
      if (p.event.converted) {
        ctx.beginPath(); ctx.arc(px, py, 3.5, 0, 2 * Math.PI); ctx.fill();
      } else {
        ctx.beginPath(); ctx.moveTo(px - 4, py - 4); ctx.lineTo(px + 4, py + 4);
        ctx.moveTo(px + 4, py - 4); ctx.lineTo(px - 4, py + 4); ctx.stroke();
      }
      var glyph = p.event.converted ? "✓" : "✗", row = own ? 0 : 1;
      if (glyphs) { ctx.fillText(glyph, px, area.top + 10 + 15 * row); }
      drawn.kicks.push({ index: i, x: px, y: py, team: p.event.team, converted: p.event.converted,
                         glyph: glyphs ? glyph : null, row: row });
    });
    ctx.restore();
  }

  function tooltipLines(items) {
    var p = state.timeline[items[0].dataIndex];
    var lines = happenings(p);
    var feeling = emotionsOf(side)[items[0].dataIndex];
    if (feeling) { lines.push(side + " fans: " + feeling.emotion); }
    var outcomes = winDrawLose(p);
    if (outcomes) { lines.push(outcomes); }
    return lines;
  }

  // The chosen side's win / draw / loss chances, when the lines plot something else (a
  // knockout's going through, a group's next stage).
  function winDrawLose(p) {
    var knockout = state.match.knockout && p.p_home_advance != null;
    if (knockout ? p.period === "shootout" : !(qualifies(side) || qualifies(other(side)))) { return null; }
    return "Win " + (knockout && !state.match.extra_time ? "in normal time " : "") + "/ draw / lose: " +
      pct(isHome(side) ? p.p_home_win : p.p_away_win) + " / " + pct(p.p_draw) + " / " +
      pct(isHome(side) ? p.p_away_win : p.p_home_win);
  }

  function pointTitle(p) {
    if (p.kind === "shootout_kick") {
      var n = kickPoints().indexOf(p) + 1;
      return "Shootout kick " + n + ": " + shootoutScore(p);
    }
    return Clock.pointClock(p, extraTime()) + "  " + p.score.home + "–" + p.score.away;
  }

  // --- the chart without a mouse: a table, and the arrow keys ---------------------------------

  // The rows of the table: kick-off, every quarter of an hour, every event, the end of each
  // period and of the match (the final whistle replaces the end of the period it ends).
  function tableRows() {
    var rows = [];
    state.timeline.forEach(function (p) {
      var shown = p.kind === "kick_off" || p.kind === "after_event" || p.kind === "shootout_kick" || p.kind === "period_end" ||
        p.kind === "final_whistle" || elsewhereOf(p).length || (p.kind === "minute" && !p.stoppage && p.minute % 15 === 0);
      if (!shown) { return; }
      var last = rows[rows.length - 1];
      if (last && p.kind === "final_whistle" && last.kind === "period_end" && last.elapsed === p.elapsed) { rows.pop(); }
      rows.push(p);
    });
    return rows;
  }

  function cell(row, tag, text) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (tag === "th") { el.scope = row.parentNode && row.parentNode.tagName === "THEAD" ? "col" : "row"; }
    row.appendChild(el);
    return el;
  }

  function drawTable() {
    var table = document.getElementById("chart-table");
    if (!table) { return; }
    var m = state.match, feelings = emotionsOf(side), t = state.timeline;
    document.getElementById("chart-table-caption").textContent = (sameChance()
      ? "Each side's chance " + chanceName(m.home)
      : m.home + "'s chance " + chanceName(m.home) + ", " + m.away + "'s " + chanceName(m.away)) +
      ", and what " + side + " fans felt";
    var head = table.tHead, body = table.tBodies[0];
    clear(head); clear(body);
    var hr = head.insertRow();
    ["Minute", "Score", "What happened", m.home + " " + chanceName(m.home), m.away + " " + chanceName(m.away)]
      .concat(m.knockout ? [] : ["Draw"]).concat([side + " fans"])
      .forEach(function (name) { cell(hr, "th", name); });
    tableRows().forEach(function (p) {
      var i = t.indexOf(p), feeling = feelings[i];
      var tr = body.insertRow();
      cell(tr, "th", Clock.pointClock(p, extraTime()));
      cell(tr, "td", p.score.home + "–" + p.score.away);
      cell(tr, "td", happenings(p).join("; "));
      cell(tr, "td", pct(chance(p, m.home)));
      cell(tr, "td", pct(chance(p, m.away)));
      if (!m.knockout) { cell(tr, "td", pct(p.p_draw)); }
      cell(tr, "td", feeling ? feeling.emotion : "–");
    });
  }

  // What the live region reads for a point.
  function readout(i) {
    var p = state.timeline[i], m = state.match, feeling = emotionsOf(side)[i];
    var parts = [Clock.pointClock(p, extraTime()) + ": " + m.home + " " + p.score.home + ", " + m.away + " " + p.score.away + "."];
    happenings(p).forEach(function (text) { parts.push(text + "."); });
    if (p.kind === "shootout_kick") { parts.push("Shootout " + shootoutScore(p) + "."); }
    parts.push(side + " " + chanceName(side) + " " + pct(chance(p, side)) + ", " + other(side) +
      (sameChance() ? "" : " " + chanceName(other(side))) + " " + pct(chance(p, other(side))) + ".");
    if (feeling) { parts.push(side + " fans: " + feeling.emotion + "."); }
    return parts.join(" ");
  }

  function activate(i) {
    if (!chart) { return; }
    activeIndex = i;
    var region = document.getElementById("chart-readout");
    if (i < 0) {
      chart.setActiveElements([]);
      chart.tooltip.setActiveElements([], { x: 0, y: 0 });
      chart.update("none");
      return;
    }
    var active = chart.data.datasets.map(function (d, k) { return { datasetIndex: k, index: i }; });
    var el = chart.getDatasetMeta(0).data[i];
    chart.setActiveElements(active);
    chart.tooltip.setActiveElements(active, { x: el ? el.x : 0, y: el ? el.y : 0 });
    chart.update("none");
    if (region) { region.textContent = readout(i); }
  }

  function onChartKey(e) {
    var n = state.timeline.length, i = activeIndex;
    if (!n || !chart) { return; }
    if (e.key === "ArrowRight") { i = i < 0 ? 0 : Math.min(n - 1, i + 1); }
    else if (e.key === "ArrowLeft") { i = i < 0 ? n - 1 : Math.max(0, i - 1); }
    else if (e.key === "Home") { i = 0; }
    else if (e.key === "End") { i = n - 1; }
    else if (e.key === "Escape") { i = -1; }
    else { return; }
    e.preventDefault();
    activate(i);
  }

  // The datasets' legend, and the goals elsewhere's marker when there are any (not a dataset:
  // clicking it hides nothing).
  function legendItems(c) {
    var items = Chart.defaults.plugins.legend.labels.generateLabels(c);
    if (state.timeline.some(function (p) { return elsewhereOf(p).length; })) {
      items.push({ text: "goal in the group's other match", fillStyle: THEME.elsewhere, strokeStyle: THEME.elsewhere,
                   lineWidth: 0, hidden: false, fontColor: THEME.text });
    }
    return items;
  }
  function onLegendClick(e, item, legend) {
    if (item.datasetIndex != null) { Chart.defaults.plugins.legend.onClick.call(this, e, item, legend); }
  }

  function drawChart() {
    var canvas = document.getElementById("chart");
    drawTable();
    if (!canvas || typeof Chart === "undefined" || !Clock) { return; }
    clockAxis = Clock.axis(state.timeline, extraTime());
    var end = clockAxis.end || (state.match.extra_time ? 120 : 90);
    if (chart) {
      chart.data.datasets = datasets();
      chart.options.scales.x.max = end;
      chart.update("none");
      if (activeIndex >= state.timeline.length) { activeIndex = -1; }
      return;
    }
    canvas.addEventListener("keydown", onChartKey);
    canvas.addEventListener("blur", function () { if (activeIndex >= 0) { activate(-1); } });
    Chart.defaults.color = THEME.text;
    Chart.defaults.borderColor = THEME.grid;
    chart = new Chart(canvas, {
      type: "line",
      data: { datasets: datasets() },
      plugins: [overlay],
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        layout: { padding: { top: 26 } },
        interaction: { mode: "index", axis: "x", intersect: false },
        scales: {
          x: { type: "linear", min: 0, max: end,
               title: { display: true, text: "match clock (stoppage time shaded)", font: { size: 11 } },
               grid: { color: THEME.grid },
               afterBuildTicks: function (scale) { scale.ticks = fitTicks(scale); },
               ticks: { autoSkip: false, maxRotation: 0, minRotation: 0, font: { size: 11, family: FONT },
                        callback: function (value, index, ticks) {
                          var tk = ticks[index];
                          return tk && tk.clock ? (tk.sub ? [tk.clock, tk.sub] : tk.clock) : "";
                        } } },
          y: { min: 0, max: 100, title: { display: true, text: "chance (%)" }, ticks: { stepSize: 25 } }
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14, generateLabels: legendItems }, onClick: onLegendClick },
          tooltip: {
            callbacks: {
              title: function (items) { return pointTitle(state.timeline[items[0].dataIndex]); },
              label: function (item) { return item.dataset.label + ": " + Math.round(item.parsed.y) + "%"; },
              afterBody: tooltipLines
            }
          }
        }
      }
    });
  }

  // --- text ---------------------------------------------------------------------------------

  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }

  // Consecutive equal feelings collapse into one step of the journey.
  function journeySteps(team) {
    var steps = [];
    emotionsOf(team).forEach(function (e) {
      if (!steps.length || steps[steps.length - 1].emotion !== e.emotion) { steps.push(e); }
    });
    return steps;
  }

  function drawJourney() {
    var list = document.getElementById("journey");
    document.getElementById("journey-title").textContent = "What " + side + " fans felt";
    clear(list);
    journeySteps(side).forEach(function (e) {
      var li = document.createElement("li");
      li.className = "feeling";
      li.dataset.emotion = e.emotion;
      li.style.background = EMOTION_COLOURS[e.emotion] || "#dddddd";
      li.style.color = DARK_TEXT[e.emotion] ? "#111111" : "#ffffff";
      li.textContent = e.emotion + " " + e.label;
      list.appendChild(li);
    });
    var key = document.getElementById("emotion-key");
    clear(key);
    Object.keys(EMOTION_COLOURS).forEach(function (name) {
      var span = document.createElement("span");
      var sw = document.createElement("i");
      sw.style.background = EMOTION_COLOURS[name];
      span.appendChild(sw);
      span.appendChild(document.createTextNode(name));
      key.appendChild(span);
    });
  }

  // The live clock runs on between messages (live_clock.js). clockElapsed(): where it stands
  // on the chart's axis (minutes played, stoppage included), null on a page that is not live.
  var LiveClock = window.HeartbreakLiveClock || null;
  function liveTick() {
    return state.live && LiveClock ? LiveClock.tick(state.live.clock, state.live.finished) : null;
  }
  function clockElapsed() { var tick = liveTick(); return tick ? tick.elapsed : null; }
  // The fans' band ends at the live clock (never before its latest point), else at the edge.
  function bandEnd(x, area, latest) {
    var at = clockElapsed();
    return at == null ? area.right : Math.min(area.right, x.getPixelForValue(Math.max(at, latest)));
  }
  // Over: the final whistle (a match level after extra time waits for its shootout).
  function over(s) { return Boolean(s.live && s.live.finished && s.live.clock.pause !== "shootout_next"); }
  function drawClock() {
    var tick = liveTick();
    if (!tick) { return null; }
    document.getElementById("live-badge").textContent = over(state) ? "Full time" : "Live";
    var el = document.getElementById("clock");
    if (el.textContent !== tick.label) { el.textContent = tick.label; }
    el.dataset.running = tick.running ? "true" : "false";
    return tick;
  }

  function drawText() {
    var m = state.match;
    document.getElementById("score").textContent = m.score.home + "–" + m.score.away;
    // A live state tells the story from both sides (stories): the side switch picks one.
    var both = state.stories && state.stories[side] != null;
    var teller = both ? side : state.story_side;
    document.getElementById("story").textContent = (both ? state.stories[side] : state.story) || "";
    document.getElementById("story-title").textContent =
      "The story" + (teller ? ", as " + teller + " fans lived it" : "");
    document.querySelectorAll("[data-metric]").forEach(function (el) {
      el.textContent = num(state.metrics ? state.metrics[el.dataset.metric] : null);
    });
    var events = document.getElementById("events");
    clear(events);
    function item(label, text, className) {
      var li = document.createElement("li");
      if (className) { li.className = className; }
      var minute = document.createElement("span");
      minute.className = "minute";
      minute.textContent = label;
      li.appendChild(minute);
      li.appendChild(document.createTextNode(" " + text));
      events.appendChild(li);
    }
    state.timeline.forEach(function (p) {
      if (p.event && p.kind === "after_event") {
        item(p.label, eventText(p.event) + " (" + p.score.home + "–" + p.score.away + ")");
      }
      elsewhereOf(p).forEach(function (g) { item(g.label, elsewhereText(g, true), "elsewhere"); });
    });
    var kicksLine = shootoutLine();
    if (kicksLine) {
      var row = document.createElement("li");
      row.className = "shootout";
      var pens = document.createElement("span");
      pens.className = "minute";
      pens.textContent = "pens";
      row.appendChild(pens);
      row.appendChild(document.createTextNode(" " + kicksLine));
      events.appendChild(row);
    }
    if (!events.firstChild) { var none = document.createElement("li"); none.className = "empty"; none.textContent = "None."; events.appendChild(none); }
    var result = document.getElementById("result");
    var pending = state.live && state.live.clock.pause === "shootout_next";
    if (!state.live || over(state)) {
      result.textContent = m.shootout && m.shootout_winner ? m.shootout_winner + " won on penalties."
        : m.winner ? m.winner + " won" + (m.extra_time ? " after extra time." : ".") : "Drawn.";
    } else if (pending) {
      result.textContent = "Level after extra time: penalties to come.";
    }
    if (state.live) { drawClock(); }
  }

  function draw() {
    document.querySelectorAll("button[data-side]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.side === side ? "true" : "false");
    });
    root.dataset.side = side;
    drawText();
    drawJourney();
    drawChart();
  }

  // --- the side switch ------------------------------------------------------------------------

  // The chosen side is in the address (?side=), and in every share link and the embed code.
  function rememberSide(team) {
    if (liveId || !window.history || !window.URL) { return; }
    var here = new URL(window.location.href);
    here.searchParams.set("side", team);
    window.history.replaceState(null, "", here.pathname + here.search + here.hash);
    document.querySelectorAll("a[data-share]").forEach(function (a) {
      var url = new URL(a.href, window.location.href);
      url.searchParams.set("side", team);
      a.href = url.href;
      if (a.id === "share-url") { a.textContent = url.href; }
    });
    var code = document.querySelector("[data-share-code]");
    if (code) { code.value = code.value.replace(/side=[^"&]*/, "side=" + encodeURIComponent(team)); }
  }

  function switchTo(team) {
    if (team === side) { return; }
    side = team;
    rememberSide(team);
    if (liveId) { draw(); return; }
    // The story is told from one side: ask the same JSON view for that side's telling.
    fetch("/api/matches/" + root.dataset.matchId + "?side=" + encodeURIComponent(team))
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (json) { if (side === team) { state = json; draw(); } })
      .catch(function () { draw(); });
    draw();
  }
  document.querySelectorAll("button[data-side]").forEach(function (b) {
    b.addEventListener("click", function () { switchTo(b.dataset.side); });
  });

  // --- live -----------------------------------------------------------------------------------

  // Two kinds of frame, each with the id of the state it brings (the messages received):
  // "state" is the whole state; "append" is {base, timeline, emotions, live}: the state of id
  // base with points added to the timeline and to each side's emotions, and a new live block.
  // An append applies only onto the state of its base; otherwise the page fetches the state.
  // The id is the SSE id when this server streams; behind a fan-out server that numbers frames
  // itself (deploy/: nchan's ids are "<time>:<tag>") it is the state's live.version.
  if (liveId && typeof EventSource !== "undefined") {
    var status = document.getElementById("live-status");
    var stateUrl = "/api/live/" + encodeURIComponent(liveId);
    var source = new EventSource(stateUrl + "/stream");
    var applied = null;     // the id of the state drawn
    var fetching = false;   // the whole state is on its way
    var waiting = [];       // appends that arrived meanwhile

    var show = function (json, id) {
      var before = state;
      state = json;
      applied = id;
      root.dataset.lastEventId = String(id);
      if (side !== state.match.home && side !== state.match.away) { side = state.match.away; }
      root.dataset.updates = String(Number(root.dataset.updates || "0") + 1);
      status.textContent = "updated " + new Date().toLocaleTimeString();
      draw();
      announce(before, state);
    };

    var refetch = function () {
      if (fetching) { return; }
      fetching = true;
      fetch(stateUrl, { cache: "no-store" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (json) {
          fetching = false;
          var id = json.live.version;
          if (applied === null || id >= applied) { show(json, id); }
          var queued = waiting;
          waiting = [];
          queued.forEach(function (item) { onAppend(item.delta, item.id); });
        })
        .catch(function () { fetching = false; waiting = []; status.textContent = "reconnecting…"; });
    };

    var onAppend = function (delta, id) {
      if (fetching) { waiting.push({ delta: delta, id: id }); return; }
      if (applied !== null && id <= applied) { return; }  // the state drawn is as new
      if (delta.base !== applied) { refetch(); return; }
      state.timeline = state.timeline.concat(delta.timeline);
      state.emotions = state.emotions || {};
      Object.keys(delta.emotions).forEach(function (team) {
        state.emotions[team] = (state.emotions[team] || []).concat(delta.emotions[team]);
      });
      state.live = delta.live;
      show(state, id);
    };

    var versionOf = function (json, e) {
      var id = e.lastEventId === "" ? NaN : Number(e.lastEventId);  // nchan's are "<time>:<tag>"
      return isFinite(id) ? id : json.live.version;
    };
    source.addEventListener("state", function (e) {
      var json = JSON.parse(e.data);
      show(json, versionOf(json, e));
    });
    source.addEventListener("append", function (e) {
      var delta = JSON.parse(e.data);
      onAppend(delta, versionOf(delta, e));
    });
    source.addEventListener("error", function () { status.textContent = "reconnecting…"; });
  }

  // Score changes and the final whistle are read out by screen readers (an aria-live region):
  // "Goal: Belgium 1–2 Japan, 69'".
  function scoreLine(s) { var m = s.match; return m.home + " " + m.score.home + "–" + m.score.away + " " + m.away; }
  function goalKeys(s) {
    return s.timeline.filter(function (p) { return p.kind === "after_event" && p.event && p.event.type === "goal"; })
      .map(function (p) { return { key: p.label + "|" + p.event.team + "|" + (p.event.player || ""), label: p.label }; });
  }
  function announce(before, after) {
    var region = document.getElementById("live-announcer");
    if (!region || !before || !before.match || !after.live) { return; }
    var was = before.match.score, now = after.match.score, text = "";
    if (now.home + now.away > was.home + was.away) {
      var old = goalKeys(before).map(function (g) { return g.key; });
      var fresh = goalKeys(after).filter(function (g) { var k = old.indexOf(g.key); if (k < 0) { return true; } old.splice(k, 1); return false; });
      var at = fresh.length ? fresh[fresh.length - 1].label : null;
      text = "Goal: " + scoreLine(after) + (at ? ", " + at : "");
    } else if (now.home + now.away < was.home + was.away) {
      text = "Goal ruled out: " + scoreLine(after);
    } else if (now.home !== was.home || now.away !== was.away) {
      text = "Score corrected: " + scoreLine(after);
    }
    if (over(after) && !over(before)) {
      var m = after.match;
      text += (text ? ". " : "") + "Full time: " + scoreLine(after) +
        (m.shootout && m.shootout_winner ? ", " + m.shootout_winner + " won on penalties" : "");
    }
    if (text) { region.textContent = text; }
  }

  // Between messages the clock runs on: its label every second, the chart's band with it.
  if (liveId && LiveClock) {
    var bandDrawn = null;
    LiveClock.every(1000, function () {
      var tick = drawClock();
      if (!tick || !tick.running) { return; }
      var step = Math.floor(tick.elapsed * 4);  // the band moves by quarters of a minute
      var c = typeof Chart !== "undefined" && Chart.getChart ? Chart.getChart("chart") : null;
      if (c && step !== bandDrawn) { bandDrawn = step; c.draw(); }
    });
  }

  draw();
})();
