/**
 * The "other process" of bench/search/two-processes.ts: opens the same SQLite file and writes what
 * a second `serve` writes under traffic — a rate-limit row for every request, 50 a second — and,
 * with `papers`, also hides or shows one paper every second (a moderator on the other server).
 *
 *   node --import tsx bench/search/other-writer.ts <store file> limits|papers
 *
 * Runs until SIGTERM, then prints how many writes it made as one JSON line.
 */
import { openStore } from '../../src/store/index.ts';

const [file, mode] = process.argv.slice(2);
if (!file || !['limits', 'papers'].includes(mode)) {
  console.error('usage: bench/search/other-writer.ts <store file> limits|papers');
  process.exit(2);
}
const opened = await openStore(file);
const paper = (await opened.store.papers.listById(1, ''))[0];
const counts = { rateLimitRows: 0, paperWrites: 0 };
let stopping = false;
process.on('SIGTERM', () => (stopping = true));
let hidden = false;
let lastPaperWrite = Date.now();
for (let i = 0; !stopping; i++) {
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
