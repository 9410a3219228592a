/* The clock of a live match, run on between the feed's messages from what the server says in a
   state's live.clock (see heartbreak.live.service.clock_block): where it stands (minute,
   stoppage, label, elapsed), whether it runs (running; else pause names the break), since when
   (since_ms, the server's time), the period's last minute (end_minute) and the stoppage minute
   it runs on to at most (max_stoppage). A minute after since_ms it shows the next minute; past
   the period's last minute it shows stoppage (45+1', 45+2', ...).

   HeartbreakLiveClock.now() -> the server's time now (ms), from the page's clock and the
     server's time when the page was made (data-server-now on any element)
   HeartbreakLiveClock.tick(clock, finished, now) -> {label, elapsed, running}
   HeartbreakLiveClock.every(ms, fn) -> runs fn every ms (setInterval), so pages tick together */
(function (global) {
  "use strict";

  var PAUSE_LABELS = {
    kick_off: "KO",
    half_time: "HT",
    extra_time_next: "90' · extra time next",
    extra_time_half_time: "ET HT",
    shootout_next: "120' · penalties next",
    full_time: "FT"
  };

  // The server's time minus the page's, measured once when the page is read.
  var holder = document.querySelector("[data-server-now]");
  var offset = holder ? Number(holder.dataset.serverNow) - Date.now() : 0;
  if (!isFinite(offset)) { offset = 0; }

  function now() { return Date.now() + offset; }

  function minuteLabel(total, end) {
    if (total <= 0) { return "KO"; }
    return total > end ? end + "+" + (total - end) + "'" : total + "'";
  }

  function tick(clock, finished, at) {
    if (!clock) { return { label: "", elapsed: 0, running: false }; }
    if (finished && clock.pause !== "shootout_next") {
      return { label: "FT", elapsed: clock.elapsed || 0, running: false };
    }
    if (!clock.running) {
      return { label: PAUSE_LABELS[clock.pause] || clock.label, elapsed: clock.elapsed || 0, running: false };
    }
    var end = clock.end_minute, shown = clock.minute + clock.stoppage;
    var ran = 0;  // minutes since the clock reached where the feed put it
    if (clock.since_ms != null) {
      ran = Math.max(0, ((at == null ? now() : at) - clock.since_ms) / 60000);
      ran = Math.min(ran, Math.max(0, end + clock.max_stoppage - shown));
    }
    var total = shown + Math.floor(ran);
    var label = ran < 1 ? clock.label : minuteLabel(total, end);
    return { label: label, elapsed: (clock.elapsed || 0) + ran, running: true };
  }

  function every(ms, fn) { return global.setInterval(fn, ms); }

  global.HeartbreakLiveClock = { now: now, tick: tick, every: every, pauseLabels: PAUSE_LABELS };
})(window);
