// The join endpoint's own behaviour over HTTP on 127.0.0.1: JSON answers, CORS, the body
// cap, the failure limit (also as the SDK meets it), a locked database, startup checks and
// SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clientKey, FailureLimiter, refusalFor } from '../../examples/join-endpoint/server.js';
import { refusalOfVerdict } from '../../bindings/node/join/database.mjs';
import {
  ACCESS_KEY,
  APP_SECRET,
  guardFetch,
  loadSdk,
  makeDatabase,
  removeDir,
  SERVER,
  sqlite,
  startEndpoint,
  tempDir,
  waitExit,
} from './support.mjs';

const requests = guardFetch();
const ROWS = [
  ['abc-defg-hij', 'standup-42', 'guest'],
  ['dis-able-dab', 'standup-42', 'host', 0],
];
const ENV = { ROOMCODE_ACCESS_KEY: ACCESS_KEY, ROOMCODE_APP_SECRET: APP_SECRET };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let dir;
const started = [];
before(() => {
  dir = tempDir();
  makeDatabase(path.join(dir, 'app.db'), ROWS);
});
after(async () => {
  for (const e of started) {
    await e.stop();
    assert.ok(!e.output().includes(APP_SECRET), 'the endpoint printed the secret');
  }
  removeDir(dir);
});

async function endpoint(env = {}, db = path.join(dir, 'app.db')) {
  const e = await startEndpoint({ ...ENV, ROOMCODE_DB: db, ROOMCODE_MAX_FAILURES: '100000', ...env });
  started.push(e);
  return e;
}

/** One HTTP request; resolves to {status, headers, body} with body parsed when JSON. */
function request(url, { method = 'POST', body, headers = {}, chunks } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: 10000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const json = /^application\/json/.test(res.headers['content-type'] || '');
        resolve({ status: res.statusCode, headers: res.headers, text, body: json ? JSON.parse(text) : undefined });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (chunks) {
      // a streamed body with no Content-Length, written until the server answers
      let sent = 0;
      const pump = () => {
        while (sent < chunks.count) {
          sent++;
          if (!req.write(chunks.data)) return req.once('drain', pump);
        }
        req.end();
      };
      pump();
    } else req.end(body);
  });
}

const post = (url, body, headers) => request(url, { body: typeof body === 'string' ? body : JSON.stringify(body), headers });

describe('answers', () => {
  let e;
  before(async () => (e = await endpoint()));

  test('every answer with a body is JSON {code, message}, never cached', async () => {
    const cases = [
      ['{"code": "abc-defg-hij"', 400, 'request body is not JSON'],
      ['', 400, 'request body is not JSON'],
      ['[]', 400, 'request body must be a JSON object'],
      ['null', 400, 'request body must be a JSON object'],
      ['"abc-defg-hij"', 400, 'request body must be a JSON object'],
      ['{"user_id": "ann"}', 400, 'code must be a string'],
      ['{"code": 5}', 400, 'code must be a string'],
      ['{"code": "abc-defg-hij", "user_id": 7}', 400, 'user_id must be a string when given'],
      ['{"code": "dis-able-dab"}', 403, 'room code is disabled'],
      ['{"code": "zzz-zzzz-zzz"}', 404, 'room code does not exist'],
    ];
    for (const [body, code, message] of cases) {
      const r = await post(`${e.url}/token`, body);
      assert.equal(r.status, code, body);
      assert.deepEqual(r.body, { code, message }, body);
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(r.headers['cache-control'], 'no-store');
    }
    const anonymous = await post(`${e.url}/`, { code: 'abc-defg-hij', user_id: null });
    assert.equal(anonymous.status, 200, 'user_id null is no user_id');
    const ok = await post(`${e.url}/`, { code: 'abc-defg-hij', user_id: 'ann' });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body), ['token']);
    assert.equal(ok.headers['cache-control'], 'no-store');
  });

  test('any method but POST and OPTIONS is 405 with JSON', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await request(`${e.url}/token`, { method });
      assert.equal(r.status, 405);
      assert.deepEqual(r.body, { code: 405, message: 'use POST' });
      assert.equal(r.headers.allow, 'POST, OPTIONS');
    }
  });

  test('CORS: every answer allows any origin; the preflight allows POST with Content-Type', async () => {
    const r = await post(`${e.url}/token`, { code: 'zzz-zzzz-zzz' }, { Origin: 'https://app.example.com' });
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['access-control-expose-headers'], 'Retry-After');
    const pre = await request(`${e.url}/token`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.text, '');
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.equal(pre.headers['access-control-allow-methods'], 'POST, OPTIONS');
    assert.equal(pre.headers['access-control-allow-headers'], 'Content-Type');
  });

  test('the body cap: 8192 bytes pass, one more is 413, declared or streamed', async () => {
    const json = JSON.stringify({ code: 'zzz-zzzz-zzz' });
    const atCap = json + ' '.repeat(8192 - json.length);
    assert.equal((await post(`${e.url}/token`, atCap)).status, 404);
    const over = await post(`${e.url}/token`, atCap + ' ');
    assert.equal(over.status, 413);
    assert.deepEqual(over.body, { code: 413, message: 'request body larger than 8192 bytes' });
    const streamed = await request(`${e.url}/token`, { chunks: { data: 'x'.repeat(4096), count: 128 } });
    assert.equal(streamed.status, 413);
    assert.equal(streamed.body.code, 413);
    // past 1 MiB the connection is cut once the 413 is sent
    const flood = await request(`${e.url}/token`, { chunks: { data: 'x'.repeat(65536), count: 64 } }).then(
      (r) => r.status,
      (err) => err.code,
    );
    assert.ok([413, 'EPIPE', 'ECONNRESET'].includes(flood), `a flood got ${flood}`);
    // and it still answers others
    assert.equal((await post(`${e.url}/token`, json)).status, 404);
  });

  test('a client that goes away mid-body is no fault: nothing logged, others served', async () => {
    await new Promise((resolve, reject) => {
      const socket = net.connect(e.port, '127.0.0.1', () => {
        socket.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"code":');
        setTimeout(() => socket.destroy() && resolve(), 100);
      });
      socket.on('error', reject);
    });
    await sleep(100);
    assert.equal((await post(`${e.url}/token`, { code: 'zzz-zzzz-zzz' })).status, 404);
    assert.doesNotMatch(e.output(), /join-endpoint: (?!listening)/);
  });

  test('a library that sends JSON with a preflight gets the same token answer', async () => {
    const r = await fetch(`${e.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'abc-defg-hij', user_id: 'ann' }),
    });
    assert.equal(r.status, 200);
    assert.match((await r.json()).token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe('settings', () => {
  test('ROOMCODE_TTL_SECONDS sets the lifetime; ROOMCODE_CORS_ORIGIN the allowed origin', async () => {
    const e = await endpoint({ ROOMCODE_TTL_SECONDS: '600', ROOMCODE_CORS_ORIGIN: 'https://app.example.com' });
    const r = await post(e.url, { code: 'abc-defg-hij' });
    assert.equal(r.status, 200);
    const claims = JSON.parse(atob(r.body.token.split('.')[1]));
    assert.equal(claims.exp - claims.iat, 600);
    assert.equal(r.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(r.headers.vary, 'Origin');
  });
});

describe('the failure limit', () => {
  let e;
  before(async () => (e = await endpoint({ ROOMCODE_MAX_FAILURES: '2', ROOMCODE_FAILURE_WINDOW: '3' })));

  test('successes and bad requests do not count; two failures do, then 429 with Retry-After', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await post(e.url, { code: 'abc-defg-hij', user_id: 'ann' })).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await post(e.url, '{')).status, 400);
    assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' })).status, 404);
    assert.equal((await post(e.url, { code: 'dis-able-dab' })).status, 403);
    // limited now: even a good code waits, and a forged X-Forwarded-For changes nothing
    const limited = await post(e.url, { code: 'abc-defg-hij', user_id: 'ann' }, { 'X-Forwarded-For': '198.51.100.9' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 429);
    assert.match(limited.body.message, /^too many failed room codes from this address: try again in [12] s$/);
    assert.match(limited.headers['retry-after'], /^[12]$/);
    assert.equal(limited.headers['access-control-allow-origin'], '*');
  });

  test('the SDK meets the limit as an exception with code 429, after its four quick requests', async () => {
    const actions = new (loadSdk().HMSReactiveStore)().getActions();
    const before = requests.length;
    let err;
    try {
      await actions.getAuthTokenByRoomCode({ roomCode: 'abc-defg-hij', userId: 'ann' }, { endpoint: e.url });
    } catch (caught) {
      err = caught;
    }
    assert.ok(err, 'the SDK got a token while limited');
    assert.equal(err.code, 429);
    assert.match(err.description, /^too many failed room codes from this address: try again in [12] s$/);
    assert.equal(requests.length - before, 4);
  });

  test('the limit lifts as Retry-After says: one more try per window / limit', async () => {
    const limited = await post(e.url, { code: 'abc-defg-hij', user_id: 'ann' });
    assert.equal(limited.status, 429, 'the retries of the SDK did not count as failures');
    await sleep(Number(limited.headers['retry-after']) * 1000 + 100);
    assert.equal((await post(e.url, { code: 'abc-defg-hij', user_id: 'ann' })).status, 200);
  });
});

/**
 * Sends `count` POSTs on their own connections: every request's headers first, then, once
 * the server has had them for `holdMs`, every body. Resolves to the answers.
 */
async function parallelPosts(url, body, count, holdMs = 500) {
  const text = JSON.stringify(body);
  const reqs = [];
  const answers = [];
  for (let i = 0; i < count; i++) {
    answers.push(
      new Promise((resolve, reject) => {
        const req = http.request(
          url,
          { method: 'POST', agent: false, timeout: 20000, headers: { 'Content-Length': Buffer.byteLength(text) } },
          (res) => {
            let t = '';
            res.setEncoding('utf8');
            res.on('data', (c) => (t += c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(t) }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('request timed out')));
        req.on('error', reject);
        req.flushHeaders();
        reqs.push(req);
      }),
    );
  }
  await sleep(holdMs);
  for (const req of reqs) req.end(text);
  return Promise.all(answers);
}

describe('the failure limit under parallel requests', () => {
  test('200 wrong guesses sent at once, bodies last, limit 5: 5 are looked up, 195 get 429', async () => {
    const e = await endpoint({
      ROOMCODE_MAX_FAILURES: '5',
      ROOMCODE_FAILURE_WINDOW: '10',
      ROOMCODE_MAX_CONNECTIONS_PER_ADDRESS: '250',
    });
    const answers = await parallelPosts(`${e.url}/token`, { code: 'zzz-zzzz-zzz' }, 200);
    const counts = {};
    for (const a of answers) counts[a.status] = (counts[a.status] || 0) + 1;
    assert.deepEqual(counts, { 404: 5, 429: 195 });
    // the wait is bounded by the time one try takes to come back (10 s / 5), burst or not
    for (const a of answers.filter((x) => x.status === 429)) {
      assert.ok(Number(a.headers['retry-after']) <= 2, `Retry-After ${a.headers['retry-after']}`);
    }
    const next = await post(e.url, { code: 'zzz-zzzz-zzz' });
    assert.equal(next.status, 429);
    assert.ok(Number(next.headers['retry-after']) <= 2, `Retry-After ${next.headers['retry-after']} after the burst`);
    await sleep(Number(next.headers['retry-after']) * 1000 + 100);
    assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' })).status, 404, 'one try came back');
  });

  test('a try is charged while the request is in flight, and given back for a token or a bad request', async () => {
    const e = await endpoint({ ROOMCODE_MAX_FAILURES: '3', ROOMCODE_FAILURE_WINDOW: '600' });
    // three good codes at once hold the three tries until they are answered, then give them back
    const good = await parallelPosts(e.url, { code: 'abc-defg-hij' }, 3);
    assert.deepEqual(good.map((a) => a.status), [200, 200, 200]);
    for (let i = 0; i < 3; i++) assert.equal((await post(e.url, '{')).status, 400);
    // so all three are still there for three wrong codes, and no more
    for (let i = 0; i < 3; i++) assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' })).status, 404);
    const limited = await post(e.url, { code: 'abc-defg-hij' });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) <= 200);
  });
});

/** Opens a connection from `localAddress` and sends part of a request's headers. */
function halfRequest(port, localAddress) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      socket.write('POST /token HTTP/1.1\r\nHost: x\r\n');
      socket.resume(); // read what the server answers, so that its close is seen
      resolve(socket);
    });
    socket.on('error', () => {}); // a connection the server closed or refused
    socket.once('error', reject);
  });
}

const closedWithin = (socket, ms) =>
  new Promise((resolve) => {
    if (socket.destroyed) return resolve(0);
    const t0 = Date.now();
    const timer = setTimeout(() => resolve(null), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });

/** A POST from `localAddress`; resolves to its status, or rejects after `ms`. */
function postFrom(port, localAddress, body, ms) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/token', method: 'POST', localAddress, agent: false, timeout: ms },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${ms} ms`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('connections', () => {
  test('1,100 idle half-sent requests (open-file limit 1024) do not hold up real ones', async () => {
    // the endpoint as a default system runs it: at most 1024 open files
    const e = await startEndpoint(
      { ...ENV, ROOMCODE_DB: path.join(dir, 'app.db'), ROOMCODE_MAX_FAILURES: '100000' },
      { command: 'sh', argv: ['-c', 'ulimit -n 1024 && exec "$0" "$@"', process.execPath, SERVER] },
    );
    started.push(e);
    const sockets = [];
    try {
      // 1,000 from 50 addresses (20 each), 100 more from one address
      for (let a = 1; a <= 50; a++) {
        const opened = [];
        for (let i = 0; i < 20; i++) opened.push(halfRequest(e.port, `127.0.3.${a}`).catch(() => null));
        sockets.push(...(await Promise.all(opened)));
      }
      const one = [];
      for (let i = 0; i < 100; i++) one.push(halfRequest(e.port, '127.0.0.7').catch(() => null));
      sockets.push(...(await Promise.all(one)));
      await sleep(300);
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) {
        assert.equal(await postFrom(e.port, '127.0.0.9', { code: 'abc-defg-hij' }, 2000), 200);
      }
      assert.ok(Date.now() - t0 < 2000, `five real requests took ${Date.now() - t0} ms`);
      const open = sockets.filter((s) => s && !s.destroyed).length;
      assert.ok(open <= 1000, `${open} idle connections still open`);
    } finally {
      for (const s of sockets) s?.destroy();
    }
  });

  test('connections per address are capped; slow headers and slow bodies are cut within seconds', async () => {
    const e = await endpoint({ ROOMCODE_MAX_CONNECTIONS_PER_ADDRESS: '4' });
    const sockets = [];
    try {
      for (let i = 0; i < 6; i++) sockets.push(await halfRequest(e.port, '127.0.4.1').catch(() => null));
      await sleep(200);
      const open = sockets.filter((s) => s && !s.destroyed);
      assert.equal(open.length, 4, 'a fifth and sixth connection from one address were kept');
      // another address is served meanwhile
      assert.equal(await postFrom(e.port, '127.0.4.2', { code: 'abc-defg-hij' }, 2000), 200);
      // a body that never ends
      const slowBody = await new Promise((resolve, reject) => {
        const s = net.connect({ port: e.port, host: '127.0.0.1', localAddress: '127.0.4.3' }, () => {
          s.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"code":');
          s.resume();
          resolve(s);
        });
        s.on('error', reject);
      });
      sockets.push(slowBody);
      const [headers, body] = await Promise.all([closedWithin(open[0], 8000), closedWithin(slowBody, 13000)]);
      assert.ok(headers !== null, 'a request whose headers never end was kept 8 s');
      assert.ok(body !== null, 'a request whose body never ends was kept 13 s');
    } finally {
      for (const s of sockets) s?.destroy();
    }
  });
});

describe('behind a proxy, and a locked database', () => {
  let e, journalDb;
  before(async () => {
    journalDb = path.join(dir, 'journal.db');
    makeDatabase(journalDb, ROWS, 'PRAGMA journal_mode = DELETE;');
    e = await endpoint({ ROOMCODE_MAX_FAILURES: '1', ROOMCODE_TRUST_PROXY: '1' }, journalDb);
  });

  test('ROOMCODE_TRUST_PROXY=1 limits the address the proxy appended last', async () => {
    const from = (addr) => ({ 'X-Forwarded-For': `10.9.9.9, ${addr}` });
    assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' }, from('203.0.113.7'))).status, 404);
    assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' }, from('203.0.113.7'))).status, 429);
    assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' }, from('203.0.113.8'))).status, 404);
    assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' }, from('2001:db8:1:2:3:4:5:6'))).status, 404);
    assert.equal((await post(e.url, { code: 'zzz-zzzz-zzz' }, from('2001:db8:1:2::9'))).status, 429, 'same /64');
  });

  test('a database locked by a writer is 503 (the SDK retries that), and the log names no secret', async () => {
    const holder = spawn('sqlite3', [journalDb], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let out = '';
      const locked = new Promise((resolve) => holder.stdout.on('data', (c) => (out += c).includes('locked') && resolve()));
      holder.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
      await Promise.race([locked, sleep(5000).then(() => assert.fail('sqlite3 did not take the lock'))]);
      const r = await post(e.url, { code: 'abc-defg-hij', user_id: 'ann' }, { 'X-Forwarded-For': '192.0.2.1' });
      assert.equal(r.status, 503);
      assert.deepEqual(r.body, { code: 503, message: 'token service unavailable, try again' });
      assert.match(e.output(), /join-endpoint: roomcode: database is locked/);
      holder.stdin.end('ROLLBACK;\n');
      assert.notEqual(await waitExit(new Promise((resolve) => holder.on('exit', resolve)), 5000), null);
      const ok = await post(e.url, { code: 'abc-defg-hij', user_id: 'ann' }, { 'X-Forwarded-For': '192.0.2.1' });
      assert.equal(ok.status, 200);
    } finally {
      if (holder.exitCode === null) holder.kill('SIGKILL');
    }
  });
});

describe('the process', () => {
  test('SIGTERM: stops listening, closes idle keep-alive connections and exits 0', async () => {
    const e = await endpoint();
    const agent = new http.Agent({ keepAlive: true });
    await new Promise((resolve, reject) => {
      const req = http.request(`${e.url}/t`, { method: 'POST', agent }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end('{"code":"abc-defg-hij","user_id":"ann"}');
    });
    const t0 = Date.now();
    e.proc.kill('SIGTERM');
    const exit = await waitExit(e.exited, 5000);
    agent.destroy();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 1500, 'an idle keep-alive connection did not hold the shutdown');
    assert.match(e.output(), /SIGTERM, stopping\njoin-endpoint: stopped\n$/);
    await assert.rejects(fetch(e.url, { method: 'POST', body: '{}' }));
  });

  test('it refuses to start without its settings, a database or a room_codes table', async () => {
    const bare = path.join(dir, 'bare.db');
    sqlite(bare, 'CREATE TABLE t(x);');
    const cases = [
      [{ ROOMCODE_APP_SECRET: '' }, /^join-endpoint: set ROOMCODE_APP_SECRET$/m],
      [{ ROOMCODE_DB: path.join(dir, 'missing.db') }, new RegExp(`^join-endpoint: database file '${path.join(dir, 'missing.db')}' does not exist \\(ROOMCODE_DB\\)$`, 'm')],
      [{ ROOMCODE_DB: bare }, /^join-endpoint: roomcode: no room_codes table here/m],
      [{ PORT: 'eighty' }, /^join-endpoint: PORT must be a whole number from 0, not 'eighty'$/m],
      [{ ROOMCODE_MAX_FAILURES: '0' }, /^join-endpoint: ROOMCODE_MAX_FAILURES must be a whole number from 1, not '0'$/m],
      [{ ROOMCODE_TTL_SECONDS: '99999999' }, /^join-endpoint: roomcode: ttl_seconds must be a whole number of seconds/m],
    ];
    for (const [env, message] of cases) {
      const e = startEndpoint({ ...ENV, ROOMCODE_DB: path.join(dir, 'app.db'), ...env });
      const err = await e.then(
        () => assert.fail('it started'),
        (x) => x,
      );
      assert.match(err.message, /exited with 1 before listening/);
      assert.match(err.message, message);
      assert.ok(!err.message.includes(APP_SECRET));
    }
  });
});

describe('pieces', () => {
  test('clientKey: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64', () => {
    assert.equal(clientKey('127.0.0.1'), '127.0.0.1');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('2001:db8:0001:0002:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:DB8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
  });

  test('FailureLimiter: a bucket per client, taken and given back, refilled, never below empty', () => {
    let now = 0;
    const l = new FailureLimiter({ limit: 3, windowSeconds: 30, maxClients: 2, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(l.take('a'), 0);
    assert.equal(l.take('a'), 10);
    // refused takes take nothing: the wait stays one try's worth, however many
    for (let i = 0; i < 1000; i++) l.take('a');
    assert.equal(l.take('a'), 10);
    assert.equal(l.take('b'), 0);
    l.giveBack('b');
    assert.equal(l.tokens('b', now), 3);
    now = 9000;
    assert.equal(l.take('a'), 1);
    now = 10000;
    assert.equal(l.take('a'), 0);
    l.giveBack('a');
    assert.equal(l.tokens('a', now), 1, 'a try given back');
    l.take('c'); // a third client: the least recent ('b') is forgotten
    assert.deepEqual([...l.buckets.keys()], ['a', 'c']);
    now = 100000;
    l.sweep();
    assert.equal(l.buckets.size, 0);
  });

  test('refusalOfVerdict maps every verdict of roomcode_check; refusalFor only the two errors that are the person\'s', () => {
    const v = (verdict) => refusalOfVerdict(verdict).refusal;
    assert.deepEqual(v('unknown'), { code: 404, message: 'room code does not exist', reason: 'unknown' });
    assert.deepEqual(v('malformed'), { code: 404, message: 'not a room code', reason: 'malformed' });
    assert.deepEqual(v('disabled'), { code: 403, message: 'room code is disabled', reason: 'disabled' });
    assert.deepEqual(v('room_disabled'), { code: 403, message: 'room is disabled', reason: 'room_disabled' });
    assert.deepEqual(v('bound'), { code: 403, message: 'room code is bound to a user', reason: 'bound' });
    assert.deepEqual(v('other_user'), { code: 403, message: 'room code is bound to another user', reason: 'other_user' });
    assert.throws(() => refusalOfVerdict('ok'), /unknown verdict 'ok'/);
    const m = (message) => refusalFor(new Error(message));
    assert.deepEqual(refusalFor(refusalOfVerdict('unknown')), v('unknown'));
    assert.equal(m("roomcode: room code 'abc-defg-hij' has a stored room_id 'r\\xff' that is not valid UTF-8").code, 403);
    assert.deepEqual(m("roomcode: user_id 'a\\x00b' contains a NUL byte"), { code: 400, message: "user_id 'a\\x00b' contains a NUL byte", reason: 'bad_request' });
    // no message text decides a verdict any more
    assert.equal(m("roomcode: unknown room code 'zzz-zzzz-zzz'"), null);
    assert.equal(m('roomcode: database is locked'), null);
    assert.equal(m('roomcode: no room_codes table here: CREATE VIRTUAL TABLE room_codes USING roomcode'), null);
    assert.equal(m("roomcode: access_key must not be empty"), null);
  });
});
