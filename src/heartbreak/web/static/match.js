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
    dismay: "#e6550d", agony: "#a63603", despair: "#7f2704"
  };
  var DARK_TEXT = { content: 1, hope: 1, relief: 1, anxiety: 1, disappointment: 1, resignation: 1, dread: 1 };
  // Okabe–Ito: the chosen side in blue, the other in vermillion, the draw in grey.
  var SIDE_COLOUR = "#0072B2", OTHER_COLOUR = "#D55E00", DRAW_COLOUR = "#999999";

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

  // The chance that matters to a side's fans: to go through in a knockout, else to win.
  function chance(point, team) {
    if (state.match.knockout && point.p_home_advance != null) {
      return isHome(team) ? point.p_home_advance : 1 - point.p_home_advance;
    }
    return isHome(team) ? point.p_home_win : point.p_away_win;
  }
  function chanceName() { return state.match.knockout ? "to go through" : "to win"; }

  function eventText(event) {
    if (event.type === "shootout") { return "Shootout won by " + event.team; }
    var what = event.type === "goal"
      ? "Goal" + (event.own_goal ? " (own goal)" : event.penalty ? " (penalty)" : "")
      : "Red card";
    return what + ", " + event.team + (event.player ? ": " + event.player : "");
  }

  function emotionsOf(team) { return (state.emotions && state.emotions[team]) || []; }

  // --- chart --------------------------------------------------------------------------------

  function datasets() {
    var t = state.timeline;
    var sets = [
      { label: side + " " + chanceName(), data: t.map(function (p) { return { x: p.elapsed, y: 100 * chance(p, side) }; }),
        borderColor: SIDE_COLOUR, backgroundColor: SIDE_COLOUR, borderWidth: 3 },
      { label: other(side) + " " + chanceName(), data: t.map(function (p) { return { x: p.elapsed, y: 100 * chance(p, other(side)) }; }),
        borderColor: OTHER_COLOUR, backgroundColor: OTHER_COLOUR, borderWidth: 1.5 }
    ];
    if (!state.match.knockout) {
      sets.push({ label: "Draw", data: t.map(function (p) { return { x: p.elapsed, y: 100 * p.p_draw }; }),
        borderColor: DRAW_COLOUR, backgroundColor: DRAW_COLOUR, borderWidth: 1.5, borderDash: [5, 4] });
    }
    sets.forEach(function (s) { s.pointRadius = 0; s.pointHitRadius = 6; s.tension = 0; });
    return sets;
  }

  // Goals and red cards as vertical lines, and the chosen side's feelings as a band on top.
  var overlay = {
    id: "heartbreakOverlay",
    afterDatasetsDraw: function (c) {
      var ctx = c.ctx, area = c.chartArea, x = c.scales.x, t = state.timeline;
      var feelings = emotionsOf(side);
      ctx.save();
      for (var i = 0; i < feelings.length && i < t.length; i++) {
        var left = x.getPixelForValue(t[i].elapsed);
        var right = i + 1 < t.length ? x.getPixelForValue(t[i + 1].elapsed) : bandEnd(x, area, t[i].elapsed);
        if (right <= left) { continue; }
        ctx.fillStyle = EMOTION_COLOURS[feelings[i].emotion] || "#dddddd";
        ctx.fillRect(left, area.top - 22, right - left + 0.5, 14);
      }
      ctx.font = "11px system-ui, sans-serif";
      ctx.textAlign = "right";
      ctx.fillStyle = "#5f5f5f";
      if (feelings.length) { ctx.fillText("fans", area.left - 4, area.top - 11); }
      ctx.font = "11px system-ui, sans-serif";
      ctx.textAlign = "center";
      var lastLabel = -Infinity, row = 0;
      t.forEach(function (p) {
        if (!p.event || p.kind !== "after_event") { return; }
        var px = x.getPixelForValue(p.elapsed);
        var red = p.event.type === "red_card";
        ctx.strokeStyle = red ? "#cc0000" : "#444444";
        ctx.setLineDash(red ? [2, 3] : [4, 3]);
        ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = red ? "#cc0000" : (isHome(p.event.team) === isHome(side) ? SIDE_COLOUR : OTHER_COLOUR);
        if (red) { ctx.fillRect(px - 3, area.top + 3, 6, 9); } else { ctx.beginPath(); ctx.arc(px, area.top + 7, 4, 0, 2 * Math.PI); ctx.fill(); }
        ctx.fillStyle = "#222222";
        // Labels of events close together step down, so that none covers another.
        row = px - lastLabel < 30 ? (row + 1) % 3 : 0;
        lastLabel = px;
        ctx.fillText(p.label, px, area.top + 24 + 12 * row);
      });
      ctx.restore();
    }
  };

  function tooltipLines(items) {
    var p = state.timeline[items[0].dataIndex];
    var lines = [];
    if (p.event) { lines.push(eventText(p.event)); }
    var feeling = emotionsOf(side)[items[0].dataIndex];
    if (feeling) { lines.push(side + " fans: " + feeling.emotion); }
    if (state.match.knockout && p.p_home_advance != null) {
      lines.push("Win " + (state.match.extra_time ? "" : "in normal time ") + "/ draw / lose: " +
        pct(isHome(side) ? p.p_home_win : p.p_away_win) + " / " + pct(p.p_draw) + " / " +
        pct(isHome(side) ? p.p_away_win : p.p_home_win));
    }
    return lines;
  }

  function drawChart() {
    var canvas = document.getElementById("chart");
    if (!canvas || typeof Chart === "undefined") { return; }
    var end = Math.max(state.match.extra_time ? 120 : 90, state.timeline.length ? state.timeline[state.timeline.length - 1].elapsed : 0);
    if (chart) {
      chart.data.datasets = datasets();
      chart.options.scales.x.max = Math.ceil(end);
      chart.update("none");
      return;
    }
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
          x: { type: "linear", min: 0, max: Math.ceil(end), title: { display: true, text: "minutes played, stoppage time included" },
               ticks: { stepSize: 15, callback: function (v) { return v + "'"; } } },
          y: { min: 0, max: 100, title: { display: true, text: "chance (%)" }, ticks: { stepSize: 25 } }
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14 } },
          tooltip: {
            callbacks: {
              title: function (items) { var p = state.timeline[items[0].dataIndex]; return p.label + "  " + p.score.home + "–" + p.score.away; },
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
  function drawClock() {
    var tick = liveTick();
    if (!tick) { return null; }
    var over = state.live.finished && state.live.clock.pause !== "shootout_next";
    document.getElementById("live-badge").textContent = over ? "Full time" : "Live";
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
    state.timeline.forEach(function (p) {
      if (!p.event || p.kind !== "after_event") { return; }
      var li = document.createElement("li");
      var minute = document.createElement("span");
      minute.className = "minute";
      minute.textContent = p.label;
      li.appendChild(minute);
      li.appendChild(document.createTextNode(" " + eventText(p.event) + " (" + p.score.home + "–" + p.score.away + ")"));
      events.appendChild(li);
    });
    if (!events.firstChild) { var none = document.createElement("li"); none.className = "empty"; none.textContent = "None."; events.appendChild(none); }
    var result = document.getElementById("result");
    if (!state.live || state.live.finished) {
      result.textContent = m.shootout && m.shootout_winner ? m.shootout_winner + " won on penalties."
        : m.winner ? m.winner + " won" + (m.extra_time ? " after extra time." : ".") : "Drawn.";
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

  function switchTo(team) {
    if (team === side) { return; }
    side = team;
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
          var id = json.live.events_received;
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

    source.addEventListener("state", function (e) {
      show(JSON.parse(e.data), Number(e.lastEventId));
    });
    source.addEventListener("append", function (e) {
      onAppend(JSON.parse(e.data), Number(e.lastEventId));
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
    if (after.live.finished && !(before.live && before.live.finished)) {
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
