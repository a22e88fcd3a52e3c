// The alarm operators hear: a repeating pattern per priority, made with Web Audio (no files to fetch or block),
// until the alert is selected. Browsers only let a page make sound after a user gesture, so the login click unlocks
// it; a page reloaded with a saved session asks for one click. Mute lasts a limited time only.
'use strict';
window.PDAlarm = (function () {
  // Per priority: tones (Hz) played in turn, each tone's length (s), and the pause before the pattern repeats (s).
  const PATTERNS = {
    1: { tones: [1320, 880, 1320, 880], tone: 0.16, every: 1.0 },  // duress, hold-up: urgent two-tone, every second
    2: { tones: [988, 988], tone: 0.18, every: 2.0 },              // panic
    3: { tones: [660], tone: 0.25, every: 5.0 },                   // device fault
    4: { tones: [523], tone: 0.2, every: 15.0 },                   // test
  };
  const MUTE_MS = 2 * 60 * 1000;
  let ctx = null, priority = 0, nextAt = 0, mutedUntil = 0, timer = null;

  function unlock() {
    try {
      if (!ctx) ctx = new (window.AudioContext || window.webkitAudioContext)();
      if (ctx.state === 'suspended') ctx.resume();
    } catch (e) { ctx = null; }
    return ready();
  }
  function ready() { return !!ctx && ctx.state !== 'suspended'; }

  function beep(freq, at, length) {
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + length + 0.02);
  }

  // Schedules the next repetition when it is due; runs every 100 ms while anything should sound.
  function tick() {
    if (!priority || !ready() || Date.now() < mutedUntil) return;
    const now = ctx.currentTime;
    if (now < nextAt) return;
    const p = PATTERNS[priority];
    p.tones.forEach((f, i) => beep(f, now + i * (p.tone + 0.04), p.tone));
    nextAt = now + p.every;
  }

  // 0: silence; 1 (most urgent) to 4.
  function set(p) {
    if (p === priority) return;
    const louder = !priority || (p && p < priority);
    priority = p;
    if (louder && ctx) nextAt = 0; // a more urgent alarm starts at once
    if (p && !timer) timer = setInterval(tick, 100);
    if (!p && timer) { clearInterval(timer); timer = null; }
    tick();
  }

  function mute() { mutedUntil = Date.now() + MUTE_MS; }
  function unmute() { mutedUntil = 0; if (ctx) nextAt = 0; tick(); }
  function mutedFor() { return Math.max(0, mutedUntil - Date.now()); }

  return { unlock, ready, set, mute, unmute, mutedFor, priority: () => priority };
})();
