// The browser suite's helpers: a database made with the sqlite3 shell, the join endpoint
// (examples/join-endpoint/server.js, the code of `make serve` and `npx roomcode-join`) as
// its own process on 127.0.0.1, a stand-in meeting on 127.0.0.1 that records the URLs it
// is sent to, and Debian's Chromium through playwright-core, never a downloaded browser.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER = path.join(ROOT, 'examples', 'join-endpoint', 'server.js');
export const EXTENSION = path.join(ROOT, 'build', 'roomcode');
export const SHOTS = path.join(ROOT, 'build', 'join-page');
export const ACCESS_KEY = 'browser-access-key';
// long enough to find in any output it might leak into
export const APP_SECRET = 'browser-suite-app-secret-0c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f';
export const CHROMIUM = '/usr/bin/chromium';

export const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'roomcode-browser-'));
export const removeDir = (dir) => rmSync(dir, { recursive: true, force: true });
const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** A database whose room_codes holds `rows`: [code, room_id, role, enabled, user_id]. */
export function makeDatabase(file, rows) {
  const values = rows
    .map(([code, room, role, enabled = 1, user = null]) =>
      `(${quote(code)}, ${quote(room)}, ${quote(role)}, ${enabled}, ${user === null ? 'NULL' : quote(user)})`)
    .join(',\n');
  execFileSync('sqlite3', ['-bail', '-cmd', `.load ${EXTENSION}`, file], {
    input: `PRAGMA journal_mode = WAL;
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(code, room_id, role, enabled, user_id) VALUES ${values};`,
    encoding: 'utf8',
    timeout: 30000,
  });
}

/** Starts the endpoint with `env` on 127.0.0.1 and a free port; resolves once it listens. */
export function startEndpoint(env, timeoutMs = 15000) {
  const proc = spawn(process.execPath, [SERVER], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`endpoint did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          output: () => output,
          stop: async () => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
            return exited;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`endpoint exited with ${code} before listening:\n${output}`));
    });
  });
}

/** A stand-in meeting on 127.0.0.1: every URL it is sent to is kept in `visits`. */
export function startMeeting() {
  const visits = [];
  const server = http.createServer((req, res) => {
    visits.push(new URL(req.url, `http://${req.headers.host}`));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Meeting</title><h1>In the meeting</h1>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, visits, close: () => server.close() }),
    ),
  );
}

/**
 * Debian's Chromium, headless, with a fresh profile (playwright-core makes a new
 * --user-data-dir for each launch) and nothing that calls home.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30000,
  });
}

/**
 * A browser context whose every request is recorded in `seen`; any request for a host
 * other than 127.0.0.1 is aborted and recorded in `blocked`.
 */
export async function guardedContext(browser, options, seen, blocked) {
  const context = await browser.newContext(options);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    seen.push(url.href);
    if (url.hostname === '127.0.0.1') return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  return context;
}
