'use strict';
// roomcode for Node, in sqlite-vec's style: getLoadablePath() names the module this package
// carries for the running platform, and load(db) loads it into a better-sqlite3 Database
// or a node:sqlite DatabaseSync.
const fs = require('node:fs');
const path = require('node:path');

// The platforms this package carries a module for (lib/<platform>-<arch>/roomcode.so).
const PLATFORMS = ['linux-x64'];

function getLoadablePath() {
  const platform = `${process.platform}-${process.arch}`;
  if (!PLATFORMS.includes(platform)) {
    throw new Error(
      `roomcode: no module for ${platform} in this package (it carries ${PLATFORMS.join(', ')}); ` +
        'build one from the sources with make and load build/roomcode.so'
    );
  }
  const file = path.join(__dirname, 'lib', platform, 'roomcode.so');
  if (!fs.existsSync(file)) {
    throw new Error(`roomcode: the module is missing from this package: ${file}`);
  }
  return file;
}

function load(db) {
  const file = getLoadablePath();
  if (typeof db.enableLoadExtension !== 'function') {
    // better-sqlite3: loadExtension is always allowed.
    db.loadExtension(file);
    return;
  }
  // node:sqlite: loading must be allowed when the database is opened, and is enabled for
  // this call only, so that SQL cannot load anything afterwards (SQLite's default).
  try {
    db.enableLoadExtension(true);
  } catch (err) {
    throw new Error(
      `roomcode: this DatabaseSync cannot load extensions (${err.message}); ` +
        'open it with { allowExtension: true }'
    );
  }
  try {
    db.loadExtension(file);
  } finally {
    db.enableLoadExtension(false);
  }
}

module.exports = { getLoadablePath, load };
