// The portal: the session (GET /api/v1/session), the page frame (skip link, navigation by role,
// language, sign-out) and the routes (#/...). Every page asks the REST API, which asks the one
// policy: the portal decides nothing about who sees what.
import { html, render, useState, useEffect } from './vendor/htm-preact.js';
import { get, patch, del, setCsrf, whenSignedOut } from './api.js';
import { tr, setPrefs, getLang, getCalendar, label } from './i18n.js';
import { ErrorBox, Loading, may } from './ui.js';

// Each page is loaded when first opened (a browser that opens the dashboard fetches and compiles
// only the dashboard's code); the session is asked for at once, beside the modules.
const pages = {
  signin: () => import('./pages/signin.js').then((m) => m.SignIn),
  dashboard: () => import('./pages/dashboard.js').then((m) => m.Dashboard),
  intel: () => import('./pages/intel.js').then((m) => m.Intel),
  monitor: () => import('./pages/monitor.js').then((m) => m.Monitor),
  incidents: () => import('./pages/incidents.js').then((m) => m.Incidents),
  incident: () => import('./pages/incident.js').then((m) => m.IncidentView),
  admin: () => import('./pages/admin.js').then((m) => m.Admin),
  haven: () => import('./pages/haven.js').then((m) => m.Haven),
  account: () => import('./pages/account.js').then((m) => m.Account),
};
const loaded = {};
const sessionAsked = get('/api/v1/session', { quiet: true });
sessionAsked.catch(() => {}); // signed out: App's load() handles it

// The page named `name`, once its module is in.
function Lazy({ name, ...props }) {
  const [, setReady] = useState(0);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!loaded[name])
      pages[name]().then((c) => { loaded[name] = c; setReady((x) => x + 1); }).catch(setError);
  }, [name]);
  if (error) return html`<${ErrorBox} error=${tr('The page could not be loaded: ', '無法載入此頁：') + error.message} />`;
  const C = loaded[name];
  return C ? html`<${C} ...${props} />` : html`<${Loading} when=${true} />`;
}

function currentRoute() {
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, query] = h.split('?');
  return { path, parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query || '') };
}

function nav(s) {
  const items = [
    ['#/', tr('Dashboard', '儀表板')],
    ['#/intel', tr('Intelligence', '情資')],
    ['#/monitor', tr('Monitoring', '監控')],
    ['#/incidents', tr('Incidents', '事件應變')],
    ['#/haven', tr('Safe haven', '資料保全')],
  ];
  if (['org_create', 'user_manage', 'audit_read', 'settings_read'].some((w) => may(s, w))) items.push(['#/admin', tr('Administration', '管理')]);
  items.push(['#/account', tr('My account', '我的帳號')]);
  return items;
}

function pageFor(route, session, refresh) {
  const [a, b, c] = route.parts;
  const props = { session, route, refresh };
  switch (a) {
    case undefined: return html`<${Lazy} name="dashboard" ...${props} />`;
    case 'intel': return html`<${Lazy} name="intel" ...${props} />`;
    case 'monitor': return html`<${Lazy} name="monitor" ...${props} />`;
    case 'incidents':
      if (b && b !== 'new') return html`<${Lazy} name="incident" ...${props} id=${b} view=${c} />`;
      return html`<${Lazy} name="incidents" ...${props} />`;
    case 'admin': return html`<${Lazy} name="admin" ...${props} />`;
    case 'haven': return html`<${Lazy} name="haven" ...${props} />`;
    case 'account': return html`<${Lazy} name="account" ...${props} />`;
    default: return html`<p>${tr('No such page.', '沒有這個頁面。')} <a href="#/">${tr('Dashboard', '儀表板')}</a></p>`;
  }
}

function Frame({ session, route, setSession, refresh }) {
  const [error, setError] = useState(null);
  const top = '#/' + (route.parts[0] || '');
  const switchLang = async () => {
    const next = getLang() === 'en' ? 'zh-TW' : 'en';
    try {
      const s = await patch('/api/v1/me', { lang: next });
      setPrefs(s.prefs);
      setSession({ ...session, prefs: s.prefs });
    } catch (e) {
      setError(e);
    }
  };
  const signOut = async () => {
    try {
      await del('/api/v1/session');
    } catch (e) {
      /* signed out either way */
    }
    setCsrf(null);
    setSession(null);
    location.hash = '#/';
  };
  const org = session.org;
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>${tr('Skip to content', '跳至主要內容')}</a>
    <header class="top">
      <span class="hub">${tr('finshield · sector hub', 'finshield 金融資安聯防中樞')}</span>
      <nav class="main" aria-label=${tr('Main', '主選單')}><ul>
        ${nav(session).map(([href, text]) => html`<li><a href=${href} aria-current=${href === top ? 'page' : undefined}>${text}</a></li>`)}
      </ul></nav>
      <div class="who">
        <span>${session.user.display_name} · ${getLang() === 'en' ? org.name_en : org.name_zh} · ${label('role', session.user.role)}</span>
        <button class="secondary" onClick=${switchLang} lang=${getLang() === 'en' ? 'zh-Hant-TW' : 'en'}>${getLang() === 'en' ? '中文' : 'English'}</button>
        <button class="secondary" onClick=${signOut}>${tr('Sign out', '登出')}</button>
      </div>
    </header>
    <main id="main" tabindex="-1">
      <${ErrorBox} error=${error} />
      ${pageFor(route, session, refresh)}
    </main>
    <footer class="foot">${tr('Times in Asia/Taipei', '時間以台北時區（Asia/Taipei）顯示')}${getCalendar() === 'roc' ? tr(', ROC calendar', '，民國紀年') : ''}${tr('.', '。')}</footer>`;
}

function App() {
  const [session, setSession] = useState(undefined); // undefined: asking; null: signed out
  const [route, setRoute] = useState(currentRoute());
  const [, setTick] = useState(0);
  const load = (first) =>
    (first === true ? sessionAsked : get('/api/v1/session', { quiet: true }))
      .then((s) => {
        setCsrf(s.csrf_token);
        setPrefs(s.prefs);
        setSession(s);
      })
      .catch(() => setSession(null));
  useEffect(() => {
    load(true);
    whenSignedOut(() => {
      setCsrf(null);
      setSession(null);
    });
    const onHash = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (session === undefined) return html`<p class="boot" role="status">${tr('Loading…', '載入中…')}</p>`;
  if (!session)
    return html`<${Lazy} name="signin" onSignedIn=${(s) => { setCsrf(s.csrf_token); setPrefs(s.prefs); setSession(s); }} />`;
  const update = (s) => {
    if (s && s.prefs) setPrefs(s.prefs);
    setSession(s);
    setTick((x) => x + 1);
  };
  return html`<${Frame} session=${session} route=${route} setSession=${update} refresh=${() => load()} />`;
}

render(html`<${App} />`, document.getElementById('app'));
