// Helpers of the portal's end-to-end tests: a real hub in a temporary folder (`finshield init`,
// then `finshield serve` on a free loopback port), its REST API with tokens, TOTP codes, and
// Debian's chromium driven by playwright-core (from web/node_modules, installed by
// scripts/install-deps.sh).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'web', 'package.json'));
export const { chromium } = require('playwright-core');
export const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const BIN = path.resolve(process.env.FINSHIELD_BIN || path.join(ROOT, 'build', 'finshield'));
export const CHROMIUM = process.env.FINSHIELD_CHROMIUM || '/usr/bin/chromium';

export class Hub {
  constructor(config = '') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finshield-e2e-'));
    const p = spawnSync(BIN, ['init', '--data', this.dir], { encoding: 'utf8', env: { ...process.env, FINSHIELD_LANG: 'en' } });
    if (p.status !== 0) throw new Error('init failed: ' + p.stderr);
    this.adminToken = p.stdout.trim();
    fs.writeFileSync(path.join(this.dir, 'finshield.ini'),
      '[auth]\nargon2 = interactive\n[http]\naccess_log = off\nrate_per_second = 0\n' + config);
  }

  // A hub folder made otherwise (`finshield demo --no-serve`), with its administrator's token.
  static existing(dir, adminToken) {
    const h = Object.create(Hub.prototype);
    h.dir = dir;
    h.adminToken = adminToken;
    return h;
  }

  async start() {
    this.proc = spawn(BIN, ['serve', '--data', this.dir, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', fs.openSync(path.join(this.dir, 'serve.stderr'), 'a')],
      env: { ...process.env, FINSHIELD_LANG: 'en' },
    });
    this.url = await new Promise((resolve, reject) => {
      let buf = '';
      this.proc.stdout.on('data', (d) => {
        buf += d;
        const m = buf.match(/(https?:\/\/\S+?)\/? /);
        if (m) resolve(m[1].replace(/\/$/, ''));
      });
      this.proc.on('exit', (code) => reject(new Error('serve exited ' + code + ': ' + fs.readFileSync(path.join(this.dir, 'serve.stderr'), 'utf8'))));
    });
    return this;
  }

  async stop() {
    if (!this.proc) return 0;
    const done = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    this.proc.kill('SIGTERM');
    const code = await done;
    this.proc = null;
    return code;
  }

  cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async request(method, p, { token, body, raw, type } = {}) {
    const headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    let data;
    if (body !== undefined) {
      data = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    } else if (raw !== undefined) {
      data = raw;
      headers['Content-Type'] = type || 'text/plain';
    }
    const r = await fetch(this.url + p, { method, headers, body: data });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { json = null; }
    return { status: r.status, json, text, headers: r.headers };
  }

  // An admin call that must succeed.
  async admin(method, p, body) {
    const r = await this.request(method, p, { token: this.adminToken, body });
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text}`);
    return r.json;
  }
}

// RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at time t (seconds).
export function totp(secret, t = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// Debian's chromium, headless. Playwright gives it a new empty profile (--user-data-dir in a fresh
// temporary folder) and removes it at close; each user of a test gets its own context (cookies).
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
