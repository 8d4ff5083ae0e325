// Sign-in: user name, password and, for a user who enrolled one, the second factor's code.
// The hub answers with a session cookie the page never sees, and the session's CSRF token.
import { html, useState, Page, Input, ErrorBox, useSubmit } from '../ui.js';
import { post } from '../api.js';
import { tr, setPrefs, getLang } from '../i18n.js';

export function SignIn({ onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [, setLang] = useState(getLang());
  const [state, submit] = useSubmit(async () => {
    const body = { username: username.trim(), password, cookie: true };
    if (totp.trim()) body.totp = totp.trim();
    const s = await post('/api/v1/session', body, { quiet: true });
    onSignedIn(s);
  });
  const other = getLang() === 'en' ? 'zh-TW' : 'en';
  return html`<main id="main" class="signin card">
    <${Page} title=${tr('Sign in to finshield', '登入金融資安聯防中樞')}
      actions=${html`<button class="secondary" lang=${other === 'en' ? 'en' : 'zh-Hant-TW'}
        onClick=${() => { setPrefs({ lang: other }); setLang(other); }}>${other === 'en' ? 'English' : '中文'}</button>`}>
      <form onSubmit=${submit} novalidate>
        <${ErrorBox} error=${state.error} />
        <${Input} id="username" label=${tr('User name', '使用者名稱')} value=${username} onInput=${setUsername}
          autocomplete="username" required autocapitalize="none" />
        <${Input} id="password" type="password" label=${tr('Password', '密碼')} value=${password}
          onInput=${setPassword} autocomplete="current-password" required />
        <${Input} id="totp" label=${tr('Authenticator code', '驗證器代碼')} value=${totp} onInput=${setTotp}
          inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6"
          hint=${tr('Six digits, if you enrolled a second factor.', '若已設定第二因素驗證，請輸入六位數代碼。')} />
        <button type="submit" disabled=${state.busy}>${tr('Sign in', '登入')}</button>
      </form>
    </${Page}>
  </main>`;
}
