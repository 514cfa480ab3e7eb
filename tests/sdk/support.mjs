// Shared by the sdk suite and the endpoint benchmark: a database of room codes made with
// the sqlite3 shell, the join endpoint started as its own process on 127.0.0.1, a guard
// that lets fetch reach 127.0.0.1 only, and the SDK's own way of reading a token.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER = path.join(ROOT, 'examples', 'join-endpoint', 'server.js');
export const EXTENSION = path.join(ROOT, 'build', 'roomcode');
export const ACCESS_KEY = 'test-access-key';
// long enough to find in any output it might leak into
export const APP_SECRET = 'sdk-suite-app-secret-6f1d9c0e8b7a45f2a3c1d0e9f8b7a6c5';

export function tempDir() {
  return mkdtempSync(path.join(os.tmpdir(), 'roomcode-sdk-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** Runs SQL in the sqlite3 shell with roomcode loaded; returns its output. */
export function sqlite(file, sql) {
  return execFileSync('sqlite3', ['-bail', '-cmd', `.load ${EXTENSION}`, file], {
    input: sql,
    encoding: 'utf8',
    timeout: 30000,
  });
}

/**
 * A database whose room_codes holds `rows`: [code, room_id, role, enabled, user_id];
 * `extra` is more SQL run after them.
 */
export function makeDatabase(file, rows, extra = '') {
  const values = rows
    .map(([code, room, role, enabled = 1, user = null]) =>
      `(${quote(code)}, ${quote(room)}, ${quote(role)}, ${enabled}, ${user === null ? 'NULL' : quote(user)})`)
    .join(',\n');
  sqlite(
    file,
    `PRAGMA journal_mode = WAL;
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes(code, room_id, role, enabled, user_id) VALUES ${values};
${extra}`,
  );
}

/**
 * Starts the endpoint (or `command argv`) with `env` on 127.0.0.1 and a free port; resolves once
 * it listens. `output()` is everything it printed; `stop()` ends it by its pid.
 */
export function startEndpoint(env, { command = process.execPath, argv = [SERVER], cwd = ROOT, timeoutMs = 15000, group = false } = {}) {
  // group: the command starts the endpoint as a child of its own (npx): both run in a
  // process group of their own, and stop() ends the group
  const proc = spawn(command, argv, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  });
  const kill = () => (group ? process.kill(-proc.pid, 'SIGKILL') : proc.kill('SIGKILL'));
  let output = '';
  // 'close': every process holding its output has ended (make's child too)
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`endpoint did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          proc,
          exited,
          url: m[1],
          port: Number(m[2]),
          output: () => output,
          stop: async () => {
            if (proc.exitCode === null && proc.signalCode === null) kill();
            else if (group) {
              try {
                process.kill(-proc.pid, 'SIGKILL');
              } catch {
                // the group has ended
              }
            }
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

/** Waits for a child's exit, at most `ms`; resolves to {code, signal} or null. */
export function waitExit(exited, ms) {
  return Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(null), ms).unref())]);
}

/**
 * Replaces globalThis.fetch with one that refuses every host but 127.0.0.1 (throwing
 * before any connection is made) and counts requests per URL. Returns the counts.
 */
export function guardFetch() {
  const real = globalThis.fetch;
  const requests = [];
  globalThis.fetch = async (input, init) => {
    const url = new URL(typeof input === 'object' && 'url' in input ? input.url : String(input));
    if (url.hostname !== '127.0.0.1') throw new Error(`fetch guard: refused ${url.href}`);
    requests.push(url.href);
    return real(input, init);
  };
  // the SDK's WebSocket, were it to open one, goes the same way
  globalThis.WebSocket = class {
    constructor(url) {
      throw new Error(`fetch guard: refused WebSocket ${url}`);
    }
  };
  return requests;
}

/** The 100ms web SDK, as Node's require loads it (its `main`, the CommonJS build). */
export function loadSdk() {
  const require = createRequire(import.meta.url);
  return require('@100mslive/hms-video-store');
}

/** What the SDK's decodeJWT (src/utils/jwt.ts) does with a token: atob, then JSON.parse. */
export function decodeLikeSdk(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not three parts');
  return JSON.parse(atob(parts[1]));
}
