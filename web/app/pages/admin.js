// Administration: organisations, users and their roles, tokens (a new one shown once), the
// audit trail with its verification, and the hub's settings that are safe to show. Each tab
// shows what the REST API answers the signed-in user: the policy decides, not this page.
import { html, useState, Page, Input, Select, ErrorBox, Success, Loading, useAsync, useSubmit, PagedTable, Tabs, Facts, may } from '../ui.js';
import { get, post, patch, qs, enc } from '../api.js';
import { tr, fmtTime, fmtNum, label, labelValues, getLang } from '../i18n.js';
import { Tokens } from './account.js';

function Orgs({ session }) {
  const [q, setQ] = useState('');
  const [industry, setIndustry] = useState('');
  const [applied, setApplied] = useState({ q: '', industry: '' });
  const [gen, setGen] = useState(0);
  const [f, setF] = useState({ code: '', name_zh: '', name_en: '', industry: 'bank', size_tier: 'medium' });
  const [state, submit] = useSubmit(async () => {
    await post('/api/v1/orgs', f);
    setGen(gen + 1);
    return tr('Registered.', '已登錄。');
  });
  const set = (k) => (v) => setF({ ...f, [k]: v });
  return html`
    <form class="card row" onSubmit=${(e) => { e.preventDefault(); setApplied({ q, industry }); }} role="search">
      <${Input} id="o-q" label=${tr('Code or name contains', '代碼或名稱包含')} value=${q} onInput=${setQ} />
      <${Select} id="o-industry" label=${tr('Industry', '產業')} value=${industry} onChange=${setIndustry} options=${[['', tr('Any', '全部')], ...labelValues('industry').map((i) => [i, label('industry', i)])]} />
      <div class="field"><button type="submit">${tr('Search', '搜尋')}</button></div>
    </form>
    <${PagedTable} deps=${[applied.q, applied.industry, gen]} caption=${tr('Organisations', '機構')}
      load=${(after) => get('/api/v1/orgs' + qs({ ...applied, after, limit: 50 }))}
      columns=${[
        { title: tr('Code', '代碼'), render: (o) => html`<span class="mono">${o.code}</span>` },
        { title: tr('Name', '名稱'), render: (o) => (getLang() === 'en' ? o.name_en : o.name_zh) },
        { title: tr('Industry', '產業'), render: (o) => label('industry', o.industry) },
        { title: tr('Size', '規模'), key: 'size_tier' },
        { title: tr('Status', '狀態'), key: 'status' },
      ]} />
    ${may(session, 'org_create') && html`<form class="card" onSubmit=${submit} aria-labelledby="neworg-h">
      <h2 id="neworg-h">${tr('Register an institution', '登錄機構')}</h2>
      <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
      <div class="row">
        <${Input} id="no-code" label=${tr('Code', '代碼')} value=${f.code} onInput=${set('code')} required />
        <${Input} id="no-zh" label=${tr('Name in Chinese', '中文名稱')} value=${f.name_zh} onInput=${set('name_zh')} required />
        <${Input} id="no-en" label=${tr('Name in English', '英文名稱')} value=${f.name_en} onInput=${set('name_en')} required />
        <${Select} id="no-ind" label=${tr('Industry', '產業')} value=${f.industry} onChange=${set('industry')} options=${labelValues('industry').map((i) => [i, label('industry', i)])} />
        <${Select} id="no-size" label=${tr('Size', '規模')} value=${f.size_tier} onChange=${set('size_tier')} options=${[['large', tr('Large', '大型')], ['medium', tr('Medium', '中型')], ['small', tr('Small', '小型')]]} />
      </div>
      <button type="submit" disabled=${state.busy}>${tr('Register', '登錄')}</button>
    </form>`}`;
}

function Users({ session }) {
  const [org, setOrg] = useState('');
  const [roleF, setRoleF] = useState('');
  const [applied, setApplied] = useState({ org: '', role: '' });
  const [gen, setGen] = useState(0);
  const [f, setF] = useState({ org: session.org.code, username: '', display_name: '', role: 'member-analyst', password: '' });
  const set = (k) => (v) => setF({ ...f, [k]: v });
  const [state, submit] = useSubmit(async () => {
    await post('/api/v1/users', { ...f, password: f.password || undefined });
    setGen(gen + 1);
    setF({ ...f, username: '', display_name: '', password: '' });
    return tr('User created.', '已建立使用者。');
  });
  const [st, setStatus] = useSubmit(async (u, status) => {
    await patch('/api/v1/users/' + enc(u.id), { status, version: u.version });
    setGen(gen + 1);
  });
  const roles = labelValues('role');
  return html`
    <form class="card row" onSubmit=${(e) => { e.preventDefault(); setApplied({ org, role: roleF }); }} role="search">
      <${Input} id="u-org" label=${tr('Organisation code', '機構代碼')} value=${org} onInput=${setOrg} />
      <${Select} id="u-role" label=${tr('Role', '角色')} value=${roleF} onChange=${setRoleF} options=${[['', tr('Any', '全部')], ...roles.map((r) => [r, label('role', r)])]} />
      <div class="field"><button type="submit">${tr('Search', '搜尋')}</button></div>
    </form>
    <${ErrorBox} error=${st.error} />
    <${PagedTable} deps=${[applied.org, applied.role, gen]} caption=${tr('Users', '使用者')}
      load=${(after) => get('/api/v1/users' + qs({ ...applied, after, limit: 50 }))}
      columns=${[
        { title: tr('User name', '使用者名稱'), render: (u) => html`<span class="mono">${u.username}</span>` },
        { title: tr('Name', '姓名'), key: 'display_name' },
        { title: tr('Organisation', '機構'), key: 'org_code' },
        { title: tr('Role', '角色'), render: (u) => label('role', u.role) },
        { title: tr('Second factor', '第二因素'), render: (u) => (u.totp_enabled ? tr('yes', '是') : tr('no', '否')) },
        { title: tr('Status', '狀態'), render: (u) => `${u.status}${u.locked ? tr(' (locked out somewhere)', '（某位址被鎖定）') : ''}` },
        { title: tr('Action', '動作'), render: (u) => html`<button class="secondary" onClick=${() => setStatus(u, u.status === 'active' ? 'disabled' : 'active')}
            aria-label=${(u.status === 'active' ? tr('Disable ', '停用 ') : tr('Enable ', '啟用 ')) + u.username}>
            ${u.status === 'active' ? tr('Disable', '停用') : tr('Enable', '啟用')}</button>` },
      ]} />
    ${may(session, 'user_manage') && html`<form class="card" onSubmit=${submit} aria-labelledby="newuser-h">
      <h2 id="newuser-h">${tr('Create a user', '建立使用者')}</h2>
      <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
      <div class="row">
        <${Input} id="nu-org" label=${tr('Organisation code', '機構代碼')} value=${f.org} onInput=${set('org')} required />
        <${Input} id="nu-name" label=${tr('User name', '使用者名稱')} value=${f.username} onInput=${set('username')} required
          placeholder=${'name@' + (f.org || session.org.code)}
          hint=${may(session, 'user_name_any') ? tr('NAME, or NAME@ and the organisation code', 'NAME，或 NAME@機構代碼')
            : tr(`Ends with @${f.org || session.org.code}, your organisation's code`, `以貴機構代碼 @${f.org || session.org.code} 結尾`)} />
        <${Input} id="nu-display" label=${tr('Full name', '姓名')} value=${f.display_name} onInput=${set('display_name')} required />
        <${Select} id="nu-role" label=${tr('Role', '角色')} value=${f.role} onChange=${set('role')} options=${roles.map((r) => [r, label('role', r)])} />
        <${Input} id="nu-password" type="password" label=${tr('Initial password (optional)', '初始密碼（選填）')} value=${f.password} onInput=${set('password')} autocomplete="new-password" />
      </div>
      <button type="submit" disabled=${state.busy}>${tr('Create', '建立')}</button>
    </form>`}`;
}

function TokensTab({ session }) {
  const [user, setUser] = useState(session.user.username);
  const [applied, setApplied] = useState(user);
  return html`<form class="card row" onSubmit=${(e) => { e.preventDefault(); setApplied(user.trim()); }}>
      <${Input} id="t-user" label=${tr('Tokens of user', '使用者的權杖')} value=${user} onInput=${setUser} />
      <div class="field"><button type="submit">${tr('Show', '顯示')}</button></div></form>
    <${Tokens} user=${applied} />`;
}

// Who reads only its organisation's records gets them without their place in the hub's chain
// (no seq or hashes) and cannot verify the chain: neither is offered.
function Audit({ session }) {
  const whole = may(session, 'audit_read_all');
  const [org, setOrg] = useState('');
  const [applied, setApplied] = useState('');
  const [orgError, setOrgError] = useState(null);
  // The trail is filtered by the organisation's id: the code typed is looked up first.
  const pick = async (e) => {
    e.preventDefault();
    setOrgError(null);
    if (!org.trim()) return setApplied('');
    try {
      setApplied((await get('/api/v1/orgs/' + enc(org.trim()))).id);
    } catch (err) {
      setOrgError(err);
    }
  };
  const [verdict, verify] = useSubmit(async () => get('/api/v1/audit/verify'));
  const v = verdict.done;
  return html`
    ${whole && html`<section class="card" aria-labelledby="verify-h"><h2 id="verify-h">${tr('Verify the trail', '驗證稽核軌跡')}</h2>
      <p class="muted">${tr('Checks every record’s hash link and names the first one altered, removed or reordered.', '檢查每筆紀錄的雜湊鏈結，並指出第一筆被竄改、刪除或重排的紀錄。')}</p>
      <button onClick=${verify} disabled=${verdict.busy}>${tr('Verify', '驗證')}</button>
      <${ErrorBox} error=${verdict.error} />
      ${v && html`<div class=${v.intact ? 'success' : 'error'} role="status" id="audit-verdict">
        ${v.intact ? tr('Intact: ', '完整：') : tr('Not intact: ', '不完整：')}${v.result} · ${tr('checked', '已檢查')} ${fmtNum(v.checked)}
        ${v.first_bad_seq ? ` · ${tr('first bad record', '第一筆異常紀錄')} ${v.first_bad_seq}` : ''} · ${tr('head', '鏈頭')} ${v.head_seq}</div>`}
    </section>`}
    <form class="card row" onSubmit=${pick}>
      <${ErrorBox} error=${orgError} />
      <${Input} id="a-org" label=${tr('Organisation code (empty: all you may read)', '機構代碼（空白為您可讀取的全部）')} value=${org} onInput=${setOrg} />
      <div class="field"><button type="submit">${tr('Show', '顯示')}</button></div></form>
    <${PagedTable} deps=${[applied]} caption=${tr('Audit records, oldest first', '稽核紀錄（最舊在前）')} rowKey=${(a) => a.seq ?? `${a.at}|${a.action}|${a.object_type}|${a.object_id}`}
      load=${(after) => get('/api/v1/audit' + qs({ org: applied, after, limit: 50 }))}
      columns=${[
        ...(whole ? [{ title: '#', key: 'seq' }] : []),
        { title: tr('At', '時間'), render: (a) => fmtTime(a.at, { seconds: true }) },
        { title: tr('Who', '操作者'), render: (a) => (a.actor_hidden ? tr('(anonymous)', '（匿名）') : a.actor_name) },
        { title: tr('Action', '動作'), render: (a) => html`<span class="mono">${a.action}</span>` },
        { title: tr('Object', '對象'), render: (a) => html`<span class="mono">${a.object_type} ${a.object_id || ''}</span>` },
        { title: tr('From', '來源'), render: (a) => a.source || '—' },
      ]} />`;
}

function Settings() {
  const r = useAsync(() => get('/api/v1/settings'), []);
  return html`<section class="card" aria-labelledby="set-h"><h2 id="set-h">${tr('Settings', '設定')}</h2>
    <p class="muted">${tr('Secrets are never shown; URLs without credentials.', '機密值一律不顯示；網址不含帳密。')}</p>
    <${ErrorBox} error=${r.error} /><${Loading} when=${r.loading} />
    ${r.data && html`<${Facts} rows=${[[tr('Hub', '中樞'), r.data.hub], [tr('Version', '版本'), r.data.version]]} />
      <div class="table-wrap"><table><thead><tr><th scope="col">${tr('Key', '設定項')}</th><th scope="col">${tr('Value', '值')}</th>
        <th scope="col">${tr('Default', '預設值')}</th><th scope="col">${tr('Meaning', '說明')}</th></tr></thead>
        <tbody>${r.data.items.map((s) => html`<tr><td class="mono">${s.key}</td><td class="mono">${String(s.value)}</td><td class="mono">${s.default}</td><td>${s.help}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}

export function Admin({ route, session }) {
  const tab = route.query.get('tab') || 'orgs';
  const tabs = [['orgs', tr('Organisations', '機構')], ['users', tr('Users and roles', '使用者與角色')], ['tokens', tr('Tokens', '權杖')],
    ['audit', tr('Audit trail', '稽核軌跡')], ['settings', tr('Settings', '設定')]].map(([k, t]) => ['#/admin?tab=' + k, t]);
  return html`<${Page} title=${tr('Administration', '管理')}>
    <${Tabs} items=${tabs} current=${'#/admin?tab=' + tab} />
    ${tab === 'orgs' && html`<${Orgs} session=${session} />`}
    ${tab === 'users' && html`<${Users} session=${session} />`}
    ${tab === 'tokens' && html`<${TokensTab} session=${session} />`}
    ${tab === 'audit' && html`<${Audit} session=${session} />`}
    ${tab === 'settings' && html`<${Settings} />`}
  </${Page}>`;
}
