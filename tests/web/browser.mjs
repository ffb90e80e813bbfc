// tests/web/browser.mjs — the control page in headless Chromium (Debian's,
// /usr/bin/chromium), driven by playwright-core; every effect is checked
// through the API.  Prints "ok    ..." / "FAIL  ..."; exits with the count of
// failures.
//   node browser.mjs URL OUTDIR [CHROMIUM]
import { chromium } from 'playwright-core';

const [url, outdir, exe = '/usr/bin/chromium'] = process.argv.slice(2);
const base = url.split('/#')[0];
const token = url.split('#token=')[1];
let failures = 0;
function check(cond, what) {
  console.log((cond ? 'ok    ' : 'FAIL  ') + what);
  if (!cond) failures++;
  return cond;
}
async function api(path, body) {
  const r = await fetch(base + '/api/v1/' + path, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
}
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
// the volume the API reports, once it has settled at want (or after 3 s)
async function volumeNear(want) {
  let s;
  for (let i = 0; i < 30; i++) {
    s = await api('state');
    if (Math.abs(s.volume_db - want) < 1e-6) break;
    await sleep(100);
  }
  return s.volume_db;
}

const browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox'] });
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const csp = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) csp.push(m.text()); });
  page.on('pageerror', (e) => csp.push('page error: ' + e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  check(!(await page.url()).includes('token='), 'the token is taken out of the address bar once read');

  // the knob by keyboard: four steps down (0.5 dB each), a page down (3 dB)
  const s0 = await api('state');
  const v0 = s0.volume_db;
  await page.focus('#knob');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  check(Math.abs((await volumeNear(v0 - 2)) - (v0 - 2)) < 1e-6, `ArrowDown x4: the API says ${v0 - 2} dB`);
  await page.keyboard.press('PageDown');
  check(Math.abs((await volumeNear(v0 - 5)) - (v0 - 5)) < 1e-6, `PageDown: the API says ${v0 - 5} dB`);
  const now = await page.getAttribute('#knob', 'aria-valuenow');
  check(Math.abs(Number(now) - (v0 - 5)) <= 0.05, `the knob tells screen readers aria-valuenow ${now} (one decimal)`);
  const vt = await page.getAttribute('#knob', 'aria-valuetext');
  check(/dB/.test(vt), `... and aria-valuetext "${vt}"`);

  // the knob by pointer: 40 px down is 10 dB down (0.25 dB a pixel)
  const box = await page.locator('#knob').boundingBox();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx, cy + 40, { steps: 8 });
  await page.mouse.up();
  check(Math.abs((await volumeNear(v0 - 15)) - (v0 - 15)) < 1e-6, `dragged 40 px down: the API says ${v0 - 15} dB`);

  // louder than the safe level by keys: refused until acknowledged
  await page.focus('#knob');
  const safe = s0.safe_db;
  await api('volume', { db: safe });
  await sleep(1300); // the page's next poll
  await page.keyboard.press('PageUp');
  await sleep(600);
  const s1 = await api('state');
  check(s1.volume_db <= safe + 1e-9, `PageUp above the safe level without the checkbox: held at ${s1.volume_db} dB`);
  const st = await page.textContent('#status');
  check(/acknowledge/.test(st), `... and the page says why: "${st}"`);
  await api('volume', { db: v0 });

  // EQ out and in by a click
  const eq0 = (await api('state')).eq.on;
  await page.click('#eq');
  await sleep(300);
  const eq1 = (await api('state')).eq.on;
  check(eq0 === true && eq1 === false, `clicking EQ switched it out (API: ${eq0} -> ${eq1})`);
  check((await page.getAttribute('#eq', 'aria-pressed')) === 'false', '... and the button says aria-pressed=false');
  await page.click('#eq');
  await sleep(300);
  check((await api('state')).eq.on === true, 'clicking again switched it in');
  const curve = await page.getAttribute('#curve-eq', 'd');
  check(curve && curve.split('L').length > 30, 'the EQ curve is drawn');

  // the preset picker: radio buttons, by pointer and by keyboard; the API says which took
  const radios = await page.$$eval('#preset-list input[type=radio]', (l) => l.map((i) => i.value));
  check(radios.includes('hd600') && radios.includes('night'), `the picker lists the presets (${radios.join(', ')})`);
  const legend = await page.textContent('#preset-pick legend');
  check(/Preset/.test(legend), `... in a fieldset whose legend names it ("${legend}")`);
  async function presetIs(want) {
    let s;
    for (let i = 0; i < 30; i++) {
      s = await api('state');
      if (s.preset === want) break;
      await sleep(100);
    }
    return s;
  }
  await page.click('#preset-list input[value="hd600"]');
  const sp = await presetIs('hd600');
  check(sp.preset === 'hd600' && sp.eq.on && sp.eq.bands === 10,
        `clicking hd600 applied it (API: preset ${sp.preset}, EQ ${sp.eq.on ? 'on' : 'off'}, ${sp.eq.bands} bands)`);
  await page.focus('#preset-list input[value="hd600"]');
  const order = radios.indexOf('hd600');
  const next = radios[(order + 1) % radios.length];
  await page.keyboard.press('ArrowDown');
  const sk = await presetIs(next);
  check(sk.preset === next, `ArrowDown in the picker chose the next preset, ${next} (API: ${sk.preset})`);
  await sleep(300);
  const checked = await page.$eval('#preset-list input:checked', (i) => i.value);
  check(checked === next, `... and the page shows it checked (${checked})`);
  await page.click('#preset-list input[value="hd600"]');
  await presetIs('hd600');

  // the meters move while music plays
  // (the loudest of ten readings over a second: a percussive loop has quiet
  // gaps, and one reading may fall in one)
  const n0 = Number(await page.getAttribute('body', 'data-meters'));
  let p0 = '-inf';
  for (let i = 0; i < 10; i++) {
    const p = await page.textContent('#meters .meter:first-child span.dim');
    if (/^-?\d/.test(p) && (!/^-?\d/.test(p0) || Number(p) > Number(p0))) p0 = p;
    await sleep(100);
  }
  const n1 = Number(await page.getAttribute('body', 'data-meters'));
  check(n1 - n0 >= 7, `meter events arrive (${n1 - n0} in 1 s)`);
  check(/^-?\d/.test(p0) && Number(p0) > -60, `the left peak shows music (loudest of 10 readings: ${p0} dBFS)`);
  const lufs = await page.textContent('#m-st');
  check(/^-\d+\.\d LUFS$/.test(lufs), `the short-term loudness is shown in LUFS ("${lufs}")`);
  const spl = await page.textContent('#m-spl');
  check(/dBA$/.test(spl), `the level at the ear is shown in dB(A) SPL ("${spl}")`);
  const big = await page.textContent('#vol-spl');
  check(/dB SPL$/.test(big), `the knob shows dB SPL at the ear ("${big}")`);
  const dose = await page.$$eval('#dose-days li', (l) => l.length);
  check(dose === 7, `the dose shows 7 days (${dose})`);
  await page.screenshot({ path: outdir + '/web-desktop.png', fullPage: true });
  check(csp.length === 0, 'no Content-Security-Policy violations, no script errors ' + csp.slice(0, 2).join('; '));
  await ctx.close();

  // a phone: touch, the layout fits
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
                                           isMobile: true, hasTouch: true });
  const pp = await phone.newPage();
  await pp.goto(url);
  await pp.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  const wide = await pp.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 390, `the page fits a 390 px phone (${wide} px wide)`);
  await pp.tap('#mute');
  await sleep(300);
  check((await api('state')).muted === true, 'a tap on Mute mutes (API)');
  await pp.tap('#mute');
  await sleep(300);
  check((await api('state')).muted === false, 'a second tap unmutes');
  await pp.screenshot({ path: outdir + '/web-phone.png', fullPage: true });
  await phone.close();

  // dark
  const dark = await browser.newContext({ viewport: { width: 800, height: 900 }, colorScheme: 'dark' });
  const dp = await dark.newPage();
  await dp.goto(url);
  await dp.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  const bg = await dp.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(bg === 'rgb(18, 19, 20)', `prefers-color-scheme: dark gives a dark page (${bg})`);
  await dp.screenshot({ path: outdir + '/web-dark.png', fullPage: true });
  await dark.close();
} catch (e) {
  check(false, 'the browser run: ' + e.message);
} finally {
  await browser.close();
}
process.exit(Math.min(failures, 100));
