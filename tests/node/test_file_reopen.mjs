// A database FILE through better-sqlite3 12, whose bundled SQLite is current and runs with
// DEFENSIVE on: made with the extension, closed, and reopened in new Database objects that
// load the extension and use it. Current SQLite under DEFENSIVE refuses a schema it finds
// inconsistent when it reads it back, which an in-memory database never does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Database from "better-sqlite3";

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.join(here, "..", "..", "build", "roomcode");

function reopen(file) {
  const db = new Database(file);
  db.loadExtension(extension);
  return db;
}

test("better-sqlite3 runs a current SQLite with DEFENSIVE on", () => {
  const db = new Database(":memory:");
  const [major, minor] = db.prepare("SELECT sqlite_version() AS v").get().v.split(".").map(Number);
  assert.ok(major > 3 || (major === 3 && minor >= 52), `SQLite ${major}.${minor} is older than 3.52`);
  // DEFENSIVE ignores writable_schema = ON, so sqlite_schema stays read-only
  db.pragma("writable_schema = ON");
  assert.equal(db.pragma("writable_schema", { simple: true }), 0);
  assert.throws(() => db.exec("UPDATE sqlite_schema SET sql = sql WHERE 0"),
    { message: "table sqlite_master may not be modified" });
  db.close();
});

test("a database file made with the extension reopens and works", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "roomcode-node-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "codes.db");

  let db = reopen(file);
  db.exec("CREATE VIRTUAL TABLE room_codes USING roomcode");
  const first = db.prepare("SELECT roomcode_new(?, ?) AS c").get("room-1", "host").c;
  const fill = db.prepare("INSERT INTO room_codes(room_id, role) VALUES ('full', 'guest')");
  db.transaction(() => { for (let i = 0; i < 100; i++) fill.run(); })();
  db.close();

  db = reopen(file);
  const guest = db.prepare("SELECT roomcode_new(?, ?) AS c").get("room-1", "guest").c;
  assert.match(guest, /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  assert.notEqual(guest, first);
  const row = db.prepare("SELECT room_id, role, enabled FROM room_codes WHERE code = ?").get(first);
  assert.deepEqual({ ...row }, { room_id: "room-1", role: "host", enabled: 1 });
  const token = db.prepare("SELECT roomcode_token(?, ?, ?, ?) AS t")
    .get(`https://acme.app.100ms.live/meeting/${guest}`, "user-1", "key-1", "secret-1").t;
  const [header, payload, signature] = token.split(".");
  assert.equal(signature, createHmac("sha256", "secret-1").update(`${header}.${payload}`).digest("base64url"));
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  assert.deepEqual([claims.room_id, claims.role, claims.user_id], ["room-1", "guest", "user-1"]);
  assert.throws(() => db.prepare("INSERT INTO room_codes(room_id, role) VALUES (?, ?)").run("full", "guest"),
    { message: "roomcode: room 'full' already has 100 room codes (limit 100)" });
  // the store's own trigger holds the cap for a direct writer too
  assert.throws(() => db.prepare("INSERT INTO room_codes_store(code, room_id, role) VALUES (?, ?, ?)")
    .run("zzz-zzzz-zzz", "full", "guest"),
  { message: "roomcode: a room has at most 100 room codes (limit 100)" });
  db.close();

  db = reopen(file);
  const counts = db.prepare("SELECT room_id, count(*) AS n FROM room_codes GROUP BY room_id ORDER BY room_id").all();
  assert.deepEqual(counts.map((r) => [r.room_id, r.n]), [["full", 100], ["room-1", 2]]);
  assert.equal(db.prepare("SELECT room_id FROM room_codes WHERE code = ?").get(guest).room_id, "room-1");
  assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  db.close();
});
