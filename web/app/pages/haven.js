// Safe haven (資料保全): what the hub knows of each institution's vault: its core services' drill
// status (restore time against RTO and MTPD, GET /api/v1/resilience/drills), the signed drill
// evidence its vault uploaded (with the deposit attestation it was tied to), its backup
// environments (the safe haven among them) and the vault keys it registered: the registers
// drill-evidence, bcm-backups and vault-keys (GET /api/v1/registers/...). A member sees its own;
// the hub's analysts and the supervisor choose an institution or look across the sector. Every
// list is paged, sorted and filtered by the hub. What the hub does not receive (the daily
// deposits themselves) is said, not guessed.
import { html, useState, Page, Input, Select, ErrorBox, Loading, useAsync, PagedTable, Facts, may } from '../ui.js';
import { get, qs, enc } from '../api.js';
import { tr, fmtTime, fmtNum, fmtDuration, label, isZh } from '../i18n.js';

const lbl = (l) => (l ? (isZh() ? l['zh-TW'] : l.en) : '');
const hours = (h) => (h === undefined || h === null ? '—' : fmtNum(h) + tr(' h', ' 小時'));
const verdict = (v) => html`<span class=${v === 'pass' ? 'state-met' : 'state-overdue'}>${label('drill', v)}</span>`;

// The status of one institution's services: passing, failing or overdue drills.
function DrillStatus({ org }) {
  const r = useAsync(() => get('/api/v1/resilience/drills' + qs({ org })), [org]);
  return html`<section class="card" aria-labelledby="dr-h">
    <h2 id="dr-h">${tr('Restore drills of the core services', '核心業務復原演練')}</h2>
    <p class="muted">${tr('The latest signed drill of each service within its drill period, judged against its RTO and MTPD.',
      '各核心業務於演練週期內最近一次簽章演練，依其 RTO 與 MTPD 判定。')}</p>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && html`<p id="drill-counts">${tr('Passed', '通過')} <strong>${fmtNum(r.data.pass)}</strong> ·
      ${tr('failed', '未通過')} <strong>${fmtNum(r.data.fail)}</strong> · ${tr('overdue', '逾期未演練')} <strong>${fmtNum(r.data.overdue)}</strong>
      · ${tr('as of', '基準日')} ${fmtTime(r.data.as_of, { dateOnly: true })}</p>
      <div class="table-wrap"><table><caption>${tr('Services', '核心業務')}</caption>
        <thead><tr><th scope="col">${tr('Service', '業務')}</th><th scope="col">RTO</th><th scope="col">MTPD</th>
          <th scope="col">${tr('Latest drill', '最近演練')}</th><th scope="col">${tr('Restore time', '實測還原時間')}</th><th scope="col">${tr('Status', '狀態')}</th></tr></thead>
        <tbody>${r.data.services.map((s) => html`<tr><td>${s.name || s.service} <span class="mono muted">${s.service}</span></td>
          <td>${hours(s.rto_hours)}</td><td>${hours(s.mtpd_hours)}</td>
          <td>${s.latest_drill ? fmtTime(s.latest_drill.date, { dateOnly: true }) : '—'}</td>
          <td>${s.latest_drill ? fmtDuration(s.latest_drill.restore_seconds) : '—'}</td>
          <td>${s.status === 'overdue' ? html`<span class="state-overdue">${label('drill', 'overdue')}</span>` : verdict(s.status)}</td></tr>`)}
        ${!r.data.services.length && html`<tr><td colspan="6" class="muted">${tr('No core service registered (bcm-services).', '尚未登錄核心業務（bcm-services）。')}</td></tr>`}
        </tbody></table></div>`}
  </section>`;
}

// A register's records, one page at a time, with the columns given (field names of its schema).
function RegisterList({ name, org, showOrg, fields, filters = {}, sorts, about, id }) {
  const schema = useAsync(() => get(`/api/v1/registers/${enc(name)}/schema`), [name]);
  const sortBy = (sorts || []).filter(([v]) => showOrg || v !== 'org');
  const [sort, setSort] = useState(sortBy.length ? sortBy[0][0] : '');
  const [filter, setFilter] = useState('');
  if (schema.error) return html`<section class="card"><${ErrorBox} error=${schema.error} /></section>`;
  if (!schema.data) return html`<${Loading} when=${true} />`;
  const byName = Object.fromEntries(schema.data.fields.map((f) => [f.name, f]));
  const title = lbl(schema.data.label);
  const [fk, fvals] = Object.entries(filters)[0] || [];
  const col = (n) => ({
    title: lbl(byName[n] && byName[n].label) || n,
    render: (rec) => {
      const v = rec.fields[n];
      if (v === undefined || v === null) return '—';
      if (n === 'verdict' || n === 'verification_result') return verdict(v);
      if (n === 'verification_status') return html`<span class=${v === 'current' ? 'state-met' : 'state-overdue'}>${label('backup', v)}</span>`;
      if (n === 'restore_seconds') return fmtDuration(v);
      if (n === 'environment') return label('environment', v);
      if (byName[n] && byName[n].type === 'boolean') return v ? tr('yes', '是') : tr('no', '否');
      if (byName[n] && byName[n].type === 'date') return fmtTime(v, { dateOnly: true });
      if (n.endsWith('_hours')) return hours(v);
      if (Array.isArray(v)) return v.join(isZh() ? '、' : ', ');
      return html`<span class=${n === 'key' || n === 'snapshot' || n === 'evidence_id' ? 'mono' : ''}>${String(v)}</span>`;
    },
  });
  const query = (after) => qs({ org, sort, after, limit: 20, ...(fk && filter ? { [fk]: filter } : {}) });
  return html`<section class="card" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    ${about && html`<p class="muted">${about}</p>`}
    <div class="row">
      ${sortBy.length > 0 && html`<${Select} id=${id + '-sort'} label=${tr('Sort by', '排序依據')} value=${sort} onChange=${setSort} options=${sortBy} />`}
      ${fk && html`<${Select} id=${id + '-filter'} label=${lbl(byName[fk].label)} value=${filter} onChange=${setFilter}
        options=${[['', tr('Any', '全部')], ...fvals.map((v) => [v, label(fk === 'verdict' ? 'drill' : fk, v)])]} />`}
    </div>
    <${PagedTable} deps=${[name, org, sort, filter]} caption=${title} rowKey=${(rec) => rec.id}
      load=${(after) => get(`/api/v1/registers/${enc(name)}` + query(after))}
      columns=${[...(!showOrg ? [] : [{ title: tr('Institution', '機構'), render: (rec) => html`<span class="mono">${rec.org}</span>` }]), ...fields.map(col)]} />
  </section>`;
}

function Missing() {
  return html`<section class="notice" aria-labelledby="miss-h" id="haven-missing">
    <h2 id="miss-h">${tr('What the hub does not receive', '中樞未收到的資料')}</h2>
    <p>${tr('Each institution’s daily deposits stay in its own vault: the hub is not sent a record of every deposit. It learns of a deposit only through the attestation (the deposit receipt signed by the vault) that comes with a drill’s evidence (“Deposit attestation checked”). So this page shows drills, attestations, backup environments and keys, but not a list of deposits or their dates.',
      '各機構每日的存入資料保存在其自有的保全庫中，中樞不會收到每次存入的紀錄；中樞只能透過演練證據所附的存入證明（保全庫簽章的存入收據，即「已核對存入證明」）得知該次存入。因此本頁顯示演練、存入證明、備援環境與金鑰，但無法列出每日存入及其日期。')}</p>
  </section>`;
}

const DRILL_SORTS = () => [['-drill_date', tr('Latest drill first', '最近演練在前')], ['drill_date', tr('Oldest drill first', '最早演練在前')],
  ['service', tr('Service', '業務')], ['org', tr('Institution', '機構')]];
const BACKUP_SORTS = () => [['code', tr('Code', '代碼')], ['last_verified', tr('Least recently verified first', '最久未驗證在前')],
  ['-last_verified', tr('Latest verification first', '最近驗證在前')], ['org', tr('Institution', '機構')]];

export function Haven({ session }) {
  const sees = may(session, 'registers_read_all');
  const [org, setOrg] = useState('');
  const [applied, setApplied] = useState('');
  const one = sees ? applied || undefined : undefined; // members: the hub answers with their own
  const whose = sees ? (applied ? applied : tr('every institution', '全部機構')) : (isZh() ? session.org.name_zh : session.org.name_en);
  return html`<${Page} title=${tr('Safe haven and recovery drills', '資料保全與復原演練')}>
    <p>${tr('What the vaults of the institutions report to the hub: signed restore drills judged against each service’s RTO and MTPD, the deposit attestations tied to them, backup environments and vault keys.',
      '各機構保全庫回報中樞的資料：依各核心業務 RTO 與 MTPD 判定的簽章還原演練、其所附的存入證明、備援環境與保全庫金鑰。')}</p>
    ${sees && html`<form class="card row" role="search" onSubmit=${(e) => { e.preventDefault(); setApplied(org.trim()); }}>
      <${Input} id="h-org" label=${tr('Institution code (empty: the whole sector)', '機構代碼（空白為全體機構）')} value=${org} onInput=${setOrg} />
      <div class="field"><button type="submit">${tr('Show', '顯示')}</button></div></form>`}
    <${Facts} rows=${[[tr('Showing', '顯示範圍'), html`<span id="haven-whose">${whose}</span>`]]} />
    ${(!sees || one) && html`<${DrillStatus} org=${one} />`}
    <${RegisterList} id="h-drills" name="drill-evidence" org=${one} showOrg=${sees && !one} sorts=${DRILL_SORTS()} filters=${{ verdict: ['pass', 'fail'] }}
      fields=${['drill_date', 'service', 'restore_seconds', 'rto_hours', 'mtpd_hours', 'verdict', 'reason', 'attested', 'business_date']} />
    <${RegisterList} id="h-backups" name="bcm-backups" org=${one} showOrg=${sees && !one} sorts=${BACKUP_SORTS()} filters=${{ environment: ['safe-haven', 'offsite', 'local', 'cloud'] }}
      fields=${['code', 'environment', 'services', 'copies', 'media', 'last_verified', 'verification_result', 'verification_status']} />
    <${RegisterList} id="h-keys" name="vault-keys" org=${one} showOrg=${sees && !one} sorts=${[['name', tr('Name', '名稱')], ['org', tr('Institution', '機構')]]}
      fields=${['name', 'public_key', 'repository', 'revoked']} />
    <${Missing} />
  </${Page}>`;
}
