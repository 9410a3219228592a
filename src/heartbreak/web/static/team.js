/* The team page: the World Football Elo rating over time from the embedded team JSON, with
   the most heartbreaking (down triangles) and most joyful (up triangles) matches marked.

   The year axis runs from the team's first match to its last. Markers that would overlap (two
   matches a few weeks apart, say) are moved apart vertically, joyful ones up and heartbreaking
   ones down, each joined to its true point on the line by a thin leader; each has a tooltip
   and opens its match. */
(function () {
  "use strict";
  var canvas = document.getElementById("rating-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var profile = JSON.parse(document.getElementById("state").textContent);
  var history = profile.rating_history || [];
  var team = profile.team;
  function year(date) {
    var d = new Date(date + "T00:00:00Z");
    var start = Date.UTC(d.getUTCFullYear(), 0, 1), end = Date.UTC(d.getUTCFullYear() + 1, 0, 1);
    return d.getUTCFullYear() + (d.getTime() - start) / (end - start);
  }
  var byMatch = {};
  history.forEach(function (h) { byMatch[h.match_id] = h; });
  function marks(rows, title) {
    return rows.filter(function (r) { return byMatch[r.match_id]; }).map(function (r) {
      var h = byMatch[r.match_id];
      return { x: year(h.date), y: h.rating, match_id: r.match_id, title: title + " #" + r.rank,
               label: r.home + " " + r.score.home + "–" + r.score.away + " " + r.away + " (" + r.date + ")",
               reason: r.reason };
    });
  }
  var css = getComputedStyle(document.documentElement);
  function colour(name, fallback) { return css.getPropertyValue(name).trim() || fallback; }
  // Axis text and grid in the page's colours (app.css, light or dark).
  Chart.defaults.color = colour("--chart-text", Chart.defaults.color);
  Chart.defaults.borderColor = colour("--chart-grid", Chart.defaults.borderColor);
  var line = colour("--side", "#0072B2"), hurt = colour("--other", "#D55E00");
  var joy = "#009E73", paper = colour("--paper", "#ffffff"), leader = colour("--chart-text", "#5f5f5f");

  // The axis: the team's first match to its last (a year either side of a single day).
  var firstMatch = year(profile.first_match), lastMatch = year(profile.last_match);
  var first = firstMatch, last = lastMatch;
  if (last - first < 1) { var mid = (first + last) / 2; first = mid - 0.5; last = mid + 0.5; }
  var STEPS = [1, 2, 5, 10, 20, 25, 50];
  function yearTicks(scale) {
    var room = Math.max(2, Math.floor((scale.width || 600) / 55));
    var span = scale.max - scale.min;
    var step = STEPS.find(function (s) { return span / s <= room; }) || 100;
    var ticks = [];
    for (var y = Math.ceil(scale.min / step) * step; y <= scale.max; y += step) { ticks.push({ value: y }); }
    if (span < 3) {  // a short history: the years of its first and last matches, where they were
      ticks = [{ value: firstMatch }];
      if (Math.floor(lastMatch) !== Math.floor(firstMatch)) { ticks.push({ value: lastMatch }); }
    }
    scale.ticks = ticks;
  }

  var MARKER = 7, GAP = 3;  // marker radius and the least room between two markers (px)
  // Moves overlapping markers apart; keeps each marker's true point for its leader line.
  var dodge = {
    id: "dodge",
    afterDatasetsUpdate: function (chart) {
      var area = chart.chartArea, yScale = chart.scales.y, placed = [], items = [];
      [1, 2].forEach(function (index) {
        var meta = chart.getDatasetMeta(index);
        if (meta.hidden) { return; }
        meta.data.forEach(function (el, i) {
          var raw = chart.data.datasets[index].data[i];
          el.anchorY = yScale.getPixelForValue(raw.y);
          el.y = el.anchorY;
          items.push({ el: el, up: index === 2 });
        });
      });
      items.sort(function (a, b) { return a.el.x - b.el.x; });
      var d = 2 * MARKER + GAP;
      items.forEach(function (item) {
        var el = item.el, dir = item.up ? -1 : 1;
        for (var k = 0; k < 40; k++) {
          var step = Math.ceil(k / 2) * d * (k % 2 === 1 ? dir : -dir);
          var y = el.anchorY + (k === 0 ? 0 : step);
          if (y < area.top + MARKER || y > area.bottom - MARKER) { continue; }
          var free = placed.every(function (p) { return Math.hypot(p.x - el.x, p.y - y) >= d; });
          if (free) { el.y = y; break; }
        }
        placed.push({ x: el.x, y: el.y });
      });
    },
    beforeDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = leader; ctx.lineWidth = 1; ctx.setLineDash([2, 2]);
      [1, 2].forEach(function (index) {
        var meta = chart.getDatasetMeta(index);
        if (meta.hidden) { return; }
        meta.data.forEach(function (el) {
          if (Math.abs(el.y - el.anchorY) < 1) { return; }
          ctx.beginPath(); ctx.moveTo(el.x, el.anchorY); ctx.lineTo(el.x, el.y); ctx.stroke();
        });
      });
      ctx.restore();
    }
  };

  function marker(label, data, fill, rotation) {
    return { label: label, type: "scatter", data: data, order: 1, backgroundColor: fill,
             borderColor: paper, borderWidth: 1.5, pointStyle: "triangle", rotation: rotation,
             pointRadius: MARKER, pointHoverRadius: MARKER + 2, pointHitRadius: 4, clip: MARKER + 3 };
  }
  var chart = new Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        { label: "rating", order: 2,
          data: history.map(function (h) { return { x: year(h.date), y: h.rating, label: h.date }; }),
          borderColor: line, backgroundColor: line, borderWidth: 1.5, pointHitRadius: 4,
          pointRadius: history.length > 40 ? 0 : 3, pointStyle: history.length > 40 ? "line" : "circle" },
        marker("most heartbreaking", marks(profile.most_heartbreaking || [], "Most heartbreaking"), hurt, 180),
        marker("most joyful", marks(profile.most_joyful || [], "Most joyful"), joy, 0)
      ]
    },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false,
      layout: { padding: { left: MARKER, right: MARKER + 3 } },
      interaction: { mode: "nearest", intersect: true },
      scales: {
        x: { type: "linear", min: first, max: last, afterBuildTicks: yearTicks,
             ticks: { callback: function (v) { return String(Math.floor(v + 1e-9)); } } },
        y: { title: { display: true, text: "rating" }, grace: "8%" }
      },
      plugins: {
        legend: { position: "bottom",
                  labels: { usePointStyle: true, boxHeight: 9,
                            filter: function (item, data) { return data.datasets[item.datasetIndex].data.length > 0; },
                            sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
        tooltip: {
          // On a marker, its match only (not also the line's point beneath it).
          filter: function (item, i, items) {
            return item.datasetIndex > 0 || !items.some(function (x) { return x.datasetIndex > 0; });
          },
          callbacks: {
          title: function (items) { var r = items[0].raw; return r.title || r.label; },
          label: function (item) {
            var r = item.raw;
            return r.title ? [r.label + ", rating " + Math.round(r.y), r.reason] : "rating " + Math.round(r.y);
          }
        } }
      },
      onClick: function (event, elements) {
        var hit = elements.find(function (e) { return e.datasetIndex > 0; });
        if (!hit) { return; }
        var r = chart.data.datasets[hit.datasetIndex].data[hit.index];
        window.location.href = "/matches/" + r.match_id + "?side=" + encodeURIComponent(team);
      },
      onHover: function (event, elements) {
        canvas.style.cursor = elements.some(function (e) { return e.datasetIndex > 0; }) ? "pointer" : "";
      }
    },
    plugins: [dodge]
  });
})();
