// Incidents: the cases the viewer may see (filtered and paged on the hub), and the report form
// with the level questions; the hub proposes the level from the answers and explains it (the
// rules in force are shown beside the questions).
import { html, useState, Page, Input, Select, Check, TextArea, ErrorBox, Loading, useAsync, useSubmit, PagedTable, Tabs, may } from '../ui.js';
import { get, post, qs, enc } from '../api.js';
import { tr, fmtTime, label, labelValues, localInputToIso, isoToLocalInput, isZh } from '../i18n.js';

const IND_TYPES = ['ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr', 'file-sha256', 'file-sha1', 'file-md5'];

function List({ session }) {
  const [f, setF] = useState({ status: '', category: '', level: '', overdue: '', org: '' });
  const [applied, setApplied] = useState(f);
  const set = (k) => (v) => setF({ ...f, [k]: v });
  return html`
    <form class="card row" onSubmit=${(e) => { e.preventDefault(); setApplied(f); }} aria-label=${tr('Filters', '篩選')}>
      <${Select} id="i-status" label=${tr('Status', '狀態')} value=${f.status} onChange=${set('status')} options=${[['', tr('Any', '全部')], ...labelValues('status').map((s) => [s, label('status', s)])]} />
      <${Select} id="i-category" label=${tr('Category', '類別')} value=${f.category} onChange=${set('category')} options=${[['', tr('Any', '全部')], ...labelValues('category').map((s) => [s, label('category', s)])]} />
      <${Select} id="i-level" label=${tr('Level', '級別')} value=${f.level} onChange=${set('level')} options=${[['', tr('Any', '全部')], ['1', '1'], ['2', '2'], ['3', '3'], ['4', '4']]} />
      <${Select} id="i-overdue" label=${tr('Clocks', '時限')} value=${f.overdue} onChange=${set('overdue')} options=${[['', tr('Any', '全部')], ['1', tr('Overdue only', '僅逾期')]]} />
      ${may(session, 'incidents_read_all') && html`<${Input} id="i-org" label=${tr('Organisation code', '機構代碼')} value=${f.org} onInput=${set('org')} />`}
      <div class="field"><button type="submit">${tr('Apply', '套用')}</button></div>
    </form>
    <${PagedTable} deps=${[JSON.stringify(applied)]} caption=${tr('Incidents, newest first', '事件（最新在前）')}
      load=${(after) => get('/api/v1/incidents' + qs({ ...applied, after, limit: 25 }))}
      columns=${[
        { title: tr('Case', '案號'), render: (i) => html`<a href=${'#/incidents/' + enc(i.id)}>${i.ref}</a>` },
        { title: tr('Title', '標題'), key: 'title' },
        { title: tr('Organisation', '機構'), render: (i) => i.org && i.org.code },
        { title: tr('Category', '類別'), render: (i) => label('category', i.category) },
        { title: tr('Level', '級別'), render: (i) => `${i.level}${i.level_state === 'proposed' ? tr(' (proposed)', '（建議）') : ''}` },
        { title: tr('Status', '狀態'), render: (i) => label('status', i.status) },
        { title: tr('Overdue', '逾期'), render: (i) => (i.overdue ? html`<span class="state-overdue">${tr('yes', '是')}</span>` : tr('no', '否')) },
        { title: tr('Updated', '更新'), render: (i) => fmtTime(i.updated_at) },
      ]} />`;
}

function Question({ id, kind, text, hint, value, onChange, options }) {
  return html`<fieldset><legend>${text}</legend>${hint && html`<p class="hint muted">${hint}</p>`}
    ${(options || labelValues(kind)).map((v) => html`<label class="check" for=${id + '-' + v}>
      <input type="radio" id=${id + '-' + v} name=${id} value=${v} checked=${value === v} onChange=${() => onChange(v)} />${label(kind, v)}</label>`)}
  </fieldset>`;
}

function Report({ session }) {
  const rules = useAsync(() => get('/api/v1/incidents/rules'), []);
  const [f, setF] = useState({ title: '', description: '', discovered_at: isoToLocalInput(), category: 'intrusion', services: '',
    tlp: 'amber', hide_reporter: false, org: '' });
  const [impact, setImpact] = useState({ system_class: 'non_core', data_class: '', confidentiality: 'none', integrity: 'none', availability: 'none' });
  const [inds, setInds] = useState([{ type: 'ipv4-addr', value: '', internal: false }]);
  const set = (k) => (v) => setF({ ...f, [k]: v });
  const setI = (k) => (v) => setImpact({ ...impact, [k]: v });
  const [state, submit] = useSubmit(async () => {
    const body = {
      title: f.title, description: f.description, discovered_at: localInputToIso(f.discovered_at), category: f.category,
      services: f.services.split(/[,，、\n]+/).map((s) => s.trim()).filter(Boolean), tlp: f.tlp, hide_reporter: f.hide_reporter,
      impact: { ...impact, data_class: impact.data_class || undefined },
      indicators: inds.filter((i) => i.value.trim()).map((i) => ({ type: i.type, value: i.value.trim(), internal: i.internal })),
    };
    if (f.org) body.org = f.org;
    const inc = await post('/api/v1/incidents', body);
    location.hash = '#/incidents/' + enc(inc.id);
  });
  return html`<form onSubmit=${submit} aria-labelledby="rep-h">
    <h2 id="rep-h">${tr('Report an incident', '通報資安事件')}</h2>
    <${ErrorBox} error=${state.error} />
    <div class="card">
      ${may(session, 'incident_report_for_others') && html`<${Input} id="r-org" label=${tr('Reporting organisation (code; empty: the hub)', '通報機構（代碼；空白為中樞）')} value=${f.org} onInput=${set('org')} />`}
      <${Input} id="r-title" label=${tr('Title', '標題')} value=${f.title} onInput=${set('title')} required maxlength="200" />
      <${TextArea} id="r-desc" label=${tr('What happened', '事件經過')} value=${f.description} onInput=${set('description')} />
      <div class="row">
        <${Input} id="r-discovered" type="datetime-local" label=${tr('Discovered at (Taipei time)', '發現時間（台北時間）')} value=${f.discovered_at} onInput=${set('discovered_at')} required />
        <${Select} id="r-category" label=${tr('Category', '類別')} value=${f.category} onChange=${set('category')} options=${labelValues('category').map((c) => [c, label('category', c)])} />
        <${Select} id="r-tlp" label="TLP" value=${f.tlp} onChange=${set('tlp')} options=${['clear', 'green', 'amber', 'amber+strict', 'red'].map((x) => [x, 'TLP:' + x.toUpperCase()])} />
      </div>
      <${Input} id="r-services" label=${tr('Affected core services (comma separated)', '受影響的核心業務（以逗號分隔）')} value=${f.services} onInput=${set('services')} />
    </div>
    <div class="card">
      <h3>${tr('Level questions', '分級問題')}</h3>
      <p class="muted">${tr('The hub proposes the level from these answers and explains which rule applied; the hub’s analysts confirm it.',
        '中樞依下列回答建議事件級別並說明所依據的規則，再由中樞分析師確認。')}</p>
      <${Question} id="q-system" kind="system_class" text=${tr('What kind of system was hit?', '受影響的是哪一類系統？')} value=${impact.system_class} onChange=${setI('system_class')} />
      <${Question} id="q-data" kind="data_class" text=${tr('What information is concerned?', '涉及哪一類資訊？')} value=${impact.data_class} onChange=${setI('data_class')}
        hint=${tr('Leave unanswered: the same class as the system.', '不選則與系統類別相同。')} />
      <${Question} id="q-conf" kind="cia" text=${tr('Was information leaked (confidentiality)?', '是否有資訊外洩（機密性）？')} value=${impact.confidentiality} onChange=${setI('confidentiality')} />
      <${Question} id="q-int" kind="cia" text=${tr('Was information or a system tampered with (integrity)?', '資訊或系統是否遭竄改（完整性）？')} value=${impact.integrity} onChange=${setI('integrity')} />
      <${Question} id="q-avail" kind="availability" text=${tr('Was a service interrupted (availability)?', '服務是否中斷（可用性）？')} value=${impact.availability} onChange=${setI('availability')} />
      <details><summary>${tr('The level rules in force', '現行分級規則')}</summary>
        <${ErrorBox} error=${rules.error} />
        ${rules.data && html`<table><thead><tr><th scope="col">${tr('Rule', '規則')}</th><th scope="col">${tr('Level', '級別')}</th><th scope="col">${tr('When', '條件')}</th></tr></thead>
          <tbody>${rules.data.levels.map((l) => html`<tr><td>${l.rule}</td><td>${l.level}</td><td>${isZh() ? l.zh : l.en}</td></tr>`)}</tbody></table>`}
      </details>
    </div>
    <div class="card">
      <h3>${tr('Indicators', '入侵指標')}</h3>
      ${inds.map((ind, n) => html`<div class="row">
        <${Select} id=${'ind-t-' + n} label=${tr('Type', '類型')} value=${ind.type} onChange=${(v) => setInds(inds.map((x, k) => (k === n ? { ...x, type: v } : x)))} options=${IND_TYPES.map((t) => [t, t])} />
        <${Input} id=${'ind-v-' + n} label=${tr('Value', '值')} value=${ind.value} onInput=${(v) => setInds(inds.map((x, k) => (k === n ? { ...x, value: v } : x)))} />
        <${Check} id=${'ind-i-' + n} label=${tr('Our own asset (never shared)', '本機構資產（不分享）')} checked=${ind.internal} onChange=${(v) => setInds(inds.map((x, k) => (k === n ? { ...x, internal: v } : x)))} />
      </div>`)}
      <button type="button" class="secondary" onClick=${() => setInds([...inds, { type: 'ipv4-addr', value: '', internal: false }])}>${tr('Add an indicator', '新增指標')}</button>
      <${Check} id="r-hide" label=${tr('Publish indicators under the hub’s identity', '以中樞名義發布指標')} checked=${f.hide_reporter} onChange=${set('hide_reporter')} />
    </div>
    <button type="submit" disabled=${state.busy}>${tr('Report', '送出通報')}</button>
  </form>`;
}

export function Incidents({ route, session }) {
  const isNew = route.parts[1] === 'new';
  const canReport = may(session, 'incident_report') || may(session, 'incident_report_for_others');
  const tabs = [['#/incidents', tr('Cases', '案件')]];
  if (canReport) tabs.push(['#/incidents/new', tr('Report an incident', '通報事件')]);
  return html`<${Page} title=${tr('Incident response', '事件應變')}>
    <${Tabs} items=${tabs} current=${isNew ? '#/incidents/new' : '#/incidents'} />
    ${isNew ? html`<${Report} session=${session} />` : html`<${List} session=${session} />`}
  </${Page}>`;
}
