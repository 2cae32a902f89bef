import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { variedImportLines } from '../helpers/import-lines.ts';
import { Importer } from '../../src/ingest/importer.ts';

/**
 * What a first import stores — every content column of every paper, the feed, and the full-text
 * index the catch-up then writes — pinned by digest, on both stores, through the path
 * `paperboy import` runs (a parse worker; on PostgreSQL packed rows by COPY with the indexes set
 * aside). The client's parse and pack path is tuned for CPU (bench/import); these digests were
 * taken from main before round 28's tuning (3187cbe) and must not move. The lines are the listing
 * fixture varied at random, the same on every run (tests/helpers/import-lines.ts): whitespace of
 * every kind, LaTeX, UTF-8, lone surrogates, links, and lines refused for a NUL or a version past
 * 32 bits (with the reasons digested too).
 *
 * To see the digests after an intended change of what is stored: PRINT_STORED_DIGESTS=1.
 */

const CONTENT_COLUMNS = [
  'id', 'source', 'version', 'title', 'abstract', 'authors', 'categories', 'primary_category', 'published_at', 'updated_at',
  'comment', 'journal_ref', 'doi', 'license', 'abs_url', 'pdf_url', 'code_urls', 'project_urls', 'deleted', 'content_hash',
] as const;

/** Taken from main at 3187cbe: the rows, feed and refusals the same on both stores; each store's own full-text index. */
const ROWS = '2864589a8b29d0316387ebbc959ac335da550cd011d8d8b2af7124dfc13796c0';
const FEED = '9a345592213802f71631ab7142e8c69f23aec56170764026545553bd486fbdc2';
const ERRORS = '3630740e320570b46e4fb484949eb8d8acf00b09c00dac8d2ecde792e1e387b7';
const EXPECTED: Record<string, { rows: string; feed: string; fullText: string; errors: string }> = {
  sqlite: { rows: ROWS, feed: FEED, fullText: '1ee2b3e5a7270108b20f28ffbbe51e5b5b5771d3bdd5e8b4ed61730454cba5c0', errors: ERRORS },
  postgres: { rows: ROWS, feed: FEED, fullText: '57c97d8700a22095ed4fbbd9c1dbc10fc30d0540371ded3abb4545e9eb9e3d17', errors: ERRORS },
};

let dir: string;
let file: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-stored-pinned-'));
  file = path.join(dir, 'listings.jsonl');
  const base = fs.readFileSync(new URL('../fixtures/import/listing.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim());
  // Each varied line gets an id of its own (the variations reuse the fixture's few), its version kept.
  const lines = variedImportLines(base, 1500, 28).map((line, i) => {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return line;
    }
    const id = (o as { id?: unknown } | null)?.id;
    const m = typeof id === 'string' ? /^\d{4}\.\d{4,5}(v\d+)?$/.exec(id) : null;
    return m ? line.replace(`"${id}"`, `"2503.${10000 + i}${m[1] ?? ''}"`) : line;
  });
  // Lines PostgreSQL cannot store: refused alone, with a reason, the rest of their batch kept.
  const o = JSON.parse(base[0]) as Record<string, unknown>;
  lines.splice(400, 0, JSON.stringify({ ...o, id: '2509.90001', title: 'a NUL \u0000 here' }));
  lines.splice(900, 0, JSON.stringify({ ...o, id: '2509.90002v4294967296' }));
  fs.writeFileSync(file, lines.join('\n') + '\n');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const digest = (rows: unknown[]) => crypto.createHash('sha256').update(JSON.stringify(rows)).digest('hex');

forEachStore('a first import stores what it always stored', (ctx) => {
  test('the stored rows, feed, full-text index and refusals of a fixed fixture are what main stored', async () => {
    const importer = new Importer(ctx.store, { workers: 1 });
    let s;
    try {
      s = await importer.importFile(file, { batchSize: 200 });
    } finally {
      await importer.close();
    }
    assert.ok(s.inserted > 900, `${s.inserted} stored`);
    assert.ok(s.failed >= 2, `${s.failed} refused`);
    assert.ok(s.errors.some((e) => e.includes('title contains a NUL character')), 'the NUL line refused with its reason');
    assert.ok(s.errors.some((e) => e.includes('version 4294967296 is out of range')), 'the version past 32 bits refused with its reason');
    const db = testDb(ctx.store);
    const rows = await db.selectFrom('papers').select([...CONTENT_COLUMNS]).orderBy('id').execute();
    const feed = await db.selectFrom('feed_entries').select(['paper_id', 'day', 'position']).orderBy('day').orderBy('position').execute();
    await ctx.store.search.drainFullTextQueue();
    const fullText =
      ctx.kind === 'sqlite'
        ? (await sql<{ id: string; title: string; abstract: string; authors: string }>`select p.id, f.title, f.abstract, f.authors from papers_fts f join papers p on p.rowid = f.rowid order by p.id`.execute(db)).rows
        : (await sql<{ paper_id: string; v: string }>`select paper_id, search_vector::text as v from paper_search order by paper_id`.execute(db)).rows;
    assert.equal(fullText.length, rows.length, 'every stored paper is in the full-text index');
    const got = { rows: digest(rows.map((r) => CONTENT_COLUMNS.map((c) => r[c]))), feed: digest(feed.map((f) => [f.paper_id, f.day, Number(f.position)])), fullText: digest(fullText), errors: digest(s.errors.map((e) => e.split(file).join('FILE'))) };
    if (process.env.PRINT_STORED_DIGESTS) console.log(JSON.stringify(ctx.kind), JSON.stringify(got));
    assert.deepEqual(got, EXPECTED[ctx.kind]);
  });
});
