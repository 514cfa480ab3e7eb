// roomcode through Node's better-sqlite3 (which bundles its own, newer SQLite): load,
// create, look up, tokens verified with node:crypto, refusals as exceptions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Database from "better-sqlite3";

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.join(here, "..", "..", "build", "roomcode");

function open() {
  const db = new Database(":memory:");
  db.loadExtension(extension);
  db.exec("CREATE VIRTUAL TABLE room_codes USING roomcode");
  return db;
}

test("mints, stores and finds codes", () => {
  const db = open();
  const code = db.prepare("SELECT roomcode_new(?, ?) AS c").get("room-1", "host").c;
  assert.match(code, /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  const row = db.prepare("SELECT room_id, role, enabled FROM room_codes WHERE code = ?").get(code);
  assert.deepEqual({ ...row }, { room_id: "room-1", role: "host", enabled: 1 });
  const roles = db.prepare("SELECT role FROM roomcode_create(?, ?)").all("room-2", '["host","guest"]');
  assert.deepEqual(roles.map((r) => r.role), ["host", "guest"]);
});

test("a token verifies with the app secret", () => {
  const db = open();
  db.prepare("INSERT INTO room_codes(code, room_id, role) VALUES (?, ?, ?)").run("abc-defg-hij", "room-3", "guest");
  const token = db.prepare("SELECT roomcode_token(?, ?, ?, ?) AS t")
    .get("https://acme.app.100ms.live/meeting/abc-defg-hij", "user-1", "key-1", "secret-1").t;
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", "secret-1").update(`${header}.${payload}`).digest("base64url");
  assert.equal(signature, expected);
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  assert.equal(claims.room_id, "room-3");
  assert.equal(claims.role, "guest");
  assert.equal(claims.exp - claims.iat, 86400);
});

test("refusals are exceptions naming the value, and change nothing", () => {
  const db = open();
  const insert = db.prepare("INSERT INTO room_codes(room_id, role) VALUES (?, ?)");
  const many = db.transaction((n) => { for (let i = 0; i < n; i++) insert.run("full", "guest"); });
  many(100);
  assert.throws(() => insert.run("full", "guest"),
    { message: "roomcode: room 'full' already has 100 room codes (limit 100)" });
  assert.throws(() => many(1), /already has 100 room codes/);
  assert.throws(() => insert.run("", "guest"), { message: "roomcode: room_id must not be empty" });
  assert.equal(db.prepare("SELECT count(*) AS n FROM room_codes").get().n, 100);
});
