/**
 * Site rendering benchmark: how long the server takes to render a 50-paper feed page with the whole
 * corpus in the store, for a visitor and for a signed-in reader, and how many bytes the page costs on the wire (the largest page for a visitor
 * and for a signed-in reader too).
 *
 *   npx tsx bench/render/run.ts ../shared/data/arxiv-listings [--db /tmp/corpus.db] [--requests 400] [--thumbnails] [--page-cache]
 *
 * The anonymous page cache is off unless --page-cache: with it, every request after the first of
 * a day is a cache hit and the figures say nothing about rendering. For every card enriched, run
 * `bench/enrichment/seed-sources.ts` on the store first and pass --thumbnails.
 *
 * --thumbnails gives every paper on the measured days a first-page thumbnail first (as the
 * enrichment's PDF step stores them, with random bytes), so each card carries its lazy <img>.
 *
 * Without --db (or when the file does not exist yet) the corpus is imported first with
 * `npx tsx src/cli/main.ts import <dir> --db <file>`. Requests go through the full Hono app
 * (middleware, routing, store queries, JSX, KaTeX) by `app.request`, so the network is left out.
 * The baseline, measured in the same run, is a bare Hono route returning a static string.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { openStore } from '../../src/store/index.ts';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, requests: { type: 'string' }, thumbnails: { type: 'boolean' }, 'page-cache': { type: 'boolean' } } });
const corpus = positionals[0];
if (!corpus) {
  console.error('usage: npx tsx bench/render/run.ts <corpus-dir> [--db file] [--requests N]');
  process.exit(2);
}
const requests = Number(values.requests ?? 400);
const db = values.db ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-render-')), 'corpus.db');

if (!fs.existsSync(db)) {
  const t = performance.now();
  execFileSync('npx', ['tsx', 'src/cli/main.ts', 'import', corpus, '--db', db], { stdio: 'inherit' });
  console.log(`imported ${corpus} into ${db} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const opened = await openStore(db);
const papers = await opened.store.papers.count();
const config = loadConfig({}, { logLevel: 'silent', demo: false, db, pageCacheSeconds: values['page-cache'] ? undefined : '0' });
const services = createServices({ config, logger: createLogger('silent'), store: opened.store });
const app = createApp(services);

const bare = new Hono();
bare.get('/', (c) => c.text('Paperboy'));

// Days with at least 50 papers: every page rendered is a full 50-paper page.
const days: string[] = [];
for (let d = await opened.store.feed.newestDay(); d && days.length < 60; d = await opened.store.feed.adjacentDay(d, 'before')) {
  if ((await opened.store.feed.countItems(d, d)) >= 50) days.push(d);
}
if (!days.length) throw new Error('no day with 50 papers in this store');

if (values.thumbnails) {
  const { randomBytes } = await import('node:crypto');
  const { thumbnailHash } = await import('../../src/services/enrichment/pdf-step.ts');
  let seeded = 0;
  for (const day of days) {
    const items = await opened.store.feed.items(day, day, { limit: 5000, offset: 0 });
    const ids = items.map((i) => i.paper.id);
    const known = await opened.store.enrichment.forPapers(ids);
    for (const id of ids) {
      if (known.get(id)?.thumbnails) {
        seeded++;
        continue;
      }
      const card = randomBytes(3000);
      const pageImg = randomBytes(12000);
      await opened.store.enrichment.savePdf(id, {
        text: '',
        pages: 1,
        thumbnails: [
          { size: 'card', hash: thumbnailHash(card), mime: 'image/webp', width: 320, height: 414, data: card },
          { size: 'page', hash: thumbnailHash(pageImg), mime: 'image/webp', width: 900, height: 1165, data: pageImg },
        ],
      });
      seeded++;
    }
  }
  console.log(`thumbnails: ${seeded} papers on the measured days have one`);
}

async function time(fetcher: (i: number) => Response | Promise<Response>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetcher(i);
    await res.arrayBuffer();
    out.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  }
  return out;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const page = (i: number) => app.request(`/papers/date/${days[i % days.length]}`);
// A signed-in reader's page is never served from the page cache (it carries the reader's votes, seen
// marks and CSRF tokens), so its render time is timed too: a session of a bench account, made once
// in the store.
const reader = (await opened.store.users.byUsername('bench_reader')) ?? (await opened.store.users.create({ username: 'bench_reader', email: 'bench_reader@example.org', passwordHash: 'x', emailVerified: true }));
const { sessionToken } = await services.accounts.openSession(reader.id);
const readerPage = (i: number) => app.request(`/papers/date/${days[i % days.length]}`, { headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` } });

// Cold: the first render of each day (KaTeX's cache has not seen these abstracts yet).
const cold = await time(page, days.length);
await time(page, 50); // warm-up
const load = os.loadavg()[0];
let cpu = process.cpuUsage();
const feed = await time(page, requests);
cpu = process.cpuUsage(cpu);
const feedCpu = (cpu.user + cpu.system) / 1000 / requests;
await time(readerPage, 50); // warm-up
let readerCpuUsage = process.cpuUsage();
const readerFeed = await time(readerPage, requests);
readerCpuUsage = process.cpuUsage(readerCpuUsage);
const readerCpu = (readerCpuUsage.user + readerCpuUsage.system) / 1000 / requests;
await time(() => bare.request('/'), 200);
let baseCpuUsage = process.cpuUsage();
const base = await time(() => bare.request('/'), requests);
baseCpuUsage = process.cpuUsage(baseCpuUsage);
const baseCpu = (baseCpuUsage.user + baseCpuUsage.system) / 1000 / requests;

const html = await (await app.request(`/papers/date/${days[0]}`)).text();
// The largest page of the measured days, and how many of its cards carry each enrichment.
let largest = { day: days[0], bytes: 0, html };
for (const day of days) {
  const h = await (await app.request(`/papers/date/${day}`)).text();
  if (Buffer.byteLength(h) > largest.bytes) largest = { day, bytes: Buffer.byteLength(h), html: h };
}
// The same days for a signed-in reader (upvote and "mark seen" buttons on every card).
const signedIn = { day: days[0], bytes: 0, visitorBytes: 0 };
for (const [i, day] of days.entries()) {
  const res = await readerPage(i);
  const h = await res.text();
  if (!h.includes('id="card-vote"')) throw new Error(`the signed-in page of ${day} has no card vote form: not signed in?`);
  if (Buffer.byteLength(h) > signedIn.bytes) Object.assign(signedIn, { day, bytes: Buffer.byteLength(h) });
}
signedIn.visitorBytes = Buffer.byteLength(await (await app.request(`/papers/date/${signedIn.day}`)).text());
const count = (re: RegExp) => (largest.html.match(re) ?? []).length;
const enriched = { thumbnails: count(/<img [^>]*src="\/thumbs\//g), stars: count(/class="stars"/g), tldr: count(/class="tldr"/g), keywords: count(/class="kw"/g) };
const cards = (html.match(/<article class="card"/g) ?? []).length;
const gz = await app.request(`/papers/date/${days[0]}`, { headers: { 'accept-encoding': 'gzip' } });
const wire = (await gz.arrayBuffer()).byteLength;
const encoding = gz.headers.get('content-encoding');
const cssUrl = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1];
const jsUrl = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
const assetBytes = async (u: string) => gzipSync(Buffer.from(await (await app.request(u)).arrayBuffer())).byteLength;
const css = await assetBytes(cssUrl);
const js = await assetBytes(jsUrl);

const fmt = (x: number) => x.toFixed(2);
const result = {
  papers,
  days: days.length,
  cardsPerPage: cards,
  requests,
  feedP50: pct(feed, 50),
  feedP95: pct(feed, 95),
  coldP50: pct(cold, 50),
  baseP50: pct(base, 50),
  feedCpuMs: feedCpu,
  signedInP50: pct(readerFeed, 50),
  signedInP95: pct(readerFeed, 95),
  signedInCpuMs: readerCpu,
  baseCpuMs: baseCpu,
  loadAverage: load,
  htmlBytes: Buffer.byteLength(html),
  largestHtmlBytes: largest.bytes,
  largestDay: largest.day,
  largestSignedInBytes: signedIn.bytes,
  largestSignedInDay: signedIn.day,
  largestPageCards: enriched,
  pageCache: Boolean(values['page-cache']),
  wireBytes: wire,
  encoding,
  cssGzip: css,
  jsGzip: js,
};
console.log(JSON.stringify(result));
console.log(`
| measure | value |
|---|---|
| papers in the store | ${papers} |
| 50-paper feed page, p50 (p95), ${requests} requests over ${days.length} days | ${fmt(result.feedP50)} ms (${fmt(result.feedP95)} ms) |
| 50-paper feed page, CPU time per request (mean) | ${fmt(feedCpu)} ms |
| same page signed in, p50 (p95) | ${fmt(result.signedInP50)} ms (${fmt(result.signedInP95)} ms) |
| same page signed in, CPU time per request (mean) | ${fmt(readerCpu)} ms |
| same, first render of each day (cold KaTeX cache), p50 | ${fmt(result.coldP50)} ms |
| baseline: bare Hono route returning a static string, p50 | ${fmt(result.baseP50)} ms |
| baseline CPU time per request (mean) | ${fmt(baseCpu)} ms |
| feed page / baseline (p50) | ${(result.feedP50 / result.baseP50).toFixed(0)}× |
| machine load average during the run (2 cores) | ${load.toFixed(1)} |
| feed page HTML, uncompressed | ${(result.htmlBytes / 1024).toFixed(1)} kB |
| largest page of the ${days.length} days (${largest.day}), uncompressed | ${(largest.bytes / 1000).toFixed(1)} kB (1000 B); its 50 cards: ${enriched.thumbnails} thumbnails, ${enriched.stars} stars, ${enriched.tldr} TL;DRs, ${enriched.keywords} keyword lines |
| largest page signed in (${signedIn.day}), uncompressed | ${(signedIn.bytes / 1000).toFixed(1)} kB; the same day for a visitor ${(signedIn.visitorBytes / 1000).toFixed(1)} kB |
| anonymous page cache | ${values['page-cache'] ? 'on' : 'off (every request renders)'} |
| feed page on the wire (${encoding}) | ${(wire / 1024).toFixed(1)} kB |
| + CSS and JS (gzip, cached for a year after the first visit) | ${(css / 1024).toFixed(1)} kB + ${(js / 1024).toFixed(1)} kB |
| first visit total | ${((wire + css + js) / 1024).toFixed(1)} kB |
`);
await opened.close();
