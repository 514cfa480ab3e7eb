// The join endpoint's database side: opening the file with roomcode loaded, through
// better-sqlite3 or node:sqlite alike, and the statements it runs per request:
// roomcode_check's verdict first, then the platform's token function, and
// roomcode_normalize for the page's reading of what was typed.
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
/** Each verdict of roomcode_check but 'ok': the HTTP status and the API's message. */
export const VERDICTS = {
  malformed: [404, 'not a room code'],
  unknown: [404, 'room code does not exist'],
  disabled: [403, 'room code is disabled'],
  room_disabled: [403, 'room is disabled'],
  bound: [403, 'room code is bound to a user'],
  other_user: [403, 'room code is bound to another user'],
};

/** A refusal to join: `refusal` is {code, message, reason}. */
export class Refusal extends Error {
  constructor(reason, code, message) {
    super(`refused: ${reason}`);
    this.refusal = { code, message, reason };
  }
}

/** The refusal of a roomcode_check verdict other than 'ok'. */
export function refusalOfVerdict(verdict) {
  const known = VERDICTS[verdict];
  if (!known) throw new Error(`roomcode_check gave an unknown verdict '${verdict}'`);
  return new Refusal(verdict, known[0], known[1]);
}

/**
 * What an error of an exchange means to the person joining: {code, message, reason} for a
 * refusal, or null for a server fault. Besides a Refusal, two errors of the extension's
 * are the person's: a user_id it refuses (400, in its own words, which quote only what
 * this client sent), and a row another client stored with a name that is not UTF-8 (403;
 * roomcode_check has no verdict for it, since the code itself is fine).
 */
export function refusalFor(err) {
  if (err instanceof Refusal) return err.refusal;
  const message = String(err && err.message);
  if (/^roomcode: user_id /.test(message)) {
    return { code: 400, message: message.slice('roomcode: '.length), reason: 'bad_request' };
  }
  if (/^roomcode: room code '[a-z-]+' has a stored /.test(message)) {
    return { code: 403, message: 'room code cannot be used', reason: 'stored' };
  }
  return null;
}

/**
 * `(code, userId[, name]) => token` for a token function of the extension (`sql` takes the
 * code and user id first, then `rest`, then the display name when `named`): roomcode_check
 * decides first, and its verdict other than 'ok' is thrown as a Refusal; the token is made
 * only for 'ok'.
 */
export function checkedToken(db, sql, rest, named = false) {
  const check = scalar(db, 'SELECT roomcode_check(?, ?)');
  const token = scalar(db, sql);
  const args = (name) => (named ? [...rest, name ?? null] : rest);
  const exchange = (code, userId, name = null) => {
    const verdict = check(code, userId);
    if (verdict !== 'ok') throw refusalOfVerdict(verdict);
    try {
      return token(code, userId, ...args(name));
    } catch (err) {
      // another connection may have changed the row between the two statements
      const now = check(code, userId);
      if (now !== 'ok') throw refusalOfVerdict(now);
      throw err;
    }
  };
  // At start: the token function itself, for a code that does not exist, so that a wrong
  // key, secret or ttl, or a missing table, shows before the first join. Its refusal of
  // the code is the one answer that says all of those are fine.
  exchange.probe = () => {
    try {
      token('zzz-zzzz-zzz', 'startup-check', ...args(null));
    } catch (err) {
      if (!/^roomcode: (unknown room code|room code '[a-z-]+' is )/.test(err.message)) throw err;
    }
  };
  return exchange;
}

// a JS number binds as REAL, and a ttl must be an INTEGER
const ttlArgs = (ttlSeconds) => (ttlSeconds ? [BigInt(ttlSeconds)] : []);
// the display name follows the ttl, so a token with a name gives the ttl: the extension's
// default (docs/sql-reference.md) unless one is set
const DEFAULT_TTL_SECONDS = 86400n;
const ttlBeforeName = (ttlSeconds) => (ttlSeconds ? BigInt(ttlSeconds) : DEFAULT_TTL_SECONDS);
const placeholders = (n) => Array(n).fill('?').join(', ');

/** 100ms: `(code, userId) => token` from roomcode_token, after roomcode_check. */
export function roomcodeExchange(db, accessKey, appSecret, ttlSeconds) {
  const rest = [accessKey, appSecret, ...ttlArgs(ttlSeconds)];
  return checkedToken(db, `SELECT roomcode_token(${placeholders(2 + rest.length)})`, rest);
}

/**
 * LiveKit: `(code, identity, name) => token` from roomcode_livekit_token, after
 * roomcode_check; the display name (or null) is the token's `name`.
 */
export function livekitExchange(db, apiKey, apiSecret, ttlSeconds) {
  const rest = [apiKey, apiSecret, ttlBeforeName(ttlSeconds)];
  return checkedToken(db, `SELECT roomcode_livekit_token(${placeholders(3 + rest.length)})`, rest, true);
}

/**
 * Jitsi Meet: `(code, userId, name) => token` from roomcode_jitsi_token, after
 * roomcode_check; the display name (or null) is the token's `context.user.name`.
 */
export function jitsiExchange(db, appId, appSecret, domain, ttlSeconds) {
  const rest = [appId, appSecret, domain, ttlBeforeName(ttlSeconds)];
  return checkedToken(db, `SELECT roomcode_jitsi_token(${placeholders(3 + rest.length)})`, rest, true);
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
