/* The live matches page: keeps its list up to date without a reload. It asks /api/live every
   few seconds (new matches appear, scores change, finished ones are marked) and runs each
   match's clock on every second between answers (live_clock.js), as the match page does. */
(function () {
  "use strict";

  var POLL_MS = 5000;
  var LiveClock = window.HeartbreakLiveClock;
  var list = document.getElementById("live-list");
  var empty = document.getElementById("live-empty");
  if (!list || !LiveClock) { return; }
  var matches = JSON.parse(document.getElementById("live-matches").textContent);
  var polling = false;

  function score(m) { return m.score.home + "–" + m.score.away; }
  // Over: the final whistle (a match level after extra time waits for its shootout).
  function over(m) { return Boolean(m.finished && m.clock.pause !== "shootout_next"); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    return e;
  }

  // One item per match, made once and then updated in place (so a focused link stays focused).
  function item(m) {
    var li = list.querySelector('li[data-live-id="' + m.id + '"]');
    if (!li) {
      li = el("li", "live-match");
      li.dataset.liveId = m.id;
      var a = el("a");
      a.href = "/live/" + encodeURIComponent(m.id);
      var teams = el("span", "teams");
      teams.appendChild(document.createTextNode(m.home + " "));
      teams.appendChild(el("span", "score"));
      teams.appendChild(document.createTextNode(" " + m.away));
      a.appendChild(teams);
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "badge"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "clock"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "meta", m.date));
    }
    return li;
  }

  function drawClocks() {
    matches.forEach(function (m) {
      var li = list.querySelector('li[data-live-id="' + m.id + '"]');
      if (!li) { return; }
      var tick = LiveClock.tick(m.clock, m.finished);
      var clock = li.querySelector(".clock");
      if (clock.textContent !== tick.label) { clock.textContent = tick.label; }
    });
  }

  function draw() {
    // In play first, then the finished ones, each in the order the server lists them.
    var ordered = matches.filter(function (m) { return !over(m); })
      .concat(matches.filter(over));
    var keep = {};
    ordered.forEach(function (m, i) {
      var li = item(m);
      // moved only when out of place (moving an element would take the focus off its link)
      if (list.children[i] !== li) { list.insertBefore(li, list.children[i] || null); }
      keep[m.id] = true;
      li.classList.toggle("finished", over(m));
      li.querySelector(".score").textContent = score(m);
      var badge = li.querySelector(".badge");
      badge.textContent = over(m) ? "Full time" : "Live";
      badge.classList.toggle("over", over(m));
    });
    Array.prototype.slice.call(list.children).forEach(function (li) {
      if (!keep[li.dataset.liveId]) { list.removeChild(li); }
    });
    list.hidden = !ordered.length;
    empty.hidden = Boolean(ordered.length);
    document.getElementById("live-index").dataset.updates =
      String(Number(document.getElementById("live-index").dataset.updates || "0") + 1);
    drawClocks();
  }

  function poll() {
    if (polling || document.hidden) { return; }
    polling = true;
    fetch("/api/live", { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (json) { polling = false; matches = json; draw(); })
      .catch(function () { polling = false; });
  }

  draw();
  LiveClock.every(POLL_MS, poll);
  LiveClock.every(1000, drawClocks);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
})();
