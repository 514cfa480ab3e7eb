// The join endpoint's limits on what one client may cost: failed exchanges per address
// (token buckets charged when a request arrives), and open connections per address and in
// all. No HTTP here beyond the server's 'connection' and 'request' events.
import { readFileSync } from 'node:fs';

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
