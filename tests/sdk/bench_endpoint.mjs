// The join endpoint on loopback: requests per second and latency with the SDK's request
// shape (POST, text/plain, {"code": ...} without user_id, as getAuthTokenByRoomCode sends
// it), roomcode_check then roomcode_token (as the endpoint runs them) beside the same
// endpoint minting with jsonwebtoken after a plain SELECT, its secret given as a string or
// as a KeyObject (bench_server.mjs). Each server runs as a process of its own; this
// process is the load: `--concurrency` requests in flight on keep-alive connections. Rounds
// alternate the two sides; it prints medians and the ratio, and asserts no timing.
//
// usage: node bench_endpoint.mjs [--rounds 5] [--seconds 2] [--concurrency 16] [--codes 10000]
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeDatabase, removeDir, sqlite, startEndpoint, tempDir } from './support.mjs';

const opts = { rounds: 5, seconds: 2, concurrency: 16, codes: 10000 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown option ${process.argv[i]}`);
  opts[key] = Number(process.argv[i + 1]);
}

/** Sends requests for `seconds` from `concurrency` loops; returns {count, latencies}. */
async function load(port, codes, seconds, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  const one = (code) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ code });
      const t0 = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/token',
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            if (res.statusCode !== 200 || !text.startsWith('{"token":"ey')) failures++;
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const loop = async () => {
    while (performance.now() < end) await one(codes[next++ % codes.length]);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  agent.destroy();
  if (failures) throw new Error(`${failures} requests did not get a token`);
  return { count: latencies.length, latencies };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ ticks
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const dir = tempDir();
const servers = [];
try {
  const db = path.join(dir, 'bench.db');
  // opts.codes codes, 100 per room (the cap), in the forms people type
  makeDatabase(db, [['aaa-aaaa-aaa', 'seed', 'guest']], `PRAGMA synchronous = OFF;
WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ${opts.codes - 1})
INSERT INTO room_codes(room_id, role) SELECT printf('room-%05d', n / 100), 'guest' FROM i;`);
  const codes = sqlite(db, 'SELECT code FROM room_codes ORDER BY random();').trim().split('\n');
  const sides = {};
  const MODES = ['roomcode', 'jsonwebtoken', 'jsonwebtoken-keyobject'];
  for (const mode of MODES) {
    const s = await startEndpoint({}, { argv: ['bench_server.mjs', mode, db], cwd: path.dirname(new URL(import.meta.url).pathname) });
    servers.push(s);
    sides[mode] = { port: s.port, pid: s.proc.pid, rates: [], cpu: [], latencies: [] };
  }
  console.log(
    `bench-endpoint: ${codes.length} codes, ${opts.concurrency} requests in flight, ` +
      `${opts.rounds} rounds of ${opts.seconds} s per side, SDK request shape (no user_id)`,
  );
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 ? [...MODES].reverse() : MODES;
    for (const mode of order) {
      const side = sides[mode];
      await load(side.port, codes, 0.3, opts.concurrency); // warm the connections and the JIT
      const cpu0 = cpuSeconds(side.pid);
      const r = await load(side.port, codes, opts.seconds, opts.concurrency);
      side.cpu.push(((cpuSeconds(side.pid) - cpu0) / r.count) * 1e6);
      side.rates.push(r.count / opts.seconds);
      side.latencies.push(...r.latencies);
    }
  }
  const row = (mode) => {
    const s = sides[mode];
    return {
      rps: median(s.rates),
      cpu: median(s.cpu),
      p50: percentile(s.latencies, 50),
      p99: percentile(s.latencies, 99),
    };
  };
  const ours = row('roomcode');
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const names = {
    roomcode: 'roomcode_check + roomcode_token',
    jsonwebtoken: 'SELECT + jsonwebtoken, secret as a string',
    'jsonwebtoken-keyobject': 'SELECT + jsonwebtoken, secret as a KeyObject',
  };
  console.log('| endpoint | requests/s (median of rounds) | server CPU us/request | p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|');
  for (const mode of MODES) {
    const r = row(mode);
    console.log(`| ${names[mode]} | ${fmt(r.rps)} | ${r.cpu.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`);
  }
  for (const mode of MODES.slice(1)) {
    const base = row(mode);
    console.log(
      `ratio roomcode_check + roomcode_token / ${names[mode]}: ${(ours.rps / base.rps).toFixed(2)}x the requests/s, ` +
        `${(ours.cpu / base.cpu).toFixed(2)}x the server CPU per request`,
    );
    console.log(
      `BENCH name=endpoint-vs-${mode} ours_rps=${ours.rps.toFixed(0)} base_rps=${base.rps.toFixed(0)} ` +
        `ratio=${(ours.rps / base.rps).toFixed(3)} ours_cpu_us=${ours.cpu.toFixed(0)} base_cpu_us=${base.cpu.toFixed(0)} ` +
        `ours_p99_ms=${ours.p99.toFixed(2)} base_p99_ms=${base.p99.toFixed(2)}`,
    );
  }
} finally {
  for (const s of servers) await s.stop();
  removeDir(dir);
}
