// `make serve`, as the endpoint's README and docs/authentication.md tell an app to run it:
// configured by the environment, answering the SDK, stopped by SIGTERM to make.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';
import * as jose from 'jose';
import {
  ACCESS_KEY,
  APP_SECRET,
  decodeLikeSdk,
  EXTENSION,
  guardFetch,
  loadSdk,
  removeDir,
  startEndpoint,
  tempDir,
  waitExit,
} from './support.mjs';

guardFetch();
const dir = tempDir();
let serve;
after(async () => {
  if (serve) await serve.stop();
  removeDir(dir);
});

test('make serve: HOST defaults to 127.0.0.1; the SDK gets a token; SIGTERM to make stops it', async () => {
  // the commands of docs/authentication.md, with the database in a temp dir
  const db = path.join(dir, 'app.db');
  const code = execFileSync(
    'sqlite3',
    ['-cmd', `.load ${EXTENSION}`, db, 'CREATE VIRTUAL TABLE room_codes USING roomcode', "SELECT roomcode_new('standup-42', 'guest')"],
    { encoding: 'utf8', timeout: 30000 },
  ).trim();
  assert.match(code, /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  serve = await startEndpoint(
    { ROOMCODE_DB: db, ROOMCODE_ACCESS_KEY: ACCESS_KEY, ROOMCODE_APP_SECRET: APP_SECRET, HOST: '' },
    { command: 'make', argv: ['-s', '--no-print-directory', 'serve'], timeoutMs: 240000 },
  );
  const actions = new (loadSdk().HMSReactiveStore)().getActions();
  const token = await actions.getAuthTokenByRoomCode({ roomCode: code }, { endpoint: `${serve.url}/token` });
  const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(APP_SECRET), { algorithms: ['HS256'] });
  assert.deepEqual(decodeLikeSdk(token), payload);
  assert.equal(payload.room_id, 'standup-42');

  serve.proc.kill('SIGTERM');
  const exit = await waitExit(serve.exited, 5000);
  assert.notEqual(exit, null, 'make serve did not stop on SIGTERM');
  assert.match(serve.output(), /join-endpoint: SIGTERM, stopping\njoin-endpoint: stopped\n/);
  await assert.rejects(fetch(`${serve.url}/token`, { method: 'POST', body: '{}' }), /fetch failed/);
  assert.ok(!serve.output().includes(APP_SECRET));
  assert.ok(!serve.output().includes(token.split('.')[2]));
});
