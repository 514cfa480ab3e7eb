// One side of the endpoint benchmark, as its own process: the join endpoint of
// examples/join-endpoint with its exchange either roomcode_check then roomcode_token
// (`roomcode`, as the endpoint runs them) or what an app would write without it: a plain
// SELECT through the table, the same checks, and jsonwebtoken's sign with the same claims,
// given the secret as a string as jsonwebtoken's README shows (`jsonwebtoken`;
// jsonwebtoken 9 then first tries to read it as a private key, and that failed attempt
// costs most of the time) or as a KeyObject made once (`jsonwebtoken-keyobject`). Same
// server, database and settings.
import { createSecretKey, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createJoinServer, FailureLimiter, openDatabase, roomcodeExchange } from '../../examples/join-endpoint/server.js';
import { ACCESS_KEY, APP_SECRET, EXTENSION } from './support.mjs';

const [mode, file] = process.argv.slice(2);
const db = openDatabase(file, EXTENSION);

function jsonwebtokenExchange(secret) {
  const row = db.prepare('SELECT code, room_id, role, enabled, user_id FROM room_codes WHERE code = roomcode_normalize(?)');
  return (typed, userId) => {
    const r = row.get(typed);
    if (!r) throw new Error(`roomcode: unknown room code '${typed}'`);
    if (r.enabled !== 1) throw new Error(`roomcode: room code '${r.code}' is disabled`);
    if (r.user_id !== null && r.user_id !== userId) throw new Error(`roomcode: room code '${r.code}' is bound to another user than '${userId}'`);
    const iat = Math.floor(Date.now() / 1000) - 10;
    const claims = {
      access_key: ACCESS_KEY,
      room_id: r.room_id,
      user_id: userId ?? randomUUID(),
      role: r.role,
      type: 'app',
      version: 2,
      iat,
      nbf: iat,
      exp: iat + 86400,
      jti: randomUUID(),
    };
    return jwt.sign(claims, secret, { algorithm: 'HS256', noTimestamp: true });
  };
}

const exchanges = {
  roomcode: () => roomcodeExchange(db, ACCESS_KEY, APP_SECRET),
  jsonwebtoken: () => jsonwebtokenExchange(APP_SECRET),
  'jsonwebtoken-keyobject': () => jsonwebtokenExchange(createSecretKey(Buffer.from(APP_SECRET))),
};
const exchange = exchanges[mode]();
const server = createJoinServer({ exchange, limiter: new FailureLimiter({ limit: 1e9 }) });
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)) && server.closeIdleConnections());
