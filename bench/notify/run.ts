/**
 * Notification fan-out benchmark: a comment on a paper with 10,000 followers (upvoters, readers
 * who follow its discussion, its submitter) becomes 10,000 notifications in one run of the notify
 * job's fan-out (`NotificationService.processEvents`: one INSERT … SELECT), on SQLite and PostgreSQL.
 *
 *   npx tsx bench/notify/run.ts ../shared/data/arxiv-listings [--followers 10000] [--rounds 5] [--stores sqlite,postgres]
 *
 * The paper commented on is the first of the corpus (its first JSONL record), stored with the real
 * services. Baseline, measured in the same run on the same store: a bare INSERT of the same number
 * of rows into the same table (multi-row VALUES, 500 a statement, one transaction) — what writing
 * the rows costs without choosing the readers. Also timed: posting the comment
 * (`CommentService.post`, what the request waits for), which must not grow with the audience, and
 * the header's unread count for a follower (the one query a signed-in page adds).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import type { Paper } from '../../src/domain/paper.ts';
import { createTestStore, testDb, type TestStore } from '../../tests/helpers/stores.ts';
import { detectFormat } from '../../src/ingest/formats/index.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { followers: { type: 'string' }, rounds: { type: 'string' }, stores: { type: 'string' } } });
const corpus = positionals[0];
if (!corpus) {
  console.error('usage: npx tsx bench/notify/run.ts <corpus-dir> [--followers N] [--rounds N] [--stores sqlite,postgres]');
  process.exit(2);
}
const FOLLOWERS = Number(values.followers ?? 10_000);
const ROUNDS = Number(values.rounds ?? 5);
const STORES = (values.stores ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

/** The corpus's first record, as the importer reads it. */
async function firstPaper(dir: string): Promise<Paper> {
  const file = fs.statSync(dir).isDirectory() ? path.join(dir, fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()[0]) : dir;
  const lines = readline.createInterface({ input: fs.createReadStream(file) });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const obj = JSON.parse(line) as Record<string, unknown>;
    const format = detectFormat(obj);
    if (format) {
      lines.close();
      return format.parse(obj, { source: file }).paper;
    }
  }
  throw new Error(`no paper in ${file}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(kind: 'sqlite' | 'postgres', paper: Paper) {
  const opened: TestStore = await createTestStore(kind);
  const { store } = opened;
  const db = testDb(store);
  try {
    const config = loadConfig({ PAPERBOY_DB: ':memory:' }, { logLevel: 'silent' });
    const services = createServices({ config, logger: createLogger('silent'), store });
    await store.papers.upsertMany([paper]);
    const now = new Date().toISOString();
    // The audience: followers split between upvoters (60 %) and discussion watchers (40 %), plus the submitter.
    const ids: number[] = [];
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < FOLLOWERS; i += 500) {
        const rows = Array.from({ length: Math.min(500, FOLLOWERS - i) }, (_, j) => ({ username: `reader${i + j}`, email: `reader${i + j}@bench.example`, password_hash: 'x', created_at: now }));
        const got = await tx.insertInto('users').values(rows).returning('id').execute();
        ids.push(...got.map((r) => Number(r.id)));
      }
    });
    const upvoters = ids.slice(0, Math.floor(FOLLOWERS * 0.6));
    const watchers = ids.slice(upvoters.length);
    for (let i = 0; i < upvoters.length; i += 500) await db.insertInto('upvotes').values(upvoters.slice(i, i + 500).map((u) => ({ user_id: u, paper_id: paper.id, created_at: now }))).execute();
    for (const w of watchers) await store.notifications.watch(w, paper.id);
    await store.feed.addMany([{ paperId: paper.id, day: '2025-06-02', submittedBy: 'reader0' }]);
    const author = await store.users.create({ username: 'commenter', email: 'commenter@bench.example', passwordHash: 'x', emailVerified: true });

    const fanOut: number[] = [];
    const post: number[] = [];
    const baseline: number[] = [];
    let written = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // The request: the comment and its queued event, nothing per follower.
      let t = performance.now();
      await services.comments.post(author, paper.id, `Round ${r}: a comment ten thousand readers hear about.`);
      post.push(performance.now() - t);
      // The job: one run of the fan-out.
      t = performance.now();
      const stats = await services.notifications.processEvents();
      fanOut.push(performance.now() - t);
      written = stats.notifications;
      if (written !== FOLLOWERS) throw new Error(`round ${r}: ${written} notifications for ${FOLLOWERS} followers`);
      // Baseline: the same number of rows, given, into the same table.
      t = performance.now();
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < ids.length; i += 500) {
          await tx
            .insertInto('notifications')
            .values(ids.slice(i, i + 500).map((u) => ({ user_id: u, kind: 'comment', actor_id: author.id, paper_id: paper.id, comment_id: null, detail: '{}', dedupe_key: `baseline:${r}`, created_at: now })))
            .execute();
        }
      });
      baseline.push(performance.now() - t);
    }
    // The header's unread count for one of the followers (ROUNDS unread), as a signed-in page asks it.
    const counts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await services.notifications.unreadCount(ids[1]);
      counts.push(performance.now() - t);
    }
    return { kind, followers: FOLLOWERS, written, unreadMs: median(counts), fanOutMs: median(fanOut), baselineMs: median(baseline), postMs: median(post), rounds: ROUNDS, allFanOut: fanOut.map((x) => Math.round(x)), allBaseline: baseline.map((x) => Math.round(x)) };
  } finally {
    await opened.close();
  }
}

const input = await firstPaper(corpus);
console.log(`paper ${input.id}: "${input.title.slice(0, 60)}", ${FOLLOWERS} followers, ${ROUNDS} rounds; load before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const kind of STORES) {
  const r = await run(kind, input);
  console.log(
    `${kind}: fan-out ${r.fanOutMs.toFixed(0)} ms median for ${r.written} notifications (rounds ${r.allFanOut.join(', ')}); ` +
      `baseline bare INSERT of ${r.followers} rows ${r.baselineMs.toFixed(0)} ms (rounds ${r.allBaseline.join(', ')}); ratio ${(r.fanOutMs / r.baselineMs).toFixed(2)}x; ` +
      `posting the comment ${r.postMs.toFixed(1)} ms; header unread count ${r.unreadMs.toFixed(2)} ms; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
}
