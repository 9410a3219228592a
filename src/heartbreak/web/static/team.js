/* The team page: the World Football Elo rating over time from the embedded team JSON, with
   the most heartbreaking (down triangles) and most joyful (up triangles) matches marked. */
(function () {
  "use strict";
  var canvas = document.getElementById("rating-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var profile = JSON.parse(document.getElementById("state").textContent);
  var history = profile.rating_history || [];
  function year(date) { var d = new Date(date + "T00:00:00Z"); return d.getUTCFullYear() + d.getUTCMonth() / 12 + (d.getUTCDate() - 1) / 365; }
  var byMatch = {};
  history.forEach(function (h) { byMatch[h.match_id] = h; });
  function marks(rows) {
    return rows.filter(function (r) { return byMatch[r.match_id]; })
      .map(function (r) { var h = byMatch[r.match_id]; return { x: year(h.date), y: h.rating, label: r.home + " " + r.score.home + "–" + r.score.away + " " + r.away + " (" + r.date + ")" }; });
  }
  // Axis text and grid in the page's colours (app.css, light or dark).
  var css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue("--chart-text").trim() || Chart.defaults.color;
  Chart.defaults.borderColor = css.getPropertyValue("--chart-grid").trim() || Chart.defaults.borderColor;
  new Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        { label: "rating", data: history.map(function (h) { return { x: year(h.date), y: h.rating, label: h.date }; }),
          borderColor: "#0072B2", borderWidth: 1.5, pointRadius: 0, pointHitRadius: 4 },
        { label: "most heartbreaking", type: "scatter", data: marks(profile.most_heartbreaking || []),
          backgroundColor: "#D55E00", pointStyle: "triangle", rotation: 180, pointRadius: 6 },
        { label: "most joyful", type: "scatter", data: marks(profile.most_joyful || []),
          backgroundColor: "#009E73", pointStyle: "triangle", pointRadius: 6 }
      ]
    },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false,
      scales: { x: { type: "linear", ticks: { callback: function (v) { return Math.round(v); } } }, y: { title: { display: true, text: "rating" } } },
      plugins: { legend: { position: "bottom" },
        tooltip: { callbacks: { label: function (item) { return item.raw.label + ": " + Math.round(item.raw.y); } } } }
    }
  });
})();
