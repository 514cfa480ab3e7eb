// `npx roomcode-join` from the npm package that `make npm` builds, installed in a new
// project as a user would (better-sqlite3 beside it): it finds the package's own module
// without ROOMCODE_EXTENSION, prints no warning, serves tokens and the join page, and a
// missing database is an error naming the file. Without better-sqlite3 it runs on
// node:sqlite, with the Node 24 of `make node-sqlite` (Debian's Node 20 has none).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as jose from 'jose';
import { ACCESS_KEY, APP_SECRET, makeDatabase, removeDir, ROOT, startEndpoint, tempDir } from './support.mjs';

let dir, bare;
const started = [];
const NODE24 = path.join(ROOT, 'build', 'node-sqlite', 'node');

/** A new project in `folder` with the package installed from its tarball. */
function project(folder) {
  const tarball = readdirSync(path.join(ROOT, 'build')).find((f) => /^roomcode-.*\.tgz$/.test(f));
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'package.json'), '{"name": "my-app", "private": true}\n');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(ROOT, 'build', tarball)], {
    cwd: folder,
    stdio: 'ignore',
    timeout: 120000,
  });
  makeDatabase(path.join(folder, 'app.db'), [['toz-mfgy-vep', 'standup-42', 'guest']]);
}

before(() => {
  dir = tempDir();
  execFileSync('make', ['-s', '--no-print-directory', 'npm', 'node-sqlite'], { cwd: ROOT, stdio: 'ignore', timeout: 300000 });
  project(dir);
  // better-sqlite3 as `npm install better-sqlite3` would leave it, without compiling it again
  symlinkSync(path.join(ROOT, 'examples', 'join-endpoint', 'node_modules', 'better-sqlite3'), path.join(dir, 'node_modules', 'better-sqlite3'));
  // apart, so that no node_modules above it holds better-sqlite3
  bare = tempDir();
  project(bare);
});
after(async () => {
  for (const e of started) await e.stop();
  removeDir(dir);
  removeDir(bare);
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

test('without better-sqlite3, on Node 24: node:sqlite, the same token and page', async () => {
  // npx runs the command with the node first on PATH
  const e = await startEndpoint(
    { ...ENV, ROOMCODE_DB: 'app.db', PATH: `${path.dirname(NODE24)}:${process.env.PATH}` },
    { command: 'npx', argv: ['--no', 'roomcode-join'], cwd: bare, group: true },
  );
  started.push(e);
  const r = await fetch(`${e.url}/token`, { method: 'POST', body: JSON.stringify({ code: 'TOZ MFGY VEP' }) });
  assert.equal(r.status, 200);
  const { payload } = await jose.jwtVerify((await r.json()).token, new TextEncoder().encode(APP_SECRET), { algorithms: ['HS256'] });
  assert.equal(payload.room_id, 'standup-42');
  const refused = await fetch(`${e.url}/token`, { method: 'POST', body: JSON.stringify({ code: 'zzz-zzzz-zzz' }) });
  assert.deepEqual(await refused.json(), { code: 404, message: 'room code does not exist' });
  const read = await fetch(e.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Roomcode-Read': '1' },
    body: 'code=Use+code+toz-mfgy-vep.',
  });
  assert.deepEqual(await read.json(), { code: 'toz-mfgy-vep' });
});
