/**
 * Runs the offline enrichment steps (code links, key phrases) on the papers of the newest feed days
 * of a store, and gives half of them a TL;DR and their GitHub repositories stars, so the render
 * benchmark measures feed pages whose every card carries enrichments (the worst case for the
 * 10 ms budget). Prints the offline steps' papers per second.
 *
 *   npx tsx bench/enrichment/seed-sources.ts --db /tmp/corpus.db [--days 60]
 *
 * The TL;DRs are synthetic (the abstract's first sentence twice, model `bench-synthetic`) and the
 * stars made up: no LLM or GitHub is called.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/store/index.ts';
import { CodeLinksStep } from '../../src/services/enrichment/code-step.ts';
import { KeyphraseStep } from '../../src/services/enrichment/keyphrase-step.ts';
import { StoreCorpusFrequencies } from '../../src/services/enrichment/corpus-frequencies.ts';
import { firstSentence } from '../../src/domain/text.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, days: { type: 'string' } } });
if (!values.db) {
  console.error('usage: npx tsx bench/enrichment/seed-sources.ts --db <file> [--days 60]');
  process.exit(2);
}
const opened = await openStore(values.db);
const store = opened.store;
const wantDays = Number(values.days ?? 60);
const days: string[] = [];
for (let d = await store.feed.newestDay(); d && days.length < wantDays; d = await store.feed.adjacentDay(d, 'before')) {
  if ((await store.feed.countItems(d, d)) >= 50) days.push(d);
}
const signal = new AbortController().signal;
const corpus = new StoreCorpusFrequencies(store, { maxDocs: 200_000 });
let t = performance.now();
const stats = await corpus.get();
const dfMs = performance.now() - t;
const code = new CodeLinksStep(store);
const keys = new KeyphraseStep(store, corpus);
let n = 0;
let withCode = 0;
t = performance.now();
let cpu = process.cpuUsage();
for (const day of days) {
  const items = await store.feed.items(day, day, { limit: 1000 });
  for (const { paper } of items) {
    await code.run(paper, signal);
    await keys.run(paper, signal);
    n++;
  }
}
cpu = process.cpuUsage(cpu);
const stepMs = performance.now() - t;
// Synthetic TL;DRs for every other paper, stars for every GitHub repository found.
let i = 0;
for (const day of days) {
  for (const { paper } of await store.feed.items(day, day, { limit: 1000 })) {
    if (i++ % 2 === 0) await store.enrichment.saveSummary(paper.id, `${firstSentence(paper.abstract, 160)} ${firstSentence(paper.abstract, 120)}`, ['benchmark', 'keyword'], 'bench-synthetic');
    const e = await store.enrichment.forPaper(paper.id);
    if (e?.githubRepo) {
      withCode++;
      await store.enrichment.saveRepo({ repo: e.githubRepo, fullName: e.githubRepo, stars: (i * 7919) % 20000, description: null, etag: null, status: 'ok', checkedAt: new Date().toISOString() });
    }
  }
}
console.log(
  JSON.stringify({ days: days.length, papers: n, withGithub: withCode, corpusDocs: stats.docs, dfCountMs: Math.round(dfMs), offlineStepsPapersPerSecond: Math.round((n / stepMs) * 1000), cpuMsPerPaper: ((cpu.user + cpu.system) / 1000 / n).toFixed(2), load: os.loadavg()[0] }),
);
await opened.close();
