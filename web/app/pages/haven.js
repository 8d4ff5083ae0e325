// Safe haven: each institution's deposits, attestations and restore drills (restore time against
// MTPD), read from what the vault reports to the hub: the registers (bcm-services, bcm-backups,
// vault-keys, drill-evidence) and the drill status, where this hub serves them. A hub without
// them says which endpoints are missing instead of guessing.
import { html, useState, Page, Input, Select, ErrorBox, Loading, useAsync, PagedTable, isHub, role } from '../ui.js';
import { get, qs, enc } from '../api.js';
import { tr, fmtTime, fmtNum, isZh } from '../i18n.js';

const REGISTERS = ['drill-evidence', 'bcm-backups', 'bcm-services', 'vault-keys'];

function Drills({ org }) {
  const r = useAsync(() => get('/api/v1/resilience/drills' + qs({ org }), { quiet: true }), [org]);
  if (r.error && r.error.status === 404 && !org) return null;
  return html`<section class="card" aria-labelledby="dr-h"><h2 id="dr-h">${tr('Restore drills against RTO and MTPD', '還原演練（對照 RTO 與 MTPD）')}</h2>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && html`<p>${tr('Passed', '通過')} ${fmtNum(r.data.pass)} · ${tr('failed', '未通過')} ${fmtNum(r.data.fail)} · ${tr('overdue', '逾期')} ${fmtNum(r.data.overdue)}</p>
      <div class="table-wrap"><table><thead><tr><th scope="col">${tr('Service', '業務')}</th><th scope="col">RTO (h)</th><th scope="col">MTPD (h)</th>
        <th scope="col">${tr('Latest drill', '最近演練')}</th><th scope="col">${tr('Restore time', '還原時間')}</th><th scope="col">${tr('Status', '狀態')}</th></tr></thead>
      <tbody>${r.data.services.map((s) => html`<tr><td>${s.name || s.service}</td><td>${fmtNum(s.rto_hours)}</td><td>${fmtNum(s.mtpd_hours)}</td>
        <td>${s.latest_drill ? fmtTime(s.latest_drill.date, { dateOnly: true }) : '—'}</td>
        <td>${s.latest_drill ? fmtNum(Math.round(s.latest_drill.restore_seconds / 60)) + tr(' min', ' 分鐘') : '—'}</td>
        <td class=${s.status === 'pass' ? 'state-met' : 'state-overdue'}>${s.status}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}

function Register({ name, org }) {
  const schema = useAsync(() => get(`/api/v1/registers/${enc(name)}/schema`), [name]);
  const [sort, setSort] = useState('');
  const fields = schema.data ? schema.data.fields.slice(0, 6) : [];
  const title = schema.data ? (isZh() ? schema.data.label['zh-TW'] : schema.data.label.en) : name;
  return html`<section class="card" aria-labelledby=${'rg-' + name}><h2 id=${'rg-' + name}>${title}</h2>
    <${ErrorBox} error=${schema.error} />
    ${schema.data && html`
      <${Select} id=${'sort-' + name} label=${tr('Sort by', '排序依據')} value=${sort} onChange=${setSort}
        options=${[['', tr('The register’s order', '登錄簿預設')], ['-updated', tr('Latest change first', '最近變更在前')], ['org', tr('Organisation', '機構')]]} />
      <${PagedTable} deps=${[name, org, sort]} caption=${title}
        load=${(after) => get(`/api/v1/registers/${enc(name)}` + qs({ org, sort, after, limit: 25 }))}
        columns=${[{ title: tr('Organisation', '機構'), key: 'org' },
          ...fields.map((f) => ({ title: (f.label && (isZh() ? f.label['zh-TW'] : f.label.en)) || f.name,
            render: (rec) => { const v = rec.fields[f.name]; return Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '—' : String(v); } })),
          { title: tr('Updated', '更新'), render: (rec) => fmtTime(rec.updated_at) }]} />`}
  </section>`;
}

export function Haven({ session }) {
  const probe = useAsync(() => get('/api/v1/registers', { quiet: true }), []);
  const [org, setOrg] = useState('');
  const [applied, setApplied] = useState('');
  const sees = isHub(session) || role(session) === 'supervisor';
  if (probe.loading) return html`<${Page} title=${tr('Safe haven', '資料保全')}><${Loading} when=${true} /></${Page}>`;
  if (probe.error && probe.error.status === 404)
    return html`<${Page} title=${tr('Safe haven', '資料保全')}>
      <div class="notice" role="status" id="haven-missing">
        <p>${tr('This hub does not yet keep what the vault reports about deposits, attestations and restore drills.',
          '本中樞尚未保存保全庫回報的存入、證明與還原演練資料。')}</p>
        <p>${tr('The page reads them from these endpoints, which this hub does not serve:', '本頁自下列端點讀取資料，但本中樞尚未提供：')}</p>
        <ul class="mono"><li>GET /api/v1/registers/{drill-evidence, bcm-backups, bcm-services, vault-keys}</li><li>GET /api/v1/resilience/drills</li></ul>
        <p>${tr('Each institution’s vault keeps its own deposits meanwhile (finshield vault).', '在此之前，各機構的保全庫仍自行保存其存入資料（finshield vault）。')}</p>
      </div></${Page}>`;
  return html`<${Page} title=${tr('Safe haven', '資料保全')}>
    <${ErrorBox} error=${probe.error} />
    ${sees && html`<form class="card row" onSubmit=${(e) => { e.preventDefault(); setApplied(org.trim()); }}>
      <${Input} id="h-org" label=${tr('Institution code (empty: all)', '機構代碼（空白為全部）')} value=${org} onInput=${setOrg} />
      <div class="field"><button type="submit">${tr('Show', '顯示')}</button></div></form>`}
    <${Drills} org=${applied || undefined} />
    ${REGISTERS.map((n) => html`<${Register} name=${n} org=${applied || undefined} />`)}
  </${Page}>`;
}
