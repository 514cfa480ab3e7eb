// Checks of the npm package roomcode, run by run.py inside the project docs/install.md
// built (~/my-app: the tarball and better-sqlite3 installed). Prints [name, ok, detail]
// rows as JSON.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Database = require('better-sqlite3');
const roomcode = require('roomcode');

const results = [];
function check(name, fn) {
  try {
    const detail = fn();
    results.push([name, detail === true, detail === true ? '' : String(detail)]);
  } catch (err) {
    results.push([name, false, `threw ${err.message}`]);
  }
}

check('getLoadablePath() is the module inside the installed package', () => {
  const file = roomcode.getLoadablePath();
  const want = path.join(__dirname, 'node_modules', 'roomcode', 'lib', 'linux-x64', 'roomcode.so');
  return (file === fs.realpathSync(want) || file === want) && fs.existsSync(file) ? true : file;
});

check('require: load(db) into better-sqlite3, then a function and the table', () => {
  const db = new Database(':memory:');
  roomcode.load(db);
  roomcode.load(db); // loading twice is harmless
  db.exec('CREATE VIRTUAL TABLE room_codes USING roomcode');
  db.prepare("INSERT INTO room_codes(code, room_id, role) VALUES ('XVM WXWO GBL', 'r', 'host')").run();
  const row = db.prepare("SELECT code, roomcode_valid(code) AS valid FROM room_codes").get();
  db.close();
  return row.code === 'xvm-wxwo-gbl' && row.valid === 1 ? true : JSON.stringify(row);
});

check('load(db) of a node:sqlite-like database enables loading for the call only', () => {
  const calls = [];
  const db = {
    enableLoadExtension: (allow) => calls.push(`enable ${allow}`),
    loadExtension: (file) => calls.push(`load ${path.basename(file)}`),
  };
  roomcode.load(db);
  const want = 'enable true,load roomcode.so,enable false';
  return calls.join() === want ? true : calls.join();
});

check('load(db) of a node:sqlite database opened without allowExtension says so', () => {
  const db = {
    enableLoadExtension: () => {
      throw new Error('Cannot enable extension loading because it was disabled at database creation.');
    },
    loadExtension: () => {},
  };
  try {
    roomcode.load(db);
    return 'no error';
  } catch (err) {
    return /^roomcode: this DatabaseSync cannot load extensions .*open it with \{ allowExtension: true \}$/.test(
      err.message
    )
      ? true
      : err.message;
  }
});

check('getLoadablePath() on a platform the package does not carry names it', () => {
  const real = Object.getOwnPropertyDescriptor(process, 'platform');
  Object.defineProperty(process, 'platform', { value: 'darwin' });
  try {
    roomcode.getLoadablePath();
    return 'no error';
  } catch (err) {
    return err.message.startsWith(`roomcode: no module for darwin-${process.arch} in this package`)
      ? true
      : err.message;
  } finally {
    Object.defineProperty(process, 'platform', real);
  }
});

process.stdout.write(JSON.stringify(results));
