// docs/authentication.md: every ```sql block runs, top to bottom on one fresh database,
// and each statement's `-- result:` rows or `-- error:` message is checked (`<token>`
// stands for a signed token, checked as one).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, test } from 'node:test';
import { EXTENSION, ROOT, removeDir, tempDir } from './support.mjs';

// better-sqlite3 as the endpoint installs it
const Database = createRequire(path.join(ROOT, 'examples', 'join-endpoint', 'package.json'))('better-sqlite3');
const PAGE = path.join(ROOT, 'docs', 'authentication.md');

/** [{sql, results: [..] | null, error: string | null}] in the page's order. */
function statements(markdown) {
  const out = [];
  for (const [, block] of markdown.matchAll(/```sql\n([\s\S]*?)```/g)) {
    let current = null;
    for (const line of block.split('\n')) {
      const result = /^-- result: (.*)$/.exec(line);
      const error = /^-- error: (.*)$/.exec(line);
      if (result) current.results.push(result[1]);
      else if (error) current.error = error[1];
      else if (line.trim()) {
        if (!current || current.sql.trimEnd().endsWith(';')) out.push((current = { sql: '', results: [], error: null }));
        current.sql += `${line}\n`;
      }
    }
  }
  return out;
}

const dir = tempDir();
after(() => removeDir(dir));

test('docs/authentication.md: every SQL example gives its result or its error', () => {
  const db = new Database(path.join(dir, 'docs.db'));
  db.loadExtension(EXTENSION);
  const list = statements(readFileSync(PAGE, 'utf8'));
  assert.ok(list.length >= 12, `found ${list.length} statements`);
  for (const { sql, results, error } of list) {
    let rows;
    try {
      const stmt = db.prepare(sql);
      rows = stmt.reader ? stmt.raw().all().map((r) => r.map((v) => (v === null ? '' : String(v))).join('|')) : (stmt.run(), []);
    } catch (err) {
      assert.equal(err.message, error, sql);
      continue;
    }
    assert.equal(error, null, `${sql} did not fail`);
    assert.equal(rows.length, results.length, sql);
    rows.forEach((row, i) => {
      if (results[i] === '<token>') assert.match(row, /^eyJ[A-Za-z0-9]+\.eyJ[A-Za-z0-9]+\.[\w-]{43}$/, sql);
      else assert.equal(row, results[i], sql);
    });
  }
  db.close();
});
