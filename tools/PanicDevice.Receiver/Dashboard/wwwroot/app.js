// Operator dashboard: login with the operator token (kept in sessionStorage, sent only as
// "Authorization: Bearer"), alert list, map, detail with timeline and actions, live updates over
// Server-Sent Events (one-time ticket, never the token, in the stream URL), webhook status.
'use strict';
(function () {
  const TOKEN_KEY = 'pd.operatorToken', NAME_KEY = 'pd.operatorName', LANG_KEY = 'pd.lang';
  const $ = id => document.getElementById(id);
  const st = {
    token: sessionStorage.getItem(TOKEN_KEY),
    lang: localStorage.getItem(LANG_KEY) || ((navigator.language || 'en').toLowerCase().startsWith('id') ? 'id' : 'en'),
    alerts: new Map(), counters: new Map(), deviceEvents: [], dispatchDown: new Map(), selected: null, source: null, retry: null, webhookTimer: null, liveState: 'offline',
    // Alerts this operator has selected (by id and escalation: an escalation sounds again), the escalation delay, the
    // last event from the stream, whether it was ever live, and the one-second clock of ages and timers.
    heard: new Set(), escalateAfterS: 0, lastEventAt: 0, everLive: false, ticker: null,
    devices: [], silent: new Set(), lowBattery: new Set(), devicesTimer: null
  };
  const alarm = window.PDAlarm;
  const map = window.PDMap($('map'), id => select(id), () => renderMapNote());

  // ---- language -------------------------------------------------------------------------------
  function dict() { return window.PD_I18N[st.lang] || window.PD_I18N.en; }
  function t(key, vars) {
    let s = dict()[key];
    if (s === undefined) s = window.PD_I18N.en[key];
    if (s === undefined) s = key;
    for (const k in (vars || {})) s = s.replace('{' + k + '}', vars[k]);
    return s;
  }
  function sub(group, key) { return (dict()[group] || {})[key] || (window.PD_I18N.en[group] || {})[key] || key; }
  function setLang(lang) {
    st.lang = lang === 'id' ? 'id' : 'en';
    localStorage.setItem(LANG_KEY, st.lang);
    document.documentElement.lang = st.lang;
    document.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(el => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll('[data-lang]').forEach(b => b.setAttribute('aria-pressed', String(b.dataset.lang === st.lang)));
    setLive(st.liveState);
    renderAll();
  }
  function when(iso) {
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(st.lang === 'id' ? 'id-ID' : 'en-GB');
  }

  // ---- API ------------------------------------------------------------------------------------
  async function api(method, path, body, token) {
    const headers = { Authorization: 'Bearer ' + (token || st.token), Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    if (r.status === 401 && !token) { logout(t('wrongToken')); throw new Error('unauthorized'); }
    return r;
  }

  // ---- login ----------------------------------------------------------------------------------
  $('login').addEventListener('submit', async ev => {
    ev.preventDefault();
    alarm.unlock(); // the login click is the gesture browsers require before a page may make sound
    let token = $('token').value.trim();
    const password = $('password').value, name = $('operator-name').value.trim();
    showError('login-error', '');
    if (password) {
      // A person's account: the name and password give a session token, used from here on like the operator token.
      try {
        const l = await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ name, password }), cache: 'no-store' });
        const j = await l.json();
        if (!l.ok) { showError('login-error', l.status === 401 ? t('wrongPassword') : (j.error || t('unreachable'))); return; }
        token = j.token;
      } catch (e) {
        showError('login-error', t('unreachable'));
        return;
      }
      $('password').value = '';
    } else if (!token) {
      showError('login-error', t('needCredentials'));
      return;
    }
    let r;
    try {
      r = await api('GET', '/api/alerts?limit=200', undefined, token);
    } catch (e) {
      showError('login-error', t('unreachable'));
      return;
    }
    if (r.status === 401) { showError('login-error', t('wrongToken')); return; }
    if (!r.ok) { showError('login-error', t('unreachable')); return; }
    st.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(NAME_KEY, $('operator-name').value.trim());
    $('token').value = '';
    replaceAll(await r.json());
    start();
  });
  $('logout').addEventListener('click', async () => {
    try { await api('POST', '/api/logout', {}); } catch (e) { /* the session ends here anyway */ }
    logout('');
  });
  document.querySelectorAll('[data-lang]').forEach(b => b.addEventListener('click', () => setLang(b.dataset.lang)));

  function logout(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    st.token = null;
    if (st.source) { st.source.close(); st.source = null; }
    clearTimeout(st.retry); clearInterval(st.webhookTimer); clearInterval(st.ticker); clearInterval(st.devicesTimer);
    alarm.set(0);
    st.everLive = false;
    renderConnection();
    st.alerts.clear(); st.counters.clear(); st.selected = null;
    $('app').classList.add('hidden'); $('logout').classList.add('hidden'); $('who-am-i').classList.add('hidden');
    $('login-view').classList.remove('hidden');
    setLive('offline');
    showError('login-error', message);
  }

  async function start() {
    $('login-view').classList.add('hidden');
    $('app').classList.remove('hidden'); $('logout').classList.remove('hidden');
    renderAll();
    try {
      const cfg = await (await api('GET', '/api/dashboard')).json();
      map.setTiles(cfg.mapTilesUrl, cfg.mapTilesAttribution);
      st.escalateAfterS = cfg.escalateAfterSeconds || 0;
    } catch (e) { map.setTiles('', ''); }
    loadMe();
    connect();
    loadCounters();
    loadWebhooks();
    st.webhookTimer = setInterval(loadWebhooks, 15000);
    loadDevices();
    clearInterval(st.devicesTimer);
    st.devicesTimer = setInterval(loadDevices, 30000);
    clearInterval(st.ticker);
    st.ticker = setInterval(tick, 1000);
    renderSoundControls();
  }

  // Who is logged in, and what they may see: the quality report is for supervisors and admins.
  async function loadMe() {
    try {
      const me = await (await api('GET', '/api/me')).json();
      const el = $('who-am-i');
      el.textContent = me.account ? me.name + ' · ' + sub('roles', me.role) : sub('roles', 'token');
      el.classList.remove('hidden');
      if (me.account) sessionStorage.setItem(NAME_KEY, me.name);
      $('quality-panel').classList.toggle('hidden', me.role === 'operator');
      st.admin = me.role === 'admin';
      $('provision').classList.toggle('hidden', !st.admin);
      st.broker = location.hostname + ':1883';
      $('pv-broker').value = st.broker;
      renderDevices();
    } catch (e) { /* the next login */ }
  }

  // ---- sound --------------------------------------------------------------------------------------
  // A page opened from a saved session has had no click yet: one button turns the sound on.
  $('sound-enable').addEventListener('click', () => { alarm.unlock(); renderSoundControls(); renderSound(); });
  $('sound-mute').addEventListener('click', () => { if (alarm.mutedFor() > 0) alarm.unmute(); else alarm.mute(); renderSoundControls(); });
  function renderSoundControls() {
    const on = !!st.token;
    $('sound-enable').classList.toggle('hidden', !on || alarm.ready());
    const mute = $('sound-mute');
    mute.classList.toggle('hidden', !on || !alarm.ready());
    const left = alarm.mutedFor();
    mute.textContent = left > 0 ? t('soundMuted', { t: clock(left / 1000) }) : t('soundMute');
    mute.setAttribute('aria-pressed', String(left > 0));
  }
  // The most urgent alert nobody here has selected yet sounds, until it is selected.
  const heardKey = a => a.id + '@' + (a.escalatedUtc || '');
  function renderSound() {
    let p = 0;
    for (const a of st.alerts.values()) {
      if ((a.state === 'new' || (a.duress && isOpen(a.state))) && !st.heard.has(heardKey(a))) {
        const q = priority(a);
        if (!p || q < p) p = q;
      }
    }
    alarm.set(p);
  }

  // ---- time: ages, escalation timers, the connection, the mute countdown -----------------------------
  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds)), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + String(r).padStart(2, '0');
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll('[data-since]').forEach(el => { el.textContent = t('age', { t: clock((now - Date.parse(el.dataset.since)) / 1000) }); });
    document.querySelectorAll('[data-escalates-at]').forEach(el => {
      const left = (Date.parse(el.dataset.escalatesAt) - now) / 1000;
      el.textContent = left > 0 ? t('escalatesIn', { t: clock(left) }) : t('escalationDue');
    });
    renderConnection();
    renderSoundControls();
  }

  // ---- live updates ---------------------------------------------------------------------------
  async function connect() {
    if (!st.token) return;
    try {
      const r = await api('POST', '/api/events/ticket', {});
      const { ticket } = await r.json();
      const es = new EventSource('/api/events?ticket=' + encodeURIComponent(ticket));
      st.source = es;
      es.onopen = () => { st.lastEventAt = Date.now(); st.everLive = true; setLive('live'); reload(); };
      // Every message counts as a sign of life (the receiver sends a comment line every 15 s, which the page cannot see).
      es.onmessage = () => { st.lastEventAt = Date.now(); };
      es.addEventListener('alert', e => {
        st.lastEventAt = Date.now();
        const a = JSON.parse(e.data);
        upsert(a); renderAll(); loadWebhooks();
        // A stored frame may be the re-sent message of an open counter event: its state lives in the event.
        if ([...st.counters.values()].some(c => c.open && c.deviceId === a.deviceId)) loadCounters();
      });
      es.addEventListener('counter', e => { const c = JSON.parse(e.data); st.counters.set(c.id, c); renderAll(); });
      // A webhook target failing for a minute (or back): alerts are stored but not reaching that dispatch system.
      es.addEventListener('dispatch', e => {
        const h = JSON.parse(e.data);
        if (h.failing) st.dispatchDown.set(h.target, { host: h.host, since: h.failingSince }); else st.dispatchDown.delete(h.target);
        renderDispatch(); loadWebhooks();
      });
      es.addEventListener('device', e => { const d = JSON.parse(e.data); st.deviceEvents = [d, ...st.deviceEvents.filter(x => x.id !== d.id)]; renderAll(); loadDevices(); });
      es.onerror = () => {
        // A ticket works once: every reconnect asks for a new one.
        es.close();
        if (st.source === es) { st.source = null; retry(); }
      };
    } catch (e) {
      retry();
    }
  }
  function retry() {
    if (!st.token) return;
    setLive('reconnecting');
    clearTimeout(st.retry);
    st.retry = setTimeout(connect, 3000);
  }
  function setLive(s) {
    st.liveState = s;
    const el = $('live');
    el.dataset.live = s === 'live' ? 'on' : 'off';
    el.textContent = t(s);
    renderConnection();
  }
  async function reload() {
    try { replaceAll(await (await api('GET', '/api/alerts?limit=1000&allOpen=true')).json()); renderAll(); } catch (e) { /* next event or reconnect */ }
    loadCounters();
    loadDeviceEvents();
  }

  // ---- alerts ---------------------------------------------------------------------------------
  function newer(a, b) { return !b || a.updatedUtc > b.updatedUtc || (a.updatedUtc === b.updatedUtc && a.timeline.length >= b.timeline.length); }
  function upsert(a) {
    const old = st.alerts.get(a.id);
    if (newer(a, old)) st.alerts.set(a.id, a);
  }
  function replaceAll(list) {
    const fresh = new Map();
    for (const a of list) {
      const old = st.alerts.get(a.id);
      fresh.set(a.id, old && !newer(a, old) ? old : a);
    }
    for (const [id, a] of st.alerts) if (!fresh.has(id)) fresh.set(id, a); // older than the page of 200
    st.alerts = fresh;
  }
  // Open alerts first, the most urgent priority first and within it the oldest; then the closed ones, newest first.
  const isOpen = s => s === 'new' || s === 'acknowledged' || s === 'assigned';
  function priority(a) {
    if (a.duress || a.kind === 'hold-up') return 1;
    if (a.kind === 'button-fault') return 3;
    if (a.kind === 'test') return 4;
    return 2; // panic, and any alarm this page does not know yet
  }
  function sorted() {
    return [...st.alerts.values()].sort((a, b) => {
      const oa = isOpen(a.state), ob = isOpen(b.state);
      if (oa !== ob) return oa ? -1 : 1;
      if (!oa) return b.id - a.id;
      return priority(a) - priority(b) || a.openedUtc.localeCompare(b.openedUtc) || a.id - b.id;
    });
  }
  const hasPosition = a => a.lat != null && a.lon != null;

  function select(id) {
    st.selected = id;
    const a = st.alerts.get(id);
    if (a) st.heard.add(heardKey(a));
    showError('action-error', '');
    renderAll();
  }

  function badge(cls, text, extra) {
    const b = document.createElement('span');
    b.className = 'badge ' + cls;
    b.textContent = text;
    if (extra) for (const k in extra) b.dataset[k] = extra[k];
    return b;
  }

  function renderAll() {
    if (!st.token) return;
    const list = sorted();
    renderAlarm(list);
    renderEscalated(list);
    renderSound();
    renderDispatch();
    renderCounters();
    renderDeviceEvents();
    if (st.devices.length) renderDevices();
    renderList(list);
    renderDetail();
    map.setAlerts(list, st.selected);
    renderMapNote();
    tick(); // ages and timers drawn at once, not a second later
  }

  // A frame refused for its counter may be a real alert: it alarms until re-sent (and stored) or seen by an operator.
  const counterAlarms = () => [...st.counters.values()].filter(c => c.open && c.kind !== 'heartbeat');

  function renderAlarm(list) {
    // Any alert waiting for acknowledgement alarms, with or without a position.
    const waiting = list.filter(a => a.state === 'new' || (a.duress && isOpen(a.state)));
    const unverified = counterAlarms().length;
    const el = $('alarm');
    el.classList.toggle('hidden', waiting.length === 0 && unverified === 0);
    const parts = [];
    if (waiting.length) parts.push(t(waiting.length === 1 ? 'alarmOne' : 'alarmMany', { n: waiting.length }));
    if (unverified) parts.push(t('alarmCounter', { n: unverified }));
    el.textContent = parts.join(' · ');
    el.dataset.count = String(waiting.length + unverified);
    const total = waiting.length + unverified;
    document.title = (total ? '(' + total + ') ' : '') + t('title') + ' — PanicDevice';
  }

  // Alerts nobody acknowledged in time: their own banner, for the supervisor.
  function renderEscalated(list) {
    const late = list.filter(a => a.state === 'new' && a.escalatedUtc);
    const el = $('escalated');
    el.classList.toggle('hidden', late.length === 0);
    el.textContent = late.length ? t('escalatedBanner', { n: late.length, t: clock(st.escalateAfterS) }) + ' ' + late.map(a => '#' + a.id).join(', ') : '';
  }

  // The stream is down after having been live: the whole screen edge says so, with the time since the last event.
  function renderConnection() {
    const lost = !!st.token && st.everLive && st.liveState !== 'live';
    $('connection-lost').classList.toggle('hidden', !lost);
    document.body.classList.toggle('disconnected', lost);
    if (lost) $('connection-lost-text').textContent = t('connectionLost', { t: clock((Date.now() - st.lastEventAt) / 1000) });
  }

  // ---- counter events (frames refused for a used or too-old counter) -------------------------------
  async function loadCounters() {
    if (!st.token) return;
    try {
      const list = await (await api('GET', '/api/counter-events?limit=100')).json();
      // Merged, not replaced: one that arrived live while this request was under way stays, and a state only moves
      // forward (seen, re-sent), so an older answer never undoes a newer live one.
      const settled = c => (c.resentCounter != null ? 2 : 0) + (c.acknowledgedUtc ? 1 : 0);
      const merged = new Map(list.map(c => [c.id, c]));
      for (const [id, c] of st.counters) if (!merged.has(id) || settled(c) > settled(merged.get(id))) merged.set(id, c);
      st.counters = merged;
      renderAll();
    } catch (e) { /* next event or reconnect */ }
  }

  // ---- device events (re-keys: the device's old key is refused from then on) -------------------------
  async function loadDeviceEvents() {
    if (!st.token) return;
    try {
      // Merged, not replaced: an event that arrived live while this request was under way must not vanish (they never change).
      const fetched = await (await api('GET', '/api/device-events?limit=20')).json();
      st.deviceEvents = [...new Map([...fetched, ...st.deviceEvents].map(d => [d.id, d])).values()];
      renderAll();
    } catch (e) { /* next event or reconnect */ }
  }

  function renderDeviceEvents() {
    const list = [...st.deviceEvents].sort((a, b) => b.id - a.id).slice(0, 20);
    $('device-event-panel').classList.toggle('hidden', list.length === 0);
    $('device-event-warning').classList.toggle('hidden', !list.some(d => d.event === 'rekey')); // a profile change silences nothing
    const ul = $('device-event-list');
    ul.replaceChildren();
    for (const d of list) {
      const li = document.createElement('li');
      li.className = 'device-event-row';
      li.dataset.deviceEvent = d.id;
      const head = document.createElement('strong');
      head.textContent = d.deviceId;
      const what = document.createElement('span');
      what.textContent = sub('deviceEvents', d.event) + ' · ' + t('deviceEventBy', { who: d.by }) + ' · ' + when(d.atUtc);
      li.append(badge('device-event', sub('deviceEvents', d.event)), head, what);
      ul.append(li);
    }
  }

  function renderCounters() {
    const list = [...st.counters.values()].sort((a, b) => b.id - a.id);
    $('counter-panel').classList.toggle('hidden', list.length === 0);
    const ul = $('counter-list');
    ul.replaceChildren();
    for (const c of list) {
      const li = document.createElement('li');
      li.className = 'counter-row' + (c.open ? ' open' : '');
      li.dataset.counterEvent = c.id;
      const head = document.createElement('strong');
      head.textContent = c.deviceId + ' · ' + sub('frameKinds', c.kind) + (c.kind === 'heartbeat' ? '' : ' ' + sub('kinds', c.code));
      const what = document.createElement('span');
      const place = c.lat != null && c.lon != null
        ? c.lat.toFixed(6) + ', ' + c.lon.toFixed(6) + (c.accuracyM != null ? ' ' + t('accuracy', { m: c.accuracyM }) : '') + ' ' + t('via', { s: sub('sources', c.source) })
        : t('positionUnknown');
      what.textContent = place + ' · ' + t('counterAt', { c: c.counter, n: c.nextCounter }) + ' · ' + when(c.receivedUtc) + ' · ' + c.path;
      li.append(badge('counter', sub('reasons', c.reason)), head, what);
      if (c.resentCounter != null) {
        li.append(badge('state', t('counterResent', { c: c.resentCounter }), { state: 'resolved' }));
      } else if (c.acknowledgedUtc) {
        li.append(badge('state', t('counterSeenBy', { who: c.acknowledgedBy })));
      } else {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary';
        b.dataset.counterAction = 'acknowledge';
        b.textContent = t('counterSeen');
        b.addEventListener('click', async () => {
          try {
            const r = await api('POST', '/api/counter-events/' + c.id + '/acknowledge', { operator: sessionStorage.getItem(NAME_KEY) || 'operator' });
            if (r.ok) { const seen = await r.json(); st.counters.set(seen.id, seen); renderAll(); }
          } catch (e) { /* the list reloads on the next event */ }
        });
        li.append(b);
      }
      ul.append(li);
    }
  }

  function renderList(list) {
    const ul = $('alert-list');
    ul.replaceChildren();
    $('list-empty').classList.toggle('hidden', list.length > 0);
    for (const a of list) {
      const li = document.createElement('li');
      li.className = 'alert-row' + (a.id === st.selected ? ' selected' : '') + (a.state === 'new' ? ' alarming' : '') + (a.duress ? ' duress' : '');
      li.dataset.alertId = a.id;
      li.dataset.state = a.state;
      li.tabIndex = 0;
      const head = document.createElement('div');
      head.className = 'row-head';
      head.textContent = '#' + a.id + ' · ' + a.deviceId + ' · ' + sub('kinds', a.kind);
      const badges = document.createElement('div');
      const p = priority(a);
      if (isOpen(a.state)) badges.append(badge('prio', t('priority', { p }), { priority: String(p) }));
      badges.append(badge('state', sub('states', a.state), { state: a.state }));
      if (a.escalatedUtc && a.state === 'new') badges.append(badge('escalated-badge', t('escalated')));
      if (a.duress) badges.append(badge('duress', t('duress')));
      if (!hasPosition(a)) badges.append(badge('no-position', t('positionUnknown')));
      const time = document.createElement('div');
      time.className = 'row-time';
      time.textContent = when(a.openedUtc);
      li.append(head);
      if (a.who && (a.who.name || a.who.address)) {
        // Who it is (and where, for a wall unit), before the device id is even read.
        const who = document.createElement('div');
        who.className = 'row-who';
        who.textContent = [a.who.name, a.who.deviceKind === 'wall' ? a.who.address : ''].filter(Boolean).join(' — ');
        li.append(who);
      }
      li.append(badges, time);
      if (isOpen(a.state)) {
        // Its age as it grows and, while nobody has acknowledged it, the time left before it escalates.
        const age = document.createElement('div');
        age.className = 'row-age';
        const since = document.createElement('span');
        since.dataset.since = a.openedUtc;
        age.append(since);
        if (a.state === 'new' && !a.escalatedUtc && st.escalateAfterS > 0) {
          const esc = document.createElement('span');
          esc.className = 'escalates';
          esc.dataset.escalatesAt = new Date(Date.parse(a.openedUtc) + st.escalateAfterS * 1000).toISOString();
          age.append(' · ', esc);
        }
        li.append(age);
      }
      li.addEventListener('click', () => select(a.id));
      li.addEventListener('keydown', e => { if (e.key === 'Enter') select(a.id); });
      ul.append(li);
    }
  }

  function renderDetail() {
    const a = st.alerts.get(st.selected);
    $('detail-empty').classList.toggle('hidden', !!a);
    $('detail-body').classList.toggle('hidden', !a);
    if (!a) return;
    $('detail-duress').classList.toggle('hidden', !a.duress);
    $('detail-title').textContent = '#' + a.id + ' — ' + sub('kinds', a.kind);
    renderWho(a);
    const s = $('detail-state');
    s.textContent = sub('states', a.state);
    s.dataset.state = a.state;
    $('detail-noposition').classList.toggle('hidden', hasPosition(a));
    $('detail-device').textContent = a.deviceId + ' (#' + a.counter + ')';
    $('detail-kind').textContent = sub('kinds', a.kind);
    $('detail-position').textContent = hasPosition(a)
      ? a.lat.toFixed(6) + ', ' + a.lon.toFixed(6) + (a.accuracyM != null ? ' ' + t('accuracy', { m: a.accuracyM }) : '') + ' ' + t('via', { s: sub('sources', a.source) })
      : t('positionUnknown');
    $('detail-responder').textContent = a.responder || '—';
    $('detail-opened').textContent = when(a.openedUtc);
    $('detail-updated').textContent = when(a.updatedUtc);
    const closed = a.state === 'resolved' || a.state === 'false-alarm';
    $('act-acknowledge').disabled = a.state !== 'new';
    $('act-assign').disabled = closed;
    $('act-resolve').disabled = closed;
    $('act-false-alarm').disabled = closed;
    if (st.revokingLink !== a.id) $('act-guardian-revoke').textContent = t('guardianRevoke');
    loadNearest(a);
    const ol = $('timeline');
    ol.replaceChildren();
    for (const e of a.timeline) {
      const li = document.createElement('li');
      li.dataset.event = e.event;
      if (e.event === 'duress') li.className = 'duress';
      const at = document.createElement('time');
      at.textContent = when(e.atUtc);
      const what = document.createElement('strong');
      what.textContent = sub('events', e.event);
      li.append(at, ' ', what);
      if (e.detail) li.append(' — ' + callWho(e, a) + localDetail(e.detail));
      ol.append(li);
    }
  }

  // The receiver writes a timeline entry's detail once, in English words from a short fixed list (issue 15, item 8):
  // those words are shown in the console's language; names, numbers and codes are left as they are.
  function localDetail(detail) {
    return detail
      .replace(/\((gnss|cell|fixed-address|none)\)/g, (_, src) => '(' + sub('sources', src) + ')')
      .replace(/^position unknown/, () => t('detailNoPosition'))
      .replace(/(^|; )by /g, (_, lead) => lead + t('detailBy') + ' ')
      .replace(/^responder /, () => t('detailResponder') + ' ')
      .replace(/^guardian (\d+)/, (_, n) => t('detailGuardian', { n }))
      .replace(/^call-back number/, () => t('detailCallBack'))
      .replace(/device time /, () => t('detailDeviceTime') + ' ')
      .replace(/ · route /g, () => ' · ' + t('detailRoute') + ' ');
  }

  // A device's call report names guardian n in the device's order; the profile's list is in the same order.
  function callWho(e, a) {
    const m = e.event.startsWith('call-') && /^guardian (\d+)/.exec(e.detail);
    const g = m && a.who && a.who.guardians ? a.who.guardians[Number(m[1]) - 1] : null;
    return g ? g + ' · ' : '';
  }

  // Who and where: the profile kept at provisioning, phones as call-back links.
  function telLinks(el, numbers) {
    el.replaceChildren();
    numbers.filter(Boolean).forEach((n, i) => {
      if (i) el.append(', ');
      const link = document.createElement('a');
      link.href = 'tel:' + n;
      link.textContent = n;
      el.append(link);
    });
    if (!numbers.filter(Boolean).length) el.textContent = '—';
  }
  let whoFor = '';
  function renderWho(a) {
    const w = a.who || { name: '', phone: '', guardians: [], address: '', notes: '', language: 'en', deviceKind: 'fob' };
    $('who-name').textContent = w.name || a.deviceId;
    $('who-kind').textContent = t(w.deviceKind === 'wall' ? 'wallUnit' : 'fobUnit');
    $('who-none').classList.toggle('hidden', !!(w.name || w.phone || w.address || w.notes || w.guardians.length));
    telLinks($('who-phone'), [w.phone]);
    telLinks($('who-guardians'), w.guardians);
    $('who-address').textContent = w.address || '—';
    $('who-notes').textContent = w.notes || '—';
    $('who-notes').classList.toggle('notes', !!w.notes); // highlighted only when there is something to read
    $('who-language').textContent = t(w.language === 'id' ? 'langId' : 'langEn');
    // The form follows the selected device, but never overwrites what an operator is typing.
    const key = a.deviceId + '|' + JSON.stringify(w);
    if (key !== whoFor && !$('who-edit').contains(document.activeElement)) {
      whoFor = key;
      $('pf-name').value = w.name; $('pf-phone').value = w.phone; $('pf-guardians').value = w.guardians.join(', ');
      $('pf-address').value = w.address; $('pf-notes').value = w.notes; $('pf-language').value = w.language === 'id' ? 'id' : 'en';
    }
  }
  $('profile-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    const a = st.alerts.get(st.selected);
    if (!a) return;
    showError('profile-error', '');
    const body = {
      ownerName: $('pf-name').value.trim(), ownerPhone: $('pf-phone').value.trim(),
      guardians: $('pf-guardians').value.split(',').map(g => g.trim()).filter(Boolean),
      address: $('pf-address').value.trim(), notes: $('pf-notes').value.trim(), language: $('pf-language').value,
      operator: sessionStorage.getItem(NAME_KEY) || 'operator'
    };
    try {
      const r = await api('PUT', '/api/devices/' + encodeURIComponent(a.deviceId) + '/profile', body);
      const j = await r.json();
      if (!r.ok) { showError('profile-error', t('actionFailed') + (j.error || r.status)); return; }
      $('who-edit').open = false;
      whoFor = '';
      reload(); // every alert of the device shows the new profile
    } catch (e) {
      if (st.token) showError('profile-error', t('actionFailed') + e.message);
    }
  });

  // Nearest patrol units by great-circle distance (GET /api/alerts/{id}/nearest); a click fills the responder field.
  let nearestFor = '';
  async function loadNearest(a) {
    const key = a.id + '@' + a.updatedUtc + '@' + st.lang; // a language switch redraws its note
    if (key === nearestFor) return;
    nearestFor = key;
    const ul = $('nearest');
    try {
      const r = await api('GET', '/api/alerts/' + a.id + '/nearest?limit=3');
      if (!r.ok || nearestFor !== key) return;
      const j = await r.json();
      ul.replaceChildren();
      const note = !j.positionKnown ? t('nearestNoPosition') : j.suggestions.length === 0 ? t('nearestNone') : '';
      if (note) {
        const li = document.createElement('li');
        li.textContent = note;
        ul.append(li);
        return;
      }
      for (const s of j.suggestions) {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary';
        b.dataset.responder = s.id;
        b.textContent = s.name + ' — ' + s.distanceKm.toFixed(1) + ' km';
        b.addEventListener('click', () => { $('responder').value = s.name; });
        li.append(b);
        ul.append(li);
      }
    } catch (e) { /* the list is a suggestion; the action buttons keep working without it */ }
  }

  function renderMapNote() {
    const list = [...st.alerts.values()];
    const unplaced = list.filter(a => !hasPosition(a)).length;
    const mode = map.mode();
    let note = mode === 'offline' ? t('mapOffline') : mode === 'grid' ? t('mapGrid') : '';
    if (unplaced) note += (note ? ' ' : '') + t('mapNoPositions', { n: unplaced });
    $('map-note').textContent = note;
    $('map').dataset.mode = mode;
  }

  document.querySelectorAll('[data-action]').forEach(b => b.addEventListener('click', async () => {
    const a = st.alerts.get(st.selected);
    if (!a) return;
    const action = b.dataset.action;
    const body = { operator: sessionStorage.getItem(NAME_KEY) || 'operator' };
    if (action === 'assign') {
      body.responder = $('responder').value.trim();
      if (!body.responder) { showError('action-error', t('responderNeeded')); return; }
    }
    showError('action-error', '');
    try {
      const r = await api('POST', '/api/alerts/' + a.id + '/' + action, body);
      const j = await r.json();
      if (!r.ok) { showError('action-error', t('actionFailed') + (j.error || r.status)); return; }
      upsert(j);
      if (action === 'assign') $('responder').value = '';
      renderAll();
    } catch (e) {
      if (st.token) showError('action-error', t('actionFailed') + e.message);
    }
  }));

  // Guardians' live page of the alert: withdrawn for good (a second click confirms), recorded in the timeline.
  $('act-guardian-revoke').addEventListener('click', async () => {
    const a = st.alerts.get(st.selected);
    if (!a) return;
    const b = $('act-guardian-revoke');
    if (st.revokingLink !== a.id) { st.revokingLink = a.id; b.textContent = t('guardianRevokeConfirm'); return; }
    st.revokingLink = null;
    b.textContent = t('guardianRevoke');
    await alertPost(a, '/guardian-link/revoke', {});
  });

  // An action on an alert whose answer is the changed alert: shown at once, its error under the actions.
  async function alertPost(a, path, body) {
    showError('action-error', '');
    try {
      const r = await api('POST', '/api/alerts/' + a.id + path, body);
      const j = await r.json();
      if (!r.ok) { showError('action-error', t('actionFailed') + (j.error || r.status)); return; }
      upsert(j);
      renderAll();
    } catch (e) {
      if (st.token) showError('action-error', t('actionFailed') + e.message);
    }
  }

  // An operator adds an agency or an ARC to the alert: queued durably like every dispatch, shown in the timeline.
  $('act-forward').addEventListener('click', async () => {
    const a = st.alerts.get(st.selected);
    const target = $('forward-target').value;
    if (!a || !target) return;
    await alertPost(a, '/forward', { target, operator: sessionStorage.getItem(NAME_KEY) || 'operator' });
  });
  function renderForward(targets) {
    const select = $('forward-target');
    const chosen = select.value;
    select.replaceChildren(...targets.map(route => { const o = document.createElement('option'); o.value = route; o.textContent = route; return o; }));
    if (targets.includes(chosen)) select.value = chosen;
    $('forward').classList.toggle('hidden', targets.length === 0);
  }

  // ---- devices: health at a glance, the silent and the low on battery as their own queue -----------
  async function loadDevices() {
    if (!st.token) return;
    try {
      const [devices, supervision] = await Promise.all([(await api('GET', '/api/devices')).json(), (await api('GET', '/api/supervision')).json()]);
      st.devices = devices;
      st.silent = new Set(supervision.filter(e => e.event === 'device-silent').map(e => e.deviceId));
      st.lowBattery = new Set(supervision.filter(e => e.event === 'low-battery').map(e => e.deviceId));
      renderDevices();
    } catch (e) { /* the next round */ }
  }
  $('devices-filter').addEventListener('change', () => renderDevices());
  $('devices-search').addEventListener('input', () => renderDevices());
  // What needs someone: gone silent, battery low, enclosure opened, a wall unit off mains. Revoked devices need nobody.
  function troubles(d) {
    if (!d.enabled) return [];
    const list = [];
    if (st.silent.has(d.id)) list.push('silent');
    if (st.lowBattery.has(d.id) || d.lowBattery) list.push('battery');
    if (d.tamper) list.push('tamper');
    if (d.onMains === false) list.push('mains');
    return list;
  }
  function renderDevices() {
    const filter = $('devices-filter').value, q = $('devices-search').value.trim().toLowerCase();
    const needing = st.devices.filter(d => troubles(d).length > 0);
    const badge = $('devices-attention');
    badge.classList.toggle('hidden', needing.length === 0);
    badge.textContent = t('devicesNeeding', { n: needing.length });
    const shown = st.devices.filter(d => {
      const tr = troubles(d);
      if (filter === 'attention' && tr.length === 0) return false;
      if (filter === 'silent' && !tr.includes('silent')) return false;
      if (filter === 'battery' && !tr.includes('battery')) return false;
      return !q || [d.id, d.ownerName, d.address].some(v => (v || '').toLowerCase().includes(q));
    }).sort((a, b) => troubles(b).length - troubles(a).length || a.id.localeCompare(b.id));
    const body = $('devices').querySelector('tbody');
    body.replaceChildren();
    for (const d of shown) {
      const tr = troubles(d);
      const row = document.createElement('tr');
      row.dataset.device = d.id;
      row.className = !d.enabled ? 'revoked' : tr.length ? 'attention' : '';
      const status = !d.enabled ? t('devRevoked') : tr.length ? tr.map(x => sub('troubles', x)).join(', ') : d.lastSeenUtc ? t('devOk') : t('devNever');
      const cells = [d.id, d.ownerName || '—', status, d.lastSeenUtc ? when(d.lastSeenUtc) : '—',
        d.batteryPercent != null ? d.batteryPercent + ' %' : '—', d.signalDbm != null ? d.signalDbm + ' dBm' : '—',
        d.onMains == null ? '—' : t(d.onMains ? 'devMainsOn' : 'devMainsOff'), d.tamper == null ? '—' : t(d.tamper ? 'devOpened' : 'devClosed'), d.lastPath || '—'];
      for (const v of cells) { const td = document.createElement('td'); td.textContent = v; row.append(td); }
      const act = document.createElement('td');
      if (st.admin && d.enabled) {
        // Revoking silences the device: a second click, on a button that names it, confirms.
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary';
        b.dataset.revoke = d.id;
        b.textContent = st.revoking === d.id ? t('devRevokeConfirm', { id: d.id }) : t('devRevoke');
        b.addEventListener('click', async () => {
          if (st.revoking !== d.id) { st.revoking = d.id; renderDevices(); return; }
          st.revoking = null;
          try {
            const r = await api('POST', '/api/devices/' + encodeURIComponent(d.id) + '/revoke', {});
            if (!r.ok) showError('devices-error', t('actionFailed') + r.status);
          } catch (e) { /* the list reloads */ }
          loadDevices();
        });
        act.append(b);
        // Re-keying leaves the device refused until it is flashed again: a second click, naming it, confirms.
        const k = document.createElement('button');
        k.type = 'button';
        k.className = 'secondary';
        k.dataset.rekey = d.id;
        k.textContent = st.rekeying === d.id ? t('devRekeyConfirm', { id: d.id }) : t('devRekey');
        k.addEventListener('click', () => {
          if (st.rekeying !== d.id) { st.rekeying = d.id; renderDevices(); return; }
          st.rekeying = null;
          rekey(d);
        });
        act.append(' ', k);
      }
      row.append(act);
      body.append(row);
    }
    $('devices').classList.toggle('hidden', shown.length === 0);
    const empty = $('devices-empty');
    empty.classList.toggle('hidden', shown.length > 0);
    empty.textContent = t(filter === 'attention' && !q ? 'devicesNone' : 'devicesNoMatch');
  }

  // ---- device management, for admins: provision and re-key make a key in the browser, shown once ---------
  // The key never comes back from the receiver: it is made here (crypto.getRandomValues), sent once, and shown once with
  // a device.json to download for flashing; a re-key sends the device's whole profile again with the new key.
  function newKeyHex() {
    const b = new Uint8Array(32);
    crypto.getRandomValues(b);
    return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
  }
  function deviceJson(d, key, broker) {
    const [host, port] = (broker || '').split(':');
    const json = { deviceId: d.id, key, kind: d.kind, owner: { name: d.ownerName || '', phone: d.ownerPhone || '' }, language: d.language || 'en',
      guardians: d.guardians || [], broker: { host: host || location.hostname, port: Number(port) || 1883 } };
    if (d.kind === 'wall' && d.lat != null && d.lon != null) json.fixedLocation = { lat: d.lat, lon: d.lon, accuracyM: 10 };
    return JSON.stringify(json, null, 2) + '\n';
  }
  function showNewKey(d, key, rekey) {
    st.newKey = { d, key, broker: $('pv-broker').value.trim() };
    $('new-key-text').textContent = t(rekey ? 'provRekeyed' : 'provMade', { id: d.id });
    $('new-key-hex').textContent = key;
    $('new-key').classList.remove('hidden');
  }
  $('new-key-download').addEventListener('click', () => {
    if (!st.newKey) return;
    const blob = new Blob([deviceJson(st.newKey.d, st.newKey.key, st.newKey.broker)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url; a.download = st.newKey.d.id + '.json';
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  $('new-key-done').addEventListener('click', () => {
    st.newKey = null;
    $('new-key-hex').textContent = '';
    $('new-key').classList.add('hidden');
  });
  $('provision-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    showError('devices-error', '');
    const num = v => v.trim() === '' ? null : Number(v.trim().replace(',', '.'));
    const d = { id: $('pv-id').value.trim(), kind: $('pv-kind').value, ownerName: $('pv-name').value.trim(), ownerPhone: $('pv-phone').value.trim(),
      guardians: $('pv-guardians').value.split(',').map(g => g.trim()).filter(Boolean), address: $('pv-address').value.trim(),
      lat: num($('pv-lat').value), lon: num($('pv-lon').value), language: $('pv-language').value };
    const key = newKeyHex();
    try {
      const r = await api('POST', '/api/devices', Object.assign({ key }, d));
      const j = await r.json().catch(() => ({}));
      if (!r.ok) { showError('devices-error', t('actionFailed') + (j.error || r.status)); return; }
      showNewKey(Object.assign({}, d, j), key, false);
      $('provision-form').reset();
      $('pv-broker').value = st.broker;
      loadDevices();
    } catch (e) { showError('devices-error', t('actionFailed') + e.message); }
  });
  async function rekey(d) {
    const key = newKeyHex();
    const body = { id: d.id, key, kind: d.kind, ownerName: d.ownerName, ownerPhone: d.ownerPhone, guardians: d.guardians, address: d.address,
      lat: d.lat, lon: d.lon, heartbeatIntervalS: d.heartbeatIntervalS, verified: d.verified, language: d.language, notes: d.notes, rekey: true };
    try {
      const r = await api('POST', '/api/devices', body);
      const j = await r.json().catch(() => ({}));
      if (!r.ok) { showError('devices-error', t('actionFailed') + (j.error || r.status)); return; }
      showNewKey(d, key, true);
    } catch (e) { showError('devices-error', t('actionFailed') + e.message); }
    loadDevices();
  }

  // ---- quality, for supervisors: per operator and per shift over a period, and the same as CSV -------------
  function qualityQuery() {
    const days = Number($('quality-days').value), to = new Date(), from = new Date(to.getTime() - days * 86400000);
    const off = -to.getTimezoneOffset(), tz = (off < 0 ? '-' : '+') + String(Math.floor(Math.abs(off) / 60)).padStart(2, '0') + ':' + String(Math.abs(off) % 60).padStart(2, '0');
    return 'from=' + encodeURIComponent(from.toISOString()) + '&to=' + encodeURIComponent(to.toISOString()) + '&shiftHours=' + $('quality-shift').value + '&tz=' + encodeURIComponent(tz);
  }
  const secs = v => v == null ? '—' : clock(v);
  const rate = v => v == null ? '—' : Math.round(v * 100) + ' %';
  function fillTable(id, rows) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    for (const cells of rows) {
      const tr = document.createElement('tr');
      for (const v of cells) { const td = document.createElement('td'); td.textContent = String(v); tr.append(td); }
      body.append(tr);
    }
    $(id).classList.toggle('hidden', rows.length === 0);
  }
  async function loadQuality() {
    showError('quality-error', '');
    try {
      const r = await api('GET', '/api/quality?' + qualityQuery());
      const q = await r.json();
      if (!r.ok) { showError('quality-error', t('actionFailed') + (q.error || r.status)); return; }
      fillTable('quality-operators', q.operators.map(o => [o.operator, o.acknowledged, secs(o.medianToAcknowledgeS) + ' / ' + secs(o.p90ToAcknowledgeS),
        o.assigned, secs(o.medianToAssignS), o.resolved, secs(o.medianToResolveS), o.falseAlarms + ' (' + rate(o.falseAlarmRate) + ')']));
      fillTable('quality-shifts', q.shifts.map(s => [s.shiftStart.replace('T', ' '), s.opened, s.stillOpen, s.escalated, secs(s.medianToAcknowledgeS),
        secs(s.medianToResolveS), s.falseAlarms + ' (' + rate(s.falseAlarmRate) + ')']));
      if (!q.operators.length && !q.shifts.length) showError('quality-error', t('qualityNone'));
    } catch (e) {
      if (st.token) showError('quality-error', t('actionFailed') + e.message);
    }
  }
  $('quality-load').addEventListener('click', loadQuality);
  // The token goes in the header, never a URL: the file is fetched, then handed to the browser to save.
  $('quality-csv').addEventListener('click', async () => {
    try {
      const r = await api('GET', '/api/quality.csv?' + qualityQuery());
      if (!r.ok) { showError('quality-error', t('actionFailed') + r.status); return; }
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url; a.download = 'panicdevice-quality.csv';
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      if (st.token) showError('quality-error', t('actionFailed') + e.message);
    }
  });

  // ---- dispatch targets: webhooks and alarm receiving centres -------------------------------------
  async function loadWebhooks() {
    if (!st.token) return;
    let list;
    try { list = await (await api('GET', '/api/dispatch')).json(); } catch (e) { return; }
    const body = $('webhooks').querySelector('tbody');
    body.replaceChildren();
    let failing = 0;
    for (const w of list) {
      const tr = document.createElement('tr');
      if (w.lastError) { tr.className = 'failing'; failing++; }
      for (const v of [w.target, w.pending, w.delivered, w.lastError || '—']) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.append(td);
      }
      body.append(tr);
    }
    $('webhooks').classList.toggle('hidden', list.length === 0);
    $('webhooks-empty').classList.toggle('hidden', list.length > 0);
    const f = $('webhook-failures');
    f.classList.toggle('hidden', failing === 0);
    f.textContent = failing + ' ' + t('failing');
    renderForward(list.map(w => w.route));
    // What the receiver says now wins over events missed while the stream was down.
    st.dispatchDown.clear();
    list.forEach((w, i) => { if (w.alarm) st.dispatchDown.set(i, { host: w.route.startsWith('webhook:') ? originOf(w.target) : w.label, since: w.failingSince }); });
    renderDispatch();
  }
  function originOf(url) { try { return new URL(url).origin; } catch (e) { return '?'; } }
  function renderDispatch() {
    const el = $('dispatch-down');
    const parts = [...st.dispatchDown.values()].map(d => t('dispatchDown', { host: d.host, since: when(d.since) }));
    el.textContent = parts.join(' ');
    el.classList.toggle('hidden', parts.length === 0);
  }

  function showError(id, text) {
    const el = $(id);
    el.textContent = text;
    el.classList.toggle('hidden', !text);
  }

  setLang(st.lang);
  if (st.token) {
    // A reload within the same tab keeps the session; a refused token sends the operator back to login.
    api('GET', '/api/alerts?limit=1000&allOpen=true').then(r => r.ok ? r.json() : Promise.reject()).then(list => { replaceAll(list); start(); }).catch(() => {});
  }
})();
