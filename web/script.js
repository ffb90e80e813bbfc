// hpamp's control page: the API under /api/v1/ with the token from the
// address's #token=... (kept in this tab's sessionStorage, then taken out of
// the address bar).  No inline script, nothing loaded from elsewhere.
'use strict';

const api = '/api/v1/';
let token = '';
let state = null;
let pending = null; // the volume (dB) waiting to be sent
let sending = false;

function $(id) { return document.getElementById(id); }
function fmt(x, d, unit) { return x === null || x === undefined || !isFinite(x) ? '–' : x.toFixed(d) + (unit || ''); }
function signed(x, d) { return x === null || !isFinite(x) ? '–' : (x > 0 ? '+' : '') + x.toFixed(d); }

function say(msg) { $('status').textContent = msg || ''; }

async function call(path, body) {
  const opt = { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' };
  if (body !== undefined) {
    opt.method = 'POST';
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  const r = await fetch(api + path, opt);
  let j = null;
  try { j = await r.json(); } catch (e) { j = { error: 'not JSON (' + r.status + ')' }; }
  if (!r.ok && r.status !== 409) throw new Error(j.error || ('HTTP ' + r.status));
  return { status: r.status, body: j };
}

// ---- the knob ----
function knobRange() {
  const lo = Math.max(state.ranges.volume_db.min, state.ceiling_db - 60);
  return [lo, state.ceiling_db];
}
function arcPath(frac) {
  const a0 = -225 * Math.PI / 180, span = 270 * Math.PI / 180;
  const a1 = a0 + span * Math.max(0, Math.min(1, frac));
  const p = (a) => [100 + 80 * Math.cos(a), 100 + 80 * Math.sin(a)];
  const [x0, y0] = p(a0), [x1, y1] = p(a1);
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return { d: `M ${x0.toFixed(1)} ${y0.toFixed(1)} A 80 80 0 ${large} 1 ${x1.toFixed(1)} ${y1.toFixed(1)}`, x: x1, y: y1 };
}
function drawKnob(db) {
  if (!state) return;
  const [lo, hi] = knobRange();
  const a = arcPath((db - lo) / (hi - lo));
  $('knob-arc').setAttribute('d', a.d);
  const hand = $('knob-hand'); // a tick across the ring where the arc ends
  hand.setAttribute('x1', (100 + (a.x - 100) * 0.8).toFixed(1));
  hand.setAttribute('y1', (100 + (a.y - 100) * 0.8).toFixed(1));
  hand.setAttribute('x2', (100 + (a.x - 100) * 1.2).toFixed(1));
  hand.setAttribute('y2', (100 + (a.y - 100) * 1.2).toFixed(1));
  const spl = state.spl_known ? state.spl_at_0dbfs + db : null;
  $('vol-spl').textContent = spl !== null ? fmt(spl, 1, ' dB SPL') : signed(db, 1) + ' dB';
  $('vol-db').textContent = signed(db, 1) + ' dBFS';
  const k = $('knob');
  k.setAttribute('aria-valuemin', lo.toFixed(1));
  k.setAttribute('aria-valuemax', hi.toFixed(1));
  k.setAttribute('aria-valuenow', db.toFixed(1));
  k.setAttribute('aria-valuetext', (spl !== null ? spl.toFixed(1) + ' dB SPL at the ear, ' : '') + db.toFixed(1) + ' dB full scale' + (state.muted ? ', muted' : ''));
  k.classList.toggle('muted', !!state.muted);
}

function wantVolume(db) {
  if (!state) return;
  const [lo, hi] = knobRange();
  db = Math.max(lo, Math.min(hi, db));
  edits++;
  state.volume_db = db;
  drawKnob(db);
  pending = db;
  flush();
}
async function flush() {
  if (sending || pending === null) return;
  sending = true;
  const db = pending;
  pending = null;
  try {
    const body = { db: db };
    if ($('ack').checked) body.acknowledge = true;
    const r = await call('volume', body);
    if (r.status === 409) say(r.body.error);
    else say(r.body.verdict === 'at_ceiling' ? 'At the ceiling' : '');
    if (pending === null) { state.volume_db = r.body.volume_db; drawKnob(state.volume_db); }
  } catch (e) { say(e.message); }
  sending = false;
  if (pending !== null) flush();
}

function setupKnob() {
  const k = $('knob');
  k.addEventListener('keydown', (ev) => {
    if (!state) return;
    const v = state.volume_db;
    const steps = { ArrowUp: 0.5, ArrowRight: 0.5, ArrowDown: -0.5, ArrowLeft: -0.5, PageUp: 3, PageDown: -3 };
    if (ev.key in steps) wantVolume(v + steps[ev.key]);
    else if (ev.key === 'Home') wantVolume(knobRange()[0]);
    else if (ev.key === 'End') wantVolume(Math.min(state.safe_db, state.ceiling_db));
    else if (ev.key === 'm' || ev.key === 'M') toggle('mute');
    else return;
    ev.preventDefault();
  });
  // pointer (mouse, touch, pen): drag up to turn up, 1 px = 0.25 dB
  let drag = null;
  k.addEventListener('pointerdown', (ev) => {
    if (!state) return;
    k.setPointerCapture(ev.pointerId);
    drag = { y: ev.clientY, v: state.volume_db };
    k.focus();
    ev.preventDefault();
  });
  k.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    wantVolume(drag.v + (drag.y - ev.clientY) * 0.25);
  });
  const end = () => { drag = null; };
  k.addEventListener('pointerup', end);
  k.addEventListener('pointercancel', end);
  k.addEventListener('wheel', (ev) => {
    if (!state) return;
    wantVolume(state.volume_db + (ev.deltaY < 0 ? 0.5 : -0.5));
    ev.preventDefault();
  }, { passive: false });
  $('up').addEventListener('click', () => state && wantVolume(state.volume_db + 1));
  $('down').addEventListener('click', () => state && wantVolume(state.volume_db - 1));
}

// ---- switches ----
async function toggle(what) {
  if (!state) return;
  try {
    let r;
    if (what === 'mute') r = await call('mute', { mute: !state.muted });
    else r = await call(what, { on: what === 'eq' ? !state.eq.on : !state.crossfeed.on });
    if (r.status === 409) say(r.body.error);
    await refresh();
  } catch (e) { say(e.message); }
}

function showState() {
  const s = state;
  $('mute').setAttribute('aria-pressed', String(!!s.muted));
  $('eq').setAttribute('aria-pressed', String(!!s.eq.on));
  $('eq').disabled = !s.eq.available;
  $('xf').setAttribute('aria-pressed', String(!!s.crossfeed.on));
  const spl = (x) => (s.spl_known ? fmt(x + s.spl_at_0dbfs, 1, ' dB SPL') + ' (' + signed(x, 1) + ' dBFS)' : signed(x, 1) + ' dBFS');
  $('ceiling').textContent = spl(s.ceiling_db);
  $('safe').textContent = spl(s.safe_db);
  $('gear').textContent = [s.headphones, s.source].filter(Boolean).join(' on ') + (s.preset ? ' · preset ' + s.preset : '');
  if (s.acknowledged) $('ack').checked = true;
  if (!sending && pending === null) drawKnob(s.volume_db);
}

let edits = 0; // volume changes made here: a poll answered meanwhile does not undo them
async function refresh() {
  const before = edits;
  const r = await call('state');
  const mine = state && (edits !== before || sending || pending !== null) ? state.volume_db : null;
  state = r.body;
  if (mine !== null) state.volume_db = mine;
  showState();
}

// ---- meters (server-sent events read through fetch, which can send the token) ----
function meterRows(n) {
  const box = $('meters');
  if (box.children.length === n) return;
  box.textContent = '';
  for (let c = 0; c < n; c++) {
    const row = document.createElement('div');
    row.className = 'meter';
    const label = document.createElement('span');
    label.textContent = n === 2 ? (c ? 'R' : 'L') : String(c + 1);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', 'Peak, channel ' + label.textContent);
    bar.setAttribute('aria-valuemin', '-60');
    bar.setAttribute('aria-valuemax', '0');
    bar.appendChild(document.createElement('span'));
    const val = document.createElement('span');
    val.className = 'dim';
    row.append(label, bar, val);
    box.appendChild(row);
  }
}
function showMeters(m) {
  meterRows(m.peak_dbfs.length);
  const rows = $('meters').children;
  m.peak_dbfs.forEach((p, c) => {
    const db = p === null ? -Infinity : p;
    const bar = rows[c].children[1];
    bar.firstChild.style.width = Math.max(0, Math.min(100, (db + 60) / 60 * 100)) + '%';
    bar.classList.toggle('hot', db > -1);
    bar.setAttribute('aria-valuenow', isFinite(db) ? db.toFixed(1) : '-60');
    rows[c].children[2].textContent = isFinite(db) ? db.toFixed(1) : '–';
  });
  $('m-spl').textContent = m.spl_a_db !== null ? fmt(m.spl_a_db, 1, ' dBA') : fmt(m.level_dbfs_a, 1, ' dBFS(A)');
  $('m-st').textContent = fmt(m.shortterm_lufs, 1, ' LUFS');
  $('m-lim').textContent = fmt(m.limiter_db, 1, ' dB');
  $('m-clip').textContent = String(m.clipped);
  $('m-xrun').textContent = String(m.xruns);
  document.body.dataset.meters = String((Number(document.body.dataset.meters) || 0) + 1);
}
async function events() {
  for (;;) {
    try {
      const r = await fetch(api + 'events', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
      if (!r.ok) throw new Error('events: HTTP ' + r.status);
      const rd = r.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await rd.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = ev.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('');
          if (data) showMeters(JSON.parse(data));
        }
      }
    } catch (e) { say(e.message); }
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}

// ---- curves, dose, presets, device ----
async function curves() {
  const c = (await call('curves')).body;
  const x = (f) => 320 * Math.log(f / 20) / Math.log(1000);
  const y = (db) => 80 - db * 80 / 15;
  const path = (ys) => ys.map((v, i) => (i ? 'L' : 'M') + x(c.freq_hz[i]).toFixed(1) + ' ' + y(Math.max(-15, Math.min(15, v))).toFixed(1)).join(' ');
  $('curve-eq').setAttribute('d', c.eq_db ? path(c.eq_db) : '');
  $('curve-z').setAttribute('d', c.zout_db ? path(c.zout_db) : '');
  $('curve-note').textContent = (c.eq_db ? 'EQ (solid)' : 'No EQ') + (c.zout_db ? '; the source\'s ' + c.zout_ohm + ' Ω output impedance (dashed)' : '') + '; ±15 dB';
}
async function dose() {
  const d = (await call('dose')).body;
  const bar = $('dose-week');
  if (!d.recorded) { $('dose-text').textContent = 'Not recorded (needs the headphones and the source).'; return; }
  const pct = d.week_percent || 0;
  bar.firstChild.style.width = Math.min(100, pct) + '%';
  bar.classList.toggle('hot', pct >= 100);
  bar.setAttribute('aria-valuenow', pct.toFixed(1));
  $('dose-text').textContent = pct.toFixed(1) + ' % of ' + d.allowance;
  const ol = $('dose-days');
  ol.textContent = '';
  d.days.forEach((day) => {
    const li = document.createElement('li');
    const t = document.createElement('span');
    t.textContent = day.date;
    const b = document.createElement('div');
    b.className = 'bar';
    b.setAttribute('role', 'meter');
    b.setAttribute('aria-label', 'Dose on ' + day.date);
    b.setAttribute('aria-valuenow', (day.percent || 0).toFixed(1));
    const s = document.createElement('span');
    s.style.width = Math.min(100, day.percent || 0) + '%';
    b.appendChild(s);
    const v = document.createElement('span');
    v.className = 'dim';
    v.textContent = (day.percent || 0).toFixed(1) + ' %';
    li.append(t, b, v);
    ol.appendChild(li);
  });
}
// the preset picker: radio buttons (arrow keys move and choose, a click chooses)
async function pickPreset(name) {
  try {
    const r = await call('preset', { name: name });
    if (r.status !== 200) { say(r.body.error); await info(); return; }
    say('Preset ' + name);
    await refresh();
    await Promise.all([curves(), info()]);
  } catch (e) { say(e.message); await info().catch(() => {}); }
}
function presetChoices(p) {
  const box = $('preset-list');
  const names = p.user.concat(p.builtin.filter((n) => !p.user.includes(n)));
  if (box.dataset.names !== names.join('\n')) {
    box.dataset.names = names.join('\n');
    box.textContent = '';
    names.forEach((n) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'preset';
      input.value = n;
      input.addEventListener('change', () => { if (input.checked) pickPreset(n); });
      label.append(input, document.createTextNode(' ' + n + (p.user.includes(n) ? ' (yours)' : '')));
      box.appendChild(label);
    });
  }
  box.querySelectorAll('input').forEach((i) => { i.checked = i.value === p.current; });
}
async function info() {
  const p = (await call('presets')).body;
  presetChoices(p);
  $('preset').textContent = p.current ? 'In use: ' + p.current : 'No preset in use';
  const d = (await call('devices')).body;
  $('device').textContent = 'Playing on ' + (d.current.backend || '?') + ' ' + (d.current.name || '') + ', ' + d.current.rate_hz + ' Hz, ' + (d.current.format || '');
}

async function main() {
  const m = /[#&]token=([0-9a-f]+)/.exec(location.hash);
  if (m) {
    token = m[1];
    sessionStorage.setItem('hpamp-token', token);
    history.replaceState(null, '', location.pathname);
  } else {
    token = sessionStorage.getItem('hpamp-token') || '';
  }
  if (!token) { say('Open the address hpamp printed (it ends in #token=…).'); return; }
  setupKnob();
  $('mute').addEventListener('click', () => toggle('mute'));
  $('eq').addEventListener('click', () => toggle('eq'));
  $('xf').addEventListener('click', () => toggle('crossfeed'));
  try {
    await refresh();
    await Promise.all([curves(), dose(), info()]);
  } catch (e) { say(e.message); }
  events();
  setInterval(() => refresh().catch((e) => say(e.message)), 1000);
  setInterval(() => dose().catch(() => {}), 30000);
  document.body.dataset.ready = '1';
}
document.addEventListener('DOMContentLoaded', main);
