/* The match clock as the chart's x axis, and the layout of what is drawn along it: the same
   axis as heartbreak.story.clock (Python) computes for the PNG/SVG chart, from the same
   timeline fields (minute, stoppage, period, kind, elapsed).

   HeartbreakClock.axis(timeline, extraTime) -> {x, ticks, stoppage, dividers, shootout, end}
   HeartbreakClock.thin(ticks, pixelOf, widthOf, gap) -> the ticks whose labels fit
   HeartbreakClock.stack(labels, gap) -> each label's row, so that no two labels overlap
   HeartbreakClock.openSpans(top, bottom, x, boxes, pad) -> a vertical line's pieces clear of boxes
   HeartbreakClock.pointClock(point, extraTime) -> the point's minute as the axis reads it */
(function (global) {
  "use strict";

  var PERIOD_END = { first_half: 45, second_half: 90, extra_time_first_half: 105, extra_time_second_half: 120 };
  var PLAY = ["first_half", "second_half", "extra_time_first_half", "extra_time_second_half"];
  var SHOOTOUT_SHARE = 0.12, SHOOTOUT_MIN = 10, SHOOTOUT_PER_POINT = 2;
  // When two tick labels collide, the higher priority stays.
  var NOMINAL_END = 1, MINUTE = 2, PERIOD_MARK = 3, SHOOTOUT = 4;

  function minuteLabel(minute, stoppage) { return stoppage ? minute + "+" + stoppage + "'" : minute + "'"; }

  function dividerLabel(period, extraTime) {
    if (period === "first_half") { return "HT"; }
    if (period === "second_half") { return extraTime ? "ET" : "FT"; }
    if (period === "extra_time_first_half") { return "ET HT"; }
    return "AET";
  }

  function axis(timeline, extraTime) {
    var t = timeline || [];
    var x = t.map(function (p) { return p.elapsed; });
    var play = [], shoot = [];
    t.forEach(function (p, i) { (p.period === "shootout" ? shoot : play).push(i); });
    var etSeen = t.some(function (p) { return p.period !== "first_half" && p.period !== "second_half"; });
    var extra = Boolean(extraTime) || etSeen;
    var finished = t.some(function (p) { return p.kind === "final_whistle"; });
    var lastPlay = play.length ? Math.max.apply(null, play.map(function (i) { return x[i]; })) : 0;

    var column = null;
    if (shoot.length) {
      var width = Math.max(SHOOTOUT_MIN, SHOOTOUT_SHARE * lastPlay, SHOOTOUT_PER_POINT * shoot.length);
      column = { start: lastPlay, end: lastPlay + width, label: "pens" };
      shoot.forEach(function (i, k) { x[i] = lastPlay + width * (k + 0.5) / shoot.length; });
    }

    var ticks = {};
    function put(at, label, sub, priority) { ticks[at] = { value: at, label: label, sub: sub, priority: priority }; }
    put(0, "0'", null, PERIOD_MARK);
    var stretches = [], dividers = [];
    PLAY.forEach(function (period) {
      var inP = play.filter(function (i) { return t[i].period === period; });
      if (!inP.length) { return; }
      var nominal = PERIOD_END[period];
      var ends = inP.filter(function (i) { return t[i].kind === "period_end"; });
      var endI = ends.length ? ends[0] : inP[inP.length - 1];
      var added = Math.max.apply(null, inP.map(function (i) { return t[i].stoppage || 0; }));
      if (ends.length) {
        var name = dividerLabel(period, extra);
        dividers.push({ value: x[endI], label: name });
        put(x[endI], minuteLabel(nominal, added), name, PERIOD_MARK);
      } else if (added > 0) {  // in stoppage time now (a live match)
        put(x[endI], minuteLabel(nominal, added), null, PERIOD_MARK);
      }
      if (added > 0) {
        var at = inP.filter(function (i) { return t[i].minute === nominal && !t[i].stoppage && t[i].kind === "minute"; });
        var start = at.length ? x[at[0]] : x[endI] - added;
        stretches.push({ start: start, end: x[endI], label: minuteLabel(nominal, added) });
      }
    });
    play.forEach(function (i) {
      var p = t[i];
      if (p.kind !== "minute" || p.stoppage || p.minute % 15 !== 0 || p.minute === 0 || (x[i] in ticks)) { return; }
      put(x[i], minuteLabel(p.minute, 0), null, PERIOD_END_MINUTES[p.minute] ? NOMINAL_END : MINUTE);
    });

    var end = lastPlay;
    if (!finished && play.length) { end = Math.max(end, futureTicks(t, x, extra, put, ticks)); }
    if (column) {
      put(column.start + (column.end - column.start) / 2, "pens", null, SHOOTOUT);
      end = column.end;
    }
    var list = Object.keys(ticks).map(function (k) { return ticks[k]; });
    list.sort(function (a, b) { return a.value - b.value; });
    return { x: x, ticks: list, stoppage: stretches, dividers: dividers, shootout: column, end: end };
  }
  var PERIOD_END_MINUTES = { 45: 1, 90: 1, 105: 1, 120: 1 };

  // The ticks of the minutes a live match has still to play, where they fall if no more
  // stoppage is played; returns where its last nominal minute falls.
  function futureTicks(t, x, extra, put, ticks) {
    var last = -1;
    t.forEach(function (p, i) {
      if (p.period !== "shootout" && (p.kind === "kick_off" || p.kind === "minute" || p.kind === "period_end")) { last = i; }
    });
    if (last < 0) { return Math.max.apply(null, x); }
    var p = t[last], stop = p.stoppage || 0;
    var offset = x[last] - p.minute - stop;
    var periodEnd = PERIOD_END[p.period] || 90;
    var where = x[last];
    for (var m = 15; m <= (extra ? 120 : 90); m += 15) {
      if (m <= p.minute) { continue; }
      var at = m + offset + (m > periodEnd ? stop : 0);
      where = at;
      if (!(at in ticks)) { put(at, minuteLabel(m, 0), null, PERIOD_END_MINUTES[m] ? PERIOD_MARK : MINUTE); }
    }
    return where;
  }

  // Ticks taken by priority (then from the left): one is kept when its label keeps `gap`
  // pixels from every kept label. pixelOf(value) is its centre; widthOf(tick) its width.
  function thin(ticks, pixelOf, widthOf, gap) {
    var order = ticks.map(function (tk, i) { return i; });
    order.sort(function (a, b) { return (ticks[b].priority - ticks[a].priority) || (a - b); });
    var kept = [];
    order.forEach(function (i) {
      var px = pixelOf(ticks[i].value), w = widthOf(ticks[i]);
      var fits = kept.every(function (k) {
        return Math.abs(px - pixelOf(ticks[k].value)) - (w + widthOf(ticks[k])) / 2 >= gap;
      });
      if (fits) { kept.push(i); }
    });
    kept.sort(function (a, b) { return a - b; });
    return kept.map(function (i) { return ticks[i]; });
  }

  // Labels {left, width} in order of x: each takes the first row in which it keeps `gap`
  // pixels from the labels already there. Returns the row of each.
  function stack(labels, gap) {
    var rows = [];  // the right end of the last label in each row
    return labels.map(function (l) {
      for (var r = 0; r < rows.length; r++) {
        if (l.left >= rows[r] + gap) { rows[r] = l.left + l.width; return r; }
      }
      rows.push(l.left + l.width);
      return rows.length - 1;
    });
  }

  // The pieces [from, to] of a vertical line at x from top to bottom that stay clear of the
  // boxes {left, top, width, height} (each widened by pad).
  function openSpans(top, bottom, x, boxes, pad) {
    var cuts = boxes.filter(function (b) { return x >= b.left - pad && x <= b.left + b.width + pad; })
      .map(function (b) { return [b.top - pad, b.top + b.height + pad]; })
      .sort(function (a, b) { return a[0] - b[0]; });
    var spans = [], from = top;
    cuts.forEach(function (c) {
      if (c[0] > from) { spans.push([from, Math.min(c[0], bottom)]); }
      from = Math.max(from, c[1]);
    });
    if (from < bottom) { spans.push([from, bottom]); }
    return spans.filter(function (s) { return s[1] > s[0]; });
  }

  // The minute of a point as the axis reads it: the end of a period is named with its
  // stoppage and its divider ("45+3' HT", "90+5' FT"), the shootout is "pens" (after a kick,
  // with the shootout's score: "pens 2–1").
  function pointClock(p, extraTime) {
    if (p.period === "shootout") { return p.kind === "shootout_kick" ? p.label : "pens"; }
    if (p.kind === "period_end" || p.kind === "final_whistle") {
      var name = p.kind === "final_whistle" ? "FT" : dividerLabel(p.period, extraTime);
      return minuteLabel(PERIOD_END[p.period] || p.minute, p.stoppage) + " " + name;
    }
    return p.label;
  }

  global.HeartbreakClock = {
    axis: axis, thin: thin, stack: stack, openSpans: openSpans, pointClock: pointClock,
    minuteLabel: minuteLabel, dividerLabel: dividerLabel
  };
})(window);
