// The dashboard by role: my open alerts and incidents, clocks about to expire (counting down),
// the latest intelligence, sector alerts; for the hub and the supervisor the sector's incidents
// by level and industry, overdue reports, and members' drill status where the hub has it.
import { html, Page, useAsync, ErrorBox, Loading, Countdown, Tlp, may } from '../ui.js';
import { get, qs, enc } from '../api.js';
import { tr, fmtTime, fmtNum, label, getLang, getCalendar } from '../i18n.js';
import { MonthChart } from '../chart.js';

function Box({ id, title, children }) {
  return html`<section class="card" aria-labelledby=${id}><h2 id=${id}>${title}</h2>${children}</section>`;
}

// Cases with a running clock, the nearest first.
function Clocks({ incidents, fetchedAt }) {
  const rows = [];
  for (const i of incidents)
    for (const c of i.clocks || [])
      if (c.state === 'running' || c.state === 'overdue') rows.push({ i, c });
  rows.sort((a, b) => (a.c.seconds_left || -a.c.seconds_overdue || 0) - (b.c.seconds_left || -b.c.seconds_overdue || 0));
  if (!rows.length) return html`<p class="muted">${tr('No clock is running.', '沒有計時中的時限。')}</p>`;
  return html`<ul>${rows.slice(0, 8).map(({ i, c }) => html`<li>
    <a href=${'#/incidents/' + enc(i.id)}>${i.ref}</a> · ${label('clock', c.clock)} · ${tr('due', '期限')} ${fmtTime(c.due_at)} ·
    <${Countdown} clock=${c} fetchedAt=${fetchedAt} /></li>`)}</ul>`;
}

function MyIncidents() {
  const r = useAsync(async () => ({ page: await get('/api/v1/incidents' + qs({ limit: 20 })), at: Date.now() }), []);
  const open = r.data ? r.data.page.items.filter((i) => !['closed', 'merged'].includes(i.status)) : [];
  return html`<${Box} id="d-inc" title=${tr('Open incidents', '處理中的事件')}>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && (open.length ? html`<ul>${open.slice(0, 6).map((i) => html`<li><a href=${'#/incidents/' + enc(i.id)}>${i.ref}</a>${' '}
        ${i.title} · ${label('status', i.status)} · ${tr('level', '級別')} ${i.level}</li>`)}</ul>`
      : html`<p class="muted">${tr('No open incident.', '沒有處理中的事件。')}</p>`)}
    <h3>${tr('Clocks about to expire', '即將到期的時限')}</h3>
    ${r.data && html`<${Clocks} incidents=${open} fetchedAt=${r.data.at} />`}
  </${Box}>`;
}

function MyAlerts() {
  const r = useAsync(() => get('/api/v1/alerts' + qs({ order: 'newest', status: 'new', limit: 6 })), []);
  return html`<${Box} id="d-alerts" title=${tr('New alerts', '新告警')}>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && (r.data.items.length ? html`<ul>${r.data.items.map((a) => html`<li>
        <a href=${'#/monitor?alert=' + enc(a.id)}>${a.ref_name}</a> · ${a.org_code} · ${fmtTime(a.last_at)}</li>`)}</ul>`
      : html`<p class="muted">${tr('No new alert.', '沒有新告警。')}</p>`)}
    <p><a href="#/monitor">${tr('All alerts', '全部告警')}</a></p>
  </${Box}>`;
}

function LatestIntel() {
  const since = (Date.now() - 30 * 86400000) * 1000;
  const r = useAsync(() => get('/api/v1/intel/export' + qs({ collection: 'sector', after: since, limit: 8 })), []);
  const objs = r.data ? (r.data.objects || []).filter((o) => o.type !== 'marking-definition' && o.type !== 'identity') : [];
  return html`<${Box} id="d-intel" title=${tr('Latest intelligence and advisories (30 days)', '最新情資與警訊（30 天內）')}>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && (objs.length ? html`<ul>${objs.map((o) => html`<li><a href=${'#/intel?object=' + enc(o.id)}>${o.name || o.id}</a>
        · ${o.type} · ${fmtTime(o.modified || o.created)}</li>`)}</ul>`
      : html`<p class="muted">${tr('Nothing new.', '沒有新情資。')}</p>`)}
  </${Box}>`;
}

function SectorAlerts() {
  const r = useAsync(() => get('/api/v1/alerts/sector' + qs({ limit: 6 })), []);
  const day = r.data ? r.data.items.filter((s) => Date.now() - new Date(s.last_at) < 86400000).length : 0;
  return html`<${Box} id="d-sector" title=${tr('Sector alerts', '聯防告警')}>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && html`<p><span class="kpi">${fmtNum(day)}</span> ${tr('sector alerts in the last 24 hours', '則聯防告警（過去 24 小時）')}</p>
      <ul>${r.data.items.map((s) => html`<li>${s.ref_name} · ${tr('at', '涉及')} ${fmtNum(s.organisations)} ${tr('organisations', '家機構')} · ${fmtTime(s.last_at)}</li>`)}</ul>`}
  </${Box}>`;
}

function SectorStats() {
  const r = useAsync(() => get('/api/v1/incidents/stats'), []);
  const overdue = useAsync(() => get('/api/v1/incidents' + qs({ overdue: 1, limit: 10 })), []);
  const s = r.data;
  const table = (obj, kind) => html`<table><tbody>${Object.entries(obj || {}).map(([k, v]) =>
    html`<tr><th scope="row">${kind === 'level' ? tr('Level ', '第 ') + k + tr('', ' 級') : label(kind, k)}</th><td>${fmtNum(v)}</td></tr>`)}</tbody></table>`;
  return html`
    <${Box} id="d-stats" title=${tr('Incidents in the sector', '全體事件統計')}>
      <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
      ${s && html`<p><span class="kpi">${fmtNum(s.incidents)}</span> ${tr('incidents', '件事件')}</p>
        <div class="grid"><div><h3>${tr('By level', '依級別')}</h3>${table(s.by_level, 'level')}</div>
        <div><h3>${tr('By industry', '依產業')}</h3>${table(s.by_industry, 'industry')}</div></div>
        <${MonthChart} byMonth=${s.by_month} title=${tr('Incidents by month', '每月事件數')} />`}
    </${Box}>
    <${Box} id="d-overdue" title=${tr('Overdue reports', '逾期未報')}>
      <${ErrorBox} error=${overdue.error} />
      ${overdue.data && (overdue.data.items.length ? html`<ul>${overdue.data.items.map((i) => html`<li>
          <a href=${'#/incidents/' + enc(i.id)}>${i.ref}</a> · ${i.org.code} · ${label('status', i.status)}</li>`)}</ul>`
        : html`<p class="muted">${tr('No overdue case.', '沒有逾期案件。')}</p>`)}
    </${Box}>`;
}

// A member's own services (pass, fail, overdue); across the sector, for the hub and the
// supervisor, the latest failed drills (the registers page on the hub) and the supervisor's report.
function DrillStatus({ session }) {
  const sector = may(session, 'registers_read_all');
  const r = useAsync(() => (sector
    ? get('/api/v1/registers/drill-evidence' + qs({ verdict: 'fail', sort: '-drill_date', limit: 6 }))
    : get('/api/v1/resilience/drills')), [sector]);
  const period = String(new Date(Date.now() + 8 * 3600000).getUTCFullYear()); // this year in Taipei
  const year = getCalendar() === 'roc' ? tr('ROC ', '民國') + (Number(period) - 1911) + tr('', '年') : period;
  return html`<${Box} id="d-drills" title=${tr('Safe haven and recovery drills', '資料保全與復原演練')}>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && !sector && html`<p>${tr('Services with a passing drill', '演練通過的核心業務')} <span class="kpi">${fmtNum(r.data.pass)}</span></p>
      <p>${tr('failed', '未通過')} ${fmtNum(r.data.fail)} · ${tr('overdue', '逾期未演練')} ${fmtNum(r.data.overdue)}</p>
      <ul>${r.data.services.filter((s) => s.status !== 'pass').map((s) => html`<li>${s.name || s.service} · ${label('drill', s.status)}</li>`)}</ul>`}
    ${r.data && sector && html`<h3>${tr('Latest failed drills', '最近未通過的演練')}</h3>
      ${r.data.items.length ? html`<ul>${r.data.items.map((d) => html`<li><span class="mono">${d.org}</span> · ${d.fields.service} ·
        ${fmtTime(d.fields.drill_date, { dateOnly: true })} · ${d.fields.reason || label('drill', 'fail')}</li>`)}</ul>`
      : html`<p class="muted">${tr('No failed drill.', '沒有未通過的演練。')}</p>`}
      <p><a href=${'/api/v1/supervision/report' + qs({ period, format: 'html', lang: getLang(), roc: getCalendar() === 'roc' ? 1 : '' })}
        target="_blank" rel="noopener">${tr('The supervisor’s report for ', '主管機關報告：') + year}</a></p>`}
    <p><a href="#/haven">${tr('Safe haven', '資料保全')}</a></p>
  </${Box}>`;
}

export function Dashboard({ session }) {
  return html`<${Page} title=${tr('Dashboard', '儀表板')}>
    <div class="grid">
      ${may(session, 'alerts_read') && html`<${MyAlerts} />`}
      <${MyIncidents} />
      <${LatestIntel} />
      ${may(session, 'sector_alerts_read') && html`<${SectorAlerts} />`}
      ${!may(session, 'registers_read_all') && html`<${DrillStatus} session=${session} />`}
    </div>
    ${may(session, 'incidents_read_all') && html`<${SectorStats} />`}
    ${may(session, 'registers_read_all') && html`<${DrillStatus} session=${session} />`}
  </${Page}>`;
}
