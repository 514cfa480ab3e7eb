// The endpoint for each platform (ROOMCODE_PLATFORM): LiveKit tokens checked by
// livekit-server-sdk's TokenVerifier, Jitsi tokens by the checks prosody's token module
// makes (signature, iss, aud, sub, room, nbf, exp), the same refusals from
// roomcode_check's verdicts, the join page's redirect for each, and every wrong or missing
// setting stopping it at start with the reason.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as jose from 'jose';
import { TokenVerifier } from 'livekit-server-sdk';
import { makeDatabase, removeDir, startEndpoint, tempDir } from './support.mjs';

const KEY = 'APIroomcodeTest';
const SECRET = 'a-livekit-api-secret-of-32-bytes-or-more-for-tests';
const APP_ID = 'roomcode-app';
const DOMAIN = 'meet.example.com';
const ROWS = [
  ['hos-tcod-eaa', 'town-hall', 'host'],
  ['vie-werc-ode', 'town-hall', 'viewer'],
  ['gue-stco-dea', 'Lobby Two', 'guest'],
  ['dis-able-dab', 'Lobby Two', 'guest', 0],
  ['bou-ndto-ann', 'Lobby Two', 'guest', 1, 'ann'],
  ['clo-sedr-oom', 'closed-room', 'host'],
];
// a template with permissions, a room registered with it, and a closed room
const EXTRA = `
INSERT INTO room_codes_templates(template, role, permissions) VALUES
  ('webinar', 'host', '{"admin": true}'),
  ('webinar', 'viewer', '{"publish": false, "publish_data": false, "hidden": true}');
INSERT INTO room_codes_rooms(room_id, template) VALUES ('town-hall', 'webinar');
INSERT INTO room_codes_rooms(room_id, template, enabled) VALUES ('closed-room', 'webinar', 0);`;

let dir;
const started = [];
before(() => {
  dir = tempDir();
  // the templates must exist before codes of a registered room are inserted
  makeDatabase(path.join(dir, 'app.db'), [['zzz-zzzz-zza', 'setup', 'x']], `${EXTRA}
INSERT INTO room_codes(code, room_id, role, enabled, user_id) VALUES
${ROWS.map(([c, r, role, en = 1, u = null]) => `('${c}', '${r}', '${role}', ${en}, ${u ? `'${u}'` : 'NULL'})`).join(',\n')};`);
});
after(async () => {
  for (const e of started) {
    await e.stop();
    assert.ok(!e.output().includes(SECRET), 'the endpoint printed the secret');
  }
  removeDir(dir);
});

async function endpoint(env) {
  const e = await startEndpoint({ ROOMCODE_DB: path.join(dir, 'app.db'), ROOMCODE_APP_SECRET: SECRET, ROOMCODE_MAX_FAILURES: '1000', ...env });
  started.push(e);
  return e;
}

const post = (url, body) => fetch(url, { method: 'POST', body: JSON.stringify(body) });
const form = (url, fields) =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

/** The refusals every platform answers alike, from roomcode_check's verdicts. */
async function checkRefusals(url) {
  const cases = [
    [{ code: 'zzz-zzzz-zzz' }, 404, 'room code does not exist'],
    [{ code: 'hello' }, 404, 'not a room code'],
    [{ code: 'dis-able-dab' }, 403, 'room code is disabled'],
    [{ code: 'clo-sedr-oom' }, 403, 'room is disabled'],
    [{ code: 'bou-ndto-ann' }, 403, 'room code is bound to a user'],
    [{ code: 'bou-ndto-ann', user_id: 'bob' }, 403, 'room code is bound to another user'],
  ];
  for (const [body, code, message] of cases) {
    const r = await post(url, body);
    assert.equal(r.status, code, JSON.stringify(body));
    assert.deepEqual(await r.json(), { code, message });
  }
}

describe('LiveKit', () => {
  let e;
  const verifier = new TokenVerifier(KEY, SECRET);
  before(async () => {
    e = await endpoint({ ROOMCODE_PLATFORM: 'livekit', ROOMCODE_LIVEKIT_URL: 'wss://livekit.example.com', ROOMCODE_ACCESS_KEY: KEY });
  });

  test('answers {token, url}; TokenVerifier accepts the token, with the role\'s grants', async () => {
    const host = await (await post(e.url, { code: 'HOS TCOD EAA', user_id: 'ann' })).json();
    assert.deepEqual(Object.keys(host), ['token', 'url']);
    assert.equal(host.url, 'wss://livekit.example.com');
    const claims = await verifier.verify(host.token);
    assert.equal(claims.sub, 'ann');
    assert.equal(claims.video.room, 'town-hall');
    assert.equal(claims.video.roomJoin, true);
    assert.equal(claims.video.roomAdmin, true);
    const viewer = await verifier.verify((await (await post(e.url, { code: 'vie-werc-ode' })).json()).token);
    assert.equal(viewer.video.canPublish, false);
    assert.equal(viewer.video.hidden, true);
    assert.match(viewer.sub, /^[0-9a-f-]{36}$/, 'an unbound code without user_id gets a fresh identity');
    await assert.rejects(new TokenVerifier(KEY, `${SECRET}x`).verify(host.token));
  });

  test('the same refusals, from roomcode_check', () => checkRefusals(e.url));

  test('the page sends a person to LiveKit Meet with the server URL and the token', async () => {
    const r = await form(`${e.url}/meeting/gue-stco-dea`, { code: 'gue–stco–dea' });
    assert.equal(r.status, 303);
    const to = new URL(r.headers.get('location'));
    assert.equal(to.origin + to.pathname, 'https://meet.livekit.io/custom');
    assert.equal(to.searchParams.get('liveKitUrl'), 'wss://livekit.example.com');
    const claims = await verifier.verify(to.searchParams.get('token'));
    assert.equal(claims.video.room, 'Lobby Two');
    assert.equal('name' in claims, false, 'no display name given, no name claim');
    const page = await fetch(`${e.url}/`);
    assert.match(page.headers.get('content-security-policy'), /form-action 'self' https:\/\/meet\.livekit\.io;/);
  });

  test('the display name typed on the page is the token\'s name', async () => {
    const r = await form(`${e.url}/`, { code: 'gue-stco-dea', name: ' Zoë 😀 ' });
    assert.equal(r.status, 303);
    const claims = await verifier.verify(new URL(r.headers.get('location')).searchParams.get('token'));
    assert.equal(claims.name, 'Zoë 😀');
  });
});

describe('Jitsi Meet', () => {
  let e;
  before(async () => {
    e = await endpoint({ ROOMCODE_PLATFORM: 'jitsi', ROOMCODE_APP_ID: APP_ID, ROOMCODE_JITSI_DOMAIN: DOMAIN });
  });

  /** What prosody's token module checks, as Jitsi's documentation describes it. */
  async function verifyLikeProsody(token, room) {
    const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      issuer: APP_ID,
      audience: APP_ID,
      subject: DOMAIN,
      requiredClaims: ['nbf', 'exp', 'room'],
    });
    assert.equal(payload.room, room);
    return payload;
  }

  test('answers {token, url}: the meeting URL with the token, the room as Jitsi names it', async () => {
    const body = await (await post(e.url, { code: 'hos-tcod-eaa', user_id: 'ann' })).json();
    assert.deepEqual(Object.keys(body), ['token', 'url']);
    const url = new URL(body.url);
    assert.equal(url.origin, `https://${DOMAIN}`);
    assert.equal(url.searchParams.get('jwt'), body.token);
    const claims = await verifyLikeProsody(body.token, decodeURIComponent(url.pathname.slice(1)));
    assert.equal(claims.context.user.id, 'ann');
    assert.equal(claims.moderator, true, 'an admin role is a moderator');
  });

  test('the same refusals, from roomcode_check', () => checkRefusals(e.url));

  test('the page sends a person to the meeting URL itself', async () => {
    const r = await form(`${e.url}/`, { code: 'Use code gue-stco-dea.' });
    assert.equal(r.status, 303);
    const to = new URL(r.headers.get('location'));
    assert.equal(to.origin, `https://${DOMAIN}`);
    const claims = await verifyLikeProsody(to.searchParams.get('jwt'), decodeURIComponent(to.pathname.slice(1)));
    assert.equal(claims.context.user.name, undefined, 'no display name given, no name claim');
  });

  test('the display name typed on the page is context.user.name', async () => {
    const r = await form(`${e.url}/`, { code: 'gue-stco-dea', name: 'Zoë' });
    assert.equal(r.status, 303);
    const to = new URL(r.headers.get('location'));
    const claims = await verifyLikeProsody(to.searchParams.get('jwt'), decodeURIComponent(to.pathname.slice(1)));
    assert.equal(claims.context.user.name, 'Zoë');
  });
});

describe('settings', () => {
  test('a wrong or missing platform setting stops it at start with the reason', async () => {
    const cases = [
      [{ ROOMCODE_PLATFORM: 'zoom' }, /ROOMCODE_PLATFORM must be one of 100ms, livekit, jitsi, not 'zoom'/],
      [{ ROOMCODE_PLATFORM: 'livekit', ROOMCODE_ACCESS_KEY: KEY }, /join-endpoint: set ROOMCODE_LIVEKIT_URL$/m],
      [{ ROOMCODE_PLATFORM: 'livekit', ROOMCODE_LIVEKIT_URL: 'wss://x.example.com' }, /join-endpoint: set ROOMCODE_ACCESS_KEY$/m],
      [{ ROOMCODE_PLATFORM: 'livekit', ROOMCODE_ACCESS_KEY: KEY, ROOMCODE_LIVEKIT_URL: 'livekit.example.com' }, /ROOMCODE_LIVEKIT_URL must be a ws, wss, http or https URL/],
      [{ ROOMCODE_PLATFORM: 'jitsi', ROOMCODE_JITSI_DOMAIN: DOMAIN }, /join-endpoint: set ROOMCODE_APP_ID$/m],
      [{ ROOMCODE_PLATFORM: 'jitsi', ROOMCODE_APP_ID: APP_ID }, /join-endpoint: set ROOMCODE_JITSI_DOMAIN$/m],
      [{ ROOMCODE_PLATFORM: 'jitsi', ROOMCODE_APP_ID: APP_ID, ROOMCODE_JITSI_DOMAIN: 'https://meet.example.com' }, /ROOMCODE_JITSI_DOMAIN must be the host name/],
      [{ ROOMCODE_PLATFORM: 'jitsi', ROOMCODE_APP_ID: APP_ID, ROOMCODE_JITSI_DOMAIN: DOMAIN, ROOMCODE_TTL_SECONDS: '99999999' }, /^join-endpoint: roomcode: ttl_seconds/m],
    ];
    for (const [env, message] of cases) {
      const err = await endpoint(env).then(
        () => assert.fail(`it started with ${JSON.stringify(env)}`),
        (x) => x,
      );
      assert.match(err.message, /exited with 1 before listening/);
      assert.match(err.message, message);
    }
  });
});
