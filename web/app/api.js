// The REST API as the portal calls it: same-origin fetch with the session cookie (HttpOnly: no
// script here ever holds the session), the session's CSRF token on every change, errors as the
// hub words them. Nothing is kept in localStorage or sessionStorage.
let csrf = null;
let onSignedOut = () => {};

export function setCsrf(token) {
  csrf = token || null;
}

export function whenSignedOut(fn) {
  onSignedOut = fn;
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.detail || e.title || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || '';
    this.detail = e.detail || '';
    this.detailZh = e.detail_zh || e.detail || '';
    this.where = e.where || '';
    this.requestId = e.request_id || '';
  }
}

// method, path, and a body: an object (sent as JSON), or {raw: Blob|string, type} for raw bytes.
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json' };
  let data;
  if (body && body.raw !== undefined) {
    data = body.raw;
    headers['Content-Type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    data = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers, body: data, credentials: 'same-origin', cache: 'no-store' });
  if (opts.blob && r.ok) return r.blob();
  const text = await r.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!r.ok) {
    const err = new ApiError(r.status, json);
    if (r.status === 401 && !opts.quiet) onSignedOut(err);
    throw err;
  }
  return json;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path, body) => api('DELETE', path, body);

// A query string from an object, leaving out empty values.
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

export const enc = encodeURIComponent;
