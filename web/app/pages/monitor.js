// Monitoring: alerts live (the hub's Server-Sent Events stream), filtered and paged on the hub,
// one alert's event and matched field, acknowledgement and false positives; my organisation's
// event sources; sector alerts.
import { html, useState, useEffect, Page, Input, Select, ErrorBox, Success, Loading, useAsync, useSubmit, PagedTable, Tabs, Facts, TextArea, may } from '../ui.js';
import { get, post, qs, enc } from '../api.js';
import { tr, fmtTime, fmtNum, label, labelValues, localInputToIso } from '../i18n.js';

function Live({ onNew }) {
  const [events, setEvents] = useState([]);
  const [state, setState] = useState('connecting');
  useEffect(() => {
    const es = new EventSource('/api/v1/alerts/stream');
    es.onopen = () => setState('open');
    es.onerror = () => setState('retrying');
    es.addEventListener('alert', (e) => {
      try {
        const a = JSON.parse(e.data);
        setEvents((xs) => [a, ...xs].slice(0, 20));
        onNew && onNew(a);
      } catch (err) {
        /* a malformed event is skipped */
      }
    });
    return () => es.close();
  }, []);
  return html`<section class="card live" aria-labelledby="live-h">
    <h2 id="live-h">${tr('Live', '即時')} <span class="muted">(${state === 'open' ? tr('connected', '已連線') : tr('connecting…', '連線中…')})</span></h2>
    <ul aria-live="polite" id="live-alerts">${events.map((a) => html`<li>
      <a href=${'#/monitor?alert=' + enc(a.id)}>${a.ref_name}</a> · ${label('kind', a.kind)} · ${a.org_code} · ${a.value || ''} · ${fmtTime(a.last_at, { seconds: true })}</li>`)}</ul>
    ${!events.length && html`<p class="muted">${tr('New alerts appear here as they come.', '新告警將即時顯示於此。')}</p>`}
  </section>`;
}

function Alerts({ session }) {
  const [f, setF] = useState({ order: 'newest', kind: '', status: '', value: '', ref: '', source: '', since: '', until: '', org: '' });
  const [applied, setApplied] = useState(f);
  const [gen, setGen] = useState(0);
  const set = (k) => (v) => setF({ ...f, [k]: v });
  const load = (after) => get('/api/v1/alerts' + qs({ ...applied, since: localInputToIso(applied.since), until: localInputToIso(applied.until), after, limit: 50 }));
  return html`
    <${Live} onNew=${() => {}} />
    <form class="card" onSubmit=${(e) => { e.preventDefault(); setApplied(f); setGen(gen + 1); }} aria-labelledby="flt-h">
      <h2 id="flt-h">${tr('Filters', '篩選')}</h2>
      <div class="row">
        <${Select} id="f-order" label=${tr('Order', '排序')} value=${f.order} onChange=${set('order')} options=${[['newest', tr('Newest first', '最新在前')], ['oldest', tr('Oldest first', '最舊在前')]]} />
        <${Select} id="f-kind" label=${tr('Kind', '種類')} value=${f.kind} onChange=${set('kind')} options=${[['', tr('Any', '全部')], ...labelValues('kind').map((k) => [k, label('kind', k)])]} />
        <${Select} id="f-status" label=${tr('Review', '處理狀態')} value=${f.status} onChange=${set('status')} options=${[['', tr('Any', '全部')], ...labelValues('alertStatus').map((k) => [k, label('alertStatus', k)])]} />
        <${Input} id="f-value" label=${tr('Matched value', '比中值')} value=${f.value} onInput=${set('value')} />
        <${Input} id="f-ref" label=${tr('Indicator or rule id', '指標或規則識別碼')} value=${f.ref} onInput=${set('ref')} />
        <${Input} id="f-source" label=${tr('Source (e.g. syslog-tcp:10.0.0.1)', '來源（如 syslog-tcp:10.0.0.1）')} value=${f.source} onInput=${set('source')} />
        <${Input} id="f-since" type="datetime-local" label=${tr('Seen from', '起始時間')} value=${f.since} onInput=${set('since')} />
        <${Input} id="f-until" type="datetime-local" label=${tr('Seen before', '結束時間')} value=${f.until} onInput=${set('until')} />
        ${may(session, 'alerts_read_all') && html`<${Input} id="f-org" label=${tr('Organisation code', '機構代碼')} value=${f.org} onInput=${set('org')} />`}
        <div class="field"><button type="submit">${tr('Apply', '套用')}</button></div>
      </div>
    </form>
    <${PagedTable} deps=${[gen]} load=${load} caption=${tr('Alerts', '告警')} rowKey=${(a) => a.id}
      columns=${[
        { title: tr('Last seen', '最後出現'), render: (a) => fmtTime(a.last_at, { seconds: true }) },
        { title: tr('What matched', '比中項目'), render: (a) => html`<a href=${'#/monitor?alert=' + enc(a.id)}>${a.ref_name}</a>` },
        { title: tr('Kind', '種類'), render: (a) => label('kind', a.kind) },
        { title: tr('Organisation', '機構'), key: 'org_code' },
        { title: tr('Field and value', '欄位與值'), render: (a) => html`<span class="mono">${a.field || ''} ${a.value || ''}</span>` },
        { title: tr('Source', '來源'), render: (a) => html`<span class="mono">${a.source}</span>` },
        { title: tr('Count', '次數'), render: (a) => fmtNum(a.count) },
        { title: tr('Review', '處理狀態'), render: (a) => label('alertStatus', a.review && a.review.status) },
      ]} />`;
}

function AlertView({ id }) {
  const r = useAsync(() => get('/api/v1/alerts/' + enc(id)), [id]);
  const [note, setNote] = useState('');
  const [state, review] = useSubmit(async (status) => {
    await post(`/api/v1/alerts/${enc(id)}/review`, { status, note: note || null });
    r.reload();
    return tr('Saved.', '已儲存。');
  });
  const act = (status) => () => review(status);
  if (r.loading && !r.data) return html`<${Loading} when=${true} />`;
  if (r.error) return html`<${ErrorBox} error=${r.error} />`;
  const a = r.data;
  return html`<section class="card" aria-labelledby="al-h">
    <h2 id="al-h">${a.ref_name}</h2>
    <${Facts} rows=${[
      [tr('Kind', '種類'), label('kind', a.kind)], [tr('Organisation', '機構'), a.org_code],
      [tr('Severity', '嚴重度'), a.severity], [tr('Matched field', '比中欄位'), html`<span class="mono">${a.field || '—'}</span>`],
      [tr('Matched value', '比中值'), html`<span class="mono">${a.value || '—'}</span>`],
      [a.kind === 'ioc' ? tr('Indicator', '指標') : tr('Rule', '規則'), a.kind === 'ioc' ? html`<a class="mono" href=${'#/intel?object=' + enc(a.ref)}>${a.ref}</a>` : html`<span class="mono">${a.ref}</span>`],
      [tr('Source', '來源'), html`<span class="mono">${a.source}</span>`], [tr('Count', '次數'), fmtNum(a.count)],
      [tr('First seen', '首次出現'), fmtTime(a.first_at, { seconds: true })], [tr('Last seen', '最後出現'), fmtTime(a.last_at, { seconds: true })],
      [tr('Review', '處理狀態'), html`<span id="alert-status">${label('alertStatus', a.review.status)}</span>${a.review.by ? ` · ${a.review.by} · ${fmtTime(a.review.at)}` : ''}${a.review.note ? ` · ${a.review.note}` : ''}`],
    ]} />
    <h3>${tr('The event', '原始事件')}</h3><pre>${a.event}</pre>
    <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
    <${TextArea} id="review-note" label=${tr('Note (optional)', '備註（選填）')} value=${note} onInput=${setNote} maxlength="1000" />
    <div class="row">
      <button onClick=${act('acknowledged')} disabled=${state.busy}>${tr('Acknowledge', '確認')}</button>
      <button class="secondary" onClick=${act('false_positive')} disabled=${state.busy}>${tr('False positive', '標記為誤報')}</button>
      <button class="secondary" onClick=${act('new')} disabled=${state.busy}>${tr('Back to new', '改回新告警')}</button>
      <a href="#/monitor">${tr('Back to the alerts', '回告警列表')}</a>
    </div>
  </section>`;
}

function Sources() {
  return html`<section class="card" aria-labelledby="src-h">
    <h2 id="src-h">${tr('Event sources', '事件來源')}</h2>
    <p class="muted">${tr('Addresses and TLS client certificates the hub takes syslog from, as your organisation’s.', '中樞接受為貴機構 syslog 的位址範圍與 TLS 用戶端憑證。')}</p>
    <${PagedTable} caption=${tr('Event sources, by kind and match', '事件來源（依種類與比對值）')}
      load=${(after) => get('/api/v1/soc/sources' + qs({ after, limit: 50 }))}
      empty=${tr('None registered: ask the hub.', '尚未登錄，請洽中樞。')}
      columns=${[
        { title: tr('Kind', '種類'), key: 'kind' },
        { title: tr('Match', '比對值'), render: (s) => html`<span class="mono">${s.match}</span>` },
        { title: tr('Organisation', '機構'), key: 'org' },
      ]} />
  </section>`;
}

function Sector() {
  return html`<section class="card" aria-labelledby="sec-h">
    <h2 id="sec-h">${tr('Sector alerts', '聯防告警')}</h2>
    <p class="muted">${tr('The same indicator or rule at several organisations within the window, newest first.', '同一指標或規則於時間窗內在多家機構出現，最新在前。')}</p>
    <${PagedTable} caption=${tr('Sector alerts', '聯防告警')} empty=${tr('No sector alert.', '沒有聯防告警。')}
      load=${(after) => get('/api/v1/alerts/sector' + qs({ after, limit: 25 }))}
      columns=${[
        { title: tr('Threat', '威脅'), key: 'ref_name' },
        { title: tr('Kind', '種類'), render: (s) => label('kind', s.kind) },
        { title: tr('Organisations', '機構數'), render: (s) => fmtNum(s.organisations) },
        { title: tr('First seen', '首次'), render: (s) => fmtTime(s.first_at) },
        { title: tr('Last seen', '最後'), render: (s) => fmtTime(s.last_at) },
        { title: tr('Case', '案件'), render: (s) => (s.incident ? html`<a href=${'#/incidents/' + enc(s.incident)}>${tr('open', '開啟')}</a>` : '—') },
      ]} />
  </section>`;
}

export function Monitor({ route, session }) {
  const alert = route.query.get('alert');
  const tab = route.query.get('tab') || (may(session, 'alerts_read') ? 'alerts' : 'sector');
  const tabs = [];
  if (may(session, 'alerts_read')) tabs.push(['#/monitor', tr('Alerts', '告警')], ['#/monitor?tab=sources', tr('Event sources', '事件來源')]);
  if (may(session, 'sector_alerts_read')) tabs.push(['#/monitor?tab=sector', tr('Sector alerts', '聯防告警')]);
  const current = alert ? '' : tab === 'alerts' ? '#/monitor' : '#/monitor?tab=' + tab;
  return html`<${Page} title=${tr('Monitoring', '監控')}>
    <${Tabs} items=${tabs} current=${current} />
    ${alert && html`<${AlertView} id=${alert} />`}
    ${!alert && tab === 'alerts' && html`<${Alerts} session=${session} />`}
    ${!alert && tab === 'sources' && html`<${Sources} />`}
    ${!alert && tab === 'sector' && html`<${Sector} />`}
  </${Page}>`;
}
