// `npx roomcode-join` from the npm package that `make npm` builds, installed in a new
// project as a user would (better-sqlite3 beside it): it finds the package's own module
// without ROOMCODE_EXTENSION, prints no warning, serves tokens and the join page, and a
// missing database is an error naming the file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as jose from 'jose';
import { ACCESS_KEY, APP_SECRET, makeDatabase, removeDir, ROOT, startEndpoint, tempDir } from './support.mjs';

let dir;
const started = [];
before(() => {
  dir = tempDir();
  execFileSync('make', ['-s', '--no-print-directory', 'npm'], { cwd: ROOT, stdio: 'ignore', timeout: 120000 });
  const tarball = readdirSync(path.join(ROOT, 'build')).find((f) => /^roomcode-.*\.tgz$/.test(f));
  writeFileSync(path.join(dir, 'package.json'), '{"name": "my-app", "private": true}\n');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(ROOT, 'build', tarball)], {
    cwd: dir,
    stdio: 'ignore',
    timeout: 120000,
  });
  // better-sqlite3 as `npm install better-sqlite3` would leave it, without compiling it again
  symlinkSync(path.join(ROOT, 'examples', 'join-endpoint', 'node_modules', 'better-sqlite3'), path.join(dir, 'node_modules', 'better-sqlite3'));
  makeDatabase(path.join(dir, 'app.db'), [['toz-mfgy-vep', 'standup-42', 'guest']]);
});
after(async () => {
  for (const e of started) await e.stop();
  removeDir(dir);
});

const ENV = {
  ROOMCODE_ACCESS_KEY: ACCESS_KEY,
  ROOMCODE_APP_SECRET: APP_SECRET,
  ROOMCODE_JOIN_URL: 'http://127.0.0.1:9/meet?token={token}',
};

test('npx roomcode-join: no warning, a token for the SDK, the join page', async () => {
  // a relative ROOMCODE_DB names the file in the folder it is run from
  const e = await startEndpoint({ ...ENV, ROOMCODE_DB: 'app.db' }, { command: 'npx', argv: ['--no', 'roomcode-join'], cwd: dir, group: true });
  started.push(e);
  const r = await fetch(`${e.url}/token`, { method: 'POST', body: JSON.stringify({ code: 'TOZ MFGY VEP' }) });
  assert.equal(r.status, 200);
  const { token } = await r.json();
  const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(APP_SECRET), { algorithms: ['HS256'] });
  assert.equal(payload.room_id, 'standup-42');
  const page = await fetch(`${e.url}/meeting/toz-mfgy-vep`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /value="toz-mfgy-vep"/);
  assert.match(e.output(), /^join-endpoint: listening on http:\/\/127\.0\.0\.1:\d+ \(database app\.db, join page at \/\)\n$/);
  assert.doesNotMatch(e.output(), /warning|MODULE_TYPELESS/i);
});

test('npx roomcode-join: a missing database file is an error naming it', async () => {
  const err = await startEndpoint({ ...ENV, ROOMCODE_DB: 'nothere.db' }, { command: 'npx', argv: ['--no', 'roomcode-join'], cwd: dir, group: true }).then(
    () => assert.fail('it started'),
    (x) => x,
  );
  assert.match(err.message, /exited with 1 before listening/);
  assert.match(err.message, new RegExp(`join-endpoint: database file '${path.join(dir, 'nothere.db')}' does not exist \\(ROOMCODE_DB\\)`));
});
