/**
 * What For you recommends on a store, as a served process would from its published features file:
 * a set of readers of every kind (upvotes, a collection, "not interested" marks, category, author and
 * paper interests) is made on a copy of the store, each reader's picks (ids, scores, similarities,
 * reasons) and the cold-start categories are printed as JSON with their SHA-256 — so two checkouts
 * (a change to how the features load, and main) can be compared on the same store and file; with
 * each request's CPU on this thread (the first one splits the papers by feed day):
 *
 *   npx tsx bench/startup/for-you-picks.ts <db file> <out.json>
 *
 * The store is one `bench/startup/run.ts` built (its published files are read, never written: the
 * copy uses the original's SEARCH_INDEX_DIR, and the run stops if the file was not loaded).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { openStore } from '../../src/store/index.ts';

const [db, out] = process.argv.slice(2);
if (!db || !out) {
  console.error('usage: bench/startup/for-you-picks.ts <db file> <out.json>');
  process.exit(2);
}
const copy = `${out}.db`;
for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) fs.rmSync(f, { force: true });
// The store is not open elsewhere while this runs (its WAL, if any, copied with it).
fs.copyFileSync(db, copy);
if (fs.existsSync(`${db}-wal`)) fs.copyFileSync(`${db}-wal`, `${copy}-wal`);
const opened = await openStore(copy);
const store = opened.store;
const config = loadConfig({ PAPERBOY_DB: copy, SEARCH_EMBEDDER: 'none', SEARCH_INDEX_DIR: `${path.resolve(db)}.search-index` }, { logLevel: 'silent', demo: false });
const forYou = createServices({ config, logger: silentLogger, store }).forYou;
await forYou.warm();
if (forYou.lastLoad.source !== 'file') throw new Error(`the published features were not loaded (${forYou.lastLoad.source}, ${forYou.lastLoad.rejected})`);

// Papers to act on, spread over the feed: every paper of the 180 days, in a fixed order.
const newest = (await store.feed.newestDay())!;
const days: string[] = [];
for (let d = new Date(`${newest}T00:00:00Z`), k = 0; k < 180; k++, d.setUTCDate(d.getUTCDate() - 1)) days.push(d.toISOString().slice(0, 10));
const ids: string[] = [];
const authors: string[] = [];
for (const day of days.reverse()) {
  for (const item of await store.feed.items(day, day, { limit: 5000, offset: 0 })) {
    ids.push(item.paper.id);
    if (ids.length % 1009 === 0 && item.paper.authors[0]) authors.push(item.paper.authors[0]);
  }
}
const pick = (n: number, step: number, from = 0) => Array.from({ length: n }, (_, i) => ids[(from + i * step) % ids.length]);
let users = 0;
// Examples are read newest first: each gets its own time, so their order (and the model) never depends on the clock.
let clock = Date.parse('2026-01-01T00:00:00Z');
const at = () => new Date((clock += 1000)).toISOString();
const user = () => store.users.create({ username: `picks${++users}_${process.pid}`, email: `picks${users}@example.org`, passwordHash: 'x' });
const readers: number[] = [];
for (let r = 0; r < 4; r++) {
  const u = await user();
  for (const id of pick(5 + r * 5, 7919, r * 13)) await store.upvotes.add(u.id, id, at());
  for (const id of pick(3, 104729, r * 31 + 1)) await store.discovery.markNotInterested(u.id, id, at());
  readers.push(u.id);
}
{
  const u = await user();
  const col = await store.collections.create({ userId: u.id, name: 'Reading', description: null, isPublic: false });
  for (const id of pick(6, 3571, 5)) await store.collections.addPaper(col.id, id, at());
  readers.push(u.id);
}
for (const c of ['cs.LG', 'astro-ph.CO', 'quant-ph', 'math.AP']) {
  const u = await user();
  await store.discovery.addInterest(u.id, 'category', c);
  readers.push(u.id);
}
for (const a of authors.slice(0, 4)) {
  const u = await user();
  await store.discovery.addInterest(u.id, 'author', a.toLowerCase());
  await store.discovery.addInterest(u.id, 'paper', pick(1, 1, authors.indexOf(a) * 977)[0]);
  readers.push(u.id);
}

const threadCpuMs = () => Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const result: unknown[] = [];
const cpu: number[] = [];
for (const u of readers) {
  const c = threadCpuMs();
  const r = await forYou.picksFor(u, 20);
  cpu.push(threadCpuMs() - c);
  result.push({ positives: r.positives, negatives: r.negatives, coldStart: r.coldStart, picks: r.picks.map((p) => [p.paper.id, p.score, p.similarity, p.reason, p.because]) });
}
result.push({ popular: await forYou.popularCategories() });
const json = JSON.stringify(result);
fs.writeFileSync(out, json);
const picks = (result.slice(0, -1) as { picks: unknown[] }[]).reduce((n, r) => n + r.picks.length, 0);
console.log(`${readers.length} readers, ${picks} picks, ${forYou.lastLoad.papers} papers loaded; sha256 ${createHash('sha256').update(json).digest('hex')}`);
// The first request splits the papers into the recent window and the older ones (once per state of the features).
const rest = cpu.slice(1).sort((a, b) => a - b);
console.log(`request thread CPU per picksFor: first ${cpu[0].toFixed(1)} ms, then median ${rest[rest.length >> 1].toFixed(1)} ms, max ${rest[rest.length - 1].toFixed(1)} ms (load ${loadavg()[0].toFixed(1)})`);
await opened.close();
for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) fs.rmSync(f, { force: true });
