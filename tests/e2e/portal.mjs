// The portal end to end: Debian's chromium (headless, playwright-core) against a hub this test
// starts. Sign-in with TOTP; an indicator submitted in the form and matched in a live alert after
// an event is sent; an incident reported and its clocks counting down; an assignment accepted as
// a response team; the language switch kept by the hub; a member never seeing another member's
// AMBER data on any page (the API's matrix); the cookie's flags and CSRF; axe-core on every page
// in both languages, with a screenshot of each written to FINSHIELD_SCREENSHOTS (the build folder).
// Skipped (exit 77) when chromium or the npm packages are missing, unless CI=true.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, CHROMIUM } from './hub.mjs';

const results = [];
let phaseAt = Date.now();
function phase(name) {
  console.log(`---- ${name} (${((Date.now() - phaseAt) / 1000).toFixed(1)} s since the last)`);
  phaseAt = Date.now();
}
function check(name, ok, detail = '') {
  results.push({ name, ok: !!ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
  return !!ok;
}

const missing = [CHROMIUM, path.join(ROOT, 'web', 'node_modules', 'playwright-core'), path.join(ROOT, 'web', 'node_modules', 'axe-core')]
  .filter((p) => !fs.existsSync(p));
if (missing.length) {
  console.log(`e2e.portal: missing ${missing.join(', ')} (scripts/install-deps.sh installs them)`);
  process.exit(process.env.CI === 'true' ? 1 : 77);
}
const { Hub, launch, totp, AXE_SOURCE } = await import('./hub.mjs');

const PASSWORD = 'correct horse battery staple 42';
const SHOTS = process.env.FINSHIELD_SCREENSHOTS || path.join(process.cwd(), 'portal-screenshots');
fs.mkdirSync(SHOTS, { recursive: true });
const hub = new Hub();
await hub.start();
const browser = await launch();
const contexts = [];
const started = Date.now();

// ---- the sector, over the REST API -------------------------------------------------------
const orgs = [['bank-a', 'bank', '甲商業銀行', 'Bank A'], ['bank-b', 'bank', '乙商業銀行', 'Bank B'],
  ['assoc-x', 'association', '資安互助協會', 'Security Association X'], ['fsc', 'regulator', '主管機關', 'Supervisor']];
for (const [code, industry, zh, en] of orgs)
  await hub.admin('POST', '/api/v1/orgs', { code, industry, name_zh: zh, name_en: en, size_tier: 'medium' });
const hubOrg = (await hub.admin('GET', '/api/v1/me')).org.code;
const people = [['alice', 'bank-a', 'member-analyst', '林小美'], ['bob', 'bank-b', 'member-analyst', '王大明'],
  ['tom', 'assoc-x', 'member-analyst', '張志豪'], ['hana', hubOrg, 'hub-analyst', '陳分析師'],
  ['ada', hubOrg, 'hub-admin', '李管理者'], ['sue', 'fsc', 'supervisor', '黃督導'], ['amy', 'bank-a', 'member-admin', '林管理者']];
const users = {};
for (const [username, org, role, name] of people) {
  users[username] = await hub.admin('POST', '/api/v1/users', { org, username, display_name: name, role, password: PASSWORD });
}
const token = async (user) => (await hub.admin('POST', '/api/v1/tokens', { user, name: 'e2e' })).token;
const tok = { alice: await token('alice'), bob: await token('bob') };
await hub.admin('POST', '/api/v1/teams', { org: 'assoc-x', code: 'assoc-x-irt', name_zh: '協會應變小組', name_en: 'Association IRT',
  kind: 'support', skills: ['forensics', 'malware_analysis'], serves: ['bank'] });
await hub.admin('POST', '/api/v1/teams/assoc-x-irt/members', { user: 'tom' });

// bob's AMBER indicator (bank-b and the hub only), an alert from it, and bob's own case.
const BOB_IP = '198.51.100.66';
const bobIndicator = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--6f1c2a3b-7d4e-4c5f-9a0b-1c2d3e4f5a6b', created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z', name: 'Bob only C2', pattern: `[ipv4-addr:value = '${BOB_IP}']`, pattern_type: 'stix',
  valid_from: '2020-01-01T00:00:00Z', object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
};
let r = await hub.request('POST', '/api/v1/intel/bundles?collection=submissions', { token: tok.bob, body: { type: 'bundle', id: 'bundle--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', objects: [bobIndicator] } });
check('bob submits an AMBER indicator over the API', r.status === 200 && r.json.stored === 1, r.text);
async function engineHas(n) {
  for (let i = 0; i < 200; i++) {
    const st = await hub.admin('GET', '/api/v1/soc/status');
    if (st.indicators.objects >= n) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}
await engineHas(1);
r = await hub.request('POST', '/api/v1/events', { token: tok.bob, raw: `src=${BOB_IP} dst=10.2.0.1 action=allow` });
const bobAlert = (await hub.request('GET', '/api/v1/alerts', { token: tok.bob })).json.items[0];
check('bob has an alert from it', bobAlert && bobAlert.value === BOB_IP);
r = await hub.request('POST', '/api/v1/incidents', { token: tok.bob, body: { title: 'Bob secret case', discovered_at: new Date(Date.now() - 60000).toISOString(),
  category: 'malware', impact: { system_class: 'core', confidentiality: 'none', integrity: 'minor', availability: 'none' }, tlp: 'amber',
  indicators: [{ type: 'ipv4-addr', value: BOB_IP }] } });
const bobCase = r.json;
check('bob reports a case over the API', r.status === 201, r.text);
// Each bank's core service and safe-haven backup (registers): alice's shows on her safe-haven
// page, drill overdue; bob's never does.
for (const [who, code, name] of [['alice', 'deposits', '存款業務'], ['bob', 'bob-wire', 'Bob secret wire service']]) {
  r = await hub.request('POST', '/api/v1/registers/bcm-services', { token: tok[who], body: { fields: { code, name, mtpd_hours: 4, rto_hours: 2 } } });
  check(`${who} registers a core service`, r.status === 201, r.text);
  r = await hub.request('POST', '/api/v1/registers/bcm-backups', { token: tok[who], body: { fields: { code: `${code}-haven`, environment: 'safe-haven', services: [code], copies: 3, media: 2, last_verified: '2026-01-10', verification_result: 'pass' } } });
  check(`${who} registers a safe-haven backup`, r.status === 201, r.text);
}

// ---- helpers ------------------------------------------------------------------------------
async function newPage(lang) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang === 'en' ? 'en-GB' : 'zh-TW', timezoneId: 'Asia/Taipei' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) page.cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => check('no script error: ' + e.message, false));
  return page;
}

async function signIn(page, user, code, { fail = false } = {}) {
  await page.goto(hub.url + '/');
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  if (code) await page.fill('#totp', code);
  await page.click('form button[type=submit]');
  if (!fail) await page.waitForSelector('header.top', { timeout: 15000 });
}

async function settle(page) {
  await page.waitForSelector('#page-title', { timeout: 15000 });
  await page.waitForFunction(() => !document.querySelector('[role=status].muted, p.boot'), null, { timeout: 15000 }).catch(() => {});
  await page.waitForTimeout(150);
}

async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await settle(page);
}

// axe-core (evaluated through the DevTools protocol, which the page's CSP does not govern) and a
// screenshot of the page as it is.
const axeSeen = new Set();
async function audit(page, name, lang) {
  const t0 = Date.now();
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  axeSeen.add(name);
  check(`axe: no serious or critical violation on ${name} [${lang}]`, res.length === 0, res.join('; '));
  const t1 = Date.now();
  await page.screenshot({ path: path.join(SHOTS, `${lang}-${name}.png`), fullPage: true });
  if (process.env.E2E_TIMING) console.log(`     axe ${t1 - t0} ms, screenshot ${Date.now() - t1} ms`);
}

const bodyText = (page) => page.evaluate(() => document.body.innerText);

phase('sign-in with TOTP');
// ---- sign-in with TOTP, the cookie and CSRF -------------------------------------------------
// alice enrols a second factor over the API (her password as proof), confirmed with the code of
// the previous 30-second step, so that the current one is still unused for the sign-in.
r = await hub.request('POST', `/api/v1/users/alice/totp`, { token: tok.alice, body: { current_password: PASSWORD } });
const secret = (r.json.otpauth_uri.match(/secret=([A-Z2-7]+)/) || [])[1];
r = await hub.request('POST', `/api/v1/users/alice/totp/confirm`, { token: tok.alice, body: { code: totp(secret, Date.now() / 1000 - 30) } });
check('alice enrols TOTP', r.status === 200, r.text);

const alice = await newPage('zh-TW');
await alice.goto(hub.url + '/');
await alice.waitForSelector('#username');
await audit(alice, 'signin', 'zh-TW');
await signIn(alice, 'alice', null, { fail: true });
await alice.waitForSelector('[role=alert]');
check('a sign-in without the code is refused, as the API words it', /invalid credentials|憑證|帳號|無效/.test(await alice.textContent('[role=alert]')));
await signIn(alice, 'alice', totp(secret));
await settle(alice);
check('alice signs in with password and TOTP', (await alice.textContent('#page-title')) === '儀表板');

const cookies = await alice.context().cookies();
const session = cookies.find((c) => c.name === 'fs_session');
check('the session cookie is HttpOnly and SameSite=Strict', session && session.httpOnly && session.sameSite === 'Strict', JSON.stringify(session));
check('no script sees the session', !(await alice.evaluate(() => document.cookie)).includes('fs_session'));
check('nothing in localStorage or sessionStorage', await alice.evaluate(() => localStorage.length === 0 && sessionStorage.length === 0));
const csrfless = await alice.evaluate(async () => (await fetch('/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"lang":"en"}' })).status);
check('a change without the CSRF token is refused (403)', csrfless === 403, String(csrfless));

phase('submit an indicator');
// ---- submit an indicator and see it matched live ---------------------------------------------
const ALICE_IP = '203.0.113.77';
await go(alice, '#/intel?tab=submit');
await audit(alice, 'intel-submit', 'zh-TW');
await alice.fill('#ind-value', ALICE_IP);
await alice.fill('#ind-name', 'Phishing kit host');
await alice.selectOption('#ind-tlp', 'green');
await alice.click('#ind-value ~ * >> xpath=ancestor::form//button[@type="submit"]').catch(async () => {
  await alice.click('form[aria-labelledby="sub-h"] button[type=submit]');
});
await alice.waitForSelector('form[aria-labelledby="sub-h"] .success', { timeout: 15000 });
check('the indicator form stores it', true);
check('the engine loads it', await engineHas(2));
r = await hub.request('GET', `/api/v1/intel/search?value=${ALICE_IP}`, { token: tok.alice });
const aliceIndicator = r.json.items[0].object.id;
await go(alice, `#/intel?q=${ALICE_IP}`);
check('the search finds it (the value in the address)', await alice.waitForSelector(`a[href="#/intel?object=${encodeURIComponent(aliceIndicator)}"]`, { timeout: 10000 }).then(() => true).catch(() => false));
await alice.click(`a[href="#/intel?object=${encodeURIComponent(aliceIndicator)}"]`);
check('… and its object view shows its versions', await alice.waitForFunction(() => /Phishing kit host/.test(document.querySelector('#o-h') ? document.querySelector('#o-h').textContent : ''), null, { timeout: 10000 }).then(() => true).catch(() => false));
await go(alice, '#/monitor');
await alice.waitForFunction(() => /已連線|connected/.test(document.querySelector('#live-h').textContent), null, { timeout: 15000 });
r = await hub.request('POST', '/api/v1/events', { token: tok.alice, raw: `src=10.1.0.5 dst=${ALICE_IP} action=allow user=alice` });
check('an event is sent', r.status === 200 && r.json.alerts === 1, r.text);
await alice.waitForFunction((ip) => document.querySelector('#live-alerts') && document.querySelector('#live-alerts').textContent.includes(ip), ALICE_IP, { timeout: 15000 })
  .then(() => check('the alert appears live (SSE)', true)).catch(() => check('the alert appears live (SSE)', false));
await audit(alice, 'monitor', 'zh-TW');
await alice.click('#live-alerts a');
await settle(alice);
const aliceAlert = '#' + alice.url().split('#')[1];
await alice.waitForSelector('#alert-status');
await audit(alice, 'alert', 'zh-TW');
await alice.click('text=確認');
await alice.waitForFunction(() => document.querySelector('#alert-status').textContent.includes('已確認'), null, { timeout: 10000 })
  .then(() => check('the alert is acknowledged', true)).catch(() => check('the alert is acknowledged', false));

phase('report an incident');
// ---- report an incident and watch its clocks ---------------------------------------------
await go(alice, '#/incidents/new');
await audit(alice, 'incident-report', 'zh-TW');
await alice.fill('#r-title', '網路銀行遭入侵');
await alice.fill('#r-desc', '異常登入與資料存取。');
await alice.check('#q-system-core');
await alice.check('#q-avail-beyond_mtpd');
await alice.fill('#ind-v-0', '192.0.2.44');
await alice.click('form[aria-labelledby="rep-h"] > button[type=submit]');
await alice.waitForSelector('#clocks', { timeout: 15000 });
await settle(alice);
const caseId = decodeURIComponent(alice.url().split('#/incidents/')[1] || '');
check('the case opens after the report', !!caseId);
check('the proposed level is explained', ((await alice.textContent('#inc-reason')) || '').length > 5);
const clockText = () => alice.evaluate(() => [...document.querySelectorAll('#clocks .state-running')].map((e) => e.textContent).join('|'));
const first = await clockText();
check('a legal clock is running with its time left', /剩餘/.test(first), first);
await alice.waitForFunction((t) => [...document.querySelectorAll('#clocks .state-running')].map((e) => e.textContent).join('|') !== t, first, { timeout: 10000 })
  .then(() => check('the clocks count down', true)).catch(() => check('the clocks count down', false));
await audit(alice, 'incident', 'zh-TW');
await go(alice, `#/incidents/${encodeURIComponent(caseId)}/report`);
await audit(alice, 'incident-print', 'zh-TW');

phase('work the case');
// ---- notes, tasks, evidence, recovery, the closing report and its printable view ---------------
await go(alice, '#/incidents/' + encodeURIComponent(caseId));
const within = (sel, text) => alice.waitForFunction(([s, t]) => document.querySelector(s) && document.querySelector(s).textContent.includes(t), [sel, text], { timeout: 10000 })
  .then(() => true).catch(() => false);
await alice.fill('#tl-note', '已封鎖來源位址 192.0.2.44。');
await alice.click('#tl-note >> xpath=ancestor::form//button[@type="submit"]');
check('a note joins the timeline', await within('section[aria-labelledby="c-timeline"]', '已封鎖來源位址'));
await alice.fill('#tk-title', '重設受影響帳號密碼');
await alice.click('#tk-title >> xpath=ancestor::form//button[@type="submit"]');
check('a task is added', await within('section[aria-labelledby="c-tasks"]', '重設受影響帳號密碼'));
const evidence = 'deny src=192.0.2.44 dst=10.1.0.5\n';
await alice.setInputFiles('#ev-file', { name: 'firewall.log', mimeType: 'text/plain', buffer: Buffer.from(evidence) });
await alice.click('#ev-file >> xpath=ancestor::form//button[@type="submit"]');
check('evidence is uploaded', await within('section[aria-labelledby="c-evidence"]', 'firewall.log'));
try {
  const [download] = await Promise.all([alice.waitForEvent('download', { timeout: 10000 }), alice.click('section[aria-labelledby="c-evidence"] a:has-text("firewall.log")')]);
  check('… and downloads as it was', fs.readFileSync(await download.path(), 'utf8') === evidence);
} catch (e) {
  check('… and downloads as it was', false, e.message);
}
await alice.selectOption('#st-status', 'recovered');
await alice.click('#st-status >> xpath=ancestor::form//button[@type="submit"]');
check('the status moves to recovered', await within('#inc-status', '已復原'));
await alice.waitForSelector('#part-times', { timeout: 10000 });
const partNames = ['times', 'scope', 'damage_control', 'investigation', 'root_cause', 'preventive_measures', 'follow_up'];
for (const p of partNames) await alice.fill('#part-' + p, `第${partNames.indexOf(p) + 1}部分：${p} 的內容。`);
await alice.click('section[aria-labelledby="c-report"] form button[type=submit]');
check('the closing report is complete with its seven parts', await within('section[aria-labelledby="c-report"]', '已完整'));
await go(alice, `#/incidents/${encodeURIComponent(caseId)}/report`);
const printed = await bodyText(alice);
check('… and the printable view shows them', partNames.every((p) => printed.includes(`${p} 的內容`)), printed.slice(0, 300));

phase('an assignment');
// ---- an assignment accepted as a response team -----------------------------------------------
const hana = await newPage('zh-TW');
await signIn(hana, 'hana');
await settle(hana);
await go(hana, '#/incidents/' + encodeURIComponent(caseId));
await hana.fill('#offer-team', 'assoc-x-irt');
await hana.click('#offer-team >> xpath=ancestor::form//button[@type="submit"]');
await hana.waitForFunction(() => document.querySelector('#assignments') && /assoc-x-irt/.test(document.querySelector('#assignments').textContent), null, { timeout: 10000 })
  .then(() => check('the hub offers the case to a team', true)).catch(() => check('the hub offers the case to a team', false));
const tom = await newPage('zh-TW');
await signIn(tom, 'tom');
await settle(tom);
r = await hub.request('GET', '/api/v1/incidents', { token: await token('tom') });
check('the API lists the case for the offered team', r.status === 200 && r.json.items.some((i) => i.id === caseId), r.text.slice(0, 300));
await go(tom, '#/incidents');
await tom.waitForFunction(() => document.body.innerText.includes('網路銀行遭入侵'), null, { timeout: 10000 })
  .then(() => check('the offered team sees the case', true)).catch(() => check('the offered team sees the case', false));
await go(tom, '#/incidents/' + encodeURIComponent(caseId));
await tom.click('#assignments button:has-text("接受")');
await tom.waitForFunction(() => /已接受/.test(document.querySelector('#assignments').textContent), null, { timeout: 10000 })
  .then(() => check('the team accepts the assignment', true)).catch(() => check('the team accepts the assignment', false));

phase('my account');
// ---- a second factor enrolled and a password changed in the account page ------------------------
const amy = await newPage('zh-TW');
await signIn(amy, 'amy');
await settle(amy);
// The audit trail: a member's administrator (amy) reads its organisation's records without their
// place in the chain: no '#' column of empty cells, no verification it may not run; the hub's
// administrator (ada, later) has both.
async function auditTable(page) {
  await go(page, '#/admin?tab=audit');
  await page.waitForSelector('table tbody tr', { timeout: 15000 });
  return page.evaluate(() => ({
    verify: !!document.querySelector('#verify-h'),
    heads: [...document.querySelectorAll('table thead th')].map((t) => t.textContent.trim()),
  }));
}
const amyAudit = await auditTable(amy);
check("a member's administrator's audit trail has no '#' column and no verification", !amyAudit.verify && !amyAudit.heads.includes('#'), JSON.stringify(amyAudit));
await go(amy, '#/account');
await amy.fill('#totp-password', PASSWORD);
await amy.click('#totp-password >> xpath=ancestor::form//button[@type="submit"]');
await amy.waitForSelector('#totp-secret', { timeout: 10000 });
const amySecret = (await amy.textContent('#totp-secret')).trim();
await amy.fill('#totp-code', totp(amySecret));
await amy.click('#totp-code >> xpath=ancestor::form//button[@type="submit"]');
await amy.waitForFunction(() => /已啟用第二因素/.test(document.body.innerText), null, { timeout: 10000 })
  .then(() => check('a second factor is enrolled with the current password and a code', true))
  .catch(() => check('a second factor is enrolled with the current password and a code', false));
await audit(amy, 'account-totp', 'zh-TW');
const NEW_PASSWORD = 'a new and longer passphrase 77';
await amy.fill('#pw-current', PASSWORD);
await amy.fill('#pw-new', NEW_PASSWORD);
await amy.fill('#pw-again', NEW_PASSWORD);
await amy.click('#pw-current >> xpath=ancestor::form//button[@type="submit"]');
await amy.waitForFunction(() => /密碼已變更/.test(document.body.innerText), null, { timeout: 10000 }).catch(() => {});
r = await hub.request('POST', '/api/v1/session', { body: { username: 'amy', password: NEW_PASSWORD, totp: totp(amySecret, Date.now() / 1000 + 30) } });
check('the new password and the second factor sign in', r.status === 201, r.text);
r = await hub.request('POST', '/api/v1/session', { body: { username: 'amy', password: PASSWORD, totp: totp(amySecret, Date.now() / 1000 - 30) } });
check('… the old password no longer does', r.status === 401, r.text);
// The ROC calendar, chosen in the account page.
await go(alice, '#/account');
await alice.selectOption('#pref-calendar', 'roc');
await alice.click('#pref-calendar >> xpath=ancestor::form//button[@type="submit"]');
await go(alice, '#/incidents');
const roc = `民國${new Date().getFullYear() - 1911}年`;
check('dates in the ROC calendar', (await bodyText(alice)).includes(roc), roc);
await go(alice, '#/account');
await alice.selectOption('#pref-calendar', 'gregorian');
await alice.click('#pref-calendar >> xpath=ancestor::form//button[@type="submit"]');
await alice.waitForFunction(() => /已儲存/.test(document.body.innerText), null, { timeout: 10000 }).catch(() => {});
// A STIX bundle pasted into the upload form.
await go(alice, '#/intel?tab=submit');
const uploaded = { type: 'bundle', id: 'bundle--7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e', objects: [{ ...bobIndicator,
  id: 'indicator--7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4f', name: 'Uploaded C2', pattern: "[domain-name:value = 'c2.upload.example']",
  object_marking_refs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'] }] };
await alice.fill('#bundle-text', JSON.stringify(uploaded));
await alice.click('form[aria-labelledby="up-h"] button[type=submit]');
await alice.waitForFunction(() => /已儲存 1 個/.test(document.querySelector('form[aria-labelledby="up-h"]').textContent), null, { timeout: 10000 })
  .then(() => check('a STIX bundle is uploaded in the form', true)).catch(() => check('a STIX bundle is uploaded in the form', false));

phase('the language');
// ---- the language, kept by the hub ----------------------------------------------------------
await go(alice, '#/');
await alice.click('header.top button:has-text("English")');
await alice.waitForFunction(() => document.querySelector('#page-title').textContent === 'Dashboard', null, { timeout: 10000 })
  .then(() => check('the language switches to English', true)).catch(() => check('the language switches to English', false));
await alice.reload();
await settle(alice);
check('the language is remembered by the hub', (await alice.textContent('#page-title')) === 'Dashboard');
check('html lang follows', (await alice.evaluate(() => document.documentElement.lang)) === 'en');
await alice.click('header.top button:has-text("中文")');
await alice.waitForFunction(() => document.querySelector('#page-title').textContent === '儀表板', null, { timeout: 10000 }).catch(() => {});

// The keyboard: on a page just loaded the first Tab reaches "skip to content", the next goes on
// to the navigation in reading order; the skip link moves the focus to the page.
await go(alice, '#/');
await alice.reload();
await settle(alice);
await alice.keyboard.press('Tab');
check('the first Tab reaches the skip link', await alice.evaluate(() => document.activeElement.classList.contains('skip')));
await alice.keyboard.press('Tab');
check('… the next the navigation', await alice.evaluate(() => document.activeElement.closest('nav.main') !== null && document.activeElement.getAttribute('href') === '#/'));
await alice.keyboard.press('Shift+Tab');
await alice.keyboard.press('Enter');
check('… and the skip link moves the focus to the page', await alice.evaluate(() => document.activeElement.id === 'main'));

phase('a member never');
// ---- a member never sees another member's AMBER data ---------------------------------------------
const secrets = [BOB_IP, bobIndicator.id, 'Bob only C2', bobAlert && bobAlert.id, 'Bob secret case', bobCase && bobCase.id, 'Bob secret wire service', 'bob-wire'].filter(Boolean);
const matrix = [
  ['#/', null], ['#/intel?tab=search', 'search'], [`#/intel?object=${encodeURIComponent(bobIndicator.id)}`, 'notfound'],
  ['#/monitor', null], [`#/monitor?alert=${encodeURIComponent(bobAlert.id)}`, 'notfound'], ['#/monitor?tab=sources', null],
  ['#/incidents', null], [`#/incidents/${encodeURIComponent(bobCase.id)}`, 'notfound'], ['#/intel?tab=collections', null],
  ['#/haven', null], ['#/account', null],
];
for (const [hash, kind] of matrix) {
  await go(alice, hash);
  if (kind === 'search') {
    await alice.fill('#search-value', BOB_IP);
    await alice.click('form[role=search] button[type=submit]');
    await alice.waitForSelector('table caption', { timeout: 10000 }).catch(() => {});
    await settle(alice);
  }
  if (kind === 'notfound') await alice.waitForSelector('[role=alert]', { timeout: 10000 }).catch(() => {});
  if (hash === '#/haven') {
    await alice.waitForFunction(() => document.querySelector('#drill-counts') && document.querySelector('#h-backups'), null, { timeout: 10000 }).catch(() => {});
    await settle(alice);
    const t = await bodyText(alice);
    check('… her safe-haven page shows her service, its drill overdue, and her safe-haven backup',
      t.includes('存款業務') && /逾期未演練 1/.test(t.replace(/\s+/g, ' ')) && t.includes('deposits-haven'), t.slice(0, 600));
  }
  const text = await bodyText(alice);
  const html = await alice.content();
  // What alice typed herself (the id in the address, the value searched for) may be echoed.
  const typed = (s) => decodeURIComponent(hash).includes(s) || (kind === 'search' && s === BOB_IP);
  const leaked = secrets.filter((s) => !typed(s) && (text.includes(s) || html.includes(s)));
  check(`alice sees none of bob's AMBER data on ${hash}`, leaked.length === 0, leaked.join(', '));
  if (kind === 'notfound') check(`… and ${hash} answers as for something that does not exist`, /沒有|no |not found|不存在/i.test(text));
  if (kind === 'search') check('… and the search finds nothing she may see', /您可檢視的情資中沒有|Nothing you may see/.test(text), text.slice(0, 400));
}
for (const [p, who] of [[`/api/v1/intel/objects/${bobIndicator.id}`, 'alice'], [`/api/v1/alerts/${bobAlert.id}`, 'alice'], [`/api/v1/incidents/${bobCase.id}`, 'alice']]) {
  r = await hub.request('GET', p, { token: tok[who] });
  check(`the API agrees: ${p} is 404 for ${who}`, r.status === 404);
}
r = await hub.request('GET', `/api/v1/intel/objects/${bobIndicator.id}`, { token: tok.bob });
check('… and bob sees his own', r.status === 200);

phase('every page');
// ---- every page, both languages: axe-core and a screenshot --------------------------------------
const tour = {
  alice: ['#/', '#/intel', `#/intel?q=${ALICE_IP}`, `#/intel?object=${encodeURIComponent(aliceIndicator)}`, '#/intel?tab=collections', '#/monitor?tab=sources', '#/incidents', '#/haven', '#/account'],
  hana: ['#/', '#/monitor?tab=sector', '#/haven', '#/admin?tab=orgs', '#/admin?tab=users', '#/admin?tab=settings'],
  ada: ['#/admin?tab=tokens', '#/admin?tab=audit'],
  sue: ['#/', '#/incidents', '#/haven'],
};
const pages = { alice, hana };
pages.ada = await newPage('zh-TW');
await signIn(pages.ada, 'ada');
await settle(pages.ada);
const adaAudit = await auditTable(pages.ada);
check("the hub's administrator's audit trail has its '#' column and verification", adaAudit.verify && adaAudit.heads.includes('#'), JSON.stringify(adaAudit));
pages.sue = await newPage('zh-TW');
await signIn(pages.sue, 'sue');
await settle(pages.sue);
const nameOf = (who, hash) => `${who}-${hash.replace(/^#\/?/, '').replace(/\?object=.*/, '-object').replace(/\?q=.*/, '-search').replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '') || 'dashboard'}`;
// Each user's tour runs beside the others' (their own browser contexts); alice's also takes, in
// English, the pages seen above in Chinese.
for (const lang of ['zh-TW', 'en']) {
  await Promise.all(Object.entries(tour).map(async ([who, hashes]) => {
    const page = pages[who];
    await page.evaluate(async (l) => {
      const s = await (await fetch('/api/v1/session')).json();
      await fetch('/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }, body: JSON.stringify({ lang: l }) });
    }, lang);
    await page.reload();
    await settle(page);
    const extra = who === 'alice' && lang === 'en'
      ? [['incident', '#/incidents/' + encodeURIComponent(caseId)], ['monitor', '#/monitor'], ['alert', aliceAlert],
        ['intel-submit', '#/intel?tab=submit'], ['incident-report', '#/incidents/new'], ['incident-print', `#/incidents/${encodeURIComponent(caseId)}/report`]]
      : [];
    for (const [name, h] of [...hashes.map((h) => [nameOf(who, h), h]), ...extra]) {
      await go(page, h);
      await audit(page, name, lang);
    }
  }));
}
// What each page offers comes from the session's "may" (the policy), not from the role's name:
// the supervisor reads cases and sector alerts but is offered no report form, no member alert
// list and no submission; a member analyst no administration; the hub's analyst the org filter.
{
  const has = (page, sel) => page.evaluate((q) => document.querySelectorAll(q).length > 0, sel);
  const offered = [];
  await go(pages.sue, '#/incidents');
  offered.push(['supervisor: no report form', !(await has(pages.sue, 'a[href="#/incidents/new"]'))]);
  offered.push(['supervisor: the cases of every organisation (org filter)', await has(pages.sue, '#i-org')]);
  offered.push(['supervisor: administration (the audit trail)', await has(pages.sue, 'header.top a[href="#/admin"]')]);
  await go(pages.sue, '#/monitor');
  offered.push(['supervisor: sector alerts only', !(await has(pages.sue, '.tabs a[href="#/monitor"]')) && await has(pages.sue, '.tabs a[href="#/monitor?tab=sector"]')]);
  await go(pages.sue, '#/intel?tab=collections');
  await pages.sue.waitForSelector('section[aria-labelledby="col-h"] table', { timeout: 10000 });
  offered.push(['supervisor: no submission (no collection it may write)', !(await has(pages.sue, '.tabs a[href="#/intel?tab=submit"]'))]);
  await go(alice, '#/incidents');
  offered.push(['member analyst: the report form, no org filter', await has(alice, 'a[href="#/incidents/new"]') && !(await has(alice, '#i-org'))]);
  offered.push(['member analyst: no administration', !(await has(alice, 'header.top a[href="#/admin"]'))]);
  await go(alice, '#/intel');
  await alice.waitForSelector('.tabs a[href="#/intel?tab=submit"]', { timeout: 10000 }).catch(() => {});
  offered.push(['member analyst: submission', await has(alice, '.tabs a[href="#/intel?tab=submit"]')]);
  await go(pages.hana, '#/monitor');
  offered.push(['hub analyst: alerts of any organisation (org filter)', await has(pages.hana, '#f-org')]);
  for (const [name, ok] of offered) check('offered as the policy says: ' + name, ok);
}
// Pages then filters: a new filter starts at the first page of its own list, not at the cursor
// of the page seen before (the audit trail, oldest first: the hub's first records are at its start).
{
  const ada = pages.ada;
  await go(ada, '#/admin?tab=audit');
  const firstSeq = () => ada.evaluate(() => Number(document.querySelector('table tbody tr td').textContent));
  await ada.click('.pager button:has-text("Next page"), .pager button:has-text("下一頁")');
  await ada.waitForFunction(() => /2/.test(document.querySelector('.pager span.muted').textContent));
  await settle(ada);
  const page2 = await firstSeq();
  await ada.fill('#a-org', hubOrg);
  await ada.click('#a-org >> xpath=ancestor::form//button[@type="submit"]');
  await ada.waitForFunction(() => /1/.test(document.querySelector('.pager span.muted').textContent));
  await settle(ada);
  const filtered = await firstSeq();
  check('a new filter starts at its own first page', page2 > 50 && filtered < page2, `${filtered} after page 2 at ${page2}`);
}
const signinEn = await newPage('en');
await signinEn.goto(hub.url + '/');
await signinEn.waitForSelector('#username');
await signinEn.click('button:has-text("English")');
await signinEn.waitForFunction(() => document.querySelector('#page-title').textContent.includes('Sign in'));
await audit(signinEn, 'signin', 'en');
for (const p of Object.values(pages)) check(`no Content-Security-Policy violation (${p.url().split('#')[1] || '/'})`, p.cspViolations.length === 0, p.cspViolations.join('; '));

phase('sign-out');
// ---- sign-out ends the session -------------------------------------------------------------
await alice.click('header.top button:has-text("登出"), header.top button:has-text("Sign out")');
await alice.waitForSelector('#username', { timeout: 10000 });
const after = await alice.evaluate(async () => (await fetch('/api/v1/session')).status);
check('sign-out ends the session', after === 401, String(after));

for (const c of contexts) await c.close();
await browser.close();
const rc = await hub.stop();
check('serve stops cleanly (no leak under the sanitizers)', rc === 0, String(rc));
hub.cleanup();
const failed = results.filter((x) => !x.ok).length;
console.log(`screenshots: ${SHOTS}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
