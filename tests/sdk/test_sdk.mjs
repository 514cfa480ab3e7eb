// The join endpoint against the real 100ms web SDK (@100mslive/hms-video-store, pinned in
// package.json): hmsActions.getAuthTokenByRoomCode({ roomCode, userId }, { endpoint })
// with the endpoint on 127.0.0.1. fetch is guarded so that nothing else is ever contacted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as jose from 'jose';
import jwt from 'jsonwebtoken';
import {
  ACCESS_KEY,
  APP_SECRET,
  decodeLikeSdk,
  guardFetch,
  loadSdk,
  makeDatabase,
  removeDir,
  startEndpoint,
  tempDir,
} from './support.mjs';

const requests = guardFetch();
const sdk = loadSdk();
const actions = new sdk.HMSReactiveStore().getActions();

const ODD_ROOM = 'Zoë\'s room ✓ "q" \\ <b> ロ';
const ROWS = [
  ['abc-defg-hij', 'standup-42', 'guest'],
  ['dis-able-dab', 'standup-42', 'host', 0],
  ['bou-ndto-ann', 'standup-42', 'guest', 1, 'ann'],
  ['zoe-room-one', ODD_ROOM, 'gäst/~?>', 1],
];
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let dir, endpoint, tokensSeen;

before(async () => {
  dir = tempDir();
  const db = path.join(dir, 'app.db');
  makeDatabase(db, ROWS);
  endpoint = await startEndpoint({
    ROOMCODE_DB: db,
    ROOMCODE_ACCESS_KEY: ACCESS_KEY,
    ROOMCODE_APP_SECRET: APP_SECRET,
    // the failure limit has its own test (test_endpoint.mjs); here refusals are the point
    ROOMCODE_MAX_FAILURES: '100000',
  });
  tokensSeen = [];
});

after(async () => {
  if (endpoint) {
    await endpoint.stop();
    const out = endpoint.output();
    // nothing it printed carries the secret or a token
    assert.ok(!out.includes(APP_SECRET), 'the endpoint printed the secret');
    for (const t of tokensSeen) assert.ok(!out.includes(t.split('.')[2]), 'the endpoint printed a token');
  }
  if (dir) removeDir(dir);
});

const join = (roomCode, userId, url = `${endpoint.url}/token`) =>
  actions.getAuthTokenByRoomCode(userId === undefined ? { roomCode } : { roomCode, userId }, { endpoint: url });

/**
 * Checks a token as every client would: the SDK's atob + JSON.parse, then the signature
 * with jose and with jsonwebtoken, each on a clock 5 s behind ours (100ms backdates iat by
 * 10 s for such verifiers). Returns the claims.
 */
async function checkToken(token, { roomId, role, userId }) {
  tokensSeen.push(token);
  const claims = decodeLikeSdk(token);
  const behind = Math.floor(Date.now() / 1000) - 5;
  const { payload, protectedHeader } = await jose.jwtVerify(token, new TextEncoder().encode(APP_SECRET), {
    algorithms: ['HS256'],
    currentDate: new Date(behind * 1000),
  });
  assert.deepEqual(payload, claims, 'jose and the SDK read the same claims');
  assert.equal(protectedHeader.typ, 'JWT');
  assert.deepEqual(jwt.verify(token, APP_SECRET, { algorithms: ['HS256'], clockTimestamp: behind }), claims);
  assert.equal(claims.room_id, roomId);
  assert.equal(claims.role, role);
  if (userId === undefined) assert.match(claims.user_id, UUID4, 'no userId: a fresh UUID v4');
  else assert.equal(claims.user_id, userId);
  assert.equal(claims.access_key, ACCESS_KEY);
  assert.equal(claims.type, 'app');
  assert.equal(claims.version, 2);
  assert.match(claims.jti, UUID4);
  assert.equal(claims.nbf, claims.iat);
  assert.equal(claims.exp, claims.iat + 86400);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(claims.iat <= now - 9 && claims.iat >= now - 15, `iat ${claims.iat} is backdated 10 s from ${now}`);
  return claims;
}

async function refusal(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the SDK returned a token where it should have thrown');
}

test('the pinned SDK reads a token with atob and JSON.parse, as decodeLikeSdk does', () => {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@100mslive/hms-video-store');
  const bundle = readFileSync(main, 'utf8');
  assert.match(bundle, /=atob\((\w+)\[1\]\);try\{let (\w+)=JSON\.parse\(\w+\);return\{roomId:\2\.room_id,userId:\2\.user_id,role:\2\.role\}/);
  assert.equal(JSON.parse(readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')).version, '0.15.2');
});

test('the guard refuses any host but 127.0.0.1, also through the SDK', async () => {
  await assert.rejects(fetch('https://auth.100ms.live/v2/token', { method: 'POST' }), /fetch guard: refused/);
  await assert.rejects(fetch('http://localhost:9/'), /fetch guard: refused/);
  // without `endpoint` the SDK would ask 100ms: the guard stops it
  const err = await refusal(actions.getAuthTokenByRoomCode({ roomCode: 'abc-defg-hij' }));
  assert.match(err.message, /fetch guard: refused https:\/\/auth\.100ms\.live\/v2\/token/);
  assert.throws(() => new WebSocket('wss://prod-init.100ms.live'), /fetch guard/);
});

test('a typed code without userId: a token with a fresh user id each time', async () => {
  const a = await checkToken(await join('ABC DEFG HIJ'), { roomId: 'standup-42', role: 'guest' });
  const b = await checkToken(await join('abc-defg-hij'), { roomId: 'standup-42', role: 'guest' });
  assert.notEqual(a.user_id, b.user_id);
  assert.notEqual(a.jti, b.jti);
  // an app that passes an empty userId means none
  await checkToken(await join('abc-defg-hij', ''), { roomId: 'standup-42', role: 'guest' });
});

test('a typed code with userId', async () => {
  await checkToken(await join('abc.defg.hij', 'user-7'), { roomId: 'standup-42', role: 'guest', userId: 'user-7' });
});

test('a pasted link, on any path of the endpoint', async () => {
  const link = 'https://acme.app.100ms.live/meeting/abc-defg-hij';
  await checkToken(await join(link), { roomId: 'standup-42', role: 'guest' });
  const url = `${endpoint.url}/api/v1/join?tenant=acme`;
  await checkToken(await join(`${link}?name=ann`, 'ann', url), { roomId: 'standup-42', role: 'guest', userId: 'ann' });
});

test('a code bound to a user: its user gets a token', async () => {
  await checkToken(await join('bou-ndto-ann', 'ann'), { roomId: 'standup-42', role: 'guest', userId: 'ann' });
});

test('refusals reach the app as the exception code 100ms apps show, each in one request', async () => {
  const cases = [
    ['dis-able-dab', 'user-7', 403, 'room code is disabled'],
    ['dis-able-dab', undefined, 403, 'room code is disabled'],
    ['bou-ndto-ann', 'bob', 403, 'room code is bound to another user'],
    ['bou-ndto-ann', undefined, 403, 'room code is bound to a user'],
    ['bou-ndto-ann', '', 403, 'room code is bound to a user'],
    ['zzz-zzzz-zzz', 'user-7', 404, 'room code does not exist'],
    ['zzz-zzzz-zzz', undefined, 404, 'room code does not exist'],
    ['https://acme.app.100ms.live/meeting/zzz-zzzz-zzz', undefined, 404, 'room code does not exist'],
    ['not a code', undefined, 404, 'not a room code'],
    ['', undefined, 404, 'not a room code'],
    ['abc-defg-hij', 'x'.repeat(257), 400, /^user_id 'x{64}'\.\.\. is longer than 256 bytes$/],
    ['abc-defg-hij', 'a\0b', 400, "user_id 'a\\x00b' contains a NUL byte"],
    ['abc-defg-hij', 'lone \ud800', 400, 'user_id must be well-formed Unicode'],
    ['abc-defg-hij', 7, 400, 'user_id must be a string when given'],
  ];
  for (const [code, userId, status, message] of cases) {
    const before = requests.length;
    const err = await refusal(join(code, userId));
    assert.equal(err.code, status, `${code} / ${userId}: ${err.message}`);
    if (message instanceof RegExp) assert.match(err.description, message);
    else assert.equal(err.description, message);
    assert.equal(err.action, 'GET_TOKEN');
    assert.equal(requests.length - before, 1, 'a permanent refusal is not retried');
  }
});

// User ids that 100ms's own tokens garble or break in the SDK: base64url's '-' and '_'
// come from '>', '?', '~' and neighbours, and atob reads bytes as Latin-1.
const HOSTILE = [
  'a?b', 'x>y', 'Zoë', '~~~', '???', '>>>', '?>~', 'ÿþý', "o'brien", '/+=', '<script>alert(1)</script>',
  '"quoted" \\ back\\slash', '😀 emoji 🇮🇳', '中文用户', 'ロール', '\u2028\u2029', '\uFEFFbom', '\u{10FFFF}',
  'null', '{"user_id":"admin"}', '%00', 'tab\there\nnew\u0001line\u007f\u0085\u009f', 'a'.repeat(256), 'é'.repeat(128), '€'.repeat(85),
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(''),
  Array.from({ length: 96 }, (_, i) => String.fromCharCode(0xa0 + i)).join(''),
];

// seeded, so that a failure can be run again
function randomUserIds(count, seed) {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ids = [];
  while (ids.length < count) {
    let id = '';
    const len = 1 + Math.floor(next() * 20);
    for (let i = 0; i < len; i++) {
      const band = next();
      let cp;
      if (band < 0.4) cp = 0x20 + Math.floor(next() * 95);
      else if (band < 0.6) cp = 0xa0 + Math.floor(next() * 0x760);
      else if (band < 0.9) cp = 0x800 + Math.floor(next() * (0xd800 - 0x800));
      else cp = 0x10000 + Math.floor(next() * 0xfffff);
      id += String.fromCodePoint(cp);
    }
    if (Buffer.byteLength(id) <= 256) ids.push(id);
  }
  return ids;
}

test('hostile user ids come back exactly through atob + JSON.parse, signatures verified', async () => {
  // the control: 100ms-style base64url of such a payload is what atob refuses
  for (const userId of ['???', '>>>']) {
    const naive = Buffer.from(JSON.stringify({ user_id: userId })).toString('base64url');
    assert.match(naive, /[-_]/);
    assert.throws(() => atob(naive), { name: 'InvalidCharacterError' });
  }
  for (const userId of [...HOSTILE, ...randomUserIds(60, 9)]) {
    const token = await join('abc-defg-hij', userId);
    const payload = token.split('.')[1];
    assert.match(payload, /^[A-Za-z0-9]+$/, `payload of ${JSON.stringify(userId)} is base64 and base64url`);
    assert.match(Buffer.from(payload, 'base64').toString('latin1'), /^[\x20-\x7e]+$/, 'payload JSON is ASCII');
    await checkToken(token, { roomId: 'standup-42', role: 'guest', userId });
  }
});

test('a room and role with quotes, slashes and non-ASCII come back exactly', async () => {
  await checkToken(await join('ZOE ROOM ONE', 'Zoë'), { roomId: ODD_ROOM, role: 'gäst/~?>', userId: 'Zoë' });
});
