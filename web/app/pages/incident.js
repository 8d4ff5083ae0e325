// One case: its level and the reason, the four legal clocks with time left, status changes,
// timeline and notes, tasks, evidence (upload, download), help requests and response-team
// assignments (accept or decline), the closing report's seven parts (and a printable view), and
// the publication of sanitized indicators. Every action is the REST API's; the hub decides who
// may do what and says so.
import { html, useState, Page, Input, Select, Check, TextArea, ErrorBox, Success, Loading, useAsync, useSubmit, Countdown, Facts, Tlp, may } from '../ui.js';
import { get, post, patch, qs, enc } from '../api.js';
import { tr, fmtTime, fmtNum, label, labelValues, localInputToIso, isZh } from '../i18n.js';

const PARTS = ['times', 'scope', 'damage_control', 'investigation', 'root_cause', 'preventive_measures', 'follow_up'];
const SKILLS = ['forensics', 'malware_analysis', 'ddos_mitigation', 'active_directory', 'mainframe', 'cloud', 'payment_systems',
  'network', 'endpoint', 'threat_hunting', 'web_application', 'database', 'ransomware_recovery', 'coordination'];

function Card({ id, title, children }) {
  return html`<section class="card" aria-labelledby=${id}><h2 id=${id}>${title}</h2>${children}</section>`;
}

function Clocks({ inc, at }) {
  return html`<${Card} id="c-clocks" title=${tr('Legal clocks', '法定時限')}>
    <div class="table-wrap"><table><thead><tr><th scope="col">${tr('Clock', '時限')}</th><th scope="col">${tr('Duration', '期間')}</th>
      <th scope="col">${tr('Due', '期限')}</th><th scope="col">${tr('State', '狀態')}</th><th scope="col">${tr('Met at', '達成時間')}</th></tr></thead>
      <tbody id="clocks">${(inc.clocks || []).map((c) => html`<tr><th scope="row">${label('clock', c.clock)}</th><td>${c.duration}</td>
        <td>${fmtTime(c.due_at)}</td><td><${Countdown} clock=${c} fetchedAt=${at} /></td><td>${fmtTime(c.met_at)}</td></tr>`)}</tbody></table></div>
  </${Card}>`;
}

function Status({ inc, reload }) {
  const [status, setStatus] = useState('');
  const [at, setAt] = useState('');
  const [note, setNote] = useState('');
  const [state, submit] = useSubmit(async () => {
    await post(`/api/v1/incidents/${enc(inc.id)}/status`, { status, at: localInputToIso(at), note: note || undefined, version: inc.version });
    setNote('');
    reload();
    return tr('Status changed.', '狀態已變更。');
  });
  // The workflow moves forward only (a draft is first reported): the statuses after this one.
  const order = labelValues('status').filter((s) => s !== 'merged');
  const next = inc.status === 'draft' ? ['reported'] : order.slice(order.indexOf(inc.status) + 1);
  return html`<form onSubmit=${submit}>
    <h3>${tr('Change the status', '變更狀態')}</h3>
    <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
    <div class="row">
      <${Select} id="st-status" label=${tr('New status', '新狀態')} value=${status} onChange=${setStatus} options=${[['', tr('Choose…', '請選擇…')], ...next.map((s) => [s, label('status', s)])]} />
      <${Input} id="st-at" type="datetime-local" label=${tr('When (empty: now)', '時間（空白為現在）')} value=${at} onInput=${setAt} />
      <${Input} id="st-note" label=${tr('Note', '備註')} value=${note} onInput=${setNote} />
      <div class="field"><button type="submit" disabled=${!status || state.busy}>${tr('Change', '變更')}</button></div>
    </div>
  </form>`;
}

function Level({ inc, reload }) {
  const [level, setLevel] = useState(String(inc.level));
  const [reason, setReason] = useState('');
  const [state, submit] = useSubmit(async () => {
    await post(`/api/v1/incidents/${enc(inc.id)}/level`, { level: Number(level), reason: reason || undefined, version: inc.version });
    reload();
  });
  return html`<form onSubmit=${submit}><h3>${tr('Confirm the level (hub analysts)', '確認級別（中樞分析師）')}</h3>
    <${ErrorBox} error=${state.error} />
    <div class="row"><${Select} id="lv-level" label=${tr('Level', '級別')} value=${level} onChange=${setLevel} options=${[['1', '1'], ['2', '2'], ['3', '3'], ['4', '4']]} />
      <${Input} id="lv-reason" label=${tr('Reason (needed when it differs from the proposal)', '理由（與建議不同時必填）')} value=${reason} onInput=${setReason} />
      <div class="field"><button type="submit" disabled=${state.busy}>${tr('Confirm', '確認')}</button></div></div>
  </form>`;
}

function Timeline({ id }) {
  const r = useAsync(() => get(`/api/v1/incidents/${enc(id)}/timeline`), [id]);
  const [text, setText] = useState('');
  const [state, submit] = useSubmit(async () => {
    await post(`/api/v1/incidents/${enc(id)}/timeline`, { text });
    setText('');
    r.reload();
  });
  return html`<${Card} id="c-timeline" title=${tr('Timeline', '時間軸')}>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && html`<ol>${r.data.items.map((e) => html`<li><strong>${fmtTime(e.at)}</strong> · ${e.kind} · ${e.actor}${e.text ? html`<br />${e.text}` : ''}</li>`)}</ol>`}
    <form onSubmit=${submit}><${ErrorBox} error=${state.error} />
      <${TextArea} id="tl-note" label=${tr('Add a note', '新增紀錄')} value=${text} onInput=${setText} required />
      <button type="submit" disabled=${!text || state.busy}>${tr('Add', '新增')}</button></form>
  </${Card}>`;
}

function Tasks({ id }) {
  const r = useAsync(() => get(`/api/v1/incidents/${enc(id)}/tasks`), [id]);
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const [state, submit] = useSubmit(async () => {
    await post(`/api/v1/incidents/${enc(id)}/tasks`, { title, owner: owner || undefined, due_at: localInputToIso(due) });
    setTitle(''); setOwner(''); setDue('');
    r.reload();
  });
  const [upd, update] = useSubmit(async (t, status) => {
    await patch(`/api/v1/incidents/${enc(id)}/tasks/${enc(t.id)}`, { status, version: t.version });
    r.reload();
  });
  return html`<${Card} id="c-tasks" title=${tr('Tasks', '工作項目')}>
    <${ErrorBox} error=${r.error || upd.error} />
    ${r.data && html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr('Task', '項目')}</th><th scope="col">${tr('Owner', '負責人')}</th>
      <th scope="col">${tr('Due', '期限')}</th><th scope="col">${tr('Status', '狀態')}</th><th scope="col">${tr('Action', '動作')}</th></tr></thead>
      <tbody>${r.data.items.map((t) => html`<tr><td>${t.title}</td><td>${t.owner || '—'}</td><td class=${t.overdue ? 'state-overdue' : ''}>${fmtTime(t.due_at)}</td>
        <td>${t.status}</td><td>${t.status === 'open' && html`<button class="secondary" onClick=${() => update(t, 'done')}
          aria-label=${tr('Mark done: ', '標記完成：') + t.title}>${tr('Done', '完成')}</button>`}</td></tr>`)}</tbody></table></div>`}
    <form onSubmit=${submit} class="row"><${ErrorBox} error=${state.error} />
      <${Input} id="tk-title" label=${tr('New task', '新工作項目')} value=${title} onInput=${setTitle} required />
      <${Input} id="tk-owner" label=${tr('Owner', '負責人')} value=${owner} onInput=${setOwner} />
      <${Input} id="tk-due" type="datetime-local" label=${tr('Due', '期限')} value=${due} onInput=${setDue} />
      <div class="field"><button type="submit" disabled=${!title || state.busy}>${tr('Add', '新增')}</button></div></form>
  </${Card}>`;
}

function Evidence({ id }) {
  const r = useAsync(() => get(`/api/v1/incidents/${enc(id)}/evidence`), [id]);
  const [file, setFile] = useState(null);
  const [state, submit] = useSubmit(async () => {
    await post(`/api/v1/incidents/${enc(id)}/evidence` + qs({ name: file.name.replace(/[\/\\]/g, '_') }), { raw: file, type: file.type || 'application/octet-stream' });
    setFile(null);
    r.reload();
    return tr('Uploaded.', '已上傳。');
  });
  return html`<${Card} id="c-evidence" title=${tr('Evidence', '證據檔案')}>
    <${ErrorBox} error=${r.error} />
    ${r.data && html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr('File', '檔案')}</th><th scope="col">${tr('Size', '大小')}</th>
      <th scope="col">SHA-256</th><th scope="col">${tr('By', '上傳者')}</th><th scope="col">${tr('At', '時間')}</th></tr></thead>
      <tbody>${r.data.items.map((e) => html`<tr><td><a href=${`/api/v1/incidents/${enc(id)}/evidence/${enc(e.id)}`} download=${e.name}>${e.name}</a></td>
        <td>${fmtNum(e.size)}</td><td class="mono">${e.sha256}</td><td>${e.uploaded_by}</td><td>${fmtTime(e.created_at)}</td></tr>`)}</tbody></table></div>`}
    <form onSubmit=${submit} class="row"><${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
      <div class="field"><label for="ev-file">${tr('Upload a file', '上傳檔案')}</label>
        <input type="file" id="ev-file" onChange=${(e) => setFile(e.target.files[0] || null)} /></div>
      <div class="field"><button type="submit" disabled=${!file || state.busy}>${tr('Upload', '上傳')}</button></div></form>
  </${Card}>`;
}

function Teams({ inc, session, reload }) {
  const r = useAsync(() => get(`/api/v1/incidents/${enc(inc.id)}/assignments`), [inc.id, inc.version]);
  const [skills, setSkills] = useState([]);
  const [note, setNote] = useState('');
  const [team, setTeam] = useState('');
  const [help, askHelp] = useSubmit(async () => {
    await post(`/api/v1/incidents/${enc(inc.id)}/help`, { skills, note: note || undefined });
    r.reload(); reload();
    return tr('Help asked: the best matching team was offered the case.', '已請求支援：已將案件提供給最適合的小組。');
  });
  const [offer, doOffer] = useSubmit(async () => {
    await post(`/api/v1/incidents/${enc(inc.id)}/assignments`, { team });
    r.reload();
  });
  const [ans, answer] = useSubmit(async (a, verb) => {
    await post(`/api/v1/incidents/${enc(inc.id)}/assignments/${enc(a.id)}/${verb}`, { version: a.version });
    r.reload(); reload();
    return verb === 'accept' ? tr('Accepted: your team may now work the case.', '已接受：貴小組可處理此案件。') : tr('Declined.', '已婉拒。');
  });
  const toggle = (s) => setSkills(skills.includes(s) ? skills.filter((x) => x !== s) : [...skills, s]);
  return html`<${Card} id="c-teams" title=${tr('Response teams', '應變小組')}>
    <${ErrorBox} error=${r.error || ans.error} /><${Success}>${ans.done}</${Success}>
    ${r.data && html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr('Team', '小組')}</th><th scope="col">${tr('Kind', '種類')}</th>
      <th scope="col">${tr('State', '狀態')}</th><th scope="col">${tr('Offered', '提供時間')}</th><th scope="col">${tr('Answer', '回覆')}</th></tr></thead>
      <tbody id="assignments">${r.data.items.map((a) => html`<tr><td>${a.team}</td><td>${a.kind}</td><td>${label('assignment', a.status)}</td><td>${fmtTime(a.offered_at)}</td>
        <td>${a.status === 'offered' && may(session, 'team_answer') ? html`<div class="row">
          <button onClick=${() => answer(a, 'accept')}>${tr('Accept', '接受')}</button>
          <button class="secondary" onClick=${() => answer(a, 'decline')}>${tr('Decline', '婉拒')}</button></div>`
          : a.answered_by ? `${a.answered_by} · ${fmtTime(a.answered_at)}` : '—'}</td></tr>`)}
        ${!r.data.items.length && html`<tr><td colspan="5" class="muted">${tr('No team asked yet.', '尚未請求任何小組。')}</td></tr>`}</tbody></table></div>`}
    ${may(session, 'incident_work') && html`<form onSubmit=${askHelp}>
      <h3>${tr('Ask for help', '請求支援')}</h3><${ErrorBox} error=${help.error} /><${Success}>${help.done}</${Success}>
      <fieldset><legend>${tr('Skills needed', '所需專長')}</legend><div class="row">
        ${SKILLS.map((s) => html`<label class="check" for=${'sk-' + s}><input type="checkbox" id=${'sk-' + s} checked=${skills.includes(s)} onChange=${() => toggle(s)} />${s}</label>`)}
      </div></fieldset>
      <${Input} id="help-note" label=${tr('Note', '說明')} value=${note} onInput=${setNote} />
      <button type="submit" disabled=${!skills.length || help.busy}>${tr('Ask for help', '請求支援')}</button></form>`}
    ${may(session, 'incident_grade') && html`<form onSubmit=${doOffer} class="row"><${ErrorBox} error=${offer.error} />
      <${Input} id="offer-team" label=${tr('Offer to a team (code)', '提供給小組（代碼）')} value=${team} onInput=${setTeam} />
      <div class="field"><button type="submit" disabled=${!team || offer.busy}>${tr('Offer', '提供')}</button></div></form>`}
  </${Card}>`;
}

function ClosingReport({ inc }) {
  const r = useAsync(() => get(`/api/v1/incidents/${enc(inc.id)}/closing-report`), [inc.id]);
  const [parts, setParts] = useState(null);
  const cur = parts || (r.data && r.data.parts) || {};
  const [state, submit] = useSubmit(async () => {
    const body = { parts: {} };
    for (const p of PARTS) if (cur[p]) body.parts[p] = cur[p];
    if (r.data && r.data.version) body.version = r.data.version;
    await post(`/api/v1/incidents/${enc(inc.id)}/closing-report`, body);
    setParts(null);
    r.reload();
    return tr('Saved.', '已儲存。');
  });
  return html`<${Card} id="c-report" title=${tr('Closing report', '結案報告')}>
    <${ErrorBox} error=${r.error && r.error.status !== 404 ? r.error : null} />
    ${r.data && html`<p>${r.data.complete ? tr('Complete.', '已完整。') : tr('Missing: ', '尚缺：') + (r.data.missing || []).map((m) => label('part', m)).join(isZh() ? '、' : ', ')}
      <a href=${'#/incidents/' + enc(inc.id) + '/report'}>${tr('Printable view', '列印版')}</a></p>`}
    <form onSubmit=${submit}><${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
      ${PARTS.map((p, n) => html`<${TextArea} id=${'part-' + p} label=${`${n + 1}. ${label('part', p)}`} value=${cur[p] || ''}
        onInput=${(v) => setParts({ ...cur, [p]: v })} />`)}
      <button type="submit" disabled=${state.busy}>${tr('Save the report', '儲存報告')}</button>
    </form>
  </${Card}>`;
}

function Publish({ inc }) {
  const r = useAsync(() => get(`/api/v1/incidents/${enc(inc.id)}/publications`), [inc.id]);
  const [tlp, setTlp] = useState('amber');
  const [hide, setHide] = useState(inc.hide_reporter);
  const [state, submit] = useSubmit(async () => {
    const p = await post(`/api/v1/incidents/${enc(inc.id)}/publications`, { tlp, hide_reporter: hide });
    r.reload();
    return tr(`Published ${p.indicators} indicators.`, `已發布 ${p.indicators} 個指標。`);
  });
  return html`<${Card} id="c-pub" title=${tr('Share sanitized indicators', '分享去識別化指標')}>
    <p class="muted">${tr('Only the case’s observables that are not your own assets, as STIX indicators; no free text of the case.',
      '僅分享非本機構資產的觀察值（STIX 指標），不含案件的任何文字內容。')}</p>
    <${ErrorBox} error=${r.error} />
    ${r.data && html`<ul>${r.data.items.map((p) => html`<li>${fmtTime(p.created_at)} · <${Tlp} tlp=${p.tlp} /> · ${fmtNum(p.indicators)} ${tr('indicators', '個指標')}</li>`)}</ul>`}
    <form onSubmit=${submit} class="row"><${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
      <${Select} id="pub-tlp" label="TLP" value=${tlp} onChange=${setTlp} options=${['clear', 'green', 'amber', 'amber+strict'].map((x) => [x, 'TLP:' + x.toUpperCase()])} />
      <${Check} id="pub-hide" label=${tr('Under the hub’s identity', '以中樞名義')} checked=${hide} onChange=${setHide} />
      <div class="field"><button type="submit" disabled=${state.busy}>${tr('Publish', '發布')}</button></div></form>
  </${Card}>`;
}

function Printable({ inc }) {
  const r = useAsync(() => get(`/api/v1/incidents/${enc(inc.id)}/closing-report`), [inc.id]);
  return html`<article>
    <p class="no-print"><button onClick=${() => window.print()}>${tr('Print', '列印')}</button> <a href=${'#/incidents/' + enc(inc.id)}>${tr('Back to the case', '回案件')}</a></p>
    <h2>${tr('Incident investigation, handling and improvement report', '資安事件調查、處理及改善報告')}</h2>
    <${Facts} rows=${[[tr('Case', '案號'), inc.ref], [tr('Organisation', '機構'), isZh() ? inc.org.name_zh : inc.org.name_en], [tr('Title', '標題'), inc.title],
      [tr('Category', '類別'), label('category', inc.category)], [tr('Level', '級別'), inc.level], [tr('Status', '狀態'), label('status', inc.status)]]} />
    <${ErrorBox} error=${r.error} />
    ${r.data && PARTS.map((p, n) => html`<section><h3>${n + 1}. ${label('part', p)}</h3><p>${(r.data.parts || {})[p] || '—'}</p></section>`)}
    ${r.data && html`<p class="muted">${tr('Last saved ', '最後儲存於 ')}${fmtTime(r.data.updated_at)} · ${r.data.updated_by || ''}</p>`}
  </article>`;
}

export function IncidentView({ id, view, session }) {
  const r = useAsync(async () => ({ inc: await get('/api/v1/incidents/' + enc(id)), at: Date.now() }), [id]);
  if (r.loading && !r.data) return html`<${Loading} when=${true} />`;
  if (r.error) return html`<${Page} title=${tr('Incident', '事件')}><${ErrorBox} error=${r.error} /></${Page}>`;
  const { inc, at } = r.data;
  const title = `${inc.ref} ${inc.title}`;
  if (view === 'report') return html`<${Page} title=${title}><${Printable} inc=${inc} /></${Page}>`;
  const p = inc.proposal;
  return html`<${Page} title=${title}>
    <div class="card">
      <${Facts} rows=${[
        [tr('Organisation', '機構'), isZh() ? inc.org.name_zh : inc.org.name_en],
        inc.sector_ref && [tr('Sector number', '全體案號'), inc.sector_ref],
        [tr('Status', '狀態'), html`<span id="inc-status">${label('status', inc.status)}</span>`],
        [tr('Level', '級別'), html`<span id="inc-level">${inc.level}</span> ${inc.level_state === 'proposed' ? tr('(proposed by the hub)', '（中樞建議）') : tr('(confirmed)', '（已確認）')}`],
        p && [tr('Why this level', '分級理由'), html`<span id="inc-reason">${isZh() ? p.reason_zh : p.reason_en}</span>`],
        inc.level_reason && [tr('Hub’s reason', '中樞理由'), inc.level_reason],
        [tr('Category', '類別'), label('category', inc.category)],
        [tr('Discovered', '發現時間'), fmtTime(inc.times && inc.times.discovered_at)],
        [tr('Reporter', '通報人'), inc.reporter && inc.reporter.name],
        ['TLP', html`<${Tlp} tlp=${inc.tlp} />`],
        [tr('Services', '受影響業務'), (inc.services || []).join(isZh() ? '、' : ', ') || '—'],
      ]} />
      ${inc.description && html`<p>${inc.description}</p>`}
      ${may(session, 'incident_work') && html`<${Status} inc=${inc} reload=${r.reload} />`}
      ${may(session, 'incident_grade') && html`<${Level} inc=${inc} reload=${r.reload} />`}
    </div>
    <${Clocks} inc=${inc} at=${at} />
    <${Teams} inc=${inc} session=${session} reload=${r.reload} />
    <${Timeline} id=${inc.id} />
    <${Tasks} id=${inc.id} />
    <${Evidence} id=${inc.id} />
    ${['recovered', 'closed'].includes(inc.status) && html`<${ClosingReport} inc=${inc} />`}
    ${!['recovered', 'closed'].includes(inc.status) && html`<p class="muted">${tr('The closing report opens once the case is recovered.', '案件復原後即可撰寫結案報告。')}
      <a href=${'#/incidents/' + enc(inc.id) + '/report'}>${tr('Printable view', '列印版')}</a></p>`}
    ${may(session, 'incident_publish') && html`<${Publish} inc=${inc} />`}
  </${Page}>`;
}
