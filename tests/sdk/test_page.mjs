// The join page's HTTP side, without a browser (tests/browser drives the page itself): the
// paths it answers, its headers, the form's answers in JSON and as a redirect or a page,
// reads that try no code, ROOMCODE_JOIN_URL checked at start, and no page without it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as jose from 'jose';
import { ACCESS_KEY, APP_SECRET, makeDatabase, removeDir, startEndpoint, tempDir } from './support.mjs';

const ROWS = [
  ['toz-mfgy-vep', 'standup 42', 'guest'],
  ['dis-able-dab', 'standup 42', 'host', 0],
];
const JOIN_URL = 'https://app.example.com/meet/{room_id}?token={token}&role={role}&code={code}&name={name}';
const ENV = { ROOMCODE_ACCESS_KEY: ACCESS_KEY, ROOMCODE_APP_SECRET: APP_SECRET, ROOMCODE_JOIN_URL: JOIN_URL };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let dir, e;
const started = [];
before(async () => {
  dir = tempDir();
  makeDatabase(path.join(dir, 'app.db'), ROWS, 'PRAGMA journal_mode = DELETE;');
  e = await endpoint();
});
after(async () => {
  for (const x of started) {
    await x.stop();
    assert.ok(!x.output().includes(APP_SECRET));
  }
  removeDir(dir);
});

async function endpoint(env = {}) {
  const x = await startEndpoint({ ...ENV, ROOMCODE_DB: path.join(dir, 'app.db'), ROOMCODE_MAX_FAILURES: '1000', ...env });
  started.push(x);
  return x;
}

const form = (url, fields, headers = {}) =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
const nb = (s) => s.replaceAll('-', '\u2011');

describe('paths and headers', () => {
  test('the page at / and at every Room Link path, with relative links to its files', async () => {
    const cases = [
      ['/', '', './'],
      ['/toz-mfgy-vep', 'toz-mfgy-vep', './'],
      ['/meeting/TOZ-MFGY-VEP', 'toz-mfgy-vep', '../'],
      ['/preview/toz-mfgy-vep/', 'toz-mfgy-vep', '../'],
      ['/streaming/meeting/toz-mfgy-vep', 'toz-mfgy-vep', '../../'],
      ['/streaming/preview/toz-mfgy-vep', 'toz-mfgy-vep', '../../'],
    ];
    for (const [p, code, prefix] of cases) {
      const r = await fetch(`${e.url}${p}`);
      const html = await r.text();
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(html, new RegExp(`<input id="code" name="code" type="text" value="${code}"`), p);
      assert.ok(html.includes(`href="${prefix}join.css"`) && html.includes(`src="${prefix}join.js"`), p);
      const css = await fetch(new URL(`${prefix}join.css`, `${e.url}${p}`));
      assert.equal(css.status, 200, p);
      assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    }
    for (const p of ['/nothing', '/meeting/abc-defg-hi', '/room/toz-mfgy-vep', '/meeting/']) {
      assert.equal((await fetch(`${e.url}${p}`)).status, 404, p);
    }
  });

  test('every page answer: CSP without inline script, no framing, no referrer, no caching', async () => {
    for (const p of ['/', '/join.js', '/join.css', '/nothing']) {
      const r = await fetch(`${e.url}${p}`);
      assert.equal(
        r.headers.get('content-security-policy'),
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
          "form-action 'self' https://app.example.com; frame-ancestors 'none'; base-uri 'none'",
        p,
      );
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(r.headers.get('cache-control'), 'no-store');
    }
  });

  test('what the page echoes is escaped', async () => {
    const r = await form(`${e.url}/`, { code: '"><script>alert(1)</script>', name: '<b>' });
    const html = await r.text();
    assert.equal(r.status, 404);
    assert.ok(!html.includes('<script>alert'));
    assert.ok(html.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
    assert.ok(html.includes('value="&lt;b&gt;"'));
  });
});

describe('the form', () => {
  test('a plain post: 303 to the meeting URL with a valid token and every placeholder filled', async () => {
    const r = await form(`${e.url}/meeting/toz-mfgy-vep`, { code: 'Use code toz–mfgy–vep to join.', name: 'Zoë & Ann' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const url = new URL(r.headers.get('location'));
    assert.equal(url.origin + url.pathname, 'https://app.example.com/meet/standup%2042');
    assert.equal(url.searchParams.get('role'), 'guest');
    assert.equal(url.searchParams.get('code'), 'toz-mfgy-vep');
    assert.equal(url.searchParams.get('name'), 'Zoë & Ann');
    const { payload } = await jose.jwtVerify(url.searchParams.get('token'), new TextEncoder().encode(APP_SECRET));
    assert.equal(payload.room_id, 'standup 42');
    assert.doesNotMatch(e.output(), new RegExp(url.searchParams.get('token').split('.')[2]));
  });

  test('with Accept: application/json: the URL, or the sentence, reason and code read', async () => {
    const json = { Accept: 'application/json' };
    const ok = await form(e.url, { code: 'TOZ MFGY VEP' }, json);
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.deepEqual(Object.keys(body), ['url', 'code']);
    assert.equal(body.code, 'toz-mfgy-vep');
    const cases = [
      [{ code: 'zzz-zzzz-zzz' }, 404, 'unknown', 'zzz-zzzz-zzz', `There is no meeting with the code ${nb('zzz-zzzz-zzz')}. Check the code and try again.`],
      [{ code: 'hello' }, 404, 'malformed', null, `That is not a room code. A room code has 10 letters, like ${nb('abc-defg-hij')}.`],
      [{ code: ' ' }, 400, 'empty', null, 'Type or paste your room code first.'],
      [{ code: 'dis-able-dab' }, 403, 'disabled', 'dis-able-dab', `The code ${nb('dis-able-dab')} is switched off. Ask the person who sent it for a new one.`],
      [{ code: 'toz-mfgy-vep', name: 'x'.repeat(65) }, 400, 'name', 'toz-mfgy-vep', 'Your name is too long or holds characters a name cannot: use at most 64 letters.'],
      [{ code: 'toz-mfgy-vep', name: 'a\u0007b' }, 400, 'name', 'toz-mfgy-vep', 'Your name is too long or holds characters a name cannot: use at most 64 letters.'],
    ];
    for (const [fields, status, reason, read, message] of cases) {
      const r = await form(e.url, fields, json);
      assert.equal(r.status, status, reason);
      assert.deepEqual(await r.json(), { code: status, message, reason, read }, reason);
    }
  });

  test('without JavaScript a refusal is the page again: the sentence in the alert, the field as typed', async () => {
    const r = await form(`${e.url}/`, { code: 'DIS–ABLE–DAB', name: 'Ann' });
    assert.equal(r.status, 403);
    const html = await r.text();
    assert.match(html, /<div id="error" class="error" role="alert" data-retry-after="">The code dis‑able‑dab is switched off/);
    assert.match(html, /value="DIS–ABLE–DAB"/);
    assert.match(html, /value="Ann"/);
    assert.match(html, /aria-invalid="true" required autofocus>/);
  });

  test('reads (Roomcode-Read: 1) try no code, even past the limit', async () => {
    const limited = await endpoint({ ROOMCODE_MAX_FAILURES: '1', ROOMCODE_FAILURE_WINDOW: '600' });
    const read = (code) => form(limited.url, { code }, { 'Roomcode-Read': '1' }).then((r) => r.json());
    for (let i = 0; i < 20; i++) assert.deepEqual(await read('zzz zzzz zzz'), { code: 'zzz-zzzz-zzz' });
    assert.deepEqual(await read('Use toz-mfgy-vep or xvm-wxwo-gbl'), { code: null });
    const json = { Accept: 'application/json' };
    assert.equal((await form(limited.url, { code: 'zzz-zzzz-zzz' }, json)).status, 404);
    const r = await form(limited.url, { code: 'zzz-zzzz-zzz' }, json);
    assert.equal(r.status, 429);
    assert.match(r.headers.get('retry-after'), /^\d+$/);
    const body = await r.json();
    assert.equal(body.message, `Too many wrong codes from your network. Try again in ${r.headers.get('retry-after')} seconds.`);
    // the plain form gets the page, with Retry-After for its script's countdown
    const page = await form(limited.url, { code: 'zzz-zzzz-zzz' });
    assert.equal(page.status, 429);
    assert.match(await page.text(), /data-retry-after="\d+">Too many wrong codes from your network/);
    assert.deepEqual(await read('toz-mfgy-vep'), { code: 'toz-mfgy-vep' }, 'reads still answered');
  });

  test('a database locked beyond 250 ms is the fault sentence, and logged', async () => {
    const holder = spawn('sqlite3', [path.join(dir, 'app.db')], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let out = '';
      const locked = new Promise((resolve) => holder.stdout.on('data', (c) => (out += c).includes('locked') && resolve()));
      holder.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
      await Promise.race([locked, sleep(5000).then(() => assert.fail('sqlite3 did not take the lock'))]);
      const r = await form(e.url, { code: 'toz-mfgy-vep' }, { Accept: 'application/json' });
      assert.equal(r.status, 503);
      assert.equal((await r.json()).message, 'Joining does not work right now. Try again in a minute.');
      assert.match(e.output(), /join-endpoint: roomcode: database is locked/);
    } finally {
      holder.stdin.end('ROLLBACK;\n');
      await sleep(100);
      if (holder.exitCode === null) holder.kill('SIGKILL');
    }
  });
});

describe('settings', () => {
  test('a wrong ROOMCODE_JOIN_URL stops it at start with the reason', async () => {
    const cases = [
      ['app.example.com/?t={token}', /ROOMCODE_JOIN_URL must be an http or https URL with no placeholder in its host/],
      ['https://{room_id}.example.com/?t={token}', /ROOMCODE_JOIN_URL must be an http or https URL with no placeholder in its host/],
      ['https://app.example.com/?t={jwt}', /ROOMCODE_JOIN_URL has an unknown placeholder \{jwt\}/],
      ['https://app.example.com/', /ROOMCODE_JOIN_URL must hold \{token\}/],
    ];
    for (const [url, message] of cases) {
      const err = await endpoint({ ROOMCODE_JOIN_URL: url }).then(
        () => assert.fail(`it started with ${url}`),
        (x) => x,
      );
      assert.match(err.message, message);
    }
  });

  test('without ROOMCODE_JOIN_URL: no page, GET is 405 and a form post is the token API', async () => {
    const api = await endpoint({ ROOMCODE_JOIN_URL: '' });
    const r = await fetch(`${api.url}/`);
    assert.equal(r.status, 405);
    assert.deepEqual(await r.json(), { code: 405, message: 'use POST' });
    const f = await form(api.url, { code: 'toz-mfgy-vep' });
    assert.equal(f.status, 400);
    assert.deepEqual(await f.json(), { code: 400, message: 'request body is not JSON' });
  });
});
