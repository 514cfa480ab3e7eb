// roomcode_livekit_token verified by LiveKit's own server SDK (livekit-server-sdk's
// TokenVerifier, the check a LiveKit server applies to an access token: HS256 signature
// with the API secret, iss = the API key, exp required, nbf), and its claims compared with
// those of a token the SDK's own AccessToken makes for the same participant and grant.
// Tokens come from the sqlite3 shell with the extension loaded, as an app's SQL makes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ext = process.env.ROOMCODE_EXT || join(root, 'build', 'roomcode');
const shell = process.env.ROOMCODE_SQLITE3 || 'sqlite3';
const KEY = 'APIdP3nd3nt';
const SECRET = 'a-livekit-api-secret-of-32-bytes-or-more';

const dir = mkdtempSync(join(tmpdir(), 'roomcode-livekit-'));
const db = join(dir, 'codes.db');

function sql(text) {
  return execFileSync(shell, ['-batch', '-cmd', `.load ${ext}`, db], { input: text })
    .toString().trim();
}

sql(`CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes_templates(template, role, permissions) VALUES
  ('webinar', 'host', '{"admin": true}'),
  ('webinar', 'viewer', '{"publish": false, "publish_data": false, "hidden": true}');
INSERT INTO room_codes_rooms(room_id, template) VALUES ('town-hall', 'webinar');
INSERT INTO room_codes(code, room_id, role) VALUES
  ('hhh-hhhh-hhh', 'town-hall', 'host'),
  ('vvv-vvvv-vvv', 'town-hall', 'viewer'),
  ('ggg-gggg-ggg', 'Salle "é" ~?>', 'gäst'),
  ('ccc-cccc-ccc', 'lobby', 'guest');`);

const token = (code, identity, ttl = null) =>
  sql(`SELECT roomcode_livekit_token('${code}', ${identity === null ? 'NULL' : `'${identity}'`},` +
      ` '${KEY}', '${SECRET}'${ttl ? `, ${ttl}` : ''});`);

// What the SDK's own AccessToken puts in a token for the same participant, verified alike.
async function sdkClaims(identity, grant, role) {
  const at = new AccessToken(KEY, SECRET, { identity, attributes: { role } });
  at.addGrant(grant);
  return new TokenVerifier(KEY, SECRET).verify(await at.toJwt());
}

const timeless = ({ nbf, exp, iat, jti, ...rest }) => rest;

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a host: admin of the room, every permission', async () => {
  const before = Math.floor(Date.now() / 1000);
  const claims = await new TokenVerifier(KEY, SECRET).verify(token('hhh-hhhh-hhh', 'alice'));
  const grant = { room: 'town-hall', roomJoin: true, canPublish: true, canSubscribe: true,
                  canPublishData: true, roomAdmin: true, hidden: false };
  assert.deepEqual(claims.video, grant);
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.iss, KEY);
  assert.deepEqual(claims.attributes, { role: 'host' });
  assert.ok(claims.nbf >= before - 10 && claims.nbf <= Math.floor(Date.now() / 1000) - 9);
  assert.equal(claims.exp - claims.nbf, 86400);
  assert.deepEqual(timeless(claims), timeless(await sdkClaims('alice', grant, 'host')));
});

test('a viewer: hidden, subscribe only', async () => {
  const claims = await new TokenVerifier(KEY, SECRET).verify(token('vvv-vvvv-vvv', 'bob', 600));
  const grant = { room: 'town-hall', roomJoin: true, canPublish: false, canSubscribe: true,
                  canPublishData: false, roomAdmin: false, hidden: true };
  assert.deepEqual(claims.video, grant);
  assert.equal(claims.exp - claims.nbf, 600);
  assert.deepEqual(timeless(claims), timeless(await sdkClaims('bob', grant, 'viewer')));
});

test('an unregistered room: the default permissions, a fresh identity', async () => {
  const a = await new TokenVerifier(KEY, SECRET).verify(token('ccc-cccc-ccc', null));
  const b = await new TokenVerifier(KEY, SECRET).verify(token('ccc-cccc-ccc', null));
  assert.match(a.sub, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a.sub, b.sub);
  assert.deepEqual(a.video, { room: 'lobby', roomJoin: true, canPublish: true,
                              canSubscribe: true, canPublishData: true, roomAdmin: false,
                              hidden: false });
});

test('names that JSON escapes come back exactly', async () => {
  const claims = await new TokenVerifier(KEY, SECRET).verify(token('ggg-gggg-ggg', 'zoë'));
  assert.equal(claims.video.room, 'Salle "é" ~?>');
  assert.deepEqual(claims.attributes, { role: 'gäst' });
  assert.equal(claims.sub, 'zoë');
});

test('a display name: the name claim, as the SDK writes it; none without one', async () => {
  const t = sql(`SELECT roomcode_livekit_token('hhh-hhhh-hhh', 'alice', '${KEY}', '${SECRET}',` +
                ` 600, 'Zoë "Z" 😀');`);
  const claims = await new TokenVerifier(KEY, SECRET).verify(t);
  assert.equal(claims.name, 'Zoë "Z" 😀');
  assert.equal(claims.sub, 'alice');
  const at = new AccessToken(KEY, SECRET, { identity: 'alice', name: 'Zoë "Z" 😀' });
  assert.equal((await new TokenVerifier(KEY, SECRET).verify(await at.toJwt())).name, claims.name);
  const none = sql(`SELECT roomcode_livekit_token('hhh-hhhh-hhh', 'alice', '${KEY}', '${SECRET}',` +
                   ` 600, NULL);`);
  assert.equal('name' in await new TokenVerifier(KEY, SECRET).verify(none), false);
});

test('another secret or key is refused by the verifier', async () => {
  const t = token('hhh-hhhh-hhh', 'alice');
  await assert.rejects(new TokenVerifier(KEY, 'another-secret-of-32-bytes-or-more!!').verify(t));
  await assert.rejects(new TokenVerifier('APIother', SECRET).verify(t));
});
