// Browser tests of the dashboard: Debian's chromium (headless, driven by playwright-core) against
// a real `factoryai serve` fed with real frames. Asserts that the numbers on the pages equal the
// API's, that list edits round-trip, that the line editor changes counting, and that no page
// logs a console error; saves a screenshot of every page (laptop and wall-screen sizes) and
// prints the bundle size and first-load timing.
//
//   node e2e/run.mjs [BUILD_DIR]     (from web/; BUILD_DIR defaults to ../build)
//
// The frames: the person of darknet's person.jpg (Debian package `darknet`) pasted on grey at a
// chosen height, composed in the browser's canvas, as tests/integration/server_test.cpp does.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const buildDir = path.resolve(process.argv[2] ?? process.env.FAI_BUILD_DIR ?? path.join(root, 'build'));
const artefacts = path.resolve(root, process.env.FAI_E2E_ARTEFACTS ?? 'test-artifacts/e2e');
const personJpg = '/usr/share/darknet/data/person.jpg';
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const results = [];
async function test(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
    if (typeof page !== 'undefined') console.log(`--- page ${page.url()} ---\n${await page.locator('main').innerText().catch(() => '')}`);
  }
}
function assert(cond, message) { if (!cond) throw new Error(message); }
// JSON with sorted keys, so that key order never matters.
const canon = (v) => JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));
function assertEq(actual, expected, what) {
  if (canon(actual) !== canon(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
async function waitFor(fn, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await fn(); if (last === true || (last && last.ok)) return last; } catch (e) { last = e.message; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const text = async (page, sel) => (await page.locator(sel).first().innerText()).trim();

// ------------------------------------------------------------------------------------------
for (const f of [personJpg, path.join(buildDir, 'factoryai'), path.join(root, 'web/dist/browser/index.html'), chromiumPath]) {
  if (!fs.existsSync(f)) { console.log(`missing ${f}`); console.log('0 passed, 1 failed'); process.exit(1); }
}
fs.mkdirSync(artefacts, { recursive: true });

const server = await startServer({ root, buildDir });
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
    '--no-first-run', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
const consoleErrors = [];
const expectedMissing = [];  // endpoints not on this server yet: their 404/503 is the graceful path
let expectedStatus = null;   // a refusal a test provokes on purpose (the browser logs it)
context.on('console', (m) => {
  if (m.type() !== 'error') return;
  const url = m.location()?.url ?? '';
  if (m.text().startsWith('Failed to load resource') && expectedMissing.some((p) => url.includes(p))) return;
  if (expectedStatus && m.text().includes(`status of ${expectedStatus}`)) return;
  consoleErrors.push(`${m.text()} (${url})`);
});
context.on('weberror', (e) => consoleErrors.push(String(e.error())));

// Frames are composed in a page of their own.
const painter = await context.newPage();
await painter.setContent('<canvas id=c width=640 height=640></canvas>');
const photo = `data:image/jpeg;base64,${fs.readFileSync(personJpg).toString('base64')}`;
async function sceneJpeg(feetY) {
  return painter.evaluate(async ({ photo, feetY }) => {
    const img = new Image();
    img.src = photo;
    await img.decode();
    const c = document.getElementById('c');
    const g = c.getContext('2d');
    g.fillStyle = 'rgb(114,114,114)';
    g.fillRect(0, 0, 640, 640);
    g.drawImage(img, 180, 92, 104, 288, 268, feetY - 280, 104, 288);
    return c.toDataURL('image/jpeg', 0.95).split(',')[1];
  }, { photo, feetY });
}
async function sendFrame(feetY, camera = 'default') {
  const r = await server.api('POST', '/api/process', { frame: await sceneJpeg(feetY), camera_id: camera });
  assertEq(r.status, 200, `POST /api/process ${r.text.slice(0, 200)}`);
  return r.json;
}
async function walk(steps, camera) { let last; for (const y of steps) last = await sendFrame(y, camera); return last; }

async function shoot(page, name) {
  for (const [label, viewport] of [['laptop', { width: 1366, height: 768 }], ['wall', { width: 2560, height: 1440 }]]) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artefacts, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

const page = await context.newPage();
const employeesApi = (await server.api('GET', '/api/employees')).status;
const vehiclesApi = (await server.api('GET', '/api/vehicles')).status;
const attendanceApi = (await server.api('GET', '/api/attendance')).status;
if (employeesApi !== 200) expectedMissing.push('/api/employees');
if (attendanceApi !== 200) expectedMissing.push('/api/attendance');
if (vehiclesApi !== 200) expectedMissing.push('/api/vehicles', '/api/vehicle-logs');

const timing = {};
await test('first load: the dashboard is served at / and connects to the live stream', async () => {
  await page.goto(server.base + '/', { waitUntil: 'load' });
  await waitFor(async () => (await text(page, '[data-testid=live-status]')) === 'Live', 'the live indicator');
  Object.assign(timing, await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { domContentLoaded_ms: Math.round(nav.domContentLoadedEventEnd), load_ms: Math.round(nav.loadEventEnd),
      first_contentful_paint_ms: fcp ? Math.round(fcp.startTime) : null, transfer_bytes: performance.getEntriesByType('resource').reduce((t, r) => t + (r.transferSize || 0), nav.transferSize || 0) };
  }));
});

await test('SPA fallback: a page route loads the app; unknown /api paths stay JSON 404s', async () => {
  const r = await fetch(server.base + '/cameras');
  assertEq(r.status, 200, 'GET /cameras');
  assert((await r.text()).includes('<app-root'), '/cameras is index.html');
  const api = await server.api('GET', '/api/no-such-thing');
  assertEq([api.status, api.json?.success], [404, false], 'GET /api/no-such-thing');
  assertEq((await fetch(server.base + '/no-such-file.js')).status, 404, 'a missing asset');
});

await test('overview: live counts, today\'s entries/exits and recent crossings equal the API', async () => {
  // Down across the default line (y = 400, down = in), back up, down again: in, out, in.
  await walk([310, 340, 370, 430, 460, 490, 460, 430, 370, 340, 310, 340, 370, 430, 460]);
  const occ = (await server.api('GET', '/api/occupancy')).json;
  assertEq(occ.site, { occupancy: 1, entries: 2, exits: 1 }, 'API site counts');
  await waitFor(async () => (await text(page, '[data-testid=site-occupancy]')) === String(occ.site.occupancy), 'site occupancy on the page');
  // Rows reach the database through the write-behind queue (batches of <= 100 ms).
  const today = encodeURIComponent(new Date(new Date().setHours(0, 0, 0, 0)).toISOString());
  const crossings = (await waitFor(async () => {
    const r = await server.api('GET', `/api/crossings?from=${today}`);
    return { ok: r.json?.total === 3, json: r.json };
  }, 'three crossings in the ledger')).json;
  const ins = crossings.items.filter((c) => c.direction === 'in').length;
  const outs = crossings.items.filter((c) => c.direction === 'out').length;
  assertEq([ins, outs], [2, 1], 'crossings today in the ledger');
  await waitFor(async () => (await text(page, '[data-testid=site-entries-today]')) === String(ins), 'entries today');
  assertEq(await text(page, '[data-testid=site-exits-today]'), String(outs), 'exits today');
  assertEq(await text(page, '[data-testid=site-people]'), '1', 'people in view');
  assertEq(await page.locator('[data-testid=recent-crossings] li').count(), 3, 'recent crossings listed');
  assertEq(await text(page, 'tr[data-camera=default] [data-field=occupancy]'), '1', 'default camera occupancy');
  // A reload reads the same numbers from the API alone (no live events).
  await page.reload();
  await waitFor(async () => (await text(page, '[data-testid=site-entries-today]')) === '2', 'entries today after a reload');
  await page.locator('canvas').first().waitFor();
  await shoot(page, 'overview');
});

await test('keyboard: the navigation is reachable with Tab and follows Enter', async () => {
  await page.keyboard.press('Tab');  // skip link
  await page.keyboard.press('Tab');  // Overview
  await page.keyboard.press('Tab');  // Employees & attendance
  assertEq(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Employees & attendance', 'focused link');
  await page.keyboard.press('Enter');
  await waitFor(async () => new URL(page.url()).pathname === '/employees', 'the employees page');
});

await test('employees & attendance: enrolment and deletion round-trip (or the graceful empty state)', async () => {
  await page.goto(server.base + '/employees');
  if (employeesApi !== 200) {
    // TODO(lead): the employees API was not on this server when the suite ran; this branch then
    // only checks the graceful state. With the API present the branch below runs.
    await page.locator('[data-testid=employees-unavailable]').waitFor();
    await shoot(page, 'employees');
    return;
  }
  page.once('dialog', (d) => d.accept());
  await page.getByLabel('Employee id').fill('E2E-001');
  await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
  await page.getByLabel('Department').fill('Assembly');
  await page.getByRole('button', { name: 'Enrol' }).click();
  await page.locator('[data-testid=enrol-ok], [data-testid=enrol-error]').first().waitFor();
  const api = await server.api('GET', '/api/employees/E2E-001');
  assertEq([api.status, api.json?.employee?.name, api.json?.employee?.department], [200, 'Ada Lovelace', 'Assembly'], 'the enrolled employee in the API');
  await page.locator('tr[data-employee="E2E-001"]').waitFor();
  // A duplicate id: the API's 409 message is shown as the API wrote it.
  expectedStatus = 409;
  const duplicate = await server.api('POST', '/api/employees', { employee_id: 'E2E-001', name: 'Someone Else' });
  assertEq(duplicate.status, 409, 'a duplicate employee id');
  await page.getByLabel('Employee id').fill('E2E-001');
  await page.getByLabel('Name', { exact: true }).fill('Someone Else');
  await page.getByRole('button', { name: 'Enrol' }).click();
  await page.locator('[data-testid=enrol-error]').waitFor();
  assertEq(await text(page, '[data-testid=enrol-error]'), duplicate.json.error.message, 'the error shown');
  expectedStatus = null;
  await page.locator('[data-testid=attendance-csv]').waitFor();
  const csvHref = await page.locator('[data-testid=attendance-csv]').getAttribute('href');
  const csv = await fetch(server.base + csvHref);
  assertEq(csv.status, 200, `GET ${csvHref}`);
  await shoot(page, 'employees');
  await page.locator('tr[data-employee="E2E-001"] button', { hasText: 'Delete' }).click();
  await waitFor(async () => (await page.locator('tr[data-employee="E2E-001"]').count()) === 0, 'the row to go');
  assertEq((await server.api('GET', '/api/employees/E2E-001')).status, 404, 'the employee after deletion');

  // With a photo: what the page reports is what the API stored (darknet's person.jpg shows a
  // small face seen from the side: the API may take it or refuse it with its reason).
  expectedStatus = 422;
  await page.getByLabel('Employee id').fill('E2E-002');
  await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
  await page.getByTestId('photo-input').setInputFiles(personJpg);
  await page.getByRole('button', { name: 'Enrol' }).click();
  await page.locator('[data-testid=enrol-ok], [data-testid=enrol-error]').first().waitFor();
  const stored = await server.api('GET', '/api/employees/E2E-002');
  assertEq(stored.status, 200, 'the employee with a photo');
  const faces = stored.json.faces?.length ?? 0;
  if (faces > 0) {
    assert((await text(page, '[data-testid=enrol-ok]')).includes(`with ${faces} photo`), 'the photo count shown');
  } else {
    assert((await text(page, '[data-testid=enrol-error]')).includes('the photos were refused'), 'the refusal shown');
  }
  await page.locator('tr[data-employee="E2E-002"]').waitFor();
  assertEq(await text(page, 'tr[data-employee="E2E-002"] td:nth-child(5)'), String(faces), 'photos in the list');
  expectedStatus = null;
});

await test('vehicles: list edits round-trip (or the graceful empty state)', async () => {
  await page.goto(server.base + '/vehicles');
  if (vehiclesApi !== 200) {
    // TODO(lead): as for employees, the vehicles API was not on this server when the suite ran.
    await page.locator('[data-testid=vehicles-unavailable]').waitFor();
    await shoot(page, 'vehicles');
    return;
  }
  const form = page.getByTestId('vehicle-form');
  await form.locator('[name=plate_number]').fill('ab-123 cd');
  await form.locator('[name=list]').selectOption('blacklist');
  await form.locator('[name=owner]').fill('Test Haulage');
  await form.locator('[name=valid_from]').fill('2026-01-01T08:00');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('tr[data-plate="AB123CD"]').waitFor();
  let api = await server.api('GET', '/api/vehicles/AB123CD');
  assertEq([api.status, (api.json?.vehicle ?? api.json)?.list, (api.json?.vehicle ?? api.json)?.owner], [200, 'blacklist', 'Test Haulage'], 'the listed plate in the API');
  await page.locator('tr[data-plate="AB123CD"] button', { hasText: 'Whitelist' }).click();
  await waitFor(async () => ((await server.api('GET', '/api/vehicles/AB123CD')).json?.vehicle ?? {}).list === 'whitelist' || (await server.api('GET', '/api/vehicles/AB123CD')).json?.list === 'whitelist', 'the move to the whitelist');
  await shoot(page, 'vehicles');
  page.once('dialog', (d) => d.accept());
  await page.locator('tr[data-plate="AB123CD"] button', { hasText: 'Remove' }).click();
  await waitFor(async () => (await server.api('GET', '/api/vehicles/AB123CD')).status === 404, 'the plate removed');
});

await test('system: frames and per-camera rates equal the API', async () => {
  await page.goto(server.base + '/system');
  const diag = (await server.api('GET', '/api/diagnostic')).json;
  await waitFor(async () => (await text(page, '[data-testid=frames-processed]')) === String(diag.counters.frames_processed), 'frames processed');
  const frames = diag.cameras.find((c) => c.camera_id === 'default').frames;
  assertEq(await text(page, 'tr[data-camera=default] [data-field=frames]'), String(frames), 'frames of the default camera');
  const recognition = diag.recognition ? '[data-testid=recognition]' : '[data-testid=recognition-unavailable]';
  await page.locator(recognition).waitFor();
  await shoot(page, 'system');
});

await test('cameras: a line moved by clicking two points is saved and changes counting at once', async () => {
  await page.goto(server.base + '/cameras');
  await page.locator('button.tab', { hasText: 'default' }).click();
  await page.locator('[data-testid=snapshot]').waitFor();
  const svg = page.locator('[data-testid=line-canvas]');
  await page.locator('fieldset[data-line=default] button', { hasText: 'Move by clicking two points' }).click();
  const box = await svg.boundingBox();
  // Source pixels -> a position on the drawn image (the click scrolls it into view first).
  const at = (x, y) => ({ position: { x: (x / 640) * box.width, y: (y / 640) * box.height } });
  for (const p of [at(40, 520), at(600, 520)]) await svg.click(p);
  await page.getByTestId('save-lines').click();
  await page.locator('[data-testid=lines-saved]').waitFor();
  const cams = (await server.api('GET', '/api/cameras')).json;
  const line = cams.items.find((c) => c.camera_id === 'default').lines[0];
  assert(Math.abs(line.y1 - 520) <= 3 && Math.abs(line.y2 - 520) <= 3 && line.x1 < line.x2, `saved line ${JSON.stringify(line)}`);
  const before = (await server.api('GET', '/api/occupancy')).json.cameras.find((c) => c.camera_id === 'default');
  // Down across y = 520, never near the old line (400): only the new line can count it.
  const last = await walk([460, 490, 550, 580, 610]);
  assertEq([last.entries, last.exits], [before.entries + 1, before.exits], 'counts after the walk across the new line');
  await waitFor(async () => (await text(page, '[data-testid=camera-entries]')) === String(last.entries), 'the camera\'s entries on the page');
  await page.waitForTimeout(1200);  // the snapshot follows the frames at most once a second
  await shoot(page, 'cameras');
  // The annotated snapshot as the API serves it, for the record.
  const snap = await fetch(`${server.base}/api/cameras/default/snapshot`);
  assertEq([snap.status, snap.headers.get('content-type')], [200, 'image/jpeg'], 'snapshot');
  fs.writeFileSync(path.join(artefacts, 'snapshot-default.jpg'), Buffer.from(await snap.arrayBuffer()));
});

await test('no console errors on any page', async () => {
  assertEq(consoleErrors, [], 'console errors');
});

// ------------------------------------------------------------------------------------------
await browser.close();
const stopped = await server.stop();
await test('the server stops on SIGTERM with the dashboard\'s stream just closed', async () => {
  assertEq(stopped.code, 0, `exit (${JSON.stringify(stopped)})\n${server.log().slice(-2000)}`);
});
if (results.some((r) => !r.ok)) console.log(`--- server log ---\n${server.log().slice(-4000)}`);
server.cleanup();

// Bundle size: every file of the production build, raw and gzip -9.
const dist = path.join(root, 'web/dist/browser');
const files = fs.readdirSync(dist).filter((f) => /\.(js|css|html)$/.test(f));
const size = (f) => { const b = fs.readFileSync(path.join(dist, f)); return { raw: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length }; };
const sum = (list) => list.reduce((t, f) => { const s = size(f); return { raw: t.raw + s.raw, gzip: t.gzip + s.gzip }; }, { raw: 0, gzip: 0 });
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const initial = files.filter((f) => f === 'index.html' || html.includes(f));
console.log(`bundle: main ${JSON.stringify(sum(files.filter((f) => f.startsWith('main-'))))}, initial (index.html + what it loads) ${JSON.stringify(sum(initial))}, total ${JSON.stringify(sum(files))} bytes`);
console.log(`first load (local server, headless chromium): ${JSON.stringify(timing)}`);
console.log(`screenshots: ${artefacts}`);
const passed = results.filter((r) => r.ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
