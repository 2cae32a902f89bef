/**
 * The "other process" of bench/search/two-processes.ts: opens the same SQLite file and writes what
 * a second `serve` writes under traffic — a rate-limit row for every request, 50 a second — and,
 * with `papers`, also hides or shows one paper every second (a moderator on the other server);
 * with `batches`, instead writes 200 rate-limit rows in one transaction every 100 ms, holding the
 * write lock as long as an import's or a reindex's batch does (tens of ms).
 *
 * with `hold`, holds a write transaction open for 200 ms (one row written, then idle: a write
 * transaction held across work done elsewhere) every 300 ms — the lock without the CPU.
 *
 *   node --import tsx bench/search/other-writer.ts <store file> limits|papers|batches|hold
 *
 * Runs until SIGTERM, then prints how many writes it made as one JSON line.
 */
import { openStore } from '../../src/store/index.ts';

const [file, mode] = process.argv.slice(2);
if (!file || !['limits', 'papers', 'batches', 'hold'].includes(mode)) {
  console.error('usage: bench/search/other-writer.ts <store file> limits|papers|batches|hold');
  process.exit(2);
}
const opened = await openStore(file);
const paper = (await opened.store.papers.listById(1, ''))[0];
const counts = { rateLimitRows: 0, paperWrites: 0, transactions: 0, longestTransactionMs: 0 };
let stopping = false;
process.on('SIGTERM', () => (stopping = true));
let hidden = false;
let lastPaperWrite = Date.now();
for (let i = 0; !stopping && (mode === 'batches' || mode === 'hold'); i++) {
  const t = performance.now();
  await opened.store.transaction(async (tx) => {
    if (mode === 'hold') {
      await tx.rateLimits.hit('bench-hold', 1_000_000_000, 60);
      await new Promise((r) => setTimeout(r, 200));
      return;
    }
    for (let j = 0; j < 200; j++) await tx.rateLimits.hit(`bench-batch:${j}`, 1_000_000_000, 60);
  });
  counts.longestTransactionMs = Math.max(counts.longestTransactionMs, Math.round(performance.now() - t));
  counts.rateLimitRows += mode === 'hold' ? 1 : 200;
  counts.transactions++;
  await new Promise((r) => setTimeout(r, 100));
}
for (let i = 0; !stopping && mode !== 'batches' && mode !== 'hold'; i++) {
  await opened.store.rateLimits.hit(`bench-other:${i % 5000}`, 1_000_000_000, 60);
  counts.rateLimitRows++;
  if (mode === 'papers' && Date.now() - lastPaperWrite >= 1000) {
    hidden = !hidden;
    await opened.store.papers.setHidden(paper.id, hidden);
    counts.paperWrites++;
    lastPaperWrite = Date.now();
  }
  await new Promise((r) => setTimeout(r, 20));
}
if (hidden) await opened.store.papers.setHidden(paper.id, false);
await opened.close();
console.log(JSON.stringify(counts));
