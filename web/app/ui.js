// Shared pieces of the pages: headings that take focus, labelled fields, errors, server-paged
// tables, TLP badges and countdowns. Every list here pages on the server (next cursors).
import { html, useState, useEffect, useRef, useCallback } from './vendor/htm-preact.js';
import { tr, errText, label, fmtDuration } from './i18n.js';

export { html, useState, useEffect, useRef, useCallback };

// A page's heading, focused when another page opens (screen readers hear where they are); the
// first page of a load leaves the focus at the start, where the skip link is the first stop.
let pagesShown = 0;
export function Page({ title, children, actions }) {
  const ref = useRef(null);
  useEffect(() => {
    document.title = `${title} · finshield`;
    if (pagesShown++ && ref.current) ref.current.focus();
  }, [title]);
  return html`<section aria-labelledby="page-title">
    <div class="row"><h1 id="page-title" tabindex="-1" ref=${ref}>${title}</h1>${actions}</div>
    ${children}
  </section>`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<div class="error" role="alert">${typeof error === 'string' ? error : errText(error)}</div>`;
}

export function Success({ children }) {
  return children ? html`<div class="success" role="status">${children}</div>` : null;
}

export function Field({ id, label: text, hint, children }) {
  return html`<div class="field">
    <label for=${id}>${text}</label>${children}
    ${hint && html`<p class="hint" id=${id + '-hint'}>${hint}</p>`}
  </div>`;
}

export function Input({ id, label: text, hint, value, onInput, type = 'text', ...rest }) {
  return html`<${Field} id=${id} label=${text} hint=${hint}>
    <input id=${id} name=${id} type=${type} value=${value ?? ''} aria-describedby=${hint ? id + '-hint' : undefined}
      onInput=${(e) => onInput && onInput(e.target.value)} ...${rest} />
  </${Field}>`;
}

export function TextArea({ id, label: text, hint, value, onInput, ...rest }) {
  return html`<${Field} id=${id} label=${text} hint=${hint}>
    <textarea id=${id} name=${id} aria-describedby=${hint ? id + '-hint' : undefined}
      value=${value ?? ''} onInput=${(e) => onInput && onInput(e.target.value)} ...${rest}></textarea>
  </${Field}>`;
}

// options: [[value, text], ...]
export function Select({ id, label: text, hint, value, onChange, options, ...rest }) {
  return html`<${Field} id=${id} label=${text} hint=${hint}>
    <select id=${id} name=${id} value=${value ?? ''} aria-describedby=${hint ? id + '-hint' : undefined}
      onChange=${(e) => onChange && onChange(e.target.value)} ...${rest}>
      ${options.map(([v, t]) => html`<option value=${v} selected=${v === (value ?? '')}>${t}</option>`)}
    </select>
  </${Field}>`;
}

export function Check({ id, label: text, checked, onChange }) {
  return html`<div class="field"><label class="check" for=${id}>
    <input type="checkbox" id=${id} checked=${!!checked} onChange=${(e) => onChange(e.target.checked)} />${text}
  </label></div>`;
}

export function Tlp({ tlp }) {
  if (!tlp) return null;
  return html`<span class=${'badge tlp-' + tlp}>TLP:${String(tlp).toUpperCase()}</span>`;
}

// Loads fn() when deps change: {data, error, loading, reload}.
export function useAsync(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    Promise.resolve()
      .then(fn)
      .then((data) => live && setState({ data, error: null, loading: false }))
      .catch((error) => live && setState({ data: null, error, loading: false }));
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

export function Loading({ when }) {
  return when ? html`<p class="muted" role="status">${tr('Loading…', '載入中…')}</p>` : null;
}

// A table of one page at a time: load(after) gives {items, next}; the hub pages, sorts and
// filters. deps: what restarts from the first page (filters).
export function PagedTable({ load, columns, caption, deps = [], rowKey = (r) => r.id, empty, onItems }) {
  // The cursors of the pages seen, for the filters (deps) they were read with: new filters start
  // at the first page in the same render, never from a cursor of the old ones.
  const key = JSON.stringify(deps);
  const [pages, setPages] = useState({ key, cursors: [null] });
  const cursors = pages.key === key ? pages.cursors : [null];
  const setCursors = (c) => setPages({ key, cursors: c });
  const at = cursors[cursors.length - 1];
  const { data, error, loading } = useAsync(() => load(at), [at, key]);
  useEffect(() => {
    if (data && onItems) onItems(data.items || []);
  }, [data]);
  const items = (data && data.items) || [];
  return html`<div>
    <${ErrorBox} error=${error} />
    <div class="table-wrap"><table>
      ${caption && html`<caption>${caption}</caption>`}
      <thead><tr>${columns.map((c) => html`<th scope="col">${c.title}</th>`)}</tr></thead>
      <tbody>
        ${items.map((r) => html`<tr key=${rowKey(r)}>${columns.map((c) => html`<td>${c.render ? c.render(r) : r[c.key] ?? '—'}</td>`)}</tr>`)}
        ${!loading && !items.length && html`<tr><td colspan=${columns.length} class="muted">${empty || tr('Nothing here.', '沒有資料。')}</td></tr>`}
      </tbody>
    </table></div>
    <div class="pager">
      <button class="secondary" disabled=${cursors.length < 2} onClick=${() => setCursors(cursors.slice(0, -1))}>${tr('Previous page', '上一頁')}</button>
      <span class="muted">${tr('Page', '第')} ${cursors.length}${tr('', ' 頁')}</span>
      <button class="secondary" disabled=${!data || !data.next} onClick=${() => setCursors([...cursors, data.next])}>${tr('Next page', '下一頁')}</button>
      <${Loading} when=${loading} />
    </div>
  </div>`;
}

// A legal clock with its time left (or overdue), counting down every second from the answer.
export function Countdown({ clock, fetchedAt }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const passed = (now - (fetchedAt || now)) / 1000;
  let text = label('clockState', clock.state);
  let cls = 'state-' + clock.state;
  if (clock.state === 'running') {
    const left = (clock.seconds_left || 0) - passed;
    if (left <= 0) {
      text = tr('Overdue by ', '已逾期 ') + fmtDuration(-left);
      cls = 'state-overdue';
    } else {
      text = tr('Time left: ', '剩餘 ') + fmtDuration(left);
    }
  } else if (clock.state === 'overdue') {
    text = tr('Overdue by ', '已逾期 ') + fmtDuration((clock.seconds_overdue || 0) + passed);
  }
  return html`<span class=${cls}>${text}</span>`;
}

export function Tabs({ items, current }) {
  return html`<nav class="tabs" aria-label=${tr('Sections', '分頁')}>
    ${items.map(([href, text]) => html`<a href=${href} aria-current=${href === current ? 'page' : undefined}>${text}</a>`)}
  </nav>`;
}

export function Facts({ rows }) {
  return html`<dl class="facts">${rows.filter(Boolean).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

// A form's submit handling: runs fn, shows its error, and its success text.
export function useSubmit(fn) {
  const [state, setState] = useState({ busy: false, error: null, done: null });
  const submit = async (...args) => {
    if (args[0] && args[0].preventDefault) {
      args[0].preventDefault();
      args = [];
    }
    setState({ busy: true, error: null, done: null });
    try {
      const done = await fn(...args);
      setState({ busy: false, error: null, done: done || null });
    } catch (error) {
      setState({ busy: false, error, done: null });
    }
  };
  return [state, submit];
}

// Whether the session's user may do `what` in general, as the hub's policy answered at sign-in
// (the session's "may"): a page offers a form or a tab only then. The page decides nothing by
// role; the hub still decides every request.
export const may = (s, what) => Boolean(s && s.may && s.may[what]);
