// My account: language and calendar (kept with the user by the hub), password change, the
// second factor (enrol with the current password, confirm with a code; remove with the
// password), and my API tokens (a new one shown once).
import { html, useState, Page, Input, Select, ErrorBox, Success, useSubmit, PagedTable, Facts } from '../ui.js';
import { get, post, patch, del, qs, enc } from '../api.js';
import { tr, setPrefs, getLang, getCalendar, fmtTime, label } from '../i18n.js';

function Prefs({ session, setSession }) {
  const [lang, setLang] = useState(getLang());
  const [calendar, setCalendar] = useState(getCalendar());
  const [state, submit] = useSubmit(async () => {
    const s = await patch('/api/v1/me', { lang, calendar });
    setPrefs(s.prefs);
    setSession({ ...session, prefs: s.prefs });
    return tr('Saved.', '已儲存。');
  });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="prefs-h">
    <h2 id="prefs-h">${tr('Language and dates', '語言與日期')}</h2>
    <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
    <${Select} id="pref-lang" label=${tr('Language', '語言')} value=${lang} onChange=${setLang}
      options=${[['zh-TW', '繁體中文（台灣）'], ['en', 'English']]} />
    <${Select} id="pref-calendar" label=${tr('Calendar', '紀年')} value=${calendar} onChange=${setCalendar}
      options=${[['gregorian', tr('Gregorian (2026)', '西元（2026 年）')], ['roc', tr('ROC (民國115年)', '民國（民國115年）')]]} />
    <button type="submit" disabled=${state.busy}>${tr('Save', '儲存')}</button>
  </form>`;
}

function Password({ session }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [state, submit] = useSubmit(async () => {
    if (next !== again) throw new Error(tr('The two new passwords differ.', '兩次輸入的新密碼不同。'));
    await post(`/api/v1/users/${enc(session.user.id)}/password`, { current_password: current, password: next });
    setCurrent(''); setNext(''); setAgain('');
    return tr('Password changed.', '密碼已變更。');
  });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="pw-h">
    <h2 id="pw-h">${tr('Change password', '變更密碼')}</h2>
    <${ErrorBox} error=${state.error} /><${Success}>${state.done}</${Success}>
    <${Input} id="pw-current" type="password" label=${tr('Current password', '目前密碼')} value=${current} onInput=${setCurrent} autocomplete="current-password" required />
    <${Input} id="pw-new" type="password" label=${tr('New password', '新密碼')} value=${next} onInput=${setNext} autocomplete="new-password" required
      hint=${tr('At least 12 characters.', '至少 12 個字元。')} />
    <${Input} id="pw-again" type="password" label=${tr('New password again', '再次輸入新密碼')} value=${again} onInput=${setAgain} autocomplete="new-password" required />
    <button type="submit" disabled=${state.busy}>${tr('Change password', '變更密碼')}</button>
  </form>`;
}

function SecondFactor({ session, refresh }) {
  const enabled = session.user.totp_enabled;
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [uri, setUri] = useState(null);
  const path = `/api/v1/users/${enc(session.user.id)}/totp`;
  const secret = uri && (uri.match(/secret=([A-Z2-7]+)/) || [])[1];
  const [begin, doBegin] = useSubmit(async () => {
    const r = await post(path, { current_password: password });
    setUri(r.otpauth_uri);
    setPassword('');
  });
  const [confirm, doConfirm] = useSubmit(async () => {
    await post(path + '/confirm', { code: code.trim() });
    setUri(null); setCode('');
    await refresh();
    return tr('Second factor enabled: sign-ins now need a code.', '已啟用第二因素：登入時需輸入代碼。');
  });
  const [remove, doRemove] = useSubmit(async () => {
    await del(path, { current_password: password });
    setPassword('');
    await refresh();
    return tr('Second factor removed.', '已移除第二因素。');
  });
  return html`<div class="card" aria-labelledby="totp-h">
    <h2 id="totp-h">${tr('Second factor (TOTP)', '第二因素驗證（TOTP）')}</h2>
    <p>${enabled ? tr('Enabled: sign-ins need a code from your authenticator.', '已啟用：登入時需輸入驗證器代碼。')
                 : tr('Not enabled.', '尚未啟用。')}</p>
    <${ErrorBox} error=${begin.error || confirm.error || remove.error} />
    <${Success}>${confirm.done || remove.done}</${Success}>
    ${!uri && html`<form onSubmit=${doBegin}>
      <${Input} id="totp-password" type="password" label=${tr('Current password', '目前密碼')} value=${password} onInput=${setPassword} autocomplete="current-password" required />
      <div class="row">
        <button type="submit" disabled=${begin.busy}>${enabled ? tr('Enrol a new device', '改用新裝置') : tr('Enrol', '啟用')}</button>
        ${enabled && html`<button type="button" class="danger" disabled=${remove.busy} onClick=${doRemove}>${tr('Remove the second factor', '移除第二因素')}</button>`}
      </div>
    </form>`}
    ${uri && html`<form onSubmit=${doConfirm}>
      <p>${tr('Add this key to your authenticator app (or the link on a phone), then type the code it shows.',
              '請將此金鑰加入驗證器 App（或在手機上開啟連結），再輸入其顯示的代碼。')}</p>
      <${Facts} rows=${[[tr('Key', '金鑰'), html`<span class="mono secret" id="totp-secret">${secret}</span>`],
                        [tr('Link', '連結'), html`<a class="mono" href=${uri}>${uri}</a>`]]} />
      <${Input} id="totp-code" label=${tr('Code', '代碼')} value=${code} onInput=${setCode} inputmode="numeric" autocomplete="one-time-code" maxlength="6" required />
      <button type="submit" disabled=${confirm.busy}>${tr('Confirm', '確認')}</button>
    </form>`}
  </div>`;
}

export function Tokens({ user, title }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [shown, setShown] = useState(null);
  const [gen, setGen] = useState(0);
  const [state, submit] = useSubmit(async () => {
    const body = { user, name };
    if (days) body.days = Number(days);
    const t = await post('/api/v1/tokens', body);
    setShown(t);
    setName('');
    setGen(gen + 1);
  });
  const revoke = async (id) => {
    await del(`/api/v1/tokens/${enc(id)}`);
    setGen(gen + 1);
  };
  return html`<div class="card" aria-labelledby="tok-h">
    <h2 id="tok-h">${title || tr('API tokens', 'API 權杖')}</h2>
    <form onSubmit=${submit} class="row">
      <${Input} id="tok-name" label=${tr('Name', '名稱')} value=${name} onInput=${setName} required maxlength="100" />
      <${Input} id="tok-days" type="number" label=${tr('Days (empty: default)', '天數（空白為預設）')} value=${days} onInput=${setDays} min="1" />
      <div class="field"><button type="submit" disabled=${state.busy}>${tr('Create token', '建立權杖')}</button></div>
    </form>
    <${ErrorBox} error=${state.error} />
    ${shown && html`<div class="success" role="status">
      <p>${tr('Copy it now: it is shown once and the hub keeps only its hash.', '請立即複製：權杖只顯示這一次，中樞只保存其雜湊值。')}</p>
      <p class="mono" id="new-token">${shown.token}</p></div>`}
    <${PagedTable} deps=${[gen, user]} caption=${tr('Tokens', '權杖')}
      load=${(after) => get('/api/v1/tokens' + qs({ user, after, limit: 20 }))}
      columns=${[
        { title: tr('Name', '名稱'), key: 'name' },
        { title: tr('User', '使用者'), key: 'username' },
        { title: tr('Kind', '類型'), key: 'kind' },
        { title: tr('Starts with', '開頭'), render: (t) => html`<span class="mono">${t.prefix}</span>` },
        { title: tr('Expires', '到期'), render: (t) => fmtTime(t.expires_at) },
        { title: tr('State', '狀態'), render: (t) => (t.active ? tr('Active', '有效') : tr('Revoked or expired', '已撤銷或過期')) },
        { title: tr('Action', '動作'), render: (t) => t.active && html`<button class="secondary" onClick=${() => revoke(t.id)}
            aria-label=${tr('Revoke token ', '撤銷權杖 ') + t.name}>${tr('Revoke', '撤銷')}</button>` },
      ]} />
  </div>`;
}

export function Account({ session, refresh }) {
  const [s, setS] = useState(session);
  const setSession = (x) => { setS(x); refresh(); };
  return html`<${Page} title=${tr('My account', '我的帳號')}>
    <div class="card"><${Facts} rows=${[
      [tr('User name', '使用者名稱'), session.user.username],
      [tr('Name', '姓名'), session.user.display_name],
      [tr('Organisation', '機構'), getLang() === 'en' ? session.org.name_en : session.org.name_zh],
      [tr('Role', '角色'), label('role', session.user.role)],
    ]} /></div>
    <div class="grid">
      <${Prefs} session=${s} setSession=${setSession} />
      <${Password} session=${session} />
    </div>
    <${SecondFactor} session=${session} refresh=${refresh} />
    <${Tokens} user=${session.user.username} title=${tr('My API tokens', '我的 API 權杖')} />
  </${Page}>`;
}
