// A join endpoint for room codes. The 100ms web SDK's
// `hmsActions.getAuthTokenByRoomCode({ roomCode, userId }, { endpoint })` POSTs
// {"code", "user_id"} here and gets back {"token"}, or a JSON error whose `code` the SDK
// hands to the app. With a meeting URL configured it also serves the join page (page.mjs)
// at `/` and at every Room Link path of its own base, whose form posts here too.
// Configured by the environment (docs/join-page.md, docs/authentication.md); main() runs it
// in the foreground until SIGTERM or SIGINT.
import http from 'node:http';
import {
  claimsOf,
  codeReader,
  jitsiExchange,
  livekitExchange,
  openDatabase,
  refusalFor,
  roomcodeExchange,
} from './database.mjs';
import {
  clientKey,
  connectionBudget,
  FailureLimiter,
  HEADERS_TIMEOUT_MS,
  limitConnections,
  REQUEST_TIMEOUT_MS,
} from './limits.mjs';
import {
  checkJoinTemplate,
  fillJoinTemplate,
  NAME_LIMIT,
  pageHeaders,
  pageRoute,
  renderPage,
  sentenceFor,
} from './page.mjs';

export { clientKey, FailureLimiter, openDatabase, refusalFor, roomcodeExchange };
export { jitsiExchange, livekitExchange };

// A pasted link is the longest thing a person sends; 8 KiB is generous for that plus a
// 256-byte user id, and small enough that nobody streams megabytes at the parser.
export const BODY_LIMIT = 8192;
const DISCARD_LIMIT = 1 << 20;

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

const isForm = (req) => /^application\/x-www-form-urlencoded\b/i.test(String(req.headers['content-type'] || ''));
const wantsJson = (req) => /\bapplication\/json\b/i.test(String(req.headers.accept || ''));

/** What a meeting URL template may use from a result: its claims by platform. */
function templateValues(result, room, role) {
  return { token: result.token, url: result.url, room_id: room, role };
}

/**
 * The 100ms platform: tokens from roomcode_token, and with `joinUrl` (ROOMCODE_JOIN_URL)
 * the meeting URL the page sends a person to, placeholders {token} {room_id} {role}
 * {code} {name}.
 */
export function hundredMs({ exchange, joinUrl }) {
  return {
    exchange: (code, userId) => ({ token: exchange(code, userId) }),
    meetingUrl: joinUrl
      ? (result) => {
          const claims = claimsOf(result.token);
          return fillJoinTemplate(joinUrl, { ...templateValues(result, claims.room_id, claims.role), code: result.code, name: result.name });
        }
      : null,
    formTarget: joinUrl ? checkJoinTemplate('ROOMCODE_JOIN_URL', joinUrl) : null,
  };
}

/** LiveKit Meet's page that joins any LiveKit server with a URL and a token. */
export const LIVEKIT_MEET = 'https://meet.livekit.io/custom?liveKitUrl={url}&token={token}';

/**
 * LiveKit: tokens from roomcode_livekit_token, answered with the server's `url`; the page
 * goes to `joinUrl` (default LiveKit Meet's custom connection page), placeholders {url}
 * {token} {room_id} {role} {code} {name}.
 */
export function livekit({ exchange, serverUrl, joinUrl }) {
  const template = joinUrl || LIVEKIT_MEET;
  return {
    exchange: (code, identity, name) => ({ token: exchange(code, identity, name), url: serverUrl }),
    meetingUrl: (result) => {
      const claims = claimsOf(result.token);
      const values = templateValues(result, claims.video?.room, claims.attributes?.role);
      return fillJoinTemplate(template, { ...values, code: result.code, name: result.name });
    },
    formTarget: checkJoinTemplate(joinUrl ? 'ROOMCODE_JOIN_URL' : 'the LiveKit Meet URL', template),
  };
}

/**
 * Jitsi Meet: tokens from roomcode_jitsi_token, answered with the meeting URL Jitsi opens
 * with the token (`https://<domain>/<room>?jwt=<token>`), where the page goes too unless
 * `joinUrl` says otherwise.
 */
export function jitsi({ exchange, domain, joinUrl }) {
  const meeting = (token) => `https://${domain}/${encodeURIComponent(claimsOf(token).room)}?jwt=${token}`;
  return {
    exchange: (code, userId, name) => {
      const token = exchange(code, userId, name);
      return { token, url: meeting(token) };
    },
    meetingUrl: (result) => {
      if (!joinUrl) return result.url;
      const claims = claimsOf(result.token);
      const values = templateValues(result, claims.room, claims.context?.user?.moderator === 'true' ? 'moderator' : 'member');
      return fillJoinTemplate(joinUrl, { ...values, code: result.code, name: result.name });
    },
    formTarget: joinUrl ? checkJoinTemplate('ROOMCODE_JOIN_URL', joinUrl) : `https://${domain}`,
  };
}

/**
 * The HTTP server. `platform.exchange(code, userId, name)` returns {token[, url]} or
 * throws a roomcode refusal; with `platform.meetingUrl` and `readCode(text)` (the
 * extension's reading of what was typed) it serves the join page too. Answers POST on
 * every path and the CORS preflight; every API answer with a body is JSON.
 */
export function createJoinServer({
  exchange,
  platform = exchange ? { exchange: (code, userId) => ({ token: exchange(code, userId) }) } : null,
  readCode = null,
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
  const page = platform.meetingUrl && readCode ? pageHeaders(platform.formTarget) : null;

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

  function sendPage(res, status, fields, headers = {}) {
    const html = renderPage(fields);
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
      ...page,
      ...headers,
    });
    res.end(html);
  }

  function servePage(req, res) {
    const url = new URL(req.url, 'http://x');
    const route = pageRoute(url.pathname);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...page });
      return res.end('not found\n');
    }
    if (route.asset) {
      res.writeHead(200, { 'Content-Type': route.asset.type, 'Content-Length': route.asset.body.length, ...page });
      return res.end(req.method === 'HEAD' ? undefined : route.asset.body);
    }
    return sendPage(res, 200, { typed: route.code, read: route.code, depth: route.depth });
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
    if (page && (req.method === 'GET' || req.method === 'HEAD')) return servePage(req, res);
    if (req.method !== 'POST') {
      return sendError(res, 405, 'use POST', { ...cors, Allow: page ? 'GET, HEAD, POST, OPTIONS' : 'POST, OPTIONS' });
    }
    const form = page && isForm(req);
    // the page asking what a text reads as: no code is tried, nothing is counted
    if (form && req.headers['roomcode-read'] === '1') return answerRead(req, res);
    const client = clientOf(req);
    const wait = limiter.take(client);
    if (wait > 0 && !form) {
      return sendError(res, 429, `too many failed room codes from this address: try again in ${wait} s`, {
        ...cors,
        'Retry-After': String(wait),
      });
    }
    // the try taken stays taken only for a refusal (403, 404)
    let failed = false;
    try {
      failed = form ? await answerForm(req, res, wait) : await answer(req, res);
    } finally {
      if (!failed && wait === 0) limiter.giveBack(client);
    }
  }

  async function answerRead(req, res) {
    const { text, gone } = await readBody(req, BODY_LIMIT, DISCARD_LIMIT);
    if (gone) return res.destroy();
    const typed = text === null ? '' : (new URLSearchParams(text).get('code') ?? '');
    send(res, 200, { code: typed ? readCode(typed) : null }, page);
  }

  /** Reads the body and answers the API; returns true when the answer is a refusal. */
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
    let result;
    try {
      result = platform.exchange(code, userId, null);
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
    send(res, 200, result.url === undefined ? { token: result.token } : { token: result.token, url: result.url }, cors);
    return false;
  }

  /**
   * The page's form: answers the meeting URL (JSON, for the page's script) or a redirect
   * to it (a plain form post), or the refusal as a sentence (JSON, or the page again with
   * the field as typed). Returns true when the answer is a refusal that counts.
   */
  async function answerForm(req, res, wait) {
    const { text, cut, gone } = await readBody(req, BODY_LIMIT, DISCARD_LIMIT);
    if (gone) {
      res.destroy();
      return false;
    }
    const json = wantsJson(req);
    const fields = text === null ? new URLSearchParams() : new URLSearchParams(text);
    const typed = fields.get('code') ?? '';
    const name = (fields.get('name') ?? '').trim();
    const read = text === null ? null : readCode(typed);
    const refuse = (status, reason, headers = {}) => {
      const message = sentenceFor(reason, read, wait);
      if (json) send(res, status, { code: status, message, reason, read }, { ...page, ...headers });
      else sendPage(res, status, { typed, name, read: read ?? '', error: message, retryAfter: wait }, headers);
      return false;
    };
    if (text === null) return refuse(413, 'malformed', cut ? { Connection: 'close' } : {});
    if (wait > 0) return refuse(429, 'limited', { 'Retry-After': String(wait) });
    if (!typed.trim()) return refuse(400, 'empty');
    if ([...name].length > NAME_LIMIT || /[\p{Cc}\p{Cs}]/u.test(name)) return refuse(400, 'name');
    let result;
    try {
      result = platform.exchange(read ?? typed, null, name || null);
    } catch (err) {
      const refusal = refusalFor(err);
      if (!refusal || refusal.code === 400) {
        log(`join-endpoint: ${err.message}`);
        return refuse(503, 'fault');
      }
      if (refusal.reason === 'stored') log(`join-endpoint: ${err.message}`);
      refuse(refusal.code, refusal.reason);
      return true;
    }
    const url = platform.meetingUrl({ ...result, code: read, name });
    if (json) send(res, 200, { url, code: read }, page);
    else {
      res.writeHead(303, { Location: url, 'Content-Length': 0, ...page });
      res.end();
    }
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

function wholeNumber(env, name, fallback, min = 1) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) throw new Error(`${name} must be a whole number from ${min}, not '${raw}'`);
  return n;
}

function required(env, name) {
  const value = env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const PLATFORMS = ['100ms', 'livekit', 'jitsi'];

/** A LiveKit server URL: ws, wss, http or https, with a host. */
function checkLivekitUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (!url || !['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol) || !url.hostname) {
    throw new Error(`ROOMCODE_LIVEKIT_URL must be a ws, wss, http or https URL of your LiveKit server, not '${raw}'`);
  }
  return raw;
}

/** A Jitsi domain: a host name as Jitsi's `sub` claim and meeting URLs carry it. */
function checkJitsiDomain(raw) {
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i.test(raw)) {
    throw new Error(`ROOMCODE_JITSI_DOMAIN must be the host name of your Jitsi Meet (meet.example.com), not '${raw}'`);
  }
  return raw;
}

/**
 * The platform the environment asks for (ROOMCODE_PLATFORM), on `db`. A wrong or missing
 * setting throws the reason; so does a wrong key or table (the exchange's probe).
 */
export function platformFromEnv(db, env) {
  const name = env.ROOMCODE_PLATFORM || '100ms';
  if (!PLATFORMS.includes(name)) {
    throw new Error(`ROOMCODE_PLATFORM must be one of ${PLATFORMS.join(', ')}, not '${name}'`);
  }
  const appSecret = required(env, 'ROOMCODE_APP_SECRET');
  const ttl = wholeNumber(env, 'ROOMCODE_TTL_SECONDS', null);
  const joinUrl = env.ROOMCODE_JOIN_URL || null;
  if (joinUrl) checkJoinTemplate('ROOMCODE_JOIN_URL', joinUrl);
  let platform, exchange;
  if (name === '100ms') {
    exchange = roomcodeExchange(db, required(env, 'ROOMCODE_ACCESS_KEY'), appSecret, ttl);
    platform = hundredMs({ exchange, joinUrl });
  } else if (name === 'livekit') {
    const serverUrl = checkLivekitUrl(required(env, 'ROOMCODE_LIVEKIT_URL'));
    exchange = livekitExchange(db, required(env, 'ROOMCODE_ACCESS_KEY'), appSecret, ttl);
    platform = livekit({ exchange, serverUrl, joinUrl });
  } else {
    const domain = checkJitsiDomain(required(env, 'ROOMCODE_JITSI_DOMAIN'));
    exchange = jitsiExchange(db, required(env, 'ROOMCODE_APP_ID'), appSecret, domain, ttl);
    platform = jitsi({ exchange, domain, joinUrl });
  }
  // a wrong key, a missing table or a bad ttl shows now, not at the first join
  exchange.probe();
  return platform;
}

/**
 * Runs the endpoint from the environment until SIGTERM or SIGINT. `open(file)` and
 * `load(db)` make the connection and load roomcode into it (openDatabase).
 */
export function main({ open, load, env = process.env }) {
  let db, server;
  try {
    const file = required(env, 'ROOMCODE_DB');
    // a settings error names no secret, and is seen before the file is touched
    const secret = required(env, 'ROOMCODE_APP_SECRET');
    // nothing this process starts later inherits the secret
    delete env.ROOMCODE_APP_SECRET;
    const host = env.HOST || '127.0.0.1';
    const port = wholeNumber(env, 'PORT', 8787, 0);
    const limiter = new FailureLimiter({
      limit: wholeNumber(env, 'ROOMCODE_MAX_FAILURES', 10),
      windowSeconds: wholeNumber(env, 'ROOMCODE_FAILURE_WINDOW', 60),
    });
    const maxConnections = connectionBudget(wholeNumber(env, 'ROOMCODE_MAX_CONNECTIONS', 1000));
    const maxPerAddress = wholeNumber(env, 'ROOMCODE_MAX_CONNECTIONS_PER_ADDRESS', 50);
    db = openDatabase(file, { open, load });
    const platform = platformFromEnv(db, { ...env, ROOMCODE_APP_SECRET: secret });
    server = createJoinServer({
      platform,
      readCode: codeReader(db),
      limiter,
      corsOrigin: env.ROOMCODE_CORS_ORIGIN || '*',
      trustProxy: env.ROOMCODE_TRUST_PROXY === '1',
      maxConnections,
      maxPerAddress,
    });
    server.listen(port, host, () => {
      const { address, port: bound } = server.address();
      const shown = address.includes(':') ? `[${address}]` : address;
      const pageNote = platform.meetingUrl ? ', join page at /' : '';
      console.log(`join-endpoint: listening on http://${shown}:${bound} (database ${file}${pageNote})`);
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
