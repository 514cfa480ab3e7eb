// A join endpoint for Room Code Authentication: the 100ms web SDK's
// `hmsActions.getAuthTokenByRoomCode({ roomCode, userId }, { endpoint })` POSTs
// {"code", "user_id"} here and gets back {"token"} from roomcode_token, or a JSON error
// whose `code` the SDK hands to the app. Configured by the environment (see README.md);
// `node server.js` runs it in the foreground until SIGTERM or SIGINT.
import http from 'node:http';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// A pasted link is the longest thing a person sends; 8 KiB is generous for that plus a
// 256-byte user id, and small enough that nobody streams megabytes at the parser.
export const BODY_LIMIT = 8192;
const DISCARD_LIMIT = 1 << 20;

// The SDK throws an exception whose `code` is the body's `code`. It retries at once, up to
// four requests in all, when that code is 429 or 500-511 (or the body is not JSON), so a
// permanent refusal must never carry one of those.
const REFUSALS = [
  [/^roomcode: unknown room code /, 404, 'room code does not exist'],
  [/^roomcode: malformed room code /, 404, 'not a room code'],
  [/^roomcode: room code '[a-z-]+' is disabled$/, 403, 'room code is disabled'],
  [/^roomcode: room code '[a-z-]+' is bound to a user:/, 403, 'room code is bound to a user'],
  [/^roomcode: room code '[a-z-]+' is bound to another user /, 403, 'room code is bound to another user'],
  [/^roomcode: room code '[a-z-]+' has a stored /, 403, 'room code cannot be used'],
  // empty, longer than 256 bytes, a NUL byte: the extension's words, which quote only
  // what this client sent
  [/^roomcode: user_id /, 400, null],
];

/** What a roomcode refusal means to the person joining, or null for a server fault. */
export function refusalFor(err) {
  const message = String(err && err.message);
  for (const [pattern, code, text] of REFUSALS) {
    if (pattern.test(message)) return { code, message: text ?? message.slice('roomcode: '.length) };
  }
  return null;
}

/** Opens the database read-write (never creating it) with roomcode loaded. */
export function openDatabase(file, extension) {
  const db = new Database(file, { fileMustExist: true });
  db.loadExtension(extension);
  // better-sqlite3 runs on the event loop: wait a little for a writer's lock, not long.
  db.pragma('busy_timeout = 250');
  return db;
}

/**
 * The exchange the endpoint runs for each request: roomcode_token in one statement.
 * Returns the token or throws the extension's refusal.
 */
export function roomcodeExchange(db, accessKey, appSecret, ttlSeconds) {
  // better-sqlite3 binds a JS number as REAL, and the ttl must be an INTEGER
  const ttl = ttlSeconds ? BigInt(ttlSeconds) : null;
  const stmt = ttl
    ? db.prepare('SELECT roomcode_token(?, ?, ?, ?, ?)').pluck()
    : db.prepare('SELECT roomcode_token(?, ?, ?, ?)').pluck();
  return ttl
    ? (code, userId) => stmt.get(code, userId, accessKey, appSecret, ttl)
    : (code, userId) => stmt.get(code, userId, accessKey, appSecret);
}

/**
 * Failed exchanges (403 and 404) per client address, as token buckets: `limit` tries at
 * once, regained at `limit` per `windowSeconds`. A request takes a try when it arrives,
 * before its body is read, and gives it back when it ends in anything but a failure; so
 * requests in flight count, however many arrive at once, and a bucket never goes below
 * empty: the wait is never longer than windowSeconds / limit. IPv6 clients count per /64,
 * the block one subscriber usually holds. At most `maxClients` addresses are tracked; the
 * oldest are forgotten first.
 */
export class FailureLimiter {
  constructor({ limit = 10, windowSeconds = 60, maxClients = 100000, now = () => Date.now() } = {}) {
    this.limit = limit;
    this.perMs = limit / (windowSeconds * 1000);
    this.maxClients = maxClients;
    this.now = now;
    this.buckets = new Map();
  }

  tokens(key, t) {
    const b = this.buckets.get(key);
    return b ? Math.min(this.limit, b.tokens + (t - b.at) * this.perMs) : this.limit;
  }

  set(key, tokens, t) {
    this.buckets.delete(key); // re-inserted last: the Map's order is least recent first
    this.buckets.set(key, { tokens, at: t });
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value);
  }

  /**
   * Takes a try for the client: returns 0 when it had one, else the seconds until it has
   * one again (and takes nothing).
   */
  take(key) {
    const t = this.now();
    const tokens = this.tokens(key, t);
    if (tokens < 1) return Math.ceil((1 - tokens) / this.perMs / 1000);
    this.set(key, tokens - 1, t);
    return 0;
  }

  /** Gives back a try taken by take(): the request did not fail. */
  giveBack(key) {
    const t = this.now();
    this.set(key, Math.min(this.limit, this.tokens(key, t) + 1), t);
  }

  /** Forgets clients whose bucket has refilled: they are as good as new. */
  sweep() {
    const t = this.now();
    for (const key of this.buckets.keys()) {
      if (this.tokens(key, t) >= this.limit) this.buckets.delete(key);
    }
  }
}

/** The key an address is limited under: IPv4 as is, IPv6 by its /64. */
export function clientKey(address) {
  const a = String(address || '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return mapped[1];
  if (!a.includes(':')) return a;
  const [head, tail = ''] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = a.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

export const HEADERS_TIMEOUT_MS = 5000;
export const REQUEST_TIMEOUT_MS = 10000;

const BUSY = Symbol('answering a request');

/**
 * Caps the server's open connections: at most `maxPerAddress` from one client address (a
 * new one past that is closed at once), and `maxConnections` in all. At the total cap a
 * new connection closes the oldest one that is not being answered (still sending its
 * headers, or idle between requests), so a crowd of half-sent requests cannot keep
 * everyone else out while it waits for its timeout.
 */
export function limitConnections(server, { maxConnections, maxPerAddress }) {
  const open = new Map(); // socket -> client key, oldest first
  const perAddress = new Map();
  const forget = (socket) => {
    const key = open.get(socket);
    if (key === undefined) return;
    open.delete(socket);
    const n = perAddress.get(key) - 1;
    if (n) perAddress.set(key, n);
    else perAddress.delete(key);
  };
  server.on('connection', (socket) => {
    const key = clientKey(socket.remoteAddress);
    if ((perAddress.get(key) || 0) >= maxPerAddress) return socket.destroy();
    if (open.size >= maxConnections) {
      let oldest = null;
      for (const s of open.keys()) {
        if (!s[BUSY]) {
          oldest = s;
          break;
        }
      }
      if (!oldest) return socket.destroy();
      forget(oldest);
      oldest.destroy();
    }
    open.set(socket, key);
    perAddress.set(key, (perAddress.get(key) || 0) + 1);
    socket.once('close', () => forget(socket));
  });
  server.on('request', (req, res) => {
    req.socket[BUSY] = true;
    res.once('close', () => (req.socket[BUSY] = false));
  });
}

/**
 * How many connections the process can hold: `wanted`, or less when the open-file limit
 * (from /proc/self/limits on Linux) leaves fewer files than that beside 64 for the
 * database and Node itself.
 */
export function connectionBudget(wanted) {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Math.max(1, Math.min(wanted, Number(m[1]) - 64));
  } catch {
    // not Linux: trust the setting
  }
  return wanted;
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function sendError(res, code, message, headers) {
  send(res, code, { code, message }, headers);
}

/**
 * The request body as text, or null when it passes `limit` bytes. A body too large is
 * still read to its end and dropped, so that a client still sending reads the 413 rather
 * than a reset; past `discard` bytes, `cut` is set and the connection is to be closed.
 */
function readBody(req, limit, discard) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > discard) {
        req.pause();
        resolve({ text: null, cut: true });
      }
    });
    req.on('end', () => resolve({ text: size > limit ? null : Buffer.concat(chunks).toString('utf8'), cut: false }));
    // the client went away mid-body: nobody to answer
    req.on('error', () => resolve({ text: null, cut: true, gone: true }));
  });
}

/**
 * The HTTP server around `exchange(code, userId)`, which returns a token or throws a
 * roomcode refusal. Answers POST on every path and the CORS preflight; every answer
 * with a body is JSON.
 */
export function createJoinServer({
  exchange,
  limiter = new FailureLimiter(),
  corsOrigin = '*',
  trustProxy = false,
  maxConnections = 1000,
  maxPerAddress = 50,
  log = (line) => console.error(line),
}) {
  const cors = {
    'Access-Control-Allow-Origin': corsOrigin,
    'Access-Control-Expose-Headers': 'Retry-After',
    ...(corsOrigin === '*' ? {} : { Vary: 'Origin' }),
  };

  function clientOf(req) {
    if (trustProxy) {
      // the address the proxy in front of us appended last; the ones before it are the
      // client's own claims
      const forwarded = String(req.headers['x-forwarded-for'] || '').split(',').pop().trim();
      if (forwarded) return clientKey(forwarded);
    }
    return clientKey(req.socket.remoteAddress);
  }

  // a bad request costs no try: it says nothing about any code
  function badRequest(res, message) {
    sendError(res, 400, message, cors);
    return false;
  }

  async function handle(req, res) {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Max-Age': '600',
      });
      return res.end();
    }
    if (req.method !== 'POST') {
      return sendError(res, 405, 'use POST', { ...cors, Allow: 'POST, OPTIONS' });
    }
    const client = clientOf(req);
    const wait = limiter.take(client);
    if (wait > 0) {
      return sendError(res, 429, `too many failed room codes from this address: try again in ${wait} s`, {
        ...cors,
        'Retry-After': String(wait),
      });
    }
    // the try taken stays taken only for a refusal (403, 404)
    let failed = false;
    try {
      failed = await answer(req, res);
    } finally {
      if (!failed) limiter.giveBack(client);
    }
  }

  /** Reads the body and answers it; returns true when the answer is a refusal. */
  async function answer(req, res) {
    const { text, cut, gone } = await readBody(req, BODY_LIMIT, DISCARD_LIMIT);
    if (gone) {
      res.destroy();
      return false;
    }
    if (text === null) {
      sendError(res, 413, `request body larger than ${BODY_LIMIT} bytes`, {
        ...cors,
        ...(cut ? { Connection: 'close' } : {}),
      });
      return false;
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return badRequest(res, 'request body is not JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return badRequest(res, 'request body must be a JSON object');
    }
    const { code } = body;
    // the SDK leaves user_id out when the app gives none; an empty one means the same
    const userId = body.user_id === '' || body.user_id === undefined ? null : body.user_id;
    if (typeof code !== 'string') return badRequest(res, 'code must be a string');
    if (userId !== null && typeof userId !== 'string') {
      return badRequest(res, 'user_id must be a string when given');
    }
    if (userId !== null && /\p{Cs}/u.test(userId)) {
      // SQLite would store a lone surrogate as U+FFFD: the token would name someone else
      return badRequest(res, 'user_id must be well-formed Unicode');
    }
    let token;
    try {
      token = exchange(code, userId);
    } catch (err) {
      const refusal = refusalFor(err);
      if (!refusal) {
        // a fault of the server (a lock held too long, a missing table): worth the SDK's
        // immediate retries; the message names the code, never the secret
        log(`join-endpoint: ${err.message}`);
        sendError(res, 503, 'token service unavailable, try again', cors);
        return false;
      }
      // a stored name another client wrote badly: the operator has to fix the row
      if (/ has a stored /.test(err.message)) log(`join-endpoint: ${err.message}`);
      sendError(res, refusal.code, refusal.message, cors);
      return refusal.code !== 400;
    }
    send(res, 200, { token }, cors);
    return false;
  }

  const server = http.createServer(
    {
      // a request must have sent its headers within 5 s and all of itself within 10 s;
      // Node checks both every connectionsCheckingInterval (30 s unless set)
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      handle(req, res).catch((err) => {
        log(`join-endpoint: ${err.message}`);
        if (!res.headersSent) sendError(res, 500, 'internal error', cors);
        else res.destroy();
      });
    },
  );
  limitConnections(server, { maxConnections, maxPerAddress: trustProxy ? Infinity : maxPerAddress });
  const sweeper = setInterval(() => limiter.sweep(), 60000);
  sweeper.unref();
  server.on('close', () => clearInterval(sweeper));
  return server;
}

function wholeNumber(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) throw new Error(`${name} must be a whole number from ${min}, not '${raw}'`);
  return n;
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

/** Runs the endpoint from the environment until SIGTERM or SIGINT. */
export function main() {
  let db, server;
  try {
    const file = required('ROOMCODE_DB');
    const accessKey = required('ROOMCODE_ACCESS_KEY');
    const appSecret = required('ROOMCODE_APP_SECRET');
    // nothing this process starts later inherits the secret
    delete process.env.ROOMCODE_APP_SECRET;
    const extension = process.env.ROOMCODE_EXTENSION || path.join(HERE, '..', '..', 'build', 'roomcode');
    const host = process.env.HOST || '127.0.0.1';
    const port = wholeNumber('PORT', 8787, 0);
    const limiter = new FailureLimiter({
      limit: wholeNumber('ROOMCODE_MAX_FAILURES', 10),
      windowSeconds: wholeNumber('ROOMCODE_FAILURE_WINDOW', 60),
    });
    db = openDatabase(file, extension);
    const exchange = roomcodeExchange(db, accessKey, appSecret, wholeNumber('ROOMCODE_TTL_SECONDS', null));
    // a wrong key, a missing table or a bad ttl shows now, not at the first join
    try {
      exchange('zzz-zzzz-zzz', 'startup-check');
    } catch (err) {
      if (!/^roomcode: (unknown room code|room code '[a-z-]+' is )/.test(err.message)) throw err;
    }
    server = createJoinServer({
      exchange,
      limiter,
      corsOrigin: process.env.ROOMCODE_CORS_ORIGIN || '*',
      trustProxy: process.env.ROOMCODE_TRUST_PROXY === '1',
      maxConnections: connectionBudget(wholeNumber('ROOMCODE_MAX_CONNECTIONS', 1000)),
      maxPerAddress: wholeNumber('ROOMCODE_MAX_CONNECTIONS_PER_ADDRESS', 50),
    });
    server.listen(port, host, () => {
      const { address, port: bound } = server.address();
      const shown = address.includes(':') ? `[${address}]` : address;
      console.log(`join-endpoint: listening on http://${shown}:${bound} (database ${file})`);
    });
    server.on('error', (err) => {
      console.error(`join-endpoint: ${err.message}`);
      process.exit(1);
    });
  } catch (err) {
    console.error(`join-endpoint: ${err.message}`);
    if (db) db.close();
    process.exit(1);
  }

  const stop = (signal) => {
    console.log(`join-endpoint: ${signal}, stopping`);
    server.close(() => {
      db.close();
      console.log('join-endpoint: stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    // a client that keeps a request open does not hold the shutdown
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
