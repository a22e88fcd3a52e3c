// The guardians' live page: the link's fragment holds the token, which only ever goes to the receiver in a POST body.
// It polls every 5 s and redraws without a reload. Indonesian and English; nothing here names the person or a phone.
(function () {
  'use strict';
  const T = {
    en: {
      title: 'Emergency alert', other: 'Bahasa Indonesia', where: 'Last known position',
      waiting: 'Alert sent by the device (SMS); not yet at the command centre', received: 'Received by the command centre',
      operator: 'An operator is handling it', responder: 'Help is on the way', closed: 'Closed',
      closedAs: { resolved: 'Closed: resolved', 'false-alarm': 'Closed: false alarm', cancelled: 'Closed: cancelled by the wearer' },
      unknown: 'Position not known yet.', accuracy: '±{m} m', ago: '{t} ago', map: 'Open in a map', updated: 'Updated {t}',
      invalid: 'This link is not valid.', expired: 'This link has expired: the alert was closed.',
      withdrawn: 'The command centre has withdrawn this link.', busy: 'Too many requests. Wait a few minutes.',
      offline: 'No connection to the command centre; retrying…', kinds: { panic: 'Panic alert', 'hold-up': 'Hold-up alarm', test: 'Test alert' },
    },
    id: {
      title: 'Tanda bahaya', other: 'English', where: 'Posisi terakhir',
      waiting: 'Perangkat mengirim tanda bahaya (SMS); belum sampai di pusat komando', received: 'Diterima pusat komando',
      operator: 'Operator sedang menangani', responder: 'Bantuan sedang menuju', closed: 'Selesai',
      closedAs: { resolved: 'Selesai: ditangani', 'false-alarm': 'Selesai: alarm palsu', cancelled: 'Selesai: dibatalkan pemakai' },
      unknown: 'Posisi belum diketahui.', accuracy: '±{m} m', ago: '{t} lalu', map: 'Buka di peta', updated: 'Diperbarui {t}',
      invalid: 'Tautan ini tidak berlaku.', expired: 'Tautan ini sudah kedaluwarsa: tanda bahaya sudah ditutup.',
      withdrawn: 'Pusat komando telah mencabut tautan ini.', busy: 'Terlalu banyak permintaan. Tunggu beberapa menit.',
      offline: 'Tidak ada koneksi ke pusat komando; mencoba lagi…', kinds: { panic: 'Tombol panik', 'hold-up': 'Alarm perampokan', test: 'Uji coba' },
    },
  };
  const order = ['waiting', 'received', 'operator', 'responder', 'closed'];
  const $ = id => document.getElementById(id);
  const parts = location.pathname.split('/');
  const request = { device: decodeURIComponent(parts[2] || ''), counter: Number(parts[3]), token: location.hash.slice(1) };
  let lang = null, last = null, stopped = false;

  function t(key) { return T[lang || 'en'][key]; }
  function fill(s, v) { return s.replace(/\{(\w+)\}/g, (_, k) => v[k]); }
  function age(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 90 ? s + ' s' : s < 5400 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
  }
  function message(text) { $('message').textContent = text; $('message').classList.toggle('hidden', !text); }

  function draw() {
    document.documentElement.lang = lang || 'en';
    $('title').textContent = last && last.kind && t('kinds')[last.kind] ? t('kinds')[last.kind] : t('title');
    $('lang').textContent = t('other');
    $('where-title').textContent = t('where');
    if (!last) return;
    const at = order.indexOf(last.stage);
    for (const li of $('stages').children) {
      const i = order.indexOf(li.dataset.stage);
      li.textContent = li.dataset.stage === 'closed' && last.closedAs ? (t('closedAs')[last.closedAs] || t('closed')) : t(li.dataset.stage);
      li.className = i < at ? 'done' : i === at ? 'current' : '';
      li.hidden = li.dataset.stage === 'waiting' && at > 0;
    }
    const p = last.position;
    $('position').textContent = p ? p.lat.toFixed(6) + ', ' + p.lon.toFixed(6) + (p.accuracyM != null ? ' ' + fill(t('accuracy'), { m: p.accuracyM }) : '')
      + (p.atUtc ? ' · ' + fill(t('ago'), { t: age(p.atUtc) }) : '') : t('unknown');
    const link = $('map-link');
    link.classList.toggle('hidden', !p);
    if (p) {
      link.href = 'https://www.openstreetmap.org/?mlat=' + p.lat + '&mlon=' + p.lon + '#map=17/' + p.lat + '/' + p.lon;
      link.textContent = t('map');
    }
    sketch(last.trail.length ? last.trail : p ? [p] : []);
    const ol = $('trail');
    ol.replaceChildren();
    for (const q of last.trail.slice().reverse()) {
      const li = document.createElement('li');
      li.textContent = q.lat.toFixed(5) + ', ' + q.lon.toFixed(5) + (q.accuracyM != null ? ' ' + fill(t('accuracy'), { m: q.accuracyM }) : '') + ' · ' + fill(t('ago'), { t: age(q.atUtc) });
      ol.append(li);
    }
    $('updated').textContent = fill(t('updated'), { t: new Date().toLocaleTimeString(lang === 'id' ? 'id-ID' : 'en-GB') });
  }

  // The trail as a line in a box, newest point marked: no map tiles, so nothing but the receiver learns this page was opened.
  function sketch(points) {
    const svg = $('sketch');
    svg.replaceChildren();
    if (!points.length) return;
    const lats = points.map(q => q.lat), lons = points.map(q => q.lon);
    const minLat = Math.min(...lats), maxLat = Math.max(...lats), minLon = Math.min(...lons), maxLon = Math.max(...lons);
    const span = Math.max(maxLat - minLat, maxLon - minLon, 0.0005);
    const xy = q => [10 + 180 * (q.lon - minLon) / span, 110 - 100 * (q.lat - minLat) / span];
    const ns = 'http://www.w3.org/2000/svg';
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points.map(q => xy(q).join(',')).join(' '));
    line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#555'); line.setAttribute('stroke-width', '2');
    const dot = document.createElementNS(ns, 'circle');
    const [x, y] = xy(points[points.length - 1]);
    dot.setAttribute('cx', x); dot.setAttribute('cy', y); dot.setAttribute('r', '5'); dot.setAttribute('fill', '#b00020');
    svg.append(line, dot);
  }

  async function poll() {
    if (stopped) return;
    try {
      const r = await fetch('/api/guardian', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request), cache: 'no-store' });
      const body = await r.json().catch(() => ({}));
      if (!lang && body.language) lang = body.language === 'id' ? 'id' : 'en';
      if (r.status === 404) { stop('invalid'); return; }
      if (r.status === 410) { stop(body.error === 'withdrawn' ? 'withdrawn' : 'expired'); return; }
      if (r.status === 429) { message(t('busy')); }
      else if (r.ok) { last = body; message(''); $('live').classList.remove('hidden'); draw(); }
      else { message(t('offline')); }
    } catch (e) {
      message(t('offline'));
    }
    setTimeout(poll, window.PD_GUARDIAN_POLL_MS || 5000);
  }

  function stop(what) {
    stopped = true;
    last = null;
    $('live').classList.add('hidden');
    message(t(what));
    document.body.dataset.ended = what;
    $('updated').textContent = '';
    draw();
  }

  $('lang').addEventListener('click', () => { lang = (lang || 'en') === 'en' ? 'id' : 'en'; if (stopped) message(t(document.body.dataset.ended)); draw(); });
  if (!request.token || !request.device || !Number.isInteger(request.counter)) { stop('invalid'); } else { draw(); poll(); }
})();
