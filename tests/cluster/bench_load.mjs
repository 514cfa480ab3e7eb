// The load of `make bench-cluster`: POSTs {"code"} (the SDK's request shape) on keep-alive
// connections, `concurrency` in flight, spread round-robin over the given URLs, for
// `seconds`; every answer must be a token. Prints one JSON line: requests, rate, p50, p99.
//
// usage: node bench_load.mjs SECONDS CONCURRENCY CODES_FILE URL...
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [seconds, concurrency, codesFile, ...urls] = process.argv.slice(2);
const codes = readFileSync(codesFile, 'utf8').trim().split('\n');
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const latencies = [];
let failures = 0;
let next = 0;

function one(url, code) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ code });
    const t0 = performance.now();
    const req = http.request(
      url,
      {
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
    req.on('error', () => {
      failures++;
      resolve();
    });
    req.end(body);
  });
}

const end = performance.now() + Number(seconds) * 1000;
const started = performance.now();
const loop = async (k) => {
  while (performance.now() < end) {
    const n = next++;
    await one(urls[(n + k) % urls.length], codes[n % codes.length]);
  }
};
await Promise.all(Array.from({ length: Number(concurrency) }, (_, k) => loop(k)));
const took = (performance.now() - started) / 1000;
agent.destroy();
const sorted = Float64Array.from(latencies).sort();
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
console.log(
  JSON.stringify({ requests: latencies.length, failures, rate: latencies.length / took, p50: pct(50), p99: pct(99) }),
);
