// Intelligence: search by value, an object with its versions, relationships and sightings (what
// the viewer may see), submitting an indicator by form or a STIX bundle file, the collections,
// and the TAXII connection details for the member's own tools.
import { html, useState, Page, Input, Select, Check, TextArea, ErrorBox, Success, Loading, useAsync, useSubmit, PagedTable, Tlp, Tabs, Facts } from '../ui.js';
import { get, post, qs, enc } from '../api.js';
import { tr, fmtTime, fmtNum } from '../i18n.js';

const TYPES = [
  ['ipv4-addr', 'ipv4-addr:value', tr('IPv4 address', 'IPv4 位址')],
  ['ipv6-addr', 'ipv6-addr:value', tr('IPv6 address', 'IPv6 位址')],
  ['domain-name', 'domain-name:value', tr('Domain name', '網域名稱')],
  ['url', 'url:value', 'URL'],
  ['email-addr', 'email-addr:value', tr('E-mail address', '電子郵件地址')],
  ['sha256', "file:hashes.'SHA-256'", 'SHA-256'],
  ['md5', 'file:hashes.MD5', 'MD5'],
];
const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];

function objectName(o) {
  return o.name || o.value || o.pattern || o.id;
}

// The value searched for is in the address (#/intel?q=...), so that a search can be linked to and
// the browser's back button returns to it.
function Search({ asked }) {
  const [value, setValue] = useState(asked || '');
  const ask = (e) => {
    e.preventDefault();
    if (value.trim()) location.hash = '#/intel' + qs({ q: value.trim() });
  };
  return html`<section class="card" aria-labelledby="s-h">
    <h2 id="s-h">${tr('Search by value', '依值搜尋')}</h2>
    <form class="row" role="search" onSubmit=${ask}>
      <${Input} id="search-value" label=${tr('IP address, domain, URL, hash, CVE or other value', 'IP 位址、網域、URL、雜湊值、CVE 或其他值')}
        value=${value} onInput=${setValue} required />
      <div class="field"><button type="submit">${tr('Search', '搜尋')}</button></div>
    </form>
    ${asked && html`<${PagedTable} deps=${[asked]} rowKey=${(it) => it.object.id + ' ' + it.version}
      caption=${html`${tr('Objects that mention ', '提及下列值的物件：')}<span class="mono">${asked}</span>`}
      load=${(after) => get('/api/v1/intel/search' + qs({ value: asked, after, limit: 25 }))}
      empty=${tr('Nothing you may see mentions it.', '您可檢視的情資中沒有提及此值。')}
      columns=${[
        { title: tr('Object', '物件'), render: (it) => html`<a href=${'#/intel?object=' + enc(it.object.id)}>${objectName(it.object)}</a>` },
        { title: tr('Type', '類型'), render: (it) => it.object.type },
        { title: 'TLP', render: (it) => html`<${Tlp} tlp=${it.tlp} />` },
        { title: tr('Version', '版本'), render: (it) => fmtTime(it.version) },
      ]} />`}
  </section>`;
}

// The relationships and sightings of an object, a page at a time (newest first): "more" adds the
// next page the hub gives.
const relatedPage = (id, after) => get(`/api/v1/intel/objects/${enc(id)}/related` + qs({ after, limit: 100 }));

function ObjectView({ id }) {
  const r = useAsync(() => Promise.all([get('/api/v1/intel/objects/' + enc(id)), relatedPage(id)]), [id]);
  const [more, setMore] = useState({ id: null, items: [], next: undefined });
  const [moreState, loadMore] = useSubmit(async () => {
    const from = more.id === id ? more : { items: [], next: r.data[1].next };
    const page = await relatedPage(id, from.next);
    setMore({ id, items: [...from.items, ...page.items], next: page.next });
  });
  if (r.loading) return html`<${Loading} when=${true} />`;
  if (r.error) return html`<${ErrorBox} error=${r.error} />`;
  const [obj, rel] = r.data;
  const extra = more.id === id ? more : { items: [], next: rel.next };
  const latest = obj.versions[obj.versions.length - 1];
  const latestRel = new Map();
  for (const it of [...rel.items, ...extra.items]) if (!latestRel.has(it.object.id)) latestRel.set(it.object.id, it);
  const rels = [...latestRel.values()].filter((it) => it.object.type === 'relationship');
  const sightings = [...latestRel.values()].filter((it) => it.object.type === 'sighting');
  const other = (o) => (o.source_ref === id ? o.target_ref : o.source_ref);
  return html`<section class="card" aria-labelledby="o-h">
    <h2 id="o-h">${objectName(latest.object)} <${Tlp} tlp=${latest.tlp} /></h2>
    <${Facts} rows=${[[tr('Id', '識別碼'), html`<span class="mono">${id}</span>`], [tr('Type', '類型'), latest.object.type],
      latest.object.pattern && [tr('Pattern', '樣式'), html`<span class="mono">${latest.object.pattern}</span>`],
      [tr('Versions', '版本數'), fmtNum(obj.versions.length)]]} />
    <h3>${tr('Versions', '版本')}</h3>
    <div class="table-wrap"><table><thead><tr><th scope="col">${tr('Version', '版本')}</th><th scope="col">TLP</th><th scope="col">${tr('Added', '加入時間')}</th></tr></thead>
      <tbody>${obj.versions.slice().reverse().map((v) => html`<tr><td>${fmtTime(v.version, { seconds: true })}</td><td><${Tlp} tlp=${v.tlp} /></td><td>${fmtTime(v.date_added)}</td></tr>`)}</tbody></table></div>
    <h3>${tr('Relationships', '關聯')}</h3>
    ${rels.length ? html`<ul>${rels.map((it) => html`<li>${it.object.relationship_type} →
        <a href=${'#/intel?object=' + enc(other(it.object))}>${other(it.object)}</a> <${Tlp} tlp=${it.tlp} /></li>`)}</ul>`
      : html`<p class="muted">${tr('None you may see.', '沒有您可檢視的關聯。')}</p>`}
    <h3>${tr('Sightings', '目擊')}</h3>
    ${sightings.length ? html`<ul>${sightings.map((it) => html`<li>${tr('Seen ', '目擊 ')}${fmtNum(it.object.count || 1)}${tr(' times', ' 次')},
        ${fmtTime(it.object.first_seen)} – ${fmtTime(it.object.last_seen)} <${Tlp} tlp=${it.tlp} /></li>`)}</ul>`
      : html`<p class="muted">${tr('None you may see.', '沒有您可檢視的目擊。')}</p>`}
    ${extra.next && html`<p><${ErrorBox} error=${moreState.error} /><button class="secondary" onClick=${loadMore} disabled=${moreState.busy}>
      ${tr('More relationships and sightings', '更多關聯與目擊')}</button></p>`}
    <details><summary>${tr('The object as published (STIX 2.1)', '發布的物件（STIX 2.1）')}</summary><pre>${JSON.stringify(latest.object, null, 2)}</pre></details>
  </section>`;
}

function Submit({ collections }) {
  const [type, setType] = useState('ipv4-addr');
  const [value, setValue] = useState('');
  const [name, setName] = useState('');
  const [tlp, setTlp] = useState('amber');
  const [recipients, setRecipients] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const writable = (collections || []).filter((c) => c.can_write);
  const [collection, setCollection] = useState('submissions');
  const [state, submit] = useSubmit(async () => {
    const t = TYPES.find((x) => x[0] === type);
    const now = new Date().toISOString();
    const escaped = value.trim().replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const ind = {
      type: 'indicator', spec_version: '2.1', id: 'indicator--' + crypto.randomUUID(), created: now, modified: now,
      name: name.trim() || value.trim(), pattern: `[${t[1]} = '${escaped}']`, pattern_type: 'stix', valid_from: now,
      indicator_types: ['malicious-activity'],
      object_marking_refs: [TLP_IDS[tlp]],
    };
    const orgs = recipients.split(/[\s,，、]+/).filter(Boolean);
    if (orgs.length) ind.x_finshield_recipients = { orgs };
    const bundle = { type: 'bundle', id: 'bundle--' + crypto.randomUUID(), objects: [ind] };
    const r = await post('/api/v1/intel/bundles' + qs({ collection, anonymous: anonymous ? 'true' : '' }), bundle);
    if (r.refused) throw new Error(JSON.stringify(r.failures || r));
    setValue(''); setName('');
    return html`${tr('Stored: ', '已儲存：')}<a href=${'#/intel?object=' + enc(ind.id)}>${ind.id}</a>`;
  });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="sub-h">
    <h2 id="sub-h">${tr('Submit an indicator', '提交情資指標')}</h2>
    <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
    <div class="row">
      <${Select} id="ind-type" label=${tr('Type', '類型')} value=${type} onChange=${setType} options=${TYPES.map((t) => [t[0], t[2]])} />
      <${Input} id="ind-value" label=${tr('Value', '值')} value=${value} onInput=${setValue} required />
    </div>
    <${Input} id="ind-name" label=${tr('Name (optional)', '名稱（選填）')} value=${name} onInput=${setName} />
    <div class="row">
      <${Select} id="ind-tlp" label="TLP" value=${tlp} onChange=${setTlp} options=${TLPS.map((x) => [x, 'TLP:' + x.toUpperCase()])} />
      <${Select} id="ind-coll" label=${tr('Collection', '集合')} value=${collection} onChange=${setCollection}
        options=${(writable.length ? writable : [{ alias: 'submissions', title: 'submissions' }]).map((c) => [c.alias, c.title])} />
    </div>
    <${Input} id="ind-recipients" label=${tr('Recipients (organisation codes, for AMBER and RED)', '接收對象（機構代碼，適用 AMBER 與 RED）')}
      value=${recipients} onInput=${setRecipients} hint=${tr('Separated by commas; empty: the collection decides.', '以逗號分隔；空白則依集合設定。')} />
    <${Check} id="ind-anon" label=${tr('Submit anonymously (the hub’s identity replaces ours)', '匿名提交（以中樞身分發布）')} checked=${anonymous} onChange=${setAnonymous} />
    <button type="submit" disabled=${state.busy}>${tr('Submit', '提交')}</button>
  </form>`;
}

function Upload({ collections }) {
  const [collection, setCollection] = useState('submissions');
  const [anonymous, setAnonymous] = useState(false);
  const [text, setText] = useState('');
  const writable = (collections || []).filter((c) => c.can_write);
  const [state, submit] = useSubmit(async () => {
    const r = await post('/api/v1/intel/bundles' + qs({ collection, anonymous: anonymous ? 'true' : '' }), { raw: text, type: 'application/json' });
    return tr(`Stored ${r.stored} of ${r.total}; refused ${r.refused}.`, `共 ${r.total} 個物件，已儲存 ${r.stored} 個，拒絕 ${r.refused} 個。`);
  });
  const onFile = async (e) => {
    const f = e.target.files && e.target.files[0];
    if (f) setText(await f.text());
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="up-h">
    <h2 id="up-h">${tr('Upload a STIX 2.1 bundle', '上傳 STIX 2.1 bundle')}</h2>
    <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
    <div class="field"><label for="bundle-file">${tr('Bundle file (.json)', 'Bundle 檔案（.json）')}</label>
      <input type="file" id="bundle-file" accept=".json,application/json,application/stix+json" onChange=${onFile} /></div>
    <${TextArea} id="bundle-text" class="code" label=${tr('Or paste it', '或直接貼上')} value=${text} onInput=${setText} />
    <div class="row">
      <${Select} id="up-coll" label=${tr('Collection', '集合')} value=${collection} onChange=${setCollection}
        options=${(writable.length ? writable : [{ alias: 'submissions', title: 'submissions' }]).map((c) => [c.alias, c.title])} />
    </div>
    <${Check} id="up-anon" label=${tr('Submit anonymously', '匿名提交')} checked=${anonymous} onChange=${setAnonymous} />
    <button type="submit" disabled=${state.busy || !text}>${tr('Upload', '上傳')}</button>
  </form>`;
}

function Collections({ r }) {
  return html`<section class="card" aria-labelledby="col-h">
    <h2 id="col-h">${tr('Collections', '情資集合')}</h2>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && html`<div class="table-wrap"><table><thead><tr>
      <th scope="col">${tr('Title', '名稱')}</th><th scope="col">${tr('Alias', '別名')}</th><th scope="col">${tr('Kind', '種類')}</th>
      <th scope="col">${tr('Default TLP', '預設 TLP')}</th><th scope="col">${tr('Read', '可讀')}</th><th scope="col">${tr('Write', '可寫')}</th>
      <th scope="col">TAXII id</th></tr></thead>
      <tbody>${r.data.items.map((c) => html`<tr><td>${c.title}</td><td class="mono">${c.alias}</td><td>${c.x_finshield_kind}</td>
        <td><${Tlp} tlp=${c.x_finshield_default_tlp} /></td><td>${c.can_read ? tr('yes', '是') : tr('no', '否')}</td>
        <td>${c.can_write ? tr('yes', '是') : tr('no', '否')}</td><td class="mono">${c.id}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}

function Taxii({ r }) {
  const origin = location.origin;
  return html`<section class="card" aria-labelledby="tx-h">
    <h2 id="tx-h">${tr('Connecting your tools (TAXII 2.1)', '連接您的工具（TAXII 2.1）')}</h2>
    <${Facts} rows=${[
      [tr('Discovery', '探索端點'), html`<span class="mono">${origin}/taxii2/</span>`],
      [tr('API root', 'API 根'), html`<span class="mono">${origin}/taxii2/hub/</span>`],
      [tr('Authentication', '驗證方式'), tr('An API token (My account): HTTP Basic with the token as the password, or Authorization: Bearer.',
        'API 權杖（見「我的帳號」）：HTTP Basic 以權杖為密碼，或 Authorization: Bearer。')],
      [tr('Media type', '媒體類型'), html`<span class="mono">application/taxii+json;version=2.1</span>`],
    ]} />
    ${r.data && html`<h3>${tr('Collections you may read', '您可讀取的集合')}</h3><ul>${r.data.items.filter((c) => c.can_read).map((c) =>
      html`<li>${c.title}: <span class="mono">${origin}/taxii2/hub/collections/${c.id}/objects/</span></li>`)}</ul>`}
    <p>${tr('Example:', '範例：')}</p>
    <pre>curl -u "any:fsk_…" -H "Accept: application/taxii+json;version=2.1" ${origin}/taxii2/hub/collections/</pre>
  </section>`;
}

const TLP_IDS = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

export function Intel({ route }) {
  const tab = route.query.get('tab') || 'search';
  const object = route.query.get('object');
  const cols = useAsync(() => get('/api/v1/intel/collections'), []);
  // The hub says which collections the user may write to (the policy's collection rights).
  const canSubmit = Boolean(cols.data && cols.data.items.some((c) => c.can_write));
  const tabs = [['#/intel', tr('Search', '搜尋')]];
  if (canSubmit) tabs.push(['#/intel?tab=submit', tr('Submit', '提交')]);
  tabs.push(['#/intel?tab=collections', tr('Collections and TAXII', '集合與 TAXII')]);
  const current = object ? '' : tab === 'search' ? '#/intel' : '#/intel?tab=' + tab;
  return html`<${Page} title=${tr('Intelligence', '情資')}>
    <${Tabs} items=${tabs} current=${current} />
    ${object && html`<${ObjectView} id=${object} />`}
    ${!object && tab === 'search' && html`<${Search} asked=${route.query.get('q')} />`}
    ${!object && tab === 'submit' && html`<div class="grid"><${Submit} collections=${cols.data && cols.data.items} /><${Upload} collections=${cols.data && cols.data.items} /></div>`}
    ${!object && tab === 'collections' && html`<${Collections} r=${cols} /><${Taxii} r=${cols} />`}
  </${Page}>`;
}
