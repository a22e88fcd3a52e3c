// A self-drawn map on a <canvas>: Web Mercator, markers with accuracy circles, optional raster tiles
// from a configured URL template, and a plain lat/lon grid underneath (the fallback when offline).
'use strict';
window.PDMap = function (canvas, onSelect, onMode) {
  const TILE = 256;
  const tiles = new Map();   // "z/x/y" -> { img, ok, failed }
  let tileUrl = '', attribution = '', mode = '', loadedAny = false, failedAny = false;
  let alerts = [], selectedId = null, view = { z: 4, cx: 0, cy: 0 }, drawn = [];
  let pending = false;

  const worldSize = z => TILE * Math.pow(2, z);
  const project = (lat, lon, z) => {
    const s = Math.sin(Math.max(-85.05, Math.min(85.05, lat)) * Math.PI / 180);
    return { x: (lon + 180) / 360 * worldSize(z), y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * worldSize(z) };
  };
  const unproject = (x, y, z) => {
    const n = Math.PI - 2 * Math.PI * y / worldSize(z);
    return { lat: 180 / Math.PI * Math.atan(Math.sinh(n)), lon: x / worldSize(z) * 360 - 180 };
  };
  const metersPerPixel = (lat, z) => 156543.03392 * Math.cos(lat * Math.PI / 180) / Math.pow(2, z);

  function setMode(m) {
    if (m !== mode) { mode = m; if (onMode) onMode(m, attribution); }
  }

  function fit(w, h) {
    let placed = alerts.filter(a => a.lat != null && a.lon != null);
    const sel = placed.find(a => a.id === selectedId);
    let z, lat, lon;
    if (sel && sel.trail && sel.trail.length > 1) {
      placed = sel.trail; // the whole trail in view
    }
    if (sel && placed !== sel.trail) {
      lat = sel.lat; lon = sel.lon;
      const r = sel.accuracyM || 50;
      z = Math.floor(Math.log2(156543.03392 * Math.cos(lat * Math.PI / 180) * (Math.min(w, h) / 3) / r));
    } else if (placed.length === 0) {
      lat = -2.5; lon = 118; z = 4;   // Indonesia
    } else {
      const lats = placed.map(a => a.lat), lons = placed.map(a => a.lon);
      const n = Math.max(...lats), s = Math.min(...lats), e = Math.max(...lons), wst = Math.min(...lons);
      lat = (n + s) / 2; lon = (e + wst) / 2; z = 16;
      while (z > 2) {
        const a = project(n, wst, z), b = project(s, e, z);
        if (b.x - a.x < w * 0.8 && b.y - a.y < h * 0.8) break;
        z--;
      }
    }
    z = Math.max(2, Math.min(17, isFinite(z) ? z : 15));
    const c = project(lat, lon, z);
    view = { z, cx: c.x, cy: c.y };
  }

  function tile(z, x, y) {
    const key = z + '/' + x + '/' + y;
    let t = tiles.get(key);
    if (!t) {
      t = { img: new Image(), ok: false, failed: false };
      t.img.onload = () => { t.ok = true; loadedAny = true; schedule(); };
      t.img.onerror = () => { t.failed = true; failedAny = true; schedule(); };
      t.img.src = tileUrl.replace('{z}', z).replace('{x}', x).replace('{y}', y).replace('{s}', 'a');
      tiles.set(key, t);
    }
    return t;
  }

  function niceStep(span) {
    const steps = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 45];
    return steps.find(s => span / s <= 6) || 90;
  }

  function colour(a) {
    if (a.duress) return '#7b1fa2';
    return { new: '#d32f2f', acknowledged: '#ef6c00', assigned: '#1565c0' }[a.state] || '#757575';
  }

  function render() {
    pending = false;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(200, canvas.clientWidth), h = Math.max(160, canvas.clientHeight);
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    fit(w, h);
    const { z, cx, cy } = view;
    const left = cx - w / 2, top = cy - h / 2;

    // Plain grid: always drawn, tiles (when they load) cover it.
    g.fillStyle = '#eef2f5'; g.fillRect(0, 0, w, h);
    const nw = unproject(left, top, z), se = unproject(left + w, top + h, z);
    const latStep = niceStep(nw.lat - se.lat), lonStep = niceStep(se.lon - nw.lon);
    const digits = Math.max(0, Math.ceil(-Math.log10(Math.min(latStep, lonStep))));
    g.strokeStyle = '#c5ced6'; g.fillStyle = '#5b6770'; g.lineWidth = 1; g.font = '11px sans-serif';
    for (let lon = Math.ceil(nw.lon / lonStep) * lonStep; lon <= se.lon; lon += lonStep) {
      const x = project(0, lon, z).x - left;
      g.beginPath(); g.moveTo(x, 0); g.lineTo(x, h); g.stroke();
      g.fillText(lon.toFixed(digits) + '°', x + 3, h - 4);
    }
    for (let lat = Math.ceil(se.lat / latStep) * latStep; lat <= nw.lat; lat += latStep) {
      const y = project(lat, 0, z).y - top;
      g.beginPath(); g.moveTo(0, y); g.lineTo(w, y); g.stroke();
      g.fillText(lat.toFixed(digits) + '°', 3, y - 3);
    }

    if (tileUrl) {
      const n = Math.pow(2, z);
      for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + h) / TILE); ty++) {
        if (ty < 0 || ty >= n) continue;
        for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + w) / TILE); tx++) {
          const t = tile(z, ((tx % n) + n) % n, ty);
          if (t.ok) g.drawImage(t.img, tx * TILE - left, ty * TILE - top, TILE, TILE);
        }
      }
      setMode(loadedAny ? 'tiles' : failedAny ? 'offline' : 'tiles');
      if (loadedAny && attribution) {
        g.font = '10px sans-serif';
        const m = g.measureText(attribution).width;
        g.fillStyle = 'rgba(255,255,255,0.8)'; g.fillRect(w - m - 8, h - 16, m + 8, 16);
        g.fillStyle = '#333'; g.fillText(attribution, w - m - 4, h - 4);
      }
    } else {
      setMode('grid');
    }

    drawn = [];
    const placed = [];
    // A label goes where it overlaps no other label: around its point at growing distances, with a leader line once it
    // had to move away. The selected alert's labels are placed first, so they sit closest to their points.
    function label(text, x, y, colour) {
      g.font = 'bold 12px sans-serif';
      const lw = g.measureText(text).width + 6, lh = 16;
      for (let ring = 0; ring < 12; ring++) {
        const r = 10 + ring * 14;
        for (let k = 0; k < 8; k++) {
          const ang = -Math.PI / 4 + k * Math.PI / 4;
          const bx = x + r * Math.cos(ang) - (Math.cos(ang) < -0.1 ? lw : Math.cos(ang) > 0.1 ? 0 : lw / 2);
          const by = y + r * Math.sin(ang) - (Math.sin(ang) < -0.1 ? lh : Math.sin(ang) > 0.1 ? 0 : lh / 2);
          const box = { x: bx, y: by, w: lw, h: lh };
          if (placed.some(p => box.x < p.x + p.w && p.x < box.x + box.w && box.y < p.y + p.h && p.y < box.y + box.h)) continue;
          placed.push(box);
          if (ring > 0) { g.strokeStyle = '#455a64'; g.lineWidth = 1; g.beginPath(); g.moveTo(x, y); g.lineTo(bx + lw / 2, by + lh / 2); g.stroke(); }
          g.fillStyle = 'rgba(255,255,255,0.85)'; g.fillRect(bx, by, lw, lh);
          g.fillStyle = colour || '#111'; g.fillText(text, bx + 3, by + 12);
          return;
        }
      }
    }
    const order = alerts.filter(a => a.lat != null && a.lon != null).sort((a, b) => (b.id === selectedId) - (a.id === selectedId));
    const at = a => { const p = project(a.lat, a.lon, z); return { x: p.x - left, y: p.y - top }; };
    // Trails: where the person has been, oldest faintest, each point with its accuracy; the selected one with ages.
    let trailShown = 0;
    for (const a of order) {
      const trail = a.trail || [];
      if (trail.length < 2) continue;
      const col = colour(a), sel = a.id === selectedId;
      g.strokeStyle = col + (sel ? 'cc' : '55'); g.lineWidth = sel ? 3 : 1.5;
      g.beginPath();
      trail.forEach((p, i) => { const q = at(p); if (i) g.lineTo(q.x, q.y); else g.moveTo(q.x, q.y); });
      g.stroke();
      trail.forEach((p, i) => {
        const q = at(p), fade = 0.25 + 0.75 * (i + 1) / trail.length;
        if (p.accuracyM) {
          const r = p.accuracyM / metersPerPixel(p.lat, z);
          if (r > 2) { g.beginPath(); g.arc(q.x, q.y, r, 0, 2 * Math.PI); g.strokeStyle = col + '44'; g.lineWidth = 1; g.stroke(); }
        }
        g.globalAlpha = fade;
        g.beginPath(); g.arc(q.x, q.y, sel ? 4 : 3, 0, 2 * Math.PI); g.fillStyle = col; g.fill();
        g.globalAlpha = 1;
      });
      if (sel) trailShown = trail.length;
    }
    for (const a of order) {
      const { x, y } = at(a);
      const col = colour(a);
      if (a.accuracyM) {
        const r = a.accuracyM / metersPerPixel(a.lat, z);
        if (r > 2) {
          g.beginPath(); g.arc(x, y, r, 0, 2 * Math.PI);
          g.fillStyle = col + '22'; g.fill(); g.strokeStyle = col + '88'; g.lineWidth = 1; g.stroke();
        }
      }
      g.beginPath(); g.arc(x, y, a.id === selectedId ? 9 : 7, 0, 2 * Math.PI);
      g.fillStyle = col; g.fill();
      g.lineWidth = a.id === selectedId ? 3 : 1.5; g.strokeStyle = '#fff'; g.stroke();
      drawn.push({ id: a.id, x, y });
    }
    const now = Date.now();
    for (const a of order) {
      const { x, y } = at(a);
      label('#' + a.id, x, y);
      if (a.id === selectedId && a.trail) {
        // How long ago each earlier position was reported (m:ss), the newest being the marker itself.
        a.trail.slice(0, -1).forEach(p => {
          const q = at(p), s = Math.max(0, Math.round((now - Date.parse(p.atUtc)) / 1000));
          label('-' + Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'), q.x, q.y, '#37474f');
        });
      }
    }
    // For people and tests alike: what was drawn (label boxes, the selected trail's length).
    canvas.dataset.labels = JSON.stringify(placed.map(p => [Math.round(p.x), Math.round(p.y), Math.round(p.w), Math.round(p.h)]));
    canvas.dataset.trail = String(trailShown);
  }

  function schedule() {
    if (!pending) { pending = true; requestAnimationFrame(render); }
  }

  canvas.addEventListener('click', ev => {
    const r = canvas.getBoundingClientRect();
    const x = ev.clientX - r.left, y = ev.clientY - r.top;
    let best = null, bestD = 14 * 14;
    for (const d of drawn) {
      const dd = (d.x - x) ** 2 + (d.y - y) ** 2;
      if (dd < bestD) { best = d; bestD = dd; }
    }
    if (best && onSelect) onSelect(best.id);
  });
  window.addEventListener('resize', schedule);

  return {
    setTiles(url, attr) { tileUrl = url || ''; attribution = attr || ''; tiles.clear(); loadedAny = failedAny = false; mode = ''; schedule(); },
    setAlerts(list, selected) { alerts = list; selectedId = selected; schedule(); },
    mode: () => mode,
    render
  };
};
