#!/usr/bin/env node
// `npx roomcode-join`: the join endpoint and its page (docs/join-page.md) on the module this
// package carries, configured by the environment. SQLite comes from better-sqlite3 when it
// is installed beside this package, else from node:sqlite (Node 22.13 and later).
import { createRequire } from 'node:module';
import { main } from '../join/server.mjs';

const require = createRequire(import.meta.url);
const roomcode = require('../index.cjs');

function driver() {
  try {
    const Database = require('better-sqlite3');
    return (file) => new Database(file, { fileMustExist: true });
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
  }
  let sqlite;
  try {
    sqlite = require('node:sqlite');
  } catch {
    console.error(
      `roomcode-join: no SQLite for Node ${process.version}: install better-sqlite3 beside roomcode ` +
        '(npm install roomcode better-sqlite3), or use Node 22.13 or later (node:sqlite)',
    );
    process.exit(1);
  }
  return (file) => new sqlite.DatabaseSync(file, { allowExtension: true });
}

main({ open: driver(), load: (db) => roomcode.load(db) });
