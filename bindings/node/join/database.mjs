// The join endpoint's database side: opening the file with roomcode loaded, through
// better-sqlite3 or node:sqlite alike, and the statements it runs per request. The
// extension's refusals become a reason the HTTP side maps to an answer.
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Opens `file` read-write with roomcode loaded, never creating it. `open(file)` makes the
 * connection (a better-sqlite3 Database or a node:sqlite DatabaseSync) and `load(db)`
 * loads the extension into it. A missing file is an error naming it.
 */
export function openDatabase(file, { open, load }) {
  const shown = path.resolve(file);
  // node:sqlite would create a missing file; better-sqlite3 would not say which
  if (!existsSync(file)) throw new Error(`database file '${shown}' does not exist (ROOMCODE_DB)`);
  let db;
  try {
    db = open(file);
  } catch (err) {
    throw new Error(`cannot open database file '${shown}': ${err.message}`);
  }
  try {
    load(db);
    // requests run on the event loop: wait a little for a writer's lock, not long
    db.exec('PRAGMA busy_timeout = 250');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** A function running `sql` that returns the first column of its first row. */
export function scalar(db, sql) {
  const stmt = db.prepare(sql);
  if (typeof stmt.pluck === 'function') {
    stmt.pluck();
    return (...args) => stmt.get(...args);
  }
  return (...args) => {
    const row = stmt.get(...args);
    return row === undefined ? undefined : Object.values(row)[0];
  };
}

// The SDK throws an exception whose `code` is the body's `code`. It retries at once, up to
// four requests in all, when that code is 429 or 500-511 (or the body is not JSON), so a
// permanent refusal must never carry one of those.
const REFUSALS = [
  [/^roomcode: unknown room code /, 404, 'room code does not exist', 'unknown'],
  [/^roomcode: malformed room code /, 404, 'not a room code', 'malformed'],
  [/^roomcode: room code '[a-z-]+' is disabled$/, 403, 'room code is disabled', 'disabled'],
  [/^roomcode: room code '[a-z-]+' is bound to a user:/, 403, 'room code is bound to a user', 'bound'],
  [/^roomcode: room code '[a-z-]+' is bound to another user /, 403, 'room code is bound to another user', 'other_user'],
  [/^roomcode: room code '[a-z-]+' has a stored /, 403, 'room code cannot be used', 'stored'],
  // empty, longer than 256 bytes, a NUL byte: the extension's words, which quote only
  // what this client sent
  [/^roomcode: user_id /, 400, null, 'bad_request'],
];

/**
 * What a roomcode refusal means to the person joining: {code, message, reason}, or null
 * for a server fault.
 */
export function refusalFor(err) {
  const message = String(err && err.message);
  for (const [pattern, code, text, reason] of REFUSALS) {
    if (pattern.test(message)) return { code, message: text ?? message.slice('roomcode: '.length), reason };
  }
  return null;
}

/**
 * The 100ms exchange: roomcode_token in one statement. Returns
 * `(code, userId) => token`, which throws the extension's refusal.
 */
export function roomcodeExchange(db, accessKey, appSecret, ttlSeconds) {
  // a JS number binds as REAL, and the ttl must be an INTEGER
  const ttl = ttlSeconds ? BigInt(ttlSeconds) : null;
  const token = ttl
    ? scalar(db, 'SELECT roomcode_token(?, ?, ?, ?, ?)')
    : scalar(db, 'SELECT roomcode_token(?, ?, ?, ?)');
  return ttl
    ? (code, userId) => token(code, userId, accessKey, appSecret, ttl)
    : (code, userId) => token(code, userId, accessKey, appSecret);
}

/** `(text) => code or null`: roomcode_normalize, the extension's reading of what was typed. */
export function codeReader(db) {
  const normalize = scalar(db, 'SELECT roomcode_normalize(?)');
  return (text) => normalize(text) ?? null;
}

/** The claims of a JWT this process signed (base64url JSON); no check, it is our own. */
export function claimsOf(token) {
  return JSON.parse(Buffer.from(String(token).split('.')[1], 'base64url').toString('utf8'));
}
