// roomcode_token's payload read the way 100ms's web SDK reads it, JSON.parse(atob(part)):
// atob takes standard base64 only (a '-' or '_' throws InvalidCharacterError) and gives one
// character per byte, so the payload must be ASCII. Every ASCII byte at every position of
// a base64 group, the code point edges and random Unicode come back exactly; every
// signature verifies with jose; a verifier whose clock is 5 s behind accepts a fresh token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Database from "better-sqlite3";
import { jwtVerify, SignJWT } from "jose";

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.join(here, "..", "..", "build", "roomcode");
const SECRET = "app-secret-of-the-node-test";
const KEY = new TextEncoder().encode(SECRET);
const ACCESS_KEY = "65f2d0c1a9b8e7f6a5b4c3d2";

function open() {
  const db = new Database(":memory:");
  db.loadExtension(extension);
  db.exec("CREATE VIRTUAL TABLE room_codes USING roomcode");
  return {
    db,
    mint: db.prepare("SELECT roomcode_new(?, ?) AS c").pluck(),
    token: db.prepare("SELECT roomcode_token(?, ?, ?, ?) AS t").pluck(),
  };
}

// What the SDK does (src/utils/jwt.ts): atob on the payload, then JSON.parse.
function sdkDecode(token) {
  return JSON.parse(atob(token.split(".")[1]));
}

let rooms = 0;
function roundTrip(s, { roomId = `r${rooms++}`, role = "guest", userId = "u", accessKey = ACCESS_KEY }) {
  const code = s.mint.get(roomId, role);
  const token = s.token.get(code, userId, accessKey, SECRET);
  const claims = sdkDecode(token);
  assert.deepEqual(
    [claims.room_id, claims.role, claims.user_id, claims.access_key],
    [roomId, role, userId, accessKey],
  );
  return token;
}

test("every ASCII byte, at every position of a base64 group, comes back through atob", async () => {
  const s = open();
  const tokens = [];
  for (const lead of ["", "a", "ab"]) {
    for (let b = 1; b < 128; b++) {
      const c = lead + String.fromCharCode(b);
      tokens.push(roundTrip(s, { userId: c }));
      // names in the store and the access key refuse control characters
      if (b >= 0x20 && b < 0x7f) {
        tokens.push(roundTrip(s, { roomId: c }));
        tokens.push(roundTrip(s, { role: c }));
        tokens.push(roundTrip(s, { accessKey: c }));
      }
    }
  }
  assert.equal(tokens.length, 3 * (127 + 3 * 95));
  for (const t of tokens) {
    assert.match(t, /^[A-Za-z0-9]+\.[A-Za-z0-9]+\.[A-Za-z0-9_-]{43}$/);
    await jwtVerify(t, KEY, { algorithms: ["HS256"] });
  }
});

test("the user ids that break 100ms's own tokens", async () => {
  const s = open();
  for (const userId of ["a?b", "x>y", "Zoë", "~", "🎉 party", "日本"]) {
    const token = roundTrip(s, { userId });
    const { payload } = await jwtVerify(token, KEY, { algorithms: ["HS256"] });
    assert.equal(payload.user_id, userId);
  }
});

test("code point edges and random Unicode come back exactly", async () => {
  const s = open();
  const edges = [0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1f600,
    0x10ffff, 0x2028, 0x2029];
  for (const lead of ["", "a", "ab"]) {
    const text = lead + String.fromCodePoint(...edges);
    roundTrip(s, { roomId: text, role: text, userId: text });
  }
  const classes = [[0x20, 0x7e], [0x80, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xffff], [0x10000, 0x10ffff]];
  const seed = Date.now() >>> 0;
  let state = seed;
  const next = (n) => { // xorshift32: reproducible from the seed in a failure message
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state % n;
  };
  const randomText = () => {
    let text = "";
    const n = 1 + next(24);
    for (let i = 0; i < n; i++) {
      const [lo, hi] = classes[next(classes.length)];
      const next_ = String.fromCodePoint(lo + next(hi - lo + 1));
      if (Buffer.byteLength(text + next_) > 256) break;
      text += next_;
    }
    return text;
  };
  for (let i = 0; i < 300; i++) {
    const [roomId, role, userId] = [randomText(), randomText(), randomText()];
    try {
      const token = roundTrip(s, { roomId, role, userId });
      await jwtVerify(token, KEY, { algorithms: ["HS256"] });
    } catch (e) {
      throw new Error(`seed ${seed}, case ${i}: ${e.message}`);
    }
  }
});

test("no user_id: a fresh UUID v4; a bound code still needs its user", () => {
  const s = open();
  const code = s.mint.get("room-1", "guest");
  const ids = new Set();
  for (let i = 0; i < 20; i++) {
    const claims = sdkDecode(s.token.get(code, null, ACCESS_KEY, SECRET));
    assert.match(claims.user_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    ids.add(claims.user_id);
  }
  assert.equal(ids.size, 20);
  const bound = s.db.prepare("SELECT roomcode_new('room-1', 'host', 'alice')").pluck().get();
  assert.throws(() => s.token.get(bound, null, ACCESS_KEY, SECRET), {
    message: `roomcode: room code '${bound}' is bound to a user: give that user's user_id`,
  });
  assert.equal(sdkDecode(s.token.get(bound, "alice", ACCESS_KEY, SECRET)).user_id, "alice");
});

test("a verifier whose clock is 5 s behind accepts a fresh token", async () => {
  const s = open();
  const code = s.mint.get("room-1", "guest");
  const behind = () => new Date(Date.now() - 5000);
  const token = s.db.prepare("SELECT roomcode_token(?, 'u', ?, ?, 600)").pluck().get(code, ACCESS_KEY, SECRET);
  const { payload } = await jwtVerify(token, KEY, { algorithms: ["HS256"], currentDate: behind() });
  const now = Math.floor(Date.now() / 1000);
  assert.ok(payload.iat >= now - 11 && payload.iat <= now - 9, `iat ${payload.iat}, now ${now}`);
  assert.equal(payload.nbf, payload.iat);
  assert.equal(payload.exp, payload.nbf + 600);
  // a token issued at "now", as roomcode's were before, is refused by that verifier
  const undated = await new SignJWT({}).setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).sign(KEY);
  await assert.rejects(jwtVerify(undated, KEY, { currentDate: behind() }), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED" });
});
