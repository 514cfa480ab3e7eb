// The join endpoint run from this repository (`make serve`): the code of the npm package's
// `roomcode-join` command (bindings/node/join/), with better-sqlite3 from this folder and
// the extension built here (build/roomcode), or the one ROOMCODE_EXTENSION names.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import * as join from '../../bindings/node/join/server.mjs';

export * from '../../bindings/node/join/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const EXTENSION = path.join(HERE, '..', '..', 'build', 'roomcode');

/** Opens `file` with better-sqlite3 and loads `extension` (default: this build's). */
export function openDatabase(file, extension = EXTENSION) {
  return join.openDatabase(file, {
    open: (f) => new Database(f, { fileMustExist: true }),
    load: (db) => db.loadExtension(extension),
  });
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const extension = process.env.ROOMCODE_EXTENSION || EXTENSION;
  join.main({
    open: (f) => new Database(f, { fileMustExist: true }),
    load: (db) => db.loadExtension(extension),
  });
}
