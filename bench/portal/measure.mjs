// The portal benchmark (not a test): on the 376-member sample sector (`finshield demo
// --no-serve`, then `serve`), Debian's chromium (headless, playwright-core) signs in as a member
// analyst, a hub analyst and the supervisor, and measures: the sign-in page interactive, the
// dashboard interactive after sign-in and after a reload (the first page a signed-in person
// sees), every page of the role until it has settled, and the slowest requests as the hub timed
// them (its access log) and as the browser did. Then a member gets ALERTS alerts (default 100,000: one CIDR indicator,
// events from distinct addresses) and the alert list is timed: its first page, five next pages,
// a filter by value and by source, as that member and as the hub analyst.
// Usage: node bench/portal/measure.mjs BUILD_DIR/finshield   (ALERTS=N to change the count)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

process.env.FINSHIELD_BIN = path.resolve(process.argv[2] || 'build/finshield');
const { Hub, launch } = await import('../../tests/e2e/hub.mjs');
const ALERTS = Number(process.env.ALERTS || 100000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finshield-bench-portal-'));
let t = Date.now();
const demo = spawnSync(process.env.FINSHIELD_BIN, ['demo', '--data', dir, '--no-serve'], { encoding: 'utf8', env: { ...process.env, FINSHIELD_LANG: 'en' } });
if (demo.status !== 0) throw new Error('demo failed: ' + demo.stderr);
console.log(`demo sector made in ${((Date.now() - t) / 1000).toFixed(1)} s`);
const signins = {}; // the first sample user printed for each role
for (const m of demo.stderr.matchAll(/^ {2}(\S+)\s+(\S{4}-\S{4}-\S{4}-\S{4})\s+(\S+)/gm))
  if (!signins[m[3]]) signins[m[3]] = { user: m[1], password: m[2] };
const accessLog = path.join(dir, 'access.log');
fs.writeFileSync(path.join(dir, 'finshield.ini'), `[http]\naccess_log = ${accessLog}\nrate_per_second = 0\n`);
// The hub's own time for each request since line `from` of its access log, slowest first.
const logLines = () => (fs.existsSync(accessLog) ? fs.readFileSync(accessLog, 'utf8').split('\n').filter(Boolean) : []);
function served(from) {
  return logLines().slice(from).map((l) => {
    const f = Object.fromEntries([...l.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => [m[1], m[2].replace(/^"|"$/g, '')]));
    return { ms: Number(f.micros) / 1000, what: `${f.method} ${f.path}${f.query ? '?' + f.query : ''}`, status: f.status };
  }).filter((x) => x.what.includes('/api/')).sort((a, b) => b.ms - a.ms);
}
function printServed(title, list) {
  const signin = list.filter((x) => x.what.startsWith('POST /api/v1/session'));
  const rest = list.filter((x) => !x.what.startsWith('POST /api/v1/session'));
  console.log(`\n${title}: ${list.length} API requests; the slowest as the hub timed them:`);
  for (const x of rest.slice(0, 6)) console.log(`  ${x.ms.toFixed(1).padStart(7)} ms  ${x.what} (${x.status})`);
  if (signin.length) console.log(`  (sign-in, POST /api/v1/session, Argon2id by design: ${signin.map((x) => x.ms.toFixed(0) + ' ms').join(', ')})`);
}
const hub = Hub.existing(dir, demo.stdout.trim().split('\n')[0]);
await hub.start();
const browser = await launch();

const settled = (page) => page.waitForFunction(() => document.querySelector('#page-title') &&
  !document.querySelector('p.muted[role=status], p.boot'), null, { timeout: 60000, polling: 10 });

async function session(role) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const requests = [];
  page.on('requestfinished', (req) => {
    const u = new URL(req.url());
    if (!u.pathname.startsWith('/api/')) return;
    const tm = req.timing();
    requests.push({ path: u.pathname + u.search, ms: tm.responseEnd });
  });
  // The renderer's main-thread time (Chrome's TaskDuration): what a page costs the browser's CPU,
  // which the wall-clock times add to the waits of a loaded machine.
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value * 1000;
  const { user, password } = signins[role];
  t = Date.now();
  let b0 = await busy();
  await page.goto(hub.url + '/');
  await page.waitForSelector('#username');
  const signinMs = Date.now() - t;
  const signinCpu = (await busy()) - b0;
  await page.fill('#username', user);
  await page.fill('#password', password);
  // From the sign-in's answer (its Argon2id is slow by design) until the dashboard has settled:
  // the signed-in frame first, since the sign-in page itself looks settled.
  const answered = page.waitForResponse((x) => x.url().endsWith('/api/v1/session') && x.request().method() === 'POST');
  await page.click('form button[type=submit]');
  if ((await answered).status() !== 201) throw new Error(`${user} could not sign in`);
  t = Date.now();
  await page.waitForSelector('header.top', { timeout: 60000 });
  await settled(page);
  const dashboardMs = Date.now() - t;
  t = Date.now();
  b0 = await busy();
  await page.reload();
  await settled(page);
  const reloadMs = Date.now() - t;
  let reloadCpu = (await busy()) - b0;
  if (reloadCpu < 0) reloadCpu = await busy(); // counted afresh for the new document
  return { ctx, page, requests, user, signinMs, signinCpu, dashboardMs, reloadMs, reloadCpu };
}

async function visit(s, hash) {
  const before = s.requests.length;
  const t0 = Date.now();
  await s.page.evaluate((h) => { location.hash = h; }, hash);
  await s.page.waitForTimeout(20); // the route changes, then its requests start
  await settled(s.page);
  const ms = Date.now() - t0;
  await s.page.waitForTimeout(100); // requests that finish after the page settled still count
  const slow = s.requests.slice(before).sort((a, b) => b.ms - a.ms)[0];
  return { ms, slow };
}

const tours = {
  'member-analyst': ['#/', '#/intel', '#/intel?tab=collections', '#/monitor', '#/monitor?tab=sources', '#/incidents', '#/incidents/new', '#/haven', '#/account'],
  'hub-analyst': ['#/', '#/intel?tab=collections', '#/monitor', '#/monitor?tab=sector', '#/incidents', '#/haven', '#/admin?tab=orgs', '#/admin?tab=users', '#/admin?tab=audit', '#/admin?tab=settings'],
  supervisor: ['#/', '#/incidents', '#/monitor?tab=sector', '#/haven', '#/admin?tab=orgs'],
};
const rows = [];
let slowest = { ms: 0 };
const tourFrom = logLines().length;
const sessions = {};
for (const role of Object.keys(tours)) {
  const s = (sessions[role] = await session(role));
  console.log(`\n${role} (${s.user}): sign-in page interactive ${s.signinMs} ms (main thread busy ${Math.round(s.signinCpu)} ms); ` +
    `dashboard after sign-in ${s.dashboardMs} ms; after a reload ${s.reloadMs} ms (main thread busy ${Math.round(s.reloadCpu)} ms)`);
  for (const h of tours[role]) {
    const v = await visit(s, h);
    rows.push([role, h, v.ms, v.slow]);
    console.log(`  ${h.padEnd(26)} ${String(v.ms).padStart(5)} ms   slowest request ${v.slow ? `${Math.round(v.slow.ms)} ms ${v.slow.path}` : '—'}`);
  }
  for (const r of s.requests) if (r.ms > slowest.ms) slowest = { ...r, role };
}
console.log(`\nslowest API request of all as the browser timed it: ${Math.round(slowest.ms)} ms ${slowest.path} (${slowest.role})`);
printServed('the pages of the three roles', served(tourFrom));

// ---- ALERTS alerts for bank-001 ----------------------------------------------------------------
const member = signins['member-analyst'].user;
const tok = (await hub.admin('POST', '/api/v1/tokens', { user: member, name: 'bench' })).token;
const ind = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--5d0f3b8e-2f4a-4c1e-9b7d-0a1b2c3d4e5f', created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z', name: 'Bench scanner range', pattern: "[ipv4-addr:value ISSUBSET '10.128.0.0/9']", pattern_type: 'stix',
  valid_from: '2020-01-01T00:00:00Z', object_marking_refs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
};
let r = await hub.request('POST', '/api/v1/intel/bundles?collection=sector', { token: hub.adminToken, body: { type: 'bundle', id: 'bundle--5d0f3b8e-2f4a-4c1e-9b7d-0a1b2c3d4e60', objects: [ind] } });
if (r.status !== 200) throw new Error('indicator: ' + r.text);
for (let i = 0; i < 300; i++) {
  const st = await hub.admin('GET', '/api/v1/soc/status');
  if (st.indicators.objects >= 241) break;
  await new Promise((res) => setTimeout(res, 100));
}
t = Date.now();
let made = 0;
for (let n = 0; n < ALERTS; n += 5000) {
  const lines = [];
  for (let k = n; k < Math.min(ALERTS, n + 5000); k++) lines.push(`src=10.${128 + (k >> 16)}.${(k >> 8) & 255}.${k & 255} dst=192.0.2.10 action=deny`);
  r = await hub.request('POST', '/api/v1/events', { token: tok, raw: lines.join('\n') });
  if (r.status !== 200) throw new Error('events: ' + r.text);
  made += r.json.alerts;
}
console.log(`\n${made} alerts raised for ${member} in ${((Date.now() - t) / 1000).toFixed(1)} s`);

const alertsFrom = logLines().length;
async function alertList(role) {
  const s = sessions[role];
  const out = [];
  let v = await visit(s, '#/monitor');
  out.push(['first page', v]);
  for (let i = 1; i <= 5 && made > 50 * i; i++) {
    const before = s.requests.length;
    const t0 = Date.now();
    await s.page.click('.pager button:has-text("Next page"), .pager button:has-text("下一頁")');
    await s.page.waitForFunction((n) => document.querySelector('.pager span.muted').textContent.includes(String(n)), i + 1, { polling: 10 });
    await settled(s.page);
    const ms = Date.now() - t0;
    await s.page.waitForTimeout(50);
    out.push([`next page ${i}`, { ms, slow: s.requests.slice(before).sort((a, b) => b.ms - a.ms)[0] }]);
  }
  for (const [what, field, value] of [['filter by value', '#f-value', '10.129.1.1'], ['filter by source', '#f-source', 'http:10.9.9.9']]) {
    await s.page.fill('#f-value', '');
    await s.page.fill('#f-source', '');
    await s.page.fill(field, value);
    const before = s.requests.length;
    const t0 = Date.now();
    await s.page.click('form[aria-labelledby="flt-h"] button[type=submit]');
    await s.page.waitForTimeout(20);
    await settled(s.page);
    const ms = Date.now() - t0;
    await s.page.waitForTimeout(50);
    out.push([what, { ms, slow: s.requests.slice(before).sort((a, b) => b.ms - a.ms)[0] }]);
  }
  console.log(`\nalert list with ${made} alerts, as ${role} (${s.user}):`);
  for (const [what, x] of out) console.log(`  ${what.padEnd(18)} ${String(x.ms).padStart(5)} ms   request ${x.slow ? `${Math.round(x.slow.ms)} ms ${x.slow.path}` : '—'}`);
}
await alertList('member-analyst');
await alertList('hub-analyst');
printServed(`the alert list with ${made} alerts`, served(alertsFrom));

for (const s of Object.values(sessions)) await s.ctx.close();
await browser.close();
await hub.stop();
hub.cleanup();
